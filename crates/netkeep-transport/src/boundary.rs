//! The boundary between a session and whatever carries its bytes: a [`Terminal`] (the byte stream
//! to the device's CLI) and a [`Link`] (the connection under it: liveness probe, close reason,
//! disconnect), bundled as a [`Transport`].
//!
//! Two traits rather than one because the session uses them differently: the terminal is read and
//! written by one holder at a time (the session's I/O lock), while the link is asked about the
//! connection by anyone at any time (a probe runs while a command holds the terminal).
//!
//! Both are dyn-compatible. The receive side is poll-based so the hot path costs no allocation;
//! the rarer calls return boxed futures.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;

use crate::error::TransportError;

/// A boxed, sendable future: what the dyn-compatible transport traits return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Something that arrived from the device's terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// Terminal output (standard error included: devices mix it in anyway).
    Data(Bytes),
    /// The stream ended: end of file, channel closed, shell exited or connection gone. Why, if
    /// the peer said: [`Link::disconnect_reason`].
    End,
}

/// The byte stream to the device's terminal, as if typed on and read from a console.
///
/// Implementations: SSH (a PTY shell channel, [`crate::ssh`]), telnet (the data stream with the
/// IAC negotiation taken out, [`crate::telnet`]) and in-memory ([`crate::memory`], for tests).
pub trait Terminal: Send + 'static {
    /// Writes bytes to the terminal. An error means the stream is gone.
    fn write<'a>(&'a mut self, data: &'a [u8]) -> BoxFuture<'a, Result<(), TransportError>>;

    /// Polls for the next [`Event`]. After [`Event::End`], keeps answering [`Event::End`].
    ///
    /// Must be cancel-safe: an event is never lost when a poll is not repeated.
    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Event>;

    /// Ends the stream from our side (best effort, does not wait for the device).
    fn close(&mut self) -> BoxFuture<'_, ()>;
}

impl<'t> dyn Terminal + 't {
    /// Waits for the next [`Event`] (cancel-safe).
    pub async fn recv(&mut self) -> Event {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// An event that is already queued, without waiting; `None` if nothing is.
    pub fn try_recv(&mut self) -> Option<Event> {
        let mut cx = Context::from_waker(Waker::noop());
        match self.poll_recv(&mut cx) {
            Poll::Ready(e) => Some(e),
            Poll::Pending => None,
        }
    }
}

/// The connection under a [`Terminal`]: what can be asked about it without touching the
/// terminal, from any task.
pub trait Link: Send + Sync + 'static {
    /// A round trip that proves the peer alive without typing into the shell (so it neither
    /// restarts the device's idle timer nor shows up in any output): an SSH ping
    /// (`keepalive@openssh.com`); over telnet `IAC DO TIMING-MARK`. Unbounded: the
    /// caller wraps it in a timeout (a half-open connection never answers).
    fn probe(&self) -> BoxFuture<'_, Result<(), TransportError>>;

    /// True once the connection is known to have ended.
    fn is_closed(&self) -> bool;

    /// Why the connection ended, if the peer said so or an error ended it.
    fn disconnect_reason(&self) -> Option<String>;

    /// Polite disconnect. Over SSH and telnet it returns once the device has closed its side
    /// of the connection (at most 2 s), so that a login right after finds the session's VTY
    /// line free; the in-memory transport does not wait for the peer.
    fn disconnect(&self) -> BoxFuture<'_, ()>;
}

/// A connected transport: the terminal stream and the link under it. Built by
/// [`crate::ssh::connect`], [`crate::memory::pair`], or any implementation of the two traits.
pub struct Transport {
    /// The device's label (errors and logs).
    pub device: String,
    /// The byte stream to the CLI.
    pub terminal: Box<dyn Terminal>,
    /// The connection under it.
    pub link: Box<dyn Link>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("device", &self.device)
            .field("closed", &self.link.is_closed())
            .finish()
    }
}
