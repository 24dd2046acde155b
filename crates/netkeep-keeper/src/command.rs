//! What the keeper and the one-shot `netkeep exec` agree about a single command: which characters
//! it may carry ([`check`]), whether the device rejected it ([`rejection`]), and whether it only
//! reads ([`is_read_only`]: may be re-run after a lost session, or interrupted when its caller
//! goes away), and whether a caller with only the `read` scope may send it ([`read_scope`]).
//! One definition, so the daemon and the direct path never judge differently.
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

/// Words after a `|` that write somewhere instead of filtering the output (IOS/EOS `redirect`,
/// `tee`, `append`; Junos `save`, `request`; IOS XR `file`; NX-OS `email`...). A pipe word that
/// abbreviates one of them (`| s`, `| re`) counts as it: the device might read it so.
const WRITING_PIPES: [&str; 8] = [
    "append", "email", "file", "redirect", "request", "save", "tee", "upload",
];

/// Whether a caller holding only the `read` scope may send `command`: a read-only command by
/// [`is_read_only`] (the rule the retry uses), that neither writes its output anywhere (`>`,
/// `| redirect`, `| tee`, `| save`...) nor chains another command (`;`, `&`, a backquote,
/// `$(`). Returns why not otherwise. The device's platform is judged by the caller: on a
/// platform without a configuration mode (a Unix shell) `sh` is a shell, not `show`.
///
/// ```
/// use netkeep_keeper::command::read_scope;
/// assert!(read_scope("display interface brief | include UP").is_ok());
/// assert!(read_scope("system-view").unwrap_err().contains("not a read-only command"));
/// assert!(read_scope("show running-config | redirect flash:x").is_err());
/// assert!(read_scope("display current-configuration > flash:/x.cfg").is_err());
/// ```
pub fn read_scope(command: &str) -> Result<(), String> {
    if !is_read_only(command) {
        return Err(format!(
            "`{}` is not a read-only command (only show/display and their abbreviations are)",
            shorten(command)
        ));
    }
    if let Some(c) = command.chars().find(|c| matches!(c, '>' | ';' | '&' | '`')) {
        return Err(format!(
            "`{}` contains `{c}`: a read-only command may not redirect its output or chain another",
            shorten(command)
        ));
    }
    if command.contains("$(") {
        return Err(format!(
            "`{}` contains `$(`: a read-only command may not run another",
            shorten(command)
        ));
    }
    for piped in command.split('|').skip(1) {
        let word = piped
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if let Some(w) = WRITING_PIPES
            .iter()
            .find(|w| !word.is_empty() && w.starts_with(word.as_str()))
        {
            return Err(format!(
                "`{}` pipes into `{word}` ({w}), which writes the output somewhere",
                shorten(command)
            ));
        }
    }
    Ok(())
}

/// A command cut to 80 characters for a message.
fn shorten(command: &str) -> String {
    if command.chars().count() <= 80 {
        command.to_string()
    } else {
        format!("{}…", command.chars().take(79).collect::<String>())
    }
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

    #[test]
    fn read_scope_allows_filters_and_refuses_writes() {
        for ok in [
            "show version",
            "sh ip int br | i up",
            "display interface brief | include UP",
            "show interfaces | count",
            "show configuration | display set | match ssh",
            "show run | section line",
        ] {
            assert!(read_scope(ok).is_ok(), "{ok}");
        }
        for bad in [
            "configure terminal",
            "system-view",
            "reload",
            "show run | redirect flash:x",
            "show run | tee flash:x",
            "show run | s",
            "show configuration | save /tmp/x",
            "show log | request message all",
            "display current-configuration > flash:/x.cfg",
            "show run >> bootflash:x",
            "show x; reboot",
            "show x && reboot",
            "show $(reboot)",
            "show `reboot`",
        ] {
            assert!(read_scope(bad).is_err(), "{bad}");
        }
    }
}
