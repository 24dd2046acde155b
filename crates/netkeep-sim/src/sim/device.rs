//! The device: builds the model from the settings and personality, listens, accepts
//! connections for the SSH or telnet front end (or both, on two ports sharing the VTY lines),
//! and carries out faults (stall, reset, reboot) and stop.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use netkeep_transport::Protocol;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::PrivateKey;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::config::DeviceConfig;
use super::counters::{bump, Counters};
use super::netfault::Link;
use super::shared::Core;
use super::{ssh_handler, telnet_handler};
use crate::error::SimError;
use crate::fault::Fault;
use crate::model::{DeviceState, Model, Seed};
use crate::personality::{Catalog, Personality, SecretDefault};

/// Connections a simulated device lets wait for `accept` (the kernel caps it at somaxconn).
const LISTEN_BACKLOG: u32 = 4096;

/// One listening port and the front end it serves.
struct Listener {
    protocol: Protocol,
    addr: SocketAddr,
    accept: Option<JoinHandle<()>>,
}

struct Shared {
    core: Arc<Core>,
    addr: SocketAddr,
    key: Mutex<PrivateKey>,
    /// The first is the device's main port (`addr`).
    listeners: Mutex<Vec<Listener>>,
    stopped: AtomicBool,
}

impl Shared {
    fn key(&self) -> MutexGuard<'_, PrivateKey> {
        self.key.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn listeners(&self) -> MutexGuard<'_, Vec<Listener>> {
        self.listeners.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stops accepting; each listener goes once its task is dropped.
    fn stop_accepting(&self) -> Vec<JoinHandle<()>> {
        let mut handles = Vec::new();
        for l in self.listeners().iter_mut() {
            if let Some(h) = l.accept.take() {
                h.abort();
                handles.push(h);
            }
        }
        handles
    }
}

/// A running simulated device: an SSH (or telnet) server on one address, and optionally the
/// other protocol on a second one ([`SimDevice::listen`]).
///
/// ```no_run
/// # async fn f() -> Result<(), netkeep_sim::SimError> {
/// let dev = netkeep_sim::SimDevice::start(
///     netkeep_sim::DeviceConfig::new("huawei"),
///     "127.0.0.1:0".parse().unwrap(),
/// ).await?;
/// assert_eq!(dev.counters().sessions_opened, 0);
/// dev.stop().await;
/// # Ok(()) }
/// ```
pub struct SimDevice {
    inner: Arc<Shared>,
}

fn new_key() -> PrivateKey {
    let seed: [u8; 32] = rand::random();
    PrivateKey::from(Ed25519Keypair::from_seed(&seed))
}

fn load_key(cfg: &DeviceConfig) -> Result<PrivateKey, SimError> {
    let Some(path) = &cfg.host_key else {
        return Ok(new_key());
    };
    russh::keys::load_secret_key(path, None).map_err(|e| SimError::HostKey {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// The device's initial configuration: the personality's, the configured idle timeout, padding.
fn initial_state(p: &Personality, cfg: &DeviceConfig) -> DeviceState {
    let (idle, configured) = match cfg.idle_timeout {
        None => (p.terminal.default_idle_timeout, false),
        Some(d) if d.is_zero() => (None, true),
        Some(d) => (Some(d), true),
    };
    let mut seed = Seed::new(p, &cfg.hostname, idle, configured);
    seed.pad(p, cfg.config_lines, &cfg.username);
    DeviceState::new(p, &seed, &cfg.username)
}

/// The enable secret the device checks (`None`: it has none).
fn enable_secret(p: &Personality, cfg: &DeviceConfig) -> Option<String> {
    match &cfg.enable_secret {
        Some(s) if s.is_empty() => None,
        Some(s) => Some(s.clone()),
        None => match p.enable_secret {
            SecretDefault::LoginPassword => Some(cfg.password.clone()),
            SecretDefault::None => None,
        },
    }
}

/// A TCP socket bound to `addr` with SO_REUSEADDR (not SO_REUSEPORT: a second simulator on
/// the same port must fail), so that a simulated reboot can bind the port again while the old
/// listener's connections are still closing.
fn reusable_socket(addr: SocketAddr) -> std::io::Result<tokio::net::TcpSocket> {
    let s = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    s.set_reuseaddr(true)?;
    s.bind(addr)?;
    Ok(s)
}

/// The device `cfg` describes, without a network: its personality, initial state, enable
/// secret (the hostname filled in from the personality when empty).
pub(crate) fn build_model(cfg: DeviceConfig) -> Result<(Model, DeviceConfig), SimError> {
    let catalog = Catalog {
        personality_dir: cfg.personality_dir.as_deref(),
        platform_dir: cfg.platform_dir.as_deref(),
    };
    let p = catalog.find(&cfg.platform)?;
    let mut cfg = cfg;
    if cfg.hostname.is_empty() {
        cfg.hostname = p.default_hostname.clone();
    }
    let state = initial_state(&p, &cfg);
    let secret = enable_secret(&p, &cfg);
    let model =
        Model::new(p, state, secret, cfg.minute).with_privileged_login(cfg.privileged_login);
    Ok((model, cfg))
}

impl SimDevice {
    /// Start a device listening on `addr` (use port 0 for any free port).
    pub async fn start(cfg: DeviceConfig, addr: SocketAddr) -> Result<SimDevice, SimError> {
        let (model, cfg) = build_model(cfg)?;
        let key = load_key(&cfg)?;
        let listener = reusable_socket(addr)
            .and_then(|s| s.listen(LISTEN_BACKLOG))
            .map_err(|source| SimError::Bind { addr, source })?;
        let bound = listener
            .local_addr()
            .map_err(|source| SimError::Bind { addr, source })?;
        let model = Arc::new(model);
        let protocol = cfg.protocol;
        let inner = Arc::new(Shared {
            core: Arc::new(Core::new(model, cfg)),
            addr: bound,
            key: Mutex::new(key),
            listeners: Mutex::new(Vec::new()),
            stopped: AtomicBool::new(false),
        });
        spawn_accept(&inner, listener, protocol, bound);
        spawn_reload_watch(&inner);
        Ok(SimDevice { inner })
    }

    /// Also serves `protocol` on `addr` (port 0: any free port): the same device — model,
    /// VTY lines, faults, counters — reached a second way, as a switch with both SSH and telnet
    /// enabled. Returns the address bound.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), netkeep_sim::SimError> {
    /// use netkeep_sim::{DeviceConfig, Protocol, SimDevice};
    /// let mut cfg = DeviceConfig::new("hp_comware");
    /// cfg.vty_limit = Some(2); // shared by SSH and telnet sessions
    /// let dev = SimDevice::start(cfg, "127.0.0.1:0".parse().unwrap()).await?;
    /// let telnet = dev.listen(Protocol::Telnet, "127.0.0.1:0".parse().unwrap())?;
    /// # let _ = telnet; Ok(()) }
    /// ```
    pub fn listen(&self, protocol: Protocol, addr: SocketAddr) -> Result<SocketAddr, SimError> {
        let listener = reusable_socket(addr)
            .and_then(|s| s.listen(LISTEN_BACKLOG))
            .map_err(|source| SimError::Bind { addr, source })?;
        let bound = listener
            .local_addr()
            .map_err(|source| SimError::Bind { addr, source })?;
        spawn_accept(&self.inner, listener, protocol, bound);
        Ok(bound)
    }

    /// What the main address serves.
    pub fn protocol(&self) -> Protocol {
        self.inner.core.cfg.protocol
    }

    /// The address actually bound.
    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// The platform name.
    pub fn platform(&self) -> &str {
        &self.inner.core.model.p.platform
    }

    /// The current hostname (changes with `sysname`/`hostname`).
    pub fn hostname(&self) -> String {
        self.inner.core.model.state().hostname.clone()
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> Counters {
        let core = &self.inner.core;
        core.counters.snapshot(core.model.commands())
    }

    /// Command lines (non-empty lines at a prompt) each shell session has run, in the order the
    /// sessions opened: a retry on a fresh session shows as one more entry, a command run twice
    /// on one session as a higher count. Sessions refused for want of a VTY line are not listed.
    pub fn commands_per_session(&self) -> Vec<u64> {
        self.inner.core.counters.commands_per_session()
    }

    /// Sessions currently holding a VTY line.
    pub fn active_sessions(&self) -> usize {
        self.inner.core.active()
    }

    /// The VTY idle timeout new sessions get (`None` = never).
    pub fn idle_timeout(&self) -> Option<Duration> {
        self.inner.core.model.state().idle
    }

    /// Change the idle timeout for new sessions, as `idle-timeout` in the VTY config would.
    pub fn set_idle_timeout(&self, t: Option<Duration>) {
        self.inner.core.model.state().idle = t.filter(|d| !d.is_zero());
    }

    /// The host public key in OpenSSH format (`ssh-ed25519 AAAA...`).
    pub fn host_key_openssh(&self) -> String {
        self.inner
            .key()
            .public_key()
            .to_openssh()
            .unwrap_or_default()
    }

    /// The host key's SHA-256 fingerprint (`SHA256:...`).
    pub fn host_key_fingerprint(&self) -> String {
        self.inner
            .key()
            .public_key()
            .fingerprint(russh::keys::HashAlg::Sha256)
            .to_string()
    }

    /// Inject a fault. One-shot faults (`Reset`, `Reboot`) act at once; the others last until
    /// [`SimDevice::clear_faults`].
    pub fn set_fault(&self, f: Fault) {
        let core = &self.inner.core;
        match f {
            Fault::Reset => core.conns.set_all(Link::Dead),
            Fault::Reboot { down, new_host_key } => {
                let inner = self.inner.clone();
                tokio::spawn(async move { reboot(inner, down, new_host_key).await });
            }
            Fault::Stall => {
                core.faults.add(f);
                core.conns.set_all(Link::Stalled);
            }
            other => core.faults.add(other),
        }
    }

    /// Remove all lasting faults; stalled connections resume.
    pub fn clear_faults(&self) {
        let core = &self.inner.core;
        core.faults.clear();
        core.conns.set_all(Link::Running);
    }

    /// The lasting faults currently set.
    pub fn faults(&self) -> Vec<Fault> {
        self.inner.core.faults.snapshot()
    }

    /// Stop listening and drop every session (clients see the connection reset).
    pub async fn stop(&self) {
        self.inner.stopped.store(true, Ordering::Release);
        self.inner.stop_accepting();
        let core = &self.inner.core;
        core.conns.set_all(Link::Dead);
        let deadline = Instant::now() + Duration::from_secs(2);
        while !core.conns.is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

impl Drop for SimDevice {
    fn drop(&mut self) {
        self.inner.stop_accepting();
        self.inner.core.conns.set_all(Link::Dead);
    }
}

/// Accepts connections on `addr` and hands each to the front end of `protocol`.
fn spawn_accept(inner: &Arc<Shared>, listener: TcpListener, protocol: Protocol, addr: SocketAddr) {
    let config = ssh_handler::server_config(inner.key().clone());
    let core = inner.core.clone();
    let h = tokio::spawn(async move {
        loop {
            let (sock, _peer) = match listener.accept().await {
                Ok(x) => x,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let _ = sock.set_nodelay(true);
            bump(&core.counters.connections);
            let stalled = core.faults.has(|f| matches!(f, Fault::Stall));
            let link = if stalled {
                Link::Stalled
            } else {
                Link::Running
            };
            let (id, stream) = core.conns.open(sock, link);
            let core = core.clone();
            let config = config.clone();
            tokio::spawn(async move {
                match protocol {
                    Protocol::Ssh => ssh_handler::serve(core.clone(), config, stream).await,
                    Protocol::Telnet => telnet_handler::serve(core.clone(), stream).await,
                }
                core.conns.remove(id);
            });
        }
    });
    let mut ls = inner.listeners();
    match ls.iter_mut().find(|l| l.addr == addr) {
        Some(l) => l.accept = Some(h),
        None => ls.push(Listener {
            protocol,
            addr,
            accept: Some(h),
        }),
    }
}

/// A confirmed `reload` on the CLI: the device reboots (sessions end, the startup
/// configuration runs, uptime starts again).
fn spawn_reload_watch(inner: &Arc<Shared>) {
    let weak = Arc::downgrade(inner);
    let core = inner.core.clone();
    tokio::spawn(async move {
        loop {
            core.reload.notified().await;
            let Some(inner) = weak.upgrade() else {
                return;
            };
            if inner.stopped.load(Ordering::Acquire) {
                return;
            }
            // The session's last output ("Proceed with reload? [confirm]" answered) goes first.
            tokio::time::sleep(Duration::from_millis(100)).await;
            inner.core.model.rebooted();
            let down = inner.core.cfg.reload_time;
            reboot(inner.clone(), down, false).await;
        }
    });
}

/// `Fault::Reboot`: down for `down` (ports held, connections refused), then listening again.
async fn reboot(inner: Arc<Shared>, down: Duration, new_host_key: bool) {
    for h in inner.stop_accepting() {
        // Resolves once the task, and with it the listener, is dropped.
        let _ = h.await;
    }
    // Keep the ports while "down": bound but not listening, so connections are refused as
    // from a rebooting device, yet no other socket on the machine (an ephemeral client
    // port, another simulator) can take them meanwhile.
    let ports: Vec<(Protocol, SocketAddr)> = inner
        .listeners()
        .iter()
        .map(|l| (l.protocol, l.addr))
        .collect();
    let held: Vec<_> = ports.iter().map(|(_, a)| reusable_socket(*a)).collect();
    inner.core.conns.set_all(Link::Dead);
    tokio::time::sleep(down).await;
    if inner.stopped.load(Ordering::Acquire) {
        return;
    }
    if new_host_key {
        *inner.key() = new_key();
    }
    for ((protocol, addr), held) in ports.into_iter().zip(held) {
        relisten(&inner, protocol, addr, held).await;
    }
}

/// Listens on `addr` again after a reboot, on the socket held while down if it can.
async fn relisten(
    inner: &Arc<Shared>,
    protocol: Protocol,
    addr: SocketAddr,
    held: std::io::Result<tokio::net::TcpSocket>,
) {
    match held.and_then(|s| s.listen(LISTEN_BACKLOG)) {
        Ok(l) => return spawn_accept(inner, l, protocol, addr),
        Err(e) => {
            tracing::warn!(addr = %addr, error = %e, "could not keep the port over a reboot")
        }
    }
    // The old listener's port may take a moment to free; retry briefly.
    for _ in 0..100 {
        match TcpListener::bind(addr).await {
            Ok(l) => return spawn_accept(inner, l, protocol, addr),
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    tracing::error!(addr = %addr, "simulated reboot could not listen again");
}
