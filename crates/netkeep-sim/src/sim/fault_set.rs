//! The lasting faults a device currently shows.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::fault::Fault;

/// Faults set on a device, with a fast flag for the ones that change outputs.
#[derive(Default)]
pub(crate) struct FaultSet {
    faults: Mutex<Vec<Fault>>,
    /// Any of Garbage, UnsolicitedLines, PromptInOutput set (checked on every output).
    output: AtomicBool,
}

impl FaultSet {
    fn lock(&self) -> MutexGuard<'_, Vec<Fault>> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a lasting fault.
    pub fn add(&self, f: Fault) {
        let output = matches!(
            f,
            Fault::Garbage | Fault::UnsolicitedLines | Fault::PromptInOutput
        );
        self.lock().push(f);
        if output {
            self.output.store(true, Ordering::Relaxed);
        }
    }

    /// Removes them all.
    pub fn clear(&self) {
        self.lock().clear();
        self.output.store(false, Ordering::Relaxed);
    }

    /// The faults set.
    pub fn snapshot(&self) -> Vec<Fault> {
        self.lock().clone()
    }

    /// True if a fault like `f` is set.
    pub fn has(&self, f: impl Fn(&Fault) -> bool) -> bool {
        self.lock().iter().any(f)
    }

    /// The slow-drip fault's `(chunk, delay)`, if set.
    pub fn slow_drip(&self) -> Option<(usize, std::time::Duration)> {
        self.lock().iter().find_map(|f| match f {
            Fault::SlowDrip { chunk, delay } => Some((*chunk, *delay)),
            _ => None,
        })
    }

    /// True if an output-changing fault is set (cheap).
    pub fn changes_output(&self) -> bool {
        self.output.load(Ordering::Relaxed)
    }
}
