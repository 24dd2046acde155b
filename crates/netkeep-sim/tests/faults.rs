//! Injected faults: stall (half-open), reset, reboot (new host key), slow drip, garbage,
//! unsolicited lines, prompt-like text, failing authentication.

mod common;

use std::time::{Duration, Instant};

use common::Cli;
use netkeep_sim::{DeviceConfig, Fault, SimDevice};

const S: Duration = Duration::from_secs(5);

async fn dev(platform: &str) -> SimDevice {
    let mut cfg = DeviceConfig::new(platform);
    cfg.idle_timeout = Some(Duration::ZERO);
    SimDevice::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn stall_keeps_tcp_open_but_answers_nothing_until_cleared() {
    let d = dev("hp_comware").await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("<H3C>", S).await.unwrap();
    d.set_fault(Fault::Stall);
    c.send(b"display clock\n").await;
    // Neither the CLI nor the SSH layer answers: a keepalive with want_reply gets nothing back.
    let ping = tokio::time::timeout(Duration::from_millis(500), c.handle.send_ping()).await;
    assert!(ping.is_err(), "ping answered during a stall: {ping:?}");
    let got = c.drain(Duration::from_millis(300)).await;
    assert_eq!(got, "", "data during stall");
    assert!(!c.closed);
    // New connections stall too (TCP accepted, no SSH banner).
    let fresh = tokio::time::timeout(
        Duration::from_millis(400),
        Cli::try_connect(d.addr(), "admin", "admin"),
    )
    .await;
    assert!(fresh.is_err(), "login succeeded during stall");
    d.clear_faults();
    let out = c.read_until("<H3C>", S).await.unwrap();
    assert!(out.contains("UTC"), "{out:?}");
}

#[tokio::test]
async fn reset_drops_every_connection_at_once() {
    let d = dev("cisco_ios").await;
    let mut a = Cli::connect(d.addr()).await;
    a.read_until("R1>", S).await.unwrap();
    let mut b = Cli::connect(d.addr()).await;
    b.read_until("R1>", S).await.unwrap();
    let t = Instant::now();
    d.set_fault(Fault::Reset);
    a.wait_closed(S).await.unwrap();
    b.wait_closed(S).await.unwrap();
    assert!(t.elapsed() < Duration::from_secs(1));
    // The device itself keeps listening.
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("R1>", S).await.unwrap();
}

#[tokio::test]
async fn reboot_closes_the_port_then_comes_back_with_a_new_host_key() {
    let d = dev("huawei").await;
    let fp = d.host_key_fingerprint();
    let mut a = Cli::connect(d.addr()).await;
    a.read_until("<HUAWEI>", S).await.unwrap();
    d.set_fault(Fault::Reboot {
        down: Duration::from_millis(600),
        new_host_key: true,
    });
    a.wait_closed(S).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let refused = tokio::net::TcpStream::connect(d.addr()).await;
    assert!(refused.is_err(), "port open during reboot");
    // The port stays bound while down, so another socket (here one without SO_REUSEADDR, as
    // the kernel's ephemeral port choice behaves) cannot take it meanwhile.
    let squatter = tokio::net::TcpSocket::new_v4().unwrap();
    squatter.set_reuseaddr(false).unwrap();
    assert!(
        squatter.bind(d.addr()).is_err(),
        "port free for others during reboot"
    );
    let t = Instant::now();
    loop {
        if tokio::net::TcpStream::connect(d.addr()).await.is_ok() {
            break;
        }
        assert!(t.elapsed() < S, "device never came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_ne!(d.host_key_fingerprint(), fp);
    let mut b = Cli::connect(d.addr()).await;
    b.read_until("<HUAWEI>", S).await.unwrap();
}

#[tokio::test]
async fn slow_drip_spreads_output_over_time() {
    let d = dev("hp_comware").await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("<H3C>", S).await.unwrap();
    c.cmd("screen-length disable", "<H3C>").await;
    d.set_fault(Fault::SlowDrip {
        chunk: 64,
        delay: Duration::from_millis(20),
    });
    let t = Instant::now();
    let out = c.cmd("display version", "<H3C>").await;
    // ~900 bytes in 64-byte pieces every 20 ms: at least ~250 ms.
    assert!(
        t.elapsed() >= Duration::from_millis(200),
        "{:?}",
        t.elapsed()
    );
    assert!(out.contains("Comware Software"));
}

#[tokio::test]
async fn garbage_unsolicited_and_prompt_like_text_in_outputs() {
    let d = dev("hp_comware").await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("<H3C>", S).await.unwrap();
    c.cmd("screen-length disable", "<H3C>").await;
    d.set_fault(Fault::UnsolicitedLines);
    let out = c.cmd("display version", "\r\n<H3C>").await;
    assert!(
        out.contains("%Nov 26 10:00:00:123 2026 H3C SHELL/5/SHELL_LOGIN:"),
        "{out}"
    );
    d.clear_faults();
    d.set_fault(Fault::Garbage);
    c.send(b"display version\n").await;
    let raw = c.drain(Duration::from_millis(300)).await;
    assert!(
        raw.contains('\u{fffd}') || raw.bytes().any(|b| b < 0x20 && b != b'\r' && b != b'\n'),
        "no garbage"
    );
    d.clear_faults();
    d.set_fault(Fault::PromptInOutput);
    let out = c.cmd("display version", "\r\n<H3C>").await;
    assert!(out.contains("fake prompt ahead <H3C>"), "{out}");
    let mut c2 = Cli::connect(d.addr()).await;
    let banner = c2.read_until("authorized use only", S).await.unwrap();
    assert!(banner.contains("<H3C> [H3C]"), "{banner:?}");

    let j = dev("juniper_junos").await;
    let mut c = Cli::connect(j.addr()).await;
    c.read_until("admin@router1> ", S).await.unwrap();
    c.cmd("set cli screen-length 0", "admin@router1> ").await;
    j.set_fault(Fault::UnsolicitedLines);
    let out = c.cmd("show configuration", "\r\nadmin@router1> ").await;
    assert!(
        out.contains("Warning: session will be closed in 5 minutes if there is no activity"),
        "{out}"
    );
}

#[tokio::test]
async fn failing_authentication_is_counted_per_attempt() {
    let d = dev("arista_eos").await;
    d.set_fault(Fault::AuthFailing);
    for _ in 0..3 {
        assert!(Cli::try_connect(d.addr(), "admin", "admin").await.is_err());
    }
    assert_eq!(d.counters().auth_failures, 3);
    d.clear_faults();
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("arista1>", S).await.unwrap();
    assert_eq!(d.counters().auth_failures, 3);
}

#[tokio::test]
async fn stop_closes_sessions_and_the_port() {
    let d = dev("cisco_nxos").await;
    let addr = d.addr();
    let mut c = Cli::connect(addr).await;
    c.read_until("switch# ", S).await.unwrap();
    let t = Instant::now();
    d.stop().await;
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "{:?}",
        t.elapsed()
    );
    c.wait_closed(S).await.unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
