//! Session pools: per device up to `max_sessions` warm sessions, a request queue, a supervisor
//! that reconnects dead sessions with backoff, reloads and graceful shutdown.
//!
//! No task or thread per device: one supervisor loop scans the fleet each tick and spawns
//! short-lived connect tasks (bounded by a global connect limit).
//!
//! ```no_run
//! # async fn demo(inv: netkeep_keeper::inventory::Inventory) {
//! use std::sync::Arc;
//! use netkeep_keeper::keeper::{Keeper, KeeperOptions, ExecRequest};
//! let keeper = Keeper::new(inv, Arc::new(netkeep_keeper::netkeep_conn::NetkeepConnector::new()),
//!                          KeeperOptions::default());
//! keeper.warm(|_done, _total| {}).await;
//! let res = keeper.exec_one("core-sw1", &ExecRequest::new(["display clock"])).await;
//! println!("{}", res.outputs[0].output);
//! keeper.shutdown(std::time::Duration::from_secs(10)).await;
//! # }
//! ```

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

use rand::Rng;
use serde::Serialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::inventory::{DeviceSpec, Inventory};
use crate::session::{Connector, DeviceSession, ErrorKind, SessionError};

/// Tunables; defaults suit production, tests scale them down.
#[derive(Debug, Clone)]
pub struct KeeperOptions {
    /// How long a request waits for a free session of its device before failing.
    pub queue_timeout: Duration,
    /// First reconnect delay after a failure; doubles per failure (with jitter).
    pub backoff_base: Duration,
    /// Longest reconnect delay.
    pub backoff_max: Duration,
    /// Delay before retrying a device whose login was refused.
    pub auth_retry: Duration,
    /// Connects in flight at once (warm-up and reconnects).
    pub connect_concurrency: usize,
    /// Supervisor scan period.
    pub tick: Duration,
    /// Read timeout for commands when the request gives none.
    pub default_read_timeout: Duration,
    /// Time allowed for a polite logout at shutdown or reload.
    pub disconnect_timeout: Duration,
}

impl Default for KeeperOptions {
    fn default() -> Self {
        KeeperOptions {
            queue_timeout: Duration::from_secs(30),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            auth_retry: Duration::from_secs(600),
            connect_concurrency: 128,
            tick: Duration::from_secs(1),
            default_read_timeout: Duration::from_secs(30),
            disconnect_timeout: Duration::from_secs(5),
        }
    }
}

/// Commands to run on a device.
#[derive(Debug, Clone, Default)]
pub struct ExecRequest {
    /// Commands, run in order on one session.
    pub commands: Vec<String>,
    /// Read timeout per command; `None` = [`KeeperOptions::default_read_timeout`].
    pub read_timeout: Option<Duration>,
}

impl ExecRequest {
    /// A request with default timeouts.
    pub fn new<S: Into<String>>(commands: impl IntoIterator<Item = S>) -> Self {
        ExecRequest {
            commands: commands.into_iter().map(Into::into).collect(),
            read_timeout: None,
        }
    }
}

/// Result of one command.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct CommandResult {
    /// The command as sent.
    pub command: String,
    /// It completed.
    pub ok: bool,
    /// Its output (empty on error).
    pub output: String,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
    /// Output received before it failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub partial_output: Option<String>,
    /// Run time in milliseconds.
    pub elapsed_ms: f64,
    /// Re-run once on a fresh session after its session died (read-only commands only).
    #[serde(default)]
    pub retried: bool,
}

/// Result on one device.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct DeviceResult {
    /// Inventory name.
    pub device: String,
    /// Every command completed.
    pub ok: bool,
    /// Per-command results, in order (commands after a failure are not run).
    pub outputs: Vec<CommandResult>,
    /// Device-level failure (unknown device, queue timeout, connect failure...).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
    /// Error class of `error` or of the failed command.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error_kind: Option<ErrorKind>,
    /// Time spent waiting for a free session.
    pub queued_ms: f64,
    /// Total time on this device.
    pub elapsed_ms: f64,
    /// A new session had to be opened for this request.
    pub connected: bool,
}

impl DeviceResult {
    fn failed(device: &str, kind: ErrorKind, error: String, started: Instant) -> Self {
        DeviceResult {
            device: device.to_string(),
            ok: false,
            outputs: Vec::new(),
            error: Some(error),
            error_kind: Some(kind),
            queued_ms: 0.0,
            elapsed_ms: ms(started.elapsed()),
            connected: false,
        }
    }
}

/// Status of one device, as shown by `netkeep status`.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct DeviceStatus {
    /// Inventory name.
    pub device: String,
    /// connecting | ready | busy | backoff | failed | idle
    pub state: String,
    /// Age of the oldest live session, seconds.
    pub age_s: Option<f64>,
    /// Keepalives sent, all sessions of this device since start.
    pub keepalives_sent: u64,
    /// Last keepalive round trip, ms.
    pub last_rtt_ms: Option<f64>,
    /// Sessions opened after the first one (replacements of lost sessions, recycling).
    pub reconnects: u64,
    /// Last error (connect failure, lost session), if any.
    pub last_error: Option<String>,
    /// Live sessions / the allowed maximum.
    pub sessions: usize,
    /// `max_sessions`.
    pub max_sessions: usize,
    /// Sessions running a command now.
    pub in_use: usize,
    /// Requests waiting for a session.
    pub queued: usize,
    /// Sessions that ended without the keeper asking (device idle timeout, reset, dead peer).
    pub drops: u64,
    /// Failed connect attempts in a row.
    pub failures: u32,
    /// Seconds until the next connect attempt when in backoff/failed.
    pub retry_in_s: Option<f64>,
    /// Address and platform.
    pub address: String,
    /// Platform name.
    pub platform: String,
}

/// What a reload changed.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct ReloadReport {
    /// New devices.
    pub added: Vec<String>,
    /// Devices gone (sessions closed).
    pub removed: Vec<String>,
    /// Devices whose settings changed (sessions replaced).
    pub changed: Vec<String>,
    /// Devices kept with their sessions.
    pub unchanged: usize,
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// Read-only commands may be retried once on a fresh session: `show` / `display` and their
/// abbreviations (`sh`, `dis`...). `shutdown` and `disable` are not abbreviations of them.
pub fn is_read_only(command: &str) -> bool {
    let tok = command
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    (tok.len() >= 2 && "show".starts_with(&tok)) || (tok.len() >= 3 && "display".starts_with(&tok))
}

struct Slot {
    id: u64,
    session: Arc<dyn DeviceSession>,
    created: Instant,
    last_used: Instant,
    leased: bool,
}

#[derive(Default)]
struct DevState {
    slots: Vec<Slot>,
    /// Background connects in flight.
    connecting: usize,
    /// Failed attempts in a row.
    failures: u32,
    /// No background connect before this instant.
    next_attempt: Option<Instant>,
    /// Login refused: requests fail fast until `next_attempt`.
    auth_failed: bool,
    ever_connected: bool,
    reconnects: u64,
    drops: u64,
    last_error: Option<String>,
    /// Keepalive counts of sessions already closed.
    keepalives_retired: u64,
    last_rtt: Option<Duration>,
    next_id: u64,
    /// Connects in flight (background or for a request), counted until recorded or failed.
    opening: usize,
    /// Sessions taken out of `slots` whose logout is still running.
    closing: usize,
    /// Retired device only: permits of the device that replaced it, held back while this one
    /// still has sessions open so the two never exceed `max_sessions` together (VTY lines).
    held: Vec<OwnedSemaphorePermit>,
    /// Earlier generations of this device (replaced by reloads) that still had sessions open
    /// when this one was created.
    predecessors: Vec<Weak<Device>>,
}

impl DevState {
    /// Sessions that may hold a VTY line on the device: recorded, connecting or logging out.
    fn open_sessions(&self) -> usize {
        self.slots.len() + self.opening + self.closing
    }

    /// Gives back held permits beyond the sessions still open (call after any of them ended).
    fn release_held(&mut self) {
        let open = self.open_sessions();
        if self.held.len() > open {
            self.held.truncate(open);
        }
    }
}

struct Device {
    spec: DeviceSpec,
    permits: Arc<Semaphore>,
    st: Mutex<DevState>,
    queued: AtomicUsize,
    /// Replaced or removed by a reload: sessions are closed when returned, none are opened.
    /// Set under the `st` lock (the handover to the successor counts open sessions there).
    retired: AtomicBool,
    /// Bound on one background logout.
    logout_timeout: Duration,
}

impl Device {
    fn new(spec: DeviceSpec, logout_timeout: Duration) -> Arc<Self> {
        Arc::new(Device {
            permits: Arc::new(Semaphore::new(spec.max_sessions)),
            spec,
            st: Mutex::new(DevState::default()),
            queued: AtomicUsize::new(0),
            retired: AtomicBool::new(false),
            logout_timeout,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DevState> {
        // A panic while holding this lock leaves plain counters behind: keep going.
        self.st.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sessions the keeper should hold without being asked: warm devices with keepalive on.
    fn maintained(&self) -> bool {
        self.spec.warm && !self.spec.keepalive.is_off()
    }

    /// Counts a connect about to start; `None` once a reload retired the device: its
    /// successor holds back permits only for the sessions counted when it was retired.
    fn start_open(self: &Arc<Self>) -> Option<Opening> {
        let mut st = self.lock();
        if self.retired.load(Ordering::Relaxed) {
            return None;
        }
        st.opening += 1;
        Some(Opening(self.clone()))
    }
}

/// A connect in flight, counted in `opening` until dropped (also when its request is cancelled).
struct Opening(Arc<Device>);

impl Drop for Opening {
    fn drop(&mut self) {
        let mut st = self.0.lock();
        st.opening -= 1;
        st.release_held();
    }
}

/// Logs out of sessions already taken out of `dev.slots` and counted in `closing`, then stops
/// counting them, which gives back the successor's permits held for them.
fn spawn_logout(dev: &Arc<Device>, sessions: Vec<Arc<dyn DeviceSession>>) {
    if sessions.is_empty() {
        return;
    }
    let Ok(h) = tokio::runtime::Handle::try_current() else {
        logged_out(dev, sessions.len());
        return;
    };
    let dev = dev.clone();
    h.spawn(async move { logout(&dev, sessions).await });
}

/// Logs out of sessions counted in `closing` (each bounded by the device's logout timeout), then
/// stops counting them.
async fn logout(dev: &Device, sessions: Vec<Arc<dyn DeviceSession>>) {
    let t = dev.logout_timeout;
    futures::future::join_all(
        sessions
            .iter()
            .map(|s| tokio::time::timeout(t, s.disconnect())),
    )
    .await;
    logged_out(dev, sessions.len());
}

/// `n` sessions counted in `closing` have ended: only now are their VTY lines free, so the
/// successor's permits held for them are given back.
fn logged_out(dev: &Device, n: usize) {
    let mut st = dev.lock();
    st.closing -= n;
    st.release_held();
}

/// Removes closed slots, recording why; returns sessions to log out of (aged out, counted in
/// `closing`: pass them to [`spawn_logout`]).
fn reap(dev: &Device, st: &mut DevState, now: Instant) -> Vec<Arc<dyn DeviceSession>> {
    let mut to_close = Vec::new();
    let max_age = dev.spec.max_age;
    let mut i = 0;
    while i < st.slots.len() {
        let s = &st.slots[i];
        if s.leased {
            i += 1;
            continue;
        }
        if s.session.is_closed() {
            let s = st.slots.swap_remove(i);
            st.keepalives_retired += s.session.keepalives_sent();
            st.drops += 1;
            // The library's message starts with the device name, which the status row shows.
            let why = s.session.close_message().map_or_else(
                || "closed by the device or the network (idle timeout, reset or dead peer)".into(),
                |m| {
                    m.strip_prefix(&format!("{}: ", dev.spec.name))
                        .map(str::to_string)
                        .unwrap_or(m)
                },
            );
            let msg = format!(
                "{why} (after {:.1} s, {:.1} s since last use)",
                now.duration_since(s.created).as_secs_f64(),
                now.duration_since(s.last_used).as_secs_f64()
            );
            tracing::info!(device = %dev.spec.name, "{msg}");
            st.last_error = Some(msg);
            continue;
        }
        if max_age.is_some_and(|m| now.duration_since(s.created) >= m) {
            let s = st.slots.swap_remove(i);
            st.keepalives_retired += s.session.keepalives_sent();
            tracing::debug!(device = %dev.spec.name, "recycling a session older than max_age");
            st.closing += 1;
            to_close.push(s.session);
            continue;
        }
        i += 1;
    }
    st.release_held();
    to_close
}

struct Fleet {
    devices: BTreeMap<String, Arc<Device>>,
    groups: BTreeMap<String, Vec<String>>,
}

#[derive(Default)]
struct Metrics {
    commands: AtomicU64,
    command_errors: AtomicU64,
    connects: AtomicU64,
    connect_failures: AtomicU64,
    auth_failures: AtomicU64,
    retries: AtomicU64,
    queue_timeouts: AtomicU64,
}

struct Inner {
    connector: Arc<dyn Connector>,
    opts: KeeperOptions,
    fleet: RwLock<Arc<Fleet>>,
    connect_limit: Arc<Semaphore>,
    metrics: Metrics,
    stop: CancellationToken,
    started: Instant,
    /// Connect-failure warnings in the current window: (window start, logged, suppressed).
    warn_window: Mutex<(Instant, u32, u64)>,
}

/// The session keeper. Cheap to clone (shared state).
#[derive(Clone)]
pub struct Keeper {
    inner: Arc<Inner>,
}

/// Increments a queue counter for its lifetime.
struct Queued<'a>(&'a AtomicUsize);

impl<'a> Queued<'a> {
    fn new(c: &'a AtomicUsize) -> Self {
        c.fetch_add(1, Ordering::Relaxed);
        Queued(c)
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A session lent to one request; returned to the pool on drop.
struct Lease {
    dev: Arc<Device>,
    id: u64,
    session: Arc<dyn DeviceSession>,
    _permit: OwnedSemaphorePermit,
    /// Set when the session must not go back (timeout, death).
    discard: bool,
}

impl Drop for Lease {
    fn drop(&mut self) {
        let now = Instant::now();
        let close = {
            let mut st = self.dev.lock();
            let pos = st.slots.iter().position(|s| s.id == self.id);
            let retire = self.discard
                || self.dev.retired.load(Ordering::Relaxed)
                || self.session.is_closed();
            match pos {
                Some(p) if retire => {
                    let s = st.slots.swap_remove(p);
                    st.keepalives_retired += s.session.keepalives_sent();
                    if s.session.is_closed() {
                        st.release_held();
                        false
                    } else {
                        st.closing += 1;
                        true
                    }
                }
                Some(p) => {
                    st.slots[p].leased = false;
                    st.slots[p].last_used = now;
                    false
                }
                None => false,
            }
        };
        if close {
            spawn_logout(&self.dev, vec![self.session.clone()]);
        }
    }
}

/// What [`Keeper::lease_with_permit`] got.
enum Leased {
    /// A session, and whether it was connected for this request.
    Lease(Lease, bool),
    /// The device was retired by a reload: queue for the one that replaced it.
    Moved,
}

fn jitter(d: Duration) -> Duration {
    // ±50 % so a fleet that failed together does not retry together.
    d.mul_f64(rand::rng().random_range(0.5..1.5))
}

impl Keeper {
    /// Creates a keeper for an inventory and starts its supervisor. Sessions are not opened until
    /// [`Keeper::warm`] or the first request.
    pub fn new(inventory: Inventory, connector: Arc<dyn Connector>, opts: KeeperOptions) -> Keeper {
        let fleet = Fleet {
            devices: inventory
                .devices
                .into_values()
                .map(|s| (s.name.clone(), Device::new(s, opts.disconnect_timeout)))
                .collect(),
            groups: inventory.groups,
        };
        let keeper = Keeper {
            inner: Arc::new(Inner {
                connector,
                connect_limit: Arc::new(Semaphore::new(opts.connect_concurrency.max(1))),
                opts,
                fleet: RwLock::new(Arc::new(fleet)),
                metrics: Metrics::default(),
                stop: CancellationToken::new(),
                started: Instant::now(),
                warn_window: Mutex::new((Instant::now(), 0, 0)),
            }),
        };
        let weak = Arc::downgrade(&keeper.inner);
        let stop = keeper.inner.stop.clone();
        let tick = keeper.inner.opts.tick;
        tokio::spawn(async move {
            let mut iv = tokio::time::interval(tick);
            iv.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = iv.tick() => {}
                }
                let Some(inner) = weak.upgrade() else { break };
                Keeper { inner }.supervise();
            }
        });
        keeper
    }

    fn fleet(&self) -> Arc<Fleet> {
        self.inner
            .fleet
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Device names, sorted.
    pub fn device_names(&self) -> Vec<String> {
        self.fleet().devices.keys().cloned().collect()
    }

    /// True if the inventory has this device.
    pub fn has_device(&self, name: &str) -> bool {
        self.fleet().devices.contains_key(name)
    }

    /// Number of devices.
    pub fn device_count(&self) -> usize {
        self.fleet().devices.len()
    }

    /// Members of a group, if it exists.
    pub fn group_members(&self, group: &str) -> Option<Vec<String>> {
        self.fleet().groups.get(group).cloned()
    }

    /// One supervisor pass: reap dead and aged sessions, start reconnects that are due.
    fn supervise(&self) {
        let now = Instant::now();
        for dev in self.fleet().devices.values() {
            let (close, reconnect) = {
                let mut st = dev.lock();
                let close = reap(dev, &mut st, now);
                let live = st.slots.len();
                let due = st.next_attempt.is_none_or(|t| now >= t);
                let reconnect = dev.maintained() && live == 0 && st.connecting == 0 && due;
                if reconnect {
                    st.connecting += 1;
                }
                (close, reconnect)
            };
            spawn_logout(dev, close);
            if reconnect {
                let k = self.clone();
                let dev = dev.clone();
                tokio::spawn(async move { k.background_connect(dev, false).await });
            }
        }
    }

    /// Opens one session for a device in the background (warm-up, reconnect). The caller has
    /// incremented `connecting`.
    async fn background_connect(&self, dev: Arc<Device>, wait: bool) -> bool {
        let ok = async {
            // The supervisor skips a device whose sessions are all in use; warm-up waits. The
            // device permit comes first: waiting for it (say, for a replaced device's session to
            // log out) must not take one of the global connect slots.
            let permit = if wait {
                dev.permits.clone().acquire_owned().await.ok()?
            } else {
                dev.permits.clone().try_acquire_owned().ok()?
            };
            let _g = self
                .inner
                .connect_limit
                .clone()
                .acquire_owned()
                .await
                .ok()?;
            {
                let st = dev.lock();
                if st.slots.iter().any(|s| !s.session.is_closed()) {
                    return Some(true);
                }
                // Someone else just failed: respect the backoff instead of trying again.
                if st.next_attempt.is_some_and(|t| Instant::now() < t) {
                    return Some(false);
                }
            }
            let opening = dev.start_open()?;
            let r = self.open(&dev, opening, false).await.ok().map(|_| true);
            drop(permit);
            r
        }
        .await
        .unwrap_or(false);
        dev.lock().connecting -= 1;
        ok
    }

    /// Connects a new session and records it in the device's slots, `leased` or not.
    async fn open(
        &self,
        dev: &Arc<Device>,
        opening: Opening,
        leased: bool,
    ) -> Result<u64, SessionError> {
        if self.inner.stop.is_cancelled() {
            return Err(SessionError::new(
                ErrorKind::Other,
                "the keeper is shutting down",
            ));
        }
        let m = &self.inner.metrics;
        m.connects.fetch_add(1, Ordering::Relaxed);
        let r = self.inner.connector.connect(&dev.spec).await;
        let now = Instant::now();
        let mut st = dev.lock();
        let mut unwanted = None;
        let res = match r {
            Ok(session) if !leased && dev.retired.load(Ordering::Relaxed) => {
                // Replaced by a reload while connecting: nobody would use or close it.
                st.closing += 1;
                unwanted = Some(session);
                Err(SessionError::new(
                    ErrorKind::Other,
                    format!("{}: replaced by a reload while connecting", dev.spec.name),
                ))
            }
            Ok(session) => {
                if st.ever_connected {
                    st.reconnects += 1;
                }
                if st.failures > 0 || st.auth_failed {
                    tracing::info!(device = %dev.spec.name, failures = st.failures, "connected again");
                }
                st.ever_connected = true;
                st.failures = 0;
                st.auth_failed = false;
                st.next_attempt = None;
                st.next_id += 1;
                let id = st.next_id;
                st.slots.push(Slot {
                    id,
                    session,
                    created: now,
                    last_used: now,
                    leased,
                });
                Ok(id)
            }
            Err(e) => {
                m.connect_failures.fetch_add(1, Ordering::Relaxed);
                st.failures = st.failures.saturating_add(1);
                let delay = if e.kind == ErrorKind::Auth {
                    m.auth_failures.fetch_add(1, Ordering::Relaxed);
                    st.auth_failed = true;
                    jitter(self.inner.opts.auth_retry).max(self.inner.opts.auth_retry / 2)
                } else {
                    let exp = self
                        .inner
                        .opts
                        .backoff_base
                        .saturating_mul(1u32 << st.failures.min(16).saturating_sub(1));
                    jitter(exp.min(self.inner.opts.backoff_max))
                };
                st.next_attempt = Some(now + delay);
                // Log the first failure loudly, repeats quietly: bounded logging for big fleets.
                if (st.failures == 1 || e.kind == ErrorKind::Auth) && self.warn_allowed() {
                    tracing::warn!(device = %dev.spec.name, retry_in = ?delay, "connect failed: {}", e.message);
                } else {
                    tracing::debug!(device = %dev.spec.name, failures = st.failures, retry_in = ?delay, "connect failed: {}", e.message);
                }
                st.last_error = Some(e.message.clone());
                Err(e)
            }
        };
        // Not counted as connecting any more (the slot, if any, counts now); `Opening` locks.
        drop(st);
        drop(opening);
        if let Some(s) = unwanted {
            spawn_logout(dev, vec![s]);
        }
        res
    }

    /// At most 20 connect-failure warnings per 10 s (a fleet failing together would otherwise
    /// write one line per device); the rest go to debug and are counted in a summary line.
    fn warn_allowed(&self) -> bool {
        let mut w = self
            .inner
            .warn_window
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if now.duration_since(w.0) >= Duration::from_secs(10) {
            if w.2 > 0 {
                tracing::warn!(
                    "{} more connect failures in the last 10 s not logged (see `netkeep status`)",
                    w.2
                );
            }
            *w = (now, 0, 0);
        }
        if w.1 < 20 {
            w.1 += 1;
            true
        } else {
            w.2 += 1;
            false
        }
    }

    /// Opens the first session of every `warm` device, `connect_concurrency` at a time.
    /// `progress(done, total)` is called after each attempt. Returns (connected, failed).
    pub async fn warm(&self, progress: impl Fn(usize, usize) + Send + Sync) -> (usize, usize) {
        let devs: Vec<Arc<Device>> = self
            .fleet()
            .devices
            .values()
            .filter(|d| d.spec.warm)
            .cloned()
            .collect();
        self.warm_devices(devs, progress).await
    }

    async fn warm_devices(
        &self,
        devs: Vec<Arc<Device>>,
        progress: impl Fn(usize, usize) + Send + Sync,
    ) -> (usize, usize) {
        let total = devs.len();
        let mut set = tokio::task::JoinSet::new();
        for dev in devs {
            dev.lock().connecting += 1;
            let k = self.clone();
            set.spawn(async move { k.background_connect(dev, true).await });
        }
        let (mut ok, mut failed) = (0, 0);
        while let Some(r) = set.join_next().await {
            if matches!(r, Ok(true)) {
                ok += 1
            } else {
                failed += 1
            }
            progress(ok + failed, total);
        }
        (ok, failed)
    }

    fn device(&self, name: &str) -> Option<Arc<Device>> {
        self.fleet().devices.get(name).cloned()
    }

    /// Waits for a free session of `dev` (queueing), connecting one if needed. The lease may be
    /// on a newer `Device` of the same name: a reload that changed the device's settings while
    /// the request was queued moves the request over (within the same `queue_timeout`).
    async fn lease(&self, dev: &Arc<Device>) -> Result<(Lease, Duration, bool), SessionError> {
        let t0 = Instant::now();
        let deadline = tokio::time::Instant::from_std(t0) + self.inner.opts.queue_timeout;
        self.lease_until(dev, t0, deadline).await
    }

    /// [`Keeper::lease`] for a request queued since `t0` that must have a permit by `deadline`.
    async fn lease_until(
        &self,
        dev: &Arc<Device>,
        t0: Instant,
        deadline: tokio::time::Instant,
    ) -> Result<(Lease, Duration, bool), SessionError> {
        let mut dev = dev.clone();
        loop {
            let r = {
                // Counted as queued until it has a permit, even if the caller gives up meanwhile.
                let _q = Queued::new(&dev.queued);
                tokio::time::timeout_at(deadline, dev.permits.clone().acquire_owned()).await
            };
            let permit = match r {
                Ok(Ok(p)) => p,
                // Closed semaphore: the daemon is stopping or a reload retired this Device.
                Ok(Err(_)) => {
                    dev = self.successor(&dev)?;
                    tracing::debug!(device = %dev.spec.name, "settings changed by a reload while queued; waiting for a session with the new settings");
                    continue;
                }
                Err(_) => {
                    self.inner
                        .metrics
                        .queue_timeouts
                        .fetch_add(1, Ordering::Relaxed);
                    return Err(SessionError::new(
                        ErrorKind::Other,
                        format!(
                            "{}: no free session within {:?} (max_sessions {}, {} other requests waiting); retry later or raise max_sessions",
                            dev.spec.name,
                            self.inner.opts.queue_timeout,
                            dev.spec.max_sessions,
                            dev.queued.load(Ordering::Relaxed)
                        ),
                    ));
                }
            };
            let queued = t0.elapsed();
            match self.lease_with_permit(&dev, permit).await? {
                Leased::Lease(l, connected) => return Ok((l, queued, connected)),
                // Retired between the permit and the connect: queue for the successor.
                Leased::Moved => {
                    dev = self.successor(&dev)?;
                    tracing::debug!(device = %dev.spec.name, "settings changed by a reload; waiting for a session with the new settings");
                }
            }
        }
    }

    /// A fresh session for a retry, keeping the request's place (`permit`) unless a reload
    /// retired `dev`: then it queues for the replacement within a new `queue_timeout`.
    async fn lease_again(
        &self,
        dev: &Arc<Device>,
        permit: OwnedSemaphorePermit,
    ) -> Result<Lease, SessionError> {
        match self.lease_with_permit(dev, permit).await? {
            Leased::Lease(l, _) => Ok(l),
            Leased::Moved => {
                let newer = self.successor(dev)?;
                self.lease(&newer).await.map(|(l, _, _)| l)
            }
        }
    }

    /// The device that replaced a retired `dev`, or why there is none.
    fn successor(&self, dev: &Arc<Device>) -> Result<Arc<Device>, SessionError> {
        if !self.is_stopping() {
            if let Some(newer) = self.device(&dev.spec.name).filter(|d| !Arc::ptr_eq(d, dev)) {
                return Ok(newer);
            }
        }
        Err(SessionError::new(
            ErrorKind::Other,
            if self.is_stopping() {
                format!("{}: the daemon is shutting down", dev.spec.name)
            } else {
                format!(
                    "{}: device removed from the inventory by a reload",
                    dev.spec.name
                )
            },
        ))
    }

    /// Leases an idle session of `dev` or connects one, for a request holding one of its
    /// permits. A retired `dev` opens no session: the request must queue for its successor.
    async fn lease_with_permit(
        &self,
        dev: &Arc<Device>,
        permit: OwnedSemaphorePermit,
    ) -> Result<Leased, SessionError> {
        let now = Instant::now();
        let (close, ready) = {
            let mut st = dev.lock();
            let close = reap(dev, &mut st, now);
            let ready = if let Some(s) = st.slots.iter_mut().find(|s| !s.leased) {
                s.leased = true;
                Ok(Some((s.id, s.session.clone())))
            } else if st.auth_failed && st.next_attempt.is_some_and(|t| now < t) {
                let left = st.next_attempt.map(|t| t - now).unwrap_or_default();
                Err(SessionError::new(
                    ErrorKind::Auth,
                    format!(
                        "{}: login was refused ({}); not retrying for another {:.0} s to avoid locking the account — fix the credentials and reload",
                        dev.spec.name,
                        st.last_error.as_deref().unwrap_or("authentication failed"),
                        left.as_secs_f64()
                    ),
                ))
            } else if let Some(t) = st.next_attempt.filter(|t| now < *t) {
                // Any other failed connect (VTY lines full, device rebooting, unreachable):
                // requests respect the same backoff as background reconnects instead of each
                // opening a login.
                Err(SessionError::new(
                    ErrorKind::Other,
                    format!(
                        "{}: cannot connect ({}); next attempt in {:.1} s",
                        dev.spec.name,
                        st.last_error.as_deref().unwrap_or("connect failed"),
                        (t - now).as_secs_f64()
                    ),
                ))
            } else {
                Ok(None)
            };
            (close, ready)
        };
        spawn_logout(dev, close);
        if let Some((id, session)) = ready? {
            let lease = Lease {
                dev: dev.clone(),
                id,
                session,
                _permit: permit,
                discard: false,
            };
            return Ok(Leased::Lease(lease, false));
        }
        let g = self.inner.connect_limit.clone().acquire_owned().await;
        let Some(opening) = dev.start_open() else {
            return Ok(Leased::Moved);
        };
        let id = self.open(dev, opening, true).await;
        drop(g);
        let id = id?;
        let st = dev.lock();
        let s = st.slots.iter().find(|s| s.id == id).ok_or_else(|| {
            SessionError::new(
                ErrorKind::ConnectionLost,
                format!("{}: new session vanished", dev.spec.name),
            )
        })?;
        Ok(Leased::Lease(
            Lease {
                dev: dev.clone(),
                id,
                session: s.session.clone(),
                _permit: permit,
                discard: false,
            },
            true,
        ))
    }

    /// Runs commands on one device.
    pub async fn exec_one(&self, device: &str, req: &ExecRequest) -> DeviceResult {
        let started = Instant::now();
        let Some(dev) = self.device(device) else {
            return DeviceResult::failed(
                device,
                ErrorKind::Other,
                format!("unknown device `{device}`"),
                started,
            );
        };
        let (mut lease, queued, mut connected) = match self.lease(&dev).await {
            Ok(l) => l,
            Err(e) => {
                let mut r = DeviceResult::failed(device, e.kind, e.message, started);
                r.queued_ms = ms(started.elapsed());
                return r;
            }
        };
        // A reload may have moved the request to the device's new settings.
        let dev = lease.dev.clone();
        let m = &self.inner.metrics;
        let timeout = req
            .read_timeout
            .unwrap_or(self.inner.opts.default_read_timeout);
        let mut outputs = Vec::with_capacity(req.commands.len());
        let mut failure: Option<(ErrorKind, Option<String>)> = None;
        for cmd in &req.commands {
            let t = Instant::now();
            m.commands.fetch_add(1, Ordering::Relaxed);
            let mut r = lease.session.send_command(cmd, Some(timeout)).await;
            let mut retried = false;
            if let Err(e) = &r {
                if e.kind == ErrorKind::ConnectionLost && is_read_only(cmd) {
                    // The session died under us: a read-only command is safe to run again once.
                    tracing::info!(device = %dev.spec.name, "session lost during `{cmd}`; retrying once on a fresh session");
                    m.retries.fetch_add(1, Ordering::Relaxed);
                    let first_err = e.clone();
                    lease.discard = true;
                    let permit = replace_lease_permit(&mut lease);
                    // The permit's device (a retry may already have moved to a newer one).
                    let on = lease.dev.clone();
                    drop(lease);
                    match self.lease_again(&on, permit).await {
                        Ok(l) => {
                            lease = l;
                            connected = true;
                            retried = true;
                            r = lease.session.send_command(cmd, Some(timeout)).await;
                        }
                        Err(e2) => {
                            let mut fe = first_err;
                            fe.message = format!(
                                "{}; reconnect for the retry failed: {}",
                                fe.message, e2.message
                            );
                            outputs.push(cmd_err(cmd, &fe, t, false));
                            failure = Some((fe.kind, None));
                            m.command_errors.fetch_add(1, Ordering::Relaxed);
                            return finish(device, outputs, failure, queued, started, connected);
                        }
                    }
                }
            }
            match r {
                Ok(output) => outputs.push(CommandResult {
                    command: cmd.clone(),
                    ok: true,
                    output,
                    error: None,
                    partial_output: None,
                    elapsed_ms: ms(t.elapsed()),
                    retried,
                }),
                Err(e) => {
                    m.command_errors.fetch_add(1, Ordering::Relaxed);
                    if matches!(e.kind, ErrorKind::ConnectionLost | ErrorKind::Timeout) {
                        // Dead, or its output is still pending: never hand it to the next request.
                        lease.discard = true;
                        dev.lock().last_error = Some(e.message.clone());
                    }
                    outputs.push(cmd_err(cmd, &e, t, retried));
                    failure = Some((e.kind, None));
                    break;
                }
            }
        }
        drop(lease);
        finish(device, outputs, failure, queued, started, connected)
    }

    /// Runs commands on many devices in parallel; results in the order given.
    pub async fn exec_many(&self, devices: &[String], req: &ExecRequest) -> Vec<DeviceResult> {
        let req = Arc::new(req.clone());
        let handles: Vec<_> = devices
            .iter()
            .map(|d| {
                let k = self.clone();
                let d = d.clone();
                let req = req.clone();
                tokio::spawn(async move { k.exec_one(&d, &req).await })
            })
            .collect();
        let mut out = Vec::with_capacity(handles.len());
        for (h, name) in handles.into_iter().zip(devices) {
            out.push(h.await.unwrap_or_else(|e| {
                DeviceResult::failed(
                    name,
                    ErrorKind::Other,
                    format!("internal error: {e}"),
                    Instant::now(),
                )
            }));
        }
        out
    }

    /// Runs a configuration set on one device. Never retried automatically.
    pub async fn config(&self, device: &str, lines: &[String]) -> DeviceResult {
        let started = Instant::now();
        let Some(dev) = self.device(device) else {
            return DeviceResult::failed(
                device,
                ErrorKind::Other,
                format!("unknown device `{device}`"),
                started,
            );
        };
        let (mut lease, queued, connected) = match self.lease(&dev).await {
            Ok(l) => l,
            Err(e) => return DeviceResult::failed(device, e.kind, e.message, started),
        };
        let t = Instant::now();
        self.inner.metrics.commands.fetch_add(1, Ordering::Relaxed);
        let label = format!("config ({} lines)", lines.len());
        let r = lease.session.send_config_set(lines).await;
        let (outputs, failure) = match r {
            Ok(output) => (
                vec![CommandResult {
                    command: label,
                    ok: true,
                    output,
                    error: None,
                    partial_output: None,
                    elapsed_ms: ms(t.elapsed()),
                    retried: false,
                }],
                None,
            ),
            Err(e) => {
                self.inner
                    .metrics
                    .command_errors
                    .fetch_add(1, Ordering::Relaxed);
                if matches!(e.kind, ErrorKind::ConnectionLost | ErrorKind::Timeout) {
                    lease.discard = true;
                }
                let mut c = cmd_err(&label, &e, t, false);
                c.error = Some(format!("{} (configuration is never retried automatically; check the device before re-sending)", e.message));
                (vec![c], Some((e.kind, None)))
            }
        };
        drop(lease);
        finish(device, outputs, failure, queued, started, connected)
    }

    /// Status of every device, sorted by name.
    pub fn status(&self) -> Vec<DeviceStatus> {
        let now = Instant::now();
        self.fleet()
            .devices
            .values()
            .map(|dev| device_status(dev, now))
            .collect()
    }

    /// The JSON array of [`Keeper::status`] (what `GET /v1/sessions` answers), produced in pieces
    /// of about `piece_bytes` each, one device at a time, instead of one `Vec<DeviceStatus>` plus
    /// one buffer of the whole document: at 10,000 devices that is ~3 MB, and such big
    /// temporaries freed on varying threads stay in glibc's per-thread malloc arenas.
    ///
    /// ```no_run
    /// # fn demo(keeper: &netkeep_keeper::keeper::Keeper) {
    /// let doc: Vec<u8> = keeper.status_json_pieces(64 * 1024).flatten().collect();
    /// let parsed: Vec<netkeep_keeper::keeper::DeviceStatus> = serde_json::from_slice(&doc).unwrap();
    /// assert_eq!(parsed.len(), keeper.device_count());
    /// # }
    /// ```
    pub fn status_json_pieces(
        &self,
        piece_bytes: usize,
    ) -> impl Iterator<Item = Vec<u8>> + Send + 'static {
        use std::ops::Bound;
        let fleet = self.fleet();
        let piece_bytes = piece_bytes.max(1024);
        let mut last: Option<String> = None;
        let mut done = false;
        std::iter::from_fn(move || {
            if done {
                return None;
            }
            // Headroom for the device that crosses the mark: no regrowth in the common case.
            let mut buf = Vec::with_capacity(piece_bytes + 2048);
            if last.is_none() {
                buf.push(b'[');
            }
            let now = Instant::now();
            let lower = match &last {
                Some(k) => Bound::Excluded(k.as_str()),
                None => Bound::Unbounded,
            };
            let mut rest = fleet
                .devices
                .range::<str, _>((lower, Bound::Unbounded))
                .peekable();
            while buf.len() < piece_bytes {
                let Some((name, dev)) = rest.next() else {
                    break;
                };
                if last.is_some() {
                    buf.push(b',');
                }
                // Writing plain structs (string keys, no maps) into a Vec cannot fail.
                let _ = serde_json::to_writer(&mut buf, &device_status(dev, now));
                last = Some(name.clone());
            }
            if rest.peek().is_none() {
                buf.push(b']');
                done = true;
            }
            Some(buf)
        })
    }

    /// Replaces the inventory: sessions of unchanged devices are kept, changed and removed
    /// devices are logged out of (after their in-flight commands), new warm devices connect.
    pub async fn reload(&self, inventory: Inventory) -> ReloadReport {
        let old = self.fleet();
        let mut report = ReloadReport::default();
        let mut devices = BTreeMap::new();
        let mut to_warm = Vec::new();
        let mut retired = Vec::new();
        // (old device, its replacement, all of the replacement's permits): until the old
        // device's open sessions are counted, the replacement can open none.
        let mut handover = Vec::new();
        let logout = self.inner.opts.disconnect_timeout;
        for (name, spec) in inventory.devices {
            match old.devices.get(&name) {
                Some(d) if d.spec == spec => {
                    report.unchanged += 1;
                    devices.insert(name, d.clone());
                }
                prev => {
                    let d = Device::new(spec, logout);
                    if let Some(p) = prev {
                        report.changed.push(name.clone());
                        retired.push(p.clone());
                        let pool: Vec<_> = (0..d.spec.max_sessions)
                            .map_while(|_| d.permits.clone().try_acquire_owned().ok())
                            .collect();
                        handover.push((p.clone(), d.clone(), pool));
                    } else {
                        report.added.push(name.clone());
                    }
                    if d.spec.warm {
                        to_warm.push(d.clone());
                    }
                    devices.insert(name, d);
                }
            }
        }
        for (name, d) in &old.devices {
            if !devices.contains_key(name) {
                report.removed.push(name.clone());
                retired.push(d.clone());
            }
        }
        *self.inner.fleet.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(Fleet {
            devices,
            groups: inventory.groups,
        });
        // Requests still holding a permit of an old device may open sessions on it until it is
        // retired below, so count only then. Old devices' semaphores are closed after the swap:
        // their queued requests look the device up again and must find the new one.
        for (old, new, mut pool) in handover {
            // The old device first (its own permits, held for its predecessors, may be freed
            // below), then older generations whose sessions are still open.
            let mut gens = vec![old.clone()];
            gens.extend(old.lock().predecessors.iter().filter_map(Weak::upgrade));
            let mut still_open = Vec::new();
            for g in gens {
                let mut st = g.lock();
                g.retired.store(true, Ordering::Relaxed);
                let keep = st.open_sessions().min(pool.len());
                let freed = std::mem::replace(&mut st.held, pool.split_off(pool.len() - keep));
                if st.open_sessions() > 0 {
                    still_open.push(Arc::downgrade(&g));
                }
                drop(st);
                drop(freed);
            }
            if !still_open.is_empty() {
                tracing::debug!(device = %new.spec.name, held = new.spec.max_sessions - pool.len(), "new settings wait for sessions of the old ones to log out");
            }
            new.lock().predecessors = still_open;
            // The rest is free: dropping gives it back.
            drop(pool);
        }
        for d in retired {
            {
                let _st = d.lock();
                d.retired.store(true, Ordering::Relaxed);
            }
            d.permits.close();
            self.close_idle(&d).await;
        }
        tracing::info!(
            added = report.added.len(),
            removed = report.removed.len(),
            changed = report.changed.len(),
            unchanged = report.unchanged,
            "inventory reloaded"
        );
        if !to_warm.is_empty() {
            let k = self.clone();
            tokio::spawn(async move { k.warm_devices(to_warm, |_, _| {}).await });
        }
        report
    }

    /// Logs out of a device's unleased sessions.
    async fn close_idle(&self, dev: &Device) {
        let sessions: Vec<_> = {
            let mut st = dev.lock();
            let (idle, leased): (Vec<Slot>, Vec<Slot>) =
                st.slots.drain(..).partition(|s| !s.leased);
            st.slots = leased;
            st.closing += idle.len();
            idle.into_iter().map(|s| s.session).collect()
        };
        logout(dev, sessions).await;
    }

    /// Stops the supervisor, waits up to `grace` for in-flight commands, then logs out of every
    /// device in parallel.
    pub async fn shutdown(&self, grace: Duration) {
        self.inner.stop.cancel();
        let fleet = self.fleet();
        for d in fleet.devices.values() {
            d.permits.close();
        }
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline
            && fleet
                .devices
                .values()
                .any(|d| d.lock().slots.iter().any(|s| s.leased))
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let t = self.inner.opts.disconnect_timeout;
        let all: Vec<Arc<dyn DeviceSession>> = fleet
            .devices
            .values()
            .flat_map(|d| {
                d.lock()
                    .slots
                    .drain(..)
                    .map(|s| s.session)
                    .collect::<Vec<_>>()
            })
            .collect();
        tracing::info!(sessions = all.len(), "logging out of every device");
        futures::future::join_all(all.iter().map(|s| tokio::time::timeout(t, s.disconnect())))
            .await;
    }

    /// True once [`Keeper::shutdown`] started.
    pub fn is_stopping(&self) -> bool {
        self.inner.stop.is_cancelled()
    }

    /// Prometheus text exposition of the keeper's counters and gauges.
    pub fn metrics_text(&self) -> String {
        use std::fmt::Write;
        let mut by_state: BTreeMap<String, usize> =
            ["connecting", "ready", "busy", "backoff", "failed", "idle"]
                .iter()
                .map(|s| (s.to_string(), 0))
                .collect();
        // Summed one device at a time: no fleet-sized Vec<DeviceStatus> per scrape.
        let (mut sessions, mut in_use, mut queued) = (0u64, 0u64, 0u64);
        let (mut keepalives, mut reconnects, mut drops) = (0u64, 0u64, 0u64);
        let now = Instant::now();
        for dev in self.fleet().devices.values() {
            let s = device_status(dev, now);
            sessions += s.sessions as u64;
            in_use += s.in_use as u64;
            queued += s.queued as u64;
            keepalives += s.keepalives_sent;
            reconnects += s.reconnects;
            drops += s.drops;
            *by_state.entry(s.state).or_default() += 1;
        }
        let m = &self.inner.metrics;
        let mut o = String::new();
        let _ = writeln!(
            o,
            "# HELP netkeep_devices Devices by state.\n# TYPE netkeep_devices gauge"
        );
        for (k, v) in by_state {
            let _ = writeln!(o, "netkeep_devices{{state=\"{k}\"}} {v}");
        }
        let gauge = |o: &mut String, name: &str, help: &str, v: u64| {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        };
        let counter = |o: &mut String, name: &str, help: &str, v: u64| {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        };
        gauge(&mut o, "netkeep_sessions_open", "Live sessions.", sessions);
        gauge(
            &mut o,
            "netkeep_sessions_in_use",
            "Sessions running a command.",
            in_use,
        );
        gauge(
            &mut o,
            "netkeep_requests_queued",
            "Requests waiting for a session.",
            queued,
        );
        counter(
            &mut o,
            "netkeep_keepalives_sent_total",
            "Keepalives sent.",
            keepalives,
        );
        counter(
            &mut o,
            "netkeep_reconnects_total",
            "Sessions opened to replace lost or recycled ones.",
            reconnects,
        );
        counter(
            &mut o,
            "netkeep_session_drops_total",
            "Sessions ended by the device or the network.",
            drops,
        );
        counter(
            &mut o,
            "netkeep_commands_total",
            "Commands and config sets run.",
            m.commands.load(Ordering::Relaxed),
        );
        counter(
            &mut o,
            "netkeep_command_errors_total",
            "Commands that failed.",
            m.command_errors.load(Ordering::Relaxed),
        );
        counter(
            &mut o,
            "netkeep_command_retries_total",
            "Read-only commands retried on a fresh session.",
            m.retries.load(Ordering::Relaxed),
        );
        counter(
            &mut o,
            "netkeep_connects_total",
            "Connect attempts.",
            m.connects.load(Ordering::Relaxed),
        );
        counter(
            &mut o,
            "netkeep_connect_failures_total",
            "Failed connect attempts.",
            m.connect_failures.load(Ordering::Relaxed),
        );
        counter(
            &mut o,
            "netkeep_auth_failures_total",
            "Logins refused.",
            m.auth_failures.load(Ordering::Relaxed),
        );
        counter(
            &mut o,
            "netkeep_queue_timeouts_total",
            "Requests that found no free session in time.",
            m.queue_timeouts.load(Ordering::Relaxed),
        );
        let up = self.inner.started.elapsed().as_secs_f64();
        let _ = writeln!(o, "# HELP netkeep_uptime_seconds Daemon uptime.\n# TYPE netkeep_uptime_seconds gauge\nnetkeep_uptime_seconds {up:.3}");
        o
    }
}

/// Status of one device at `now`.
fn device_status(dev: &Device, now: Instant) -> DeviceStatus {
    let st = dev.lock();
    let live: Vec<&Slot> = st.slots.iter().filter(|s| !s.session.is_closed()).collect();
    let in_use = live.iter().filter(|s| s.leased).count();
    let retry_in = st.next_attempt.filter(|t| *t > now).map(|t| t - now);
    let state = if in_use > 0 {
        "busy"
    } else if !live.is_empty() {
        "ready"
    } else if st.auth_failed {
        "failed"
    } else if st.connecting > 0 {
        "connecting"
    } else if st.failures > 0 {
        "backoff"
    } else {
        "idle"
    };
    let rtt = live
        .iter()
        .filter_map(|s| s.session.last_rtt())
        .next()
        .or(st.last_rtt);
    DeviceStatus {
        device: dev.spec.name.clone(),
        state: state.to_string(),
        age_s: live
            .iter()
            .map(|s| now.duration_since(s.created))
            .max()
            .map(|d| (d.as_secs_f64() * 10.0).round() / 10.0),
        keepalives_sent: st.keepalives_retired
            + live
                .iter()
                .map(|s| s.session.keepalives_sent())
                .sum::<u64>(),
        last_rtt_ms: rtt.map(ms),
        reconnects: st.reconnects,
        last_error: st.last_error.clone(),
        sessions: live.len(),
        max_sessions: dev.spec.max_sessions,
        in_use,
        queued: dev.queued.load(Ordering::Relaxed),
        drops: st.drops,
        failures: st.failures,
        retry_in_s: retry_in.map(|d| (d.as_secs_f64() * 10.0).round() / 10.0),
        address: format!("{}:{}", dev.spec.hostname, dev.spec.port),
        platform: dev.spec.platform.clone(),
    }
}

/// Takes the permit out of a lease so the retry keeps its place at the head of the queue.
fn replace_lease_permit(lease: &mut Lease) -> OwnedSemaphorePermit {
    // A permit is needed to build a Lease; swap in a fresh detached one (from a 1-permit semaphore)
    // and hand back the device's permit.
    let dummy = Arc::new(Semaphore::new(1))
        .try_acquire_owned()
        .expect("fresh semaphore has a permit");
    std::mem::replace(&mut lease._permit, dummy)
}

fn cmd_err(cmd: &str, e: &SessionError, t: Instant, retried: bool) -> CommandResult {
    CommandResult {
        command: cmd.to_string(),
        ok: false,
        output: String::new(),
        error: Some(e.message.clone()),
        partial_output: e.partial_output.clone(),
        elapsed_ms: ms(t.elapsed()),
        retried,
    }
}

fn finish(
    device: &str,
    outputs: Vec<CommandResult>,
    failure: Option<(ErrorKind, Option<String>)>,
    queued: Duration,
    started: Instant,
    connected: bool,
) -> DeviceResult {
    DeviceResult {
        device: device.to_string(),
        ok: failure.is_none(),
        error: None,
        error_kind: failure.map(|f| f.0),
        outputs,
        queued_ms: ms(queued),
        elapsed_ms: ms(started.elapsed()),
        connected,
    }
}
