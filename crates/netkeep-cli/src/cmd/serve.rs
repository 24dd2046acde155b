//! `netkeep serve`: keep a fleet's sessions warm and serve commands over an HTTP API.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use netkeep_keeper::connector::ssh::SshConnector;
use netkeep_keeper::daemon::{Daemon, DaemonConfig};
use netkeep_keeper::tls::TlsFiles;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Inventory: one YAML file (defaults/groups/hosts) or a Nornir directory
    /// (hosts.yaml, groups.yaml, defaults.yaml).
    #[arg(long, short = 'i')]
    inventory: PathBuf,
    /// Unix socket for the API [default: $XDG_RUNTIME_DIR/netkeep.sock or ~/.netkeep/netkeep.sock].
    #[arg(long, env = "NETKEEP_SOCKET")]
    socket: Option<PathBuf>,
    /// The Unix socket's permission bits, octal (0660 lets a group connect; each caller also
    /// needs a scope under `users:` in --access).
    #[arg(long, default_value = "0600", value_parser = parse_mode)]
    socket_mode: u32,
    /// Also serve the API on TCP (e.g. 127.0.0.1:7878); needs --token-file, or tokens or
    /// certificates in --access. A non-loopback address needs --tls-cert and --tls-key.
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// File holding a bearer token for --listen (at least 16 characters; scope admin).
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// TLS certificate chain (PEM) for --listen; re-read on SIGHUP.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The TLS certificate's private key (PEM); re-read on SIGHUP.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// CA certificate(s) (PEM) for client certificates: TLS clients must present one it signed.
    #[arg(long, requires = "tls_cert")]
    tls_client_ca: Option<PathBuf>,
    /// Access file (YAML): named tokens with scopes, Unix users and client certificates with
    /// scopes, audit log settings; re-read on SIGHUP.
    #[arg(long, env = "NETKEEP_ACCESS_FILE")]
    access: Option<PathBuf>,
    /// Audit log (JSON lines, one record per command); overrides the access file's audit.file.
    #[arg(long, env = "NETKEEP_AUDIT_LOG")]
    audit_log: Option<PathBuf>,
    /// Refuse to run commands while the audit log cannot be written.
    #[arg(long)]
    audit_required: bool,
    /// Directory of extra or overriding platform files (`*.yaml`), as for `netkeep exec`:
    /// inventory platform names are checked against the built-in platforms plus these, and
    /// sessions load them. Overrides the inventory's `platform_dir`.
    #[arg(long, env = "NETKEEP_PLATFORM_DIR")]
    platform_dir: Option<PathBuf>,
    /// OpenSSH client configuration the inventory's hosts are read with (HostName, Port, User,
    /// IdentityFile, ProxyJump, ProxyCommand, ...); `none` reads none [default: the inventory's
    /// `ssh_config_file`, else ~/.ssh/config when it exists].
    #[arg(long, value_name = "FILE|none", env = "NETKEEP_SSH_CONFIG")]
    ssh_config: Option<String>,
    /// Connects in flight at once while warming and reconnecting.
    #[arg(long, default_value_t = 128)]
    connect_concurrency: usize,
    /// How long a request waits for a free session of its device (e.g. 30s).
    #[arg(long, default_value = "30s", value_parser = crate::duration::parse_duration)]
    queue_timeout: std::time::Duration,
    /// No progress bar even on a terminal.
    #[arg(long)]
    no_progress: bool,
    #[command(flatten)]
    cluster: crate::cluster_args::ServeCluster,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut cfg = DaemonConfig::new(args.inventory);
    cfg.socket = args.socket;
    cfg.socket_mode = args.socket_mode;
    cfg.listen = args.listen;
    cfg.token_file = args.token_file;
    cfg.tls = args.tls_cert.zip(args.tls_key).map(|(cert, key)| TlsFiles {
        cert,
        key,
        client_ca: args.tls_client_ca,
    });
    cfg.access_file = args.access;
    cfg.audit_log = args.audit_log;
    cfg.audit_required = args.audit_required;
    cfg.platform_dir = args.platform_dir;
    cfg.ssh_config = crate::reach::source(args.ssh_config.as_deref());
    cfg.pool.connect_concurrency = args.connect_concurrency;
    cfg.pool.queue_timeout = args.queue_timeout;
    cfg.progress_bar = !args.no_progress;
    cfg.cluster = args.cluster.config()?;
    let connector = Arc::new(SshConnector::new());
    let daemon = Daemon::start(cfg, connector).await?;
    eprintln!("netkeep: serving on {}", daemon.socket_path().display());
    if let Some(n) = daemon.node() {
        eprintln!("netkeep: cluster node `{}`", n.name());
    }
    if let Some(url) = daemon.tcp_url() {
        eprintln!("netkeep: serving on {url} (authentication required)");
    }
    daemon.run_until_signal().await;
    Ok(ExitCode::SUCCESS)
}

/// An octal permission mode (`0660`, `660`), at most 0777.
fn parse_mode(s: &str) -> Result<u32, String> {
    u32::from_str_radix(s.trim_start_matches("0o"), 8)
        .ok()
        .filter(|m| *m <= 0o777)
        .ok_or_else(|| format!("bad mode `{s}`: expected octal permission bits like 0600 or 0660"))
}
