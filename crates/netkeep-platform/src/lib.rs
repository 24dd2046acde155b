//! Network device platforms as data: the one place a vendor's CLI quirks are written down.
//!
//! Each platform is one YAML file (`platforms/<name>.yaml`, embedded at build time: adding the
//! file is the whole change): prompt patterns per mode, transitions between modes, session
//! preparation (paging off, width, banner answers), failure indicators, configuration mode,
//! save/commit with their confirmation prompts, the keepalive strategy that restarts the device's
//! idle timer, the messages a device prints when it closes a session, the login dialogue over
//! telnet (`telnet_login:`; Netmiko's `<platform>_telnet` names: [`telnet_platform`]), and every alias the
//! platform answers to (Netmiko spellings and NAPALM names alike). Users can add or override
//! platforms from a directory of `*.yaml` files ([`Registry::with_dir`]).
//!
//! Where it sits: platform data feeds the session (netkeep-session drives a device with it) and
//! the simulator (netkeep-sim resolves platform names and aliases through it) alike; it depends
//! on nothing of netkeep's. Names are Netmiko's `device_type` names.
//!
//! ```
//! let p = netkeep_platform::builtin("cisco_xe").unwrap();   // alias of cisco_ios
//! assert_eq!(p.name(), "cisco_ios");
//! assert_eq!(p.mode_of("R1(config-if)#").map(|m| m.name.as_str()), Some("config"));
//! assert!(p.failure_in("% Invalid input detected at '^' marker.").is_some());
//! assert_eq!(netkeep_platform::canonical("junos"), Some("juniper_junos")); // NAPALM name
//! ```
#![warn(missing_docs)]

mod error;
mod keepalive;
mod platform;
mod registry;
mod spec;
mod telnet_login;

pub use error::PlatformError;
pub use keepalive::KeepaliveMode;
pub use platform::{CloseReason, Mode, Platform};
pub use registry::Registry;
pub use spec::{
    ActionSpec, Answer, CloseReasons, CommitSpec, ConfigSpec, EnableSpec, KeepaliveSpec, ModeSpec,
    PagerSpec, PlatformSpec, PrepareCommand, TelnetLoginSpec, Transition,
};
pub use telnet_login::{telnet_platform, TelnetLogin};

use std::sync::Arc;

/// A built-in platform by name or alias.
pub fn builtin(name: &str) -> Result<Arc<Platform>, PlatformError> {
    Registry::builtin().get(name)
}

/// Canonical names of the built-in platforms.
pub fn builtin_names() -> Vec<String> {
    Registry::builtin().names()
}

/// The canonical name of a built-in platform given its name or any alias, NAPALM names
/// included (`ios`, `iosxr`, `nxos`, `junos`, `eos`, `comware`, `vrp`); `None` when unknown.
/// With a user platform directory use [`Registry::canonical_name`] on [`Registry::with_dir`].
///
/// ```
/// assert_eq!(netkeep_platform::canonical("ios"), Some("cisco_ios"));
/// assert_eq!(netkeep_platform::canonical("h3c"), Some("hp_comware"));
/// assert_eq!(netkeep_platform::canonical("foo_os"), None);
/// ```
pub fn canonical(name: &str) -> Option<&'static str> {
    Registry::builtin().canonical_name(name)
}

#[cfg(test)]
mod tests;
