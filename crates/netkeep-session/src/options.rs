//! Connection, command and keepalive options.

use std::path::PathBuf;
use std::time::Duration;

use netkeep_platform::KeepaliveMode;
use netkeep_transport::ssh::{Algorithms, Route};
use netkeep_transport::{Auth, HostKeyPolicy, Protocol, Secret};

use crate::session_log::SessionLog;

/// Keepalive task settings.
///
/// ```
/// use netkeep_session::{KeepaliveConfig, KeepaliveMode};
/// // interval = idle timeout / 3
/// let k = KeepaliveConfig { mode: KeepaliveMode::Nul, ..KeepaliveConfig::default() };
/// let c: KeepaliveConfig = "command:display clock".parse().unwrap();
/// assert_eq!((c.mode, c.command.as_deref()), (KeepaliveMode::Command, Some("display clock")));
/// # let _ = k;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeepaliveConfig {
    /// What the keepalive writes.
    pub mode: KeepaliveMode,
    /// `None`: a third of the idle timeout (the device's, else the platform default); no task if
    /// neither is known.
    pub interval: Option<Duration>,
    /// The command for [`KeepaliveMode::Command`]; `None` = the platform file's keepalive command
    /// (connecting fails with [`ErrorKind::InvalidInput`](crate::ErrorKind) if it has none).
    pub command: Option<String>,
}

impl From<KeepaliveMode> for KeepaliveConfig {
    /// The mode with the default interval and the platform's command.
    fn from(mode: KeepaliveMode) -> Self {
        KeepaliveConfig {
            mode,
            ..KeepaliveConfig::default()
        }
    }
}

impl std::str::FromStr for KeepaliveConfig {
    type Err = String;
    /// A mode (`auto`, `nul`, `newline`, `ssh`, `off`) or `command:<cli command>`; the interval
    /// is left to its default.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (mode, command) = match s.strip_prefix("command:") {
            Some(c) if !c.trim().is_empty() => (KeepaliveMode::Command, Some(c.trim().to_string())),
            Some(_) => return Err("keepalive mode command: give the command, command:<cmd>".into()),
            None => match s.parse()? {
                KeepaliveMode::Command => {
                    return Err("keepalive mode command: give the command, command:<cmd>".into())
                }
                m => (m, None),
            },
        };
        Ok(KeepaliveConfig {
            mode,
            command,
            interval: None,
        })
    }
}

/// Keepalive counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeepaliveStats {
    /// Keepalives sent (task and `is_alive`).
    pub sent: u64,
    /// Keepalives that failed (write error, no answer, session gone).
    pub failures: u64,
    /// Keepalives that asked the SSH layer (a ping) for proof of life. A device that echoes the
    /// NUL back (Comware) proves itself with the echo, so after the first keepalive this stays
    /// flat unless the echo is late; a device that swallows NUL (VRP, IOS) needs one each time.
    pub pings: u64,
    /// Round trip of the last successful keepalive.
    pub last_rtt: Option<Duration>,
    /// The task's interval (`None`: no task).
    pub interval: Option<Duration>,
}

/// Options for one command.
///
/// ```
/// use std::time::Duration;
/// use netkeep_session::CommandOptions;
/// let o = CommandOptions { expect: Some(r"\[Y/N\]".into()), read_timeout: Duration::from_secs(60) };
/// # let _ = o;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOptions {
    /// Regex that ends the read instead of the prompt (searched in the new output).
    pub expect: Option<String>,
    /// How long to wait for the prompt (or `expect`).
    pub read_timeout: Duration,
}

impl Default for CommandOptions {
    fn default() -> Self {
        CommandOptions {
            expect: None,
            read_timeout: Duration::from_secs(30),
        }
    }
}

/// How to reach a device and how to treat the session. The fields marked SSH are used by
/// [`crate::Session::connect`] only; [`crate::Session::with_transport`] uses the others.
///
/// Telnet is used only when asked: `.protocol(Protocol::Telnet)` or a Netmiko
/// `<platform>_telnet` name (`hp_comware_telnet`); it logs in with the password typed at the
/// device's prompts, in clear.
///
/// ```
/// use std::time::Duration;
/// use netkeep_session::{Auth, ConnectOptions, HostKeyPolicy, Secret};
/// let o = ConnectOptions::new("127.0.0.1", 2222, "hp_comware")
///     .username("admin")
///     .auth(Auth::Password(Secret::new("admin")))
///     .host_key_policy(HostKeyPolicy::AcceptNew)
///     .idle_timeout(Some(Duration::from_secs(600)))
///     .device_name("core-sw1");
/// # let _ = o;
/// ```
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// SSH (default) or telnet; a `<platform>_telnet` platform name selects telnet too.
    pub protocol: Protocol,
    /// Platform name or alias (Netmiko device_type).
    pub platform: String,
    /// Login user name.
    pub username: String,
    /// How to authenticate (over telnet: the password, typed at the device's prompt). A
    /// password here is typed at an enable password prompt only when privileged mode is asked
    /// for explicitly ([`ConnectOptions::enable`], [`crate::Session::enable`]) and no enable
    /// secret is given.
    pub auth: Auth,
    /// What to do with the device's host key (SSH).
    pub host_key_policy: HostKeyPolicy,
    /// netkeep's own known_hosts file (default under the user's data dir).
    pub known_hosts_file: Option<PathBuf>,
    /// Bound on connect + login + first prompt + preparation.
    pub connect_timeout: Duration,
    /// Offer old algorithms after the modern ones (SSH, old gear).
    pub legacy_algorithms: bool,
    /// The device's idle timeout, if known (`Some(ZERO)`: none).
    pub idle_timeout: Option<Duration>,
    /// Keepalive strategy and interval.
    pub keepalive: KeepaliveConfig,
    /// Label for errors and logs (default `host:port`).
    pub device_name: Option<String>,
    /// The enable secret (Netmiko's `secret`), typed at an enable password prompt wherever
    /// one comes (explicit `enable`, or on the way to configuration mode). Without it, an
    /// explicit request types the login password, and nothing else types anything: a mode
    /// change that meets a password prompt closes the session and fails with
    /// [`crate::Error::PrivilegeRefused`]. `Some("")` types an empty line (Netmiko's default).
    pub enable_secret: Option<Secret>,
    /// Enter privileged mode at session preparation (`Some(true)`), or not (`Some(false)`);
    /// `None`: as the platform file says (`enable.at_login`). Where the platform has no
    /// privileged mode this does nothing.
    pub enable: Option<bool>,
    /// Record the session's traffic in this file (Netmiko's `session_log`), secrets masked.
    pub session_log: Option<SessionLog>,
    /// Extra/override platform files.
    pub platform_dir: Option<PathBuf>,
    /// Default read timeout for commands.
    pub read_timeout: Duration,
    /// Bound on the link probe (SSH ping, telnet TIMING-MARK) inside `is_alive` and the
    /// keepalive task.
    pub probe_timeout: Duration,
    /// SSH-level keepalive interval (dead-peer detection by russh; off by default).
    pub ssh_keepalive: Option<Duration>,
    /// Unanswered SSH-level keepalives before the peer is declared dead (ssh_config
    /// `ServerAliveCountMax`; default 2).
    pub ssh_keepalive_max: usize,
    /// How the SSH connection reaches the device: directly (default), through jump hosts, or
    /// a ProxyCommand (SSH).
    pub route: Route,
    /// Changes to the SSH algorithm lists (ssh_config `KexAlgorithms`, `Ciphers`, ...).
    pub algorithms: Algorithms,
}

impl ConnectOptions {
    /// Options for `host:port` as `platform`, user `admin`, empty password, accept-new.
    pub fn new(host: impl Into<String>, port: u16, platform: impl Into<String>) -> Self {
        ConnectOptions {
            host: host.into(),
            port,
            protocol: Protocol::Ssh,
            platform: platform.into(),
            username: "admin".into(),
            auth: Auth::Password(Secret::new("")),
            host_key_policy: HostKeyPolicy::AcceptNew,
            known_hosts_file: None,
            connect_timeout: Duration::from_secs(10),
            legacy_algorithms: false,
            idle_timeout: None,
            keepalive: KeepaliveConfig::default(),
            device_name: None,
            enable_secret: None,
            enable: None,
            session_log: None,
            platform_dir: None,
            read_timeout: Duration::from_secs(30),
            probe_timeout: Duration::from_secs(5),
            ssh_keepalive: None,
            ssh_keepalive_max: 2,
            route: Route::Direct,
            algorithms: Algorithms::default(),
        }
    }

    /// SSH or telnet (telnet only when asked: it sends the password in clear).
    pub fn protocol(mut self, p: Protocol) -> Self {
        self.protocol = p;
        self
    }

    /// The protocol in effect and the platform name without its `_telnet` suffix: telnet if
    /// asked for by [`ConnectOptions::protocol`] or by a Netmiko `<platform>_telnet` name.
    ///
    /// ```
    /// use netkeep_session::{ConnectOptions, Protocol};
    /// let o = ConnectOptions::new("sw1", 23, "hp_comware_telnet");
    /// assert_eq!(o.resolved_protocol(), (Protocol::Telnet, "hp_comware"));
    /// let o = ConnectOptions::new("sw1", 22, "hp_comware");
    /// assert_eq!(o.resolved_protocol(), (Protocol::Ssh, "hp_comware"));
    /// ```
    pub fn resolved_protocol(&self) -> (Protocol, &str) {
        match netkeep_platform::telnet_platform(&self.platform) {
            Some(base) => (Protocol::Telnet, base),
            None => (self.protocol, &self.platform),
        }
    }

    /// Login user name.
    pub fn username(mut self, u: impl Into<String>) -> Self {
        self.username = u.into();
        self
    }
    /// How to authenticate (password, keyboard-interactive, key file).
    pub fn auth(mut self, a: Auth) -> Self {
        self.auth = a;
        self
    }
    /// Host-key policy (default accept-new).
    pub fn host_key_policy(mut self, p: HostKeyPolicy) -> Self {
        self.host_key_policy = p;
        self
    }
    /// netkeep's own known_hosts file.
    pub fn known_hosts_file(mut self, f: impl Into<PathBuf>) -> Self {
        self.known_hosts_file = Some(f.into());
        self
    }
    /// Bound on connect, login, first prompt and preparation.
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }
    /// Offer old algorithms after the modern ones (old gear).
    pub fn legacy_algorithms(mut self, on: bool) -> Self {
        self.legacy_algorithms = on;
        self
    }
    /// The device's idle timeout, if known (`Some(ZERO)`: none); sets the keepalive interval.
    pub fn idle_timeout(mut self, t: Option<Duration>) -> Self {
        self.idle_timeout = t;
        self
    }
    /// Keepalive strategy and interval: a [`KeepaliveConfig`], or just a [`KeepaliveMode`] (the
    /// interval a third of the idle timeout).
    pub fn keepalive(mut self, k: impl Into<KeepaliveConfig>) -> Self {
        self.keepalive = k.into();
        self
    }
    /// Label used in errors and logs.
    pub fn device_name(mut self, n: impl Into<String>) -> Self {
        self.device_name = Some(n.into());
        self
    }
    /// The enable secret (see [`ConnectOptions::enable_secret`](ConnectOptions#structfield.enable_secret)).
    pub fn enable_secret(mut self, s: Secret) -> Self {
        self.enable_secret = Some(s);
        self
    }
    /// Enter privileged mode at session preparation (or not, overriding the platform file).
    pub fn enable(mut self, on: bool) -> Self {
        self.enable = Some(on);
        self
    }
    /// Record the session's traffic in a transcript file, secrets masked.
    ///
    /// ```
    /// use netkeep_session::{ConnectOptions, SessionLog};
    /// let o = ConnectOptions::new("10.0.0.1", 22, "cisco_ios").session_log(SessionLog::new("r1.log"));
    /// # let _ = o;
    /// ```
    pub fn session_log(mut self, log: SessionLog) -> Self {
        self.session_log = Some(log);
        self
    }
    /// Directory of extra or overriding platform files.
    pub fn platform_dir(mut self, d: impl Into<PathBuf>) -> Self {
        self.platform_dir = Some(d.into());
        self
    }
    /// Default read timeout per command.
    pub fn read_timeout(mut self, t: Duration) -> Self {
        self.read_timeout = t;
        self
    }
    /// Bound on the SSH ping inside `is_alive` and the keepalive.
    pub fn probe_timeout(mut self, t: Duration) -> Self {
        self.probe_timeout = t;
        self
    }
    /// SSH-level keepalive interval (dead-peer detection; does not restart idle timers).
    pub fn ssh_keepalive(mut self, t: Option<Duration>) -> Self {
        self.ssh_keepalive = t;
        self
    }

    /// How the SSH connection reaches the device (jump hosts, a ProxyCommand).
    ///
    /// ```
    /// use netkeep_session::{Auth, ConnectOptions, Secret};
    /// use netkeep_transport::ssh::{Route, SshOptions};
    /// let bastion = SshOptions::new("198.51.100.1", 22, "ops", Auth::Password(Secret::new("x")));
    /// let o = ConnectOptions::new("10.0.0.1", 22, "cisco_ios").route(Route::Jump(Box::new(bastion)));
    /// # let _ = o;
    /// ```
    pub fn route(mut self, r: Route) -> Self {
        self.route = r;
        self
    }

    /// The label used in errors.
    pub fn device(&self) -> String {
        self.device_name
            .clone()
            .unwrap_or_else(|| format!("{}:{}", self.host, self.port))
    }
}
