//! Network namespaces for fault tests: a namespace of our own, joined to the host by a veth
//! pair with addresses from 198.18.0.0/15 (the benchmarking range) that exist only on these two
//! interfaces, so traffic never leaves the machine. Devices started with [`NetNs::spawn_device`]
//! listen inside it; the daemon connects from the host side. Link faults: [`NetNs::link_down`]
//! (blackhole, TCP stays open: half-open), [`NetNs::rate_limit`] (tbf), [`NetNs::netem`]
//! (delay/loss, when the kernel has `sch_netem`). Everything is removed on drop.
//!
//! ```no_run
//! use netkeep_reliability::netns::NetNs;
//! match NetNs::create() {
//!     Ok(ns) => println!("device side {}", ns.device_ip()),
//!     Err(why) => eprintln!("skipped: {why}"),
//! }
//! ```

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use netkeep_sim::{DeviceConfig, SimDevice};

static SEQ: AtomicU32 = AtomicU32::new(0);

/// A namespace with one veth pair; deleted (with the pair) on drop.
pub struct NetNs {
    name: String,
    /// The namespace the other end lives in (`None`: the host's).
    parent: Option<String>,
    host_if: String,
    ns_if: String,
    host_ip: Ipv4Addr,
    device_ip: Ipv4Addr,
    threads: Vec<DeviceThread>,
}

struct DeviceThread {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    join: Option<std::thread::JoinHandle<()>>,
}

fn run(args: &[&str]) -> Result<(), String> {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .map_err(|e| format!("{}: {e}", args[0]))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl NetNs {
    /// Creates the namespace and veth pair, or says why it cannot (not root, no `ip`, no
    /// namespace support) so the caller can skip.
    pub fn create() -> Result<NetNs, String> {
        Self::create_in(None)
    }

    /// A namespace joined to `parent`'s namespace instead of the host's: reachable only from
    /// there (a site's devices behind its bastion). [`NetNs::host_ip`] is then the parent's end.
    ///
    /// ```no_run
    /// use netkeep_reliability::netns::NetNs;
    /// let bastion = NetNs::create().unwrap();
    /// let devices = NetNs::create_inside(&bastion).unwrap();
    /// println!("devices at {}, seen from the bastion's {}", devices.device_ip(), devices.host_ip());
    /// ```
    pub fn create_inside(parent: &NetNs) -> Result<NetNs, String> {
        Self::create_in(Some(parent.name.clone()))
    }

    fn create_in(parent: Option<String>) -> Result<NetNs, String> {
        let pid = std::process::id();
        let n = SEQ.fetch_add(1, Ordering::Relaxed);
        // Interface names are at most 15 bytes: nkr<pid%100000><a|b><n>.
        let tag = format!("{}{}", pid % 100_000, n % 100);
        let name = format!("nkrel-{pid}-{n}");
        let host_if = format!("nkr{tag}a");
        let ns_if = format!("nkr{tag}b");
        // A /30 per namespace inside 198.18.0.0/15, picked from pid and sequence.
        let k = (pid.wrapping_mul(31).wrapping_add(n)) % (1 << 15);
        let base = u32::from(Ipv4Addr::new(198, 18, 0, 0)) + k * 4;
        let host_ip = Ipv4Addr::from(base + 1);
        let device_ip = Ipv4Addr::from(base + 2);
        run(&["ip", "netns", "add", &name])?;
        let ns = NetNs {
            name,
            parent,
            host_if,
            ns_if,
            host_ip,
            device_ip,
            threads: Vec::new(),
        };
        let n = &ns.name;
        let setup = || -> Result<(), String> {
            run(&[
                "ip",
                "link",
                "add",
                &ns.host_if,
                "type",
                "veth",
                "peer",
                "name",
                &ns.ns_if,
            ])?;
            run(&["ip", "link", "set", &ns.ns_if, "netns", n])?;
            // The near end: in the host's namespace, or moved into the parent's.
            let mut near: Vec<String> = vec!["ip".into()];
            if let Some(p) = &ns.parent {
                run(&["ip", "link", "set", &ns.host_if, "netns", p])?;
                near.extend(["-n".into(), p.clone()]);
            }
            let addr = format!("{host_ip}/30");
            let with = |rest: &[&str]| -> Result<(), String> {
                let v: Vec<&str> = near
                    .iter()
                    .map(String::as_str)
                    .chain(rest.iter().copied())
                    .collect();
                run(&v)
            };
            with(&["addr", "add", &addr, "dev", &ns.host_if])?;
            with(&["link", "set", &ns.host_if, "up"])?;
            run(&[
                "ip",
                "-n",
                n,
                "addr",
                "add",
                &format!("{device_ip}/30"),
                "dev",
                &ns.ns_if,
            ])?;
            run(&["ip", "-n", n, "link", "set", &ns.ns_if, "up"])?;
            run(&["ip", "-n", n, "link", "set", "lo", "up"])?;
            Ok(())
        };
        setup()?;
        Ok(ns)
    }

    /// The namespace's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The device-side address (inside the namespace).
    pub fn device_ip(&self) -> IpAddr {
        IpAddr::V4(self.device_ip)
    }

    /// The host-side address.
    pub fn host_ip(&self) -> IpAddr {
        IpAddr::V4(self.host_ip)
    }

    /// Starts a simulated device listening inside the namespace on `device_ip():0`. The device
    /// runs on its own thread (which joined the namespace) until the namespace is dropped.
    pub fn spawn_device(&mut self, cfg: DeviceConfig) -> Result<Arc<SimDevice>, String> {
        let path = format!("/var/run/netns/{}", self.name);
        let ip = self.device_ip;
        let (tx, rx) = std::sync::mpsc::channel::<Result<Arc<SimDevice>, String>>();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let join = std::thread::spawn(move || {
            let setup = || -> Result<tokio::runtime::Runtime, String> {
                let f = std::fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?;
                use std::os::fd::AsRawFd;
                // SAFETY: setns on a valid namespace fd changes only this thread's namespace.
                let rc = unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) };
                if rc != 0 {
                    return Err(format!("setns: {}", std::io::Error::last_os_error()));
                }
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())
            };
            let rt = match setup() {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            rt.block_on(async move {
                match SimDevice::start(cfg, SocketAddr::new(IpAddr::V4(ip), 0)).await {
                    Ok(d) => {
                        let d = Arc::new(d);
                        let _ = tx.send(Ok(d.clone()));
                        let _ = stop_rx.await;
                        d.stop().await;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e.to_string()));
                    }
                }
            });
        });
        let dev = rx.recv().map_err(|_| "device thread ended".to_string())??;
        self.threads.push(DeviceThread {
            stop: Some(stop_tx),
            join: Some(join),
        });
        Ok(dev)
    }

    /// Drops every packet on the link (both directions) without closing anything: TCP
    /// connections through it become half-open.
    pub fn link_down(&self) -> Result<(), String> {
        run(&["ip", "-n", &self.name, "link", "set", &self.ns_if, "down"])
    }

    /// Restores the link.
    pub fn link_up(&self) -> Result<(), String> {
        run(&["ip", "-n", &self.name, "link", "set", &self.ns_if, "up"])
    }

    /// Limits the device's sending rate (token bucket): large outputs crawl.
    pub fn rate_limit(&self, rate: &str) -> Result<(), String> {
        let tbf = ["tbf", "rate", rate, "burst", "4kb", "latency", "2s"];
        self.root_qdisc_in_ns(&tbf)
    }

    /// `tc netem` on both ends (`["delay", "50ms", "loss", "5%"]`); Err when the kernel lacks
    /// netem (say so and skip).
    pub fn netem(&self, params: &[&str]) -> Result<(), String> {
        let mut a = vec![
            "tc",
            "qdisc",
            "replace",
            "dev",
            &self.host_if,
            "root",
            "netem",
        ];
        a.extend_from_slice(params);
        run(&a)?;
        self.root_qdisc_in_ns(&[&["netem"], params].concat())
    }

    /// `tc qdisc replace dev <ns side> root <qdisc...>`, inside the namespace.
    fn root_qdisc_in_ns(&self, qdisc: &[&str]) -> Result<(), String> {
        let mut a = vec![
            "ip",
            "netns",
            "exec",
            &self.name,
            "tc",
            "qdisc",
            "replace",
            "dev",
            &self.ns_if,
            "root",
        ];
        a.extend_from_slice(qdisc);
        run(&a)
    }
}

impl Drop for NetNs {
    fn drop(&mut self) {
        for t in &mut self.threads {
            if let Some(s) = t.stop.take() {
                let _ = s.send(());
            }
            if let Some(j) = t.join.take() {
                let _ = j.join();
            }
        }
        // Deleting the namespace deletes its end of the pair and with it the host end.
        let _ = run(&["ip", "netns", "del", &self.name]);
        let _ = run(&["ip", "link", "del", &self.host_if]);
    }
}
