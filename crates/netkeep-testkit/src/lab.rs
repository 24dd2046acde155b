//! [`Lab`]: simulated devices, an inventory for them in a temporary directory, and the keeper
//! daemon on a private socket — held by the lab ([`Lab::run`]) or handed to the test
//! ([`Lab::start`]).

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use netkeep_keeper::client::{DaemonClient, Endpoint};
use netkeep_keeper::connector::ssh::SshConnector;
use netkeep_keeper::daemon::{Daemon, DaemonConfig};
use netkeep_keeper::pool::PoolOptions;
use netkeep_keeper::wire::DeviceStatus;
use netkeep_sim::{DeviceConfig, Protocol, SimDevice};

use crate::recording::RecordingConnector;
use crate::sim::start_device;

/// One simulated device and its inventory line.
#[derive(Debug, Clone)]
pub struct HostSpec {
    /// Inventory name.
    pub name: String,
    /// Simulator settings (the platform among them).
    pub sim: DeviceConfig,
    /// Extra inventory settings for the host, YAML flow-mapping entries (`"max_sessions: 2"`).
    pub extra: String,
}

impl HostSpec {
    /// A `platform` device with the simulator's defaults.
    pub fn new(name: &str, platform: &str) -> HostSpec {
        HostSpec {
            name: name.into(),
            sim: DeviceConfig::new(platform),
            extra: String::new(),
        }
    }

    /// An `hp_comware` device with the simulator's defaults.
    pub fn comware(name: &str) -> HostSpec {
        HostSpec::new(name, "hp_comware")
    }

    /// Adds inventory settings.
    pub fn with(mut self, extra: &str) -> HostSpec {
        self.extra = extra.into();
        self
    }

    /// Serves the device over telnet (its inventory line says `<platform>_telnet`).
    pub fn telnet(self) -> HostSpec {
        self.sim(|c| c.protocol = Protocol::Telnet)
    }

    /// Changes the simulator settings.
    pub fn sim(mut self, f: impl FnOnce(&mut DeviceConfig)) -> HostSpec {
        f(&mut self.sim);
        self
    }
}

/// Scaled-down keeper timings for tests (100 ms ticks, 200 ms first backoff, 10 s queue).
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

/// Simulated devices (127.0.0.1), their inventory (`netkeep.yaml`: user `admin`, password from
/// the file `pw`, every host in group `lab`) in a temporary directory, and a daemon.
///
/// ```no_run
/// # async fn demo() {
/// use netkeep_testkit::{HostSpec, Lab};
/// // A daemon the test holds:
/// let lab = Lab::new(vec![HostSpec::comware("sw1").with("warm: false")]).await;
/// let (daemon, client) = lab.start().await;
/// daemon.stop().await;
/// // A daemon the lab holds, recording every connect attempt:
/// let lab = Lab::run(vec![HostSpec::comware("sw1")], |_| {}).await;
/// assert_eq!(lab.client().status().await.unwrap()[0].device, "sw1");
/// lab.stop().await;
/// # }
/// ```
pub struct Lab {
    /// Holds the inventory, password file, known_hosts and the socket.
    pub dir: tempfile::TempDir,
    /// The hosts as given ([`Lab::write_inventory`] writes them again).
    pub hosts: Vec<HostSpec>,
    /// The devices by inventory name.
    pub devices: Vec<(String, Arc<SimDevice>)>,
    /// The inventory's `connect_timeout` default.
    pub connect_timeout: Duration,
    /// The pool's queue timeout in [`Lab::config`].
    pub queue_timeout: Duration,
    /// The daemon [`Lab::run`] started (None after [`Lab::stop`]).
    pub daemon: Option<Daemon>,
    /// Every connect attempt of the daemon [`Lab::run`] started.
    pub attempts: Arc<RecordingConnector>,
}

impl Lab {
    /// Starts the devices and writes their inventory (connect timeout 5 s); no daemon yet.
    pub async fn new(hosts: Vec<HostSpec>) -> Lab {
        let mut devices = Vec::new();
        for h in &hosts {
            devices.push((h.name.clone(), Arc::new(start_device(h.sim.clone()).await)));
        }
        Lab::with_devices(hosts, devices)
    }

    /// Like [`Lab::new`] with devices already running (e.g. inside a network namespace), in the
    /// order of `hosts`.
    pub fn with_devices(hosts: Vec<HostSpec>, devices: Vec<(String, Arc<SimDevice>)>) -> Lab {
        let dir = tempfile::tempdir().expect("tempdir");
        let pw = hosts
            .first()
            .map(|h| h.sim.password.clone())
            .unwrap_or_default();
        let pw_file = dir.path().join("pw");
        std::fs::write(&pw_file, format!("{pw}\n")).expect("write pw");
        std::fs::set_permissions(&pw_file, std::fs::Permissions::from_mode(0o600))
            .expect("chmod pw");
        let lab = Lab {
            dir,
            hosts,
            devices,
            connect_timeout: Duration::from_secs(5),
            queue_timeout: test_options().queue_timeout,
            daemon: None,
            attempts: Arc::default(),
        };
        lab.write_inventory();
        lab
    }

    /// The inventory file.
    pub fn inventory(&self) -> PathBuf {
        self.dir.path().join("netkeep.yaml")
    }

    /// (Re)writes the inventory from [`Lab::hosts`].
    pub fn write_inventory(&self) {
        self.write_inventory_for(&self.hosts);
    }

    /// Rewrites the inventory with `hosts` in place of [`Lab::hosts`] (other settings, same
    /// devices in the same order; a running daemon sees it on reload).
    pub fn write_inventory_for(&self, hosts: &[HostSpec]) {
        let mut y = format!(
            "defaults:\n  username: admin\n  password_file: pw\n  connect_timeout: {}ms\n  known_hosts_file: {}\ngroups:\n  lab: {{}}\nhosts:\n",
            self.connect_timeout.as_millis(),
            self.dir.path().join("known_hosts").display()
        );
        for (h, (_, d)) in hosts.iter().zip(&self.devices) {
            let extra = if h.extra.is_empty() {
                String::new()
            } else {
                format!(", {}", h.extra)
            };
            // A telnet device goes in as Netmiko's `<platform>_telnet`, as users write it.
            let telnet = if h.sim.protocol == Protocol::Telnet {
                "_telnet"
            } else {
                ""
            };
            y.push_str(&format!(
                "  {}: {{ hostname: {}, port: {}, platform: {}{telnet}, groups: [lab]{extra} }}\n",
                h.name,
                d.addr().ip(),
                d.addr().port(),
                h.sim.platform
            ));
        }
        std::fs::write(self.inventory(), y).expect("write inventory");
    }

    /// Daemon settings for the lab: its socket under the lab's directory, no progress bar, 5 s
    /// shutdown grace, [`test_options`] with the lab's queue timeout.
    pub fn config(&self) -> DaemonConfig {
        let mut cfg = DaemonConfig::new(self.inventory());
        cfg.socket = Some(self.dir.path().join("run/netkeep.sock"));
        cfg.progress_bar = false;
        cfg.shutdown_grace = Duration::from_secs(5);
        cfg.pool = PoolOptions {
            queue_timeout: self.queue_timeout,
            ..test_options()
        };
        cfg
    }

    /// Starts a daemon with [`Lab::config`] over SSH, waits for the warm-up; the test holds it.
    pub async fn start(&self) -> (Daemon, DaemonClient) {
        self.start_with(self.config()).await
    }

    /// [`Lab::new`] and [`Lab::start`] in one: the lab, its daemon and a client.
    pub async fn started(hosts: Vec<HostSpec>) -> (Lab, Daemon, DaemonClient) {
        let lab = Lab::new(hosts).await;
        let (daemon, client) = lab.start().await;
        (lab, daemon, client)
    }

    /// [`Lab::start`] with `cfg`.
    pub async fn start_with(&self, cfg: DaemonConfig) -> (Daemon, DaemonClient) {
        let mut d = Daemon::start(cfg, Arc::new(SshConnector::new()))
            .await
            .expect("daemon starts");
        d.wait_warm().await;
        let c = DaemonClient::new(Endpoint::Unix(d.socket_path().to_path_buf()));
        (d, c)
    }

    /// Starts the devices, writes the inventory (connect timeout 2 s) and starts a daemon the lab
    /// holds, with [`Lab::config`] (3 s shutdown grace) as `tweak` changes it and a
    /// [`RecordingConnector`]; waits for warm-up.
    pub async fn run(hosts: Vec<HostSpec>, tweak: impl FnOnce(&mut DaemonConfig)) -> Lab {
        let mut lab = Lab::new(hosts).await;
        lab.run_daemon(tweak).await;
        lab
    }

    /// [`Lab::run`] with devices already running, in the order of `hosts`.
    pub async fn run_with(
        hosts: Vec<HostSpec>,
        devices: Vec<(String, Arc<SimDevice>)>,
        tweak: impl FnOnce(&mut DaemonConfig),
    ) -> Lab {
        let mut lab = Lab::with_devices(hosts, devices);
        lab.run_daemon(tweak).await;
        lab
    }

    async fn run_daemon(&mut self, tweak: impl FnOnce(&mut DaemonConfig)) {
        self.connect_timeout = Duration::from_secs(2);
        self.write_inventory();
        let mut cfg = self.config();
        cfg.shutdown_grace = Duration::from_secs(3);
        tweak(&mut cfg);
        let mut daemon = Daemon::start(cfg, self.attempts.clone())
            .await
            .expect("daemon starts");
        daemon.wait_warm().await;
        self.daemon = Some(daemon);
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

    /// The socket of the daemon the lab holds.
    pub fn socket(&self) -> PathBuf {
        self.daemon
            .as_ref()
            .expect("daemon running")
            .socket_path()
            .to_path_buf()
    }

    /// An API client for the daemon the lab holds (30 s timeout).
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

    /// Stops the daemon the lab holds and the devices.
    pub async fn stop(mut self) {
        if let Some(d) = self.daemon.take() {
            d.stop().await;
        }
        for (_, d) in &self.devices {
            d.stop().await;
        }
    }
}
