//! The settings of one simulated device.

use std::path::PathBuf;
use std::time::Duration;

use netkeep_transport::Protocol;

use crate::error::SimError;
use crate::personality::{catalog_builtin, Catalog};

/// Settings of one simulated device.
///
/// ```
/// let mut cfg = netkeep_sim::DeviceConfig::new("cisco_ios");
/// assert_eq!(cfg.hostname, "R1");
/// cfg.vty_limit = Some(5);
/// ```
#[derive(Debug, Clone)]
pub struct DeviceConfig {
    /// Platform name or alias (Netmiko device_type, e.g. `hp_comware`, `cisco_xr`,
    /// `huawei_vrpv8`; see [`crate::platforms`]), or a platform of `personality_dir`.
    pub platform: String,
    /// Hostname shown in prompts (defaults per platform).
    pub hostname: String,
    /// Login user name (default `admin`).
    pub username: String,
    /// Login password (default `admin`); also the enable secret where the platform asks for
    /// one and [`DeviceConfig::enable_secret`] is unset.
    pub password: String,
    /// The enable secret: `None` = the platform's default (IOS, IOS-XR: the login password;
    /// EOS: none), `Some("")` = no enable secret configured (EOS `enable` goes straight in, IOS
    /// refuses with "% No password set"), `Some(s)` = `s`.
    pub enable_secret: Option<String>,
    /// How long a "minute" of the CLI's own timers lasts (`commit confirmed 1` rolls back after
    /// one); 60 s by default, shorter in tests.
    pub minute: Duration,
    /// How long a device stays down after a confirmed `reload`/`reboot`.
    pub reload_time: Duration,
    /// Sessions start in the privileged exec mode (`R1#`), as IOS does for a user with
    /// `privilege 15` logging in with `login local`; on platforms without privilege levels it
    /// changes nothing.
    pub privileged_login: bool,
    /// VTY idle timeout for new sessions: `None` = the platform's default, `Some(ZERO)` = off.
    pub idle_timeout: Option<Duration>,
    /// Concurrent sessions allowed; `None` = unlimited.
    pub vty_limit: Option<usize>,
    /// Delay before a correct password is accepted (slow AAA).
    pub login_delay: Duration,
    /// How long a session's VTY line stays taken once the client has disconnected, before the
    /// device frees it and closes its side of the connection: a device slow to tear a line
    /// down (SSH and telnet; over SSH also after the device ended the session itself). A client
    /// that logs in again before it saw the close is refused on a full VTY. Zero by default.
    pub hang_up_delay: Duration,
    /// Show the platform's login banner (Comware: "Press Y or ENTER to continue, N to exit.").
    pub banner: bool,
    /// Pad the running configuration to about this many lines (0 = a small lab config).
    pub config_lines: usize,
    /// OpenSSH private host key file; `None` = a fresh ed25519 key.
    pub host_key: Option<PathBuf>,
    /// A directory of personality files (`NAME.yaml`, the format of the built-in
    /// `personalities/`): new platforms, or replacements for built-in ones of the same name.
    pub personality_dir: Option<PathBuf>,
    /// A directory of platform files (as `netkeep --platform-dir`): their aliases select
    /// personalities too.
    pub platform_dir: Option<PathBuf>,
    /// What the device listens for: SSH (default) or telnet (the personality's `telnet:` login
    /// dialogue, then the same CLI). [`crate::SimDevice::listen`] adds the other one beside it,
    /// sharing the VTY lines.
    pub protocol: Protocol,
    /// Over telnet, `IAC NOP` and `DO TIMING-MARK` restart the idle timer too. Off by default:
    /// the telnet layer consumes them before the terminal sees anything — a model, since no
    /// vendor documents whether its idle timer counts them.
    pub telnet_nop_restarts_idle: bool,
}

impl DeviceConfig {
    /// Defaults for `platform`; an unknown platform is reported by [`crate::SimDevice::start`].
    pub fn new(platform: &str) -> DeviceConfig {
        let hostname = catalog_builtin(platform)
            .map(|p| p.default_hostname.clone())
            .unwrap_or_default();
        DeviceConfig {
            platform: platform.to_string(),
            hostname,
            username: "admin".into(),
            password: "admin".into(),
            enable_secret: None,
            minute: Duration::from_secs(60),
            reload_time: Duration::from_secs(3),
            privileged_login: false,
            idle_timeout: None,
            vty_limit: None,
            login_delay: Duration::ZERO,
            hang_up_delay: Duration::ZERO,
            banner: false,
            config_lines: 0,
            host_key: None,
            personality_dir: None,
            platform_dir: None,
            protocol: Protocol::Ssh,
            telnet_nop_restarts_idle: false,
        }
    }

    /// Defaults for `platform` looked up in `personality_dir` and `platform_dir` too (see the
    /// fields of the same names); fails, saying which platforms there are, when none matches.
    ///
    /// ```
    /// let cfg = netkeep_sim::DeviceConfig::with_dirs("iosxr", None, None).unwrap();
    /// assert_eq!(cfg.hostname, "R1");
    /// assert!(netkeep_sim::DeviceConfig::with_dirs("foo_os", None, None).is_err());
    /// ```
    pub fn with_dirs(
        platform: &str,
        personality_dir: Option<PathBuf>,
        platform_dir: Option<PathBuf>,
    ) -> Result<DeviceConfig, SimError> {
        let catalog = Catalog {
            personality_dir: personality_dir.as_deref(),
            platform_dir: platform_dir.as_deref(),
        };
        let hostname = catalog.find(platform)?.default_hostname.clone();
        Ok(DeviceConfig {
            hostname,
            personality_dir,
            platform_dir,
            ..DeviceConfig::new(platform)
        })
    }
}
