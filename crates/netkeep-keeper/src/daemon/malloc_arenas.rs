//! Keeps the daemon's heap in one glibc malloc arena.
//!
//! Why: glibc gives each new thread its own arena (up to 8 per core) and a heap gives memory
//! back only from its top. A session's blocks are freed into the arena they came from, and tokio
//! moves sessions between its worker threads, so the live heap drifts between two arenas: the
//! 2-hour soak at 1,000 devices showed arenas 2 and 3 trading ~0.75 MB of bytes in use while
//! their sum stayed flat (165.6 MB), each arena keeping its own high-water mark (system bytes +1.1
//! MB). One arena has one high-water mark, and a replaced session's freed blocks are where the
//! next session's land. The cost is one lock for the runtime's threads, mostly avoided by
//! glibc's per-thread caches; the daemon spends its time waiting on devices.
//!
//! Measured (RELIABILITY.md): in the 2-hour soak the heap held 171.4 MB instead of 175.9 MB at
//! minute ~115 and the RSS was 0.5–2 MiB lower; the RSS slope did not change (that growth is
//! first writes, not arenas). At 10,000 sessions, keepalive CPU and memory per session were
//! within one run's noise of glibc's default (6.7 vs 8.1 % of a core, 78.0 vs 79.7 KB).
//!
//! An operator's own `GLIBC_TUNABLES=glibc.malloc.arena_max=N` wins. Elsewhere than glibc this
//! is a no-op.

/// The arenas the daemon allows: one, see the module doc.
const ARENAS: i32 = 1;

/// Limits glibc's malloc to one arena for threads that have not allocated yet; returns true if
/// the limit was set (false: not glibc, or `GLIBC_TUNABLES` names `glibc.malloc.arena_max`).
///
/// Call it before starting the runtime: threads that already have an arena keep it.
///
/// ```
/// // `netkeep serve` calls this first thing, before its tokio runtime starts.
/// let _limited: bool = netkeep_keeper::daemon::limit_malloc_arenas();
/// ```
pub fn limit_malloc_arenas() -> bool {
    if operator_chose_arenas(std::env::var("GLIBC_TUNABLES").ok().as_deref()) {
        return false;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt takes two integers; glibc serialises it against allocation.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, ARENAS) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let _ = ARENAS;
        false
    }
}

/// True if the `GLIBC_TUNABLES` value sets the arena limit itself.
fn operator_chose_arenas(tunables: Option<&str>) -> bool {
    tunables.is_some_and(|t| {
        t.split(':')
            .any(|kv| kv.split('=').next() == Some("glibc.malloc.arena_max"))
    })
}

#[cfg(test)]
mod tests {
    use super::operator_chose_arenas;

    #[test]
    fn an_operators_arena_max_tunable_wins() {
        assert!(operator_chose_arenas(Some("glibc.malloc.arena_max=4")));
        assert!(operator_chose_arenas(Some(
            "glibc.malloc.trim_threshold=1:glibc.malloc.arena_max=2"
        )));
        assert!(!operator_chose_arenas(Some(
            "glibc.malloc.mmap_threshold=16384"
        )));
        assert!(!operator_chose_arenas(Some("glibc.malloc.arena_max_x=1")));
        assert!(!operator_chose_arenas(None));
    }
}
