//! Records from what the API knows: a request's intent, its results (one record per device and
//! command, `not_run` for those never sent), a refusal, an action on the daemon. Every command,
//! line, device answer and output passes through [`super::redact`] here.

use super::record::{CommandRecord, Event, Kind, Outcome, OutcomeKind, Record};
use super::redact;
use crate::connector::ErrorKind;
use crate::identity::Identity;
use crate::scopes::Need;
use crate::wire::{CommandResult, DeviceResult};

fn record(request_id: &str, who: &Identity, what: Event) -> Record {
    Record {
        time: super::now(),
        request_id: request_id.to_string(),
        who: who.clone(),
        what,
    }
}

fn masked(lines: &[String]) -> Vec<String> {
    lines.iter().map(|l| redact::line(l)).collect()
}

pub(super) fn intent(
    request_id: &str,
    who: &Identity,
    kind: Kind,
    devices: &[String],
    commands: &[String],
) -> Record {
    let what = Event::Request {
        kind,
        devices: devices.to_vec(),
        commands: masked(commands),
    };
    record(request_id, who, what)
}

pub(super) fn denied(
    request_id: &str,
    who: &Identity,
    what: &str,
    (devices, commands): (&[String], &[String]),
    need: &Need,
) -> Record {
    let what = Event::Denied {
        what: what.to_string(),
        devices: devices.to_vec(),
        commands: masked(commands),
        needed: need.scope,
        reason: redact::line(&need.why),
    };
    record(request_id, who, what)
}

pub(super) fn admin(
    request_id: &str,
    who: &Identity,
    action: &str,
    result: Result<String, String>,
) -> Record {
    let (ok, detail) = match result {
        Ok(d) => (true, d),
        Err(e) => (false, e),
    };
    let what = Event::Admin {
        action: action.to_string(),
        ok,
        detail: (!detail.is_empty()).then_some(detail),
    };
    record(request_id, who, what)
}

/// One record per device and command of the request.
pub(super) fn outcomes(
    request_id: &str,
    who: &Identity,
    kind: Kind,
    commands: &[String],
    results: &[DeviceResult],
    output_bytes: usize,
) -> Vec<Record> {
    let mut out = Vec::new();
    for d in results {
        let per_device: Vec<CommandRecord> = match kind {
            Kind::Exec => commands
                .iter()
                .enumerate()
                .map(|(i, c)| exec_command(d, i, c, output_bytes))
                .collect(),
            Kind::Config => vec![config_set(d, commands, output_bytes)],
        };
        for c in per_device {
            out.push(record(request_id, who, Event::Command(c)));
        }
    }
    out
}

/// The record of the `i`-th command of `d`'s request.
fn exec_command(d: &DeviceResult, i: usize, command: &str, max: usize) -> CommandRecord {
    let mut c = match d.outputs.get(i) {
        Some(r) => ran(&d.device, Kind::Exec, r, max),
        None => not_run(d, Kind::Exec, i),
    };
    c.command = redact::line(command);
    c
}

/// The one record of a configuration set: its lines, and the set's outcome.
fn config_set(d: &DeviceResult, lines: &[String], max: usize) -> CommandRecord {
    let mut c = match d.outputs.first() {
        Some(r) => ran(&d.device, Kind::Config, r, max),
        None => not_run(d, Kind::Config, 0),
    };
    // The result names what the set did (`configuration set (3 lines, commit confirmed 5m)`).
    c.command = match d.outputs.first() {
        Some(r) if !r.command.is_empty() => r.command.clone(),
        _ => format!("configuration set ({} lines)", lines.len()),
    };
    c.lines = Some(masked(lines));
    c
}

fn ran(device: &str, kind: Kind, r: &CommandResult, max: usize) -> CommandRecord {
    let outcome = if r.ok {
        OutcomeKind::Ok
    } else if r.rejected.is_some() {
        OutcomeKind::Rejected
    } else {
        OutcomeKind::Error
    };
    let body = if r.error.is_some() {
        r.partial_output.as_deref().unwrap_or("")
    } else {
        r.output.as_str()
    };
    let (output, output_truncated) = kept_output(body, max);
    CommandRecord {
        device: device.to_string(),
        kind,
        command: String::new(),
        lines: None,
        result: Outcome {
            outcome,
            rejected: r.rejected.as_deref().map(redact::line),
            error_kind: match outcome {
                OutcomeKind::Ok => None,
                OutcomeKind::Rejected => Some(ErrorKind::Rejected),
                _ => r.error_kind.or(Some(ErrorKind::Other)),
            },
            // An error may quote the line it failed on: masked too.
            error: r.error.as_deref().map(|e| redact::line(&short(e))),
        },
        duration_ms: r.elapsed_ms,
        // What the device sent: for a configuration set, its whole dialogue (echoes, prompts,
        // answers), of which `output` keeps only the answers.
        bytes: r.config.as_ref().map_or(body.len(), |c| c.transcript.len()) as u64,
        output,
        output_truncated,
    }
}

/// A command never sent: why comes from the device's result.
fn not_run(d: &DeviceResult, kind: Kind, i: usize) -> CommandRecord {
    let error = match (&d.error, i) {
        (Some(e), _) => redact::line(&short(e)),
        (None, 0) => "not sent".to_string(),
        (None, _) => "not sent: an earlier command of the request failed or was rejected".into(),
    };
    CommandRecord {
        device: d.device.clone(),
        kind,
        command: String::new(),
        lines: None,
        result: Outcome {
            outcome: OutcomeKind::NotRun,
            rejected: None,
            error_kind: d.error.as_ref().and(d.error_kind),
            error: Some(error),
        },
        duration_ms: 0.0,
        bytes: 0,
        output: None,
        output_truncated: false,
    }
}

/// The output kept in the log: masked, cut to `max` bytes (on a character boundary).
fn kept_output(body: &str, max: usize) -> (Option<String>, bool) {
    if max == 0 {
        return (None, false);
    }
    let mut t = redact::text(body);
    let cut = t.len() > max;
    if cut {
        let mut n = max;
        while !t.is_char_boundary(n) {
            n -= 1;
        }
        t.truncate(n);
    }
    (Some(t), cut)
}

/// An error text cut to 300 characters.
fn short(s: &str) -> String {
    if s.chars().count() <= 300 {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(299).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scopes::Scope;

    fn cmd(c: &str, ok: bool, rejected: Option<&str>, output: &str) -> CommandResult {
        CommandResult {
            command: c.into(),
            ok,
            output: output.into(),
            rejected: rejected.map(Into::into),
            error: None,
            error_kind: rejected.map(|_| ErrorKind::Rejected),
            partial_output: None,
            elapsed_ms: 2.0,
            retried: false,
            config: None,
            parsed: None,
            parse_note: None,
        }
    }

    #[test]
    fn every_command_gets_a_record_and_unsent_ones_say_why() {
        let d = DeviceResult {
            device: "sw1".into(),
            ok: false,
            outputs: vec![
                cmd("display clock", true, None, "10:00 UTC"),
                cmd("dis nonsense", false, Some("% Unrecognized command"), "x"),
            ],
            error: None,
            error_kind: Some(ErrorKind::Rejected),
            queued_ms: 0.0,
            elapsed_ms: 5.0,
            connected: false,
        };
        let who = Identity::unix(0, None, Scope::Admin);
        let cmds: Vec<String> = ["display clock", "dis nonsense", "display version"]
            .map(String::from)
            .into();
        let rs = outcomes("r", &who, Kind::Exec, &cmds, &[d], 4);
        let got: Vec<_> = rs
            .iter()
            .map(|r| match &r.what {
                Event::Command(c) => (c.command.as_str(), c.result.outcome, c.bytes),
                e => panic!("{e:?}"),
            })
            .collect();
        assert_eq!(
            got,
            [
                ("display clock", OutcomeKind::Ok, 9),
                ("dis nonsense", OutcomeKind::Rejected, 1),
                ("display version", OutcomeKind::NotRun, 0),
            ]
        );
        let Event::Command(first) = &rs[0].what else {
            unreachable!()
        };
        assert_eq!(first.output.as_deref(), Some("10:0"));
        assert!(first.output_truncated);
    }
}
