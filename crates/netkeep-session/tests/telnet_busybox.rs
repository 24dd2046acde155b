//! Against a real telnet server we did not write: BusyBox `telnetd` on loopback serving a shell
//! with no login prompt (`-l /bin/sh`), as platform `linux`. Its negotiation (DO ECHO, DO NAWS,
//! WILL ECHO, WILL SGA), its IAC escaping and its CR handling meet ours; it ignores
//! TIMING-MARK, so the probe falls back to checking the connection.
//! Skips with a message if BusyBox's telnetd applet is missing (Debian `busybox-static`), unless
//! NETKEEP_REQUIRE_SYSTEM_TOOLS is set.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use netkeep_session::{Auth, CloseReason, ConnectOptions, Protocol, Secret, Session};

struct Telnetd {
    child: Child,
    port: u16,
}

impl Drop for Telnetd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tools_present() -> bool {
    let ok = Command::new("busybox")
        .args(["telnetd", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if std::env::var_os("NETKEEP_REQUIRE_SYSTEM_TOOLS").is_some() {
            panic!("busybox telnetd missing (Debian busybox-static) and NETKEEP_REQUIRE_SYSTEM_TOOLS is set");
        }
        eprintln!("SKIP: busybox with the telnetd applet not installed (Debian busybox-static)");
    }
    ok
}

async fn start_telnetd() -> Option<Telnetd> {
    if !tools_present() {
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("busybox")
        .args(["telnetd", "-F", "-b", "127.0.0.1", "-p", &port.to_string()])
        .args(["-l", "/bin/sh"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("busybox telnetd starts");
    let d = Telnetd { child, port };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some(d);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("busybox telnetd did not listen on port {port}");
}

fn opts(d: &Telnetd) -> ConnectOptions {
    ConnectOptions::new("127.0.0.1", d.port, "linux")
        .protocol(Protocol::Telnet)
        .username("nobody")
        .auth(Auth::Password(Secret::new("never-asked")))
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(5))
        .device_name("busybox-telnetd")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn netkeep_drives_busybox_telnetd() {
    let Some(d) = start_telnetd().await else {
        return;
    };
    let s = Session::connect(opts(&d)).await.expect("shell prompt");
    assert_eq!(s.send_command("echo hello").await.unwrap(), "hello");
    // Our window size reached the shell's PTY through NAWS: 510 columns, no wrapping.
    assert_eq!(s.send_command("stty size").await.unwrap(), "24 510");
    // 0xFF in the output (doubled by telnetd, undoubled by us) and a CR inside a line.
    assert_eq!(
        s.send_command(r"printf 'a\377b\n'").await.unwrap(),
        "a\u{FFFD}b"
    );
    let out = s
        .send_command(r"printf 'x%.0s' $(seq 600); echo")
        .await
        .unwrap();
    assert_eq!(out, "x".repeat(600));
    // The keepalive (a newline, for linux) reads the prompt back; the probe cannot ask BusyBox
    // (it ignores TIMING-MARK) and checks that the connection is open.
    assert!(s.is_alive().await);
    s.probe(Duration::from_secs(1)).await.unwrap();
    // The shell exits: the device closed the session, and netkeep says so.
    let e = s.send_command("exit").await.unwrap_err();
    assert!(e.is_connection_lost(), "{e}");
    assert_ne!(e.close_reason(), Some(CloseReason::VtyLimit));
    assert!(s.is_closed());
    assert!(s.probe(Duration::from_secs(1)).await.is_err());
    s.disconnect().await;
}
