//! End-to-end tests of the `netkeep` binary: `sim`, `serve`, `exec`, `status` as separate
//! processes, the way a user runs them.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{wait_for, Proc, TempDir, BIN};

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

/// `netkeep serve` on `inv` and `socket` (password `admin` in `NK_TEST_PW`), with `extra` flags.
fn serve(inv: &Path, socket: &Path, extra: &[&std::ffi::OsStr]) -> Proc {
    let child = Command::new(BIN)
        .args(["serve", "--inventory"])
        .arg(inv)
        .arg("--socket")
        .arg(socket)
        .args(extra)
        .env("NK_TEST_PW", "admin")
        .env_remove("NETKEEP_PLATFORM_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Proc(child)
}

/// `dir/inv.yaml` with one host on 127.0.0.1:`port`, user admin, password from `NK_TEST_PW`,
/// any host key.
fn one_host_inventory(dir: &Path, host: &str, port: u16, platform: &str) -> PathBuf {
    let inv = dir.join("inv.yaml");
    let y = format!(
        "hosts:\n  {host}:\n    hostname: 127.0.0.1\n    port: {port}\n    username: admin\n    \
         password_env: NK_TEST_PW\n    platform: {platform}\n    host_key_policy: insecure\n"
    );
    std::fs::write(&inv, y).unwrap();
    inv
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
    let tmp = TempDir::new("seed");
    let dir = tmp.path();
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
    let _serve = serve(&inv, &socket, &[]);
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

    // There is no --password flag: passwords never go on a command line. Every other thing a
    // direct exec needs is given, so the flag itself is what is refused.
    let tmp = TempDir::new("nopwflag");
    let pw = tmp.path().join("pw");
    std::fs::write(&pw, "admin\n").unwrap();
    let o = Command::new(BIN)
        .args(["exec", "--host", "127.0.0.1", "--platform", "hp_comware"])
        .args(["--username", "admin", "--password-file"])
        .arg(&pw)
        .args(["--password", "x", "display clock"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("unexpected argument '--password'"), "{err}");

    // No daemon and no inventory: says how to proceed, exit 2.
    let tmp = TempDir::new("nodaemon");
    let dir = tmp.path();
    let o = netkeep(&["exec", "sw1", "display clock"], &dir.join("absent.sock"));
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Without a daemon, `exec --inventory` connects directly with the inventory's settings.
#[test]
fn exec_from_inventory_without_daemon() {
    let tmp = TempDir::new("inv");
    let dir = tmp.path();
    let (_sim, ports) = start_sim(&["--platform", "cisco_ios"], 1);
    let inv = one_host_inventory(dir, "r1", ports[0], "cisco_ios");
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
}

/// `serve --platform-dir DIR`: a platform that exists only as a file in DIR (a copy of
/// hp_comware named `my_comware`) is accepted in the inventory and drives the daemon's sessions.
#[test]
fn serve_loads_user_platforms_from_platform_dir() {
    let tmp = TempDir::new("platform-dir");
    let dir = tmp.path();
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
    let inv = one_host_inventory(dir, "sw1", ports[0], "my_comware");
    let socket = dir.join("netkeep.sock");
    let _serve = serve(
        &inv,
        &socket,
        &["--platform-dir".as_ref(), platforms.as_os_str()],
    );
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
}
