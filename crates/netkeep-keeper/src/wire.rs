//! The API's request and answer types, as they travel as JSON: the one definition shared by the
//! server ([`crate::api`]), the client ([`crate::client`]) and the pool that fills them in.
//! `openapi.yaml` describes the same shapes.
//!
//! ```
//! use netkeep_keeper::wire::{DeviceState, ExecBody};
//! let body = ExecBody {
//!     group: Some("core".into()),
//!     commands: vec!["display clock".into()],
//!     ..ExecBody::default()
//! };
//! assert_eq!(
//!     serde_json::to_string(&body).unwrap(),
//!     r#"{"group":"core","commands":["display clock"]}"#
//! );
//! assert_eq!(serde_json::to_string(&DeviceState::Backoff).unwrap(), r#""backoff""#);
//! ```

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

mod cluster;
pub use self::cluster::{ClusterDevice, ClusterNode, ClusterStatus, NodeState};

/// `POST /v1/exec` body: at most one of `device`, `devices`, `group`, narrowed by `filter`;
/// neither of them with a `filter` means every device the filter matches.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecBody {
    /// One device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Several devices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<Vec<String>>,
    /// Every device of a group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Only devices whose inventory `data` has each of these values (`{"site": "fra1"}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<std::collections::BTreeMap<String, String>>,
    /// Commands, run in order: each a line, or an object that says how to read its answer
    /// (questions to answer, a pattern or a quiet spell to end the read).
    pub commands: Vec<CommandSpec>,
    /// Per-command read timeout in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_timeout_ms: Option<u64>,
    /// Run the commands after one the device rejected (default false: stop at the first
    /// rejection). A failed session (timeout, lost connection) always stops a device's commands.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub continue_on_error: bool,
    /// Parse each command's output into records (TextFSM, the ntc-templates index under the
    /// device platform's template name): each result gains `parsed` and `parse_note`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub parse: bool,
    /// With `parse`: this template file (an absolute path on the daemon's host, Netmiko's
    /// `textfsm_template`) instead of the index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
}

/// One command of a request: `"display clock"`, or
/// `{"command": "save", "answers": [{"expect": "\\[Y/N\\]:", "answer": "Y"}]}`. A plain line
/// travels as a string.
///
/// ```
/// use netkeep_keeper::wire::CommandSpec;
/// let c: CommandSpec = serde_json::from_str(r#"{"command": "reload", "quiet_ms": 2000}"#).unwrap();
/// assert_eq!(c.quiet_ms, Some(2000));
/// let plain: CommandSpec = serde_json::from_str(r#""display clock""#).unwrap();
/// assert!(plain.is_plain());
/// assert_eq!(serde_json::to_string(&plain).unwrap(), r#""display clock""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "CommandForm", into = "CommandForm")]
pub struct CommandSpec {
    /// The line typed.
    pub command: String,
    /// Questions answered in order as each shows up (`save`, `reload`, `copy`, `delete`).
    pub answers: Vec<PromptAnswer>,
    /// A regex that ends the read instead of the prompt (Netmiko's `expect_string`).
    pub until: Option<String>,
    /// End the read once the device has been quiet this long, in ms (Netmiko's
    /// `send_command_timing`), or at the prompt.
    pub quiet_ms: Option<u64>,
    /// This command's read timeout in ms (over the request's `read_timeout_ms`).
    pub read_timeout_ms: Option<u64>,
    /// Remove the trailing prompt (default true).
    pub strip_prompt: bool,
    /// Remove the command's echo (default true).
    pub strip_command: bool,
}

/// A question and its answer: when `expect` (a regex) shows up, `answer` is typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromptAnswer {
    /// Regex searched in what the device sent since the last answer.
    pub expect: String,
    /// The text typed, followed by the platform's newline (may be empty: just Enter).
    pub answer: String,
}

impl CommandSpec {
    /// A line read until its prompt.
    pub fn new(command: impl Into<String>) -> CommandSpec {
        CommandSpec {
            command: command.into(),
            answers: Vec::new(),
            until: None,
            quiet_ms: None,
            read_timeout_ms: None,
            strip_prompt: true,
            strip_command: true,
        }
    }

    /// True for a line read until its prompt with nothing answered and everything stripped.
    pub fn is_plain(&self) -> bool {
        self.reads_to_prompt() && self.read_timeout_ms.is_none()
    }

    /// True when the command is read until its prompt, nothing answered, prompt and echo
    /// stripped (whatever its read timeout).
    pub fn reads_to_prompt(&self) -> bool {
        self.answers.is_empty()
            && self.until.is_none()
            && self.quiet_ms.is_none()
            && self.strip_prompt
            && self.strip_command
    }
}

impl From<&str> for CommandSpec {
    fn from(c: &str) -> CommandSpec {
        CommandSpec::new(c)
    }
}

impl From<String> for CommandSpec {
    fn from(c: String) -> CommandSpec {
        CommandSpec::new(c)
    }
}

/// How a command travels: a string, or the object.
#[derive(Serialize, Deserialize)]
#[serde(
    untagged,
    expecting = "a command: a string, or an object with `command` and optionally `answers` ([{expect, answer}]), `until`, `quiet_ms`, `read_timeout_ms`, `strip_prompt`, `strip_command`"
)]
enum CommandForm {
    Line(String),
    Full(FullCommand),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FullCommand {
    command: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    answers: Vec<PromptAnswer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    quiet_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    read_timeout_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    strip_prompt: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    strip_command: Option<bool>,
}

impl From<CommandForm> for CommandSpec {
    fn from(f: CommandForm) -> CommandSpec {
        match f {
            CommandForm::Line(c) => CommandSpec::new(c),
            CommandForm::Full(f) => CommandSpec {
                command: f.command,
                answers: f.answers,
                until: f.until,
                quiet_ms: f.quiet_ms,
                read_timeout_ms: f.read_timeout_ms,
                strip_prompt: f.strip_prompt.unwrap_or(true),
                strip_command: f.strip_command.unwrap_or(true),
            },
        }
    }
}

impl From<CommandSpec> for CommandForm {
    fn from(c: CommandSpec) -> CommandForm {
        if c.is_plain() {
            return CommandForm::Line(c.command);
        }
        CommandForm::Full(FullCommand {
            command: c.command,
            answers: c.answers,
            until: c.until,
            quiet_ms: c.quiet_ms,
            read_timeout_ms: c.read_timeout_ms,
            strip_prompt: (!c.strip_prompt).then_some(false),
            strip_command: (!c.strip_command).then_some(false),
        })
    }
}

/// `POST /v1/exec` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExecResponse {
    /// Every device succeeded.
    pub ok: bool,
    /// Wall time of the whole request, ms.
    pub elapsed_ms: f64,
    /// One entry per device, in request order (group: sorted by name).
    pub results: Vec<DeviceResult>,
}

/// `POST /v1/config` body: the lines, and what becomes of them. Without `commit` or `check`, a
/// two-stage platform's changes are dropped on leaving configuration mode (the answer says so);
/// a one-stage platform has applied them as they were typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigBody {
    /// The device.
    pub device: String,
    /// Configuration lines, in order (may be empty with `commit`: confirms a confirmed commit).
    pub lines: Vec<String>,
    /// Commit (two-stage platforms: Junos, IOS-XR, VRP 8).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub commit: bool,
    /// With `commit`: roll back unless committed again within this many minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_minutes: Option<u32>,
    /// With `commit`: a comment recorded with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// A dry run: the platform's check and compare commands, then the changes are dropped.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub check: bool,
    /// Save the running configuration afterwards (platforms that save).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub save: bool,
}

/// What a configuration set did (the `config` of its [`CommandResult`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigReport {
    /// Each line with the device's answer (echo and prompts removed).
    pub lines: Vec<LineAnswer>,
    /// The commands after the lines (commit, check, compare, save) with their answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<LineAnswer>,
    /// What became of the changes.
    pub candidate: Candidate,
    /// A committed change rolls back unless committed again within this many minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_minutes: Option<u64>,
    /// What was left undone, in words (nothing committed, not saved...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The dialogue as the device showed it: mode changes, prompts, lines, answers.
    pub transcript: String,
}

impl ConfigReport {
    /// The device's answers, without echoes or prompts: the non-empty answers to the lines and
    /// the steps after them. A report without lines (a connector that gives none) answers its
    /// transcript.
    pub fn answers(&self) -> String {
        if self.lines.is_empty() && self.after.is_empty() {
            return self.transcript.clone();
        }
        let parts: Vec<&str> = self
            .lines
            .iter()
            .chain(&self.after)
            .map(|l| l.output.as_str())
            .filter(|o| !o.trim().is_empty())
            .collect();
        parts.join("\n")
    }
}

/// A line sent and the device's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineAnswer {
    /// The line as typed.
    pub line: String,
    /// The device's answer (often empty).
    pub output: String,
}

/// What became of a configuration set's changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Candidate {
    /// Applied as typed (one-stage platforms).
    Applied,
    /// Committed.
    Committed,
    /// Checked (dry run), then dropped.
    Checked,
    /// Dropped on leaving configuration mode: nothing was committed.
    Discarded,
    /// Left uncommitted in configuration mode (the daemon never leaves a session so).
    Pending,
}

/// Error body of every non-2xx answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong and what to do.
    pub error: String,
}

/// Result of one command.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommandResult {
    /// The command as sent.
    pub command: String,
    /// It completed and the device accepted it.
    pub ok: bool,
    /// Its output (empty on error; the device's whole answer when it rejected the command).
    pub output: String,
    /// The device rejected the command: the line of its answer that says so (`% Unrecognized
    /// command found at '^' position.`), judged by the platform's failure indicators.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rejected: Option<String>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
    /// The class of its failure (`rejected`, `timeout`, `connection_lost`, `cancelled`...).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error_kind: Option<ErrorKind>,
    /// Output received before it failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub partial_output: Option<String>,
    /// Run time in milliseconds.
    pub elapsed_ms: f64,
    /// Re-run once on a fresh session after its session died (read-only commands only).
    #[serde(default)]
    pub retried: bool,
    /// A configuration set's details: each line with its answer, the fate of the changes.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config: Option<ConfigReport>,
    /// With `parse: true`: the output's records, or `null` (`parse_note` says why). Absent when
    /// parsing was not asked for.
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "present"
    )]
    pub parsed: Option<Option<netkeep::Records>>,
    /// Why `parsed` is `null`: no template for the platform and command, the template refused
    /// the output, the command failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parse_note: Option<String>,
}

/// A field that is there, `null` or not (`Some(None)` for `null`; a missing field is `None`).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Result on one device (`POST /v1/config` answers one of these).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceResult {
    /// Inventory name.
    pub device: String,
    /// Every command completed and was accepted.
    pub ok: bool,
    /// Per-command results, in order. Commands after a failed one are not run, nor after a
    /// rejected one unless `continue_on_error` was set.
    pub outputs: Vec<CommandResult>,
    /// Device-level failure (unknown device, queue timeout, connect failure...).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
    /// Error class of `error` or of the failed command.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error_kind: Option<ErrorKind>,
    /// Time spent waiting for a free session.
    pub queued_ms: f64,
    /// Total time on this device.
    pub elapsed_ms: f64,
    /// A new session had to be opened for this request.
    pub connected: bool,
}

/// What kind of failure, which decides what the keeper does next and which exit code
/// `netkeep exec` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Login refused: never retried in a loop.
    Auth,
    /// The device's host key changed, or is unknown under the strict policy.
    HostKey,
    /// No connection: refused, timed out, or the SSH handshake failed.
    Unreachable,
    /// The session died (closed, reset, half-open): reconnect.
    ConnectionLost,
    /// No prompt within the read timeout: the session's state is unknown.
    Timeout,
    /// The device answered a command with one of its failure indicators.
    Rejected,
    /// The request was abandoned by its caller (the client went away).
    Cancelled,
    /// Anything else (queue timeout, unknown platform, local file...).
    Other,
}

/// Where a device stands, as `netkeep status` and `GET /v1/sessions` show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceState {
    /// A connect is in flight and no session is up yet.
    Connecting,
    /// At least one live session, none running a command.
    Ready,
    /// A command is running on one of its sessions.
    Busy,
    /// The last connect failed; the next attempt waits (exponential backoff).
    Backoff,
    /// Login was refused: retried only after a long pause, never in a loop.
    Failed,
    /// No session and none wanted now (`warm: false`, `keepalive: off`): connects on next use.
    Idle,
}

impl DeviceState {
    /// Every state, in lifecycle order.
    pub const ALL: [DeviceState; 6] = [
        DeviceState::Connecting,
        DeviceState::Ready,
        DeviceState::Busy,
        DeviceState::Backoff,
        DeviceState::Failed,
        DeviceState::Idle,
    ];

    /// The name on the wire and in the status table (`"ready"`...).
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceState::Connecting => "connecting",
            DeviceState::Ready => "ready",
            DeviceState::Busy => "busy",
            DeviceState::Backoff => "backoff",
            DeviceState::Failed => "failed",
            DeviceState::Idle => "idle",
        }
    }
}

impl fmt::Display for DeviceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Compares with the wire name, so a script-like check `s.state == "ready"` reads naturally.
impl PartialEq<str> for DeviceState {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for DeviceState {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Status of one device, as shown by `netkeep status`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DeviceStatus {
    /// Inventory name.
    pub device: String,
    /// Where the device stands.
    pub state: DeviceState,
    /// Age of the oldest live session, seconds.
    pub age_s: Option<f64>,
    /// Keepalives sent, all sessions of this device since start.
    pub keepalives_sent: u64,
    /// Last keepalive round trip, ms.
    pub last_rtt_ms: Option<f64>,
    /// Sessions opened after the first one (replacements of lost sessions, recycling).
    pub reconnects: u64,
    /// Last error (connect failure, lost session), if any.
    pub last_error: Option<String>,
    /// Live sessions / the allowed maximum.
    pub sessions: usize,
    /// `max_sessions`.
    pub max_sessions: usize,
    /// Sessions running a command now.
    pub in_use: usize,
    /// Requests waiting for a session.
    pub queued: usize,
    /// Sessions that ended without the keeper asking (device idle timeout, reset, dead peer).
    pub drops: u64,
    /// Failed connect attempts in a row.
    pub failures: u32,
    /// Seconds until the next connect attempt when in backoff/failed.
    pub retry_in_s: Option<f64>,
    /// Address and platform.
    pub address: String,
    /// Platform name.
    pub platform: String,
    /// How the device is reached when not directly: `via ops@bastion:22`, `proxy: CMD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

/// What a reload changed (`POST /v1/reload` answer).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ReloadReport {
    /// New devices.
    pub added: Vec<String>,
    /// Devices gone (sessions closed).
    pub removed: Vec<String>,
    /// Devices whose settings changed (sessions replaced).
    pub changed: Vec<String>,
    /// Devices kept with their sessions.
    pub unchanged: usize,
}

/// A duration in milliseconds as the API reports it (microsecond precision).
pub(crate) fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

#[cfg(test)]
mod tests {
    use super::DeviceState;

    #[test]
    fn device_state_has_one_name_on_the_wire_in_display_and_in_order() {
        for (i, s) in DeviceState::ALL.into_iter().enumerate() {
            // The metrics index their counts by discriminant.
            assert_eq!(s as usize, i);
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<DeviceState>(&json).unwrap(), s);
            assert!(s == s.as_str());
        }
    }
}
