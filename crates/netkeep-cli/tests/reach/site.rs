//! A site behind a bastion: a real OpenSSH sshd in one network namespace (reachable from the
//! host), simulated devices (`netkeep sim`) in another that only the bastion's namespace can
//! reach, an ssh-agent holding the bastion's key. Everything is stopped and removed on drop.

use std::io::BufRead;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use netkeep_reliability::netns::NetNs;

pub const BIN: &str = env!("CARGO_BIN_EXE_netkeep");

/// A child process killed (with its descendants) on drop.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        kill_tree(self.0.id());
        let _ = self.0.wait();
    }
}

/// The pids below `pid` (children, grandchildren...), from /proc.
fn descendants(pid: u32) -> Vec<u32> {
    let mut parent_of = Vec::new();
    if let Ok(rd) = std::fs::read_dir("/proc") {
        for e in rd.flatten() {
            let Ok(p) = e.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
                continue;
            };
            // `pid (comm) state ppid ...`: comm may hold spaces, so split after the last ')'.
            let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
                continue;
            };
            if let Some(pp) = rest
                .split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u32>().ok())
            {
                parent_of.push((p, pp));
            }
        }
    }
    let mut out = Vec::new();
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        for (c, _) in parent_of.iter().filter(|(_, pp)| *pp == p) {
            out.push(*c);
            todo.push(*c);
        }
    }
    out
}

/// SIGKILL to `pid` and everything below it (only processes this test started).
pub fn kill_tree(pid: u32) {
    let mut all = descendants(pid);
    all.push(pid);
    for p in all {
        let _ = Command::new("kill")
            .args(["-KILL", &p.to_string()])
            .status();
    }
}

/// Whether the test can run: root, namespaces, OpenSSH's programs. Without them it is skipped
/// with a message, unless NETKEEP_REQUIRE_SYSTEM_TOOLS is set (CI), where it fails.
pub fn can_run() -> bool {
    let missing: Vec<&str> = [
        "/usr/sbin/sshd",
        "ssh",
        "ssh-keygen",
        "ssh-agent",
        "ssh-add",
        "ip",
    ]
    .into_iter()
    .filter(|t| {
        if t.starts_with('/') {
            !Path::new(t).exists()
        } else {
            Command::new("sh")
                .args(["-c", &format!("command -v {t}")])
                .stdout(Stdio::null())
                .status()
                .map_or(true, |s| !s.success())
        }
    })
    .collect();
    let why = if !missing.is_empty() {
        Some(format!("missing {}", missing.join(", ")))
    } else {
        match NetNs::create() {
            Ok(_) => None,
            Err(e) => Some(format!("no network namespaces ({e})")),
        }
    };
    match why {
        None => true,
        Some(w) if std::env::var_os("NETKEEP_REQUIRE_SYSTEM_TOOLS").is_some() => {
            panic!("{w}, and NETKEEP_REQUIRE_SYSTEM_TOOLS is set")
        }
        Some(w) => {
            eprintln!("SKIP: {w} (needs root, iproute2 and OpenSSH)");
            false
        }
    }
}

fn run_ok(c: &mut Command) -> Output {
    let o = c.output().unwrap_or_else(|e| panic!("{c:?}: {e}"));
    assert!(
        o.status.success(),
        "{c:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn keygen(path: &Path) {
    let _ = std::fs::remove_file(path);
    run_ok(
        Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "netkeep-reach", "-f"])
            .arg(path)
            .stdin(Stdio::null()),
    );
}

/// The SHA256 fingerprint of a public key file, as OpenSSH prints it.
pub fn fingerprint(pubkey: &Path) -> String {
    let o = run_ok(Command::new("ssh-keygen").arg("-lf").arg(pubkey));
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string()
}

/// The site; fields drop in order: processes first, then the namespaces, then the files.
pub struct Site {
    pub sshd: Option<Proc>,
    sims: Option<Proc>,
    agent: Option<Proc>,
    devices_ns: NetNs,
    bastion_ns: NetNs,
    pub dir: tempfile::TempDir,
    /// The bastion's address (from the host).
    pub bastion: IpAddr,
    /// The devices' address (reachable only from the bastion).
    pub device_ip: IpAddr,
    /// Each device's port.
    pub ports: Vec<u16>,
    pub user: String,
}

impl Site {
    /// Starts the bastion, `n` simulated hp_comware devices (idle timeout `idle`) and an agent.
    pub fn start(n: usize, idle: &str) -> Site {
        let bastion_ns = NetNs::create().expect("bastion namespace");
        let devices_ns = NetNs::create_inside(&bastion_ns).expect("devices namespace");
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home/.ssh")).unwrap();
        keygen(&dir.path().join("host_key"));
        keygen(&dir.path().join("user_key"));
        keygen(&dir.path().join("other_key"));
        std::fs::copy(
            dir.path().join("user_key.pub"),
            dir.path().join("authorized_keys"),
        )
        .unwrap();
        let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
        let mut site = Site {
            sshd: None,
            sims: None,
            agent: None,
            bastion: bastion_ns.device_ip(),
            device_ip: devices_ns.device_ip(),
            devices_ns,
            bastion_ns,
            dir,
            ports: Vec::new(),
            user,
        };
        site.write_sshd_config();
        site.start_sshd();
        site.start_sims(n, idle);
        site.start_agent();
        site
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write_sshd_config(&self) {
        let p = |n: &str| self.path(n).display().to_string();
        let cfg = format!(
            "ListenAddress {}:22\nHostKey {}\nAuthorizedKeysFile {}\nPidFile {}\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n\
             UsePAM no\nStrictModes no\nPermitRootLogin yes\nAllowTcpForwarding yes\n\
             LogLevel VERBOSE\nMaxStartups 100\nAllowUsers {}\n",
            self.bastion,
            p("host_key"),
            p("authorized_keys"),
            p("sshd.pid"),
            self.user
        );
        std::fs::write(self.path("sshd_config"), cfg).unwrap();
    }

    /// Starts sshd in the bastion's namespace and waits until it listens.
    pub fn start_sshd(&mut self) {
        let _ = std::fs::create_dir_all("/run/sshd");
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                self.bastion_ns.name(),
                "/usr/sbin/sshd",
                "-D",
                "-f",
            ])
            .arg(self.path("sshd_config"))
            .arg("-E")
            .arg(self.path("sshd.log"))
            .stdin(Stdio::null())
            .spawn()
            .expect("sshd starts");
        self.sshd = Some(Proc(child));
        let t = Instant::now();
        while std::net::TcpStream::connect((self.bastion, 22)).is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "sshd did not listen: {}",
                self.sshd_log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills sshd and every connection it serves (a bastion restart, seen from outside).
    pub fn kill_sshd(&mut self) {
        self.sshd.take();
    }

    pub fn sshd_log(&self) -> String {
        std::fs::read_to_string(self.path("sshd.log")).unwrap_or_default()
    }

    /// Logins the bastion accepted so far.
    pub fn logins(&self) -> usize {
        self.sshd_log().matches("Accepted publickey for").count()
    }

    /// `netkeep sim` in the devices' namespace, one device per free port.
    fn start_sims(&mut self, n: usize, idle: &str) {
        let mut child = Command::new("ip")
            .args([
                "netns",
                "exec",
                self.devices_ns.name(),
                BIN,
                "sim",
                "--platform",
                "hp_comware",
            ])
            .args([
                "--count",
                &n.to_string(),
                "--port",
                "0",
                "--idle-timeout",
                idle,
            ])
            .arg("--listen")
            .arg(self.device_ip.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("netkeep sim starts");
        let out = child.stdout.take().unwrap();
        self.sims = Some(Proc(child));
        let mut lines = std::io::BufReader::new(out).lines();
        while self.ports.len() < n {
            let line = lines
                .next()
                .expect("netkeep sim printed its devices")
                .unwrap();
            if let Some(addr) = line.split('\t').nth(2) {
                let port = addr.rsplit(':').next().unwrap().parse().unwrap();
                self.ports.push(port);
            }
        }
        // Keep reading so the simulator never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
    }

    fn start_agent(&mut self) {
        let sock = self.path("agent.sock");
        let child = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&sock)
            .stdout(Stdio::null())
            .spawn()
            .expect("ssh-agent starts");
        self.agent = Some(Proc(child));
        let t = Instant::now();
        while !sock.exists() {
            assert!(
                t.elapsed() < Duration::from_secs(5),
                "ssh-agent did not start"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        run_ok(
            Command::new("ssh-add")
                .arg(self.path("user_key"))
                .env("SSH_AUTH_SOCK", &sock)
                .stderr(Stdio::null()),
        );
    }

    /// `netkeep ARGS` with a home of its own (no ~/.ssh/config, no keys unless written), the
    /// devices' password, no agent unless `env` sets one.
    pub fn netkeep(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = Command::new(BIN);
        c.args(args)
            .env("HOME", self.path("home"))
            .env("NETKEEP_PASSWORD", "admin")
            .env_remove("SSH_AUTH_SOCK")
            .env_remove("NETKEEP_SSH_CONFIG")
            .env_remove("NETKEEP_SOCKET")
            .env_remove("NETKEEP_INVENTORY")
            .stdin(Stdio::null());
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }

    pub fn agent_sock(&self) -> String {
        self.path("agent.sock").display().to_string()
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
