//! A client for a running `netkeep serve`, used by `netkeep exec/config/status` and usable from
//! any Rust program. It speaks the types of [`crate::wire`], the same the server answers with.
//!
//! Discovery order: an explicit `--socket PATH` or `--url http://HOST:PORT` /
//! `--url https://HOST:PORT` (token from `--token-file`, CA from `--ca-file`); `NETKEEP_SOCKET`;
//! `NETKEEP_URL` (token read from `NETKEEP_TOKEN_FILE`, CA from `NETKEEP_CA_FILE`); the default
//! socket path ([`default_socket_path`]). An explicit socket or URL that does not answer
//! is an error; the others simply mean "no daemon" so callers can fall back to a direct
//! connection.
//!
//! Wiring into `netkeep exec` (the `--socket` flag is `Option<PathBuf>`):
//! ```no_run
//! # async fn run(socket: Option<std::path::PathBuf>) -> Result<(), Box<dyn std::error::Error>> {
//! use netkeep_keeper::client::{DaemonClient, Target};
//! if let Some(daemon) = DaemonClient::discover(socket.as_deref()).await? {
//!     let resp = daemon.exec(Target::Device("core-sw1".into()), &["display clock".into()], None).await?;
//!     for r in &resp.results {
//!         for c in &r.outputs { println!("{}", c.output); }
//!     }
//!     // exit code: non-zero when !resp.ok
//! } else {
//!     // no daemon running: connect directly with netkeep::Session
//! }
//! # Ok(()) }
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde::de::DeserializeOwned;

mod endpoint;
mod over_nats;

pub use self::endpoint::{
    default_socket_path, no_daemon_message, socket_path, ClientTls, Discovery, Endpoint,
};
use crate::wire::{
    ConfigBody, DeviceResult, DeviceStatus, ErrorBody, ExecBody, ExecResponse, ReloadReport,
};

/// Which devices an exec targets (the one definition, from [`crate::select`]).
pub use crate::select::Target;

/// A failed call to the daemon.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Could not reach the daemon.
    #[error("cannot reach the netkeep daemon at {endpoint} (is `netkeep serve` running? see --socket / NETKEEP_SOCKET)")]
    Connect {
        /// Where we tried.
        endpoint: Endpoint,
        /// Why it failed.
        source: std::io::Error,
    },
    /// The daemon answered with an error status.
    #[error("netkeep daemon answered {status}: {message}")]
    Status {
        /// HTTP status.
        status: u16,
        /// The daemon's error text.
        message: String,
    },
    /// Broken exchange (connection dropped, bad JSON).
    #[error("talking to the netkeep daemon at {endpoint}: {message}")]
    Protocol {
        /// Where.
        endpoint: Endpoint,
        /// What went wrong.
        message: String,
    },
    /// `NETKEEP_TOKEN_FILE` unreadable or missing for `NETKEEP_URL`.
    #[error("{0}")]
    Config(String),
}

/// Client of one daemon. Each call opens a fresh connection (cheap on a Unix socket).
#[derive(Debug, Clone)]
pub struct DaemonClient {
    endpoint: Endpoint,
    timeout: Option<Duration>,
}

enum Stream {
    Unix(tokio::net::UnixStream),
    Tcp(tokio::net::TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<tokio::net::TcpStream>>),
}

impl DaemonClient {
    /// A client for an endpoint (no connection yet).
    pub fn new(endpoint: Endpoint) -> Self {
        DaemonClient {
            endpoint,
            timeout: None,
        }
    }

    /// A client of a cluster over NATS (`--cluster URL`): `name` is the cluster's name, `creds`
    /// a NATS credentials file, `ca` a TLS server's CA; the token (from `token_file`, else
    /// `NETKEEP_TOKEN_FILE`) names the caller to the node that answers.
    pub fn cluster(
        url: &str,
        name: &str,
        creds: Option<&Path>,
        ca: Option<&Path>,
        token_file: Option<&Path>,
    ) -> Result<DaemonClient, ClientError> {
        over_nats::cluster_endpoint(url, name, creds, ca, token_file).map(DaemonClient::new)
    }

    /// Limits each call's total time (default: none; the daemon bounds command time itself).
    pub fn with_timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Finds a running daemon (see the module doc for the order). `Ok(None)`: none running.
    pub async fn discover(
        explicit_socket: Option<&Path>,
    ) -> Result<Option<DaemonClient>, ClientError> {
        Self::discover_with(&Discovery {
            socket: explicit_socket.map(Path::to_path_buf),
            ..Discovery::default()
        })
        .await
    }

    /// Finds a running daemon: an explicit socket or URL must answer (else an error); otherwise
    /// `NETKEEP_SOCKET`, `NETKEEP_URL` (token from `NETKEEP_TOKEN_FILE`) and the default socket
    /// are tried, and `Ok(None)` means none is running.
    pub async fn discover_with(d: &Discovery) -> Result<Option<DaemonClient>, ClientError> {
        let explicit = if let Some(p) = &d.socket {
            Some(Endpoint::Unix(p.clone()))
        } else if let Some(url) = &d.url {
            Some(endpoint::tcp_endpoint(url, d)?)
        } else {
            None
        };
        if let Some(ep) = explicit {
            let c = DaemonClient::new(ep);
            c.connect().await?;
            return Ok(Some(c));
        }
        let ep = if let Some(p) = std::env::var_os("NETKEEP_SOCKET").filter(|v| !v.is_empty()) {
            Endpoint::Unix(PathBuf::from(p))
        } else if let Some(url) = std::env::var("NETKEEP_URL").ok().filter(|v| !v.is_empty()) {
            endpoint::tcp_endpoint(&url, d)?
        } else {
            Endpoint::Unix(default_socket_path())
        };
        if matches!(&ep, Endpoint::Unix(p) if !p.exists()) {
            return Ok(None);
        }
        let c = DaemonClient::new(ep);
        Ok(c.connect().await.is_ok().then_some(c))
    }

    async fn connect(&self) -> Result<Stream, ClientError> {
        let cerr = |source| ClientError::Connect {
            endpoint: self.endpoint.clone(),
            source,
        };
        match &self.endpoint {
            Endpoint::Unix(p) => tokio::net::UnixStream::connect(p)
                .await
                .map(Stream::Unix)
                .map_err(cerr),
            Endpoint::Tcp { addr, .. } => {
                let s = tokio::net::TcpStream::connect(addr).await.map_err(cerr)?;
                let _ = s.set_nodelay(true);
                Ok(Stream::Tcp(s))
            }
            Endpoint::Https { addr, tls, .. } => {
                let s = tokio::net::TcpStream::connect(addr).await.map_err(cerr)?;
                let _ = s.set_nodelay(true);
                let name = server_name(addr).map_err(|m| self.proto(m))?;
                let c = tokio_rustls::TlsConnector::from(tls.config());
                let t = c
                    .connect(name, s)
                    .await
                    .map_err(|e| self.proto(format!("TLS handshake failed: {e}")))?;
                Ok(Stream::Tls(Box::new(t)))
            }
            Endpoint::Nats(_) => Err(self.proto("a cluster is reached over NATS, not a stream")),
        }
    }

    fn proto(&self, message: impl Into<String>) -> ClientError {
        ClientError::Protocol {
            endpoint: self.endpoint.clone(),
            message: message.into(),
        }
    }

    /// Sends one request; returns status and body.
    pub async fn request_raw(
        &self,
        method: &str,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(u16, Bytes), ClientError> {
        if let Endpoint::Nats(t) = &self.endpoint {
            return over_nats::request(&self.endpoint, t, method, path, body).await;
        }
        let fut = self.request_inner(method, path, body);
        match self.timeout {
            Some(t) => tokio::time::timeout(t, fut)
                .await
                .map_err(|_| self.proto(format!("no answer within {t:?}")))?,
            None => fut.await,
        }
    }

    async fn request_inner(
        &self,
        method: &str,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(u16, Bytes), ClientError> {
        let mut b = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", "netkeep");
        let token = match &self.endpoint {
            Endpoint::Tcp { token, .. } => Some(token),
            Endpoint::Https { token, .. } => token.as_ref(),
            Endpoint::Unix(_) | Endpoint::Nats(_) => None,
        };
        if let Some(token) = token {
            b = b.header("authorization", format!("Bearer {token}"));
        }
        if body.is_some() {
            b = b.header("content-type", "application/json");
        }
        let req = b
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| self.proto(format!("bad request: {e}")))?;
        let resp = match self.connect().await? {
            Stream::Unix(s) => send(TokioIo::new(s), req).await,
            Stream::Tcp(s) => send(TokioIo::new(s), req).await,
            Stream::Tls(s) => send(TokioIo::new(s), req).await,
        }
        .map_err(|e| self.proto(e.to_string()))?;
        Ok(resp)
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T, ClientError> {
        let (status, bytes) = self.request_raw(method, path, body).await?;
        if !(200..300).contains(&status) {
            let message = serde_json::from_slice::<ErrorBody>(&bytes)
                .map(|e| e.error)
                .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned());
            return Err(ClientError::Status { status, message });
        }
        serde_json::from_slice(&bytes).map_err(|e| self.proto(format!("unexpected answer: {e}")))
    }

    /// Runs commands on a device, devices or a group.
    pub async fn exec(
        &self,
        target: Target,
        commands: &[String],
        read_timeout: Option<Duration>,
    ) -> Result<ExecResponse, ClientError> {
        let mut body = ExecBody {
            commands: commands.iter().map(|c| c.as_str().into()).collect(),
            read_timeout_ms: read_timeout.map(|d| d.as_millis() as u64),
            ..ExecBody::default()
        };
        match target {
            Target::Device(d) => body.device = Some(d),
            Target::Devices(ds) => body.devices = Some(ds),
            Target::Group(g) => body.group = Some(g),
            Target::All => {}
        }
        self.exec_body(&body).await
    }

    /// Sends a whole `POST /v1/exec` body (filter, `continue_on_error`...).
    pub async fn exec_body(&self, body: &ExecBody) -> Result<ExecResponse, ClientError> {
        let json = serde_json::to_vec(body).map_err(|e| self.proto(e.to_string()))?;
        self.call("POST", "/v1/exec", Some(json)).await
    }

    /// Runs a configuration set on one device (changes a two-stage platform does not commit
    /// are dropped: see [`DaemonClient::config_body`] to commit, check or save).
    pub async fn config(
        &self,
        device: &str,
        lines: &[String],
    ) -> Result<DeviceResult, ClientError> {
        self.config_body(&ConfigBody {
            device: device.to_string(),
            lines: lines.to_vec(),
            ..ConfigBody::default()
        })
        .await
    }

    /// Sends a whole `POST /v1/config` body (commit, confirm, comment, check, save).
    pub async fn config_body(&self, body: &ConfigBody) -> Result<DeviceResult, ClientError> {
        let json = serde_json::to_vec(body).map_err(|e| self.proto(e.to_string()))?;
        self.call("POST", "/v1/config", Some(json)).await
    }

    /// Status of every device.
    pub async fn status(&self) -> Result<Vec<DeviceStatus>, ClientError> {
        self.call("GET", "/v1/sessions", None).await
    }

    /// Every node and every device with its owner (`GET /v1/cluster`; 404 from a daemon that
    /// is not a cluster node).
    pub async fn cluster_status(&self) -> Result<crate::wire::ClusterStatus, ClientError> {
        self.call("GET", "/v1/cluster", None).await
    }

    /// Asks the daemon to re-read its inventory.
    pub async fn reload(&self) -> Result<ReloadReport, ClientError> {
        self.call("POST", "/v1/reload", None).await
    }
}

/// The name the daemon's certificate must carry: the host of `host:port` (a DNS name or an IP
/// address, `[::1]` without its brackets).
fn server_name(addr: &str) -> Result<rustls::pki_types::ServerName<'static>, String> {
    let host = match addr.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h,
        _ => addr,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| format!("`{host}` is not a host name or address for TLS: {e}"))
}

async fn send<I>(io: I, req: hyper::Request<Full<Bytes>>) -> Result<(u16, Bytes), hyper::Error>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut tx, conn) = hyper::client::conn::http1::handshake(io).await?;
    let driver = tokio::spawn(conn);
    let resp = tx.send_request(req).await?;
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await?.to_bytes();
    drop(tx);
    driver.abort();
    Ok((status, body))
}
