//! What the telnet terminal, link and pump tasks share about one connection: whether it ended
//! and why, and the probes waiting for their timing mark.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;

/// Bytes for the writer task, in order.
#[derive(Debug)]
pub(crate) enum Out {
    /// Wire bytes (already encoded).
    Bytes(Vec<u8>),
    /// Send FIN and stop.
    Close,
}

#[derive(Debug, Default)]
struct Marks {
    /// Probes waiting, oldest first: the server answers marks in the order it got them.
    waiting: VecDeque<oneshot::Sender<()>>,
    /// The server has answered a timing mark on this connection (so it answers them).
    answers: bool,
    /// The connection's opening `DO TIMING-MARK` is not answered yet: the first answer is its.
    opening: bool,
}

/// One telnet connection's shared state.
#[derive(Debug)]
pub(crate) struct Shared {
    pub device: Arc<str>,
    closed: AtomicBool,
    reason: Mutex<Option<String>>,
    marks: Mutex<Marks>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    /// State for a connection whose opening sent `DO TIMING-MARK`.
    pub fn new(device: &str) -> Arc<Shared> {
        Arc::new(Shared {
            device: device.into(),
            closed: AtomicBool::new(false),
            reason: Mutex::new(None),
            marks: Mutex::new(Marks {
                opening: true,
                ..Marks::default()
            }),
        })
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    pub fn reason(&self) -> Option<String> {
        lock(&self.reason).clone()
    }

    /// The connection ended (the first reason is kept); waiting probes fail.
    pub fn close(&self, reason: Option<String>) {
        if let Some(r) = reason {
            lock(&self.reason).get_or_insert(r);
        }
        self.closed.store(true, Ordering::Release);
        // Dropping the senders wakes every waiting probe with an error.
        lock(&self.marks).waiting.clear();
    }

    /// True once the server answered a timing mark.
    pub fn answers_marks(&self) -> bool {
        lock(&self.marks).answers
    }

    /// Registers a probe; `None` if the connection already ended.
    pub fn wait_mark(&self) -> Option<oneshot::Receiver<()>> {
        let mut m = lock(&self.marks);
        if self.is_closed() {
            return None;
        }
        let (tx, rx) = oneshot::channel();
        m.waiting.push_back(tx);
        Some(rx)
    }

    /// The server answered a timing mark: the oldest waiting probe has its round trip.
    pub fn mark_answered(&self) {
        let mut m = lock(&self.marks);
        m.answers = true;
        if std::mem::take(&mut m.opening) {
            return;
        }
        if let Some(tx) = m.waiting.pop_front() {
            let _ = tx.send(());
        }
    }
}
