//! Tests that measure a bound: run one at a time ([`timing_serial`]) and time events by polling
//! a condition ([`poll_until`]) rather than sleeping a fixed time.

use std::time::{Duration, Instant};

/// Holds the timing-sensitive tests of one test binary to one at a time (the others in it wait):
/// their bounds are measured on a 2-core machine, where a neighbour test's load would be
/// measured too. Keep the guard for the whole test.
///
/// ```no_run
/// # async fn t() {
/// let _serial = netkeep_testkit::timing_serial().await;
/// // ... measure ...
/// # }
/// ```
pub async fn timing_serial() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::OnceLock<tokio::sync::Mutex<()>> = std::sync::OnceLock::new();
    LOCK.get_or_init(|| tokio::sync::Mutex::new(()))
        .lock()
        .await
}

/// Polls `cond` every millisecond until it holds (returns that instant) or `limit` passes
/// (`None`): the instant an event was seen, to within a millisecond and a scheduling delay.
///
/// ```no_run
/// # async fn t(done: std::sync::atomic::AtomicBool) {
/// use std::sync::atomic::Ordering;
/// use std::time::Duration;
/// let at = netkeep_testkit::poll_until(Duration::from_secs(1), || done.load(Ordering::Relaxed)).await;
/// assert!(at.is_some(), "not done within 1 s");
/// # }
/// ```
pub async fn poll_until(limit: Duration, cond: impl Fn() -> bool) -> Option<Instant> {
    let t0 = Instant::now();
    loop {
        if cond() {
            return Some(Instant::now());
        }
        if t0.elapsed() >= limit {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}
