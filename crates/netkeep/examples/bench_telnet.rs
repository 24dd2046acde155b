//! A command over telnet vs over SSH, against the same simulated device.
//!
//! ```sh
//! cargo run --release -p netkeep --example bench_telnet               # defaults below
//! cargo run --release -p netkeep --example bench_telnet -- 5000 200
//! #                                              commands ^  connects ^
//! ```
//!
//! One simulated hp_comware serves SSH on one port and telnet on another (the same model, VTY
//! lines and CLI engine: only the front end differs). For each protocol: connect to the ready
//! prompt (TCP, SSH handshake + auth + PTY or telnet negotiation + typed login, first prompt,
//! `screen-length disable`), `send_command("display clock")` on a warm session, `is_alive()`
//! (NUL; Comware echoes it), and `probe()` (SSH ping / telnet TIMING-MARK): p50 and p99.

use std::time::{Duration, Instant};

use netkeep::{Auth, ConnectOptions, HostKeyPolicy, KeepaliveMode, Protocol, Secret, Session};
use netkeep_sim::{DeviceConfig, SimDevice};

fn opts(port: u16, protocol: Protocol) -> ConnectOptions {
    ConnectOptions::new("127.0.0.1", port, "hp_comware")
        .protocol(protocol)
        .username("admin")
        .auth(Auth::Password(Secret::new("admin")))
        .host_key_policy(HostKeyPolicy::Insecure)
        .connect_timeout(Duration::from_secs(30))
        .keepalive(KeepaliveMode::Off)
}

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// p50 and p99 of `n` runs of `f`.
async fn timed<F, Fut>(n: usize, mut f: F) -> (Duration, Duration)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f().await;
        v.push(t.elapsed());
    }
    (pct(&mut v, 0.5), pct(&mut v, 0.99))
}

struct Row {
    connect: (Duration, Duration),
    command: (Duration, Duration),
    is_alive: (Duration, Duration),
    probe: (Duration, Duration),
}

async fn measure(port: u16, protocol: Protocol, commands: usize, connects: usize) -> Row {
    let connect = timed(connects, || async {
        let s = Session::connect(opts(port, protocol)).await.unwrap();
        s.disconnect().await;
    })
    .await;
    let s = Session::connect(opts(port, protocol)).await.unwrap();
    for _ in 0..200 {
        s.send_command("display clock").await.unwrap();
    }
    let command = timed(commands, || async {
        let out = s.send_command("display clock").await.unwrap();
        assert!(out.contains("UTC"), "{out:?}");
    })
    .await;
    let is_alive = timed(commands / 2, || async { assert!(s.is_alive().await) }).await;
    let probe = timed(commands / 2, || async {
        s.probe(Duration::from_secs(5)).await.unwrap();
    })
    .await;
    s.disconnect().await;
    Row {
        connect,
        command,
        is_alive,
        probe,
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let commands = args.first().copied().unwrap_or(5000);
    let connects = args.get(1).copied().unwrap_or(200);
    let dev = SimDevice::start(
        DeviceConfig::new("hp_comware"),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let telnet = dev
        .listen(Protocol::Telnet, "127.0.0.1:0".parse().unwrap())
        .unwrap();
    let ssh = measure(dev.addr().port(), Protocol::Ssh, commands, connects).await;
    let tel = measure(telnet.port(), Protocol::Telnet, commands, connects).await;
    println!(
        "hp_comware simulator, {commands} commands, {connects} connects per protocol (p50 / p99)"
    );
    println!("| figure | SSH | telnet |");
    println!("|---|---|---|");
    let rows = [
        ("connect to ready prompt", ssh.connect, tel.connect),
        (
            "`display clock` on a warm session",
            ssh.command,
            tel.command,
        ),
        ("is_alive() (NUL, echo proof)", ssh.is_alive, tel.is_alive),
        ("probe() (SSH ping / TIMING-MARK)", ssh.probe, tel.probe),
    ];
    for (what, a, b) in rows {
        println!(
            "| {what} | {} / {} | {} / {} |",
            ms(a.0),
            ms(a.1),
            ms(b.0),
            ms(b.1)
        );
    }
    dev.stop().await;
}
