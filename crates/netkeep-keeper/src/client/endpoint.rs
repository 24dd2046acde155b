//! Where a client finds the daemon: the [`Endpoint`] kinds (Unix socket, plain TCP, TLS), the
//! flags a CLI command was given ([`Discovery`]), default socket paths, and turning a `--url`
//! with its token and CA files into an endpoint.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::ClientError;

/// Where the daemon listens. Its `Debug` output hides the token.
#[derive(Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// Unix socket path.
    Unix(PathBuf),
    /// Plain TCP `host:port` (loopback) with its bearer token.
    Tcp {
        /// `127.0.0.1:7878`
        addr: String,
        /// Bearer token.
        token: String,
    },
    /// TLS over TCP (`https://host:port`).
    Https {
        /// `host:port`; the host is also the name the server certificate must carry.
        addr: String,
        /// Bearer token; `None` when a client certificate authenticates alone.
        token: Option<String>,
        /// What to trust and what to present.
        tls: ClientTls,
    },
    /// A cluster over NATS (`--cluster URL`): any node answers.
    Nats(Box<crate::cluster::client::ClusterTarget>),
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |t: bool| if t { "<hidden>" } else { "none" };
        match self {
            Endpoint::Unix(p) => f.debug_tuple("Unix").field(p).finish(),
            Endpoint::Tcp { addr, .. } => f
                .debug_struct("Tcp")
                .field("addr", addr)
                .field("token", &hidden(true))
                .finish(),
            Endpoint::Https { addr, token, tls } => f
                .debug_struct("Https")
                .field("addr", addr)
                .field("token", &hidden(token.is_some()))
                .field("tls", tls)
                .finish(),
            Endpoint::Nats(t) => f.debug_tuple("Nats").field(t).finish(),
        }
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Unix(p) => write!(f, "unix socket {}", p.display()),
            Endpoint::Tcp { addr, .. } => write!(f, "http://{addr}"),
            Endpoint::Https { addr, .. } => write!(f, "https://{addr}"),
            Endpoint::Nats(t) => write!(f, "cluster `{}` at {}", t.name, t.url),
        }
    }
}

/// A client's TLS settings: the CA file it trusts and the client certificate it presents
/// (cheap to clone).
#[derive(Clone)]
pub struct ClientTls(Arc<TlsFiles>);

struct TlsFiles {
    ca_file: PathBuf,
    client_cert: Option<(PathBuf, PathBuf)>,
    config: Arc<rustls::ClientConfig>,
}

impl ClientTls {
    /// Reads the CA file and, when given, the client certificate chain and key files.
    pub fn new(ca_file: &Path, client_cert: Option<(&Path, &Path)>) -> Result<Self, ClientError> {
        let config = crate::tls::client_config(ca_file, client_cert)
            .map_err(|e| ClientError::Config(e.to_string()))?;
        Ok(ClientTls(Arc::new(TlsFiles {
            ca_file: ca_file.to_path_buf(),
            client_cert: client_cert.map(|(c, k)| (c.to_path_buf(), k.to_path_buf())),
            config,
        })))
    }

    /// The CA certificates (PEM) trusted to sign the daemon's certificate.
    pub fn ca_file(&self) -> &Path {
        &self.0.ca_file
    }

    /// The client certificate chain and key files, if any.
    pub fn client_cert(&self) -> Option<(&Path, &Path)> {
        self.0
            .client_cert
            .as_ref()
            .map(|(c, k)| (c.as_path(), k.as_path()))
    }

    pub(crate) fn config(&self) -> Arc<rustls::ClientConfig> {
        self.0.config.clone()
    }
}

impl PartialEq for ClientTls {
    fn eq(&self, o: &Self) -> bool {
        self.ca_file() == o.ca_file() && self.client_cert() == o.client_cert()
    }
}

impl Eq for ClientTls {}

impl std::fmt::Debug for ClientTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientTls")
            .field("ca_file", &self.ca_file())
            .field("client_cert", &self.client_cert())
            .finish()
    }
}

/// Where the CLI was told to look for the daemon (flags); unset fields fall back to the
/// environment and the default socket (see the module doc of [`crate::client`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovery {
    /// `--socket PATH`.
    pub socket: Option<PathBuf>,
    /// `--url http://HOST:PORT` or `https://HOST:PORT` (a TCP listener).
    pub url: Option<String>,
    /// `--token-file F`, the bearer token for `url` (else `NETKEEP_TOKEN_FILE`).
    pub token_file: Option<PathBuf>,
    /// `--ca-file F`, the CA that signs the daemon's certificate (else `NETKEEP_CA_FILE`).
    pub ca_file: Option<PathBuf>,
    /// `--client-cert F` and `--client-key F`, for a daemon that asks for a certificate.
    pub client_cert: Option<(PathBuf, PathBuf)>,
}

/// The default socket: `$XDG_RUNTIME_DIR/netkeep.sock`, else `~/.netkeep/netkeep.sock`.
pub fn default_socket_path() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d).join("netkeep.sock"),
        None => dirs::home_dir()
            .unwrap_or_else(|| PathBuf::from("/tmp"))
            .join(".netkeep")
            .join("netkeep.sock"),
    }
}

/// The error text for "no daemon running" (names where we looked and how to start one).
pub fn no_daemon_message() -> String {
    format!(
        "no netkeep daemon found at {} (start one with `netkeep serve --inventory FILE`, or point --socket / NETKEEP_SOCKET at it)",
        socket_path(None).display()
    )
}

/// The socket path the CLI uses: explicit, else `NETKEEP_SOCKET`, else the default.
pub fn socket_path(explicit: Option<&Path>) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| env_path("NETKEEP_SOCKET"))
        .unwrap_or_else(default_socket_path)
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The endpoint of `url` (`http://HOST:PORT`, `HOST:PORT` or `https://HOST:PORT`) with the
/// token and TLS files of `d` (or `NETKEEP_TOKEN_FILE`, `NETKEEP_CA_FILE`).
pub(super) fn tcp_endpoint(url: &str, d: &Discovery) -> Result<Endpoint, ClientError> {
    let tls = url.starts_with("https://");
    let addr = url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let token_file = d
        .token_file
        .clone()
        .or_else(|| env_path("NETKEEP_TOKEN_FILE"));
    let token = token_file.map(|tf| read_token(&tf)).transpose()?;
    if !tls {
        let token = token.ok_or_else(|| {
            ClientError::Config(format!(
                "{url} needs a bearer token: give --token-file (or NETKEEP_TOKEN_FILE)"
            ))
        })?;
        return Ok(Endpoint::Tcp { addr, token });
    }
    let ca = d.ca_file.clone().or_else(|| env_path("NETKEEP_CA_FILE")).ok_or_else(|| {
        ClientError::Config(format!(
            "{url}: give --ca-file (or NETKEEP_CA_FILE), the CA certificate that signs the daemon's certificate"
        ))
    })?;
    if token.is_none() && d.client_cert.is_none() {
        return Err(ClientError::Config(format!(
            "{url} needs a bearer token (--token-file, NETKEEP_TOKEN_FILE) or a client certificate (--client-cert, --client-key)"
        )));
    }
    let cert = d
        .client_cert
        .as_ref()
        .map(|(c, k)| (c.as_path(), k.as_path()));
    Ok(Endpoint::Https {
        addr,
        token,
        tls: ClientTls::new(&ca, cert)?,
    })
}

fn read_token(tf: &Path) -> Result<String, ClientError> {
    let token = std::fs::read_to_string(tf).map_err(|e| {
        ClientError::Config(format!("cannot read the token file {}: {e}", tf.display()))
    })?;
    Ok(token.trim().to_string())
}
