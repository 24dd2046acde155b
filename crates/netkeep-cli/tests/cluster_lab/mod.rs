//! A cluster on loopback for the cluster tests: a NATS server with JetStream (`nats-server`, the
//! Debian package), a per-node TCP proxy in front of it that a test can cut (a partition), a
//! simulated fleet in process (VTY limit 1: a second login to a device is refused and counted;
//! a line freed only 100 ms after its session ended, as a device slow to tear it down),
//! and `netkeep serve --cluster` nodes as child processes.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use netkeep_keeper::client::DaemonClient;
use netkeep_keeper::wire::ClusterStatus;
use netkeep_sim::{DeviceConfig, SimDevice};

pub const BIN: &str = env!("CARGO_BIN_EXE_netkeep");

/// The lease the tests run with (the default is 6 s): short, yet long enough that a node on a
/// 2-core machine busy with other builds does not fence itself for a late heartbeat.
pub const LEASE: Duration = Duration::from_millis(3000);

/// How long a simulated device keeps a VTY line after its session ended.
pub const HANG_UP: Duration = Duration::from_millis(100);

/// The handover bound for [`LEASE`]: lease + margin (lease/6) + two ticks (lease/12 each).
pub fn handover_bound() -> Duration {
    netkeep_keeper::cluster::Timing::from_lease(LEASE)
        .unwrap()
        .handover_bound()
}

/// The nats-server binary, or `None` (with a message) when it is not installed; with
/// `NETKEEP_REQUIRE_SYSTEM_TOOLS=1` a missing server fails the test.
pub fn nats_server() -> Option<PathBuf> {
    let found = [
        "/usr/sbin/nats-server",
        "/usr/bin/nats-server",
        "/usr/local/bin/nats-server",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists());
    if found.is_none() {
        if std::env::var("NETKEEP_REQUIRE_SYSTEM_TOOLS").as_deref() == Ok("1") {
            panic!("nats-server is not installed (apt-get install nats-server) and NETKEEP_REQUIRE_SYSTEM_TOOLS=1");
        }
        eprintln!("SKIPPED: nats-server is not installed (apt-get install nats-server)");
    }
    found
}

/// A child process killed on drop.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Proc {
    pub fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.0.id().to_string())
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name} failed");
    }

    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let t = Instant::now();
        while t.elapsed() < limit {
            if let Some(s) = self.0.try_wait().unwrap() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

/// A free loopback port (bound, then released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_port(port: u16, limit: Duration) -> bool {
    let t = Instant::now();
    while t.elapsed() < limit {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Everything of one test: a directory, a runtime for the simulators and proxies, NATS.
pub struct Lab {
    pub rt: tokio::runtime::Runtime,
    pub dir: PathBuf,
    pub nats_port: u16,
    _nats: Proc,
    pub sims: Vec<(String, SimDevice)>,
}

impl Lab {
    /// Starts NATS with JetStream and `devices` simulated hp_comware devices (VTY limit 1).
    pub fn start(tag: &str, nats: &Path, devices: usize) -> Lab {
        Lab::start_with(tag, nats, devices, None)
    }

    /// [`Lab::start`] with the NATS server's `max_payload` (bytes) set.
    pub fn start_with(tag: &str, nats: &Path, devices: usize, max_payload: Option<usize>) -> Lab {
        let dir =
            std::env::temp_dir().join(format!("netkeep-cluster-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let nats_port = free_port();
        let log = std::fs::File::create(dir.join("nats.log")).unwrap();
        let conf = dir.join("nats.conf");
        let conf_text = max_payload.map_or(String::new(), |m| format!("max_payload: {m}\n"));
        std::fs::write(&conf, conf_text).unwrap();
        let child = Command::new(nats)
            .arg("-c")
            .arg(&conf)
            .args([
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                &nats_port.to_string(),
                "-sd",
            ])
            .arg(dir.join("js"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let nats_proc = Proc(child);
        assert!(
            wait_port(nats_port, Duration::from_secs(10)),
            "nats-server did not start"
        );
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let sims = rt.block_on(async {
            let mut v = Vec::new();
            for i in 0..devices {
                let mut cfg = DeviceConfig::new("hp_comware");
                cfg.vty_limit = Some(1);
                // A line is freed 100 ms after its session ends (the device then closes the
                // connection): a node logging in before the previous owner's logout really
                // ended is refused every time, not only when a busy machine delays the
                // simulator.
                cfg.hang_up_delay = HANG_UP;
                let s = SimDevice::start(cfg, "127.0.0.1:0".parse().unwrap())
                    .await
                    .unwrap();
                v.push((format!("d{i:03}"), s));
            }
            v
        });
        std::fs::write(dir.join("pw"), "admin\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.join("pw"), std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut y = String::from("defaults:\n  hostname: 127.0.0.1\n  username: admin\n  password_file: pw\n  platform: hp_comware\n  host_key_policy: insecure\n  connect_timeout: 5s\ngroups:\n  all: {}\nhosts:\n");
        for (name, s) in &sims {
            y.push_str(&format!(
                "  {name}: {{ port: {}, groups: [all] }}\n",
                s.addr().port()
            ));
        }
        std::fs::write(dir.join("inv.yaml"), y).unwrap();
        Lab {
            rt,
            dir,
            nats_port,
            _nats: nats_proc,
            sims,
        }
    }

    pub fn nats_url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.nats_port)
    }

    /// Logins refused by a full VTY (limit 1): a second netkeep login while one was open.
    pub fn refused(&self) -> u64 {
        self.sims
            .iter()
            .map(|(_, s)| s.counters().vty_refused)
            .sum()
    }

    /// Devices and their open sessions now.
    pub fn active(&self) -> Vec<usize> {
        self.sims.iter().map(|(_, s)| s.active_sessions()).collect()
    }

    pub fn sim(&self, name: &str) -> &SimDevice {
        &self.sims.iter().find(|(n, _)| n == name).unwrap().1
    }

    /// Starts `netkeep serve --cluster URL --node NAME` (log in NAME.log), waits for its socket.
    pub fn node(&self, name: &str, url: &str) -> Node {
        self.node_with(name, url, &[])
    }

    /// [`Lab::node`] with more `serve` arguments.
    pub fn node_with(&self, name: &str, url: &str, extra: &[&str]) -> Node {
        let log_path = self.dir.join(format!("{name}.log"));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .unwrap();
        let sock = self.dir.join(format!("{name}.sock"));
        let child = Command::new(BIN)
            .args(["serve", "--no-progress", "--inventory"])
            .arg(self.dir.join("inv.yaml"))
            .arg("--socket")
            .arg(&sock)
            .args(["--cluster", url, "--node", name])
            .arg(format!("--cluster-lease={}ms", LEASE.as_millis()))
            .args(extra)
            .env("NETKEEP_LOG", "info,netkeep_keeper::cluster=debug")
            .env_remove("NETKEEP_CLUSTER")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let node = Node {
            name: name.to_string(),
            proc: Proc(child),
            sock,
            log: log_path,
        };
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(20) && !node.sock.exists() {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            node.sock.exists(),
            "node {name} did not start:\n{}",
            node.log_text()
        );
        node
    }

    /// The cluster status as `node` answers it.
    pub fn status(&self, node: &Node) -> Option<ClusterStatus> {
        let c = DaemonClient::new(netkeep_keeper::client::Endpoint::Unix(node.sock.clone()))
            .with_timeout(Duration::from_secs(5));
        self.rt.block_on(c.cluster_status()).ok()
    }

    /// Waits until `node` reports every device ready and kept by one of `owners`; returns when.
    pub fn wait_served(
        &self,
        node: &Node,
        owners: &[&str],
        limit: Duration,
    ) -> Result<Instant, String> {
        let t = Instant::now();
        let mut last = String::new();
        while t.elapsed() < limit {
            if let Some(s) = self.status(node) {
                let bad: Vec<String> = s
                    .devices
                    .iter()
                    .filter(|d| {
                        d.status.state != "ready"
                            || !d.owner.as_deref().is_some_and(|o| owners.contains(&o))
                    })
                    .map(|d| format!("{} {:?} {}", d.status.device, d.owner, d.status.state))
                    .collect();
                if bad.is_empty() && s.devices.len() == self.sims.len() {
                    return Ok(Instant::now());
                }
                last = format!(
                    "{} not served: {:?}",
                    bad.len(),
                    bad.iter().take(5).collect::<Vec<_>>()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(last)
    }
}

impl Lab {
    /// Waits until every device is served by one of `owners` and no shard moved for half a
    /// lease (a joining node's rebalance over); returns the owners.
    pub fn wait_settled(&self, node: &Node, owners: &[&str], limit: Duration) -> Vec<String> {
        let t = Instant::now();
        let mut last: Option<Vec<String>> = None;
        loop {
            let left = limit.saturating_sub(t.elapsed());
            if let Err(e) = self.wait_served(node, owners, left) {
                panic!("not served: {e}");
            }
            let now: Option<Vec<String>> = self.status(node).map(|s| {
                s.devices
                    .into_iter()
                    .map(|d| d.owner.unwrap_or_default())
                    .collect()
            });
            if now.is_some() && now == last {
                return now.unwrap_or_default();
            }
            assert!(t.elapsed() < limit, "shards still moving after {limit:?}");
            last = now;
            std::thread::sleep(LEASE / 2);
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        } else {
            eprintln!("cluster test files kept in {}", self.dir.display());
        }
    }
}

/// One `netkeep serve --cluster` node.
pub struct Node {
    pub name: String,
    pub proc: Proc,
    pub sock: PathBuf,
    pub log: PathBuf,
}

impl Node {
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The wall-clock time of the first log line containing `what` (the log's RFC 3339 stamps).
    pub fn first(&self, what: &str) -> Option<SystemTime> {
        self.log_text()
            .lines()
            .filter(|l| l.contains(what))
            .find_map(|l| humantime::parse_rfc3339(l.split_whitespace().next()?).ok())
    }
}

/// A TCP proxy on loopback in front of NATS for one node; `cut` drops every connection and
/// refuses new ones (the node is partitioned from NATS), `heal` lets them through again.
pub struct Proxy {
    pub port: u16,
    cut: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Proxy {
    pub fn start(rt: &tokio::runtime::Runtime, to: u16) -> Proxy {
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let conns: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let (c, cs) = (cut.clone(), conns.clone());
        rt.spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    continue;
                };
                if c.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let upstream: SocketAddr = ([127, 0, 0, 1], to).into();
                let h = tokio::spawn(async move {
                    if let Ok(mut out) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                    }
                });
                cs.lock().unwrap().push(h.abort_handle());
            }
        });
        Proxy { port, cut, conns }
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for h in self.conns.lock().unwrap().drain(..) {
            h.abort();
        }
    }

    pub fn heal(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}
