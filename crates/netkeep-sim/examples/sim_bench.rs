//! Benchmark: is the simulator ever the bottleneck?
//!
//! ```text
//! cargo run --release -p netkeep-sim --example sim_bench -- [commands=2000] [sessions=10000]
//! ```
//! 1. Round trip of `display clock` → `<H3C>` over one session, against the simulator and against
//!    a bare russh echo server (same client, same process) — p50/p99.
//! 2. `sessions` concurrent logins to a simulator running in a child process (this binary with
//!    `serve`), then the child's RSS per session and its CPU use while the sessions sit idle.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use netkeep_sim::{DeviceConfig, SimDevice};
use russh::keys::PublicKeyOrCertificate;
use russh::server::{Auth, Msg, Server as _, Session};
use russh::{client, Channel, ChannelId, ChannelMsg};

struct Accept;
impl client::Handler for Accept {
    type Error = russh::Error;
    async fn check_server_key(&mut self, _k: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

type Ch = Channel<client::Msg>;

async fn login(addr: SocketAddr) -> Result<(client::Handle<Accept>, Ch), String> {
    let cfg = Arc::new(client::Config {
        nodelay: true,
        inactivity_timeout: None,
        ..Default::default()
    });
    let mut h = client::connect(cfg, addr, Accept)
        .await
        .map_err(|e| e.to_string())?;
    if !h
        .authenticate_password("admin", "admin")
        .await
        .map_err(|e| e.to_string())?
        .success()
    {
        return Err("auth failed".into());
    }
    let ch = h.channel_open_session().await.map_err(|e| e.to_string())?;
    ch.request_pty(false, "vt100", 200, 24, 0, 0, &[])
        .await
        .map_err(|e| e.to_string())?;
    ch.request_shell(false).await.map_err(|e| e.to_string())?;
    Ok((h, ch))
}

async fn read_until(ch: &mut Ch, pat: &[u8], buf: &mut Vec<u8>) -> Result<(), String> {
    loop {
        if let Some(i) = buf.windows(pat.len()).position(|w| w == pat) {
            buf.drain(..i + pat.len());
            return Ok(());
        }
        match tokio::time::timeout(Duration::from_secs(10), ch.wait()).await {
            Ok(Some(ChannelMsg::Data { data })) => buf.extend_from_slice(&data),
            Ok(Some(_)) => {}
            Ok(None) => return Err("closed".into()),
            Err(_) => return Err(format!("timeout; have {:?}", String::from_utf8_lossy(buf))),
        }
    }
}

async fn round_trips(addr: SocketAddr, n: usize) -> Result<Vec<Duration>, String> {
    let (_h, mut ch) = login(addr).await?;
    let mut buf = Vec::new();
    read_until(&mut ch, b"<H3C>", &mut buf).await?;
    ch.data_bytes(&b"screen-length disable\n"[..])
        .await
        .map_err(|e| e.to_string())?;
    read_until(&mut ch, b"<H3C>", &mut buf).await?;
    let mut v = Vec::with_capacity(n);
    for i in 0..n + 100 {
        let t = Instant::now();
        ch.data_bytes(&b"display clock\n"[..])
            .await
            .map_err(|e| e.to_string())?;
        read_until(&mut ch, b"<H3C>", &mut buf).await?;
        if i >= 100 {
            v.push(t.elapsed()); // the first 100 warm up
        }
    }
    v.sort();
    Ok(v)
}

fn pct(v: &[Duration], p: f64) -> f64 {
    v[((v.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1e3
}

/// The floor: a russh server that answers every line with a fixed clock line and prompt.
#[derive(Clone)]
struct Echo;
impl russh::server::Server for Echo {
    type Handler = Echo;
    fn new_client(&mut self, _: Option<SocketAddr>) -> Echo {
        Echo
    }
}
impl russh::server::Handler for Echo {
    type Error = russh::Error;
    async fn auth_password(&mut self, _: &str, _: &str) -> Result<Auth, Self::Error> {
        Ok(Auth::Accept)
    }
    async fn channel_open_session(
        &mut self,
        _c: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        _s: &mut Session,
    ) -> Result<(), Self::Error> {
        reply.accept().await;
        Ok(())
    }
    async fn shell_request(&mut self, ch: ChannelId, s: &mut Session) -> Result<(), Self::Error> {
        s.channel_success(ch)?;
        s.data(ch, &b"\r\n<H3C>"[..])?;
        Ok(())
    }
    async fn data(
        &mut self,
        ch: ChannelId,
        data: &[u8],
        s: &mut Session,
    ) -> Result<(), Self::Error> {
        if data.ends_with(b"\n") {
            let mut out = data[..data.len() - 1].to_vec();
            out.extend_from_slice(b"\r\n10:00:00.123 UTC Thu 11/26/2026\r\n<H3C>");
            s.data(ch, out)?;
        }
        Ok(())
    }
}

fn proc_status(pid: u32, key: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn cpu_ticks(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = s.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
        + f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("serve") {
        let mut cfg = DeviceConfig::new("hp_comware");
        cfg.idle_timeout = Some(Duration::ZERO);
        let dev = SimDevice::start(cfg, "127.0.0.1:0".parse()?).await?;
        println!("{}", dev.addr());
        tokio::signal::ctrl_c().await?;
        return Ok(());
    }
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let sessions: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10_000);

    // 1. Round trips, simulator vs bare echo server, same process.
    let mut cfg = DeviceConfig::new("hp_comware");
    cfg.idle_timeout = Some(Duration::ZERO);
    let dev = SimDevice::start(cfg, "127.0.0.1:0".parse()?).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let echo_addr = listener.local_addr()?;
    let key = russh::keys::PrivateKey::from(
        russh::keys::ssh_key::private::Ed25519Keypair::from_seed(&[7u8; 32]),
    );
    let scfg = Arc::new(russh::server::Config {
        keys: vec![key],
        nodelay: true,
        auth_rejection_time_initial: Some(Duration::ZERO),
        inactivity_timeout: None,
        ..Default::default()
    });
    tokio::spawn(async move {
        let _ = Echo.run_on_socket(scfg, &listener).await;
    });
    let sim = round_trips(dev.addr(), n).await?;
    let echo = round_trips(echo_addr, n).await?;
    println!("round trip over {n} commands (display clock -> prompt), same process:");
    println!(
        "  simulator   p50 {:.3} ms  p99 {:.3} ms",
        pct(&sim, 0.5),
        pct(&sim, 0.99)
    );
    println!(
        "  bare russh  p50 {:.3} ms  p99 {:.3} ms",
        pct(&echo, 0.5),
        pct(&echo, 0.99)
    );
    println!("  ratio p50 {:.2}x", pct(&sim, 0.5) / pct(&echo, 0.5));
    dev.stop().await;

    // 2. Concurrent sessions against a simulator in a child process.
    let exe = std::env::current_exe()?;
    let mut child = tokio::process::Command::new(exe)
        .arg("serve")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().ok_or("child has no pid")?;
    let mut out = tokio::io::BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let mut line = String::new();
    tokio::io::AsyncBufReadExt::read_line(&mut out, &mut line).await?;
    let addr: SocketAddr = line.trim().parse()?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rss0 = proc_status(pid, "VmRSS:");
    let t = Instant::now();
    let sem = Arc::new(tokio::sync::Semaphore::new(256));
    let mut tasks = Vec::with_capacity(sessions);
    for _ in 0..sessions {
        let sem = sem.clone();
        tasks.push(tokio::spawn(async move {
            let _p = sem.acquire().await;
            let (h, mut ch) = login(addr).await?;
            let mut buf = Vec::new();
            read_until(&mut ch, b"<H3C>", &mut buf).await?;
            Ok::<_, String>((h, ch))
        }));
    }
    let mut open = Vec::with_capacity(sessions);
    let mut failed = 0;
    for t in tasks {
        match t.await {
            Ok(Ok(s)) => open.push(s),
            _ => failed += 1,
        }
    }
    let took = t.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss1 = proc_status(pid, "VmRSS:");
    let c0 = cpu_ticks(pid);
    tokio::time::sleep(Duration::from_secs(5)).await;
    let c1 = cpu_ticks(pid);
    let tick = 100.0; // USER_HZ
    println!(
        "{} concurrent sessions opened in {:.2} s ({} failed)",
        open.len(),
        took.as_secs_f64(),
        failed
    );
    println!(
        "  simulator process RSS {} MiB -> {} MiB: {:.1} KiB per session",
        rss0 / 1024,
        rss1 / 1024,
        (rss1.saturating_sub(rss0)) as f64 / open.len().max(1) as f64
    );
    println!(
        "  simulator CPU while idle: {:.2} % of one core",
        (c1 - c0) as f64 / tick / 5.0 * 100.0
    );
    // One command on every session at once.
    let t = Instant::now();
    let mut tasks = Vec::new();
    for (h, mut ch) in open {
        tasks.push(tokio::spawn(async move {
            let mut buf = Vec::new();
            ch.data_bytes(&b"display clock\n"[..])
                .await
                .map_err(|e| e.to_string())?;
            read_until(&mut ch, b"<H3C>", &mut buf).await?;
            Ok::<_, String>((h, ch))
        }));
    }
    let mut ok = 0;
    for t in tasks {
        if let Ok(Ok(_)) = t.await {
            ok += 1;
        }
    }
    println!(
        "  one command on all {ok} sessions at once: {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let _ = child.kill().await;
    Ok(())
}
