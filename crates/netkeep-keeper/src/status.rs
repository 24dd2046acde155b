//! Where each device stands: its [`DeviceState`] and counters as one [`DeviceStatus`] row
//! (`netkeep status`, `GET /v1/sessions`), derived from the pool's books in one place.

use std::ops::Bound;
use std::sync::atomic::Ordering;
use std::time::Instant;

use crate::pool::device::{Device, Ledger};
use crate::pool::Pool;
use crate::wire::{millis, DeviceState, DeviceStatus};

impl Pool {
    /// Status of every device, sorted by name.
    pub fn status(&self) -> Vec<DeviceStatus> {
        let now = Instant::now();
        self.fleet()
            .devices
            .values()
            .map(|dev| device_status(dev, now))
            .collect()
    }

    /// The JSON array of [`Pool::status`] (what `GET /v1/sessions` answers), produced in pieces
    /// of about `piece_bytes` each, one device at a time, instead of one `Vec<DeviceStatus>` plus
    /// one buffer of the whole document: at 10,000 devices that is ~3 MB, and such big
    /// temporaries freed on varying threads stay in glibc's per-thread malloc arenas.
    ///
    /// ```no_run
    /// # fn demo(pool: &netkeep_keeper::pool::Pool) {
    /// let doc: Vec<u8> = pool.status_json_pieces(64 * 1024).flatten().collect();
    /// let parsed: Vec<netkeep_keeper::wire::DeviceStatus> = serde_json::from_slice(&doc).unwrap();
    /// assert_eq!(parsed.len(), pool.device_count());
    /// # }
    /// ```
    pub fn status_json_pieces(
        &self,
        piece_bytes: usize,
    ) -> impl Iterator<Item = Vec<u8>> + Send + 'static {
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
}

/// The state a device's books put it in (the first that applies, in this order).
fn state_of(st: &Ledger, live: usize, in_use: usize) -> DeviceState {
    if in_use > 0 {
        DeviceState::Busy
    } else if live > 0 {
        DeviceState::Ready
    } else if st.backoff.auth_failed {
        DeviceState::Failed
    } else if st.backoff.connecting > 0 {
        DeviceState::Connecting
    } else if st.backoff.failures > 0 {
        DeviceState::Backoff
    } else {
        DeviceState::Idle
    }
}

/// Tenths of a second, as the status shows ages and retry delays.
fn tenths(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 10.0).round() / 10.0
}

/// Status of one device at `now`.
pub(crate) fn device_status(dev: &Device, now: Instant) -> DeviceStatus {
    let st = dev.lock();
    let live: Vec<_> = st.slots.iter().filter(|s| !s.session.is_closed()).collect();
    let in_use = live.iter().filter(|s| s.leased).count();
    let keepalives_live: u64 = live.iter().map(|s| s.session.keepalives_sent()).sum();
    DeviceStatus {
        device: dev.spec.name.clone(),
        state: state_of(&st, live.len(), in_use),
        age_s: live
            .iter()
            .map(|s| now.duration_since(s.created))
            .max()
            .map(tenths),
        keepalives_sent: st.history.keepalives_retired + keepalives_live,
        last_rtt_ms: live.iter().find_map(|s| s.session.last_rtt()).map(millis),
        reconnects: st.history.reconnects,
        last_error: st.history.last_error.clone(),
        sessions: live.len(),
        max_sessions: dev.spec.max_sessions,
        in_use,
        queued: dev.queued.load(Ordering::Relaxed),
        drops: st.history.drops,
        failures: st.backoff.failures,
        retry_in_s: st
            .backoff
            .next_attempt
            .filter(|t| *t > now)
            .map(|t| tenths(t - now)),
        address: format!("{}:{}", dev.spec.hostname, dev.spec.port),
        platform: dev.spec.platform.clone(),
        via: match &dev.spec.route {
            netkeep_transport::ssh::Route::Direct => None,
            r => Some(r.describe()),
        },
    }
}
