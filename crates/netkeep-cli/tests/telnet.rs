//! `netkeep exec` over telnet against `netkeep sim --protocol telnet`: selected only when asked
//! (`--protocol telnet` or a `_telnet` platform name), the clear-text warning, exit codes.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_netkeep");

struct Sim(Child, u16);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `netkeep sim --platform cisco_ios_telnet --port 0`: a telnet device; its port.
fn sim() -> Sim {
    let mut c = Command::new(BIN)
        .args(["sim", "--platform", "cisco_ios_telnet", "--port", "0"])
        .env("NETKEEP_SIM_PASSWORD", "admin")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(c.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line.trim().rsplit(':').next().unwrap().parse().unwrap();
    Sim(c, port)
}

fn exec(port: u16, password: &str, extra: &[&str]) -> Output {
    Command::new(BIN)
        .args([
            "exec",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "-u",
            "admin",
        ])
        .args(["--connect-timeout", "3s"])
        .args(extra)
        .env("NETKEEP_PASSWORD", password)
        .env_remove("NETKEEP_LOG")
        .output()
        .unwrap()
}

#[test]
fn exec_over_telnet_only_when_asked() {
    let d = sim();
    let o = exec(
        d.1,
        "admin",
        &[
            "--platform",
            "cisco_ios",
            "--protocol",
            "telnet",
            "show clock",
        ],
    );
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains("UTC"), "{out}");
    assert!(err.contains("clear text"), "the warning, once: {err}");
    assert_eq!(err.matches("clear text").count(), 1, "{err}");
    // A Netmiko telnet name is explicit too; a wrong password is exit 3.
    let o = exec(
        d.1,
        "wrong",
        &["--platform", "cisco_ios_telnet", "show clock"],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("Login invalid") && !err.contains("wrong"),
        "{err}"
    );
    // SSH to a telnet port: no silent fallback, the SSH handshake fails (exit 5).
    let o = exec(d.1, "admin", &["--platform", "cisco_ios", "show clock"]);
    assert_eq!(
        o.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Usage errors: a key file over telnet, an unknown protocol.
    let o = exec(
        d.1,
        "admin",
        &["--platform", "cisco_ios_telnet", "--key-file", "/k", "x"],
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = exec(
        d.1,
        "admin",
        &["--platform", "cisco_ios", "--protocol", "rsh", "x"],
    );
    assert_eq!(o.status.code(), Some(2));
}
