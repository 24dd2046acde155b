//! The pool's connector: how it opens a session to a device ([`Connector`]) and what it needs
//! from one ([`DeviceSession`]). The pool runs on these two traits only, so its queueing,
//! reconnects and reloads are tested with a fake (`tests/pool_fake.rs`), and in production it runs
//! on [`netkeep::Session`] through [`ssh::SshConnector`].
//!
//! ```
//! use netkeep_keeper::connector::{ErrorKind, SessionError};
//! let e = SessionError::new(ErrorKind::Timeout, "sw1: no prompt within 30s");
//! assert_eq!(e.to_string(), "sw1: no prompt within 30s");
//! ```

pub mod ssh;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::inventory::DeviceSpec;

/// A boxed, sendable future (keeps the traits object-safe without extra crates).
pub type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What kind of failure, which decides what the keeper does next and which exit code
/// `netkeep exec` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// A failed session operation.
#[derive(Debug, Clone)]
pub struct SessionError {
    /// Classification.
    pub kind: ErrorKind,
    /// Human-readable description (names the device and step; never a secret).
    pub message: String,
    /// Output received before the failure, if any.
    pub partial_output: Option<String>,
}

impl SessionError {
    /// Builds an error.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        SessionError {
            kind,
            message: message.into(),
            partial_output: None,
        }
    }
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SessionError {}

/// One live CLI session to a device.
pub trait DeviceSession: Send + Sync {
    /// Runs one command, returns its output (echo and prompt removed).
    fn send_command<'a>(
        &'a self,
        command: &'a str,
        read_timeout: Option<Duration>,
    ) -> BoxFut<'a, Result<String, SessionError>>;
    /// Enters configuration mode, sends the lines, leaves it.
    fn send_config_set<'a>(
        &'a self,
        lines: &'a [String],
    ) -> BoxFut<'a, Result<String, SessionError>>;
    /// The session has ended (closed by either side, or found dead by the keepalive).
    fn is_closed(&self) -> bool;
    /// Keepalives sent so far on this session.
    fn keepalives_sent(&self) -> u64;
    /// Last measured keepalive round trip.
    fn last_rtt(&self) -> Option<Duration>;
    /// The line in which the device rejected a command, judged from its `output` by the
    /// platform's failure indicators ([`crate::command::rejection`]); `None` when accepted.
    fn rejection(&self, output: &str) -> Option<String> {
        let _ = output;
        None
    }
    /// Why a closed session ended (the device's words, the step), where known.
    fn close_message(&self) -> Option<String> {
        None
    }
    /// Logs out politely and closes.
    fn disconnect(&self) -> BoxFut<'_, ()>;
}

/// Opens sessions for a device spec: the one way the pool reaches a device.
pub trait Connector: Send + Sync + 'static {
    /// Connects, logs in and prepares the CLI (paging off...).
    fn connect<'a>(
        &'a self,
        spec: &'a DeviceSpec,
    ) -> BoxFut<'a, Result<Arc<dyn DeviceSession>, SessionError>>;
}
