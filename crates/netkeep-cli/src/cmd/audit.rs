//! `netkeep audit`: the daemon's audit log for people — who ran what on which device, when,
//! with what result — as a table, or the records as JSON lines (`--json`) for scripts.
//! Reads the file directly (and its rotated predecessors), so it works with the daemon stopped.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use netkeep_keeper::audit::read::{read, Filter};
use netkeep_keeper::audit::{Event, Record};
use netkeep_keeper::identity::AuthMethod;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The audit log (`serve --audit-log`) [default: NETKEEP_AUDIT_LOG].
    #[arg(long, short = 'f', env = "NETKEEP_AUDIT_LOG")]
    file: Option<PathBuf>,
    /// Only records about this device.
    #[arg(long)]
    device: Option<String>,
    /// Only records of this user (Unix user, token name or certificate subject).
    #[arg(long)]
    user: Option<String>,
    /// Only records from this long ago on (`1h`, `30m`, `2d`) or since a time
    /// (`2025-06-01T08:00:00Z`).
    #[arg(long, value_parser = parse_since)]
    since: Option<SystemTime>,
    /// The records as JSON lines, as the daemon wrote them.
    #[arg(long)]
    json: bool,
}

fn parse_since(s: &str) -> Result<SystemTime, String> {
    if let Ok(d) = humantime::parse_duration(s.trim()) {
        return Ok(SystemTime::now()
            .checked_sub(d)
            .unwrap_or(SystemTime::UNIX_EPOCH));
    }
    humantime::parse_rfc3339_weak(s.trim()).map_err(|_| {
        format!(
            "bad --since `{s}`: expected a duration (1h, 30m, 2d) or a time (2025-06-01T08:00:00Z)"
        )
    })
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(file) = args.file else {
        anyhow::bail!(
            "which audit log? give --file FILE (the daemon's --audit-log) or set NETKEEP_AUDIT_LOG"
        );
    };
    let filter = Filter {
        device: args.device,
        user: args.user,
        since: args.since,
    };
    let log = read(&file, &filter)
        .map_err(|e| anyhow::anyhow!("cannot read the audit log {}: {e}", file.display()))?;
    if log.unreadable > 0 {
        eprintln!(
            "netkeep: warning: {} line(s) of {} are not audit records; skipped",
            log.unreadable,
            file.display()
        );
    }
    if args.json {
        let mut out = String::new();
        for r in &log.records {
            out.push_str(&serde_json::to_string(r)?);
            out.push('\n');
        }
        print!("{out}");
    } else {
        let unfinished: Vec<&str> = log
            .unfinished()
            .iter()
            .map(|r| r.request_id.as_str())
            .collect();
        let rows: Vec<[String; 7]> = log
            .records
            .iter()
            .filter_map(|r| row(r, &unfinished))
            .collect();
        print!("{}", table(&rows));
    }
    Ok(ExitCode::SUCCESS)
}

const HEADER: [&str; 7] = [
    "TIME (UTC)",
    "USER",
    "VIA",
    "DEVICE",
    "OUTCOME",
    "MS",
    "COMMAND",
];

/// One table row for a record; `None` for a request whose outcomes are recorded (they are the
/// rows).
fn row(r: &Record, unfinished: &[&str]) -> Option<[String; 7]> {
    let time = r.time.replace('T', " ").trim_end_matches('Z').to_string();
    let (device, outcome, ms, command) = match &r.what {
        Event::Command(c) => {
            let outcome = match (&c.result.rejected, &c.result.error_kind) {
                (Some(words), _) => format!("rejected: {words}"),
                (None, Some(k)) => format!("{} ({})", c.result.outcome.as_str(), kind_name(k)),
                (None, None) => c.result.outcome.as_str().to_string(),
            };
            let ms = format!("{:.0}", c.duration_ms);
            (c.device.clone(), outcome, ms, c.command.clone())
        }
        Event::Request {
            devices, commands, ..
        } if unfinished.contains(&r.request_id.as_str()) => (
            devices.join(","),
            "no outcome recorded (may have run)".into(),
            "-".into(),
            commands.join("; "),
        ),
        Event::Request { .. } => return None,
        Event::Denied {
            what,
            devices,
            commands,
            needed,
            ..
        } => (
            if devices.is_empty() {
                "-".into()
            } else {
                devices.join(",")
            },
            format!("denied (needs {needed})"),
            "-".into(),
            if commands.is_empty() {
                what.clone()
            } else {
                commands.join("; ")
            },
        ),
        Event::Admin { action, ok, .. } => (
            "-".into(),
            if *ok { "ok" } else { "failed" }.into(),
            "-".into(),
            action.clone(),
        ),
    };
    Some([
        time,
        r.who.user.clone(),
        via(r),
        device,
        outcome,
        ms,
        command,
    ])
}

fn kind_name(k: &netkeep_keeper::connector::ErrorKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// How the caller came: `unix pid 4242`, `token 127.0.0.1:50412`, `cert 10.0.0.5:40000`.
fn via(r: &Record) -> String {
    let w = &r.who;
    match w.auth {
        AuthMethod::Unix => match w.pid {
            Some(p) => format!("unix pid {p}"),
            None => "unix".into(),
        },
        AuthMethod::Token => format!("token {}", w.remote.as_deref().unwrap_or("")),
        AuthMethod::Certificate => format!("cert {}", w.remote.as_deref().unwrap_or("")),
    }
    .trim_end()
    .to_string()
}

/// Aligned columns; the last (the command) is not padded.
fn table(rows: &[[String; 7]]) -> String {
    let mut width = HEADER.map(str::len);
    for r in rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: [&str; 7]| {
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(c);
            } else {
                out.push_str(&format!("{c:<w$}  ", w = width[i]));
            }
        }
        out.push('\n');
    };
    line(HEADER);
    for r in rows {
        line(r.each_ref().map(String::as_str));
    }
    out
}
