//! [`Connector`] over the netkeep session library: inventory settings become
//! [`netkeep::ConnectOptions`], library errors become keeper [`SessionError`]s.
//!
//! ```no_run
//! # async fn f(spec: netkeep_keeper::inventory::DeviceSpec) {
//! use netkeep_keeper::session::Connector;
//! let c = netkeep_keeper::netkeep_conn::NetkeepConnector::new();
//! let s = c.connect(&spec).await.unwrap();
//! println!("{}", s.send_command("display clock", None).await.unwrap());
//! # }
//! ```

use std::sync::Arc;
use std::time::Duration;

use netkeep::{
    Auth, CommandOptions, ConnectOptions, HostKeyPolicy, KeepaliveConfig, KeepaliveMode, Session,
};

use crate::inventory::{Credential, DeviceSpec, HostKeyPolicySpec, KeepaliveModeSpec};
use crate::session::{BoxFut, Connector, DeviceSession, ErrorKind, SessionError};

/// Opens [`netkeep::Session`]s.
#[derive(Debug, Clone, Default)]
pub struct NetkeepConnector {
    /// Default command read timeout when a request gives none.
    pub read_timeout: Option<Duration>,
}

impl NetkeepConnector {
    /// A connector with the library's defaults.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Builds the library's connect options for a device.
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
    o
}

fn map_err(e: netkeep::Error) -> SessionError {
    let kind = if e.is_auth_failure() {
        ErrorKind::Auth
    } else if e.is_connection_lost() {
        ErrorKind::ConnectionLost
    } else if matches!(e, netkeep::Error::ReadTimeout { .. }) {
        ErrorKind::Timeout
    } else {
        ErrorKind::Other
    };
    SessionError {
        kind,
        message: e.to_string(),
        partial_output: e
            .partial_output()
            .filter(|p| !p.is_empty())
            .map(str::to_string),
    }
}

impl Connector for NetkeepConnector {
    fn connect<'a>(
        &'a self,
        spec: &'a DeviceSpec,
    ) -> BoxFut<'a, Result<Arc<dyn DeviceSession>, SessionError>> {
        Box::pin(async move {
            let s = Session::connect(connect_options(spec))
                .await
                .map_err(map_err)?;
            Ok(Arc::new(NkSession {
                s,
                read_timeout: self.read_timeout,
            }) as Arc<dyn DeviceSession>)
        })
    }
}

struct NkSession {
    s: Session,
    read_timeout: Option<Duration>,
}

impl DeviceSession for NkSession {
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
            .map_err(map_err)
        })
    }

    fn send_config_set<'a>(
        &'a self,
        lines: &'a [String],
    ) -> BoxFut<'a, Result<String, SessionError>> {
        Box::pin(async move {
            let l: Vec<&str> = lines.iter().map(String::as_str).collect();
            self.s.send_config_set(&l).await.map_err(map_err)
        })
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
