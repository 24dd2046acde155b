//! How each device is reached: the OpenSSH client configuration a host is read with
//! (`--ssh-config`, `ssh_config_file`, `~/.ssh/config`), read once per file, and the routes —
//! `jump_host` (an inventory host, or `[user@]host[:port][,...]` looked up in the ssh_config, or
//! `none`), else the ssh_config's ProxyJump or ProxyCommand. Routes are worked out after every
//! host is resolved, since a jump host may be another inventory host; a loop is refused.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use netkeep::Protocol;
use netkeep_transport::ssh::{AgentSocket, Route, SshOptions};
use netkeep_transport::ssh_config::{HopDefaults, HostConfig, JumpTarget, Proxy, SshConfig};

use super::load::{Chain, Entry};
use super::spec::{DeviceSpec, InventoryError, SshConfigSource};

/// The ssh_config files of an inventory, each read once.
pub(super) struct SshConfigs {
    source: SshConfigSource,
    inventory: PathBuf,
    cache: RefCell<HashMap<PathBuf, Arc<SshConfig>>>,
    pub(super) warnings: RefCell<Vec<String>>,
}

impl SshConfigs {
    pub(super) fn new(source: SshConfigSource, inventory: &Path) -> SshConfigs {
        SshConfigs {
            source,
            inventory: inventory.to_path_buf(),
            cache: RefCell::new(HashMap::new()),
            warnings: RefCell::new(Vec::new()),
        }
    }

    /// The configuration a host's chain is read with.
    pub(super) fn for_chain(&self, chain: &Chain<'_>) -> Result<Arc<SshConfig>, InventoryError> {
        let own = chain.iter().find_map(|(e, _)| {
            let f = e.raw.ssh_config_file.as_ref()?;
            Some((e, f))
        });
        let (path, at): (Option<PathBuf>, Option<&Entry>) = match (&self.source, own) {
            (SshConfigSource::Off, _) => (None, None),
            (SshConfigSource::File(f), _) => (Some(f.clone()), None),
            (_, Some((_, f))) if f.as_os_str() == "none" => (None, None),
            (_, Some((e, f))) => {
                let base = e.origin.file.parent().unwrap_or(Path::new("."));
                (Some(base.join(f)), Some(*e))
            }
            (SshConfigSource::InventoryOrHome, None) => (SshConfig::default_file(), None),
            (SshConfigSource::InventoryOnly, None) => (None, None),
        };
        let Some(path) = path else {
            return Ok(Arc::new(SshConfig::empty()));
        };
        if let Some(c) = self.cache.borrow().get(&path) {
            return Ok(c.clone());
        }
        let cfg = SshConfig::load(&path).map_err(|e| match at {
            Some(entry) => entry.err_at("ssh_config_file", format!("ssh_config_file: {e}")),
            None => InventoryError {
                file: self.inventory.clone(),
                location: None,
                message: format!("ssh_config: {e}"),
            },
        })?;
        self.warnings
            .borrow_mut()
            .extend(cfg.warnings().iter().map(|w| format!("ssh_config: {w}")));
        let cfg = Arc::new(cfg);
        self.cache.borrow_mut().insert(path, cfg.clone());
        Ok(cfg)
    }
}

/// What a host's route is worked out from, once every host is known.
pub(super) struct Pending<'a> {
    /// `jump_host` as written, with the entity that set it.
    pub(super) jump: Option<(&'a str, &'a Entry)>,
    /// The ssh_config's ProxyJump/ProxyCommand for the host.
    pub(super) proxy: Option<Proxy>,
    pub(super) cfg: Arc<SshConfig>,
    /// The host's entry (errors about it).
    pub(super) entry: &'a Entry,
}

/// Jump hosts' defaults from a device's own settings.
fn hop_defaults(d: &DeviceSpec) -> HopDefaults {
    HopDefaults {
        host_key_policy: d.host_key_policy,
        known_hosts_file: d.known_hosts_file.clone(),
        connect_timeout: d.connect_timeout,
        legacy_algorithms: d.legacy_algorithms,
        ssh_keepalive: None,
        agent: AgentSocket::FromEnv,
        passphrase: std::env::var("NETKEEP_KEY_PASSPHRASE")
            .ok()
            .map(netkeep::Secret::new),
        ask_passphrase: false,
        // A bastion that wants a password is an inventory host with its own credentials.
        password: None,
    }
}

/// SSH options for reaching an inventory host as a jump host (its route not included).
pub fn hop_options(d: &DeviceSpec) -> SshOptions {
    let mut o = SshOptions::new(
        d.hostname.clone(),
        d.port,
        d.username.clone(),
        d.credential.auth(),
    );
    o.device = d.name.clone();
    o.host_key_policy = d.host_key_policy;
    o.known_hosts_file = d.known_hosts_file.clone();
    o.connect_timeout = d.connect_timeout;
    o.legacy_algorithms = d.legacy_algorithms;
    o.algorithms = d.ssh.algorithms.clone();
    o.ssh_keepalive = d.ssh.server_alive_interval.filter(|i| !i.is_zero());
    if let Some(n) = d.ssh.server_alive_count_max {
        o.ssh_keepalive_max = n as usize;
    }
    o
}

/// Works out every device's route.
pub(super) fn routes(
    devices: &mut BTreeMap<String, DeviceSpec>,
    pending: &BTreeMap<String, Pending<'_>>,
) -> Result<(), InventoryError> {
    let mut done: BTreeMap<String, Route> = BTreeMap::new();
    for name in devices.keys() {
        route_of(name, devices, pending, &mut done, &mut Vec::new())?;
    }
    for (name, route) in done {
        if let Some(d) = devices.get_mut(&name) {
            d.route = route;
        }
    }
    Ok(())
}

fn route_of(
    name: &str,
    devices: &BTreeMap<String, DeviceSpec>,
    pending: &BTreeMap<String, Pending<'_>>,
    done: &mut BTreeMap<String, Route>,
    stack: &mut Vec<String>,
) -> Result<Route, InventoryError> {
    if let Some(r) = done.get(name) {
        return Ok(r.clone());
    }
    let (Some(d), Some(p)) = (devices.get(name), pending.get(name)) else {
        return Ok(Route::Direct);
    };
    stack.push(name.to_string());
    let chain = [name.to_string(), format!("{}:{}", d.hostname, d.port)];
    let route = match p.jump {
        Some((j, entry)) => jump_host(j, entry, d, p, devices, pending, done, stack, &chain)?,
        None => p
            .cfg
            .proxy_route(p.proxy.as_ref(), &hop_defaults(d), &chain)
            .map_err(|e| p.entry.err_here(format!("host `{name}`: ProxyJump: {e}")))?,
    };
    stack.pop();
    done.insert(name.to_string(), route.clone());
    Ok(route)
}

/// `jump_host`: `none`, one inventory host (reached by its own route), or ssh_config hops.
#[allow(clippy::too_many_arguments)]
fn jump_host(
    j: &str,
    entry: &Entry,
    d: &DeviceSpec,
    p: &Pending<'_>,
    devices: &BTreeMap<String, DeviceSpec>,
    pending: &BTreeMap<String, Pending<'_>>,
    done: &mut BTreeMap<String, Route>,
    stack: &mut Vec<String>,
    chain: &[String],
) -> Result<Route, InventoryError> {
    let err = |m: String| entry.err_at("jump_host", format!("host `{}`: jump_host: {m}", d.name));
    if j.trim().eq_ignore_ascii_case("none") {
        return Ok(Route::Direct);
    }
    if d.protocol == Protocol::Telnet {
        return Err(err(
            "a jump host forwards SSH only; a telnet device is reached directly (remove jump_host, or set `jump_host: none` on it)".into(),
        ));
    }
    if let Some(b) = devices.get(j.trim()) {
        if b.protocol == Protocol::Telnet {
            return Err(err(format!(
                "`{}` is a telnet device; a jump host must be reached over SSH",
                b.name
            )));
        }
        if stack.iter().any(|s| s == &b.name) {
            let mut way = stack.clone();
            way.push(b.name.clone());
            return Err(err(format!(
                "jump loop: {} (a jump host that leads back to a host already on the way)",
                way.join(" -> ")
            )));
        }
        let mut o = hop_options(b);
        o.route = route_of(&b.name, devices, pending, done, stack)?;
        return Ok(Route::Jump(Box::new(o)));
    }
    let hops = JumpTarget::parse_list(j)
        .map_err(|e| err(format!("{e} (or the name of an inventory host)")))?;
    p.cfg
        .jump_route(&hops, &hop_defaults(d), chain)
        .map_err(|e| err(e.to_string()))
}

/// A host's ssh_config settings, looked up once by the host's address as given.
pub(super) fn lookup(
    cfg: &SshConfig,
    host: &str,
    user: Option<&str>,
    port: Option<u16>,
    entry: &Entry,
) -> Result<HostConfig, InventoryError> {
    let q = netkeep_transport::ssh_config::Query { host, user, port };
    cfg.lookup(&q)
        .map_err(|e| entry.err_here(format!("ssh_config: {e}")))
}
