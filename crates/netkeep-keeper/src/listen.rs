//! The API's listeners and their accept loop: the Unix socket (each connection carries its
//! peer's uid and pid from the kernel), plain TCP (loopback only) and TLS over TCP. Every
//! request reaches the router with its connection's [`Peer`] in its extensions, where the API's
//! authentication reads it.
//!
//! A TLS listener answers a client that speaks plain HTTP with `400` in plain text (`this
//! listener speaks HTTPS`) and closes: the request is never served. The TLS handshake runs in
//! the connection's own task, bounded by the header timeout, so a slow client cannot stall
//! the accept loop.
//!
//! ```no_run
//! # async fn demo(router: axum::Router) -> std::io::Result<()> {
//! use netkeep_keeper::listen::{serve, Listener};
//! let l = Listener::Tcp(tokio::net::TcpListener::bind("127.0.0.1:7878").await?);
//! let stop = tokio_util::sync::CancellationToken::new();
//! serve(l, router, Default::default(), stop, std::time::Duration::from_secs(5)).await;
//! # Ok(()) }
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::AsyncWriteExt;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::api::ApiLimits;
use crate::identity::Peer;
use crate::tls::ServerTls;

/// A bound listener.
pub enum Listener {
    /// The Unix socket.
    Unix(tokio::net::UnixListener),
    /// Plain TCP (the daemon allows it on loopback only).
    Tcp(tokio::net::TcpListener),
    /// TLS over TCP.
    Tls(tokio::net::TcpListener, Arc<ServerTls>),
}

/// An accepted connection, before any byte is read.
enum Accepted {
    Unix(tokio::net::UnixStream),
    Tcp(tokio::net::TcpStream, SocketAddr),
    Tls(tokio::net::TcpStream, SocketAddr, Arc<ServerTls>),
}

impl Listener {
    async fn accept(&self) -> std::io::Result<Accepted> {
        Ok(match self {
            Listener::Unix(l) => Accepted::Unix(l.accept().await?.0),
            Listener::Tcp(l) => {
                let (s, a) = l.accept().await?;
                Accepted::Tcp(s, a)
            }
            Listener::Tls(l, tls) => {
                let (s, a) = l.accept().await?;
                Accepted::Tls(s, a, tls.clone())
            }
        })
    }
}

/// Serves `router` on `listener` until `stop` fires, then waits up to `grace` for in-flight
/// requests to finish.
pub async fn serve(
    listener: Listener,
    router: Router,
    limits: ApiLimits,
    stop: CancellationToken,
    grace: Duration,
) {
    let conns = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let limits = Arc::new(limits);
    loop {
        let permit = tokio::select! {
            _ = stop.cancelled() => break,
            p = conns.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
        };
        let accepted = tokio::select! {
            _ = stop.cancelled() => break,
            a = listener.accept() => a,
        };
        let accepted = match accepted {
            Ok(a) => a,
            Err(e) => {
                // EMFILE and friends: wait a moment instead of spinning.
                tracing::warn!("API accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let (router, limits, watcher) = (router.clone(), limits.clone(), graceful.watcher());
        tokio::spawn(async move {
            connection(accepted, router, &limits, watcher).await;
            drop(permit);
        });
    }
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("API requests still running after {grace:?}; closing them");
    }
}

/// Identifies the peer (and completes the TLS handshake), then serves the connection.
async fn connection(a: Accepted, router: Router, limits: &ApiLimits, watcher: Watcher) {
    match a {
        Accepted::Unix(s) => match s.peer_cred() {
            Ok(c) => {
                let peer = Peer::Unix {
                    uid: c.uid(),
                    pid: c.pid(),
                };
                http(s, peer, router, limits, watcher).await
            }
            Err(e) => tracing::warn!("API connection without peer credentials, closed: {e}"),
        },
        Accepted::Tcp(s, remote) => {
            let _ = s.set_nodelay(true);
            let peer = Peer::Tcp {
                remote,
                certificate: None,
            };
            http(s, peer, router, limits, watcher).await
        }
        Accepted::Tls(s, remote, tls) => {
            let _ = s.set_nodelay(true);
            let Some((s, certificate)) = handshake(s, remote, &tls, limits).await else {
                return;
            };
            let peer = Peer::Tcp {
                remote,
                certificate,
            };
            http(s, peer, router, limits, watcher).await
        }
    }
}

/// The TLS handshake, within the header timeout; a client speaking plain HTTP is told so.
/// Returns the stream and the verified client certificate's subject.
async fn handshake(
    s: tokio::net::TcpStream,
    remote: SocketAddr,
    tls: &ServerTls,
    limits: &ApiLimits,
) -> Option<(
    tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
    Option<String>,
)> {
    let mut first = [0u8; 1];
    let peeked = tokio::time::timeout(limits.header_timeout, s.peek(&mut first)).await;
    if !matches!(peeked, Ok(Ok(1))) {
        return None;
    }
    // A TLS record starts with 0x16 (handshake); a plain HTTP request with a method's letter.
    if first[0].is_ascii_alphabetic() {
        plain_http_refused(s, remote).await;
        return None;
    }
    let accepted = tokio::time::timeout(limits.header_timeout, tls.acceptor().accept(s)).await;
    let stream = match accepted {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => {
            tracing::info!("TLS handshake with {remote} failed: {e}");
            return None;
        }
        Err(_) => {
            tracing::info!("TLS handshake with {remote} timed out");
            return None;
        }
    };
    let subject = stream
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .and_then(|c| crate::tls::subject_of(c));
    Some((stream, subject))
}

async fn plain_http_refused(mut s: tokio::net::TcpStream, remote: SocketAddr) {
    tracing::info!("plain HTTP from {remote} on the TLS listener: refused");
    let body = "{\"error\":\"this listener speaks HTTPS: use https:// (netkeep --url https://HOST:PORT --ca-file CA.pem)\"}";
    let answer = format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), s.write_all(answer.as_bytes())).await;
    let _ = s.shutdown().await;
}

/// Serves HTTP/1 on one connection; each request gets `peer` in its extensions.
async fn http<I>(io: I, peer: Peer, router: Router, limits: &ApiLimits, watcher: Watcher)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let svc = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(peer.clone());
        let mut r = router.clone();
        tower_service::Service::call(&mut r, req)
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        // max_buf_size alone lets a header block grow past it while the read buffer fills;
        // max_header_size is the exact bound (431 and close).
        .max_header_size(limits.max_header_bytes.max(8192))
        .max_buf_size(limits.max_header_bytes.max(8192))
        .serve_connection(TokioIo::new(io), svc);
    if let Err(e) = watcher.watch(conn).await {
        tracing::debug!("API connection ended: {e}");
    }
}
