//! Which transport reaches a device.

use std::fmt;
use std::str::FromStr;

/// The protocol a device is reached over. SSH unless something says telnet explicitly (an
/// option, an inventory's `protocol: telnet`, or a Netmiko `<platform>_telnet` name): netkeep
/// never falls back from SSH to telnet on its own.
///
/// ```
/// use netkeep_transport::Protocol;
/// let p: Protocol = "telnet".parse().unwrap();
/// assert_eq!(p.default_port(), 23);
/// assert_eq!(Protocol::default(), Protocol::Ssh);
/// assert!("rsh".parse::<Protocol>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize, serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Protocol {
    /// SSH (russh): encrypted, host keys checked.
    #[default]
    Ssh,
    /// Telnet: everything in clear, the password included.
    Telnet,
}

impl Protocol {
    /// The usual port: 22 for SSH, 23 for telnet.
    pub fn default_port(self) -> u16 {
        match self {
            Protocol::Ssh => 22,
            Protocol::Telnet => 23,
        }
    }
}

impl FromStr for Protocol {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ssh" => Ok(Protocol::Ssh),
            "telnet" => Ok(Protocol::Telnet),
            other => Err(format!("protocol {other:?}: use ssh or telnet")),
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Ssh => "ssh",
            Protocol::Telnet => "telnet",
        })
    }
}
