//! `netkeep config`: run a configuration set on one device — through the daemon
//! (`config DEVICE -f changes.txt`), or over a direct session: from an inventory entry when no
//! daemon answers (`-i inv.yaml DEVICE`), or from flags (`--host H --platform P -u U`). The
//! answer has the same shape either way (`--json`: the API's `DeviceResult`).

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use netkeep::{ConfigSetOptions, ConnectOptions, Session};
use netkeep_keeper::wire::{CommandResult, DeviceResult};

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
    /// with `#` or `!` are skipped.
    #[arg(long, short = 'f')]
    file: PathBuf,
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
    match args.daemon.discover().await {
        Ok(Some(client)) => match client.config(&device, &lines).await {
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

/// The configuration lines of `--file`, or a usage message.
fn read_lines(args: &Args) -> Result<Vec<String>, String> {
    let text = if args.file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        s
    } else {
        std::fs::read_to_string(&args.file)
            .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?
    };
    let lines = config_lines(&text);
    if lines.is_empty() {
        return Err(format!(
            "{} has no configuration lines",
            args.file.display()
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
    let opts = args.conn.inventory_options(spec);
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
    if args.conn.enable {
        if let Err(e) = session.enable().await {
            session.disconnect().await;
            return (Vec::new(), Some(e));
        }
    }
    let t = Instant::now();
    let set = ConfigSetOptions {
        read_timeout: args.conn.read_timeout,
        ..ConfigSetOptions::default()
    };
    let l: Vec<&str> = lines.iter().map(String::as_str).collect();
    let r = session.send_config_set_with(&l, &set).await;
    session.disconnect().await;
    let c = CommandResult {
        command: format!("config ({} lines)", lines.len()),
        ok: r.is_ok(),
        output: r.as_ref().map(String::clone).unwrap_or_default(),
        rejected: None,
        error: r.as_ref().err().map(|e| e.to_string()),
        partial_output: r
            .as_ref()
            .err()
            .and_then(|e| e.partial_output())
            .map(str::to_string),
        elapsed_ms: ms(t),
        retried: false,
    };
    (vec![c], r.err())
}

/// Prints a result (JSON, or the outputs with each error once) and returns its exit code.
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
