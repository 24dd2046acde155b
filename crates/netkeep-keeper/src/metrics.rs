//! Prometheus text exposition of the pool (`GET /metrics`): devices by state, session gauges,
//! event counters, uptime.

use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::time::Instant;

use crate::pool::Pool;
use crate::status::device_status;
use crate::wire::DeviceState;

/// Per-device figures summed over the fleet.
#[derive(Default)]
struct Totals {
    by_state: [u64; DeviceState::ALL.len()],
    sessions: u64,
    in_use: u64,
    queued: u64,
    keepalives: u64,
    reconnects: u64,
    drops: u64,
}

impl Pool {
    /// Prometheus text exposition of the pool's counters and gauges.
    ///
    /// ```no_run
    /// # fn demo(pool: &netkeep_keeper::pool::Pool) {
    /// let text = pool.metrics_text();
    /// assert!(text.contains("# TYPE netkeep_sessions_open gauge"));
    /// # }
    /// ```
    pub fn metrics_text(&self) -> String {
        let t = self.totals();
        let c = &self.state.counters;
        let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
        let mut o = String::new();
        let _ = writeln!(
            o,
            "# HELP netkeep_devices Devices by state.\n# TYPE netkeep_devices gauge"
        );
        // Alphabetical, as scrapers and people diffing two scrapes expect.
        let mut states = DeviceState::ALL.map(|s| (s.as_str(), t.by_state[s as usize]));
        states.sort_unstable();
        for (name, n) in states {
            let _ = writeln!(o, "netkeep_devices{{state=\"{name}\"}} {n}");
        }
        #[rustfmt::skip]
        let series: [(&str, &str, &str, u64); 13] = [
            ("netkeep_sessions_open", "gauge", "Live sessions.", t.sessions),
            ("netkeep_sessions_in_use", "gauge", "Sessions running a command.", t.in_use),
            ("netkeep_requests_queued", "gauge", "Requests waiting for a session.", t.queued),
            ("netkeep_keepalives_sent_total", "counter", "Keepalives sent.", t.keepalives),
            ("netkeep_reconnects_total", "counter", "Sessions opened to replace lost or recycled ones.", t.reconnects),
            ("netkeep_session_drops_total", "counter", "Sessions ended by the device or the network.", t.drops),
            ("netkeep_commands_total", "counter", "Commands and config sets run.", load(&c.commands)),
            ("netkeep_command_errors_total", "counter", "Commands that failed.", load(&c.command_errors)),
            ("netkeep_command_retries_total", "counter", "Read-only commands retried on a fresh session.", load(&c.retries)),
            ("netkeep_connects_total", "counter", "Connect attempts.", load(&c.connects)),
            ("netkeep_connect_failures_total", "counter", "Failed connect attempts.", load(&c.connect_failures)),
            ("netkeep_auth_failures_total", "counter", "Logins refused.", load(&c.auth_failures)),
            ("netkeep_queue_timeouts_total", "counter", "Requests that found no free session in time.", load(&c.queue_timeouts)),
        ];
        for (name, kind, help, v) in series {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}");
        }
        let up = self.state.started.elapsed().as_secs_f64();
        let _ = writeln!(o, "# HELP netkeep_uptime_seconds Daemon uptime.\n# TYPE netkeep_uptime_seconds gauge\nnetkeep_uptime_seconds {up:.3}");
        o
    }

    /// Sums the per-device figures one device at a time: no fleet-sized `Vec<DeviceStatus>` per
    /// scrape.
    fn totals(&self) -> Totals {
        let mut t = Totals::default();
        let now = Instant::now();
        for dev in self.fleet().devices.values() {
            let s = device_status(dev, now);
            t.by_state[s.state as usize] += 1;
            t.sessions += s.sessions as u64;
            t.in_use += s.in_use as u64;
            t.queued += s.queued as u64;
            t.keepalives += s.keepalives_sent;
            t.reconnects += s.reconnects;
            t.drops += s.drops;
        }
        t
    }
}
