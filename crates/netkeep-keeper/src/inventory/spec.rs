//! The inventory's public types: a loaded [`Inventory`], each device's resolved
//! [`DeviceSpec`], and the [`InventoryError`] that points at the file, line and column at fault.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value};

/// A secret string (password, passphrase): the transport's own type, whose `Debug` and
/// `Display` never show the value.
///
/// ```
/// let s = netkeep_keeper::inventory::Secret::new("hunter2");
/// assert!(!format!("{s:?} {s}").contains("hunter2"));
/// assert_eq!(s.expose(), "hunter2");
/// ```
pub use netkeep::Secret;

/// A session transcript file (`session_log` in the inventory): the session library's own type.
pub use netkeep::SessionLog;

/// What the keeper writes to keep a session alive: the session's own type (`nul`, `newline`,
/// `command`, `ssh`, `off`; `auto` = the platform's).
pub use netkeep::KeepaliveMode;

/// Host key checking: the transport's own type (`accept_new`, default; `strict`; `insecure`).
pub use netkeep::HostKeyPolicy;

/// How the keeper authenticates to a device.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credential {
    /// Password (also used for keyboard-interactive).
    Password(Secret),
    /// Private key file, with an optional passphrase.
    KeyFile {
        /// Path of the private key.
        path: PathBuf,
        /// Passphrase of the key, from `password_env` / `password_file` when given.
        passphrase: Option<Secret>,
    },
    /// Keys as OpenSSH tries them: the ssh_config's IdentityFiles and the ssh-agent.
    Keys(netkeep_transport::ssh::Identities),
}

impl Credential {
    /// The transport's authentication for this credential.
    pub fn auth(&self) -> netkeep::Auth {
        match self {
            Credential::Password(p) => netkeep::Auth::Password(p.clone()),
            Credential::KeyFile { path, passphrase } => netkeep::Auth::PublicKey {
                path: path.clone(),
                passphrase: passphrase.clone(),
            },
            Credential::Keys(ids) => netkeep::Auth::Identities(ids.clone()),
        }
    }
}

/// Keepalive settings; `None` fields mean "the platform's default".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeepaliveSpec {
    /// Strategy; `None` = the platform's.
    pub mode: Option<KeepaliveMode>,
    /// Interval; `None` = a third of the idle timeout.
    pub interval: Option<Duration>,
    /// The command for `mode: command`.
    pub command: Option<String>,
    /// How long a keepalive waits for the device's answer before declaring the session dead;
    /// `None` = the session library's default (5 s). Raise it for slow devices or busy hosts.
    pub probe_timeout: Option<Duration>,
}

impl KeepaliveSpec {
    /// True when keepalive is switched off.
    pub fn is_off(&self) -> bool {
        self.mode == Some(KeepaliveMode::Off)
    }
}

/// One device, fully resolved (host > groups > defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceSpec {
    /// Inventory name (the key under `hosts`).
    pub name: String,
    /// Address to connect to (defaults to the name).
    pub hostname: String,
    /// Port (default 22, or 23 over telnet).
    pub port: u16,
    /// SSH, or telnet when the inventory says so (`protocol: telnet` or a `<platform>_telnet`
    /// name).
    pub protocol: netkeep::Protocol,
    /// Login user.
    pub username: String,
    /// Netmiko-style platform name (`hp_comware`, `huawei`, `cisco_ios`, ...).
    pub platform: String,
    /// Every group the host is in, directly or through parent groups, in resolution order.
    pub groups: Vec<String>,
    /// Merged `data` (host keys over groups over defaults).
    pub data: Map<String, Value>,
    /// How to log in.
    pub credential: Credential,
    /// The enable secret (`secret`, `secret_env`, `secret_file`, or Nornir's netmiko extras
    /// `secret`): typed at an enable password prompt. Without it, only an explicit `enable:
    /// true` types the login password there.
    pub enable_secret: Option<Secret>,
    /// Enter privileged mode at session preparation (`enable`); `None`: as the platform file
    /// says.
    pub enable: Option<bool>,
    /// Transcript of each session (`session_log`), secrets masked.
    pub session_log: Option<SessionLog>,
    /// Keepalive settings.
    pub keepalive: KeepaliveSpec,
    /// The device's idle timeout; `None` = the platform's default, zero = none.
    pub idle_timeout: Option<Duration>,
    /// Sessions the keeper may hold to this device (VTY lines it may use), at least 1.
    pub max_sessions: usize,
    /// Recycle a session older than this (before a device's absolute timeout).
    pub max_age: Option<Duration>,
    /// Connect at start (`true`, default) or on first use.
    pub warm: bool,
    /// Offer legacy SSH algorithms (old gear).
    pub legacy_algorithms: bool,
    /// Host key checking.
    pub host_key_policy: HostKeyPolicy,
    /// known_hosts file; `None` = netkeep's own.
    pub known_hosts_file: Option<PathBuf>,
    /// TCP + SSH handshake + login time limit.
    pub connect_timeout: Duration,
    /// Directory of user platform files the session loads `platform` from (besides the
    /// built-in platforms); the same for every device of an inventory.
    pub platform_dir: Option<PathBuf>,
    /// How the device is reached: directly, through jump hosts (`jump_host`, the ssh_config's
    /// ProxyJump) or a ProxyCommand. The daemon shares one connection per jump host.
    pub route: netkeep_transport::ssh::Route,
    /// SSH settings only the ssh_config gives: algorithm lists, ServerAliveInterval/CountMax.
    pub ssh: SshSettings,
}

/// SSH settings from the ssh_config (nothing in the inventory sets them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SshSettings {
    /// `KexAlgorithms`, `HostKeyAlgorithms`, `Ciphers`, `MACs`.
    pub algorithms: netkeep_transport::ssh::Algorithms,
    /// `ServerAliveInterval`: the SSH-level keepalive (not the in-band one).
    pub server_alive_interval: Option<Duration>,
    /// `ServerAliveCountMax`.
    pub server_alive_count_max: Option<u32>,
}

/// Which OpenSSH client configuration an inventory is read with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SshConfigSource {
    /// The inventory's `ssh_config_file`, else none: nothing is read from the user's home
    /// unasked (the library's default).
    #[default]
    InventoryOnly,
    /// The inventory's `ssh_config_file`, else `~/.ssh/config` when it exists, as OpenSSH
    /// reads it (what `netkeep serve` and `netkeep exec` do).
    InventoryOrHome,
    /// This file, whatever the inventory says (`--ssh-config FILE`).
    File(PathBuf),
    /// None (`--ssh-config none`).
    Off,
}

/// A loaded, validated inventory.
#[derive(Debug, Clone)]
pub struct Inventory {
    /// Devices by name.
    pub devices: BTreeMap<String, DeviceSpec>,
    /// Members of each group (direct or through nested groups), by group name.
    pub groups: BTreeMap<String, Vec<String>>,
    /// Things that load but deserve attention (plain passwords, keepalive slower than the
    /// idle timeout...). Never contain a secret.
    pub warnings: Vec<String>,
    /// Where it was loaded from.
    pub source: PathBuf,
    /// The user platform directory in effect (`--platform-dir`, else the inventory's
    /// `defaults: platform_dir`), if any.
    pub platform_dir: Option<PathBuf>,
}

/// Settings for reading an inventory that come from the command line, not from the file.
///
/// ```no_run
/// use netkeep_keeper::inventory::{Inventory, LoadOptions};
/// let opts = LoadOptions { platform_dir: Some("/etc/netkeep/platforms".into()), ..Default::default() };
/// let inv = Inventory::load_with("netkeep.yaml".as_ref(), &opts).unwrap();
/// assert!(inv.platform_dir.is_some());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Directory of user platform files (`netkeep serve --platform-dir`): platform names are
    /// checked against the built-in platforms plus these files, and sessions load them. Takes
    /// precedence over the inventory's own `platform_dir` (with a warning when they differ).
    pub platform_dir: Option<PathBuf>,
    /// The OpenSSH client configuration to read (`--ssh-config`).
    pub ssh_config: SshConfigSource,
}

/// A bad inventory: where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InventoryError {
    /// The file at fault.
    pub file: PathBuf,
    /// 1-based line and column, when known.
    pub location: Option<(usize, usize)>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for InventoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some((l, c)) => write!(f, "{}:{l}:{c}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}
