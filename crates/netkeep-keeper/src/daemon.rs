//! `netkeep serve`: binds the API (Unix socket; optional TCP, TLS unless on loopback), sets up
//! who may use it and the audit log, warms the fleet, reloads on SIGHUP and stops gracefully
//! on SIGTERM / Ctrl-C / `POST /v1/shutdown`.
//!
//! | file | job |
//! |---|---|
//! | `daemon/listeners.rs` | the Unix socket, the TCP/TLS listener, the loopback rule, the token file |
//! | `daemon/security.rs` | access policy, TLS and audit log from the configuration; their reload |
//! | `daemon/signals.rs` | the signal table |
//! | `daemon/warm.rs` | the open-file limit, warming with progress |
//! | `daemon/cluster.rs` | `--cluster`: the node, the dispatching router |
//!
//! ```no_run
//! # async fn demo() -> Result<(), netkeep_keeper::daemon::DaemonError> {
//! use std::sync::Arc;
//! use netkeep_keeper::daemon::{Daemon, DaemonConfig};
//! let cfg = DaemonConfig::new("netkeep.yaml");
//! let daemon = Daemon::start(cfg, Arc::new(netkeep_keeper::connector::ssh::SshConnector::new())).await?;
//! daemon.run_until_signal().await;
//! # Ok(()) }
//! ```

mod cluster;
mod heap_trim;
mod listeners;
mod malloc_arenas;
mod security;
mod signals;
mod warm;

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use self::heap_trim::trim_free_pages;
pub use self::listeners::{bind_unix_socket, bind_unix_socket_with_mode};
pub use self::malloc_arenas::limit_malloc_arenas;
use self::signals::{signal_streams, OnSignal};
pub use self::warm::raise_nofile_limit;
use crate::api::{self, ApiLimits, Security};
use crate::cluster::{ClusterConfig, ClusterError, Node};
use crate::connector::Connector;
use crate::inventory::{Inventory, InventoryError, LoadOptions};
use crate::listen::Listener;
use crate::pool::{Pool, PoolOptions};
use crate::tls::TlsFiles;
use crate::wire::ReloadReport;

/// Everything `netkeep serve` is configured with.
#[derive(Debug, Clone)]
pub struct DaemonConfig {
    /// Inventory file or Nornir directory.
    pub inventory: PathBuf,
    /// Unix socket; `None` = `NETKEEP_SOCKET` or the default path.
    pub socket: Option<PathBuf>,
    /// The Unix socket's permission bits (default `0o600`: the daemon's own user only).
    pub socket_mode: u32,
    /// Optional TCP listener (needs a token, tokens in the access file, or client certificates;
    /// TLS unless the address is loopback).
    pub listen: Option<SocketAddr>,
    /// Bearer token file for the TCP listener (one token, scope `admin`).
    pub token_file: Option<PathBuf>,
    /// TLS for the TCP listener (`--tls-cert`, `--tls-key`, `--tls-client-ca`).
    pub tls: Option<TlsFiles>,
    /// The access file: named tokens, users, certificates, audit settings (`--access`).
    pub access_file: Option<PathBuf>,
    /// The audit log file (`--audit-log`); overrides the access file's `audit.file`.
    pub audit_log: Option<PathBuf>,
    /// Refuse commands while the audit log cannot be written (`--audit-required`).
    pub audit_required: bool,
    /// Directory of user platform files (`--platform-dir`); overrides the inventory's
    /// `platform_dir`.
    pub platform_dir: Option<PathBuf>,
    /// The OpenSSH client configuration the inventory is read with (`--ssh-config`).
    pub ssh_config: crate::inventory::SshConfigSource,
    /// Pool tunables.
    pub pool: PoolOptions,
    /// API bounds.
    pub limits: ApiLimits,
    /// Progress bar when stderr is a terminal (log lines otherwise).
    pub progress_bar: bool,
    /// Time in-flight requests get at shutdown.
    pub shutdown_grace: Duration,
    /// Join a cluster over NATS (`--cluster`): keep only this node's shards.
    pub cluster: Option<ClusterConfig>,
}

impl DaemonConfig {
    /// Defaults for an inventory path.
    pub fn new(inventory: impl Into<PathBuf>) -> Self {
        DaemonConfig {
            inventory: inventory.into(),
            socket: None,
            socket_mode: 0o600,
            listen: None,
            token_file: None,
            tls: None,
            access_file: None,
            audit_log: None,
            audit_required: false,
            platform_dir: None,
            ssh_config: crate::inventory::SshConfigSource::InventoryOnly,
            pool: PoolOptions::default(),
            limits: ApiLimits::default(),
            progress_bar: true,
            shutdown_grace: Duration::from_secs(30),
            cluster: None,
        }
    }
}

/// Why the daemon did not start.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// Bad inventory: the daemon does not start. (Not a `source`: the message already holds
    /// the inventory error, and error reporters would print it twice.)
    #[error("inventory: {0}")]
    Inventory(InventoryError),
    /// `--listen` without any way to authenticate a TCP caller.
    #[error("refusing to listen on TCP {0} without --token-file (or tokens or certificates in --access): anyone who can reach the port could run commands on your devices")]
    TcpWithoutToken(SocketAddr),
    /// `--listen` on a non-loopback address without TLS (refused before binding).
    #[error("refusing to listen on {0} without TLS: bearer tokens would cross the network in clear text; give --tls-cert and --tls-key, or listen on loopback (127.0.0.1, ::1)")]
    PlainTcpNotLoopback(SocketAddr),
    /// Token file unreadable or empty.
    #[error("token file {path}: {message}")]
    Token {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The access file cannot be used.
    #[error("{0}")]
    Access(crate::access_file::AccessFileError),
    /// A TLS file cannot be used.
    #[error("{0}")]
    Tls(crate::tls::TlsError),
    /// The audit log cannot be opened.
    #[error("{0}")]
    Audit(crate::audit::AuditError),
    /// Another daemon answers on the socket.
    #[error("another netkeep daemon is already listening on {0}; stop it or use --socket")]
    AlreadyRunning(PathBuf),
    /// The cluster could not be joined.
    #[error("{0}")]
    Cluster(ClusterError),
    /// Socket or TCP bind failure.
    #[error("cannot listen on {what}: {source}")]
    Bind {
        /// Address or path.
        what: String,
        /// OS error.
        source: std::io::Error,
    },
}

impl From<InventoryError> for DaemonError {
    fn from(e: InventoryError) -> Self {
        DaemonError::Inventory(e)
    }
}

/// Serves the API on one listener until `stop`.
fn spawn_server(
    listener: Listener,
    router: axum::Router,
    cfg: &DaemonConfig,
    stop: &CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(crate::listen::serve(
        listener,
        router,
        cfg.limits.clone(),
        stop.clone(),
        cfg.shutdown_grace,
    ))
}

/// A running daemon.
pub struct Daemon {
    pool: Pool,
    socket: PathBuf,
    tcp: Option<SocketAddr>,
    tls: bool,
    inventory: PathBuf,
    load: LoadOptions,
    stop: CancellationToken,
    servers: Vec<JoinHandle<()>>,
    warm: Option<JoinHandle<(usize, usize)>>,
    grace: Duration,
    security: Security,
    reloader: Arc<security::Reloader>,
    node: Option<Node>,
}

impl Daemon {
    /// Loads the inventory, sets up access, TLS and the audit log, binds the listeners and
    /// starts warming in the background.
    pub async fn start(
        cfg: DaemonConfig,
        connector: Arc<dyn Connector>,
    ) -> Result<Daemon, DaemonError> {
        match raise_nofile_limit() {
            Ok((old, new)) => tracing::info!("open-file limit raised from {old} to {new}"),
            Err(e) => tracing::warn!("could not raise the open-file limit: {e}"),
        }
        let load = LoadOptions {
            platform_dir: cfg.platform_dir.clone(),
            ssh_config: cfg.ssh_config.clone(),
        };
        let inv = Inventory::load_with(&cfg.inventory, &load)?;
        for w in &inv.warnings {
            tracing::warn!("{w}");
        }
        let guarded = security::set_up(&cfg)?;
        let (socket, unix, tcp_listener) =
            listeners::bind_listeners(&cfg, guarded.tls.clone()).await?;
        let tcp = tcp_listener.as_ref().map(|(_, a)| *a);
        let n = inv.devices.len();
        if let Some(d) = &inv.platform_dir {
            tracing::info!("user platform files from {}", d.display());
        }
        let (pool, node) = cluster::pool_and_node(&cfg, inv, &load, connector).await?;
        let stop = CancellationToken::new();
        let router = cluster::router(&cfg, &pool, node.as_ref(), &load, &guarded.security);
        let mut servers = vec![spawn_server(unix, router.clone(), &cfg, &stop)];
        if let Some((l, _)) = tcp_listener {
            servers.push(spawn_server(l, router, &cfg, &stop));
        }
        tracing::info!(devices = n, socket = %socket.display(), tcp = ?tcp, tls = guarded.tls.is_some(), "netkeep daemon listening");
        // Ends with `stop`; nothing waits on it.
        drop(heap_trim::spawn(heap_trim::TRIM_EVERY, stop.clone()));
        let warm = {
            let p = pool.clone();
            let bar = cfg.progress_bar && std::io::stderr().is_terminal();
            Some(tokio::spawn(async move {
                warm::warm_with_progress(&p, bar).await
            }))
        };
        Ok(Daemon {
            pool,
            socket,
            tcp,
            tls: guarded.tls.is_some(),
            inventory: cfg.inventory,
            load,
            stop,
            servers,
            warm,
            grace: cfg.shutdown_grace,
            security: guarded.security,
            reloader: guarded.reloader,
            node,
        })
    }

    /// The session pool.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The Unix socket path.
    pub fn socket_path(&self) -> &Path {
        &self.socket
    }

    /// The TCP address actually bound, if any.
    pub fn tcp_addr(&self) -> Option<SocketAddr> {
        self.tcp
    }

    /// The TCP listener's URL (`https://127.0.0.1:7878` with TLS, else `http://...`), if any.
    pub fn tcp_url(&self) -> Option<String> {
        let scheme = if self.tls { "https" } else { "http" };
        self.tcp.map(|a| format!("{scheme}://{a}"))
    }

    /// Re-reads the access file, the token file and the TLS files (as SIGHUP does); on error
    /// the previous version of each stays in force.
    pub fn reload_security(&self) -> Result<(), String> {
        self.reloader.reload()
    }

    /// Resolves once `POST /v1/shutdown` asked the daemon to stop.
    pub async fn shutdown_requested(&self) {
        self.security.shutdown.cancelled().await
    }

    /// Waits for the start-up warm-up; returns (connected, failed).
    pub async fn wait_warm(&mut self) -> (usize, usize) {
        match self.warm.take() {
            Some(h) => h.await.unwrap_or((0, 0)),
            None => (0, 0),
        }
    }

    /// The cluster node, with `--cluster`.
    pub fn node(&self) -> Option<&Node> {
        self.node.as_ref()
    }

    /// Re-reads the inventory (as SIGHUP does); a cluster node asks every other node to re-read
    /// theirs.
    pub async fn reload(&self) -> Result<ReloadReport, InventoryError> {
        match &self.node {
            Some(n) => {
                let inv = api::load_inventory(&self.inventory, &self.load).await?;
                Ok(crate::dispatch::Dispatch::reload(n, inv).await)
            }
            None => api::reload_from(&self.pool, &self.inventory, &self.load).await,
        }
    }

    /// Stops accepting, lets in-flight requests finish, logs out of every device, removes the
    /// socket.
    pub async fn stop(mut self) {
        tracing::info!("stopping: finishing in-flight requests");
        self.stop.cancel();
        if let Some(w) = self.warm.take() {
            w.abort();
        }
        for s in self.servers.drain(..) {
            let _ = s.await;
        }
        if let Some(n) = &self.node {
            n.leave(self.grace).await;
        }
        self.pool.shutdown(self.grace).await;
        let _ = std::fs::remove_file(&self.socket);
        tracing::info!("stopped");
    }

    /// Serves until SIGTERM, SIGINT, SIGQUIT or `POST /v1/shutdown` (then [`Daemon::stop`],
    /// which logs out of every device); SIGHUP reloads the inventory, the access file and the
    /// TLS files; SIGUSR1 and SIGUSR2 log a one-line summary of the
    /// fleet; SIGALRM, SIGVTALRM, SIGPROF and SIGIO, which would end the process by default, are
    /// logged and ignored. None of them kills the daemon without logging out.
    pub async fn run_until_signal(self) {
        let mut streams = match signal_streams() {
            Ok(s) => s,
            Err(e) => {
                tracing::error!("{e}; stopping");
                self.stop().await;
                return;
            }
        };
        loop {
            let next = futures::future::select_all(streams.iter_mut().map(|(name, act, s)| {
                Box::pin(async move { s.recv().await.map(|_| (*name, *act)) })
            }));
            let next = tokio::select! {
                n = next => n.0,
                _ = self.security.shutdown.cancelled() => {
                    tracing::info!("shutdown requested over the API: stopping");
                    break;
                }
            };
            match next {
                Some((_, OnSignal::Reload)) => self.reload_on_signal().await,
                Some((name, OnSignal::Summary)) => tracing::info!("{name}: {}", self.summary()),
                Some((name, OnSignal::Ignore)) => tracing::info!("{name} ignored"),
                Some((name, OnSignal::Stop)) => {
                    tracing::info!("{name}: stopping");
                    break;
                }
                None => break,
            }
        }
        self.stop().await;
    }

    async fn reload_on_signal(&self) {
        match self.reload().await {
            Ok(r) => tracing::info!(
                "SIGHUP: inventory reloaded: {} added, {} removed, {} changed, {} unchanged",
                r.added.len(),
                r.removed.len(),
                r.changed.len(),
                r.unchanged
            ),
            Err(e) => {
                tracing::error!("SIGHUP: inventory not reloaded, keeping the previous one: {e}")
            }
        }
        if let Err(e) = self.reload_security() {
            tracing::error!("SIGHUP: {e}");
        }
    }

    /// One line about the fleet: devices per state, sessions open and in use, requests queued.
    pub fn summary(&self) -> String {
        let st = self.pool.status();
        let mut by_state = std::collections::BTreeMap::new();
        for d in &st {
            *by_state.entry(d.state.as_str()).or_insert(0usize) += 1;
        }
        let states: Vec<String> = by_state.iter().map(|(s, n)| format!("{n} {s}")).collect();
        let sum = |f: fn(&crate::wire::DeviceStatus) -> usize| st.iter().map(f).sum::<usize>();
        format!(
            "{} devices ({}); {} sessions open, {} in use, {} requests queued",
            st.len(),
            states.join(", "),
            sum(|d| d.sessions),
            sum(|d| d.in_use),
            sum(|d| d.queued)
        )
    }
}
