//! What the keeper and the one-shot `netkeep exec` agree about a single command: which characters
//! it may carry ([`check`]), whether the device rejected it ([`rejection`]), and whether it only
//! reads ([`is_read_only`]: may be re-run after a lost session, or interrupted when its caller
//! goes away). One definition, so the daemon and the direct path never judge differently.
//!
//! The rule for the commands after a rejected one is the same everywhere: they are not run
//! unless the caller asked to go on (`--continue-on-error`, API `continue_on_error: true`); a
//! failure of the session itself (timeout, lost connection) always ends the request.
//!
//! ```
//! use netkeep_keeper::command::{check, is_read_only};
//! assert!(check("display interface brief").is_ok());
//! assert!(check("display\tclock").is_ok());
//! let e = check("show run\u{3}").unwrap_err();
//! assert!(e.to_string().contains("U+0003"), "{e}");
//! assert!(is_read_only("dis clock") && !is_read_only("reboot"));
//! ```

use std::fmt;

use netkeep::Platform;

/// A command that cannot be sent as one line of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadCommand {
    /// The command, shortened to 60 characters.
    pub command: String,
    /// The offending character.
    pub character: char,
    /// Its byte offset in the command.
    pub at: usize,
}

impl fmt::Display for BadCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.character {
            '\n' | '\r' => "a line break",
            _ => "a control character",
        };
        write!(
            f,
            "command {:?} contains {what} (U+{:04X}) at byte {}; a command is one line of printable text (tabs allowed): give each line as its own command, and no Ctrl-C/Ctrl-Z/NUL bytes",
            self.command,
            self.character as u32,
            self.at
        )
    }
}

impl std::error::Error for BadCommand {}

/// Refuses a command with a character below U+0020 other than tab: a line break would smuggle
/// extra commands past the caller, and Ctrl-C, Ctrl-Z or NUL would change the device's mode or
/// state behind the session's back (and leak echo and prompt into the output).
pub fn check(command: &str) -> Result<(), BadCommand> {
    match command
        .char_indices()
        .find(|(_, c)| (*c as u32) < 0x20 && *c != '\t')
    {
        None => Ok(()),
        Some((at, character)) => Err(BadCommand {
            command: command.chars().take(60).collect(),
            character,
            at,
        }),
    }
}

/// The line in which the device rejected a command (`% Unrecognized command found at '^'
/// position.`), judged by the platform's failure indicators; `None` when it accepted it.
///
/// ```
/// let p = netkeep_platform::Registry::builtin().get("cisco_ios").unwrap();
/// let out = "   ^\n% Invalid input detected at '^' marker.";
/// assert_eq!(
///     netkeep_keeper::command::rejection(&p, out).as_deref(),
///     Some("% Invalid input detected at '^' marker.")
/// );
/// assert_eq!(netkeep_keeper::command::rejection(&p, "*10:00:00 UTC"), None);
/// ```
pub fn rejection(platform: &Platform, output: &str) -> Option<String> {
    platform
        .failure_in(output)
        .map(|(_, line)| line.trim().to_string())
}

/// Read-only commands may be retried once on a fresh session, and interrupted when their caller
/// goes away: `show` / `display` and their abbreviations (`sh`, `dis`...). `shutdown` and
/// `disable` are not abbreviations of them.
///
/// ```
/// use netkeep_keeper::command::is_read_only;
/// assert!(is_read_only("dis clock") && is_read_only("show version"));
/// assert!(!is_read_only("shutdown") && !is_read_only("disable"));
/// ```
pub fn is_read_only(command: &str) -> bool {
    let tok = command
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    (tok.len() >= 2 && "show".starts_with(&tok)) || (tok.len() >= 3 && "display".starts_with(&tok))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_tab_is_not() {
        for bad in ["a\nb", "a\rb", "\u{0}x", "show\u{3}", "x\u{1a}", "\u{1b}[A"] {
            assert!(check(bad).is_err(), "{bad:?}");
        }
        assert_eq!(check("a\u{3}").unwrap_err().at, 1);
        assert!(check("display\tclock").is_ok());
        assert!(check("description café ünïcode").is_ok());
    }
}
