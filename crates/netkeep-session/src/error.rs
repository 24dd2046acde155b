//! The one error type of a session: what happened, on which device, at which step, with what the
//! device sent.

use std::path::PathBuf;
use std::time::Duration;

use netkeep_transport::TransportError;

pub use netkeep_platform::CloseReason;

/// Everything that can go wrong with a device session.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nothing listens on the port.
    #[error(
        "{device}: connection to {addr} refused (is SSH enabled on the device and the port right?)"
    )]
    ConnectRefused {
        device: String,
        addr: String,
        #[source]
        source: std::io::Error,
    },
    /// A connect step did not finish in time.
    #[error("{device}: {step} to {addr} timed out after {timeout:?} (device unreachable or overloaded?)")]
    ConnectTimeout {
        device: String,
        addr: String,
        step: &'static str,
        timeout: Duration,
    },
    /// TCP or SSH negotiation failed.
    #[error("{device}: {step} with {addr} failed: {message}")]
    Connect {
        device: String,
        addr: String,
        step: &'static str,
        message: String,
    },
    /// The device rejected the credentials.
    #[error("{device}: authentication as {username:?} with {method} failed (device offers: {offered}); check the credentials — netkeep does not retry, to avoid locking the account")]
    AuthFailed {
        device: String,
        username: String,
        method: &'static str,
        offered: String,
    },
    /// The device's host key differs from the remembered one.
    #[error("{device}: HOST KEY CHANGED for {host}: known {known_fingerprint}, offered {offered_fingerprint}. If the device was replaced or re-keyed, delete line {line} of {} and connect again; otherwise someone may be intercepting the connection", file.display())]
    HostKeyChanged {
        device: String,
        host: String,
        known_fingerprint: String,
        offered_fingerprint: String,
        file: Box<std::path::Path>,
        line: usize,
    },
    /// Strict host-key policy and the key is not known.
    #[error("{device}: host key {fingerprint} of {host} is not known (policy strict; looked in {}). Add it to the first file, or connect once with --host-key-policy accept-new", files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", "))]
    HostKeyUnknown {
        device: String,
        host: String,
        fingerprint: String,
        files: Vec<PathBuf>,
    },
    /// A file we need (private key, known_hosts) could not be used.
    #[error("{device}: {message}")]
    LocalFile { device: String, message: String },
    /// The platform name is not known.
    #[error("{device}: unknown platform {name:?}; known: {}", known.join(", "))]
    UnknownPlatform {
        device: String,
        name: String,
        known: Vec<String>,
    },
    /// A platform file could not be loaded.
    #[error("{device}: {message}")]
    Platform { device: String, message: String },
    /// No prompt recognised in time.
    #[error("{device}: no {platform} prompt recognised during {step}; last bytes received: {last_bytes:?} (wrong platform, or a banner that needs an answer?)")]
    PromptNotFound {
        device: String,
        platform: String,
        step: String,
        last_bytes: String,
    },
    /// The command did not finish (prompt or expect pattern not seen) in time.
    #[error("{device}: no prompt after {command:?} within {timeout:?}; partial output ({} bytes): {:?}", partial.len(), tail(partial))]
    ReadTimeout {
        device: String,
        command: String,
        timeout: Duration,
        partial: String,
    },
    /// The device ended the session.
    #[error("{device}: session closed by the device ({reason}) during {step}; its last words: {last_words:?}")]
    ClosedByDevice {
        device: String,
        step: String,
        reason: CloseReasonText,
        last_words: String,
    },
    /// The connection broke (reset, SSH keepalive timeout, half-open) or was closed by us.
    #[error("{device}: connection lost during {step}: {message}")]
    ConnectionLost {
        device: String,
        step: String,
        message: String,
    },
    /// No answer to an SSH ping within the bound: the connection is dead or half-open.
    #[error("{device}: no answer to an SSH ping within {timeout:?}: connection dead or half-open (reconnect)")]
    ProbeTimeout { device: String, timeout: Duration },
    /// A configuration line hit a failure indicator.
    #[error("{device}: configuration line {line:?} rejected ({indicator}): {output:?}")]
    ConfigRejected {
        device: String,
        line: String,
        indicator: String,
        output: String,
    },
    /// A command (save, commit, enable, preparation) hit a failure indicator.
    #[error("{device}: {command:?} failed ({indicator}): {output:?}")]
    CommandRejected {
        device: String,
        command: String,
        indicator: String,
        output: String,
    },
    /// The platform has no such operation (e.g. commit on Comware).
    #[error("{device}: platform {platform} has no {what}")]
    Unsupported {
        device: String,
        platform: String,
        what: &'static str,
    },
    /// A regex given by the caller does not compile.
    #[error("{device}: bad pattern {pattern:?}: {message}")]
    BadPattern {
        device: String,
        pattern: String,
        message: String,
    },
}

/// Why the device closed the session, printable ("idle timeout").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseReasonText(pub CloseReason);

impl std::fmt::Display for CloseReasonText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            CloseReason::IdleTimeout => "idle timeout",
            CloseReason::VtyLimit => "VTY/session limit reached",
            CloseReason::Unknown => "reason not stated",
        })
    }
}

fn tail(s: &str) -> &str {
    let mut start = s.len().saturating_sub(300);
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

impl Error {
    /// True if the credentials were rejected (do not retry in a loop).
    pub fn is_auth_failure(&self) -> bool {
        matches!(self, Error::AuthFailed { .. })
    }

    /// True if the session is gone (closed by the device, broken, half-open): the caller may
    /// reconnect.
    pub fn is_connection_lost(&self) -> bool {
        matches!(
            self,
            Error::ClosedByDevice { .. }
                | Error::ConnectionLost { .. }
                | Error::ProbeTimeout { .. }
        )
    }

    /// The device's close reason, for [`Error::ClosedByDevice`].
    pub fn close_reason(&self) -> Option<CloseReason> {
        match self {
            Error::ClosedByDevice { reason, .. } => Some(reason.0),
            _ => None,
        }
    }

    /// Output received before the failure, where there is some.
    pub fn partial_output(&self) -> Option<&str> {
        match self {
            Error::ReadTimeout { partial, .. } => Some(partial),
            Error::ConfigRejected { output, .. } | Error::CommandRejected { output, .. } => {
                Some(output)
            }
            Error::ClosedByDevice { last_words, .. } => Some(last_words),
            Error::PromptNotFound { last_bytes, .. } => Some(last_bytes),
            _ => None,
        }
    }

    /// The device label the error is about.
    pub fn device(&self) -> &str {
        match self {
            Error::ConnectRefused { device, .. }
            | Error::ConnectTimeout { device, .. }
            | Error::Connect { device, .. }
            | Error::AuthFailed { device, .. }
            | Error::HostKeyChanged { device, .. }
            | Error::HostKeyUnknown { device, .. }
            | Error::LocalFile { device, .. }
            | Error::UnknownPlatform { device, .. }
            | Error::Platform { device, .. }
            | Error::PromptNotFound { device, .. }
            | Error::ReadTimeout { device, .. }
            | Error::ClosedByDevice { device, .. }
            | Error::ConnectionLost { device, .. }
            | Error::ProbeTimeout { device, .. }
            | Error::ConfigRejected { device, .. }
            | Error::CommandRejected { device, .. }
            | Error::Unsupported { device, .. }
            | Error::BadPattern { device, .. } => device,
        }
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::ConnectRefused {
                device,
                addr,
                source,
            } => Error::ConnectRefused {
                device,
                addr,
                source,
            },
            TransportError::ConnectTimeout {
                device,
                addr,
                step,
                timeout,
            } => Error::ConnectTimeout {
                device,
                addr,
                step,
                timeout,
            },
            TransportError::Connect {
                device,
                addr,
                step,
                message,
            } => Error::Connect {
                device,
                addr,
                step,
                message,
            },
            TransportError::AuthFailed {
                device,
                username,
                method,
                offered,
            } => Error::AuthFailed {
                device,
                username,
                method,
                offered,
            },
            TransportError::HostKeyChanged {
                device,
                host,
                known_fingerprint,
                offered_fingerprint,
                file,
                line,
            } => Error::HostKeyChanged {
                device,
                host,
                known_fingerprint,
                offered_fingerprint,
                file,
                line,
            },
            TransportError::HostKeyUnknown {
                device,
                host,
                fingerprint,
                files,
            } => Error::HostKeyUnknown {
                device,
                host,
                fingerprint,
                files,
            },
            e @ (TransportError::KnownHostsWrite { .. } | TransportError::KeyFile { .. }) => {
                let message = e.to_string();
                let device = match e {
                    TransportError::KnownHostsWrite { device, .. }
                    | TransportError::KeyFile { device, .. } => device,
                    _ => String::new(),
                };
                // The Display already starts with the device; keep the rest.
                let message = message
                    .strip_prefix(&format!("{device}: "))
                    .unwrap_or(&message)
                    .to_string();
                Error::LocalFile { device, message }
            }
            TransportError::Channel {
                device,
                step,
                message,
            } => Error::ConnectionLost {
                device,
                step: step.to_string(),
                message,
            },
            TransportError::Closed {
                device,
                step,
                reason,
            } => Error::ConnectionLost {
                device,
                step: step.to_string(),
                message: reason.unwrap_or_else(|| "SSH connection closed".into()),
            },
        }
    }
}
