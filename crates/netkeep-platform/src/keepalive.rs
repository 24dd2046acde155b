//! [`KeepaliveMode`]: what a keepalive writes. The one type for it, shared by the platform
//! files, the session API (`netkeep_session::KeepaliveConfig`) and the keeper's inventory.

use serde::{Deserialize, Serialize};

/// What the keepalive writes to restart the device's idle timer.
///
/// The same spellings everywhere (platform YAML, inventory YAML, [`FromStr`](std::str::FromStr)):
/// `auto`, `nul`, `newline`, `command`, `ssh`, `off`. The command of [`KeepaliveMode::Command`]
/// is carried beside the mode (a `command:` key in YAML, a `command` field in the session's
/// keepalive settings), so one enum serves every layer unconverted.
///
/// ```
/// use netkeep_platform::KeepaliveMode;
/// let m: KeepaliveMode = "nul".parse().unwrap();
/// assert_eq!(m, KeepaliveMode::Nul);
/// assert_eq!(KeepaliveMode::default(), KeepaliveMode::Auto);
/// assert_eq!(KeepaliveMode::Newline.to_string(), "newline");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum KeepaliveMode {
    /// The platform file's strategy (NUL on most network devices, newline on Linux). Not
    /// allowed in a platform file itself, which says what `auto` means.
    #[default]
    Auto,
    /// A NUL byte (Netmiko's `is_alive`); any echo is drained before the next command.
    Nul,
    /// A newline, reading the prompt back.
    Newline,
    /// A harmless command (e.g. `display clock`, given beside the mode), reading the prompt back.
    Command,
    /// Protocol-level liveness only (SSH ping; over telnet, TIMING-MARK probes): detects dead
    /// peers, does not restart a device's idle timer.
    Ssh,
    /// No keepalive task; `is_alive` only checks the transport.
    Off,
}

impl KeepaliveMode {
    /// Every mode with its spelling.
    const NAMES: [(KeepaliveMode, &'static str); 6] = [
        (KeepaliveMode::Auto, "auto"),
        (KeepaliveMode::Nul, "nul"),
        (KeepaliveMode::Newline, "newline"),
        (KeepaliveMode::Command, "command"),
        (KeepaliveMode::Ssh, "ssh"),
        (KeepaliveMode::Off, "off"),
    ];

    /// The mode's spelling (`nul`, `newline`, ...).
    pub fn as_str(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(m, _)| *m == self)
            .map_or("auto", |(_, n)| n)
    }
}

impl std::str::FromStr for KeepaliveMode {
    type Err = String;
    /// `auto`, `nul`, `newline`, `command`, `ssh` or `off`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::NAMES
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(m, _)| *m)
            .ok_or_else(|| {
                format!("keepalive mode {s:?}: use auto, nul, newline, command, ssh or off")
            })
    }
}

impl std::fmt::Display for KeepaliveMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::KeepaliveMode;

    #[test]
    fn every_spelling_round_trips_through_text_and_yaml() {
        for (m, name) in KeepaliveMode::NAMES {
            assert_eq!(name.parse::<KeepaliveMode>(), Ok(m));
            assert_eq!(m.to_string(), name);
            let y: KeepaliveMode = serde_norway::from_str(name).unwrap();
            assert_eq!(y, m);
        }
        assert!("ping".parse::<KeepaliveMode>().is_err());
    }
}
