//! `netkeep serve`: binds the API (Unix socket, optional token-protected TCP), warms the fleet,
//! reloads on SIGHUP and stops gracefully on SIGTERM / Ctrl-C.
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

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::api::{self, ApiLimits};
use crate::connector::Connector;
use crate::inventory::{Inventory, InventoryError, LoadOptions};
use crate::pool::{Pool, PoolOptions};
use crate::wire::ReloadReport;

/// Everything `netkeep serve` is configured with.
#[derive(Debug, Clone)]
pub struct DaemonConfig {
    /// Inventory file or Nornir directory.
    pub inventory: PathBuf,
    /// Unix socket; `None` = `NETKEEP_SOCKET` or the default path.
    pub socket: Option<PathBuf>,
    /// Optional TCP listener (needs `token_file`).
    pub listen: Option<SocketAddr>,
    /// Bearer token file for the TCP listener.
    pub token_file: Option<PathBuf>,
    /// Directory of user platform files (`--platform-dir`); overrides the inventory's
    /// `platform_dir`.
    pub platform_dir: Option<PathBuf>,
    /// Pool tunables.
    pub pool: PoolOptions,
    /// API bounds.
    pub limits: ApiLimits,
    /// Progress bar when stderr is a terminal (log lines otherwise).
    pub progress_bar: bool,
    /// Time in-flight requests get at shutdown.
    pub shutdown_grace: Duration,
}

impl DaemonConfig {
    /// Defaults for an inventory path.
    pub fn new(inventory: impl Into<PathBuf>) -> Self {
        DaemonConfig {
            inventory: inventory.into(),
            socket: None,
            listen: None,
            token_file: None,
            platform_dir: None,
            pool: PoolOptions::default(),
            limits: ApiLimits::default(),
            progress_bar: true,
            shutdown_grace: Duration::from_secs(30),
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
    /// `--listen` without `--token-file`.
    #[error("refusing to listen on TCP {0} without --token-file: anyone who can reach the port could run commands on your devices")]
    TcpWithoutToken(SocketAddr),
    /// Token file unreadable or empty.
    #[error("token file {path}: {message}")]
    Token {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Another daemon answers on the socket.
    #[error("another netkeep daemon is already listening on {0}; stop it or use --socket")]
    AlreadyRunning(PathBuf),
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

/// Raises the soft open-file limit to the hard limit (each session is a socket). Returns
/// (old soft limit, new soft limit).
#[allow(clippy::unnecessary_cast)] // rlim_t is not u64 everywhere
pub fn raise_nofile_limit() -> std::io::Result<(u64, u64)> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read/write the struct we pass.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let old = lim.rlim_cur as u64;
    if lim.rlim_cur < lim.rlim_max {
        lim.rlim_cur = lim.rlim_max;
        // SAFETY: as above.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok((old, lim.rlim_cur as u64))
}

/// Binds a Unix socket readable only by the owner: parent directory created 0700 when we
/// create it, socket 0600 (created under umask 0177, so there is no window where it is open).
/// A stale socket file is replaced; a live one (another daemon) is an error.
pub fn bind_unix_socket(path: &Path) -> Result<tokio::net::UnixListener, DaemonError> {
    let bind_err = |source| DaemonError::Bind {
        what: path.display().to_string(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.exists() {
            std::fs::create_dir_all(parent).map_err(bind_err)?;
            std::fs::set_permissions(parent, std::fs::Permissions::from_mode(0o700))
                .map_err(bind_err)?;
        }
    }
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(bind_err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "a file that is not a socket is in the way; not removing it",
            )));
        }
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(DaemonError::AlreadyRunning(path.to_path_buf()));
        }
        std::fs::remove_file(path).map_err(bind_err)?;
    }
    // SAFETY: umask only changes this process's file creation mask; restored right after.
    let old = unsafe { libc::umask(0o177) };
    let r = tokio::net::UnixListener::bind(path);
    // SAFETY: as above.
    unsafe { libc::umask(old) };
    let l = r.map_err(bind_err)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(bind_err)?;
    Ok(l)
}

fn read_token(path: &Path) -> Result<String, DaemonError> {
    let terr = |message: String| DaemonError::Token {
        path: path.to_path_buf(),
        message,
    };
    let t = std::fs::read_to_string(path).map_err(|e| terr(format!("cannot read: {e}")))?;
    let t = t.trim().to_string();
    if t.len() < 16 {
        return Err(terr("the token must be at least 16 characters".into()));
    }
    if let Ok(m) = std::fs::metadata(path) {
        if m.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                "token file {} is readable by other users; chmod 600 it",
                path.display()
            );
        }
    }
    Ok(t)
}

/// The TCP listener and its bearer token.
type TcpListener = (tokio::net::TcpListener, String);

/// Binds the Unix socket and, with `--listen`, the token-protected TCP listener (refused
/// without a token file). Returns the socket path with both listeners.
async fn bind_listeners(
    cfg: &DaemonConfig,
) -> Result<(PathBuf, tokio::net::UnixListener, Option<TcpListener>), DaemonError> {
    let token = match (&cfg.listen, &cfg.token_file) {
        (Some(addr), None) => return Err(DaemonError::TcpWithoutToken(*addr)),
        (Some(_), Some(f)) => Some(read_token(f)?),
        _ => None,
    };
    let socket = crate::client::socket_path(cfg.socket.as_deref());
    let unix = bind_unix_socket(&socket)?;
    let (Some(addr), Some(token)) = (cfg.listen, token) else {
        return Ok((socket, unix, None));
    };
    if !addr.ip().is_loopback() {
        tracing::warn!(
            "listening on non-loopback {addr}: the token is sent in clear text over HTTP"
        );
    }
    let tcp = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| DaemonError::Bind {
            what: addr.to_string(),
            source,
        })?;
    Ok((socket, unix, Some((tcp, token))))
}

/// Serves the API on one listener until `stop`.
fn spawn_server<L: axum::serve::Listener>(
    listener: L,
    router: axum::Router,
    cfg: &DaemonConfig,
    stop: &CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(api::serve(
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
    inventory: PathBuf,
    load: LoadOptions,
    stop: CancellationToken,
    servers: Vec<JoinHandle<()>>,
    warm: Option<JoinHandle<(usize, usize)>>,
    grace: Duration,
}

impl Daemon {
    /// Loads the inventory, binds the listeners and starts warming in the background.
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
        };
        let inv = Inventory::load_with(&cfg.inventory, &load)?;
        for w in &inv.warnings {
            tracing::warn!("{w}");
        }
        let (socket, unix, tcp_listener) = bind_listeners(&cfg).await?;
        let tcp = tcp_listener.as_ref().and_then(|(l, _)| l.local_addr().ok());
        let n = inv.devices.len();
        if let Some(d) = &inv.platform_dir {
            tracing::info!("user platform files from {}", d.display());
        }
        let pool = Pool::new(inv, connector, cfg.pool.clone());
        let stop = CancellationToken::new();
        let router = api::router(
            pool.clone(),
            cfg.inventory.clone(),
            load.clone(),
            cfg.limits.clone(),
        );
        let mut servers = vec![spawn_server(unix, router.clone(), &cfg, &stop)];
        if let Some((l, token)) = tcp_listener {
            let r = api::require_token(router, token);
            servers.push(spawn_server(l, r, &cfg, &stop));
        }
        tracing::info!(devices = n, socket = %socket.display(), tcp = ?tcp, "netkeep daemon listening");
        let warm = {
            let p = pool.clone();
            let bar = cfg.progress_bar && std::io::stderr().is_terminal();
            Some(tokio::spawn(
                async move { warm_with_progress(&p, bar).await },
            ))
        };
        Ok(Daemon {
            pool,
            socket,
            tcp,
            inventory: cfg.inventory,
            load,
            stop,
            servers,
            warm,
            grace: cfg.shutdown_grace,
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

    /// Waits for the start-up warm-up; returns (connected, failed).
    pub async fn wait_warm(&mut self) -> (usize, usize) {
        match self.warm.take() {
            Some(h) => h.await.unwrap_or((0, 0)),
            None => (0, 0),
        }
    }

    /// Re-reads the inventory (as SIGHUP does).
    pub async fn reload(&self) -> Result<ReloadReport, InventoryError> {
        api::reload_from(&self.pool, &self.inventory, &self.load).await
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
        self.pool.shutdown(self.grace).await;
        let _ = std::fs::remove_file(&self.socket);
        tracing::info!("stopped");
    }

    /// Serves until SIGTERM, SIGINT or SIGQUIT (then [`Daemon::stop`], which logs out of every
    /// device); SIGHUP reloads the inventory; SIGUSR1 and SIGUSR2 log a one-line summary of the
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
            match next.await.0 {
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

/// What the daemon does on a signal.
#[derive(Clone, Copy)]
enum OnSignal {
    Reload,
    Stop,
    Summary,
    Ignore,
}

/// A signal's name, what it does, and its stream.
type SignalStream = (&'static str, OnSignal, tokio::signal::unix::Signal);

/// Installs the daemon's handlers: every signal whose default action would end the process is
/// either acted on or ignored with a log line.
fn signal_streams() -> Result<Vec<SignalStream>, String> {
    use tokio::signal::unix::{signal, SignalKind};
    let table = [
        ("SIGHUP", SignalKind::hangup(), OnSignal::Reload),
        ("SIGTERM", SignalKind::terminate(), OnSignal::Stop),
        ("SIGINT", SignalKind::interrupt(), OnSignal::Stop),
        ("SIGQUIT", SignalKind::quit(), OnSignal::Stop),
        ("SIGUSR1", SignalKind::user_defined1(), OnSignal::Summary),
        ("SIGUSR2", SignalKind::user_defined2(), OnSignal::Summary),
        ("SIGALRM", SignalKind::alarm(), OnSignal::Ignore),
        (
            "SIGVTALRM",
            SignalKind::from_raw(libc::SIGVTALRM),
            OnSignal::Ignore,
        ),
        (
            "SIGPROF",
            SignalKind::from_raw(libc::SIGPROF),
            OnSignal::Ignore,
        ),
        ("SIGIO", SignalKind::io(), OnSignal::Ignore),
    ];
    table
        .into_iter()
        .map(|(name, kind, act)| {
            signal(kind)
                .map(|s| (name, act, s))
                .map_err(|e| format!("cannot install a handler for {name} ({e})"))
        })
        .collect()
}

async fn warm_with_progress(pool: &Pool, bar: bool) -> (usize, usize) {
    let t0 = Instant::now();
    let pb = bar.then(|| {
        let pb = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "warming {bar:40} {pos}/{len} sessions {elapsed}",
        ) {
            pb.set_style(style);
        }
        pb
    });
    let last_log = std::sync::Mutex::new(Instant::now());
    let (ok, failed) = pool
        .warm(|done, total| {
            if let Some(pb) = &pb {
                pb.set_length(total as u64);
                pb.set_position(done as u64);
            } else {
                // Log lines at most every 2 s: bounded output for 10,000 devices.
                let mut l = last_log.lock().unwrap_or_else(|p| p.into_inner());
                if l.elapsed() >= Duration::from_secs(2) {
                    *l = Instant::now();
                    tracing::info!("warming: {done}/{total}");
                }
            }
        })
        .await;
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    tracing::info!(
        "warm: {ok} sessions up, {failed} failed, in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    (ok, failed)
}
