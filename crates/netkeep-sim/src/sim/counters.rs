//! A device's counters: sessions, refusals, idle timeouts, commands (in all and per session),
//! passwords received, failed logins, connections.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A snapshot of a device's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Shell sessions started (past the VTY limit check).
    pub sessions_opened: u64,
    /// Shell sessions that ended, for any reason.
    pub sessions_closed: u64,
    /// Sessions closed by the VTY idle timeout.
    pub idle_timeouts: u64,
    /// Logins refused because all VTY lines were busy.
    pub vty_refused: u64,
    /// Command lines run (non-empty lines at a prompt).
    pub commands: u64,
    /// Failed authentication attempts.
    pub auth_failures: u64,
    /// Passwords received, accepted or not (password logins and keyboard-interactive answers):
    /// a client that must not give its password away (to an impostor) shows here.
    pub passwords_received: u64,
    /// TCP connections accepted.
    pub connections: u64,
}

/// The live counters (commands are counted by the model, which runs them).
#[derive(Default)]
pub(crate) struct CounterCells {
    pub opened: AtomicU64,
    pub closed: AtomicU64,
    pub idle: AtomicU64,
    pub refused: AtomicU64,
    pub auth_failures: AtomicU64,
    pub passwords: AtomicU64,
    pub connections: AtomicU64,
    /// Each shell session's command count, in the order the sessions opened.
    sessions: Mutex<Vec<Arc<AtomicU64>>>,
}

/// Adds one to a counter.
pub(crate) fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

impl CounterCells {
    pub(crate) fn snapshot(&self, commands: u64) -> Counters {
        let l = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Counters {
            sessions_opened: l(&self.opened),
            sessions_closed: l(&self.closed),
            idle_timeouts: l(&self.idle),
            vty_refused: l(&self.refused),
            commands,
            auth_failures: l(&self.auth_failures),
            passwords_received: l(&self.passwords),
            connections: l(&self.connections),
        }
    }

    /// Lists a new session's command count (the engine running it counts into `cell`).
    pub(crate) fn track_session(&self, cell: Arc<AtomicU64>) {
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(cell);
    }

    /// Command lines run by each shell session so far, in the order the sessions opened.
    pub(crate) fn commands_per_session(&self) -> Vec<u64> {
        let cells = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        cells.iter().map(|c| c.load(Ordering::Relaxed)).collect()
    }
}
