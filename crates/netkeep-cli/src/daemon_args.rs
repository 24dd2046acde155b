//! How a client command (`exec`, `config`, `status`) finds the daemon: `--socket` for the Unix
//! socket, or `--url http://HOST:PORT --token-file F` for a TCP listener; unset, the
//! environment (`NETKEEP_SOCKET`, `NETKEEP_URL` + `NETKEEP_TOKEN_FILE`) and the default socket.

use std::path::PathBuf;

use netkeep_keeper::client::{ClientError, DaemonClient, Discovery};

/// The flags every client command shares.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct DaemonArgs {
    /// The daemon's Unix socket [default: NETKEEP_SOCKET, else $XDG_RUNTIME_DIR/netkeep.sock].
    #[arg(long)]
    pub socket: Option<PathBuf>,
    /// The daemon's TCP listener (`serve --listen`), e.g. http://127.0.0.1:7878; needs
    /// --token-file. (Without --socket and --url: NETKEEP_SOCKET, then NETKEEP_URL.)
    #[arg(long)]
    pub url: Option<String>,
    /// File holding the bearer token for --url (also NETKEEP_TOKEN_FILE).
    #[arg(long)]
    pub token_file: Option<PathBuf>,
}

impl DaemonArgs {
    /// The running daemon, `None` when none is found where the environment points.
    pub async fn discover(&self) -> Result<Option<DaemonClient>, ClientError> {
        DaemonClient::discover_with(&Discovery {
            socket: self.socket.clone(),
            url: self.url.clone(),
            token_file: self.token_file.clone(),
        })
        .await
    }
}
