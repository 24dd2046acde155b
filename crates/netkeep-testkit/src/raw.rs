//! Raw bytes to and from the daemon's Unix socket, for tests of malformed and abandoned
//! requests.

use std::path::Path;
use std::time::Duration;

/// Sends raw bytes on a fresh connection to a Unix socket and reads until the peer closes,
/// a complete response head has arrived, or `wait` passes. With
/// `half_close` our side is shut for writing after the request (the daemon sees the end of
/// input at once, as from a client that gave up). Returns what came back (possibly nothing).
pub async fn raw_unix_with(
    socket: &Path,
    request: &[u8],
    wait: Duration,
    half_close: bool,
) -> std::io::Result<Vec<u8>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::UnixStream::connect(socket).await?;
    // The daemon may answer and close before it has read everything we send: that is fine.
    let _ = s.write_all(request).await;
    if half_close {
        let _ = s.shutdown().await;
    }
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(wait, async {
        let mut chunk = [0u8; 4096];
        loop {
            match s.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
            if buf.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
    })
    .await;
    Ok(buf)
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
