//! The production [`Connector`]: SSH (or telnet, where the inventory says so) sessions of the
//! netkeep session library ([`netkeep::Session`]). Inventory settings become [`netkeep::ConnectOptions`] (the user
//! platform directory included), library errors become the pool's [`SessionError`]s.
//!
//! ```no_run
//! # async fn f(spec: netkeep_keeper::inventory::DeviceSpec) {
//! use netkeep_keeper::connector::Connector;
//! let c = netkeep_keeper::connector::ssh::SshConnector::new();
//! let s = c.connect(&spec).await.unwrap();
//! println!("{}", s.send_command("display clock", None).await.unwrap());
//! # }
//! ```

use std::sync::Arc;
use std::time::Duration;

use netkeep::{
    Auth, CommandOptions, ConnectOptions, HostKeyPolicy, KeepaliveConfig, KeepaliveMode, Session,
};

use super::{BoxFut, Connector, DeviceSession, ErrorKind, SessionError};
use crate::inventory::{Credential, DeviceSpec, HostKeyPolicySpec, KeepaliveModeSpec};

/// Opens [`netkeep::Session`]s over SSH.
#[derive(Debug, Clone, Default)]
pub struct SshConnector {
    /// Default command read timeout when a request gives none.
    pub read_timeout: Option<Duration>,
}

impl SshConnector {
    /// A connector with the library's defaults.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Builds the library's connect options for a device (also used by `netkeep exec --inventory`
/// without a daemon).
pub fn connect_options(spec: &DeviceSpec) -> ConnectOptions {
    let auth = match &spec.credential {
        Credential::Password(p) => Auth::Password(p.clone()),
        Credential::KeyFile { path, passphrase } => Auth::PublicKey {
            path: path.clone(),
            passphrase: passphrase.clone(),
        },
    };
    let mode = match spec.keepalive.mode {
        None => KeepaliveMode::Auto,
        Some(KeepaliveModeSpec::Nul) => KeepaliveMode::Nul,
        Some(KeepaliveModeSpec::Newline) => KeepaliveMode::Newline,
        Some(KeepaliveModeSpec::Command) => {
            KeepaliveMode::Command(spec.keepalive.command.clone().unwrap_or_default())
        }
        Some(KeepaliveModeSpec::Ssh) => KeepaliveMode::Ssh,
        Some(KeepaliveModeSpec::Off) => KeepaliveMode::Off,
    };
    let policy = match spec.host_key_policy {
        HostKeyPolicySpec::AcceptNew => HostKeyPolicy::AcceptNew,
        HostKeyPolicySpec::Strict => HostKeyPolicy::Strict,
        HostKeyPolicySpec::Insecure => HostKeyPolicy::Insecure,
    };
    let mut o = ConnectOptions::new(spec.hostname.clone(), spec.port, spec.platform.clone())
        .protocol(spec.protocol)
        .username(spec.username.clone())
        .auth(auth)
        .host_key_policy(policy)
        .connect_timeout(spec.connect_timeout)
        .legacy_algorithms(spec.legacy_algorithms)
        .keepalive(KeepaliveConfig {
            mode,
            interval: spec.keepalive.interval,
        })
        .device_name(spec.name.clone());
    if spec.idle_timeout.is_some() {
        o = o.idle_timeout(spec.idle_timeout);
    }
    if let Some(t) = spec.keepalive.probe_timeout {
        o = o.probe_timeout(t);
    }
    if let Some(k) = &spec.known_hosts_file {
        o = o.known_hosts_file(k.clone());
    }
    if let Some(d) = &spec.platform_dir {
        o = o.platform_dir(d.clone());
    }
    o
}

/// The kind of a library error: what the pool does next, and the exit code of `netkeep exec`
/// (the one-shot path classifies its errors with this too).
///
/// ```
/// use netkeep_keeper::connector::{ssh::error_kind, ErrorKind};
/// let e = netkeep::Error::ProbeTimeout { device: "sw1".into(), timeout: std::time::Duration::from_secs(5) };
/// assert_eq!(error_kind(&e), ErrorKind::ConnectionLost);
/// ```
pub fn error_kind(e: &netkeep::Error) -> ErrorKind {
    use netkeep::ErrorKind as K;
    match e.kind() {
        K::Auth => ErrorKind::Auth,
        K::HostKey => ErrorKind::HostKey,
        K::Unreachable => ErrorKind::Unreachable,
        K::Timeout => ErrorKind::Timeout,
        K::Rejected => ErrorKind::Rejected,
        K::ConnectionLost => ErrorKind::ConnectionLost,
        _ => ErrorKind::Other,
    }
}

/// The library's error as the pool's: its kind decides what the pool does next.
fn session_error(e: netkeep::Error) -> SessionError {
    SessionError {
        kind: error_kind(&e),
        message: e.to_string(),
        partial_output: e
            .partial_output()
            .filter(|p| !p.is_empty())
            .map(str::to_string),
    }
}

impl Connector for SshConnector {
    fn connect<'a>(
        &'a self,
        spec: &'a DeviceSpec,
    ) -> BoxFut<'a, Result<Arc<dyn DeviceSession>, SessionError>> {
        Box::pin(async move {
            let s = Session::connect(connect_options(spec))
                .await
                .map_err(session_error)?;
            Ok(Arc::new(SshSession {
                s,
                read_timeout: self.read_timeout,
            }) as Arc<dyn DeviceSession>)
        })
    }
}

/// One library session behind the pool's [`DeviceSession`] trait.
struct SshSession {
    s: Session,
    read_timeout: Option<Duration>,
}

impl DeviceSession for SshSession {
    fn send_command<'a>(
        &'a self,
        command: &'a str,
        read_timeout: Option<Duration>,
    ) -> BoxFut<'a, Result<String, SessionError>> {
        Box::pin(async move {
            match read_timeout.or(self.read_timeout) {
                Some(t) => {
                    let o = CommandOptions {
                        expect: None,
                        read_timeout: t,
                    };
                    self.s.send_command_with(command, &o).await
                }
                None => self.s.send_command(command).await,
            }
            .map_err(session_error)
        })
    }

    fn send_config_set<'a>(
        &'a self,
        lines: &'a [String],
    ) -> BoxFut<'a, Result<String, SessionError>> {
        Box::pin(async move {
            let l: Vec<&str> = lines.iter().map(String::as_str).collect();
            self.s.send_config_set(&l).await.map_err(session_error)
        })
    }

    fn rejection(&self, output: &str) -> Option<String> {
        crate::command::rejection(self.s.platform(), output)
    }

    fn is_closed(&self) -> bool {
        self.s.is_closed()
    }

    fn keepalives_sent(&self) -> u64 {
        self.s.keepalive_stats().sent
    }

    fn close_message(&self) -> Option<String> {
        self.s.close_message()
    }

    fn last_rtt(&self) -> Option<Duration> {
        self.s.keepalive_stats().last_rtt
    }

    fn disconnect(&self) -> BoxFut<'_, ()> {
        Box::pin(self.s.disconnect())
    }
}
