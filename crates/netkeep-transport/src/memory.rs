//! An in-memory transport: the session on one end, a test playing the device on the other
//! ([`Peer`]). No sockets, no SSH, no threads; works under tokio's paused clock.
//!
//! The peer sends terminal bytes, sees what the session wrote, decides how the liveness probe
//! behaves ([`Probe`]) and closes the connection with a reason, as a device would.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use netkeep_transport::memory::{self, Probe};
//! use netkeep_transport::Event;
//! let (mut t, mut device) = memory::pair("sw1");
//! device.send(b"<H3C>");
//! assert_eq!(t.terminal.recv().await, Event::Data("<H3C>".into()));
//! t.terminal.write(b"display clock\n").await.unwrap();
//! assert_eq!(device.written(), b"display clock\n");
//! device.set_probe(Probe::Fail("gone".into()));
//! assert!(t.link.probe().await.is_err());
//! device.close(Some("idle timeout"));
//! assert_eq!(t.terminal.recv().await, Event::End);
//! assert_eq!(t.link.disconnect_reason().as_deref(), Some("idle timeout"));
//! # }
//! ```

use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use crate::boundary::{BoxFuture, Event, Link, Terminal, Transport};
use crate::error::TransportError;

/// How the scripted device answers the liveness probe ([`Link::probe`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Probe {
    /// At once (a live connection); other tasks run first, as during a real round trip.
    #[default]
    Answer,
    /// After a delay (a slow or loaded device).
    AnswerAfter(Duration),
    /// Never (a half-open connection: the caller's timeout decides).
    Never,
    /// With an error naming this reason (a broken connection).
    Fail(String),
}

/// What both ends see.
#[derive(Debug, Default)]
struct State {
    probe: Probe,
    probes: u64,
    reason: Option<String>,
    /// The peer closed the connection.
    peer_closed: bool,
    /// The session closed its terminal.
    terminal_closed: bool,
    /// The session disconnected the link.
    disconnected: bool,
}

#[derive(Debug, Default)]
struct Shared(Mutex<State>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A connected in-memory [`Transport`] for `device`, and the [`Peer`] that plays the device.
pub fn pair(device: impl Into<String>) -> (Transport, Peer) {
    let device: String = device.into();
    let shared = Arc::new(Shared::default());
    let (to_session, events) = unbounded_channel();
    let (writes, from_session) = unbounded_channel();
    let transport = Transport {
        device: device.clone(),
        terminal: Box::new(MemoryTerminal {
            events,
            writes: Some(writes),
            shared: shared.clone(),
            device: device.clone(),
            ended: false,
        }),
        link: Box::new(MemoryLink {
            shared: shared.clone(),
            device,
        }),
    };
    let peer = Peer {
        to_session,
        from_session,
        shared,
    };
    (transport, peer)
}

/// The device's end of an in-memory transport, driven by a test.
#[derive(Debug)]
pub struct Peer {
    to_session: UnboundedSender<Event>,
    from_session: UnboundedReceiver<Bytes>,
    shared: Arc<Shared>,
}

impl Peer {
    /// Sends terminal bytes to the session (ignored once either side closed).
    pub fn send(&self, data: impl AsRef<[u8]>) {
        let data = Bytes::copy_from_slice(data.as_ref());
        let _ = self.to_session.send(Event::Data(data));
    }

    /// Everything the session wrote since the last call, without waiting.
    pub fn written(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while let Ok(b) = self.from_session.try_recv() {
            out.extend_from_slice(&b);
        }
        out
    }

    /// Waits for the session's next write; `None` once the session closed its terminal and
    /// every write was taken.
    pub async fn next_write(&mut self) -> Option<Bytes> {
        self.from_session.recv().await
    }

    /// Sets how the liveness probe answers from now on.
    pub fn set_probe(&self, probe: Probe) {
        self.shared.lock().probe = probe;
    }

    /// How many times the session probed the link.
    pub fn probes(&self) -> u64 {
        self.shared.lock().probes
    }

    /// Closes the connection as the device: after what was sent, the session reads the end of
    /// the stream; writes and probes fail; `reason` is the link's disconnect reason.
    pub fn close(&self, reason: Option<&str>) {
        {
            let mut st = self.shared.lock();
            st.peer_closed = true;
            if let Some(r) = reason {
                st.reason.get_or_insert_with(|| r.to_string());
            }
        }
        let _ = self.to_session.send(Event::End);
    }

    /// True once the session closed its terminal or disconnected.
    pub fn session_closed(&self) -> bool {
        let st = self.shared.lock();
        st.terminal_closed || st.disconnected
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.shared.lock().peer_closed = true;
    }
}

struct MemoryTerminal {
    events: UnboundedReceiver<Event>,
    writes: Option<UnboundedSender<Bytes>>,
    shared: Arc<Shared>,
    device: String,
    ended: bool,
}

impl Terminal for MemoryTerminal {
    fn write<'a>(&'a mut self, data: &'a [u8]) -> BoxFuture<'a, Result<(), TransportError>> {
        let r = {
            let st = self.shared.lock();
            let sent = !st.peer_closed
                && self
                    .writes
                    .as_ref()
                    .is_some_and(|w| w.send(Bytes::copy_from_slice(data)).is_ok());
            if sent {
                Ok(())
            } else {
                Err(TransportError::Closed {
                    device: self.device.clone(),
                    step: "writing to the terminal",
                    reason: st.reason.clone(),
                })
            }
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
        self.shared.lock().terminal_closed = true;
        self.writes = None;
        Box::pin(std::future::ready(()))
    }
}

struct MemoryLink {
    shared: Arc<Shared>,
    device: String,
}

impl MemoryLink {
    fn closed(&self, reason: Option<String>) -> TransportError {
        TransportError::Closed {
            device: self.device.clone(),
            step: "probe",
            reason,
        }
    }
}

impl Link for MemoryLink {
    fn probe(&self) -> BoxFuture<'_, Result<(), TransportError>> {
        let probe = {
            let mut st = self.shared.lock();
            st.probes += 1;
            if st.peer_closed || st.disconnected {
                return Box::pin(std::future::ready(Err(self.closed(st.reason.clone()))));
            }
            st.probe.clone()
        };
        Box::pin(async move {
            match probe {
                Probe::Answer => {
                    tokio::task::yield_now().await;
                    Ok(())
                }
                Probe::AnswerAfter(d) => {
                    tokio::time::sleep(d).await;
                    Ok(())
                }
                Probe::Never => std::future::pending().await,
                Probe::Fail(reason) => Err(self.closed(Some(reason))),
            }
        })
    }

    fn is_closed(&self) -> bool {
        let st = self.shared.lock();
        st.peer_closed || st.disconnected
    }

    fn disconnect_reason(&self) -> Option<String> {
        self.shared.lock().reason.clone()
    }

    fn disconnect(&self) -> BoxFuture<'_, ()> {
        self.shared.lock().disconnected = true;
        Box::pin(std::future::ready(()))
    }
}
