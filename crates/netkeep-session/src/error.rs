//! The one error type of a session: what happened, on which device, at which step, with what the
//! device sent. Transport failures are wrapped as they are; [`Error::kind`] classifies both.

use std::time::Duration;

pub use netkeep_transport::ErrorKind;
use netkeep_transport::TransportError;

pub use netkeep_platform::CloseReason;

/// Everything that can go wrong with a device session. Match on [`Error::kind`] to decide what
/// to do; the variants carry the details (device, step, what the device sent).
///
/// ```no_run
/// # async fn f(s: netkeep_session::Session) {
/// use netkeep_session::ErrorKind;
/// match s.send_command("display clock").await {
///     Ok(out) => println!("{out}"),
///     Err(e) if e.kind() == ErrorKind::ConnectionLost => eprintln!("reconnect: {e}"),
///     Err(e) => eprintln!("{e}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Connecting or talking through the transport failed (refused, timed out, credentials,
    /// host key, key file, connection gone).
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The platform name is not known.
    #[error("{device}: unknown platform {name:?}; known: {}", known.join(", "))]
    UnknownPlatform {
        /// The device's label.
        device: String,
        /// The name asked for.
        name: String,
        /// The names known.
        known: Vec<String>,
    },
    /// A platform file could not be loaded.
    #[error("{device}: {message}")]
    Platform {
        /// The device's label.
        device: String,
        /// What is wrong with the file.
        message: String,
    },
    /// The device refused the telnet login (its answer matched a failure pattern of the
    /// platform's `telnet_login:`, or it asked for the credentials again).
    #[error("{device}: the device refused the telnet login as {username:?} ({answer}); check the credentials — netkeep does not retry, to avoid locking the account")]
    LoginRejected {
        /// The device's label.
        device: String,
        /// The user name typed.
        username: String,
        /// What the device said (never the password).
        answer: String,
    },
    /// No prompt recognised in time.
    #[error("{device}: no {platform} prompt recognised during {step}; last bytes received: {last_bytes:?} (wrong platform, or a banner that needs an answer?)")]
    PromptNotFound {
        /// The device's label.
        device: String,
        /// The platform whose prompts were expected.
        platform: String,
        /// The step (login, session preparation).
        step: String,
        /// The cleaned last bytes the device sent.
        last_bytes: String,
    },
    /// The command did not finish (prompt or expect pattern not seen) in time.
    #[error("{device}: no prompt after {command:?} within {timeout:?}; partial output ({} bytes): {:?}{}", partial.len(), tail(partial), question_hint(partial))]
    ReadTimeout {
        /// The device's label.
        device: String,
        /// The command sent.
        command: String,
        /// The read timeout that passed.
        timeout: Duration,
        /// The cleaned output received so far.
        partial: String,
    },
    /// The device ended the session.
    #[error("{device}: session closed by the device ({reason}) during {step}; its last words: {last_words:?}")]
    ClosedByDevice {
        /// The device's label.
        device: String,
        /// What the session was doing.
        step: String,
        /// Why, judged from the last words (idle timeout, VTY limit).
        reason: CloseReasonText,
        /// What the device sent last, and the transport's disconnect reason.
        last_words: String,
    },
    /// The session is gone: closed by this program, or taken out of step for good.
    #[error("{device}: connection lost during {step}: {message}")]
    ConnectionLost {
        /// The device's label.
        device: String,
        /// What the session was doing.
        step: String,
        /// What happened.
        message: String,
    },
    /// No answer to the liveness probe within the bound: the connection is dead or half-open.
    #[error("{device}: no answer to a liveness probe (SSH ping, or telnet TIMING-MARK) within {timeout:?}: connection dead or half-open (reconnect)")]
    ProbeTimeout {
        /// The device's label.
        device: String,
        /// The bound.
        timeout: Duration,
    },
    /// A configuration line hit a failure indicator.
    #[error("{device}: configuration line {line:?} rejected ({indicator}): {output:?}")]
    ConfigRejected {
        /// The device's label.
        device: String,
        /// The line refused.
        line: String,
        /// The indicator that matched, and the matching output line.
        indicator: String,
        /// The device's answer to the line.
        output: String,
    },
    /// A command (save, commit, enable, preparation) hit a failure indicator.
    #[error("{device}: {command:?} failed ({indicator}): {output:?}")]
    CommandRejected {
        /// The device's label.
        device: String,
        /// The command refused.
        command: String,
        /// The indicator that matched, and the matching output line.
        indicator: String,
        /// The device's answer.
        output: String,
    },
    /// The platform has no such operation (e.g. commit on Comware).
    #[error("{device}: platform {platform} has no {what}")]
    Unsupported {
        /// The device's label.
        device: String,
        /// The platform.
        platform: String,
        /// The operation.
        what: &'static str,
    },
    /// Privileged mode (`enable`) was refused: no enable secret to type where the device asks
    /// for one, or the secret given was refused.
    #[error("{device}: privileged mode refused: {message}")]
    PrivilegeRefused {
        /// The device's label.
        device: String,
        /// What happened and what to do.
        message: String,
    },
    /// An option given by the caller cannot be used (a commit comment with a double quote, a
    /// session log that cannot be opened...).
    #[error("{device}: {message}")]
    InvalidOption {
        /// The device's label.
        device: String,
        /// What is wrong and what is expected.
        message: String,
    },
    /// A regex given by the caller does not compile.
    #[error("{device}: bad pattern {pattern:?}: {message}")]
    BadPattern {
        /// The device's label.
        device: String,
        /// The pattern.
        pattern: String,
        /// The regex compiler's complaint.
        message: String,
    },
    /// The command ran, but its output could not be parsed into records: no template for the
    /// platform and command, or the template's `Error` action (its file, state and the input
    /// line say where). The output is kept ([`Error::partial_output`]).
    #[error("{device}: parsing the output of {command:?}: {source}")]
    Parse {
        /// The device's label.
        device: String,
        /// The command.
        command: String,
        /// Its whole output.
        output: String,
        /// What the parser said.
        source: Box<netkeep_parse::Error>,
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

/// A hint when the output stops at what looks like a question (`[Y/N]:`, `(y/n)`,
/// `filename [startup-config]?`): the device waits for an answer, not for more time.
fn question_hint(partial: &str) -> &'static str {
    let last = partial
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let l = last.trim_end().to_ascii_lowercase();
    let asks = l.contains("[y/n]")
        || l.contains("(y/n)")
        || l.contains("[yes,no]")
        || l.contains("[yes/no]")
        || l.contains("[confirm]")
        || l.ends_with('?')
        || l.ends_with("]:")
        || l.ends_with("]?");
    if asks && l.len() < 300 {
        "; the device is asking a question: answer it (Command::answer; `netkeep exec --expect PATTERN --answer TEXT`; API `answers`), or use the platform's non-interactive form"
    } else {
        ""
    }
}

impl Error {
    /// What kind of failure this is: what to do about it without matching on variants.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Transport(t) => t.kind(),
            Error::UnknownPlatform { .. }
            | Error::BadPattern { .. }
            | Error::InvalidOption { .. } => ErrorKind::BadInput,
            Error::PrivilegeRefused { .. } | Error::LoginRejected { .. } => ErrorKind::Auth,
            Error::Platform { .. } => ErrorKind::Platform,
            Error::PromptNotFound { .. } => ErrorKind::PromptNotFound,
            Error::ReadTimeout { .. } => ErrorKind::Timeout,
            Error::ClosedByDevice { .. }
            | Error::ConnectionLost { .. }
            | Error::ProbeTimeout { .. } => ErrorKind::ConnectionLost,
            Error::ConfigRejected { .. } | Error::CommandRejected { .. } => ErrorKind::Rejected,
            Error::Unsupported { .. } => ErrorKind::Unsupported,
            Error::Parse { .. } => ErrorKind::Parse,
        }
    }

    /// True if the credentials were rejected (do not retry in a loop).
    pub fn is_auth_failure(&self) -> bool {
        self.kind() == ErrorKind::Auth
    }

    /// True if the session is gone (closed by the device, broken, half-open): the caller may
    /// reconnect.
    pub fn is_connection_lost(&self) -> bool {
        self.kind() == ErrorKind::ConnectionLost
    }

    /// The device's close reason, for [`Error::ClosedByDevice`].
    pub fn close_reason(&self) -> Option<CloseReason> {
        match self {
            Error::ClosedByDevice { reason, .. } => Some(reason.0),
            _ => None,
        }
    }

    /// Output received before the failure, where there is some (for [`Error::Parse`], the
    /// command's whole output).
    pub fn partial_output(&self) -> Option<&str> {
        match self {
            Error::ReadTimeout { partial, .. } => Some(partial),
            Error::ConfigRejected { output, .. } | Error::CommandRejected { output, .. } => {
                Some(output)
            }
            Error::ClosedByDevice { last_words, .. } => Some(last_words),
            Error::Parse { output, .. } => Some(output),
            Error::PromptNotFound { last_bytes, .. } => Some(last_bytes),
            _ => None,
        }
    }

    /// The device label the error is about.
    pub fn device(&self) -> &str {
        match self {
            Error::Transport(t) => t.device(),
            Error::UnknownPlatform { device, .. }
            | Error::LoginRejected { device, .. }
            | Error::Platform { device, .. }
            | Error::PromptNotFound { device, .. }
            | Error::ReadTimeout { device, .. }
            | Error::ClosedByDevice { device, .. }
            | Error::ConnectionLost { device, .. }
            | Error::ProbeTimeout { device, .. }
            | Error::ConfigRejected { device, .. }
            | Error::CommandRejected { device, .. }
            | Error::Unsupported { device, .. }
            | Error::PrivilegeRefused { device, .. }
            | Error::InvalidOption { device, .. }
            | Error::BadPattern { device, .. }
            | Error::Parse { device, .. } => device,
        }
    }
}
