//! One line of the audit log: when, which request, who ([`Identity`], flattened), and what
//! ([`Event`]: the request's intent, a command's outcome, a refusal, an action on the daemon).
//! The writer and `netkeep audit` read and write this one definition.

use serde::{Deserialize, Serialize};

use crate::connector::ErrorKind;
use crate::identity::Identity;
use crate::scopes::Scope;

/// One audit record (one JSON line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// RFC 3339 UTC, milliseconds: when the record was made (for a command: when it ended).
    pub time: String,
    /// The request it belongs to (also the `X-Request-Id` answer header).
    pub request_id: String,
    /// Who asked.
    #[serde(flatten)]
    pub who: Identity,
    /// What happened.
    #[serde(flatten)]
    pub what: Event,
}

/// Exec (commands) or config (a configuration set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `POST /v1/exec`.
    Exec,
    /// `POST /v1/config`.
    Config,
}

/// What a record tells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum Event {
    /// Written, and made durable, before anything is sent: the commands about to run on each
    /// device. A request with no `command` records after it never finished (the daemon
    /// stopped): its commands may or may not have run.
    Request {
        /// Exec or config.
        kind: Kind,
        /// Target devices.
        devices: Vec<String>,
        /// Commands (config: the set's lines), secrets masked.
        commands: Vec<String>,
    },
    /// One command on one device (a configuration set is one command with its `lines`).
    Command(CommandRecord),
    /// Refused before anything reached a device (403): the scope held was not enough.
    Denied {
        /// Exec, config, or an action on the daemon.
        what: String,
        /// Target devices, if any.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        devices: Vec<String>,
        /// Commands or lines, secrets masked.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        commands: Vec<String>,
        /// The scope it needed.
        needed: Scope,
        /// Why.
        reason: String,
    },
    /// An action on the daemon itself (`reload`, `shutdown`).
    Admin {
        /// The action.
        action: String,
        /// It succeeded.
        ok: bool,
        /// What it did, or why it failed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
}

/// The outcome of one command on one device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandRecord {
    /// Inventory name.
    pub device: String,
    /// Exec or config.
    pub kind: Kind,
    /// The command as sent, secrets masked (config: `configuration set (N lines)`).
    pub command: String,
    /// A configuration set's lines, secrets masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<String>>,
    /// How it ended.
    #[serde(flatten)]
    pub result: Outcome,
    /// Run time, ms (0 when not run).
    pub duration_ms: f64,
    /// Bytes of output returned (the partial output of a failed command).
    pub bytes: u64,
    /// The output, secrets masked, when the log is set to keep outputs (`output_bytes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// The output was cut at `output_bytes`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub output_truncated: bool,
}

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// `ok`, `rejected`, `error` or `not_run`.
    pub outcome: OutcomeKind,
    /// The device's words when it rejected the command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected: Option<String>,
    /// The error class of a failure, or why it did not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<ErrorKind>,
    /// The error text (never a secret), cut to 300 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The outcome classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// Ran and the device accepted it.
    Ok,
    /// Ran and the device rejected it.
    Rejected,
    /// Failed (timeout, lost session, interrupted...): it may have been partly executed.
    Error,
    /// Not sent: an earlier command failed or was rejected, the device could not be reached,
    /// or the caller went away first.
    NotRun,
}

impl OutcomeKind {
    /// The name in the log and in `netkeep audit`'s table.
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::Ok => "ok",
            OutcomeKind::Rejected => "rejected",
            OutcomeKind::Error => "error",
            OutcomeKind::NotRun => "not_run",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::AuthMethod;

    #[test]
    fn a_record_is_one_flat_json_object_and_reads_back() {
        let r = Record {
            time: "2025-01-02T03:04:05.678Z".into(),
            request_id: "abc".into(),
            who: Identity::unix(0, Some(7), Scope::Admin),
            what: Event::Command(CommandRecord {
                device: "sw1".into(),
                kind: Kind::Exec,
                command: "display clock".into(),
                lines: None,
                result: Outcome {
                    outcome: OutcomeKind::Rejected,
                    rejected: Some("% Unrecognized command".into()),
                    error_kind: Some(ErrorKind::Rejected),
                    error: None,
                },
                duration_ms: 1.5,
                bytes: 40,
                output: None,
                output_truncated: false,
            }),
        };
        let line = serde_json::to_string(&r).unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["event"], "command");
        assert_eq!(v["user"], "root");
        assert_eq!(v["auth"], "unix");
        assert_eq!(v["pid"], 7);
        assert_eq!(v["outcome"], "rejected");
        assert_eq!(v["error_kind"], "rejected");
        assert!(
            v.get("output").is_none() && v.get("remote").is_none(),
            "{line}"
        );
        let back: Record = serde_json::from_str(&line).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.who.auth, AuthMethod::Unix);
    }
}
