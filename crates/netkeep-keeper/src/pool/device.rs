//! One device of the pool: its settings, its sessions (slots) and connect history under one lock,
//! the count of VTY lines it may hold (including across a reload's handover to a successor), and
//! the logout of sessions the pool no longer wants.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::connector::DeviceSession;
use crate::inventory::DeviceSpec;

/// A session recorded in the pool.
pub(crate) struct Slot {
    pub(crate) id: u64,
    pub(crate) session: Arc<dyn DeviceSession>,
    pub(crate) created: Instant,
    pub(crate) last_used: Instant,
    /// Lent to a request right now.
    pub(crate) leased: bool,
}

/// Connect attempts and when the next may start.
#[derive(Default)]
pub(crate) struct Backoff {
    /// Background connects in flight.
    pub(crate) connecting: usize,
    /// Failed attempts in a row.
    pub(crate) failures: u32,
    /// No connect before this instant.
    pub(crate) next_attempt: Option<Instant>,
    /// Login refused: requests fail fast until `next_attempt`.
    pub(crate) auth_failed: bool,
    /// The kind of the last failed connect: requests failing fast during the backoff say it.
    pub(crate) last_kind: Option<crate::connector::ErrorKind>,
    /// The connector's path epoch when the last failed connect started: when it has moved on
    /// (the device's jump host came back), the backoff is over.
    pub(crate) path_epoch: u64,
}

impl Backoff {
    /// The instant a connect is still being held back until, if it is.
    pub(crate) fn holding_until(&self, now: Instant) -> Option<Instant> {
        self.next_attempt.filter(|t| now < *t)
    }
}

/// What the status reports about sessions that came and went.
#[derive(Default)]
pub(crate) struct History {
    pub(crate) ever_connected: bool,
    /// Sessions opened after the first.
    pub(crate) reconnects: u64,
    /// Sessions that ended without the pool asking.
    pub(crate) drops: u64,
    pub(crate) last_error: Option<String>,
    /// Keepalive counts of sessions no longer recorded.
    pub(crate) keepalives_retired: u64,
}

/// Sessions that may hold a VTY line without being in `slots`, and the successor's permits held
/// back for them.
#[derive(Default)]
pub(crate) struct Lines {
    /// Connects in flight (background or for a request), counted until recorded or failed.
    pub(crate) opening: usize,
    /// Sessions taken out of `slots` whose logout is still running.
    pub(crate) closing: usize,
    /// Retired device only: permits of the device that replaced it, held back while this one
    /// still has sessions open so the two never exceed `max_sessions` together (VTY lines).
    pub(crate) held: Vec<OwnedSemaphorePermit>,
    /// Earlier generations of this device (replaced by reloads) that still had sessions open
    /// when this one was created.
    pub(crate) predecessors: Vec<Weak<Device>>,
}

/// Everything about a device that changes, behind its lock.
#[derive(Default)]
pub(crate) struct Ledger {
    pub(crate) slots: Vec<Slot>,
    next_id: u64,
    pub(crate) backoff: Backoff,
    pub(crate) history: History,
    pub(crate) lines: Lines,
}

impl Ledger {
    /// Sessions that may hold a VTY line on the device: recorded, connecting or logging out.
    pub(crate) fn open_sessions(&self) -> usize {
        self.slots.len() + self.lines.opening + self.lines.closing
    }

    /// Gives back held permits beyond the sessions still open (call after any of them ended).
    pub(crate) fn release_held(&mut self) {
        let open = self.open_sessions();
        if self.lines.held.len() > open {
            self.lines.held.truncate(open);
        }
    }

    /// Records a new session; returns its slot id.
    pub(crate) fn record(&mut self, session: Arc<dyn DeviceSession>, leased: bool) -> u64 {
        let now = Instant::now();
        self.next_id += 1;
        self.slots.push(Slot {
            id: self.next_id,
            session,
            created: now,
            last_used: now,
            leased,
        });
        self.next_id
    }

    /// Takes slot `i` out, keeping its keepalive count for the status.
    pub(crate) fn remove_slot(&mut self, i: usize) -> Slot {
        let s = self.slots.swap_remove(i);
        self.history.keepalives_retired += s.session.keepalives_sent();
        s
    }

    /// Takes the unleased slots out to be logged out of, counting them as closing.
    pub(crate) fn take_idle(&mut self) -> Vec<Arc<dyn DeviceSession>> {
        let (idle, leased): (Vec<Slot>, Vec<Slot>) = self.slots.drain(..).partition(|s| !s.leased);
        self.slots = leased;
        self.lines.closing += idle.len();
        idle.into_iter().map(|s| s.session).collect()
    }
}

/// One device of the pool.
pub(crate) struct Device {
    pub(crate) spec: DeviceSpec,
    /// One permit per session a request may hold (`max_sessions`).
    pub(crate) permits: Arc<Semaphore>,
    ledger: Mutex<Ledger>,
    /// Requests waiting for a permit.
    pub(crate) queued: AtomicUsize,
    /// Replaced or removed by a reload: sessions are closed when returned, none are opened.
    /// Set under the ledger lock (the handover to the successor counts open sessions there).
    pub(crate) retired: AtomicBool,
    /// Bound on one background logout.
    logout_timeout: Duration,
}

impl Device {
    pub(crate) fn new(spec: DeviceSpec, logout_timeout: Duration) -> Arc<Self> {
        Arc::new(Device {
            permits: Arc::new(Semaphore::new(spec.max_sessions)),
            spec,
            ledger: Mutex::new(Ledger::default()),
            queued: AtomicUsize::new(0),
            retired: AtomicBool::new(false),
            logout_timeout,
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Ledger> {
        // A panic while holding this lock leaves plain counters behind: keep going.
        self.ledger.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn is_retired(&self) -> bool {
        self.retired.load(Ordering::Relaxed)
    }

    /// Marks the device retired; the caller holds its lock (see `retired`).
    pub(crate) fn retire(&self, _locked: &mut Ledger) {
        self.retired.store(true, Ordering::Relaxed);
    }

    /// Sessions the keeper should hold without being asked: warm devices with keepalive on.
    pub(crate) fn maintained(&self) -> bool {
        self.spec.warm && !self.spec.keepalive.is_off()
    }

    /// Counts a connect about to start; `None` once a reload retired the device: its
    /// successor holds back permits only for the sessions counted when it was retired.
    pub(crate) fn start_open(self: &Arc<Self>) -> Option<Opening> {
        let mut st = self.lock();
        if self.is_retired() {
            return None;
        }
        st.lines.opening += 1;
        Some(Opening(self.clone()))
    }
}

/// A connect in flight, counted in `opening` until dropped (also when its request is cancelled).
pub(crate) struct Opening(Arc<Device>);

impl Drop for Opening {
    fn drop(&mut self) {
        let mut st = self.0.lock();
        st.lines.opening -= 1;
        st.release_held();
    }
}

/// Logs out of sessions already taken out of the device's slots and counted in `closing`, in the
/// background; then stops counting them, which gives back the successor's permits held for them.
pub(crate) fn spawn_logout(dev: &Arc<Device>, sessions: Vec<Arc<dyn DeviceSession>>) {
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
pub(crate) async fn logout(dev: &Device, sessions: Vec<Arc<dyn DeviceSession>>) {
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
    st.lines.closing -= n;
    st.release_held();
}

/// Removes closed slots, recording why; returns sessions to log out of (aged out, counted in
/// `closing`: pass them to [`spawn_logout`]).
pub(crate) fn reap(dev: &Device, st: &mut Ledger, now: Instant) -> Vec<Arc<dyn DeviceSession>> {
    let mut to_close = Vec::new();
    let max_age = dev.spec.max_age;
    let mut i = 0;
    while i < st.slots.len() {
        let s = &st.slots[i];
        if s.leased {
            i += 1;
        } else if s.session.is_closed() {
            let s = st.remove_slot(i);
            st.history.drops += 1;
            let msg = drop_message(dev, &s, now);
            tracing::info!(device = %dev.spec.name, "{msg}");
            st.history.last_error = Some(msg);
        } else if max_age.is_some_and(|m| now.duration_since(s.created) >= m) {
            let s = st.remove_slot(i);
            tracing::debug!(device = %dev.spec.name, "recycling a session older than max_age");
            st.lines.closing += 1;
            to_close.push(s.session);
        } else {
            i += 1;
        }
    }
    st.release_held();
    to_close
}

/// Why a session the device or network ended went away, for the status row.
fn drop_message(dev: &Device, s: &Slot, now: Instant) -> String {
    // The library's message starts with the device name, which the status row shows.
    let why = s.session.close_message().map_or_else(
        || "closed by the device or the network (idle timeout, reset or dead peer)".into(),
        |m| {
            m.strip_prefix(&format!("{}: ", dev.spec.name))
                .map(str::to_string)
                .unwrap_or(m)
        },
    );
    format!(
        "{why} (after {:.1} s, {:.1} s since last use)",
        now.duration_since(s.created).as_secs_f64(),
        now.duration_since(s.last_used).as_secs_f64()
    )
}
