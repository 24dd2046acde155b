//! The telnet implementation of the transport boundary: the NVT data stream as a [`Terminal`]
//! (negotiation already taken out by the reader task), the connection as a [`Link`] whose probe
//! is `IAC DO TIMING-MARK`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::mpsc::{Receiver, UnboundedSender};
use tokio::task::AbortHandle;

use super::codec::{encode_nvt, negotiate, opt, Verb};
use super::state::{Out, Shared};
use crate::boundary::{BoxFuture, Event, Link, Terminal};
use crate::error::TransportError;

fn closed(shared: &Shared, step: &'static str) -> TransportError {
    TransportError::Closed {
        device: shared.device.to_string(),
        step,
        reason: shared.reason(),
    }
}

/// The terminal data of one telnet connection.
pub(crate) struct TelnetTerminal {
    pub(crate) events: Receiver<Event>,
    pub(crate) out: UnboundedSender<Out>,
    pub(crate) shared: Arc<Shared>,
    /// Set once the stream ended: later polls answer [`Event::End`] at once.
    pub(crate) ended: bool,
}

impl Terminal for TelnetTerminal {
    /// Sends `data` as a telnet client types it: 0xFF doubled, line ends as CR LF.
    fn write<'a>(&'a mut self, data: &'a [u8]) -> BoxFuture<'a, Result<(), TransportError>> {
        let r = if self.shared.is_closed() {
            Err(closed(&self.shared, "writing to the terminal"))
        } else {
            let mut wire = Vec::with_capacity(data.len() + 4);
            encode_nvt(data, &mut wire);
            self.out
                .send(Out::Bytes(wire))
                .map_err(|_| closed(&self.shared, "writing to the terminal"))
        };
        Box::pin(std::future::ready(r))
    }

    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Event> {
        if self.ended {
            return Poll::Ready(Event::End);
        }
        match self.events.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Event::Data(d))) => Poll::Ready(Event::Data(d)),
            Poll::Ready(_) => {
                self.ended = true;
                Poll::Ready(Event::End)
            }
        }
    }

    fn close(&mut self) -> BoxFuture<'_, ()> {
        let _ = self.out.send(Out::Close);
        Box::pin(std::future::ready(()))
    }
}

/// One telnet connection.
pub(crate) struct TelnetLink {
    pub(crate) shared: Arc<Shared>,
    pub(crate) out: UnboundedSender<Out>,
    pub(crate) reader: AbortHandle,
    /// True once the reader has ended: the device closed its side (or the socket failed).
    pub(crate) reader_done: tokio::sync::watch::Receiver<bool>,
    /// Said once that probes cannot see a half-open connection on this server.
    pub(crate) told_no_marks: AtomicBool,
}

impl Drop for TelnetLink {
    fn drop(&mut self) {
        // The reader holds the socket's read half: without it the connection closes.
        self.reader.abort();
    }
}

impl Link for TelnetLink {
    /// `IAC DO TIMING-MARK`, answered `WILL` or `WONT TIMING-MARK` by the server once it has
    /// processed what came before: types nothing into the shell. A server that never answered
    /// the connection's opening mark (BusyBox telnetd ignores it) cannot be probed this way;
    /// then the probe only checks that the connection has not ended.
    fn probe(&self) -> BoxFuture<'_, Result<(), TransportError>> {
        Box::pin(async move {
            let step = "telnet TIMING-MARK probe";
            if self.shared.is_closed() {
                return Err(closed(&self.shared, step));
            }
            if !self.shared.answers_marks() {
                if !self.told_no_marks.swap(true, Ordering::Relaxed) {
                    tracing::info!(device = %self.shared.device, "the telnet server does not answer TIMING-MARK: liveness probes only see a closed connection, not a half-open one (the in-band keepalive still restarts the idle timer)");
                }
                tokio::task::yield_now().await;
                return match self.shared.is_closed() {
                    true => Err(closed(&self.shared, step)),
                    false => Ok(()),
                };
            }
            let Some(answer) = self.shared.wait_mark() else {
                return Err(closed(&self.shared, step));
            };
            let mut b = Vec::with_capacity(3);
            negotiate(Verb::Do, opt::TIMING_MARK, &mut b);
            self.out
                .send(Out::Bytes(b))
                .map_err(|_| closed(&self.shared, step))?;
            answer.await.map_err(|_| closed(&self.shared, step))
        })
    }

    fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }

    fn disconnect_reason(&self) -> Option<String> {
        self.shared.reason()
    }

    fn disconnect(&self) -> BoxFuture<'_, ()> {
        let _ = self.out.send(Out::Close);
        self.shared.close(None);
        Box::pin(async move {
            // A device frees the session's line when it ends the session, which it shows by
            // closing its side: the reader sees that (bounded, then the socket is dropped).
            let mut done = self.reader_done.clone();
            let limit = crate::ssh::hang_up::HANG_UP_LIMIT;
            let _ = tokio::time::timeout(limit, done.wait_for(|d| *d)).await;
            self.reader.abort();
        })
    }
}
