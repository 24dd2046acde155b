//! One tokio runtime per process, and the wait that releases the GIL.
//!
//! A tokio runtime does not survive `fork()` (its worker threads stay in the parent), so the
//! runtime is tied to the pid that built it: a forked child that opens a connection gets a fresh
//! runtime of its own; the parent's is left untouched (never dropped in the child — its threads
//! are not there to join).

use std::future::Future;
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::runtime::Runtime;

/// How often a waiting call lets Python run its signal handlers (Ctrl-C).
const SIGNAL_CHECK: Duration = Duration::from_millis(50);

static RUNTIME: AtomicPtr<Runtime> = AtomicPtr::new(std::ptr::null_mut());
static RUNTIME_PID: AtomicU32 = AtomicU32::new(0);

/// This process's runtime, built on first use (and again in a forked child).
pub fn runtime() -> PyResult<&'static Runtime> {
    let pid = std::process::id();
    let current = RUNTIME.load(Ordering::Acquire);
    if !current.is_null() && RUNTIME_PID.load(Ordering::Acquire) == pid {
        // SAFETY: runtimes are leaked on purpose and never freed.
        return Ok(unsafe { &*current });
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("netkeep")
        .enable_all()
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("netkeep: cannot start its runtime: {e}")))?;
    let fresh = Box::into_raw(Box::new(rt));
    match RUNTIME.compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => {
            RUNTIME_PID.store(pid, Ordering::Release);
            // SAFETY: just leaked above; never freed.
            Ok(unsafe { &*fresh })
        }
        Err(other) => {
            // Another thread of this process won the race: use its runtime.
            // SAFETY: `fresh` came from Box::into_raw above and was never shared.
            let mine = unsafe { Box::from_raw(fresh) };
            mine.shutdown_background();
            RUNTIME_PID.store(pid, Ordering::Release);
            // SAFETY: leaked by the winner; never freed.
            Ok(unsafe { &*other })
        }
    }
}

/// The pid whose runtime is current (0 before the first connection): for tests of fork safety.
#[pyfunction]
pub fn runtime_pid() -> u32 {
    RUNTIME_PID.load(Ordering::Acquire)
}

/// Runs `fut` to completion with the GIL released. Every 50 ms Python's signal handlers run; if
/// one raises (Ctrl-C: `KeyboardInterrupt`), the future is dropped — the session library is
/// cancel-safe — and the exception is returned.
pub fn wait<F, T>(py: Python<'_>, fut: F) -> PyResult<T>
where
    F: Future<Output = T> + Send,
    T: Send,
{
    let rt = runtime()?;
    py.detach(|| {
        rt.block_on(async {
            tokio::pin!(fut);
            loop {
                tokio::select! {
                    biased;
                    out = &mut fut => return Ok(out),
                    _ = tokio::time::sleep(SIGNAL_CHECK) => {
                        Python::attach(|py| py.check_signals())?;
                    }
                }
            }
        })
    })
}
