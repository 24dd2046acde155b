//! Typed transport errors: each names the device and the step that failed.

use std::path::PathBuf;
use std::time::Duration;

/// What went wrong while connecting or talking SSH to a device.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// Nothing listens on the port (or a firewall rejects us).
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
    /// TCP or SSH negotiation failed (DNS, unreachable network, no common algorithm, protocol error).
    #[error("{device}: {step} with {addr} failed: {message}")]
    Connect {
        device: String,
        addr: String,
        step: &'static str,
        message: String,
    },
    /// The device rejected our credentials.
    #[error("{device}: authentication as {username:?} with {method} failed (device offers: {offered}); check the credentials — netkeep does not retry, to avoid locking the account")]
    AuthFailed {
        device: String,
        username: String,
        method: &'static str,
        offered: String,
    },
    /// The device presents a different key than the one remembered.
    #[error("{device}: HOST KEY CHANGED for {host}: known {known_fingerprint}, offered {offered_fingerprint}. If the device was replaced or re-keyed, delete line {line} of {} and connect again; otherwise someone may be intercepting the connection", file.display())]
    HostKeyChanged {
        device: String,
        host: String,
        known_fingerprint: String,
        offered_fingerprint: String,
        file: Box<std::path::Path>,
        line: usize,
    },
    /// Strict policy and the key is in none of the known_hosts files.
    #[error("{device}: host key {fingerprint} of {host} is not known (policy strict; looked in {}). Add it to the first file, or connect once with --host-key-policy accept-new", files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", "))]
    HostKeyUnknown {
        device: String,
        host: String,
        fingerprint: String,
        files: Vec<PathBuf>,
    },
    /// Key accepted, but we could not record it.
    #[error("{device}: could not remember the host key of {host} in {}: {message}", file.display())]
    KnownHostsWrite {
        device: String,
        host: String,
        file: PathBuf,
        message: String,
    },
    /// The private key file could not be used.
    #[error("{device}: private key {}: {message}", path.display())]
    KeyFile {
        device: String,
        path: PathBuf,
        message: String,
    },
    /// Opening the shell channel (session, pty, shell) failed.
    #[error("{device}: {step} failed: {message}")]
    Channel {
        device: String,
        step: &'static str,
        message: String,
    },
    /// The SSH connection is gone.
    #[error("{device}: SSH connection closed during {step}{}", reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())]
    Closed {
        device: String,
        step: &'static str,
        reason: Option<String>,
    },
}

impl TransportError {
    /// True for credential problems (do not retry blindly).
    pub fn is_auth_failure(&self) -> bool {
        matches!(self, TransportError::AuthFailed { .. })
    }
}
