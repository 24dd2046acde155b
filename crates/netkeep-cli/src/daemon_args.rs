//! How a client command (`exec`, `config`, `status`) finds the daemon: `--socket` for the Unix
//! socket, or `--url http://HOST:PORT --token-file F` for a loopback TCP listener, or `--url
//! https://HOST:PORT --ca-file CA [--token-file F] [--client-cert C --client-key K]` for a TLS
//! one; unset, the environment (`NETKEEP_SOCKET`, `NETKEEP_URL` + `NETKEEP_TOKEN_FILE` +
//! `NETKEEP_CA_FILE`) and the default socket. `--cluster nats://HOST:PORT` (or `NETKEEP_CLUSTER`)
//! asks a cluster over NATS instead.

use std::path::PathBuf;

use netkeep_keeper::client::{ClientError, DaemonClient, Discovery};

/// The flags every client command shares.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct DaemonArgs {
    /// The daemon's Unix socket [default: NETKEEP_SOCKET, else $XDG_RUNTIME_DIR/netkeep.sock].
    #[arg(long)]
    pub socket: Option<PathBuf>,
    /// The daemon's TCP listener (`serve --listen`): http://127.0.0.1:7878 on loopback, or
    /// https://HOST:PORT with TLS (needs --ca-file). (Without --socket and --url:
    /// NETKEEP_SOCKET, then NETKEEP_URL.)
    #[arg(long)]
    pub url: Option<String>,
    /// File holding the bearer token for --url (also NETKEEP_TOKEN_FILE).
    #[arg(long)]
    pub token_file: Option<PathBuf>,
    /// CA certificate (PEM) that signs the daemon's certificate, for an https:// --url (also
    /// NETKEEP_CA_FILE).
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    /// Client certificate (PEM chain) for a daemon that asks for one (`serve --tls-client-ca`).
    #[arg(long, requires = "client_key")]
    pub client_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    #[arg(long, requires = "client_cert")]
    pub client_key: Option<PathBuf>,
    #[command(flatten)]
    pub cluster: crate::cluster_args::ClientCluster,
}

impl DaemonArgs {
    /// The running daemon, `None` when none is found where the environment points.
    pub async fn discover(&self) -> Result<Option<DaemonClient>, ClientError> {
        if let Some(url) = &self.cluster.cluster {
            let c = &self.cluster;
            return DaemonClient::cluster(
                url,
                &c.cluster_name,
                c.cluster_creds.as_deref(),
                c.cluster_ca.as_deref(),
                self.token_file.as_deref(),
            )
            .map(Some);
        }
        DaemonClient::discover_with(&Discovery {
            socket: self.socket.clone(),
            url: self.url.clone(),
            token_file: self.token_file.clone(),
            ca_file: self.ca_file.clone(),
            client_cert: self.client_cert.clone().zip(self.client_key.clone()),
        })
        .await
    }
}
