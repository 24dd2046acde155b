//! What a session is made of: the shared part every caller may look at ([`Core`]), the part only
//! the holder of the I/O lock touches ([`Io`]), and the record of how the session ended
//! ([`Life`]).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use netkeep_channel::ReadBuffer;
use netkeep_platform::{CloseReason, Platform};
use netkeep_transport::{Link, Secret, Terminal};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::modemap::{ModeId, ModeMap};
use crate::error::Error;

/// One session's shared state. The lock on [`Io`] serialises everything that touches the
/// terminal, so commands and keepalives never interleave.
pub(crate) struct Core {
    pub device: String,
    pub platform: Arc<Platform>,
    pub modes: ModeMap,
    pub link: Box<dyn Link>,
    pub io: Mutex<Io>,
    pub life: Life,
    pub settings: Settings,
}

/// Per-session settings resolved at login.
pub(crate) struct Settings {
    /// The device's idle timeout, if known: a silent close after that long idle is its timer.
    pub idle_timeout: Option<Duration>,
    pub read_timeout: Duration,
    pub probe_timeout: Duration,
    /// The enable secret the caller gave: typed at an enable password prompt, whoever asked.
    pub enable_secret: Option<Secret>,
    /// The login password: typed at an enable password prompt only when the caller asked for
    /// privileged mode and gave no enable secret.
    pub login_password: Option<Secret>,
    /// What ends a typed line (`\n`, or `\r\n` on some platforms).
    pub newline: Vec<u8>,
}

/// State that only the lock holder touches.
pub(crate) struct Io {
    pub terminal: Box<dyn Terminal>,
    pub buf: ReadBuffer,
    /// Cleaned bytes that arrived between exchanges (keepalive echo, syslog, a goodbye).
    pub stray: String,
    pub mode: ModeId,
    /// The mode the session rests in between operations: where login (and `enable`, if asked)
    /// left it. Every operation returns here; a pool checks it before lending the session.
    pub base: ModeId,
    pub prompt: String,
    pub dead: Option<Dead>,
    /// A command whose read did not reach its end (its caller's future was dropped, or the
    /// read timed out): the device may still send its output, so the next exchange first
    /// reads up to its prompt instead of taking that output as its own.
    pub unfinished: Option<String>,
}

impl Io {
    pub fn new(terminal: Box<dyn Terminal>, mode: ModeId) -> Io {
        Io {
            terminal,
            buf: ReadBuffer::new(),
            stray: String::new(),
            mode,
            base: mode,
            prompt: String::new(),
            dead: None,
            unfinished: None,
        }
    }
}

/// The device ended the session: where, why, and its last words.
#[derive(Clone)]
pub(crate) struct Dead {
    pub step: String,
    pub reason: CloseReason,
    pub last_words: String,
}

/// Whether the session is open, what ended it, and when we last wrote to it.
pub(crate) struct Life {
    closed: AtomicBool,
    /// What ended the session (first error that closed it): text and the device's reason.
    ended: std::sync::Mutex<Option<(String, Option<CloseReason>)>>,
    /// Set by `disconnect()`: later calls say so instead of blaming the device.
    user_closed: AtomicBool,
    born: Instant,
    last_write_us: AtomicU64,
}

impl Life {
    pub fn new() -> Life {
        Life {
            closed: AtomicBool::new(false),
            ended: std::sync::Mutex::new(None),
            user_closed: AtomicBool::new(false),
            born: Instant::now(),
            last_write_us: AtomicU64::new(0),
        }
    }

    /// Marks the session closed by `e` (the first cause is kept) and returns `e`.
    pub fn end(&self, e: Error) -> Error {
        self.closed.store(true, Ordering::Release);
        let mut ended = self.ended.lock().unwrap_or_else(|p| p.into_inner());
        if ended.is_none() {
            *ended = Some((e.to_string(), e.close_reason()));
        }
        e
    }

    /// What ended the session, if recorded: the error's text and the device's reason.
    pub fn ended(&self) -> Option<(String, Option<CloseReason>)> {
        self.ended.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// True once an error closed the session or the user disconnected.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Records that this program closed the session.
    pub fn close_by_user(&self) {
        self.user_closed.store(true, Ordering::Release);
        self.closed.store(true, Ordering::Release);
    }

    /// True once this program closed the session.
    pub fn user_closed(&self) -> bool {
        self.user_closed.load(Ordering::Acquire)
    }

    /// Notes that we wrote to the device (input restarts its idle timer).
    pub fn touch(&self) {
        self.last_write_us
            .store(self.born.elapsed().as_micros() as u64, Ordering::Relaxed);
    }

    /// Time since we last wrote to the device.
    pub fn idle_for(&self) -> Duration {
        let last = Duration::from_micros(self.last_write_us.load(Ordering::Relaxed));
        self.born.elapsed().saturating_sub(last)
    }
}
