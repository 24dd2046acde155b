//! Bounded logging for big fleets: at most so many warnings per time window; the rest are
//! counted and summed up in one line when the next window opens.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many warnings may still be written in the current window.
pub(crate) struct LogBudget {
    what: &'static str,
    per_window: u32,
    window: Duration,
    /// (window start, logged in it, suppressed in it).
    current: Mutex<(Instant, u32, u64)>,
}

impl LogBudget {
    /// `per_window` warnings about `what` every `window`.
    pub(crate) fn new(what: &'static str, per_window: u32, window: Duration) -> Self {
        LogBudget {
            what,
            per_window,
            window,
            current: Mutex::new((Instant::now(), 0, 0)),
        }
    }

    /// True if one more warning may be written now; otherwise it is counted for the summary.
    pub(crate) fn allow(&self) -> bool {
        let mut w = self.current.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if now.duration_since(w.0) >= self.window {
            if w.2 > 0 {
                tracing::warn!(
                    "{} more {} in the last {} s not logged (see `netkeep status`)",
                    w.2,
                    self.what,
                    self.window.as_secs()
                );
            }
            *w = (now, 0, 0);
        }
        if w.1 < self.per_window {
            w.1 += 1;
            true
        } else {
            w.2 += 1;
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_budget_then_refuses_until_the_next_window() {
        let b = LogBudget::new("connect failures", 3, Duration::from_millis(40));
        assert_eq!((0..5).filter(|_| b.allow()).count(), 3);
        std::thread::sleep(Duration::from_millis(50));
        assert!(b.allow(), "a new window has a fresh budget");
    }
}
