//! End-to-end tests of the `netkeep` binary: `sim`, `serve`, `exec`, `status` as separate
//! processes, the way a user runs them.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_netkeep");

/// A child process killed on drop, so a failing test leaves nothing running.
struct Proc(Child);
impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("netkeep-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Starts `netkeep sim` and returns it with the ports it printed (one line per device).
fn start_sim(args: &[&str], count: usize) -> (Proc, Vec<u16>) {
    let mut child = Command::new(BIN)
        .arg("sim")
        .args(args)
        .args(["--count", &count.to_string(), "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let mut ports = Vec::new();
    for line in BufReader::new(out).lines().take(count) {
        let line = line.unwrap();
        let addr = line.split_whitespace().last().unwrap().to_string();
        ports.push(addr.rsplit(':').next().unwrap().parse().unwrap());
    }
    assert_eq!(ports.len(), count, "sim printed too few devices");
    (Proc(child), ports)
}

fn netkeep(args: &[&str], socket: &Path) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env("NETKEEP_SOCKET", socket)
        .env_remove("NETKEEP_INVENTORY")
        .output()
        .unwrap()
}

fn wait_for(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let t = Instant::now();
    while !f() {
        assert!(t.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn status_json(socket: &Path) -> serde_json::Value {
    let o = netkeep(&["status", "--json"], socket);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn device<'a>(status: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    status
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device"] == name)
        .unwrap()
}

/// The seed experiment through the daemon, scaled: idle timeout 1.5 s, `kept` keeps alive every
/// 0.5 s, `bare` does not. After 2.4 s `kept` is on its first session and `bare` was dropped by
/// the device; `netkeep exec` works on both.
#[test]
fn seed_experiment_through_the_daemon() {
    let dir = tempdir("seed");
    let (_sim, ports) = start_sim(&["--platform", "hp_comware", "--idle-timeout", "1500ms"], 2);
    let inv = dir.join("inv.yaml");
    std::fs::write(
        &inv,
        format!(
            "defaults:\n  hostname: 127.0.0.1\n  username: admin\n  password_env: NK_TEST_PW\n  \
             platform: hp_comware\n  idle_timeout: 1500ms\n  host_key_policy: insecure\n\
             hosts:\n  kept: {{ port: {}, keepalive: {{ mode: nul, interval: 500ms }} }}\n  \
             bare: {{ port: {}, keepalive: {{ mode: off }} }}\n",
            ports[0], ports[1]
        ),
    )
    .unwrap();
    let socket = dir.join("netkeep.sock");
    let serve = Command::new(BIN)
        .args(["serve", "--inventory"])
        .arg(&inv)
        .arg("--socket")
        .arg(&socket)
        .env("NK_TEST_PW", "admin")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _serve = Proc(serve);
    wait_for("both devices ready", Duration::from_secs(10), || {
        socket.exists()
            && netkeep(&["status", "--json"], &socket).status.success()
            && status_json(&socket)
                .as_array()
                .is_some_and(|a| a.iter().all(|d| d["state"] == "ready"))
    });
    std::thread::sleep(Duration::from_millis(2400));

    let st = status_json(&socket);
    let kept = device(&st, "kept");
    assert_eq!(kept["reconnects"], 0, "{kept}");
    assert!(kept["keepalives_sent"].as_u64().unwrap() >= 3, "{kept}");
    let bare = device(&st, "bare");
    let err = bare["last_error"].as_str().unwrap_or_default();
    // The device's own reason, read from its last words — not a guess.
    assert!(
        err.contains("closed by the device (idle timeout)"),
        "bare should be dropped by the device: {bare}"
    );

    for name in ["kept", "bare"] {
        let o = netkeep(&["exec", name, "display clock"], &socket);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(out.contains("UTC"), "{name}: {out}");
        assert!(
            !out.contains("<H3C") && !out.contains("display clock"),
            "{out}"
        );
    }
    // Table form shows both devices with their state.
    let o = netkeep(&["status"], &socket);
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("DEVICE") && table.contains("kept") && table.contains("bare"));
    // An unknown device is an error naming it, with a non-zero exit.
    let o = netkeep(&["exec", "nosuch", "display clock"], &socket);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("nosuch"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Bad input: exit code 2 with a clear message.
#[test]
fn bad_input_exits_2() {
    let o = Command::new(BIN)
        .args(["sim", "--platform", "nokia_sros_nonexistent"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nokia_sros_nonexistent"));

    let o = Command::new(BIN)
        .args(["exec", "--bogus-flag"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));

    // There is no --password flag: passwords never go on a command line.
    let o = Command::new(BIN)
        .args([
            "exec",
            "--host",
            "127.0.0.1",
            "--password",
            "x",
            "display clock",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));

    // No daemon and no inventory: says how to proceed, exit 2.
    let dir = tempdir("nodaemon");
    let o = netkeep(&["exec", "sw1", "display clock"], &dir.join("absent.sock"));
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Without a daemon, `exec --inventory` connects directly with the inventory's settings.
#[test]
fn exec_from_inventory_without_daemon() {
    let dir = tempdir("inv");
    let (_sim, ports) = start_sim(&["--platform", "cisco_ios"], 1);
    let inv = dir.join("inv.yaml");
    std::fs::write(
        &inv,
        format!(
            "hosts:\n  r1:\n    hostname: 127.0.0.1\n    port: {}\n    username: admin\n    \
             password_env: NK_TEST_PW\n    platform: cisco_ios\n    host_key_policy: insecure\n",
            ports[0]
        ),
    )
    .unwrap();
    let o = Command::new(BIN)
        .args(["exec", "--inventory"])
        .arg(&inv)
        .args(["r1", "show clock"])
        .env("NETKEEP_SOCKET", dir.join("absent.sock"))
        .env("NK_TEST_PW", "admin")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("UTC"), "{out}");
    assert!(!out.contains("R1>") && !out.contains("show clock"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `serve --platform-dir DIR`: a platform that exists only as a file in DIR (a copy of
/// hp_comware named `my_comware`) is accepted in the inventory and drives the daemon's sessions.
#[test]
fn serve_loads_user_platforms_from_platform_dir() {
    let dir = tempdir("platform-dir");
    let (_sim, ports) = start_sim(&["--platform", "hp_comware"], 1);
    let platforms = dir.join("platforms");
    std::fs::create_dir_all(&platforms).unwrap();
    let comware = include_str!("../../netkeep-platform/platforms/hp_comware.yaml");
    let mine: String = comware
        .lines()
        .map(|l| match l.starts_with("name:") {
            true => "name: my_comware",
            false => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(platforms.join("my_comware.yaml"), mine).unwrap();
    let inv = dir.join("inv.yaml");
    std::fs::write(
        &inv,
        format!(
            "hosts:\n  sw1:\n    hostname: 127.0.0.1\n    port: {}\n    username: admin\n    \
             password_env: NK_TEST_PW\n    platform: my_comware\n    host_key_policy: insecure\n",
            ports[0]
        ),
    )
    .unwrap();
    let socket = dir.join("netkeep.sock");
    let serve = Command::new(BIN)
        .args(["serve", "--inventory"])
        .arg(&inv)
        .arg("--socket")
        .arg(&socket)
        .arg("--platform-dir")
        .arg(&platforms)
        .env("NK_TEST_PW", "admin")
        .env_remove("NETKEEP_PLATFORM_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _serve = Proc(serve);
    wait_for("sw1 ready", Duration::from_secs(10), || {
        socket.exists()
            && netkeep(&["status", "--json"], &socket).status.success()
            && device(&status_json(&socket), "sw1")["state"] == "ready"
    });
    assert_eq!(
        device(&status_json(&socket), "sw1")["platform"],
        "my_comware"
    );
    let o = netkeep(&["exec", "sw1", "display clock"], &socket);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("UTC"));
    let _ = std::fs::remove_dir_all(&dir);
}
