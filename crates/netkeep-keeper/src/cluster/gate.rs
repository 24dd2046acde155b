//! A shard's gate on the node that owns it: requests enter only while it is open, and a
//! release closes it and waits for the requests inside to finish before the shard's devices
//! are logged out of. A request arriving at a closed gate is told "not the owner" and goes
//! elsewhere — nothing of it ran.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

#[derive(Default)]
struct State {
    open: bool,
    inside: usize,
}

/// One shard's gate (closed at first).
#[derive(Default)]
pub(crate) struct Gate {
    st: Mutex<State>,
    emptied: Notify,
}

/// A request inside a gate; leaves it on drop.
pub(crate) struct Pass(Arc<Gate>);

impl Drop for Pass {
    fn drop(&mut self) {
        let mut st = self.0.lock();
        st.inside -= 1;
        if st.inside == 0 {
            self.0.emptied.notify_waiters();
        }
    }
}

impl Gate {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.st.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Enters if open.
    pub(crate) fn enter(self: &Arc<Self>) -> Option<Pass> {
        let mut st = self.lock();
        if !st.open {
            return None;
        }
        st.inside += 1;
        Some(Pass(self.clone()))
    }

    pub(crate) fn open(&self) {
        self.lock().open = true;
    }

    /// Closes; requests inside go on.
    pub(crate) fn close(&self) {
        self.lock().open = false;
    }

    /// Requests inside now.
    pub(crate) fn inside(&self) -> usize {
        self.lock().inside
    }

    /// Closes and waits until the requests inside have left, at most `limit`; true if they did.
    pub(crate) async fn close_and_drain(&self, limit: Duration) -> bool {
        self.close();
        let wait = async {
            loop {
                let emptied = self.emptied.notified();
                if self.inside() == 0 {
                    return;
                }
                emptied.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_closing_gate_turns_new_requests_away_and_waits_for_those_inside() {
        let g = Arc::new(Gate::default());
        assert!(g.enter().is_none(), "closed at first");
        g.open();
        let pass = g.enter().unwrap();
        let g2 = g.clone();
        let closing = tokio::spawn(async move { g2.close_and_drain(Duration::from_secs(5)).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(g.enter().is_none(), "turned away while closing");
        assert!(!closing.is_finished(), "waits for the request inside");
        drop(pass);
        assert!(closing.await.unwrap());
        g.open();
        let _p = g.enter().unwrap();
        assert!(
            !g.close_and_drain(Duration::from_millis(20)).await,
            "bounded"
        );
    }
}
