//! The daemon's arena limit keeps new threads' allocations in the existing malloc arena.
//!
//! Counted with glibc's `malloc_info`, one `<heap>` element per arena. One test in this binary:
//! the limit is process-wide and a second test's threads would move the count.

#![cfg(all(target_os = "linux", target_env = "gnu"))]

use netkeep_keeper::daemon::limit_malloc_arenas;

/// The arenas glibc has made in this process so far.
fn arenas() -> usize {
    let mut buf: *mut libc::c_char = std::ptr::null_mut();
    let mut len: libc::size_t = 0;
    // SAFETY: open_memstream fills `buf`/`len` on fclose; malloc_info writes to the stream; the
    // buffer is glibc's, read once and freed with free().
    let xml = unsafe {
        let stream = libc::open_memstream(&mut buf, &mut len);
        assert!(!stream.is_null(), "open_memstream failed");
        assert_eq!(libc::malloc_info(0, stream), 0, "malloc_info failed");
        libc::fclose(stream);
        let text = std::slice::from_raw_parts(buf as *const u8, len).to_vec();
        libc::free(buf.cast());
        String::from_utf8(text).expect("malloc_info writes ASCII")
    };
    xml.matches("<heap nr=").count()
}

/// Starts `n` threads that each allocate and hold a block until all have allocated.
fn allocate_on_new_threads(n: usize) {
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(n));
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let b = barrier.clone();
            std::thread::spawn(move || {
                let block = vec![i as u8; 64 * 1024];
                b.wait(); // all threads hold an arena at once
                std::hint::black_box(block);
            })
        })
        .collect();
    for t in threads {
        t.join().expect("allocating thread");
    }
}

#[test]
fn new_threads_share_the_arena_once_limited() {
    let before = arenas();
    assert!(before >= 1, "malloc_info listed no heap");
    // The premise: without the limit, each new thread gets an arena of its own.
    allocate_on_new_threads(2);
    let unlimited = arenas();
    assert!(
        unlimited > before,
        "two new threads made no new arena without the limit ({before} -> {unlimited}): the test cannot tell"
    );
    assert!(limit_malloc_arenas(), "mallopt(M_ARENA_MAX) refused");
    allocate_on_new_threads(4);
    assert_eq!(
        arenas(),
        unlimited,
        "threads started after limit_malloc_arenas() made new arenas"
    );
}
