//! A direct session: connect, run the commands in order, print each output as it comes,
//! disconnect. Ctrl-C stops it: what was received so far is printed — the interrupted
//! command's output up to that moment included (the JSON document too, with the interrupted
//! command marked and its `partial_output`) — and the exit code is 130.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use netkeep::{ConnectOptions, Error, Records, Session, Templates};
use netkeep_keeper::connector::ssh::command;
use netkeep_keeper::parsed::{self, Caller};
use netkeep_keeper::wire::CommandSpec;
use serde_json::{json, Value};

use super::args::{templates, usage, Args};
use crate::exit;
use crate::output::{print_out, rejected, report};
use crate::records::print_parsed;

/// `--host`: one session with the flags' options.
pub async fn run_direct(args: &Args, commands: &[CommandSpec]) -> anyhow::Result<ExitCode> {
    let opts = match args.conn.direct_options()? {
        Ok(o) => o,
        Err(message) => return Ok(usage(&message)),
    };
    let (code, doc) = run_session(args, opts, commands).await;
    if args.json {
        print_out(&serde_json::to_string_pretty(&doc)?);
    }
    Ok(exit::code(code))
}

/// What one direct session gave: its exit code and its JSON document.
pub type Outcome = (u8, Value);

/// Opens one session with `opts`, runs `commands` (printing unless `--json`), disconnects.
pub async fn run_session(args: &Args, opts: ConnectOptions, commands: &[CommandSpec]) -> Outcome {
    let (device, platform) = (opts.device(), opts.platform.clone());
    let started = Instant::now();
    let mut doc =
        json!({ "device": device, "platform": platform, "ok": false, "connect_ms": null });
    let session = match interruptible(Session::connect(opts)).await {
        None => return interrupted(doc, &device, "connecting"),
        Some(Err(e)) => return failed(doc, &e, &[]),
        Some(Ok(s)) => s,
    };
    doc["connect_ms"] = json!(ms(started.elapsed()));
    let mut results = Vec::with_capacity(commands.len());
    let run = interruptible(run_commands(args, &session, commands, &mut results)).await;
    // What the interrupted command had received, before logging out drops it.
    let partial = run.is_none().then(|| session.abandoned_output()).flatten();
    // A command abandoned by Ctrl-C may still be printing: do not wait long to log out.
    let _ = tokio::time::timeout(Duration::from_secs(2), session.disconnect()).await;
    doc["total_ms"] = json!(ms(started.elapsed()));
    match run {
        None => {
            let cmd = commands
                .get(results.len())
                .map(|c| c.command.clone())
                .unwrap_or_default();
            let partial = partial.filter(|p| !p.is_empty());
            if let (Some(p), false) = (&partial, args.json) {
                print_out(p);
            }
            results.push(json!({
                "command": cmd, "ok": false, "error": "interrupted (Ctrl-C)",
                "partial_output": partial,
            }));
            doc["results"] = json!(results);
            interrupted(doc, &device, &format!("{cmd:?}"))
        }
        Some(Err(e)) => failed(doc, &e, &results),
        Some(Ok(rejected)) => {
            doc["ok"] = json!(rejected == 0);
            doc["results"] = json!(results);
            let code = if rejected == 0 {
                exit::OK
            } else {
                exit::FAILED
            };
            (code, doc)
        }
    }
}

/// Runs `fut` unless Ctrl-C comes first (`None`).
async fn interruptible<T>(fut: impl std::future::Future<Output = T>) -> Option<T> {
    tokio::select! {
        r = fut => Some(r),
        _ = tokio::signal::ctrl_c() => None,
    }
}

/// Runs `commands` in order on `session`, printing outputs (unless `--json`) and pushing each
/// result to `results`. Stops at a failed command, and at a rejected one unless
/// `--continue-on-error`; returns how many the device rejected.
async fn run_commands(
    args: &Args,
    session: &Session,
    commands: &[CommandSpec],
    results: &mut Vec<Value>,
) -> Result<usize, Error> {
    let templates = &templates(args).unwrap_or(None);
    let templates = templates.as_ref();
    let mut rejections = 0;
    for spec in commands {
        let cmd = &spec.command;
        // The header first: a person sees what is running (and what Ctrl-C interrupts).
        if !args.json && commands.len() > 1 {
            print_out(&format!("--- {cmd}"));
        }
        let t = Instant::now();
        let sent = match spec.reads_to_prompt() {
            true => session.send_command(cmd).await,
            false => session.send(&command(spec, None)).await,
        };
        let out = match sent {
            Ok(out) => out,
            Err(e) => {
                results.push(json!({
                    "command": cmd, "ok": false, "error": e.to_string(),
                    "partial_output": e.partial_output(), "elapsed_ms": ms(t.elapsed()),
                }));
                return Err(e);
            }
        };
        // The device answered, but with its own error ("% Unrecognized command").
        let refusal = netkeep_keeper::command::rejection(session.platform(), &out);
        let parsed = templates.map(|t| parse(session, cmd, &out, refusal.is_some(), t));
        match (&parsed, args.json) {
            (Some(p), false) => print_parsed(
                session.device(),
                cmd,
                p.as_ref().map_err(String::as_str),
                &out,
            ),
            (None, false) => print_out(&out),
            (_, true) => {}
        }
        if let Some(line) = &refusal {
            rejected(session.device(), cmd, line);
        }
        let mut result = json!({
            "command": cmd, "ok": refusal.is_none(), "output": out,
            "rejected": refusal, "elapsed_ms": ms(t.elapsed()),
        });
        if let Some(p) = parsed {
            result["parse_note"] = json!(p.as_ref().err());
            result["parsed"] = json!(p.ok());
        }
        results.push(result);
        if refusal.is_some() {
            rejections += 1;
            if !args.continue_on_error {
                break;
            }
        }
    }
    Ok(rejections)
}

/// One output's records, or why there are none (a rejected command is not parsed).
fn parse(
    session: &Session,
    cmd: &str,
    out: &str,
    rejected: bool,
    templates: &Templates,
) -> Result<Records, String> {
    if rejected {
        return Err("the device rejected the command: its answer is not parsed".into());
    }
    let platform = session.platform().textfsm_platform();
    parsed::parse_one(platform, cmd, out, templates, Caller::Local)
}

/// The session failed: the error once on stderr (and the partial output of a timed-out
/// command on stdout), the code of its kind.
fn failed(mut doc: Value, e: &Error, results: &[Value]) -> Outcome {
    doc["ok"] = json!(false);
    doc["error"] = json!(e.to_string());
    doc["error_kind"] = json!(netkeep_keeper::connector::ssh::error_kind(e));
    doc["results"] = json!(results);
    if let Error::ReadTimeout { partial, .. } = e {
        if !partial.is_empty() {
            print_out(partial);
        }
    }
    report(e.device(), &e.to_string());
    (exit::for_error(e), doc)
}

/// Ctrl-C: say where, keep what was received.
fn interrupted(mut doc: Value, device: &str, during: &str) -> Outcome {
    doc["ok"] = json!(false);
    doc["interrupted"] = json!(true);
    report(device, &format!("interrupted (Ctrl-C) during {during}"));
    (exit::INTERRUPTED, doc)
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}
