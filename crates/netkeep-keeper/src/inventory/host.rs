//! One host's settings, each taken from the first entity of its chain that sets it (the host,
//! its groups in order, the defaults): one function per concern — address, identity, data,
//! credentials, keepalive, limits, SSH options.

use std::path::{Path, PathBuf};
use std::time::Duration;

use netkeep::Protocol;
use serde_json::Map;

use netkeep_transport::ssh::Route;
use netkeep_transport::ssh_config::{HopDefaults, HostConfig, SshConfig};

use super::load::{Chain, Entry};
use super::platforms::KnownPlatforms;
use super::raw::{Dur, RawEntity, RawSessionLog};
use super::reach::{self, Pending, SshConfigs};
use super::secrets;
use super::spec::{
    Credential, DeviceSpec, HostKeyPolicy, InventoryError, KeepaliveMode, KeepaliveSpec,
    SessionLog, SshSettings,
};

/// What every host of an inventory shares.
pub(super) struct Context<'a> {
    pub(super) known: &'a KnownPlatforms,
    pub(super) platform_dir: Option<PathBuf>,
    /// The ssh_config files hosts are read with.
    pub(super) ssh: &'a SshConfigs,
}

/// A value found along the chain, with the entity that set it.
struct Picked<'a, T> {
    value: &'a T,
    entry: &'a Entry,
    name: &'a str,
}

impl<T> Picked<'_, T> {
    /// An error about this setting, located where it was set.
    fn err(&self, field: &str, message: String) -> InventoryError {
        self.entry.err_at(field, message)
    }
}

/// First value of a field along the chain.
fn pick<'a, T>(
    chain: &'a Chain<'a>,
    f: impl Fn(&'a RawEntity) -> Option<&'a T>,
) -> Option<Picked<'a, T>> {
    chain.iter().find_map(|(e, n)| {
        f(&e.raw).map(|value| Picked {
            value,
            entry: e,
            name: n.as_str(),
        })
    })
}

/// A duration setting that must not be zero.
fn positive(
    p: Option<Picked<'_, Dur>>,
    field: &str,
    label: &str,
    hint: &str,
) -> Result<Option<Duration>, InventoryError> {
    match p {
        Some(p) if p.value.0.is_zero() => Err(p.err(
            field,
            format!(
                "`{}`: {label} 0, expected a positive duration{hint}",
                p.name
            ),
        )),
        p => Ok(p.map(|p| p.value.0)),
    }
}

/// "Host has no X" for a setting no entity of its chain gives.
fn missing(chain: &Chain<'_>, field: &str, hint: &str) -> InventoryError {
    let (host, name) = &chain[0];
    host.err_here(format!(
        "host `{name}` has no `{field}` (set it on the host, one of its groups or the defaults){hint}"
    ))
}

/// Resolves one host (its route is worked out later, from the returned [`Pending`]): the
/// inventory's settings first, the ssh_config's where the inventory says nothing.
pub(super) fn resolve_host<'a>(
    name: &str,
    chain: &Chain<'a>,
    groups: &[String],
    cx: &Context<'_>,
    warnings: &mut Vec<String>,
) -> Result<(DeviceSpec, Pending<'a>), InventoryError> {
    let protocol = pick(chain, |r| r.protocol.as_ref()).map_or(Protocol::Ssh, |p| *p.value);
    let (given, port) = address(name, chain)?;
    let user = pick(chain, |r| r.username.as_ref()).map(|p| p.value.clone());
    let (cfg, h) = ssh_config_of(chain, cx, protocol, &given, user.as_deref(), port)?;
    let username = user.or_else(|| h.user.clone()).ok_or_else(|| {
        let hint = if protocol == Protocol::Ssh {
            " (or User in the ssh_config)"
        } else {
            ""
        };
        missing(chain, "username", hint)
    })?;
    let platform = pick(chain, |r| r.platform.as_ref())
        .map(|p| p.value.clone())
        .ok_or_else(|| {
            let hint = format!(", expected one of: {}", cx.known.list());
            missing(chain, "platform", &hint)
        })?;
    let credential = credential(chain, warnings, &h)?;
    let key_file = pick(chain, |r| r.key_file.as_ref());
    if let (Protocol::Telnet, Some(p)) = (protocol, key_file) {
        let msg = format!(
            "`{}`: key_file is for SSH; a telnet device logs in with a password (password_env, password_file)",
            p.name
        );
        return Err(p.err("key_file", msg));
    }
    let enable_secret = secrets::enable_secret(chain, warnings)?;
    let session_log = session_log(name, chain)?;
    let idle_timeout = pick(chain, |r| r.idle_timeout.as_ref()).map(|p| p.value.0);
    let keepalive = keepalive(name, chain, idle_timeout, warnings)?;
    let limits = limits(chain, &h)?;
    let ssh = ssh_options(chain, &h);
    let spec = DeviceSpec {
        name: name.to_string(),
        hostname: h.hostname.clone().unwrap_or(given),
        port: port.or(h.port).unwrap_or(protocol.default_port()),
        protocol,
        username,
        platform,
        groups: groups.to_vec(),
        data: data(chain),
        credential,
        enable_secret,
        enable: pick(chain, |r| r.enable.as_ref()).map(|p| *p.value),
        session_log,
        keepalive,
        idle_timeout,
        max_sessions: limits.max_sessions,
        max_age: limits.max_age,
        warm: limits.warm,
        legacy_algorithms: ssh.legacy_algorithms,
        host_key_policy: ssh.host_key_policy,
        known_hosts_file: ssh.known_hosts_file,
        connect_timeout: limits.connect_timeout,
        platform_dir: cx.platform_dir.clone(),
        route: Route::Direct,
        ssh: SshSettings {
            algorithms: h.algorithms.clone(),
            server_alive_interval: h.server_alive_interval,
            server_alive_count_max: h.server_alive_count_max,
        },
    };
    let pending = Pending {
        jump: chain
            .iter()
            .find_map(|(e, _)| e.raw.jump_host.as_deref().map(|j| (j, *e))),
        proxy: h.proxy,
        cfg,
        entry: chain[0].0,
    };
    Ok((spec, pending))
}

/// The ssh_config a host is read with and its settings there; a telnet host reads none (the
/// file describes SSH connections).
fn ssh_config_of(
    chain: &Chain<'_>,
    cx: &Context<'_>,
    protocol: Protocol,
    given: &str,
    user: Option<&str>,
    port: Option<u16>,
) -> Result<(std::sync::Arc<SshConfig>, HostConfig), InventoryError> {
    if protocol == Protocol::Telnet {
        return Ok((
            std::sync::Arc::new(SshConfig::empty()),
            HostConfig::default(),
        ));
    }
    let cfg = cx.ssh.for_chain(chain)?;
    let h = reach::lookup(&cfg, given, user, port, chain[0].0)?;
    Ok((cfg, h))
}

/// The host's address as given (default: the inventory name) and port, if set (1-65535).
fn address(name: &str, chain: &Chain<'_>) -> Result<(String, Option<u16>), InventoryError> {
    let hostname = pick(chain, |r| r.hostname.as_ref())
        .map(|p| p.value.clone())
        .unwrap_or_else(|| name.to_string());
    let port = match pick(chain, |r| r.port.as_ref()) {
        Some(p) if *p.value == 0 => {
            let msg = format!("`{}`: port 0 is not valid, expected 1-65535", p.name);
            return Err(p.err("port", msg));
        }
        Some(p) => Some(*p.value),
        None => None,
    };
    Ok((hostname, port))
}

/// Per key, host over groups over defaults (Nornir semantics).
fn data(chain: &Chain<'_>) -> Map<String, serde_json::Value> {
    let mut data = Map::new();
    for (e, _) in chain.iter().rev() {
        if let Some(d) = &e.raw.data {
            for (k, v) in d {
                data.insert(k.clone(), v.clone());
            }
        }
    }
    data
}

/// A key file (its passphrase from the password settings), else a password, else keys from
/// the ssh_config (IdentityFile, IdentityAgent) or an ssh-agent (SSH_AUTH_SOCK).
fn credential(
    chain: &Chain<'_>,
    warnings: &mut Vec<String>,
    h: &HostConfig,
) -> Result<Credential, InventoryError> {
    let secret = secrets::password(chain, warnings)?;
    match (pick(chain, |r| r.key_file.as_ref()), secret) {
        (Some(p), passphrase) => Ok(Credential::KeyFile {
            path: p.value.clone(),
            passphrase,
        }),
        (None, Some(s)) => Ok(Credential::Password(s)),
        (None, None) => {
            let d = HopDefaults {
                passphrase: std::env::var("NETKEEP_KEY_PASSPHRASE")
                    .ok()
                    .map(netkeep::Secret::new),
                ..HopDefaults::default()
            };
            let ids = netkeep_transport::ssh_config::identities(h, &d);
            if !h.identity_files.is_empty() || ids.agent_path().is_some() {
                return Ok(Credential::Keys(ids));
            }
            Err(missing(
                chain,
                "password_env",
                " — or password_file, key_file, a plain password, IdentityFile in the ssh_config, or an ssh-agent (SSH_AUTH_SOCK)",
            ))
        }
    }
}

/// The session log: `{name}` in its path becomes the host's name; a relative path is relative
/// to the file that sets it. Netmiko's `session_log` extra (a path) is read too.
fn session_log(name: &str, chain: &Chain<'_>) -> Result<Option<SessionLog>, InventoryError> {
    let found = chain.iter().find_map(|(e, n)| {
        let own = e.raw.session_log.as_ref().map(|l| match l {
            RawSessionLog::Path(p) => (p.clone(), None, None),
            RawSessionLog::Full(f) => (f.path.clone(), f.max_bytes, f.keep),
        });
        let nornir = || {
            let p = e.raw.netmiko_extra("session_log")?.as_str()?;
            Some((PathBuf::from(p), None, None))
        };
        own.or_else(nornir).map(|l| (e, n, l))
    });
    let Some((e, n, (path, max_bytes, keep))) = found else {
        return Ok(None);
    };
    if max_bytes == Some(0) {
        return Err(e.err_at(
            "max_bytes",
            format!("`{n}`: session_log max_bytes 0, expected a size in bytes"),
        ));
    }
    let path = path.to_string_lossy().replace("{name}", name);
    let full = e.origin.file.parent().unwrap_or(Path::new(".")).join(path);
    let mut log = SessionLog::new(full);
    if let Some(b) = max_bytes {
        log = log.max_bytes(b);
    }
    if let Some(k) = keep {
        log = log.keep(k);
    }
    Ok(Some(log))
}

/// Keepalive settings, each field from the first entity that sets it; warns when the interval
/// would let the device's idle timeout expire.
fn keepalive(
    name: &str,
    chain: &Chain<'_>,
    idle_timeout: Option<Duration>,
    warnings: &mut Vec<String>,
) -> Result<KeepaliveSpec, InventoryError> {
    let mode = pick(chain, |r| r.keepalive.as_ref()?.mode.as_ref());
    let command = pick(chain, |r| r.keepalive.as_ref()?.command.as_ref());
    let probe = pick(chain, |r| r.keepalive.as_ref()?.probe_timeout.as_ref());
    let interval = pick(chain, |r| r.keepalive.as_ref()?.interval.as_ref());
    let probe_timeout = positive(probe, "probe_timeout", "keepalive probe_timeout", "")?;
    if let Some(m) = mode
        .as_ref()
        .filter(|m| *m.value == KeepaliveMode::Command && command.is_none())
    {
        let msg = format!(
            "`{}`: keepalive mode `command` needs `command: \"...\"`",
            m.name
        );
        return Err(m.err("mode", msg));
    }
    let interval = positive(
        interval,
        "interval",
        "keepalive interval",
        " (or mode: off)",
    )?;
    let keepalive = KeepaliveSpec {
        mode: mode.map(|m| *m.value),
        interval,
        command: command.map(|c| c.value.clone()),
        probe_timeout,
    };
    if let (Some(i), Some(t)) = (interval, idle_timeout) {
        if !t.is_zero() && i >= t && !keepalive.is_off() {
            warnings.push(format!(
                "host `{name}`: keepalive interval {} is not shorter than idle_timeout {}; the device will drop the session",
                humantime::format_duration(i),
                humantime::format_duration(t)
            ));
        }
    }
    Ok(keepalive)
}

/// How much of the device the pool may use, and when.
struct Limits {
    max_sessions: usize,
    max_age: Option<Duration>,
    connect_timeout: Duration,
    warm: bool,
}

fn limits(chain: &Chain<'_>, h: &HostConfig) -> Result<Limits, InventoryError> {
    let max_age = positive(
        pick(chain, |r| r.max_age.as_ref()),
        "max_age",
        "max_age",
        "",
    )?;
    let connect_timeout = positive(
        pick(chain, |r| r.connect_timeout.as_ref()),
        "connect_timeout",
        "connect_timeout",
        "",
    )?;
    Ok(Limits {
        max_sessions: pick(chain, |r| r.max_sessions.as_ref())
            .map_or(1, |p| p.value.get() as usize),
        max_age,
        connect_timeout: connect_timeout
            .or(h.connect_timeout.filter(|t| !t.is_zero()))
            .unwrap_or(Duration::from_secs(10)),
        warm: pick(chain, |r| r.warm.as_ref()).is_none_or(|p| *p.value),
    })
}

/// SSH-level choices.
struct SshOptions {
    legacy_algorithms: bool,
    host_key_policy: HostKeyPolicy,
    known_hosts_file: Option<PathBuf>,
}

/// The inventory's settings, else the ssh_config's (StrictHostKeyChecking, UserKnownHostsFile).
fn ssh_options(chain: &Chain<'_>, h: &HostConfig) -> SshOptions {
    SshOptions {
        legacy_algorithms: pick(chain, |r| r.legacy_algorithms.as_ref()).is_some_and(|p| *p.value),
        host_key_policy: pick(chain, |r| r.host_key_policy.as_ref())
            .map(|p| *p.value)
            .or(h.host_key_policy)
            .unwrap_or_default(),
        known_hosts_file: pick(chain, |r| r.known_hosts_file.as_ref())
            .map(|p| p.value.clone())
            .or_else(|| h.known_hosts_files.first().cloned()),
    }
}
