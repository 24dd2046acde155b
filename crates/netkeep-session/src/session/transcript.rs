//! The session log's source: a [`Terminal`] wrapped at the transport boundary, so every byte the
//! session types and every byte the device sends is recorded once, whatever part of the session
//! (login, command, keepalive) moved it.
//!
//! Received bytes are logged a line at a time, cleaned (no ANSI, CR or NUL). A line typed while
//! the device's last line asks for a password or secret is logged as `********`, and every
//! occurrence of the session's secrets (login password, key passphrase, enable secret) is
//! replaced by `********` in both directions.

use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use netkeep_channel::clean;
use netkeep_transport::{BoxFuture, Event, Secret, Terminal, TransportError};
use regex::Regex;

use crate::session_log::LogFile;

const MASK: &str = "********";

/// A received line longer than this is logged without waiting for its end.
const MAX_PENDING: usize = 64 * 1024;

/// A terminal that copies its traffic into a session log.
pub(crate) struct Transcript {
    inner: Box<dyn Terminal>,
    sink: Sink,
}

/// What the log is written with.
struct Sink {
    file: Arc<Mutex<LogFile>>,
    label: String,
    secrets: Vec<String>,
    /// Received bytes since the last line end.
    pending: Vec<u8>,
    password_prompt: Regex,
    /// The end of the stream was logged.
    ended: bool,
}

impl Transcript {
    /// Wraps `inner`; `label` names the session in each line; `secrets` are never written.
    pub(crate) fn wrap(
        inner: Box<dyn Terminal>,
        file: Arc<Mutex<LogFile>>,
        label: String,
        secrets: &[&Secret],
    ) -> Transcript {
        let sink = Sink {
            file,
            label,
            secrets: secrets
                .iter()
                .map(|s| s.expose().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            pending: Vec::new(),
            password_prompt: Regex::new(
                r"(?i)(password|passphrase|passcode|secret|\bpin\b)[^\n]*[:?]\s*$",
            )
            .expect("a valid regex"),
            ended: false,
        };
        sink.note("session log opened");
        Transcript { inner, sink }
    }
}

impl Sink {
    fn write(&self, dir: char, text: &str) {
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        f.line(&self.label, dir, text);
    }

    fn note(&self, text: &str) {
        self.write('-', text);
    }

    /// `text` with every secret masked.
    fn scrub(&self, text: &str) -> String {
        let mut t = text.to_string();
        for s in &self.secrets {
            if t.contains(s.as_str()) {
                t = t.replace(s.as_str(), MASK);
            }
        }
        t
    }

    fn received(&mut self, data: &[u8]) {
        self.pending.extend_from_slice(data);
        while let Some(i) = self.pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=i).collect();
            self.received_line(&line);
        }
        if self.pending.len() > MAX_PENDING {
            let line = std::mem::take(&mut self.pending);
            self.received_line(&line);
        }
    }

    fn received_line(&self, raw: &[u8]) {
        let text = clean(raw);
        let text = text.trim_end_matches('\n');
        if !text.trim().is_empty() {
            let t = self.scrub(text);
            self.write('<', &t);
        }
    }

    /// Logs what is typed; the partial line received before it (a prompt, a question) first.
    fn typed(&mut self, data: &[u8]) {
        if !data.is_empty() && data.iter().all(|b| *b == 0) {
            self.note("keepalive (NUL)");
            return;
        }
        let asked = clean(&self.pending);
        let secret_asked = self.password_prompt.is_match(&asked);
        let line = std::mem::take(&mut self.pending);
        self.received_line(&line);
        let text = String::from_utf8_lossy(data);
        let text = text
            .strip_suffix("\r\n")
            .or_else(|| text.strip_suffix('\n'))
            .unwrap_or(&text);
        let shown = if secret_asked && !text.is_empty() {
            MASK.to_string()
        } else if !text.is_empty() && text.trim().is_empty() {
            "(space)".to_string()
        } else {
            self.scrub(&printable(text))
        };
        self.write('>', &shown);
    }
}

impl Terminal for Transcript {
    fn write<'a>(&'a mut self, data: &'a [u8]) -> BoxFuture<'a, Result<(), TransportError>> {
        self.sink.typed(data);
        self.inner.write(data)
    }

    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Event> {
        let p = self.inner.poll_recv(cx);
        match &p {
            Poll::Ready(Event::Data(d)) => self.sink.received(d),
            Poll::Ready(Event::End) if !self.sink.ended => {
                let line = std::mem::take(&mut self.sink.pending);
                self.sink.received_line(&line);
                self.sink
                    .note("the session ended (closed by the device or the connection)");
                self.sink.ended = true;
            }
            _ => {}
        }
        p
    }

    fn close(&mut self) -> BoxFuture<'_, ()> {
        let line = std::mem::take(&mut self.sink.pending);
        self.sink.received_line(&line);
        self.sink.note("session closed by netkeep");
        self.inner.close()
    }
}

/// `text` with its control characters escaped (`\u{3}`), everything else as typed.
fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}
