//! Network faults: a TCP stream wrapper that can stall (half-open: nothing in or out, TCP stays
//! open) or die (reset) on demand, and the table of a device's live connections.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::shared::LineHold;

/// What a connection does with its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Link {
    /// Bytes flow.
    Running = 0,
    /// Nothing moves; TCP stays open.
    Stalled = 1,
    /// Reset; final.
    Dead = 2,
}

impl Link {
    fn from_u8(v: u8) -> Link {
        match v {
            0 => Link::Running,
            1 => Link::Stalled,
            _ => Link::Dead,
        }
    }
}

/// The control side of one connection.
pub(crate) struct ConnCtl {
    state: AtomicU8,
    wakers: Mutex<Vec<Waker>>,
}

impl ConnCtl {
    fn new(state: Link) -> Arc<ConnCtl> {
        Arc::new(ConnCtl {
            state: AtomicU8::new(state as u8),
            wakers: Mutex::new(Vec::new()),
        })
    }

    fn link(&self) -> Link {
        Link::from_u8(self.state.load(Ordering::Acquire))
    }

    fn wakers(&self) -> MutexGuard<'_, Vec<Waker>> {
        self.wakers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Moves the connection to `s` (a dead one stays dead) and wakes its tasks.
    pub fn set(&self, s: Link) {
        if self.link() == Link::Dead {
            return;
        }
        self.state.store(s as u8, Ordering::Release);
        let ws = self.wakers().clone();
        for w in ws {
            w.wake();
        }
    }

    /// Remember `cx`'s waker (a few at most: the reader and a writer).
    fn remember(ws: &mut Vec<Waker>, cx: &Context<'_>) {
        if !ws.iter().any(|w| w.will_wake(cx.waker())) {
            if ws.len() >= 4 {
                ws.remove(0);
            }
            ws.push(cx.waker().clone());
        }
    }

    /// Pending until the state changes (registering the waker first to avoid a lost wakeup).
    fn park(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut ws = self.wakers();
        match self.link() {
            Link::Stalled => {
                Self::remember(&mut ws, cx);
                Poll::Pending
            }
            Link::Dead => Poll::Ready(Err(io::ErrorKind::ConnectionReset.into())),
            Link::Running => Poll::Ready(Ok(())),
        }
    }
}

/// A device's live connections, by id.
#[derive(Default)]
pub(crate) struct ConnTable {
    conns: Mutex<HashMap<u64, Arc<ConnCtl>>>,
    next_id: AtomicU64,
}

impl ConnTable {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Arc<ConnCtl>>> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a new connection starting in `state`; wraps its socket.
    pub fn open(&self, sock: TcpStream, state: Link) -> (u64, FaultStream) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let ctl = ConnCtl::new(state);
        self.lock().insert(id, ctl.clone());
        let stream = FaultStream {
            inner: sock,
            ctl,
            lingered: false,
            line: None,
        };
        (id, stream)
    }

    /// Forgets a connection that ended.
    pub fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Moves every live connection to `s`.
    pub fn set_all(&self, s: Link) {
        let conns: Vec<_> = self.lock().values().cloned().collect();
        for c in conns {
            c.set(s);
        }
    }

    /// True when no connection is live.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

/// A TCP stream whose connection can be stalled or reset from outside.
pub(crate) struct FaultStream {
    inner: TcpStream,
    ctl: Arc<ConnCtl>,
    lingered: bool,
    /// The session's VTY line, freed before the device closes its side.
    line: Option<HangingUp>,
}

/// Freeing the session's line when the device hangs up, after the configured delay.
struct HangingUp {
    hold: LineHold,
    delay: Duration,
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl HangingUp {
    /// Ready once the line is free: at once, or `delay` after the device began hanging up
    /// while holding one.
    fn poll_free(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let held = self
            .hold
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some();
        if held && !self.delay.is_zero() {
            let delay = self.delay;
            let timer = self
                .timer
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(delay)));
            if timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
        }
        drop(self.hold.lock().unwrap_or_else(|p| p.into_inner()).take());
        Poll::Ready(())
    }
}

impl FaultStream {
    /// The session's line is freed when the device closes its side, `delay` after it began
    /// to (a device slow to tear a line down): a client that saw the close finds it free.
    pub fn hold_line(&mut self, hold: LineHold, delay: Duration) {
        self.line = Some(HangingUp {
            hold,
            delay,
            timer: None,
        });
    }

    fn gate(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.ctl.link() {
            Link::Running => Poll::Ready(Ok(())),
            Link::Dead => {
                if !self.lingered {
                    self.lingered = true;
                    // Linger 0: closing sends RST, like a rebooting box or a firewall reset.
                    #[allow(deprecated)]
                    let _ = self.inner.set_linger(Some(Duration::ZERO));
                }
                Poll::Ready(Err(io::ErrorKind::ConnectionReset.into()))
            }
            Link::Stalled => self.ctl.park(cx),
        }
    }
}

impl AsyncRead for FaultStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        // Remember the reader's waker so a stall/reset/stop wakes an idle session at once.
        ConnCtl::remember(&mut self.ctl.wakers(), cx);
        match self.gate(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.inner).poll_read(cx, buf),
            other => other,
        }
    }
}

impl AsyncWrite for FaultStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.gate(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.inner).poll_write(cx, buf),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.gate(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.inner).poll_flush(cx),
            other => other,
        }
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(h) = self.line.as_mut() {
            if h.poll_free(cx).is_pending() {
                return Poll::Pending;
            }
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
