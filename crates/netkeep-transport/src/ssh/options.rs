//! What the SSH transport needs to reach one device: address, credentials, host-key policy,
//! algorithms, terminal size.

use std::path::PathBuf;
use std::time::Duration;

use super::algorithm_list::Algorithms;
use super::identities::Identities;
use super::route::Route;
use crate::hostkeys::HostKeyPolicy;
use crate::secret::Secret;

/// How to prove who we are.
///
/// ```
/// use netkeep_transport::{Auth, Secret};
/// let a = Auth::PublicKey { path: "/home/me/.ssh/id_ed25519".into(), passphrase: None };
/// let b = Auth::Password(Secret::new("admin"));
/// # let _ = (a, b);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// Password auth; uses keyboard-interactive with the same password instead when the device
    /// offers only that (many network devices do). The password is sent once per login.
    Password(Secret),
    /// Keyboard-interactive, answering every hidden prompt with the secret.
    KeyboardInteractive(Secret),
    /// A private key file (OpenSSH or PEM format), optionally encrypted with a passphrase.
    PublicKey {
        /// The key file.
        path: PathBuf,
        /// Its passphrase, if it is encrypted.
        passphrase: Option<Secret>,
    },
    /// Keys as OpenSSH tries them: the agent's and key files, in OpenSSH's order.
    Identities(Identities),
}

impl Auth {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Auth::Password(_) => "password",
            Auth::KeyboardInteractive(_) => "keyboard-interactive",
            Auth::PublicKey { .. } | Auth::Identities(_) => "publickey",
        }
    }
}

/// Everything the SSH transport needs to reach one device.
///
/// ```
/// use netkeep_transport::{ssh::SshOptions, Auth, HostKeyPolicy, Secret};
/// let mut o = SshOptions::new("10.0.0.1", 22, "admin", Auth::Password(Secret::new("x")));
/// o.host_key_policy = HostKeyPolicy::Strict;
/// o.legacy_algorithms = true;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SshOptions {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Login user name.
    pub username: String,
    /// How to authenticate.
    pub auth: Auth,
    /// Label used in errors and logs; defaults to `host:port`.
    pub device: String,
    /// What to do with the device's host key.
    pub host_key_policy: HostKeyPolicy,
    /// netkeep's own known_hosts file; `None` = [`crate::default_known_hosts_file`].
    pub known_hosts_file: Option<PathBuf>,
    /// Also consult OpenSSH's `~/.ssh/known_hosts` under the strict policy.
    pub use_openssh_known_hosts: bool,
    /// Bound on TCP connect + SSH handshake + authentication + shell.
    pub connect_timeout: Duration,
    /// Offer old algorithms (group14/group1-sha1, gex-sha1, aes-cbc, 3des-cbc, hmac-sha1) after
    /// the modern ones, for old gear.
    pub legacy_algorithms: bool,
    /// SSH-level keepalive (detects dead peers; does not restart a device's idle timer).
    pub ssh_keepalive: Option<Duration>,
    /// Unanswered SSH keepalives before the connection is declared dead (ssh_config
    /// `ServerAliveCountMax`; default 2).
    pub ssh_keepalive_max: usize,
    /// How the connection reaches `host:port` (directly, jump hosts, a ProxyCommand).
    pub route: Route,
    /// Changes to the algorithm lists (ssh_config `KexAlgorithms`, `Ciphers`, ...), applied
    /// after `legacy_algorithms`.
    pub algorithms: Algorithms,
    /// Terminal type and size requested for the PTY. Wide, so devices do not wrap long lines.
    pub term: String,
    /// Terminal width in columns.
    pub cols: u32,
    /// Terminal height in rows.
    pub rows: u32,
}

impl SshOptions {
    /// Options with defaults: accept-new host keys, 10 s connect timeout, modern algorithms.
    pub fn new(
        host: impl Into<String>,
        port: u16,
        username: impl Into<String>,
        auth: Auth,
    ) -> Self {
        let host = host.into();
        SshOptions {
            device: format!("{host}:{port}"),
            host,
            port,
            username: username.into(),
            auth,
            host_key_policy: HostKeyPolicy::AcceptNew,
            known_hosts_file: None,
            use_openssh_known_hosts: true,
            connect_timeout: Duration::from_secs(10),
            legacy_algorithms: false,
            ssh_keepalive: None,
            ssh_keepalive_max: 2,
            route: Route::Direct,
            algorithms: Algorithms::default(),
            term: "vt100".into(),
            cols: 511,
            rows: 24,
        }
    }

    /// `host:port` (`[v6]:port`), as dialled.
    pub fn addr(&self) -> String {
        if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}
