//! Helpers for the end-to-end tests of the `netkeep` binary: simulated devices in process (a
//! background runtime, 127.0.0.1:0), inventories for them, `netkeep serve` as a child process
//! with its log in a file, and `netkeep` invocations.
#![allow(dead_code)] // each test file uses a part of it

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use netkeep_sim::{DeviceConfig, Fault, SimDevice};

pub const BIN: &str = env!("CARGO_BIN_EXE_netkeep");

/// A child process killed on drop, so a failing test leaves nothing running.
pub struct Proc(pub Child);

/// Ctrl-C as a person at a terminal sends it: the CLI under test starts with SIGINT's default
/// action even when the test runner inherited SIGINT ignored (a job a non-interactive shell
/// starts in the background ignores SIGINT, and so does everything it starts).
pub fn default_sigint(mut c: Command) -> Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: signal(2) is async-signal-safe, and nothing else runs between fork and exec.
    unsafe {
        c.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    c
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Proc {
    pub fn pid(&self) -> String {
        self.0.id().to_string()
    }

    /// Sends a signal by name (`USR1`, `HUP`, `INT`...).
    pub fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid())
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name} failed");
    }

    /// The exit status, if it ended within `limit`.
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

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let d = std::env::temp_dir().join(format!("netkeep-cli-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Simulated devices on a runtime of their own, with an inventory for them.
pub struct Lab {
    pub rt: tokio::runtime::Runtime,
    pub dir: TempDir,
    /// (inventory name, platform, simulator; `None` once stopped)
    pub hosts: Vec<(String, String, Option<SimDevice>)>,
    ports: Vec<u16>,
    extra: Vec<String>,
    /// Ports of stopped simulators, bound and not listening: connecting gets "refused", and no
    /// other simulator of a test running beside this one can be given the port.
    held: Vec<tokio::net::TcpSocket>,
}

impl Lab {
    pub fn new(tag: &str) -> Lab {
        let dir = TempDir::new(tag);
        let pw = dir.path().join("pw");
        std::fs::write(&pw, "admin\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o600)).unwrap();
        Lab {
            rt: tokio::runtime::Runtime::new().unwrap(),
            dir,
            hosts: Vec::new(),
            ports: Vec::new(),
            extra: Vec::new(),
            held: Vec::new(),
        }
    }

    /// Adds a simulated device; `tune` adjusts the simulator, `extra` is added to its
    /// inventory entry (`groups: [core], data: {...}`).
    pub fn add(
        &mut self,
        name: &str,
        platform: &str,
        extra: &str,
        tune: impl Fn(&mut DeviceConfig),
    ) {
        let mut cfg = DeviceConfig::new(platform);
        tune(&mut cfg);
        let sim = self
            .rt
            .block_on(SimDevice::start(cfg, "127.0.0.1:0".parse().unwrap()))
            .expect("sim starts");
        self.ports.push(sim.addr().port());
        self.hosts.push((name.into(), platform.into(), Some(sim)));
        self.extra.push(extra.into());
    }

    pub fn sim(&self, name: &str) -> &SimDevice {
        self.hosts
            .iter()
            .find(|h| h.0 == name)
            .and_then(|h| h.2.as_ref())
            .expect("a running sim")
    }

    pub fn port(&self, name: &str) -> u16 {
        let i = self.hosts.iter().position(|h| h.0 == name).unwrap();
        self.ports[i]
    }

    /// Stops a simulator: its port refuses connections from now on (held, see `held`: a
    /// freed port was once given to another test's simulator, whose prompt then answered).
    pub fn stop(&mut self, name: &str) {
        let h = self.hosts.iter_mut().find(|h| h.0 == name).unwrap();
        let Some(sim) = h.2.take() else { return };
        let addr = sim.addr();
        self.rt.block_on(sim.stop());
        let _rt = self.rt.enter();
        let hold = tokio::net::TcpSocket::new_v4().expect("a socket");
        hold.set_reuseaddr(true).expect("SO_REUSEADDR");
        // The listener may close a moment after stop() returns.
        let t0 = Instant::now();
        while let Err(e) = hold.bind(addr) {
            assert!(t0.elapsed() < Duration::from_secs(2), "holding {addr}: {e}");
            std::thread::sleep(Duration::from_millis(10));
        }
        self.held.push(hold);
    }

    pub fn fault(&self, name: &str, f: Fault) {
        // Some faults (a reboot) start tasks on the simulator's runtime.
        let _in = self.rt.enter();
        self.sim(name).set_fault(f);
    }

    /// Writes the inventory (`groups` lists the groups to define) and returns its path.
    pub fn inventory(&self, groups: &[&str]) -> PathBuf {
        let mut y = format!(
            "defaults:\n  hostname: 127.0.0.1\n  username: admin\n  password_file: pw\n  connect_timeout: 5s\n  known_hosts_file: {}\ngroups:\n",
            self.dir.path().join("known_hosts").display()
        );
        for g in groups {
            y.push_str(&format!("  {g}: {{}}\n"));
        }
        y.push_str("hosts:\n");
        for (i, (name, platform, _)) in self.hosts.iter().enumerate() {
            let extra = match self.extra[i].as_str() {
                "" => String::new(),
                e => format!(", {e}"),
            };
            y.push_str(&format!(
                "  {name}: {{ port: {}, platform: {platform}{extra} }}\n",
                self.ports[i]
            ));
        }
        let path = self.dir.path().join("inv.yaml");
        std::fs::write(&path, y).unwrap();
        path
    }

    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("netkeep.sock")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("serve.log")).unwrap_or_default()
    }

    /// Starts `netkeep serve` on the lab's inventory (log to `serve.log`), waits until it answers.
    pub fn serve(&self, inv: &Path, extra: &[&str]) -> Proc {
        let log = std::fs::File::create(self.dir.path().join("serve.log")).unwrap();
        let child = Command::new(BIN)
            .args(["serve", "--no-progress", "--inventory"])
            .arg(inv)
            .arg("--socket")
            .arg(self.socket())
            .args(extra)
            .env_remove("NETKEEP_LOG")
            .env_remove("NETKEEP_PLATFORM_DIR")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let p = Proc(child);
        wait_for("the daemon to answer", Duration::from_secs(10), || {
            self.socket().exists() && self.nk(&["status", "--json"]).status.success()
        });
        p
    }

    /// Runs `netkeep ARGS` against the lab's daemon socket (no inventory from the environment).
    pub fn nk(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .env("NETKEEP_SOCKET", self.socket())
            .env_remove("NETKEEP_INVENTORY")
            .env_remove("NETKEEP_URL")
            .env_remove("NETKEEP_LOG")
            .output()
            .unwrap()
    }

    /// The daemon's status row of `device`.
    pub fn status_of(&self, device: &str) -> serde_json::Value {
        let o = self.nk(&["status", "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .find(|d| d["device"] == device)
            .cloned()
            .unwrap()
    }
}

pub fn wait_for(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let t = Instant::now();
    while !f() {
        assert!(t.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts that `needle` is in the stderr of `o` exactly once (errors are printed once).
pub fn assert_printed_once(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(err.matches(needle).count(), 1, "{err}");
}
