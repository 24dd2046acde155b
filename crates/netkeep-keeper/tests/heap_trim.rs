//! The daemon's heap trim gives freed memory in the middle of the heap back to the kernel.
//!
//! The shape of a daemon replacing sessions: many blocks freed while a later allocation pins
//! the top of the heap, so glibc's `free` keeps them resident. One test in this binary, so no
//! other test's allocations move the RSS it reads.

#![cfg(all(target_os = "linux", target_env = "gnu"))]

use netkeep_keeper::daemon::trim_free_pages;

/// Resident anonymous memory of this process, in KiB (`RssAnon` in /proc/self/status).
fn rss_anon_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("RssAnon:"))
        .expect("RssAnon in /proc/self/status");
    line.split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("RssAnon value")
}

#[test]
fn freed_middle_of_heap_is_resident_until_trimmed() {
    const BLOCKS: usize = 16 * 1024; // 64 MiB in 4 KiB blocks: below the mmap threshold
    let mut blocks: Vec<Vec<u8>> = (0..BLOCKS).map(|i| vec![i as u8 | 1; 4096]).collect();
    let pin = vec![7u8; 4096]; // above the blocks: the heap's top cannot shrink past it
    let with_blocks = rss_anon_kib();
    blocks.clear();
    blocks.shrink_to_fit();
    let freed = rss_anon_kib();
    assert!(
        with_blocks - freed < 16 * 1024,
        "glibc returned the freed blocks by itself ({with_blocks} -> {freed} KiB): \
         the case the trim exists for did not happen"
    );
    assert!(trim_free_pages(), "malloc_trim released nothing");
    let trimmed = rss_anon_kib();
    assert!(
        freed - trimmed > 48 * 1024,
        "the trim gave back {} KiB of the 64 MiB freed ({freed} -> {trimmed} KiB)",
        freed - trimmed
    );
    assert_eq!(pin[4095], 7);
}
