//! Speed and memory of netkeep sessions against the simulator.
//!
//! ```sh
//! cargo run --release -p netkeep --example bench_session            # defaults below
//! cargo run --release -p netkeep --example bench_session -- 1000 1000 200
//! #                                               commands ^  sessions ^  connects ^
//! ```
//!
//! Measures, against a simulated hp_comware (no login delay):
//! - the floor: a bare russh client writing `display clock\n` and waiting for `<H3C>` (no
//!   cleaning, no lock, no regex), in the same process as the simulator;
//! - netkeep `send_command("display clock")` on a warm session, same simulator: p50/p99;
//! - connect to the ready prompt (TCP, SSH, auth, PTY, shell, prompt, `screen-length disable`);
//! - resident memory per open session, with the simulator in a child process so only the
//!   client side is counted.

use std::io::{BufRead, BufReader};
use std::sync::Arc;
use std::time::{Duration, Instant};

use netkeep::{Auth, ConnectOptions, HostKeyPolicy, Secret, Session};
use netkeep_sim::{DeviceConfig, SimDevice};

fn opts(port: u16) -> ConnectOptions {
    ConnectOptions::new("127.0.0.1", port, "hp_comware")
        .username("admin")
        .auth(Auth::Password(Secret::new("admin")))
        .host_key_policy(HostKeyPolicy::Insecure)
        .connect_timeout(Duration::from_secs(30))
}

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

struct Bare;
impl russh::client::Handler for Bare {
    type Error = russh::Error;
    async fn check_server_key(
        &mut self,
        _key: &russh::keys::PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// The floor: russh alone.
async fn bare_round_trips(port: u16, n: usize) -> Vec<Duration> {
    let cfg = Arc::new(russh::client::Config {
        nodelay: true,
        ..Default::default()
    });
    let mut h = russh::client::connect(cfg, ("127.0.0.1", port), Bare)
        .await
        .unwrap();
    let r = h.authenticate_password("admin", "admin").await.unwrap();
    assert!(r.success());
    let mut ch = h.channel_open_session().await.unwrap();
    ch.request_pty(false, "vt100", 511, 24, 0, 0, &[])
        .await
        .unwrap();
    ch.request_shell(false).await.unwrap();
    let mut buf: Vec<u8> = Vec::new();
    let wait_prompt = |buf: &[u8]| buf.ends_with(b"<H3C>");
    while !wait_prompt(&buf) {
        if let Some(russh::ChannelMsg::Data { data }) = ch.wait().await {
            buf.extend_from_slice(&data);
        }
    }
    ch.data(&b"screen-length disable\n"[..]).await.unwrap();
    buf.clear();
    while !(buf.ends_with(b"<H3C>") && buf.contains(&b'\n')) {
        if let Some(russh::ChannelMsg::Data { data }) = ch.wait().await {
            buf.extend_from_slice(&data);
        }
    }
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        buf.clear();
        let t = Instant::now();
        ch.data(&b"display clock\n"[..]).await.unwrap();
        loop {
            if let Some(russh::ChannelMsg::Data { data }) = ch.wait().await {
                buf.extend_from_slice(&data);
                if buf.ends_with(b"<H3C>") && buf.contains(&b'\n') {
                    break;
                }
            }
        }
        times.push(t.elapsed());
    }
    times
}

async fn child_sim() {
    let mut cfg = DeviceConfig::new("hp_comware");
    cfg.vty_limit = None;
    let dev = SimDevice::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    println!("{}", dev.addr().port());
    // Run until the parent closes our stdin.
    let _ = tokio::task::spawn_blocking(|| {
        let mut s = String::new();
        let _ = std::io::stdin().read_line(&mut s);
    })
    .await;
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child-sim") {
        child_sim().await;
        return;
    }
    let n_cmd: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let n_sess: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let n_conn: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(200);

    let dev = SimDevice::start(
        DeviceConfig::new("hp_comware"),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let port = dev.addr().port();

    // Warm up both paths, then measure.
    bare_round_trips(port, 200).await;
    let mut bare = bare_round_trips(port, n_cmd).await;

    let s = Session::connect(opts(port)).await.unwrap();
    for _ in 0..200 {
        s.send_command("display clock").await.unwrap();
    }
    let mut ours = Vec::with_capacity(n_cmd);
    for _ in 0..n_cmd {
        let t = Instant::now();
        let out = s.send_command("display clock").await.unwrap();
        ours.push(t.elapsed());
        debug_assert!(out.contains("UTC"));
    }
    let (b50, b99) = (pct(&mut bare, 0.5), pct(&mut bare, 0.99));
    let (o50, o99) = (pct(&mut ours, 0.5), pct(&mut ours, 0.99));
    println!("small command `display clock` → <H3C>, {n_cmd} round trips, simulator in-process:");
    println!("  bare russh      p50 {}  p99 {}", us(b50), us(b99));
    println!(
        "  netkeep         p50 {}  p99 {}  ({:.2}× the bare p50)",
        us(o50),
        us(o99),
        o50.as_secs_f64() / b50.as_secs_f64()
    );
    let mut ka = Vec::with_capacity(200);
    for _ in 0..200 {
        let t = Instant::now();
        assert!(s.is_alive().await);
        ka.push(t.elapsed());
    }
    println!(
        "  is_alive()      p50 {}  p99 {}",
        us(pct(&mut ka, 0.5)),
        us(pct(&mut ka, 0.99))
    );
    s.disconnect().await;

    let mut conn = Vec::with_capacity(n_conn);
    for _ in 0..n_conn {
        let t = Instant::now();
        let s = Session::connect(opts(port)).await.unwrap();
        conn.push(t.elapsed());
        s.disconnect().await;
    }
    println!(
        "connect to the ready prompt (kex curve25519/mlkem + ed25519, password, pty, shell, prompt, \
         screen-length disable), {n_conn} sequential: p50 {:.2} ms  p99 {:.2} ms",
        pct(&mut conn, 0.5).as_secs_f64() * 1e3,
        pct(&mut conn, 0.99).as_secs_f64() * 1e3
    );
    dev.stop().await;

    // Memory: the simulator in a child process.
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--child-sim")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let cport: u16 = line.trim().parse().unwrap();
    // One session first so one-time allocations (platform regexes, runtime) are not counted.
    let first = Session::connect(opts(cport)).await.unwrap();
    first.send_command("display clock").await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = rss_kib();
    let t = Instant::now();
    let mut sessions = Vec::with_capacity(n_sess);
    for chunk in 0..n_sess.div_ceil(50) {
        let mut tasks = vec![];
        for _ in 0..50.min(n_sess - chunk * 50) {
            tasks.push(tokio::spawn(Session::connect(opts(cport))));
        }
        for t in tasks {
            sessions.push(t.await.unwrap().unwrap());
        }
    }
    let opened = t.elapsed();
    // Every session runs one command so its buffers are in use.
    let t = Instant::now();
    let mut tasks = vec![];
    for s in &sessions {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.send_command("display clock").await.map(|o| o.len())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let all_cmd = t.elapsed();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = rss_kib();
    println!(
        "{n_sess} sessions open (simulator in a child process): opened in {:.2} s, one command on all at once {:.0} ms, client RSS +{} KiB = {:.1} KiB per session",
        opened.as_secs_f64(),
        all_cmd.as_secs_f64() * 1e3,
        after.saturating_sub(before),
        after.saturating_sub(before) as f64 / n_sess as f64
    );
    for s in &sessions {
        s.disconnect().await;
    }
    drop(child.stdin.take());
    let _ = child.wait();
}
