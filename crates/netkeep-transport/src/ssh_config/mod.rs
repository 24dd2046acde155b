//! OpenSSH client configuration (`~/.ssh/config`, ssh_config(5)): read a file once, look hosts
//! up in it. What netkeep honours: `Host` (patterns, `!` negation), `Match` (`all`, `host`,
//! `originalhost`, `user`, `localuser`; other criteria warn and skip their block), `Include`,
//! `HostName`, `Port`, `User`, `IdentityFile`, `IdentitiesOnly`, `IdentityAgent`, `ProxyJump`,
//! `ProxyCommand`, `StrictHostKeyChecking`, `UserKnownHostsFile`, `ConnectTimeout`,
//! `ServerAliveInterval`, `ServerAliveCountMax`, `KexAlgorithms`, `HostKeyAlgorithms`,
//! `Ciphers`, `MACs` (with `+`, `-`, `^`). The first value found for a keyword wins
//! (IdentityFile adds up); `%h %p %r %n %u %d %%` are expanded. Other keywords are ignored with
//! a debug line; a malformed value is an error at its file:line.
//!
//! ```
//! use netkeep_transport::ssh_config::{Proxy, Query, SshConfig};
//! let cfg = SshConfig::parse_str(
//!     "Host core-*\n  User netops\n  ProxyJump ops@bastion:2222\nHost *\n  User nobody\n  Port 2200\n",
//!     "inline",
//! ).unwrap();
//! let h = cfg.lookup(&Query::host("core-sw1")).unwrap();
//! assert_eq!(h.user.as_deref(), Some("netops")); // first match wins
//! assert_eq!(h.port, Some(2200));
//! assert!(matches!(h.proxy, Some(Proxy::Jump(ref hops)) if hops[0].host == "bastion"));
//! ```

mod jump_target;
mod lexer;
mod load;
mod lookup;
pub(crate) mod pattern;
mod reach;
mod settings;
pub(crate) mod tokens;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use jump_target::JumpTarget;
pub use reach::{identities, HopDefaults, RouteError};

use crate::hostkeys::HostKeyPolicy;
use crate::ssh::{AgentSocket, Algorithms};

/// A bad ssh_config: the file, the line when known, what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// The file at fault.
    pub file: PathBuf,
    /// 1-based line, when the fault is on one.
    pub line: Option<usize>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// A parsed ssh_config (and what it includes).
#[derive(Debug, Default)]
pub struct SshConfig {
    loaded: load::Loaded,
    /// The file read (`None` for an empty config).
    pub file: Option<PathBuf>,
}

/// What to look up: the host as given, and what the command line already says (it wins over
/// the file, and `%r`/`%p` and `Match user` see it).
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    /// The host name as given (an alias, a name or an address).
    pub host: &'a str,
    /// The user given outside the file, if any.
    pub user: Option<&'a str>,
    /// The port given outside the file, if any.
    pub port: Option<u16>,
}

impl<'a> Query<'a> {
    /// A host with nothing given besides.
    pub fn host(host: &'a str) -> Query<'a> {
        Query {
            host,
            user: None,
            port: None,
        }
    }
}

/// How the connection reaches the host, as the file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proxy {
    /// `ProxyJump none` / `ProxyCommand none`: directly, whatever later lines say.
    None,
    /// `ProxyJump`: through these hops, first hop first.
    Jump(Vec<JumpTarget>),
    /// `ProxyCommand`, tokens expanded: run with `sh -c`, its stdin/stdout carry the SSH stream.
    Command(String),
}

/// One host's settings from the file; `None`/empty where the file says nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HostConfig {
    /// `HostName`, `%h` expanded.
    pub hostname: Option<String>,
    /// `Port`.
    pub port: Option<u16>,
    /// `User`.
    pub user: Option<String>,
    /// `IdentityFile`s in order, expanded.
    pub identity_files: Vec<PathBuf>,
    /// `IdentitiesOnly`.
    pub identities_only: Option<bool>,
    /// `IdentityAgent`.
    pub identity_agent: Option<AgentSocket>,
    /// `ProxyJump` or `ProxyCommand`, whichever came first.
    pub proxy: Option<Proxy>,
    /// `StrictHostKeyChecking`: `yes` is strict; `accept-new` and `no` accept new keys (netkeep
    /// still refuses a changed key); `ask` leaves netkeep's policy.
    pub host_key_policy: Option<HostKeyPolicy>,
    /// `UserKnownHostsFile`s (the first is written under accept-new).
    pub known_hosts_files: Vec<PathBuf>,
    /// `ConnectTimeout`.
    pub connect_timeout: Option<Duration>,
    /// `ServerAliveInterval` (the SSH-level keepalive; zero: off).
    pub server_alive_interval: Option<Duration>,
    /// `ServerAliveCountMax`.
    pub server_alive_count_max: Option<u32>,
    /// The algorithm lines.
    pub algorithms: Algorithms,
}

impl SshConfig {
    /// Reads a file and what it includes.
    pub fn load(path: &Path) -> Result<SshConfig, ConfigError> {
        Ok(SshConfig {
            loaded: load::load(path)?,
            file: Some(path.to_path_buf()),
        })
    }

    /// Parses text as if read from `file` (named in errors; Includes are read from disk).
    pub fn parse_str(text: &str, file: impl AsRef<Path>) -> Result<SshConfig, ConfigError> {
        Ok(SshConfig {
            loaded: load::load_str(text, file.as_ref())?,
            file: Some(file.as_ref().to_path_buf()),
        })
    }

    /// No configuration at all (`--ssh-config none`).
    pub fn empty() -> SshConfig {
        SshConfig::default()
    }

    /// `~/.ssh/config` when it exists, as OpenSSH reads it by default.
    pub fn default_file() -> Option<PathBuf> {
        dirs::home_dir()
            .map(|h| h.join(".ssh").join("config"))
            .filter(|p| p.is_file())
    }

    /// What deserves a warning (unsupported Match criteria, algorithms russh lacks), each with
    /// its file:line. Never contains a secret.
    pub fn warnings(&self) -> &[String] {
        &self.loaded.warnings
    }

    /// The settings for one host. Errs only when a value cannot be expanded (an unset
    /// `${VAR}`), naming it.
    pub fn lookup(&self, q: &Query<'_>) -> Result<HostConfig, ConfigError> {
        lookup::lookup(&self.loaded, q).map_err(|message| ConfigError {
            file: self.file.clone().unwrap_or_default(),
            line: None,
            message: format!("host {}: {message}", q.host),
        })
    }
}

#[cfg(test)]
mod tests;
