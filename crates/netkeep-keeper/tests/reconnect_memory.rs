//! Nothing is kept per dropped session: a device whose session is reset over and over, and
//! reopened by the daemon each time, leaves the process's live heap bytes, tokio tasks and open
//! files where they were. (The soak's RSS grows with reconnects; this separates a leak of live
//! objects from the allocator's footprint — see RELIABILITY.md.)
//!
//! Own test binary: the counting allocator below sees every allocation of the process, the
//! in-process simulator's included, so the test runs alone.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Duration;

use netkeep_keeper::client::DaemonClient;
use netkeep_sim::Fault;
use netkeep_testkit::{HostSpec, Lab};

/// The system allocator, counting the bytes live right now.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is passed to `System` unchanged; only a counter is updated beside it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(l) };
        if !p.is_null() {
            LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            LIVE.fetch_add(new as isize - l.size() as isize, Ordering::Relaxed);
        }
        q
    }
}

#[global_allocator]
static A: Counting = Counting;

/// Live heap bytes, tokio tasks and open files of the process.
fn usage() -> (isize, usize, usize) {
    let tasks = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    let fds = std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count());
    (LIVE.load(Ordering::Relaxed), tasks, fds)
}

/// Resets sw1's session and waits until the daemon has reopened it (`reconnects` reaches `n`).
async fn reset_and_wait(lab: &Lab, client: &DaemonClient, n: u64) {
    lab.dev("sw1").set_fault(Fault::Reset);
    for _ in 0..200 {
        let st = client.status().await.unwrap();
        if st[0].reconnects >= n && st[0].state == "ready" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("sw1 was not reopened a {n}th time");
}

/// The median of a few readings a moment apart, so that a request or keepalive in flight at
/// one instant does not decide.
async fn settled_usage() -> (isize, usize, usize) {
    let mut v = Vec::new();
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(60)).await;
        v.push(usage());
    }
    v.sort();
    v[2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnects_leave_live_heap_tasks_and_files_flat() {
    // The simulator's reset lands at the connection's next activity: a keepalive every 100 ms.
    let (lab, daemon, client) = Lab::started(vec![
        HostSpec::comware("sw1").with("keepalive: { mode: nul, interval: 100ms }")
    ])
    .await;
    // Warm-up: the first reopenings fill caches and size the runtime's structures.
    const WARM: u64 = 8;
    const MEASURED: u64 = 30;
    for n in 1..=WARM {
        reset_and_wait(&lab, &client, n).await;
    }
    let before = settled_usage().await;
    for n in WARM + 1..=WARM + MEASURED {
        reset_and_wait(&lab, &client, n).await;
    }
    let after = settled_usage().await;
    // A session holds well over 50 KB (buffers, its russh task and channels); keeping even a
    // fraction of each would exceed this bound many times over.
    let per_reconnect = (after.0 - before.0) / MEASURED as isize;
    eprintln!("(live bytes, tasks, files) before {before:?}, after {after:?}: {per_reconnect} bytes per reconnect");
    assert!(
        per_reconnect < 2048,
        "live heap grew {} bytes over {MEASURED} reconnects ({per_reconnect} per reconnect): \
         before {before:?}, after {after:?} (bytes, tasks, files)",
        after.0 - before.0
    );
    assert!(
        after.1 <= before.1 + 2,
        "tokio tasks: {before:?} -> {after:?}"
    );
    assert!(after.2 <= before.2, "open files: {before:?} -> {after:?}");
    let st = client.status().await.unwrap();
    assert_eq!(
        (st[0].drops, st[0].reconnects),
        (WARM + MEASURED, WARM + MEASURED),
        "{st:?}"
    );
    assert_eq!(
        lab.dev("sw1").counters().sessions_opened,
        WARM + MEASURED + 1
    );
    daemon.stop().await;
}
