//! Hands the allocator's free pages back to the kernel once a minute.
//!
//! Why: glibc's `free` returns memory to the kernel only from the top of a heap. A daemon that
//! replaces sessions frees ~165 KB per session in the middle of its heaps, and those free pages
//! stay resident: over hours the RSS creeps up while the live heap stays flat (the 2-hour soak at
//! 1,000 devices: bytes in use flat at 165.6 MB, RSS +2.97 %/h). `malloc_trim(0)` releases every
//! whole free page in every arena (`madvise(MADV_DONTNEED)`). Pages shared with live blocks stay;
//! RELIABILITY.md has what it changed in the soak. Elsewhere than glibc this is a no-op.

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

/// How often the daemon trims: often enough that an hour of churn cannot pile up, seldom
/// enough to keep the arena locks the call holds out of the way (its time at 1,000 devices is
/// not measured; the debug log has it).
pub(super) const TRIM_EVERY: Duration = Duration::from_secs(60);

/// Trims every `every` until `stop`, on the blocking pool (the call holds arena locks).
pub(super) fn spawn(every: Duration, stop: CancellationToken) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await; // the first tick is immediate: nothing to trim yet
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tick.tick() => {}
            }
            let started = Instant::now();
            match tokio::task::spawn_blocking(trim_free_pages).await {
                Ok(released) => tracing::debug!(
                    released,
                    took_us = started.elapsed().as_micros() as u64,
                    "heap trimmed"
                ),
                Err(e) => tracing::warn!("heap trim task failed: {e}"),
            }
        }
    })
}

/// Returns the allocator's free pages to the kernel; true if any were released.
///
/// ```
/// // Safe to call at any time, from any thread.
/// let _released: bool = netkeep_keeper::daemon::trim_free_pages();
/// ```
pub fn trim_free_pages() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim takes no pointers; glibc locks each arena while it walks it.
        unsafe { libc::malloc_trim(0) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}
