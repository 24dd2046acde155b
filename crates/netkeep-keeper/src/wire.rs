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

use crate::connector::ErrorKind;

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
    /// Commands, run in order.
    pub commands: Vec<String>,
    /// Per-command read timeout in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_timeout_ms: Option<u64>,
    /// Run the commands after one the device rejected (default false: stop at the first
    /// rejection). A failed session (timeout, lost connection) always stops a device's commands.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub continue_on_error: bool,
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

/// `POST /v1/config` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigBody {
    /// The device.
    pub device: String,
    /// Configuration lines, in order.
    pub lines: Vec<String>,
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
