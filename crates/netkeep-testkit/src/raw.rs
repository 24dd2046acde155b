//! Raw bytes to and from the daemon's Unix socket, for tests of malformed and abandoned
//! requests: what came back, and whether the daemon answered, hung up or kept silent.

use std::path::Path;
use std::time::{Duration, Instant};

/// How a raw exchange with the daemon ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// A complete response head arrived (the connection may stay open after it).
    Answered,
    /// The daemon closed (or reset) the connection before a complete response head.
    Closed,
    /// Neither within the wait: the connection was still open, with no complete answer.
    TimedOut,
}

/// What a raw request got back, how the exchange ended, and how long it took.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The bytes received (possibly none).
    pub bytes: Vec<u8>,
    /// Answered, closed by the daemon, or timed out on our side.
    pub ending: Ending,
    /// From connecting to the end.
    pub took: Duration,
}

impl Reply {
    /// The status code of the answer, if a status line arrived.
    pub fn status(&self) -> Option<u16> {
        status_code(&self.bytes)
    }

    /// The bytes received, as text (lossy), for assertion messages.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// Sends raw bytes on a fresh connection to a Unix socket and reads until a complete response
/// head has arrived ([`Ending::Answered`]), the daemon closes the connection
/// ([`Ending::Closed`]) or `wait` passes ([`Ending::TimedOut`]). With `half_close` our side is
/// shut for writing after the request (the daemon sees the end of input at once, as from a
/// client that gave up).
///
/// ```no_run
/// # async fn f(sock: &std::path::Path) {
/// use std::time::Duration;
/// use netkeep_testkit::{exchange, Ending};
/// let r = exchange(sock, b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", Duration::from_secs(3), false)
///     .await
///     .unwrap();
/// assert_eq!((r.ending, r.status()), (Ending::Answered, Some(404)), "{}", r.text());
/// # }
/// ```
pub async fn exchange(
    socket: &Path,
    request: &[u8],
    wait: Duration,
    half_close: bool,
) -> std::io::Result<Reply> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let t0 = Instant::now();
    let mut s = tokio::net::UnixStream::connect(socket).await?;
    // The daemon may answer and close before it has read everything we send: that is fine.
    let _ = s.write_all(request).await;
    if half_close {
        let _ = s.shutdown().await;
    }
    let mut bytes = Vec::new();
    let read = tokio::time::timeout(wait, async {
        let mut chunk = [0u8; 4096];
        loop {
            match s.read(&mut chunk).await {
                Ok(0) | Err(_) => return Ending::Closed,
                Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            }
            if bytes.windows(4).any(|w| w == b"\r\n\r\n") {
                return Ending::Answered;
            }
        }
    })
    .await;
    Ok(Reply {
        bytes,
        ending: read.unwrap_or(Ending::TimedOut),
        took: t0.elapsed(),
    })
}

/// The bytes of [`exchange`] alone: what came back (possibly nothing), whatever the ending.
pub async fn raw_unix_with(
    socket: &Path,
    request: &[u8],
    wait: Duration,
    half_close: bool,
) -> std::io::Result<Vec<u8>> {
    Ok(exchange(socket, request, wait, half_close).await?.bytes)
}

/// [`raw_unix_with`] without half-closing (hyper drops the answer to a half-closed request).
pub async fn raw_unix(socket: &Path, request: &[u8], wait: Duration) -> std::io::Result<Vec<u8>> {
    raw_unix_with(socket, request, wait, false).await
}

/// The status code of a raw HTTP/1.1 answer (`HTTP/1.1 400 Bad Request` → 400).
pub fn status_code(answer: &[u8]) -> Option<u16> {
    let line = answer.split(|&b| b == b'\n').next()?;
    let text = std::str::from_utf8(line).ok()?;
    let mut it = text.split_whitespace();
    if !it.next()?.starts_with("HTTP/") {
        return None;
    }
    it.next()?.parse().ok()
}
