//! Keeping sessions up: warm-up at start, the supervisor's periodic pass (reap dead and aged
//! sessions, reconnect maintained devices), and opening a session with its bookkeeping — backoff
//! with jitter after failures, a long pause after a refused login, bounded warnings.
//!
//! The keepalive itself runs inside each session (the session library schedules it from the
//! device's settings); the supervisor notices the sessions it found dead.
//!
//! No task or thread per device: one loop scans the fleet each tick and spawns short-lived
//! connect tasks, bounded by the global connect limit.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use rand::Rng;

use super::device::{reap, spawn_logout, Device, Ledger, Opening};
use super::state::{Pool, PoolState};
use crate::connector::{DeviceSession, ErrorKind, SessionError};

/// Runs [`Pool::supervise`] every `tick` until the pool stops or is dropped.
pub(crate) fn spawn_supervisor(state: Weak<PoolState>, tick: Duration) {
    let Some(stop) = state.upgrade().map(|s| s.stop.clone()) else {
        return;
    };
    tokio::spawn(async move {
        let mut iv = tokio::time::interval(tick);
        iv.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = iv.tick() => {}
            }
            let Some(state) = state.upgrade() else { break };
            Pool { state }.supervise();
        }
    });
}

fn jitter(d: Duration) -> Duration {
    // ±50 % so a fleet that failed together does not retry together.
    d.mul_f64(rand::rng().random_range(0.5..1.5))
}

impl Pool {
    /// One supervisor pass: reap dead and aged sessions, start reconnects that are due.
    fn supervise(&self) {
        let now = Instant::now();
        for dev in self.fleet().devices.values() {
            let epoch = self.state.connector.path_epoch(&dev.spec);
            let (close, reconnect) = {
                let mut st = dev.lock();
                let close = reap(dev, &mut st, now);
                path_is_back(dev, &mut st, epoch);
                let b = &st.backoff;
                let due = b.holding_until(now).is_none();
                let reconnect = dev.maintained() && st.slots.is_empty() && b.connecting == 0 && due;
                if reconnect {
                    st.backoff.connecting += 1;
                }
                (close, reconnect)
            };
            spawn_logout(dev, close);
            if reconnect {
                let p = self.clone();
                let dev = dev.clone();
                tokio::spawn(async move { p.background_connect(dev, false).await });
            }
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

    /// Opens the first session of each of `devs` (warm-up, or the new devices of a reload).
    pub(crate) async fn warm_devices(
        &self,
        devs: Vec<Arc<Device>>,
        progress: impl Fn(usize, usize) + Send + Sync,
    ) -> (usize, usize) {
        let total = devs.len();
        let mut set = tokio::task::JoinSet::new();
        for dev in devs {
            dev.lock().backoff.connecting += 1;
            let p = self.clone();
            set.spawn(async move { p.background_connect(dev, true).await });
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
                .state
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
                if st.backoff.holding_until(Instant::now()).is_some() {
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
        dev.lock().backoff.connecting -= 1;
        ok
    }

    /// Connects a new session and records it in the device's slots, `leased` or not; a failure
    /// sets the device's backoff.
    pub(crate) async fn open(
        &self,
        dev: &Arc<Device>,
        opening: Opening,
        leased: bool,
    ) -> Result<u64, SessionError> {
        if self.is_stopping() {
            return Err(SessionError::new(
                ErrorKind::Other,
                "the keeper is shutting down",
            ));
        }
        let c = &self.state.counters;
        c.connects.fetch_add(1, Ordering::Relaxed);
        let epoch = self.state.connector.path_epoch(&dev.spec);
        let r = self.state.connector.connect(&dev.spec).await;
        let mut st = dev.lock();
        let mut unwanted = None;
        let res = match r {
            Ok(session) if !leased && dev.is_retired() => {
                // Replaced by a reload while connecting: nobody would use or close it.
                st.lines.closing += 1;
                unwanted = Some(session);
                Err(SessionError::new(
                    ErrorKind::Other,
                    format!("{}: replaced by a reload while connecting", dev.spec.name),
                ))
            }
            Ok(session) => Ok(record_connected(dev, &mut st, session, leased)),
            Err(e) => {
                self.record_failure(dev, &mut st, &e);
                st.backoff.path_epoch = epoch;
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

    /// Counts a failed connect and schedules the next attempt: exponential backoff with jitter,
    /// or a long pause after a refused login (never lock an account by retrying in a loop).
    fn record_failure(&self, dev: &Device, st: &mut Ledger, e: &SessionError) {
        let (c, opts) = (&self.state.counters, &self.state.opts);
        c.connect_failures.fetch_add(1, Ordering::Relaxed);
        let b = &mut st.backoff;
        b.failures = b.failures.saturating_add(1);
        let delay = if e.kind == ErrorKind::Auth {
            c.auth_failures.fetch_add(1, Ordering::Relaxed);
            b.auth_failed = true;
            jitter(opts.auth_retry).max(opts.auth_retry / 2)
        } else {
            let exp = opts
                .backoff_base
                .saturating_mul(1u32 << b.failures.min(16).saturating_sub(1));
            jitter(exp.min(opts.backoff_max))
        };
        b.next_attempt = Some(Instant::now() + delay);
        b.last_kind = Some(e.kind);
        let failures = b.failures;
        // Log the first failure loudly, repeats quietly: bounded logging for big fleets. A host
        // key that changed is a security event (a re-keyed device, or someone in the middle):
        // every attempt that meets it is logged, outside the budget.
        if e.kind == ErrorKind::HostKey {
            tracing::warn!(device = %dev.spec.name, failures, retry_in = ?delay, "connect refused: {}", e.message);
        } else if (failures == 1 || e.kind == ErrorKind::Auth)
            && self.state.connect_warnings.allow()
        {
            tracing::warn!(device = %dev.spec.name, retry_in = ?delay, "connect failed: {}", e.message);
        } else {
            tracing::debug!(device = %dev.spec.name, failures, retry_in = ?delay, "connect failed: {}", e.message);
        }
        st.history.last_error = Some(e.message.clone());
    }
}

/// Ends the backoff of a device whose jump host came back since its last failed connect (not
/// after a refused login: that pause stands).
fn path_is_back(dev: &Device, st: &mut Ledger, epoch: u64) {
    let b = &mut st.backoff;
    if b.next_attempt.is_some() && !b.auth_failed && b.path_epoch != epoch {
        tracing::debug!(device = %dev.spec.name, "its jump host is back: reconnecting now");
        b.next_attempt = None;
        b.path_epoch = epoch;
    }
}

/// Records a new session of `dev` and clears its backoff; returns the slot id.
fn record_connected(
    dev: &Device,
    st: &mut Ledger,
    session: Arc<dyn DeviceSession>,
    leased: bool,
) -> u64 {
    if st.history.ever_connected {
        st.history.reconnects += 1;
    }
    let b = &mut st.backoff;
    if b.failures > 0 || b.auth_failed {
        tracing::info!(device = %dev.spec.name, failures = b.failures, "connected again");
    }
    b.failures = 0;
    b.auth_failed = false;
    b.last_kind = None;
    b.next_attempt = None;
    st.history.ever_connected = true;
    st.record(session, leased)
}
