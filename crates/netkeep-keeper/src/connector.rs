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

pub mod bastion;
pub mod ssh;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::inventory::DeviceSpec;
pub use crate::wire::ErrorKind;
use crate::wire::{Candidate, CommandSpec, ConfigReport};

/// A boxed, sendable future (keeps the traits object-safe without extra crates).
pub type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

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
    /// Runs a command that may say how to read its answer (questions to answer, a pattern or a
    /// quiet spell that ends the read). The default runs plain commands and refuses the others.
    fn run<'a>(
        &'a self,
        cmd: &'a CommandSpec,
        read_timeout: Option<Duration>,
    ) -> BoxFut<'a, Result<String, SessionError>> {
        if cmd.reads_to_prompt() {
            return self.send_command(&cmd.command, read_timeout);
        }
        Box::pin(async {
            Err(SessionError::new(
                ErrorKind::Other,
                "this connector cannot answer a device's questions",
            ))
        })
    }
    /// Runs a configuration set and does with its changes what `req` asks, ending in the
    /// session's base mode. The default sends the lines only (no commit, check or save).
    fn configure<'a>(
        &'a self,
        req: &'a ConfigRequest,
    ) -> BoxFut<'a, Result<ConfigReport, SessionError>> {
        Box::pin(async move {
            if req.commit || req.check || req.save {
                return Err(SessionError::new(
                    ErrorKind::Other,
                    "this connector cannot commit, check or save",
                ));
            }
            let transcript = self.send_config_set(&req.lines).await?;
            Ok(ConfigReport {
                lines: Vec::new(),
                after: Vec::new(),
                candidate: Candidate::Applied,
                confirm_minutes: None,
                note: None,
                transcript,
            })
        })
    }
    /// Brings the session back to its base mode (where login left it), dropping uncommitted
    /// configuration; the pool calls it before lending the session again, and replaces the
    /// session when it fails.
    fn restore_base(&self) -> BoxFut<'_, Result<(), SessionError>> {
        Box::pin(async { Ok(()) })
    }
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

/// A configuration set and what becomes of its changes (see `POST /v1/config`).
///
/// ```
/// let r = netkeep_keeper::connector::ConfigRequest {
///     lines: vec!["set system host-name edge1".into()],
///     commit: true,
///     confirm: Some(std::time::Duration::from_secs(300)),
///     ..Default::default()
/// };
/// assert!(!r.save);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigRequest {
    /// The lines, in order.
    pub lines: Vec<String>,
    /// Commit (two-stage platforms).
    pub commit: bool,
    /// With `commit`: roll back unless committed again within this time.
    pub confirm: Option<Duration>,
    /// With `commit`: a comment recorded with it.
    pub comment: Option<String>,
    /// Check only (dry run), then drop the changes.
    pub check: bool,
    /// Save the running configuration afterwards.
    pub save: bool,
}

impl ConfigRequest {
    /// What the request does, in one line (the result's `command`, the audit record's):
    /// `configuration set (3 lines, commit confirmed 5m, comment)`.
    ///
    /// ```
    /// let r = netkeep_keeper::connector::ConfigRequest { lines: vec!["x".into()], save: true, ..Default::default() };
    /// assert_eq!(r.label(), "configuration set (1 lines, save)");
    /// ```
    pub fn label(&self) -> String {
        let mut parts = vec![format!("{} lines", self.lines.len())];
        if self.commit {
            parts.push(match self.confirm {
                Some(t) => format!("commit confirmed {}m", t.as_secs().div_ceil(60)),
                None => "commit".into(),
            });
        }
        if self.comment.is_some() {
            parts.push("comment".into());
        }
        if self.check {
            parts.push("check".into());
        }
        if self.save {
            parts.push("save".into());
        }
        format!("configuration set ({})", parts.join(", "))
    }
}

/// Opens sessions for a device spec: the one way the pool reaches a device.
pub trait Connector: Send + Sync + 'static {
    /// Connects, logs in and prepares the CLI (paging off...).
    fn connect<'a>(
        &'a self,
        spec: &'a DeviceSpec,
    ) -> BoxFut<'a, Result<Arc<dyn DeviceSession>, SessionError>>;

    /// A number that goes up when something the device's connects depend on comes back (its
    /// jump host reconnected): the pool then retries a device that failed before at once,
    /// instead of waiting out its backoff. Default: nothing to watch.
    fn path_epoch(&self, spec: &DeviceSpec) -> u64 {
        let _ = spec;
        0
    }
}
