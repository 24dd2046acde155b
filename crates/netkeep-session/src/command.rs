//! One command and how to read its answer ([`Command`]): until the prompt, a pattern or a quiet
//! spell, answering the device's questions on the way.

use std::time::Duration;

/// A question the device may ask and the answer to type (followed by the platform's newline),
/// e.g. `\[Y/N\]` → `Y`. The same shape as the platform files' `expect`/`answer` pairs.
pub use netkeep_platform::Answer;

/// A command and how to read its answer: the one call behind Netmiko's `send_command(
/// expect_string=…, read_timeout=…, strip_prompt=…, strip_command=…)` and `send_command_timing(
/// last_read=…, read_timeout=…)`, plus questions answered in order as they show up (`save`,
/// `reload`, `copy`, `delete`). Run it with [`crate::Session::send`].
///
/// The read ends at the first of: the `until` pattern, a quiet spell of `quiet` (the prompt
/// ends it earlier), the prompt (when neither is given); `read_timeout` bounds it
/// ([`crate::Error::ReadTimeout`] with the output so far).
///
/// ```
/// use std::time::Duration;
/// use netkeep_session::Command;
/// // Comware's plain `save` asks three questions.
/// let save = Command::new("save")
///     .answer(r"\[Y/N\]:", "Y")
///     .answer(r"(?i)file name", "")
///     .answer(r"overwrite\? \[Y/N\]:", "Y")
///     .read_timeout(Duration::from_secs(120));
/// // Netmiko's send_command_timing("reload", last_read=2.0).
/// let reload = Command::new("reload").timing(Duration::from_secs(2));
/// # let _ = (save, reload);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The line typed (without the newline).
    pub line: String,
    /// A regex that ends the read instead of the prompt (Netmiko's `expect_string`), searched in
    /// what arrives after the command was typed.
    pub until: Option<String>,
    /// Questions answered in order as each shows up.
    pub answers: Vec<Answer>,
    /// Ends the read once the device has been quiet this long (Netmiko's `last_read` in
    /// `send_command_timing`), or at the prompt.
    pub quiet: Option<Duration>,
    /// Bound on the whole read; `None`: the session's read timeout.
    pub read_timeout: Option<Duration>,
    /// Remove the trailing prompt from the output (default true; kept when the read ended at
    /// `until` or a quiet spell without a prompt).
    pub strip_prompt: bool,
    /// Remove the command's echo from the output (default true).
    pub strip_command: bool,
}

impl Command {
    /// `line`, read until the prompt, prompt and echo stripped.
    pub fn new(line: impl Into<String>) -> Command {
        Command {
            line: line.into(),
            until: None,
            answers: Vec::new(),
            quiet: None,
            read_timeout: None,
            strip_prompt: true,
            strip_command: true,
        }
    }

    /// Ends the read at this regex instead of the prompt.
    pub fn until(mut self, pattern: impl Into<String>) -> Command {
        self.until = Some(pattern.into());
        self
    }

    /// Answers `answer` when `expect` (a regex) shows up; answers are given in the order added.
    pub fn answer(mut self, expect: impl Into<String>, answer: impl Into<String>) -> Command {
        self.answers.push(Answer {
            expect: expect.into(),
            answer: answer.into(),
        });
        self
    }

    /// Reads until the device has been quiet for `quiet` (or the prompt comes).
    pub fn timing(mut self, quiet: Duration) -> Command {
        self.quiet = Some(quiet);
        self
    }

    /// Bound on the whole read.
    pub fn read_timeout(mut self, t: Duration) -> Command {
        self.read_timeout = Some(t);
        self
    }

    /// Keep (`false`) or strip (`true`) the trailing prompt.
    pub fn strip_prompt(mut self, on: bool) -> Command {
        self.strip_prompt = on;
        self
    }

    /// Keep (`false`) or strip (`true`) the command's echo.
    pub fn strip_command(mut self, on: bool) -> Command {
        self.strip_command = on;
        self
    }

    /// True when the command reads to its prompt with nothing answered and everything stripped,
    /// as [`crate::Session::send_command`] does.
    pub fn is_plain(&self) -> bool {
        self.until.is_none()
            && self.answers.is_empty()
            && self.quiet.is_none()
            && self.strip_prompt
            && self.strip_command
    }
}

impl From<&str> for Command {
    fn from(line: &str) -> Command {
        Command::new(line)
    }
}

impl From<String> for Command {
    fn from(line: String) -> Command {
        Command::new(line)
    }
}
