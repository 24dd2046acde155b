//! `netkeep config`: run a configuration set on one device — through the daemon
//! (`config DEVICE -f changes.txt`), or over a direct session: from an inventory entry when no
//! daemon answers (`-i inv.yaml DEVICE`), or from flags (`--host H --platform P -u U`). The
//! answer has the same shape either way (`--json`: the API's `DeviceResult`).
//!
//! What becomes of the changes is the user's to say: `--commit` (`--confirm MINUTES`,
//! `--comment TEXT`) on two-stage platforms, `--check` for a dry run, `--save` where the
//! platform saves; without them a two-stage platform's changes are dropped on leaving
//! configuration mode, and the answer says so. The text output is the device's answers, without
//! echoes or prompts (`--json` has each line's answer and the transcript).

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use netkeep::{ConnectOptions, Session};
use netkeep_keeper::connector::ssh::{config_options, config_report};
use netkeep_keeper::connector::ConfigRequest;
use netkeep_keeper::wire::{CommandResult, ConfigBody, DeviceResult};

use crate::connect::ConnArgs;
use crate::daemon_args::DaemonArgs;
use crate::exit;
use crate::output::{print_out, report};

#[derive(clap::Args, Debug)]
#[command(after_help = exit::TABLE)]
pub struct Args {
    /// Device name from the inventory (the daemon's, or --inventory's); not with --host.
    #[arg(conflicts_with = "host", required_unless_present = "host")]
    device: Option<String>,
    /// File with one configuration line per line (`-` for stdin). Blank lines and lines starting
    /// with `#` or `!` are skipped. Optional with --commit: no lines confirms an earlier
    /// --confirm commit.
    #[arg(long, short = 'f', required_unless_present = "commit")]
    file: Option<PathBuf>,
    /// Commit the changes (two-stage platforms: Junos, IOS-XR, VRP 8). Without --commit or
    /// --check their changes are dropped on leaving configuration mode.
    #[arg(long)]
    commit: bool,
    /// With --commit: roll back unless committed again within MINUTES (Junos `commit confirmed`,
    /// IOS-XR `commit confirmed minutes`, VRP 8 `commit trial`).
    #[arg(long, value_name = "MINUTES", requires = "commit",
          value_parser = clap::value_parser!(u32).range(1..))]
    confirm: Option<u32>,
    /// With --commit: a comment recorded with the commit.
    #[arg(long, value_name = "TEXT", requires = "commit")]
    comment: Option<String>,
    /// A dry run: the platform's check (Junos `commit check`) and compare (`show | compare`,
    /// IOS-XR `show configuration`) commands, then the changes are dropped.
    #[arg(long, conflicts_with_all = ["commit", "save"])]
    check: bool,
    /// Save the running configuration afterwards (Comware `save force`, VRP `save`, IOS `write
    /// memory`, NX-OS/EOS `copy running-config startup-config`).
    #[arg(long)]
    save: bool,
    /// Print the result as JSON (the API's `DeviceResult`).
    #[arg(long)]
    json: bool,
    /// Inventory to connect directly from when no daemon answers.
    #[arg(long, short = 'i', env = "NETKEEP_INVENTORY")]
    inventory: Option<PathBuf>,
    #[command(flatten)]
    conn: ConnArgs,
    #[command(flatten)]
    daemon: DaemonArgs,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let lines = match read_lines(&args) {
        Ok(l) => l,
        Err(message) => return Ok(usage(&message)),
    };
    let Some(device) = args.device.clone() else {
        let opts = match args.conn.direct_options()? {
            Ok(o) => o,
            Err(message) => return Ok(usage(&message)),
        };
        return show(&args, one_shot(&args, opts, &lines).await);
    };
    if args.conn.session_log.is_some() {
        // A session log records a direct session: the inventory's device, not the daemon's.
        return from_inventory(&args, &device, &lines).await;
    }
    match args.daemon.discover().await {
        Ok(Some(client)) => match client.config_body(&body(&args, &device, &lines)).await {
            Ok(r) => show(&args, r),
            Err(e) => {
                eprintln!("netkeep: {e}");
                Ok(exit::code(exit::for_client(&e)))
            }
        },
        Ok(None) => from_inventory(&args, &device, &lines).await,
        Err(_) if args.inventory.is_some() => from_inventory(&args, &device, &lines).await,
        Err(e) => {
            eprintln!("netkeep: {e}");
            Ok(exit::code(exit::for_client(&e)))
        }
    }
}

/// The API body for these flags.
fn body(args: &Args, device: &str, lines: &[String]) -> ConfigBody {
    ConfigBody {
        device: device.to_string(),
        lines: lines.to_vec(),
        commit: args.commit,
        confirm_minutes: args.confirm,
        comment: args.comment.clone(),
        check: args.check,
        save: args.save,
    }
}

/// The request these flags make of a direct session.
fn request(args: &Args, lines: &[String]) -> ConfigRequest {
    ConfigRequest {
        lines: lines.to_vec(),
        commit: args.commit,
        confirm: args
            .confirm
            .map(|m| std::time::Duration::from_secs(u64::from(m) * 60)),
        comment: args.comment.clone(),
        check: args.check,
        save: args.save,
    }
}

/// The configuration lines of `--file`, or a usage message.
fn read_lines(args: &Args) -> Result<Vec<String>, String> {
    let Some(file) = &args.file else {
        return Ok(Vec::new());
    };
    let text = if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        s
    } else {
        std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?
    };
    let lines = config_lines(&text);
    if lines.is_empty() && !args.commit {
        return Err(format!("{} has no configuration lines", file.display()));
    }
    if let Some(c) = args
        .comment
        .as_deref()
        .and_then(|c| c.chars().find(|c| c.is_control() || *c == '"'))
    {
        return Err(format!(
            "--comment cannot contain {c:?}: one line of text without double quotes"
        ));
    }
    if let Some(bad) = lines
        .iter()
        .find_map(|l| netkeep_keeper::command::check(l).err())
    {
        return Err(bad.to_string());
    }
    Ok(lines)
}

/// No daemon: a direct session from the inventory's entry for `device`.
async fn from_inventory(args: &Args, device: &str, lines: &[String]) -> anyhow::Result<ExitCode> {
    let inv = match args.conn.direct_inventory(args.inventory.as_deref(), usage) {
        Ok(i) => i,
        Err(code) => return Ok(code),
    };
    let Some(spec) = inv.devices.get(device) else {
        return Ok(usage(&format!(
            "unknown device `{device}` in {}",
            inv.source.display()
        )));
    };
    let opts = args.conn.inventory_options(spec)?;
    show(args, one_shot(args, opts, lines).await)
}

/// One direct session: connect, the configuration set, disconnect; the result in the API's
/// shape.
async fn one_shot(args: &Args, opts: ConnectOptions, lines: &[String]) -> DeviceResult {
    let device = args.device.clone().unwrap_or_else(|| opts.device());
    let started = Instant::now();
    let (outputs, failure) = run_set(args, opts, lines).await;
    DeviceResult {
        device,
        ok: failure.is_none(),
        error: failure
            .as_ref()
            .filter(|_| outputs.is_empty())
            .map(|e| e.to_string()),
        error_kind: failure
            .as_ref()
            .map(netkeep_keeper::connector::ssh::error_kind),
        outputs,
        queued_ms: 0.0,
        elapsed_ms: ms(started),
        connected: true,
    }
}

/// The configuration set's result (none when the session did not open) and the failure.
async fn run_set(
    args: &Args,
    opts: ConnectOptions,
    lines: &[String],
) -> (Vec<CommandResult>, Option<netkeep::Error>) {
    let session = match Session::connect(opts).await {
        Ok(s) => s,
        Err(e) => return (Vec::new(), Some(e)),
    };
    let t = Instant::now();
    let mut set = config_options(&request(args, lines));
    set.read_timeout = args.conn.read_timeout;
    let l: Vec<&str> = lines.iter().map(String::as_str).collect();
    let r = session.configure(&l, &set).await;
    let report = r
        .as_ref()
        .ok()
        .map(|o| config_report(o, session.platform()));
    session.disconnect().await;
    let c = CommandResult {
        command: request(args, lines).label(),
        ok: r.is_ok(),
        output: report.as_ref().map(|r| r.answers()).unwrap_or_default(),
        rejected: None,
        error: r.as_ref().err().map(|e| e.to_string()),
        error_kind: r
            .as_ref()
            .err()
            .map(netkeep_keeper::connector::ssh::error_kind),
        partial_output: r
            .as_ref()
            .err()
            .and_then(|e| e.partial_output())
            .map(str::to_string),
        elapsed_ms: ms(t),
        retried: false,
        config: report,
        parsed: None,
        parse_note: None,
    };
    (vec![c], r.err())
}

/// Prints a result (JSON, or the device's answers with each note and error once) and returns
/// its exit code.
fn show(args: &Args, r: DeviceResult) -> anyhow::Result<ExitCode> {
    if args.json {
        print_out(&serde_json::to_string_pretty(&r)?);
    } else {
        for c in &r.outputs {
            if !c.output.is_empty() {
                print_out(&c.output);
            }
            if let Some(p) = c.partial_output.as_deref().filter(|p| !p.is_empty()) {
                print_out(p);
            }
            if let Some(note) = c.config.as_ref().and_then(|c| c.note.as_deref()) {
                report(&r.device, note);
            }
            if let Some(e) = &c.error {
                report(&r.device, e);
            }
        }
        if let Some(e) = &r.error {
            report(&r.device, e);
        }
    }
    Ok(exit::code(exit::for_results(std::slice::from_ref(&r))))
}

fn usage(message: &str) -> ExitCode {
    eprintln!("netkeep: config: {message}");
    exit::code(exit::USAGE)
}

fn ms(since: Instant) -> f64 {
    (since.elapsed().as_secs_f64() * 1e6).round() / 1e3
}

/// Configuration lines from a changes file: trailing whitespace trimmed, blank lines and
/// comment lines (`#`, `!`) skipped.
fn config_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim_end())
        .filter(|l| {
            let t = l.trim_start();
            !t.is_empty() && !t.starts_with('#') && !t.starts_with('!')
        })
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn config_lines_skip_blanks_and_comments() {
        let l = super::config_lines("# c\ninterface G1/0/1\n description x \n\n!\n");
        assert_eq!(l, ["interface G1/0/1", " description x"]);
    }
}
