//! The russh server side: devices, connections, sessions, idle timers, the VTY limit, faults.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::PrivateKey;
use russh::server::{Auth, ChannelOpenHandle, Handle, Msg, Session};
use russh::{Channel, ChannelId, Disconnect, MethodKind, MethodSet};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::engine::{Effect, Engine};
use crate::fault::Fault;
use crate::personality::{self, Activity, Personality};
use crate::state::DeviceState;
use crate::SimError;

/// Settings of one simulated device.
///
/// ```
/// let mut cfg = netkeep_sim::DeviceConfig::new("cisco_ios");
/// assert_eq!(cfg.hostname, "R1");
/// cfg.vty_limit = Some(5);
/// ```
#[derive(Debug, Clone)]
pub struct DeviceConfig {
    /// Netmiko device_type (`hp_comware`, `huawei`, `cisco_ios`, `cisco_nxos`, `juniper_junos`, `arista_eos`, `linux`).
    pub platform: String,
    /// Hostname shown in prompts (defaults per platform).
    pub hostname: String,
    /// Login user name (default `admin`).
    pub username: String,
    /// Login password, also the enable secret (default `admin`).
    pub password: String,
    /// VTY idle timeout for new sessions: `None` = the platform's default, `Some(ZERO)` = off.
    pub idle_timeout: Option<Duration>,
    /// Concurrent sessions allowed; `None` = unlimited.
    pub vty_limit: Option<usize>,
    /// Delay before a correct password is accepted (slow AAA).
    pub login_delay: Duration,
    /// Show the platform's login banner (Comware: "Press Y or ENTER to continue, N to exit.").
    pub banner: bool,
    /// Pad the running configuration to about this many lines (0 = a small lab config).
    pub config_lines: usize,
    /// OpenSSH private host key file; `None` = a fresh ed25519 key.
    pub host_key: Option<PathBuf>,
}

impl DeviceConfig {
    /// Defaults for `platform`; an unknown platform is reported by [`SimDevice::start`].
    pub fn new(platform: &str) -> DeviceConfig {
        let hostname = personality::get(platform)
            .map(|p| p.default_hostname.clone())
            .unwrap_or_default();
        DeviceConfig {
            platform: platform.to_string(),
            hostname,
            username: "admin".into(),
            password: "admin".into(),
            idle_timeout: None,
            vty_limit: None,
            login_delay: Duration::ZERO,
            banner: false,
            config_lines: 0,
            host_key: None,
        }
    }
}

/// A snapshot of a device's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Shell sessions started (past the VTY limit check).
    pub sessions_opened: u64,
    /// Shell sessions that ended, for any reason.
    pub sessions_closed: u64,
    /// Sessions closed by the VTY idle timeout.
    pub idle_timeouts: u64,
    /// Logins refused because all VTY lines were busy.
    pub vty_refused: u64,
    /// Command lines run (non-empty lines at a prompt).
    pub commands: u64,
    /// Failed authentication attempts.
    pub auth_failures: u64,
    /// TCP connections accepted.
    pub connections: u64,
}

#[derive(Default)]
pub(crate) struct CounterCells {
    opened: AtomicU64,
    closed: AtomicU64,
    idle: AtomicU64,
    refused: AtomicU64,
    commands: AtomicU64,
    auth_failures: AtomicU64,
    connections: AtomicU64,
}

impl CounterCells {
    pub(crate) fn add_command(&self) {
        self.commands.fetch_add(1, Ordering::Relaxed);
    }
    fn snapshot(&self) -> Counters {
        let l = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Counters {
            sessions_opened: l(&self.opened),
            sessions_closed: l(&self.closed),
            idle_timeouts: l(&self.idle),
            vty_refused: l(&self.refused),
            commands: l(&self.commands),
            auth_failures: l(&self.auth_failures),
            connections: l(&self.connections),
        }
    }
}

/// Device-wide shared state (one per [`SimDevice`]).
pub(crate) struct Core {
    pub p: Arc<Personality>,
    pub cfg: DeviceConfig,
    state: Mutex<DeviceState>,
    pub counters: CounterCells,
    pub started: Instant,
    active: AtomicUsize,
    faults: Mutex<Vec<Fault>>,
    /// Fast check: any output-changing fault set.
    output_faults: AtomicBool,
    conns: Mutex<HashMap<u64, Arc<ConnCtl>>>,
    next_id: AtomicU64,
}

impl Core {
    pub(crate) fn state(&self) -> MutexGuard<'_, DeviceState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn faults(&self) -> MutexGuard<'_, Vec<Fault>> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }
    pub(crate) fn faults_snapshot(&self) -> Vec<Fault> {
        self.faults().clone()
    }
    fn has_fault(&self, f: impl Fn(&Fault) -> bool) -> bool {
        self.faults().iter().any(f)
    }
    fn conns(&self) -> MutexGuard<'_, HashMap<u64, Arc<ConnCtl>>> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }
}

// ---------------------------------------------------------------------------------------------
// Connection control: a TCP stream wrapper that can stall (half-open) or die (reset) on demand.

const RUNNING: u8 = 0;
const STALLED: u8 = 1;
const DEAD: u8 = 2;

pub(crate) struct ConnCtl {
    state: AtomicU8,
    wakers: Mutex<Vec<Waker>>,
}

impl ConnCtl {
    fn new(state: u8) -> Arc<ConnCtl> {
        Arc::new(ConnCtl {
            state: AtomicU8::new(state),
            wakers: Mutex::new(Vec::new()),
        })
    }
    fn set(&self, s: u8) {
        if self.state.load(Ordering::Acquire) == DEAD {
            return;
        }
        self.state.store(s, Ordering::Release);
        let ws = self
            .wakers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for w in ws {
            w.wake();
        }
    }
    /// Pending until the state changes (registering the waker first to avoid a lost wakeup).
    fn park(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut ws = self.wakers.lock().unwrap_or_else(|p| p.into_inner());
        match self.state.load(Ordering::Acquire) {
            STALLED => {
                if !ws.iter().any(|w| w.will_wake(cx.waker())) {
                    if ws.len() >= 4 {
                        ws.remove(0);
                    }
                    ws.push(cx.waker().clone());
                }
                Poll::Pending
            }
            DEAD => Poll::Ready(Err(io::ErrorKind::ConnectionReset.into())),
            _ => Poll::Ready(Ok(())),
        }
    }
}

struct FaultStream {
    inner: TcpStream,
    ctl: Arc<ConnCtl>,
    lingered: bool,
}

impl FaultStream {
    fn gate(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.ctl.state.load(Ordering::Acquire) {
            RUNNING => Poll::Ready(Ok(())),
            DEAD => {
                if !self.lingered {
                    self.lingered = true;
                    // Linger 0: closing sends RST, like a rebooting box or a firewall reset.
                    #[allow(deprecated)]
                    let _ = self.inner.set_linger(Some(Duration::ZERO));
                }
                Poll::Ready(Err(io::ErrorKind::ConnectionReset.into()))
            }
            _ => self.ctl.park(cx),
        }
    }
}

impl AsyncRead for FaultStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        // Remember the reader's waker so a stall/reset/stop wakes an idle session at once.
        {
            let mut ws = self.ctl.wakers.lock().unwrap_or_else(|p| p.into_inner());
            if !ws.iter().any(|w| w.will_wake(cx.waker())) {
                if ws.len() >= 4 {
                    ws.remove(0);
                }
                ws.push(cx.waker().clone());
            }
        }
        match self.gate(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.inner).poll_read(cx, buf),
            other => other,
        }
    }
}

impl AsyncWrite for FaultStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.gate(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.inner).poll_write(cx, buf),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.gate(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.inner).poll_flush(cx),
            other => other,
        }
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

// ---------------------------------------------------------------------------------------------
// Per-session handler.

struct Shared {
    engine: Mutex<Engine>,
    /// Milliseconds since `Core::started` of the last input the platform counts as activity.
    last_activity: AtomicU64,
}

impl Shared {
    fn engine(&self) -> MutexGuard<'_, Engine> {
        self.engine.lock().unwrap_or_else(|p| p.into_inner())
    }
}

struct Conn {
    core: Arc<Core>,
    user: String,
    kbd_tries: u8,
    channel: Option<ChannelId>,
    shared: Option<Arc<Shared>>,
    holds_slot: bool,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        if self.holds_slot {
            self.core.active.fetch_sub(1, Ordering::AcqRel);
            self.core.counters.closed.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn now_ms(core: &Core) -> u64 {
    core.started.elapsed().as_millis() as u64
}

impl Conn {
    async fn check_password(&mut self, user: &str, password: &str) -> Auth {
        let core = &self.core;
        let ok = user == core.cfg.username
            && password == core.cfg.password
            && !core.has_fault(|f| matches!(f, Fault::AuthFailing));
        if !ok {
            core.counters.auth_failures.fetch_add(1, Ordering::Relaxed);
            return Auth::Reject {
                proceed_with_methods: None,
                partial_success: false,
            };
        }
        if !core.cfg.login_delay.is_zero() {
            tokio::time::sleep(core.cfg.login_delay).await;
        }
        self.user = user.to_string();
        Auth::Accept
    }

    /// Apply output faults (garbage, unsolicited log lines, prompt-like text) to outgoing bytes.
    fn decorate(&self, out: Vec<u8>) -> Vec<u8> {
        if !self.core.output_faults.load(Ordering::Relaxed) || out.len() < 64 {
            return out;
        }
        crate::fault_apply::decorate(&self.core, out)
    }

    /// Write through the session (direct path: one channel data message per input chunk).
    fn write(&self, session: &mut Session, channel: ChannelId, out: Vec<u8>) {
        if out.is_empty() {
            return;
        }
        let out = self.decorate(out);
        if let Some(Fault::SlowDrip { chunk, delay }) = self
            .core
            .faults()
            .iter()
            .find(|f| matches!(f, Fault::SlowDrip { .. }))
            .cloned()
        {
            let handle = session.handle();
            tokio::spawn(drip(handle, channel, out, chunk.max(1), delay));
            return;
        }
        let _ = session.data(channel, out);
    }

    fn start_slow(&mut self, session: &Session, channel: ChannelId, first: Duration) {
        let Some(shared) = self.shared.clone() else {
            return;
        };
        let handle = session.handle();
        let core = self.core.clone();
        self.tasks.push(tokio::spawn(async move {
            let mut wait = first;
            loop {
                tokio::time::sleep(wait).await;
                let mut out = Vec::new();
                let eff = shared.engine().slow_tick(&mut out);
                if !out.is_empty() && handle.data(channel, out).await.is_err() {
                    return;
                }
                let eff = if eff == Effect::SlowDone {
                    // Ordered after the output above: typed-ahead input runs only now.
                    let mut out = Vec::new();
                    let eff = shared.engine().finish_slow(&mut out);
                    if !out.is_empty() && handle.data(channel, out).await.is_err() {
                        return;
                    }
                    eff
                } else {
                    eff
                };
                match eff {
                    Effect::Slow(d) => wait = d,
                    Effect::Close => {
                        close(&handle, channel, &core).await;
                        return;
                    }
                    Effect::None | Effect::SlowDone => return,
                }
            }
        }));
    }
}

async fn drip(handle: Handle, channel: ChannelId, out: Vec<u8>, chunk: usize, delay: Duration) {
    for piece in out.chunks(chunk) {
        if handle.data(channel, piece.to_vec()).await.is_err() {
            return;
        }
        tokio::time::sleep(delay).await;
    }
}

async fn close(handle: &Handle, channel: ChannelId, _core: &Core) {
    let _ = handle.eof(channel).await;
    let _ = handle.close(channel).await;
    let _ = handle
        .disconnect(
            Disconnect::ByApplication,
            "session closed".into(),
            String::new(),
        )
        .await;
}

async fn idle_timer(
    shared: Arc<Shared>,
    core: Arc<Core>,
    handle: Handle,
    channel: ChannelId,
    timeout: Duration,
) {
    loop {
        let last = shared.last_activity.load(Ordering::Acquire);
        let deadline = core.started + Duration::from_millis(last) + timeout;
        if Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep_until(deadline.into()).await;
    }
    core.counters.idle.fetch_add(1, Ordering::Relaxed);
    let msg = shared.engine().idle_message();
    let _ = handle.data(channel, msg).await;
    close(&handle, channel, &core).await;
}

impl russh::server::Handler for Conn {
    type Error = russh::Error;

    async fn auth_none(&mut self, _user: &str) -> Result<Auth, Self::Error> {
        Ok(Auth::Reject {
            proceed_with_methods: None,
            partial_success: false,
        })
    }

    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        Ok(self.check_password(user, password).await)
    }

    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        user: &str,
        _submethods: &str,
        response: Option<russh::server::Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        let answer = response.and_then(|mut r| r.next());
        match answer {
            Some(a) if self.kbd_tries > 0 => {
                self.kbd_tries = 0;
                let pw = String::from_utf8_lossy(&a).into_owned();
                Ok(self.check_password(user, &pw).await)
            }
            _ => {
                self.kbd_tries = 1;
                Ok(Auth::Partial {
                    name: "".into(),
                    instructions: "".into(),
                    prompts: vec![("Password: ".into(), false)].into(),
                })
            }
        }
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.channel.is_some() {
            // One CLI per connection, like a VTY.
            reply
                .reject(russh::ChannelOpenFailure::AdministrativelyProhibited)
                .await;
            return Ok(());
        }
        self.channel = Some(channel.id());
        // Dropping `channel`: we consume input through `data`, never through the channel's queue.
        drop(channel);
        reply.accept().await;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        _col_width: u32,
        _row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)?;
        Ok(())
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        _name: &str,
        _value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)?;
        Ok(())
    }

    async fn window_change_request(
        &mut self,
        channel: ChannelId,
        _col_width: u32,
        _row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)?;
        Ok(())
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)?;
        let core = self.core.clone();
        let mut engine = Engine::new(core.clone(), &self.user);
        // VTY limit: take a slot or refuse the way the device does.
        let limit = core.cfg.vty_limit.unwrap_or(usize::MAX);
        let taken = core
            .active
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            })
            .is_ok();
        if !taken {
            core.counters.refused.fetch_add(1, Ordering::Relaxed);
            let msg = engine.vty_refused_message();
            let _ = session.data(channel, msg);
            let _ = session.eof(channel);
            let _ = session.close(channel);
            let handle = session.handle();
            tokio::spawn(async move {
                let _ = handle
                    .disconnect(
                        Disconnect::TooManyConnections,
                        "all VTY lines busy".into(),
                        String::new(),
                    )
                    .await;
            });
            return Ok(());
        }
        self.holds_slot = true;
        core.counters.opened.fetch_add(1, Ordering::Relaxed);
        let mut out = Vec::with_capacity(256);
        if core.has_fault(|f| matches!(f, Fault::PromptInOutput)) {
            // A login banner full of prompt-like text, as some operators write them.
            let h = core.state().hostname.clone();
            out.extend_from_slice(
                format!("\r\n*** {h}> <{h}> [{h}] {h}# admin@{h}> -- authorized use only ***\r\n")
                    .as_bytes(),
            );
        }
        engine.start(core.cfg.banner, &mut out);
        let timeout = core.state().idle;
        let shared = Arc::new(Shared {
            engine: Mutex::new(engine),
            last_activity: AtomicU64::new(now_ms(&core)),
        });
        self.shared = Some(shared.clone());
        self.write(session, channel, out);
        if let Some(t) = timeout {
            self.tasks.push(tokio::spawn(idle_timer(
                shared,
                core,
                session.handle(),
                channel,
                t,
            )));
        }
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // `ssh host command`: run one line without prompts, then exit status 0.
        session.channel_success(channel)?;
        let mut engine = Engine::new(self.core.clone(), &self.user);
        let mut scratch = Vec::new();
        engine.start(false, &mut scratch);
        let mut out = Vec::new();
        let mut line = data.to_vec();
        line.push(b'\r');
        let _ = engine.feed(&line, &mut out);
        // Drop the echoed command line and the trailing prompt: exec has neither.
        let text = String::from_utf8_lossy(&out).into_owned();
        let body = text.split_once("\r\n").map(|x| x.1).unwrap_or("");
        let body = body
            .rsplit_once("\r\n")
            .map(|x| format!("{}\r\n", x.0))
            .unwrap_or_default();
        let _ = session.data(channel, body.into_bytes());
        let _ = session.exit_status_request(channel, 0);
        let _ = session.eof(channel);
        let _ = session.close(channel);
        Ok(())
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let Some(shared) = self.shared.clone() else {
            return Ok(());
        };
        let core = &self.core;
        let mut out = Vec::with_capacity(data.len() + 128);
        let (effect, lines_before, lines_after, busy) = {
            let mut e = shared.engine();
            let before = e.lines_seen;
            let eff = e.feed(data, &mut out);
            (eff, before, e.lines_seen, e.is_busy())
        };
        let active = match core.p.activity {
            Activity::AnyByte => true,
            Activity::Line => lines_after > lines_before,
        };
        if active {
            shared.last_activity.store(now_ms(core), Ordering::Release);
        }
        self.write(session, channel, out);
        match effect {
            Effect::None => {}
            Effect::Close => {
                let _ = session.eof(channel);
                let _ = session.close(channel);
                let handle = session.handle();
                tokio::spawn(async move {
                    let _ = handle
                        .disconnect(Disconnect::ByApplication, "logout".into(), String::new())
                        .await;
                });
            }
            Effect::Slow(d) => {
                if busy {
                    self.start_slow(session, channel, d);
                }
            }
            Effect::SlowDone => {}
        }
        Ok(())
    }

    async fn channel_eof(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let _ = session.close(channel);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The device.

struct Inner {
    core: Arc<Core>,
    addr: SocketAddr,
    key: Mutex<PrivateKey>,
    accept: Mutex<Option<JoinHandle<()>>>,
    stopped: AtomicBool,
}

/// A running simulated device: an SSH server on one address.
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
    inner: Arc<Inner>,
}

fn new_key() -> PrivateKey {
    let seed: [u8; 32] = rand::random();
    PrivateKey::from(Ed25519Keypair::from_seed(&seed))
}

fn russh_config(key: PrivateKey) -> Arc<russh::server::Config> {
    let methods: &[MethodKind] = &[MethodKind::Password, MethodKind::KeyboardInteractive];
    Arc::new(russh::server::Config {
        server_id: russh::SshId::Standard("SSH-2.0-netkeep_sim".into()),
        methods: MethodSet::from(methods),
        auth_rejection_time: Duration::from_millis(20),
        auth_rejection_time_initial: Some(Duration::ZERO),
        keys: vec![key],
        inactivity_timeout: None,
        keepalive_interval: None,
        nodelay: true,
        // Small per-session queues: 10,000 sessions must fit in one process.
        channel_buffer_size: 16,
        event_buffer_size: 16,
        ..Default::default()
    })
}

impl SimDevice {
    /// Start a device listening on `addr` (use port 0 for any free port).
    pub async fn start(cfg: DeviceConfig, addr: SocketAddr) -> Result<SimDevice, SimError> {
        let p = personality::get(&cfg.platform)?;
        let mut cfg = cfg;
        if cfg.hostname.is_empty() {
            cfg.hostname = p.default_hostname.clone();
        }
        let key = match &cfg.host_key {
            Some(path) => {
                russh::keys::load_secret_key(path, None).map_err(|e| SimError::HostKey {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?
            }
            None => new_key(),
        };
        let (idle, configured) = match cfg.idle_timeout {
            None => (p.default_idle_timeout, false),
            Some(d) if d.is_zero() => (None, true),
            Some(d) => (Some(d), true),
        };
        let mut state = DeviceState::new(&p, &cfg.hostname, idle, configured);
        if cfg.config_lines > 0 {
            let pp = p.clone();
            state.pad(&p, cfg.config_lines, |st| running_config_lines(&pp, st));
        }
        let listener = reusable_socket(addr)
            .and_then(|s| s.listen(LISTEN_BACKLOG))
            .map_err(|source| SimError::Bind { addr, source })?;
        let bound = listener
            .local_addr()
            .map_err(|source| SimError::Bind { addr, source })?;
        let core = Arc::new(Core {
            p,
            cfg,
            state: Mutex::new(state),
            counters: CounterCells::default(),
            started: Instant::now(),
            active: AtomicUsize::new(0),
            faults: Mutex::new(Vec::new()),
            output_faults: AtomicBool::new(false),
            conns: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
        });
        let inner = Arc::new(Inner {
            core,
            addr: bound,
            key: Mutex::new(key),
            accept: Mutex::new(None),
            stopped: AtomicBool::new(false),
        });
        Inner::spawn_accept(&inner, listener);
        Ok(SimDevice { inner })
    }

    /// The address actually bound.
    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// The platform name.
    pub fn platform(&self) -> &str {
        &self.inner.core.p.platform
    }

    /// The current hostname (changes with `sysname`/`hostname`).
    pub fn hostname(&self) -> String {
        self.inner.core.state().hostname.clone()
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> Counters {
        self.inner.core.counters.snapshot()
    }

    /// Sessions currently holding a VTY line.
    pub fn active_sessions(&self) -> usize {
        self.inner.core.active.load(Ordering::Acquire)
    }

    /// The VTY idle timeout new sessions get (`None` = never).
    pub fn idle_timeout(&self) -> Option<Duration> {
        self.inner.core.state().idle
    }

    /// Change the idle timeout for new sessions, as `idle-timeout` in the VTY config would.
    pub fn set_idle_timeout(&self, t: Option<Duration>) {
        let mut st = self.inner.core.state();
        st.idle = t.filter(|d| !d.is_zero());
        st.idle_configured = true;
    }

    /// The host public key in OpenSSH format (`ssh-ed25519 AAAA...`).
    pub fn host_key_openssh(&self) -> String {
        let k = self.inner.key.lock().unwrap_or_else(|p| p.into_inner());
        k.public_key().to_openssh().unwrap_or_default()
    }

    /// The host key's SHA-256 fingerprint (`SHA256:...`).
    pub fn host_key_fingerprint(&self) -> String {
        let k = self.inner.key.lock().unwrap_or_else(|p| p.into_inner());
        k.public_key()
            .fingerprint(russh::keys::HashAlg::Sha256)
            .to_string()
    }

    /// Inject a fault. One-shot faults (`Reset`, `Reboot`) act at once; the others last until
    /// [`SimDevice::clear_faults`].
    pub fn set_fault(&self, f: Fault) {
        let core = &self.inner.core;
        match f {
            Fault::Reset => {
                for c in core.conns().values() {
                    c.set(DEAD);
                }
            }
            Fault::Reboot { down, new_host_key } => {
                let inner = self.inner.clone();
                tokio::spawn(async move { Inner::reboot(inner, down, new_host_key).await });
            }
            Fault::Stall => {
                core.faults().push(f);
                for c in core.conns().values() {
                    c.set(STALLED);
                }
            }
            other => {
                let output = matches!(
                    other,
                    Fault::Garbage | Fault::UnsolicitedLines | Fault::PromptInOutput
                );
                core.faults().push(other);
                if output {
                    core.output_faults.store(true, Ordering::Relaxed);
                }
            }
        }
    }

    /// Remove all lasting faults; stalled connections resume.
    pub fn clear_faults(&self) {
        let core = &self.inner.core;
        core.faults().clear();
        core.output_faults.store(false, Ordering::Relaxed);
        for c in core.conns().values() {
            c.set(RUNNING);
        }
    }

    /// The lasting faults currently set.
    pub fn faults(&self) -> Vec<Fault> {
        self.inner.core.faults().clone()
    }

    /// Stop listening and drop every session (clients see the connection reset).
    pub async fn stop(&self) {
        self.inner.stopped.store(true, Ordering::Release);
        if let Some(h) = self
            .inner
            .accept
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            h.abort();
        }
        let conns: Vec<_> = self.inner.core.conns().values().cloned().collect();
        for c in conns {
            c.set(DEAD);
        }
        let deadline = Instant::now() + Duration::from_secs(2);
        while !self.inner.core.conns().is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

impl Drop for SimDevice {
    fn drop(&mut self) {
        if let Some(h) = self
            .inner
            .accept
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            h.abort();
        }
        for c in self.inner.core.conns().values() {
            c.set(DEAD);
        }
    }
}

impl Inner {
    fn spawn_accept(inner: &Arc<Inner>, listener: TcpListener) {
        let key = inner.key.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let config = russh_config(key);
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
                core.counters.connections.fetch_add(1, Ordering::Relaxed);
                let id = core.next_id.fetch_add(1, Ordering::Relaxed);
                let stalled = core.has_fault(|f| matches!(f, Fault::Stall));
                let ctl = ConnCtl::new(if stalled { STALLED } else { RUNNING });
                core.conns().insert(id, ctl.clone());
                let handler = Conn {
                    core: core.clone(),
                    user: String::new(),
                    kbd_tries: 0,
                    channel: None,
                    shared: None,
                    holds_slot: false,
                    tasks: Vec::new(),
                };
                let config = config.clone();
                let core2 = core.clone();
                tokio::spawn(async move {
                    let stream = FaultStream {
                        inner: sock,
                        ctl,
                        lingered: false,
                    };
                    if let Ok(running) = russh::server::run_stream(config, stream, handler).await {
                        let _ = running.await;
                    }
                    core2.conns().remove(&id);
                });
            }
        });
        *inner.accept.lock().unwrap_or_else(|p| p.into_inner()) = Some(h);
    }

    async fn reboot(inner: Arc<Inner>, down: Duration, new_host_key: bool) {
        let accept = inner
            .accept
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(h) = accept {
            h.abort();
            // Resolves once the task, and with it the listener, is dropped.
            let _ = h.await;
        }
        // Keep the port while "down": bound but not listening, so connections are refused as
        // from a rebooting device, yet no other socket on the machine (an ephemeral client
        // port, another simulator) can take it meanwhile.
        let held = reusable_socket(inner.addr);
        let conns: Vec<_> = inner.core.conns().values().cloned().collect();
        for c in conns {
            c.set(DEAD);
        }
        tokio::time::sleep(down).await;
        if inner.stopped.load(Ordering::Acquire) {
            return;
        }
        if new_host_key {
            *inner.key.lock().unwrap_or_else(|p| p.into_inner()) = new_key();
        }
        match held.and_then(|s| s.listen(LISTEN_BACKLOG)) {
            Ok(l) => {
                Inner::spawn_accept(&inner, l);
                return;
            }
            Err(e) => {
                tracing::warn!(addr = %inner.addr, error = %e, "could not keep the port over a reboot")
            }
        }
        // The old listener's port may take a moment to free; retry briefly.
        for _ in 0..100 {
            match TcpListener::bind(inner.addr).await {
                Ok(l) => {
                    Inner::spawn_accept(&inner, l);
                    return;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
        tracing::error!(addr = %inner.addr, "simulated reboot could not listen again");
    }
}

/// Connections a simulated device lets wait for `accept` (the kernel caps it at somaxconn).
const LISTEN_BACKLOG: u32 = 4096;

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

/// Lines of the running configuration for a state (used to size `config_lines` padding).
fn running_config_lines(p: &Personality, st: &DeviceState) -> usize {
    let Some(t) = p.outputs.get("running_config") else {
        return 0;
    };
    let dv = crate::state::DeviceVars {
        p,
        st,
        user: "admin",
        uptime: Duration::ZERO,
        clock: crate::state::Clock::now(),
    };
    let s = t.to_string(&crate::template::Scope {
        vars: &dv,
        parent: None,
    });
    s.lines().count()
}
