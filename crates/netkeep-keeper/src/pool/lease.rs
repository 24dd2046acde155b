//! Lending sessions to requests: a request queues for one of its device's `max_sessions`
//! permits (bounded by `queue_timeout`), then takes an idle session or connects one, and gives
//! it back when its [`Lease`] drops. A reload that replaces the device while a request waits
//! moves the request to the replacement.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::device::{reap, spawn_logout, Device};
use super::state::Pool;
use crate::connector::{DeviceSession, ErrorKind, SessionError};

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
pub(crate) struct Lease {
    pub(crate) dev: Arc<Device>,
    id: u64,
    pub(crate) session: Arc<dyn DeviceSession>,
    permit: OwnedSemaphorePermit,
    /// Set when the session must not go back (timeout, death).
    pub(crate) discard: bool,
}

impl Lease {
    fn new(
        dev: &Arc<Device>,
        id: u64,
        session: Arc<dyn DeviceSession>,
        permit: OwnedSemaphorePermit,
    ) -> Lease {
        Lease {
            dev: dev.clone(),
            id,
            session,
            permit,
            discard: false,
        }
    }

    /// Brings the session back to its base mode before it goes back to the pool (a request may
    /// have left it in configuration mode, or `disable`d it); one that cannot be brought back
    /// is replaced.
    pub(crate) async fn settle(&mut self) {
        if self.discard || self.session.is_closed() {
            return;
        }
        if let Err(e) = self.session.restore_base().await {
            tracing::warn!(device = %self.dev.spec.name, "session not back in its base mode, replacing it: {e}");
            self.discard = true;
            self.dev.lock().history.last_error = Some(e.message);
        }
    }

    /// Gives the session up for good and keeps the request's permit, so a retry keeps its place
    /// at the head of the queue. Returns the permit and the device it belongs to.
    pub(crate) fn surrender(mut self) -> (OwnedSemaphorePermit, Arc<Device>) {
        self.discard = true;
        // A Lease always holds a permit: swap in a detached one (from a fresh 1-permit
        // semaphore, which cannot fail) and hand back the device's.
        let detached = Arc::new(Semaphore::new(1))
            .try_acquire_owned()
            .expect("a fresh semaphore has a permit");
        let permit = std::mem::replace(&mut self.permit, detached);
        (permit, self.dev.clone())
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let close = {
            let mut st = self.dev.lock();
            let pos = st.slots.iter().position(|s| s.id == self.id);
            let retire = self.discard || self.dev.is_retired() || self.session.is_closed();
            match pos {
                Some(p) if retire => {
                    let s = st.remove_slot(p);
                    if s.session.is_closed() {
                        st.release_held();
                        false
                    } else {
                        st.lines.closing += 1;
                        true
                    }
                }
                Some(p) => {
                    st.slots[p].leased = false;
                    st.slots[p].last_used = Instant::now();
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

/// What [`Pool::lease_with_permit`] got.
enum Leased {
    /// A session, and whether it was connected for this request.
    Lease(Lease, bool),
    /// The device was retired by a reload: queue for the one that replaced it.
    Moved,
}

impl Pool {
    /// Waits for a free session of `dev` (queueing), connecting one if needed. Returns the lease,
    /// the time queued and whether a session was connected for it. The lease may be on a newer
    /// `Device` of the same name: a reload that changed the device's settings while the request
    /// was queued moves the request over (within the same `queue_timeout`).
    pub(crate) async fn lease(
        &self,
        dev: &Arc<Device>,
    ) -> Result<(Lease, Duration, bool), SessionError> {
        let t0 = Instant::now();
        let deadline = tokio::time::Instant::from_std(t0) + self.state.opts.queue_timeout;
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
                Err(_) => return Err(self.queue_timeout(&dev)),
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

    fn queue_timeout(&self, dev: &Device) -> SessionError {
        self.state
            .counters
            .queue_timeouts
            .fetch_add(1, Ordering::Relaxed);
        SessionError::new(
            ErrorKind::Other,
            format!(
                "{}: no free session within {:?} (max_sessions {}, {} other requests waiting); retry later or raise max_sessions",
                dev.spec.name,
                self.state.opts.queue_timeout,
                dev.spec.max_sessions,
                dev.queued.load(Ordering::Relaxed)
            ),
        )
    }

    /// A fresh session for a retry, keeping the request's place (`permit`) unless a reload
    /// retired `dev`: then it queues for the replacement within a new `queue_timeout`.
    pub(crate) async fn lease_again(
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
        let why = if self.is_stopping() {
            "the daemon is shutting down"
        } else {
            "device removed from the inventory by a reload"
        };
        Err(SessionError::new(
            ErrorKind::Other,
            format!("{}: {why}", dev.spec.name),
        ))
    }

    /// Leases an idle session of `dev` or connects one, for a request holding one of its
    /// permits. A retired `dev` opens no session: the request must queue for its successor.
    async fn lease_with_permit(
        &self,
        dev: &Arc<Device>,
        permit: OwnedSemaphorePermit,
    ) -> Result<Leased, SessionError> {
        if let Some((id, session)) = take_idle_session(dev)? {
            return Ok(Leased::Lease(Lease::new(dev, id, session, permit), false));
        }
        let g = self.state.connect_limit.clone().acquire_owned().await;
        let Some(opening) = dev.start_open() else {
            return Ok(Leased::Moved);
        };
        let id = self.open(dev, opening, true).await;
        drop(g);
        let id = id?;
        let session = dev
            .lock()
            .slots
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.session.clone())
            .ok_or_else(|| {
                SessionError::new(
                    ErrorKind::ConnectionLost,
                    format!("{}: new session vanished", dev.spec.name),
                )
            })?;
        Ok(Leased::Lease(Lease::new(dev, id, session, permit), true))
    }
}

/// A session marked leased, with its slot id.
type Taken = (u64, Arc<dyn DeviceSession>);

/// Marks an idle session of `dev` leased and returns it; `None` when a connect may be tried;
/// an error when the device's backoff forbids one now (requests respect the same backoff as
/// background reconnects instead of each opening a login).
fn take_idle_session(dev: &Arc<Device>) -> Result<Option<Taken>, SessionError> {
    let now = Instant::now();
    let mut st = dev.lock();
    let close = reap(dev, &mut st, now);
    let r = if let Some(s) = st.slots.iter_mut().find(|s| !s.leased) {
        s.leased = true;
        Ok(Some((s.id, s.session.clone())))
    } else if let Some(t) = st.backoff.holding_until(now) {
        // The library's messages start with the device name, which this one starts with too.
        let name = &dev.spec.name;
        let last = st.history.last_error.as_deref().map(|m| {
            m.strip_prefix(name.as_str())
                .and_then(|m| m.strip_prefix(": "))
                .unwrap_or(m)
        });
        let left = (t - now).as_secs_f64();
        Err(if st.backoff.auth_failed {
            SessionError::new(
                ErrorKind::Auth,
                format!(
                    "{}: login was refused ({}); not retrying for another {left:.0} s to avoid locking the account — fix the credentials and reload",
                    dev.spec.name,
                    last.unwrap_or("authentication failed"),
                ),
            )
        } else {
            // Any other failed connect: VTY lines full, device rebooting, unreachable.
            SessionError::new(
                st.backoff.last_kind.unwrap_or(ErrorKind::Other),
                format!(
                    "{}: cannot connect ({}); next attempt in {left:.1} s",
                    dev.spec.name,
                    last.unwrap_or("connect failed"),
                ),
            )
        })
    } else {
        Ok(None)
    };
    drop(st);
    spawn_logout(dev, close);
    r
}
