//! Shared harness for netkeep's cross-crate reliability tests: a [`Lab`] of simulated devices
//! behind a real [`Daemon`], a [`RecordingConnector`] that timestamps every connect attempt,
//! raw HTTP over the daemon's Unix socket for abuse tests, and network-namespace helpers
//! ([`netns`]) for tests under `tc netem` delay and loss.
//!
//! ```no_run
//! # async fn demo() {
//! use netkeep_reliability::{Lab, HostSpec};
//! let lab = Lab::start(vec![HostSpec::comware("sw1")], |_| {}).await;
//! let c = lab.client();
//! let st = c.status().await.unwrap();
//! assert_eq!(st[0].device, "sw1");
//! lab.stop().await;
//! # }
//! ```

pub mod fuzz;
pub mod netns;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use netkeep_keeper::client::{DaemonClient, Endpoint};
use netkeep_keeper::connector::ssh::SshConnector;
use netkeep_keeper::connector::{BoxFut, Connector, DeviceSession, ErrorKind, SessionError};
use netkeep_keeper::daemon::{Daemon, DaemonConfig};
use netkeep_keeper::inventory::DeviceSpec;
use netkeep_keeper::pool::PoolOptions;
use netkeep_keeper::wire::DeviceStatus;
use netkeep_sim::{DeviceConfig, SimDevice};

/// One simulated device and its inventory line.
#[derive(Debug, Clone)]
pub struct HostSpec {
    /// Inventory name.
    pub name: String,
    /// Simulator settings.
    pub sim: DeviceConfig,
    /// Extra inventory settings for the host, YAML flow-mapping entries (`"max_sessions: 2"`).
    pub extra: String,
}

impl HostSpec {
    /// An `hp_comware` device with the simulator's defaults.
    pub fn comware(name: &str) -> HostSpec {
        HostSpec {
            name: name.into(),
            sim: DeviceConfig::new("hp_comware"),
            extra: String::new(),
        }
    }

    /// Adds inventory settings.
    pub fn with(mut self, extra: &str) -> HostSpec {
        self.extra = extra.into();
        self
    }

    /// Changes the simulator settings.
    pub fn sim(mut self, f: impl FnOnce(&mut DeviceConfig)) -> HostSpec {
        f(&mut self.sim);
        self
    }
}

/// Scaled-down keeper timings for tests (100 ms ticks, 200 ms first backoff).
pub fn test_options() -> PoolOptions {
    PoolOptions {
        tick: Duration::from_millis(100),
        backoff_base: Duration::from_millis(200),
        backoff_max: Duration::from_secs(1),
        auth_retry: Duration::from_secs(120),
        queue_timeout: Duration::from_secs(10),
        default_read_timeout: Duration::from_secs(5),
        ..PoolOptions::default()
    }
}

/// Simulated devices, their inventory file and a running daemon.
pub struct Lab {
    /// Holds the inventory, password file, known_hosts and the socket.
    pub dir: tempfile::TempDir,
    /// The devices by inventory name.
    pub devices: Vec<(String, Arc<SimDevice>)>,
    /// The daemon (None after [`Lab::stop`]).
    pub daemon: Option<Daemon>,
    /// Every connect attempt the keeper made.
    pub attempts: Arc<RecordingConnector>,
}

impl Lab {
    /// Starts the devices (on 127.0.0.1), writes the inventory (password from a file) and starts a
    /// daemon with [`test_options`], which `tweak` may change; waits for warm-up.
    pub async fn start(hosts: Vec<HostSpec>, tweak: impl FnOnce(&mut DaemonConfig)) -> Lab {
        let mut devices = Vec::new();
        for h in &hosts {
            let d = SimDevice::start(h.sim.clone(), "127.0.0.1:0".parse().expect("addr"))
                .await
                .expect("simulator starts");
            devices.push((h.name.clone(), Arc::new(d)));
        }
        Self::start_with(hosts, devices, tweak).await
    }

    /// Like [`Lab::start`] with devices already running (e.g. inside a network namespace).
    pub async fn start_with(
        hosts: Vec<HostSpec>,
        devices: Vec<(String, Arc<SimDevice>)>,
        tweak: impl FnOnce(&mut DaemonConfig),
    ) -> Lab {
        let dir = tempfile::tempdir().expect("tempdir");
        let pw = hosts
            .first()
            .map(|h| h.sim.password.clone())
            .unwrap_or_default();
        std::fs::write(dir.path().join("pw"), format!("{pw}\n")).expect("write pw");
        let mut y = format!(
            "defaults:\n  username: admin\n  password_file: pw\n  platform: hp_comware\n  connect_timeout: 2s\n  known_hosts_file: {}\ngroups:\n  lab: {{}}\nhosts:\n",
            dir.path().join("known_hosts").display()
        );
        for (h, (_, d)) in hosts.iter().zip(&devices) {
            let extra = if h.extra.is_empty() {
                String::new()
            } else {
                format!(", {}", h.extra)
            };
            y.push_str(&format!(
                "  {}: {{ hostname: {}, port: {}, platform: {}, groups: [lab]{extra} }}\n",
                h.name,
                d.addr().ip(),
                d.addr().port(),
                h.sim.platform
            ));
        }
        std::fs::write(dir.path().join("netkeep.yaml"), y).expect("write inventory");
        let mut cfg = DaemonConfig::new(dir.path().join("netkeep.yaml"));
        cfg.socket = Some(dir.path().join("run/netkeep.sock"));
        cfg.progress_bar = false;
        cfg.shutdown_grace = Duration::from_secs(3);
        cfg.pool = test_options();
        tweak(&mut cfg);
        let attempts = Arc::new(RecordingConnector::default());
        let mut daemon = Daemon::start(cfg, attempts.clone())
            .await
            .expect("daemon starts");
        daemon.wait_warm().await;
        Lab {
            dir,
            devices,
            daemon: Some(daemon),
            attempts,
        }
    }

    /// The device named `name`.
    pub fn dev(&self, name: &str) -> &Arc<SimDevice> {
        &self
            .devices
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no device {name}"))
            .1
    }

    /// The daemon's Unix socket.
    pub fn socket(&self) -> PathBuf {
        self.daemon
            .as_ref()
            .expect("daemon running")
            .socket_path()
            .to_path_buf()
    }

    /// An API client on the Unix socket.
    pub fn client(&self) -> DaemonClient {
        DaemonClient::new(Endpoint::Unix(self.socket())).with_timeout(Duration::from_secs(30))
    }

    /// Status of one device through the API.
    pub async fn status_of(&self, name: &str) -> DeviceStatus {
        let st = self.client().status().await.expect("status");
        st.into_iter()
            .find(|s| s.device == name)
            .unwrap_or_else(|| panic!("no status for {name}"))
    }

    /// Polls `name`'s status every 20 ms until `pred` holds or `within` passes; returns the
    /// last status and the time it took (None on timeout).
    pub async fn wait_status(
        &self,
        name: &str,
        within: Duration,
        pred: impl Fn(&DeviceStatus) -> bool,
    ) -> (DeviceStatus, Option<Duration>) {
        let t0 = Instant::now();
        loop {
            let st = self.status_of(name).await;
            if pred(&st) {
                return (st, Some(t0.elapsed()));
            }
            if t0.elapsed() >= within {
                return (st, None);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops the daemon and the devices.
    pub async fn stop(mut self) {
        if let Some(d) = self.daemon.take() {
            d.stop().await;
        }
        for (_, d) in &self.devices {
            d.stop().await;
        }
    }
}

/// One connect attempt seen by [`RecordingConnector`].
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Inventory name.
    pub device: String,
    /// When the attempt started.
    pub at: Instant,
    /// How it ended (`None` = connected).
    pub error: Option<ErrorKind>,
}

/// A [`Connector`] over [`SshConnector`] that records every attempt, so tests can measure
/// backoff delays from the keeper's side.
#[derive(Default)]
pub struct RecordingConnector {
    inner: SshConnector,
    log: Mutex<Vec<Attempt>>,
}

impl RecordingConnector {
    /// Attempts so far for `device`, oldest first.
    pub fn of(&self, device: &str) -> Vec<Attempt> {
        self.log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|a| a.device == device)
            .cloned()
            .collect()
    }

    /// Delays between consecutive attempts for `device`.
    pub fn gaps(&self, device: &str) -> Vec<Duration> {
        let a = self.of(device);
        a.windows(2).map(|w| w[1].at - w[0].at).collect()
    }
}

impl Connector for RecordingConnector {
    fn connect<'a>(
        &'a self,
        spec: &'a DeviceSpec,
    ) -> BoxFut<'a, Result<Arc<dyn DeviceSession>, SessionError>> {
        Box::pin(async move {
            let at = Instant::now();
            let r = self.inner.connect(spec).await;
            self.log
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(Attempt {
                    device: spec.name.clone(),
                    at,
                    error: r.as_ref().err().map(|e| e.kind),
                });
            r
        })
    }
}

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

/// Resident set size, open file descriptors and threads of process `pid` (Linux /proc).
pub fn proc_usage(pid: u32) -> Option<(u64, usize, usize)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |k: &str| -> Option<u64> {
        status
            .lines()
            .find(|l| l.starts_with(k))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    let rss_kib = field("VmRSS:")?;
    let threads = field("Threads:")? as usize;
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count();
    Some((rss_kib, fds, threads))
}
