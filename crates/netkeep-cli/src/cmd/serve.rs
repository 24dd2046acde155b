//! `netkeep serve`: keep a fleet's sessions warm and serve commands over an HTTP API.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use netkeep_keeper::connector::ssh::SshConnector;
use netkeep_keeper::daemon::{Daemon, DaemonConfig};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Inventory: one YAML file (defaults/groups/hosts) or a Nornir directory
    /// (hosts.yaml, groups.yaml, defaults.yaml).
    #[arg(long, short = 'i')]
    inventory: PathBuf,
    /// Unix socket for the API [default: $XDG_RUNTIME_DIR/netkeep.sock or ~/.netkeep/netkeep.sock].
    #[arg(long, env = "NETKEEP_SOCKET")]
    socket: Option<PathBuf>,
    /// Also serve the API on TCP (e.g. 127.0.0.1:7878); needs --token-file.
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// File holding the bearer token for --listen (at least 16 characters).
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Directory of extra or overriding platform files (`*.yaml`), as for `netkeep exec`:
    /// inventory platform names are checked against the built-in platforms plus these, and
    /// sessions load them. Overrides the inventory's `platform_dir`.
    #[arg(long, env = "NETKEEP_PLATFORM_DIR")]
    platform_dir: Option<PathBuf>,
    /// Connects in flight at once while warming and reconnecting.
    #[arg(long, default_value_t = 128)]
    connect_concurrency: usize,
    /// How long a request waits for a free session of its device (e.g. 30s).
    #[arg(long, default_value = "30s", value_parser = crate::duration::parse_duration)]
    queue_timeout: std::time::Duration,
    /// No progress bar even on a terminal.
    #[arg(long)]
    no_progress: bool,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut cfg = DaemonConfig::new(args.inventory);
    cfg.socket = args.socket;
    cfg.listen = args.listen;
    cfg.token_file = args.token_file;
    cfg.platform_dir = args.platform_dir;
    cfg.pool.connect_concurrency = args.connect_concurrency;
    cfg.pool.queue_timeout = args.queue_timeout;
    cfg.progress_bar = !args.no_progress;
    let connector = Arc::new(SshConnector::new());
    let daemon = Daemon::start(cfg, connector).await?;
    eprintln!("netkeep: serving on {}", daemon.socket_path().display());
    if let Some(a) = daemon.tcp_addr() {
        eprintln!("netkeep: serving on http://{a} (bearer token required)");
    }
    daemon.run_until_signal().await;
    Ok(ExitCode::SUCCESS)
}
