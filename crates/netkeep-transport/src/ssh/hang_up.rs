//! Knowing when the device has hung up. A polite disconnect only queues SSH's DISCONNECT: russh
//! sends it, closes our side and lets go of the stream, and the device frees the session's VTY
//! line when it ends the session, which it shows by closing its own side. A device with one
//! free line refuses the next login until then, so a caller that logs in again (another keeper
//! taking the device over) must wait for that close, not for our own.
//!
//! The stream under russh is wrapped: the end of the device's side (EOF or an error on read) is
//! recorded, and once russh drops the stream a short task keeps reading it until the device
//! closes (or [`HANG_UP_LIMIT`] passes).

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::sync::watch;

/// The longest a disconnect waits for the device to close its side (and the longest the
/// stream is kept reading after russh let go of it).
pub(crate) const HANG_UP_LIMIT: Duration = Duration::from_secs(2);

/// Tells when the device has closed its side of the connection.
#[derive(Clone)]
pub(crate) struct HangUp(watch::Receiver<bool>);

impl HangUp {
    /// Waits until the device has closed its side, or [`HANG_UP_LIMIT`] has passed.
    pub(crate) async fn wait(&self) {
        let mut rx = self.0.clone();
        // An error means the watcher is gone without seeing the close: nothing left to wait on.
        let _ = tokio::time::timeout(HANG_UP_LIMIT, rx.wait_for(|closed| *closed)).await;
    }

    /// True once the device has closed its side.
    #[cfg(test)]
    pub(crate) fn is_done(&self) -> bool {
        *self.0.borrow()
    }
}

/// A stream that records the end of the device's side.
pub(crate) struct Watched<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> {
    inner: Option<S>,
    closed: watch::Sender<bool>,
}

/// Wraps `stream`; the [`HangUp`] tells when its peer has closed.
pub(crate) fn watch<S>(stream: S) -> (Watched<S>, HangUp)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (closed, rx) = watch::channel(false);
    (
        Watched {
            inner: Some(stream),
            closed,
        },
        HangUp(rx),
    )
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> Watched<S> {
    fn stream(&mut self) -> std::io::Result<&mut S> {
        self.inner
            .as_mut()
            .ok_or_else(|| std::io::ErrorKind::NotConnected.into())
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> Drop for Watched<S> {
    fn drop(&mut self) {
        let Some(mut s) = self.inner.take() else {
            return;
        };
        if *self.closed.borrow() {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            self.closed.send_replace(true);
            return;
        };
        let closed = self.closed.clone();
        rt.spawn(async move {
            let drain = async {
                let _ = s.shutdown().await;
                let mut buf = [0u8; 512];
                while matches!(s.read(&mut buf).await, Ok(n) if n > 0) {}
            };
            let _ = tokio::time::timeout(HANG_UP_LIMIT, drain).await;
            closed.send_replace(true);
        });
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let wants = buf.remaining() > 0;
        let r = match self.stream() {
            Ok(s) => Pin::new(s).poll_read(cx, buf),
            Err(e) => return Poll::Ready(Err(e)),
        };
        let ended = match &r {
            Poll::Ready(Ok(())) => wants && buf.filled().len() == before,
            Poll::Ready(Err(_)) => true,
            Poll::Pending => false,
        };
        if ended {
            self.closed.send_replace(true);
        }
        r
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.stream() {
            Ok(s) => Pin::new(s).poll_write(cx, data),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.stream() {
            Ok(s) => Pin::new(s).poll_flush(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.stream() {
            Ok(s) => Pin::new(s).poll_shutdown(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_hang_up_is_the_peers_close_also_after_the_stream_was_dropped() {
        let (ours, mut theirs) = tokio::io::duplex(64);
        let (mut w, hung) = watch(ours);
        w.write_all(b"bye").await.unwrap();
        drop(w); // as russh does after sending DISCONNECT
        let mut got = [0u8; 3];
        theirs.read_exact(&mut got).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!hung.is_done(), "the peer has not closed yet");
        drop(theirs);
        tokio::time::timeout(Duration::from_secs(1), hung.wait())
            .await
            .unwrap();
        assert!(hung.is_done());
    }

    #[tokio::test]
    async fn an_eof_read_while_in_use_is_the_hang_up() {
        let (ours, theirs) = tokio::io::duplex(64);
        let (mut w, hung) = watch(ours);
        drop(theirs);
        let mut buf = [0u8; 8];
        assert_eq!(w.read(&mut buf).await.unwrap(), 0);
        assert!(hung.is_done());
    }
}
