//! `ssh_config_file`: the device's `host` looked up in an OpenSSH client configuration, as
//! Netmiko users expect — HostName, Port and User where the call does not give them, keys
//! (IdentityFile, IdentityAgent) when no password is given, ProxyJump/ProxyCommand as the route,
//! StrictHostKeyChecking, UserKnownHostsFile, ConnectTimeout, ServerAlive* and the algorithm
//! lines. The call's own arguments win over the file. Only the file given is read (Netmiko
//! reads no ssh_config unless asked).

use std::path::{Path, PathBuf};
use std::time::Duration;

use netkeep::{Auth, ConnectOptions, HostKeyPolicy, Secret};
use netkeep_transport::ssh::{AgentSocket, Route};
use netkeep_transport::ssh_config::{identities, HopDefaults, HostConfig, Query, SshConfig};
use pyo3::prelude::*;

use crate::errors::bad_input;

/// What the call itself says about reaching the device (`None`: not given).
pub struct Given {
    /// `host` as given: an alias, a name or an address.
    pub host: String,
    pub port: Option<u16>,
    pub username: Option<String>,
    pub host_key_policy: Option<HostKeyPolicy>,
    pub known_hosts_file: Option<PathBuf>,
    pub conn_timeout: Option<Duration>,
    pub legacy_algorithms: bool,
    /// Passphrase of encrypted key files.
    pub passphrase: Option<String>,
}

/// The file read and the host's entry in it, with the route it gives.
pub struct Reach {
    pub host: HostConfig,
    pub route: Route,
}

/// Reads `file` and looks the host up; a file that cannot be read or parsed, an unset
/// variable or a jump loop is a `NetkeepValueError` naming the file (and line).
pub fn resolve(py: Python<'_>, file: &Path, g: &Given) -> PyResult<Reach> {
    let err = |m: String| bad_input(py, &g.host, format!("ssh_config_file: {m}"));
    let cfg = SshConfig::load(file).map_err(|e| err(e.to_string()))?;
    let q = Query {
        host: &g.host,
        user: g.username.as_deref(),
        port: g.port,
    };
    let h = cfg.lookup(&q).map_err(|e| err(e.to_string()))?;
    let addr = format!(
        "{}:{}",
        h.hostname.as_deref().unwrap_or(&g.host),
        g.port.or(h.port).unwrap_or(22)
    );
    let route = cfg
        .proxy_route(h.proxy.as_ref(), &hop_defaults(g), &[g.host.clone(), addr])
        .map_err(|e| err(e.to_string()))?;
    Ok(Reach { host: h, route })
}

/// Jump hosts' settings where the file says nothing: the call's host-key settings, timeout
/// and passphrase; keys from the agent and the hop's IdentityFiles.
fn hop_defaults(g: &Given) -> HopDefaults {
    HopDefaults {
        host_key_policy: g.host_key_policy.unwrap_or_default(),
        known_hosts_file: g.known_hosts_file.clone(),
        connect_timeout: g.conn_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
        legacy_algorithms: g.legacy_algorithms,
        ssh_keepalive: None,
        agent: AgentSocket::FromEnv,
        passphrase: g.passphrase.clone().map(Secret::new),
        ask_passphrase: false,
        password: None,
    }
}

/// Connect + login bound when neither the call nor the file sets one (Netmiko's default).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// SSH options from the call over the host's entry; `auth` is the call's (a password or key
/// file), else the keys the file names and the agent.
pub fn ssh_options(
    g: Given,
    r: Reach,
    platform: String,
    auth: Option<Auth>,
    device_name: Option<String>,
) -> ConnectOptions {
    let h = &r.host;
    let address = h.hostname.clone().unwrap_or_else(|| g.host.clone());
    let port = g.port.or(h.port).unwrap_or(22);
    let auth = auth.unwrap_or_else(|| Auth::Identities(identities(h, &hop_defaults(&g))));
    let mut o = ConnectOptions::new(address, port, platform)
        .username(
            g.username
                .clone()
                .or_else(|| h.user.clone())
                .unwrap_or_default(),
        )
        .auth(auth)
        .host_key_policy(g.host_key_policy.or(h.host_key_policy).unwrap_or_default())
        .connect_timeout(
            g.conn_timeout
                .or(h.connect_timeout)
                .unwrap_or(DEFAULT_CONNECT_TIMEOUT),
        )
        .legacy_algorithms(g.legacy_algorithms)
        .route(r.route);
    // Errors and logs name the device as the script did, not the address it resolved to.
    o.device_name = device_name.or_else(|| {
        (g.host != o.host || port != 22).then(|| match port {
            22 => g.host.clone(),
            p => format!("{}:{p}", g.host),
        })
    });
    o.known_hosts_file = g
        .known_hosts_file
        .or_else(|| h.known_hosts_files.first().cloned());
    o.algorithms = h.algorithms.clone();
    o.ssh_keepalive = h.server_alive_interval.filter(|d| !d.is_zero());
    if let Some(n) = h.server_alive_count_max {
        o.ssh_keepalive_max = n as usize;
    }
    o
}

/// A telnet device with `ssh_config_file`: the file describes SSH, so only a route in it
/// matters — and a jump host or proxy command forwards SSH only, so it is refused.
pub fn refuse_telnet_route(py: Python<'_>, r: &Reach, host: &str) -> PyResult<()> {
    if matches!(r.route, Route::Direct) {
        return Ok(());
    }
    Err(bad_input(
        py,
        host,
        format!("ssh_config_file: {host} has a ProxyJump or ProxyCommand, but a jump host forwards SSH only: a telnet device cannot be reached through one (reach it directly, use SSH, or set `ProxyJump none` for it)"),
    ))
}
