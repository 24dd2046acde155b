//! What every front end (SSH handler, and any other beside it) shares about one device: its
//! model, settings, counters, faults, VTY lines in use and live connections.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use super::config::DeviceConfig;
use super::counters::{bump, CounterCells};
use super::fault_set::FaultSet;
use super::netfault::ConnTable;
use super::output_fault;
use crate::model::Model;

/// Device-wide shared state (one per [`crate::SimDevice`]).
pub(crate) struct Core {
    /// The device model the engines run on.
    pub model: Arc<Model>,
    /// Settings.
    pub cfg: DeviceConfig,
    /// Counters.
    pub counters: CounterCells,
    /// Faults set.
    pub faults: FaultSet,
    /// Live TCP connections (for stall/reset/stop).
    pub conns: ConnTable,
    /// Reference point for session activity times.
    pub started: Instant,
    /// Sessions holding a VTY line.
    active: AtomicUsize,
    /// A session confirmed a `reload`: the device reboots.
    pub reload: tokio::sync::Notify,
}

impl Core {
    pub fn new(model: Arc<Model>, cfg: DeviceConfig) -> Core {
        Core {
            model,
            cfg,
            counters: CounterCells::default(),
            faults: FaultSet::default(),
            conns: ConnTable::default(),
            started: Instant::now(),
            active: AtomicUsize::new(0),
            reload: tokio::sync::Notify::new(),
        }
    }

    /// Milliseconds since [`Core::started`].
    pub fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// Sessions holding a VTY line.
    pub fn active(&self) -> usize {
        self.active.load(Ordering::Acquire)
    }

    /// Takes a VTY line if one is free (counting the session opened, or the refusal).
    pub fn take_line(self: &Arc<Self>) -> Option<LineSlot> {
        let limit = self.cfg.vty_limit.unwrap_or(usize::MAX);
        let taken = self
            .active
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            })
            .is_ok();
        if !taken {
            bump(&self.counters.refused);
            return None;
        }
        bump(&self.counters.opened);
        Some(LineSlot { core: self.clone() })
    }

    /// Apply output faults (garbage, unsolicited log lines, prompt-like text) to outgoing bytes.
    pub fn decorate(&self, out: Vec<u8>) -> Vec<u8> {
        if !self.faults.changes_output() || out.len() < 64 {
            return out;
        }
        let hostname = self.model.state().hostname.clone();
        let unsolicited = self.model.unsolicited_line();
        output_fault::decorate(&self.faults.snapshot(), &unsolicited, &hostname, out)
    }
}

/// A session's VTY line, shared by its SSH handler (which takes it) and its connection (which
/// frees it when the device closes its side, so that a client seeing the close finds the line
/// free); freed otherwise when both are gone.
pub(crate) type LineHold = Arc<std::sync::Mutex<Option<LineSlot>>>;

/// A VTY line held by a session; freed (and the session counted closed) on drop.
pub(crate) struct LineSlot {
    core: Arc<Core>,
}

impl Drop for LineSlot {
    fn drop(&mut self) {
        self.core.active.fetch_sub(1, Ordering::AcqRel);
        bump(&self.core.counters.closed);
    }
}

/// How output bytes go out, per the faults set.
pub(crate) enum Outgoing {
    /// Nothing to send.
    Nothing,
    /// Send at once, in one message.
    Now(Vec<u8>),
    /// Send `chunk` bytes every `delay` (`Fault::SlowDrip`).
    Drip {
        /// The bytes.
        bytes: Vec<u8>,
        /// Bytes per piece (at least 1).
        chunk: usize,
        /// Pause between pieces.
        delay: std::time::Duration,
    },
}

impl Core {
    /// Decorates `out` with output faults and says how to send it.
    pub fn outgoing(&self, out: Vec<u8>) -> Outgoing {
        if out.is_empty() {
            return Outgoing::Nothing;
        }
        let bytes = self.decorate(out);
        match self.faults.slow_drip() {
            Some((chunk, delay)) => Outgoing::Drip {
                bytes,
                chunk: chunk.max(1),
                delay,
            },
            None => Outgoing::Now(bytes),
        }
    }
}
