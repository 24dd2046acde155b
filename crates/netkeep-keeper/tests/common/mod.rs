//! A lab for the daemon tests: simulated devices of any platform (netkeep-sim, in process,
//! 127.0.0.1:0), an inventory for them, a daemon on a private socket, and raw JSON calls (so the
//! tests speak the API as any script does).
#![allow(dead_code)]

pub mod pki;

use std::sync::Arc;
use std::time::Duration;

use netkeep_keeper::client::{DaemonClient, Endpoint};
use netkeep_keeper::connector::ssh::SshConnector;
use netkeep_keeper::daemon::{Daemon, DaemonConfig};
use netkeep_keeper::pool::PoolOptions;
use netkeep_sim::{DeviceConfig, SimDevice};

/// The simulator's platforms.
pub const PLATFORMS: [&str; 7] = [
    "hp_comware",
    "huawei",
    "cisco_ios",
    "cisco_nxos",
    "juniper_junos",
    "arista_eos",
    "linux",
];

/// A command each platform accepts, and what its output contains.
pub fn good_command(platform: &str) -> (&'static str, &'static str) {
    match platform {
        "hp_comware" | "huawei" => ("display clock", "UTC"),
        "juniper_junos" => ("show system uptime", "UTC"),
        "linux" => ("date", "UTC"),
        _ => ("show clock", "UTC"),
    }
}

/// One simulated device of the lab.
pub struct Host {
    pub name: String,
    pub platform: String,
    pub sim: SimDevice,
}

pub struct Lab {
    pub dir: tempfile::TempDir,
    pub hosts: Vec<Host>,
}

impl Lab {
    /// Devices `(name, platform, extra inventory settings)`, password `admin` from a file.
    pub async fn new(hosts: &[(&str, &str, &str)]) -> Lab {
        Self::with(hosts, |_| {}).await
    }

    /// [`Lab::new`], each simulator's settings adjusted by `tune`.
    pub async fn with(hosts: &[(&str, &str, &str)], tune: impl Fn(&mut DeviceConfig)) -> Lab {
        let dir = tempfile::tempdir().unwrap();
        let pw = dir.path().join("pw");
        std::fs::write(&pw, "admin\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut lab = Lab {
            dir,
            hosts: Vec::new(),
        };
        let mut y = format!(
            "defaults:\n  username: admin\n  password_file: pw\n  connect_timeout: 5s\n  known_hosts_file: {}\ngroups:\n  lab: {{}}\nhosts:\n",
            lab.dir.path().join("known_hosts").display()
        );
        for (name, platform, extra) in hosts {
            let mut cfg = DeviceConfig::new(platform);
            tune(&mut cfg);
            let sim = SimDevice::start(cfg, "127.0.0.1:0".parse().unwrap())
                .await
                .expect("sim starts");
            let extra = if extra.is_empty() {
                String::new()
            } else {
                format!(", {extra}")
            };
            y.push_str(&format!(
                "  {name}: {{ hostname: 127.0.0.1, port: {}, platform: {platform}, groups: [lab]{extra} }}\n",
                sim.addr().port()
            ));
            lab.hosts.push(Host {
                name: name.to_string(),
                platform: platform.to_string(),
                sim,
            });
        }
        std::fs::write(lab.dir.path().join("netkeep.yaml"), y).unwrap();
        lab
    }

    pub fn sim(&self, name: &str) -> &SimDevice {
        &self.hosts.iter().find(|h| h.name == name).unwrap().sim
    }

    pub fn config(&self) -> DaemonConfig {
        let mut cfg = DaemonConfig::new(self.dir.path().join("netkeep.yaml"));
        cfg.socket = Some(self.dir.path().join("run/netkeep.sock"));
        cfg.progress_bar = false;
        cfg.shutdown_grace = Duration::from_secs(5);
        cfg.pool = PoolOptions {
            tick: Duration::from_millis(100),
            backoff_base: Duration::from_millis(200),
            backoff_max: Duration::from_secs(1),
            queue_timeout: Duration::from_secs(10),
            ..PoolOptions::default()
        };
        cfg
    }

    /// Starts the daemon with `cfg`, waits for the warm-up, returns it with a client.
    pub async fn start_with(&self, cfg: DaemonConfig) -> (Daemon, DaemonClient) {
        let mut d = Daemon::start(cfg, Arc::new(SshConnector::new()))
            .await
            .expect("daemon starts");
        d.wait_warm().await;
        let c = DaemonClient::new(Endpoint::Unix(d.socket_path().to_path_buf()));
        (d, c)
    }

    pub async fn start(&self) -> (Daemon, DaemonClient) {
        self.start_with(self.config()).await
    }
}

/// `method path` with a JSON body; returns the status and the JSON answer.
pub async fn call(
    client: &DaemonClient,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let (code, bytes) = client
        .request_raw(method, path, body.map(|b| b.to_string().into_bytes()))
        .await
        .unwrap();
    let v = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
        serde_json::Value::String(String::from_utf8_lossy(&bytes).into_owned())
    });
    (code, v)
}

/// The status row of `device` (raw JSON).
pub async fn status_of(client: &DaemonClient, device: &str) -> serde_json::Value {
    let (_, st) = call(client, "GET", "/v1/sessions", None).await;
    st.as_array()
        .unwrap()
        .iter()
        .find(|d| d["device"] == device)
        .cloned()
        .unwrap()
}

/// Polls `device`'s status every 20 ms until `done` holds (at most `limit`); returns the last
/// row seen.
pub async fn wait_for(
    client: &DaemonClient,
    device: &str,
    limit: Duration,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let t = std::time::Instant::now();
    loop {
        let row = status_of(client, device).await;
        if done(&row) || t.elapsed() >= limit {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Sends a `POST path` with `body` on a raw connection and returns the connection (drop it to
/// hang up, as a client killed by Ctrl-C does).
pub async fn post_and_keep(
    socket: &std::path::Path,
    path: &str,
    body: &str,
) -> tokio::net::UnixStream {
    use tokio::io::AsyncWriteExt;
    let mut s = tokio::net::UnixStream::connect(socket).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(body.as_bytes()).await.unwrap();
    s
}

/// Writes an access file (`tokens`, `users`, `certificates`, `audit`) into the lab directory.
pub fn access_file(dir: &std::path::Path, yaml: &str) -> std::path::PathBuf {
    let p = dir.join("access.yaml");
    std::fs::write(&p, yaml).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    p
}

/// An access-file line for a named token: `- { name, scope, sha256 }`.
pub fn token_entry(name: &str, scope: &str, token: &str) -> String {
    format!(
        "  - {{ name: {name}, scope: {scope}, sha256: {} }}\n",
        netkeep_keeper::auth::sha256_hex(token)
    )
}

/// A client of a plain TCP listener with `token`.
pub fn tcp_client(addr: std::net::SocketAddr, token: &str) -> DaemonClient {
    DaemonClient::new(Endpoint::Tcp {
        addr: addr.to_string(),
        token: token.into(),
    })
}
