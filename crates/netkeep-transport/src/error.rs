//! Typed transport errors, each naming the device and the step that failed, and the one
//! classification of every netkeep error, [`ErrorKind`].

use std::path::PathBuf;
use std::time::Duration;

/// What kind of failure an error is: what a program does about it (exit code, retry, API
/// answer) without matching on variants. Returned by [`TransportError::kind`] and by the
/// session's `Error::kind`.
///
/// ```
/// use netkeep_transport::{ErrorKind, TransportError};
/// let e = TransportError::Closed { device: "sw1".into(), step: "SSH ping", reason: None };
/// assert_eq!(e.kind(), ErrorKind::ConnectionLost);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The device rejected the credentials: do not retry in a loop (accounts get locked).
    Auth,
    /// The host key is unknown (strict policy) or changed.
    HostKey,
    /// The device could not be reached or no SSH session could be negotiated with it (refused,
    /// timed out, no route, no common algorithm).
    Unreachable,
    /// An open session is gone: closed by the device or by us, reset, or half-open (no answer
    /// to a probe). Reconnect.
    ConnectionLost,
    /// A command did not finish (no prompt or expect pattern) within its read timeout; the
    /// session's state is unknown.
    Timeout,
    /// No prompt of the platform was recognised while logging in or preparing the session
    /// (wrong platform, or a banner that needs an answer).
    PromptNotFound,
    /// The device refused a command or configuration line (a failure indicator matched).
    Rejected,
    /// The platform has no such operation (e.g. commit on Comware).
    Unsupported,
    /// The caller's input is invalid: unknown platform name, a pattern that does not compile.
    BadInput,
    /// A platform file could not be loaded.
    Platform,
    /// A local file could not be used: the private key, or the known_hosts file.
    LocalFile,
    /// A command's output could not be parsed into records (no TextFSM template for the
    /// command, or the template refused the output); the output itself was received.
    Parse,
}

/// What went wrong while connecting or talking to a device through a transport.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// Nothing listens on the port (or a firewall rejects us).
    #[error(
        "{device}: connection to {addr} refused (is SSH or telnet enabled on the device and the port right?)"
    )]
    ConnectRefused {
        /// The device's label.
        device: String,
        /// `host:port` dialled.
        addr: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A connect step did not finish in time.
    #[error("{device}: {step} to {addr} timed out after {timeout:?} (device unreachable or overloaded?)")]
    ConnectTimeout {
        /// The device's label.
        device: String,
        /// `host:port` dialled.
        addr: String,
        /// The step that was running (TCP connect, SSH handshake, authentication...).
        step: &'static str,
        /// The bound that passed.
        timeout: Duration,
    },
    /// TCP or SSH negotiation failed (DNS, unreachable network, no common algorithm, protocol error).
    #[error("{device}: {step} with {addr} failed: {message}")]
    Connect {
        /// The device's label.
        device: String,
        /// `host:port` dialled.
        addr: String,
        /// The step that failed.
        step: &'static str,
        /// What went wrong.
        message: String,
    },
    /// The device rejected our credentials.
    #[error("{device}: authentication as {username:?} with {method} failed (device offers: {offered}); check the credentials — netkeep does not retry, to avoid locking the account")]
    AuthFailed {
        /// The device's label.
        device: String,
        /// The user name tried.
        username: String,
        /// The method tried (password, keyboard-interactive, publickey).
        method: &'static str,
        /// The methods the device still offers.
        offered: String,
    },
    /// The device presents a different key than the one remembered.
    #[error("{device}: HOST KEY CHANGED for {host}: known {known_fingerprint}, offered {offered_fingerprint}. If the device was replaced or re-keyed, delete line {line} of {} and connect again; otherwise someone may be intercepting the connection", file.display())]
    HostKeyChanged {
        /// The device's label.
        device: String,
        /// The known_hosts host pattern (`host` or `[host]:port`).
        host: String,
        /// Fingerprint of the remembered key.
        known_fingerprint: String,
        /// Fingerprint of the key the device offered.
        offered_fingerprint: String,
        /// The known_hosts file holding the remembered key.
        file: Box<std::path::Path>,
        /// Its line number (1-based).
        line: usize,
    },
    /// Strict policy and the key is in none of the known_hosts files.
    #[error("{device}: host key {fingerprint} of {host} is not known (policy strict; looked in {}). Add it to the first file, or connect once with --host-key-policy accept-new", files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", "))]
    HostKeyUnknown {
        /// The device's label.
        device: String,
        /// The known_hosts host pattern.
        host: String,
        /// Fingerprint of the key the device offered.
        fingerprint: String,
        /// The files looked in.
        files: Vec<PathBuf>,
    },
    /// Key accepted, but we could not record it.
    #[error("{device}: could not remember the host key of {host} in {}: {message}", file.display())]
    KnownHostsWrite {
        /// The device's label.
        device: String,
        /// The known_hosts host pattern.
        host: String,
        /// The file we tried to write.
        file: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The private key file could not be used.
    #[error("{device}: private key {}: {message}", path.display())]
    KeyFile {
        /// The device's label.
        device: String,
        /// The key file.
        path: PathBuf,
        /// What went wrong (missing, unreadable, wrong passphrase...).
        message: String,
    },
    /// The ssh-agent could not be used (not running, socket missing, refused to sign).
    #[error("{device}: ssh-agent at {}: {message}", socket.display())]
    Agent {
        /// The device's label.
        device: String,
        /// The agent's socket.
        socket: PathBuf,
        /// What went wrong and what to do.
        message: String,
    },
    /// Reaching the device through a jump host failed at the jump host.
    #[error("{device}: through jump host {hop}: {source}")]
    Via {
        /// The device's label.
        device: String,
        /// The jump host (`user@host:port`).
        hop: String,
        /// What went wrong there.
        #[source]
        source: Box<TransportError>,
    },
    /// A shared jump host is down and waiting to be reconnected: the device is not tried until
    /// it is back.
    #[error("{device}: jump host {hop} is down ({message}); next attempt in {:.1} s", retry_in.as_secs_f64())]
    JumpHostDown {
        /// The device's label.
        device: String,
        /// The jump host (`user@host:port`).
        hop: String,
        /// The kind of the jump host's last failure (a refused host key stays a host-key error).
        kind: ErrorKind,
        /// Its last failure.
        message: String,
        /// Time until the jump host is tried again.
        retry_in: Duration,
    },
    /// Opening the terminal (SSH session channel, PTY, shell) failed.
    #[error("{device}: connection lost during {step}: {message}")]
    Channel {
        /// The device's label.
        device: String,
        /// The step that failed.
        step: &'static str,
        /// What the transport said.
        message: String,
    },
    /// The connection is gone.
    #[error("{device}: connection lost during {step}: {}", reason.as_deref().unwrap_or("connection closed"))]
    Closed {
        /// The device's label.
        device: String,
        /// The step that was running.
        step: &'static str,
        /// Why, if known (the device's disconnect message, the error that ended it).
        reason: Option<String>,
    },
}

impl TransportError {
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            TransportError::ConnectRefused { .. }
            | TransportError::ConnectTimeout { .. }
            | TransportError::Connect { .. } => ErrorKind::Unreachable,
            TransportError::AuthFailed { .. } => ErrorKind::Auth,
            TransportError::HostKeyChanged { .. } | TransportError::HostKeyUnknown { .. } => {
                ErrorKind::HostKey
            }
            TransportError::KnownHostsWrite { .. }
            | TransportError::KeyFile { .. }
            | TransportError::Agent { .. } => ErrorKind::LocalFile,
            TransportError::Via { source, .. } => source.kind(),
            TransportError::JumpHostDown { kind, .. } => *kind,
            TransportError::Channel { .. } | TransportError::Closed { .. } => {
                ErrorKind::ConnectionLost
            }
        }
    }

    /// True for credential problems (do not retry blindly).
    pub fn is_auth_failure(&self) -> bool {
        self.kind() == ErrorKind::Auth
    }

    /// The device label the error is about.
    pub fn device(&self) -> &str {
        match self {
            TransportError::ConnectRefused { device, .. }
            | TransportError::ConnectTimeout { device, .. }
            | TransportError::Connect { device, .. }
            | TransportError::AuthFailed { device, .. }
            | TransportError::HostKeyChanged { device, .. }
            | TransportError::HostKeyUnknown { device, .. }
            | TransportError::KnownHostsWrite { device, .. }
            | TransportError::KeyFile { device, .. }
            | TransportError::Agent { device, .. }
            | TransportError::Via { device, .. }
            | TransportError::JumpHostDown { device, .. }
            | TransportError::Channel { device, .. }
            | TransportError::Closed { device, .. } => device,
        }
    }
}
