//! `netkeep exec`'s flags, and which devices and commands they name.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use netkeep_keeper::select::{parse_filter, Target};
use netkeep_keeper::wire::{CommandSpec, PromptAnswer};
use netkeep_parse::Templates;

use crate::connect::ConnArgs;
use crate::daemon_args::DaemonArgs;
use crate::exit;

#[derive(clap::Args, Debug)]
#[command(after_help = exit::TABLE)]
pub struct Args {
    /// DEVICE (or DEV1,DEV2,...) from the inventory, then the commands to run in order. With
    /// --host, --group, --devices or --filter: only the commands.
    #[arg(value_name = "[DEVICE] COMMAND", required = true)]
    pub(super) args: Vec<String>,
    /// Run on every device of this inventory group.
    #[arg(long, conflicts_with_all = ["host", "devices"])]
    pub(super) group: Option<String>,
    /// Run on these inventory devices (comma-separated or repeated), in this order.
    #[arg(long, value_delimiter = ',', conflicts_with = "host")]
    pub(super) devices: Vec<String>,
    /// Only devices whose inventory `data` has KEY=VALUE (repeatable: all must hold). Alone, it
    /// selects from every device of the inventory.
    #[arg(long = "filter", value_name = "KEY=VALUE", value_parser = parse_filter, conflicts_with = "host")]
    pub(super) filters: Vec<(String, String)>,
    /// Run the commands after one the device rejected (default: stop at the first rejection).
    /// A failed session (timeout, lost connection) always stops.
    #[arg(long)]
    pub(super) continue_on_error: bool,
    /// Answer a question the last command asks: when PATTERN (a regex) shows up, type the
    /// --answer at the same position (repeatable, in order), e.g. `save --expect '\[Y/N\]'
    /// --answer Y`.
    #[arg(long, value_name = "PATTERN")]
    pub(super) expect: Vec<String>,
    /// The answer to the --expect at the same position (may be empty: just Enter).
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub(super) answer: Vec<String>,
    /// End the last command's read at PATTERN instead of the prompt (Netmiko's expect_string).
    #[arg(long, value_name = "PATTERN")]
    pub(super) until: Option<String>,
    /// Read the last command's answer until the device has been quiet for QUIET (default 2s;
    /// Netmiko's send_command_timing), or its prompt comes; --read-timeout bounds it.
    #[arg(long, value_name = "QUIET", num_args = 0..=1, require_equals = true,
          default_missing_value = "2s", value_parser = crate::duration::parse_timeout)]
    pub(super) timing: Option<std::time::Duration>,
    /// Print one JSON document with outputs and timings.
    #[arg(long)]
    pub(super) json: bool,
    /// Parse each output into records with TextFSM (the ntc-templates index, as Netmiko's
    /// use_textfsm=True): a table, or a `parsed` field per command with --json (null, and a
    /// `parse_note` saying why, when no template applies).
    #[arg(long)]
    pub(super) parse: bool,
    /// Parse with this template file instead of the index (implies --parse).
    #[arg(long, value_name = "FILE")]
    pub(super) template: Option<PathBuf>,
    /// Inventory to connect directly from when no daemon answers (DEVICE, --group...).
    #[arg(long, short = 'i', env = "NETKEEP_INVENTORY")]
    pub(super) inventory: Option<PathBuf>,
    #[command(flatten)]
    pub(super) conn: ConnArgs,
    #[command(flatten)]
    pub(super) daemon: DaemonArgs,
}

/// Inventory devices to run on: a target narrowed by a filter.
pub struct Selection {
    pub(super) target: Target,
    pub(super) filter: BTreeMap<String, String>,
}

/// Splits the positional arguments into the devices (`None` for `--host`) and the commands.
pub(super) fn split(args: &Args) -> Result<(Option<Selection>, Vec<String>), String> {
    let filter: BTreeMap<String, String> = args.filters.iter().cloned().collect();
    let (target, commands) = if args.conn.host.is_some() {
        return Ok((None, args.args.clone()));
    } else if let Some(g) = &args.group {
        (Target::Group(g.clone()), args.args.clone())
    } else if !args.devices.is_empty() {
        (Target::Devices(args.devices.clone()), args.args.clone())
    } else if !filter.is_empty() {
        (Target::All, args.args.clone())
    } else {
        let (device, commands) = args.args.split_first().ok_or("give DEVICE and commands")?;
        let names: Vec<String> = device
            .split(',')
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .collect();
        let target = match names.as_slice() {
            [one] => Target::Device(one.clone()),
            [] => return Err(format!("no device in {device:?}")),
            _ => Target::Devices(names),
        };
        (target, commands.to_vec())
    };
    if commands.is_empty() {
        return Err(
            "give --host HOST (direct) or DEVICE (daemon or --inventory), then at least one command"
                .into(),
        );
    }
    Ok((Some(Selection { target, filter }), commands))
}

/// The commands as the session runs them: the last one carries `--expect/--answer`, `--until`
/// and `--timing` (the commands before it run as usual).
pub(super) fn specs(args: &Args, commands: Vec<String>) -> Result<Vec<CommandSpec>, String> {
    if args.expect.len() != args.answer.len() {
        return Err(format!(
            "{} --expect and {} --answer: give them in pairs, each --expect followed by its --answer",
            args.expect.len(),
            args.answer.len()
        ));
    }
    for a in &args.answer {
        netkeep_keeper::command::check(a).map_err(|e| format!("--answer: {e}"))?;
    }
    let mut specs: Vec<CommandSpec> = commands.into_iter().map(CommandSpec::from).collect();
    if let Some(last) = specs.last_mut() {
        last.answers = args
            .expect
            .iter()
            .zip(&args.answer)
            .map(|(e, a)| PromptAnswer {
                expect: e.clone(),
                answer: a.clone(),
            })
            .collect();
        last.until = args.until.clone();
        last.quiet_ms = args.timing.map(|t| t.as_millis().max(1) as u64);
    }
    Ok(specs)
}

/// The templates to parse with (`None`: no parsing). A template file is made absolute: a
/// daemon reads it from its own working directory.
pub(super) fn templates(args: &Args) -> Result<Option<Templates>, String> {
    match &args.template {
        Some(t) => std::path::absolute(t)
            .map(|p| Some(Templates::file(p)))
            .map_err(|e| format!("--template {}: {e}", t.display())),
        None if args.parse => Ok(Some(Templates::Index)),
        None => Ok(None),
    }
}

/// A usage error: the message on stderr, exit 2.
pub(super) fn usage(message: &str) -> ExitCode {
    eprintln!("netkeep: exec: {message}");
    exit::code(exit::USAGE)
}

/// `exec`'s flags parsed as the CLI parses them (for tests).
#[cfg(test)]
pub(super) fn try_parse(v: &[&str]) -> Result<Args, clap::Error> {
    use clap::Parser;
    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }
    Cli::try_parse_from(std::iter::once("exec").chain(v.iter().copied())).map(|c| c.args)
}

/// [`try_parse`] of flags that must parse.
#[cfg(test)]
pub(super) fn parse(v: &[&str]) -> Args {
    try_parse(v).expect("flags parse")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_come_from_the_first_argument_the_flags_or_the_filter() {
        let (s, c) = split(&parse(&["sw1,sw2", "display clock"])).unwrap();
        let t = s.unwrap().target;
        assert_eq!(t, Target::Devices(vec!["sw1".into(), "sw2".into()]));
        assert_eq!(c, ["display clock"]);
        let (s, c) = split(&parse(&["--devices", "a,b", "--devices", "c", "x", "y"])).unwrap();
        assert_eq!(
            s.unwrap().target,
            Target::Devices(vec!["a".into(), "b".into(), "c".into()])
        );
        assert_eq!(c, ["x", "y"]);
        let (s, c) = split(&parse(&["--filter", "site=fra1", "show clock"])).unwrap();
        let s = s.unwrap();
        assert_eq!(s.target, Target::All);
        assert_eq!(s.filter["site"], "fra1");
        assert_eq!(c, ["show clock"]);
        assert!(split(&parse(&["sw1"])).is_err(), "no command");
        let (s, _) = split(&parse(&["--host", "h", "show clock"])).unwrap();
        assert!(s.is_none());
    }

    #[test]
    fn durations_take_units_and_zero_is_a_usage_error() {
        assert_eq!(
            parse(&["--read-timeout", "5s", "sw1", "x"])
                .conn
                .read_timeout,
            std::time::Duration::from_secs(5)
        );
        assert_eq!(
            parse(&["--read-timeout", "1.5", "sw1", "x"])
                .conn
                .read_timeout,
            std::time::Duration::from_millis(1500)
        );
        for bad in ["0", "0s", "soon", "-1"] {
            let e = try_parse(&["--read-timeout", bad, "sw1", "x"]);
            assert_eq!(e.err().map(|e| e.exit_code()), Some(2), "{bad}");
        }
    }
}
