//! `netkeep demo`: the seed experiment at its real timings against an embedded simulated H3C
//! Comware switch, then what a warm session buys against a device with a slow login.
//!
//! 1. Configure the switch like the seed did (`line vty 0 63` / `idle-timeout 0 10`), open a
//!    session, call `is_alive()` every 3 s: a command at 15 s still works.
//! 2. Stop calling it and stay silent for 11 s: the device closes the session, and the next
//!    command fails with the typed "closed by the device (idle timeout)" error. A second session
//!    kept by netkeep's own keepalive task is still there.
//! 3. Cold connect + command vs a command on a warm session, against a 1.5 s login.
//!
//! `--protocol telnet` runs it all over telnet: the switch asks for the login in the terminal,
//! and `is_alive()`'s proof of life is a TIMING-MARK round trip instead of an SSH ping.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use netkeep::{
    Auth, CloseReason, ConnectOptions, HostKeyPolicy, KeepaliveMode, Protocol, Secret, Session,
};
use netkeep_sim::{DeviceConfig, SimDevice};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The switch's idle timeout in seconds (the seed's was 10); the other timings scale with it
    /// (is_alive every 0.3×, command at 1.5×, silence 1.1×).
    #[arg(long, default_value_t = 10.0)]
    idle_timeout: f64,
    /// Login delay of the slow device, in milliseconds.
    #[arg(long, default_value_t = 1500)]
    login_delay_ms: u64,
    /// ssh, or telnet: the same experiment with the switch reached over telnet.
    #[arg(long, default_value = "ssh", value_parser = parse_protocol)]
    protocol: Protocol,
}

fn parse_protocol(s: &str) -> Result<Protocol, String> {
    s.parse()
}

struct Clock {
    t0: Instant,
    tty: bool,
}

impl Clock {
    fn say(&self, msg: &str) {
        self.clear();
        println!("[{:>5.1}s] {msg}", self.t0.elapsed().as_secs_f64());
    }

    fn note(&self, msg: &str) {
        self.clear();
        println!("         {msg}");
    }

    fn clear(&self) {
        if self.tty {
            eprint!("\r\x1b[K");
        }
    }

    /// Waits until `until`, showing a countdown line on a terminal.
    async fn wait_until(&self, until: Instant, label: &str) {
        if !self.tty {
            tokio::time::sleep_until(until.into()).await;
            return;
        }
        let spinner = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
        let mut i = 0;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            eprint!(
                "\r\x1b[K{} [{:>5.1}s] {label}: {:.1} s to go",
                spinner[i % spinner.len()],
                self.t0.elapsed().as_secs_f64(),
                left.as_secs_f64()
            );
            let _ = std::io::stderr().flush();
            i += 1;
            tokio::time::sleep(left.min(Duration::from_millis(100))).await;
        }
        self.clear();
    }
}

fn opts(dev: &SimDevice, name: &str) -> ConnectOptions {
    ConnectOptions::new("127.0.0.1", dev.addr().port(), "hp_comware")
        .protocol(dev.protocol())
        .username("admin")
        .auth(Auth::Password(Secret::new("admin")))
        // A fresh simulated device with a fresh key: nothing to verify, nothing to remember.
        .host_key_policy(HostKeyPolicy::Insecure)
        .device_name(name)
}

fn ms(d: Duration) -> String {
    let m = d.as_secs_f64() * 1e3;
    if m < 10.0 {
        format!("{m:.2} ms")
    } else {
        format!("{m:.0} ms")
    }
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !(args.idle_timeout.is_finite() && args.idle_timeout >= 1.0 && args.idle_timeout <= 600.0) {
        anyhow::bail!("--idle-timeout must be between 1 and 600 seconds");
    }
    let t = Duration::from_secs_f64(args.idle_timeout);
    let clock = Clock {
        t0: Instant::now(),
        tty: std::io::stderr().is_terminal(),
    };

    let mut cfg = DeviceConfig::new("hp_comware");
    cfg.banner = true;
    cfg.protocol = args.protocol;
    let dev = SimDevice::start(cfg, "127.0.0.1:0".parse()?).await?;
    println!(
        "netkeep demo: the seed experiment against a simulated H3C Comware switch on {} ({})",
        dev.addr(),
        args.protocol
    );
    configure(&dev, t, &clock).await?;

    let started = Instant::now();
    let seed = Session::connect(opts(&dev, "sim-h3c").keepalive(KeepaliveMode::Off)).await?;
    let connect_time = started.elapsed();
    let kept = Session::connect(
        opts(&dev, "sim-h3c (keepalive task)")
            .idle_timeout(Some(t))
            .keepalive(KeepaliveMode::Nul),
    )
    .await?;
    let prompt = seed.find_prompt().await?;
    clock.say(&format!(
        "session A connected in {} (banner answered), prompt {prompt}",
        ms(connect_time)
    ));
    clock.note(&format!(
        "session B: the same, but kept by netkeep's keepalive task (NUL every {:.1} s)",
        (t / 3).as_secs_f64()
    ));
    let mut ok = seed_loop(&seed, t, &clock).await;
    ok &= silence(&seed, &kept, t, &clock).await;
    clock.note(&format!(
        "the switch counted {} session(s) closed by its idle timeout",
        dev.counters().idle_timeouts
    ));
    kept.disconnect().await;
    dev.stop().await;
    let delay = Duration::from_millis(args.login_delay_ms);
    cold_and_warm(delay, args.protocol, &clock).await?;

    println!(
        "{} in {:.1} s: a NUL written into the session restarts the switch's idle timer, {} \
         do not; netkeep sends it for you, under the session lock, and tells a closed \
         session from a live one.",
        if ok {
            "Done"
        } else {
            "Finished WITH UNEXPECTED RESULTS"
        },
        clock.t0.elapsed().as_secs_f64(),
        match args.protocol {
            Protocol::Ssh => "SSH-level keepalives",
            Protocol::Telnet => "telnet TIMING-MARK probes",
        }
    );
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Configures the switch's VTY idle timeout `t` as the seed did.
async fn configure(dev: &SimDevice, t: Duration, clock: &Clock) -> anyhow::Result<()> {
    let admin = Session::connect(opts(dev, "sim-h3c (admin)")).await?;
    let (min, sec) = (t.as_secs() / 60, t.as_secs() % 60);
    let lines = [
        "line vty 0 63".to_string(),
        format!("idle-timeout {min} {sec}"),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    admin.send_config_set(&refs).await?;
    admin.disconnect().await;
    if dev.idle_timeout() != Some(t) {
        // Sub-second precision or an older simulator: set it directly.
        dev.set_idle_timeout(Some(t));
    }
    clock.say(&format!(
        "configured the switch like the seed: `{}` / `{}` (idle timeout {:.0} s)",
        lines[0],
        lines[1],
        t.as_secs_f64()
    ));
    Ok(())
}

/// Part 1: the seed's loop, `is_alive()` every 0.3 T for 1.5 T, then a command. True if the
/// session stayed alive throughout.
async fn seed_loop(seed: &Session, t: Duration, clock: &Clock) -> bool {
    println!(
        "Part 1 — session A: is_alive() every {:.1} s, like the seed's loop",
        t.mul_f64(0.3).as_secs_f64()
    );
    let mut ok = true;
    let a0 = Instant::now();
    let mut k = 1;
    while t.mul_f64(0.3 * k as f64) < t.mul_f64(1.5) {
        clock
            .wait_until(a0 + t.mul_f64(0.3 * k as f64), "session A idle")
            .await;
        let alive = seed.is_alive().await;
        let rtt = seed.keepalive_stats().last_rtt.unwrap_or_default();
        clock.say(&format!(
            "A: is_alive() -> {alive} (a NUL written into the session, round trip {})",
            ms(rtt)
        ));
        ok &= alive;
        k += 1;
    }
    clock
        .wait_until(a0 + t.mul_f64(1.5), "session A idle")
        .await;
    match seed.send_command("display clock").await {
        Ok(out) => clock.say(&format!(
            "A: display clock -> {} — alive at {:.0} s with a {:.0} s idle timeout",
            out.trim(),
            a0.elapsed().as_secs_f64(),
            t.as_secs_f64()
        )),
        Err(e) => {
            ok = false;
            clock.say(&format!("A: UNEXPECTED: {e}"));
        }
    }
    ok
}

/// Part 2: session A silent for 1.1 T must be closed by the idle timeout, session B (kept by
/// the keepalive task) must answer. True if both did.
async fn silence(seed: &Session, kept: &Session, t: Duration, clock: &Clock) -> bool {
    println!(
        "Part 2 — session A: no is_alive() any more, silent for {:.1} s",
        t.mul_f64(1.1).as_secs_f64()
    );
    let mut ok = true;
    let s0 = Instant::now();
    clock
        .wait_until(s0 + t.mul_f64(1.1), "session A silent")
        .await;
    match seed.send_command("display clock").await {
        Ok(out) => {
            ok = false;
            clock.say(&format!("A: UNEXPECTED: the session survived: {out}"));
        }
        Err(e) => {
            if e.close_reason() != Some(CloseReason::IdleTimeout) {
                ok = false;
            }
            clock.say("A: display clock -> error (typed: Error::ClosedByDevice, is_connection_lost() = true):");
            clock.note(&e.to_string());
        }
    }
    match kept.send_command("display clock").await {
        Ok(out) => {
            let st = kept.keepalive_stats();
            clock.say(&format!(
                "B: display clock -> {} — still alive: {} keepalives sent, {} failed, last round trip {}",
                out.trim(),
                st.sent,
                st.failures,
                ms(st.last_rtt.unwrap_or_default())
            ));
        }
        Err(e) => {
            ok = false;
            clock.say(&format!("B: UNEXPECTED: {e}"));
        }
    }
    ok
}

/// Part 3: cold (connect + login + command) against warm (the open session) on a switch whose
/// login takes `delay`.
async fn cold_and_warm(delay: Duration, protocol: Protocol, clock: &Clock) -> anyhow::Result<()> {
    println!(
        "Part 3 — cold vs warm against a switch whose login takes {:.1} s (slow AAA)",
        delay.as_secs_f64()
    );
    let mut slow_cfg = DeviceConfig::new("hp_comware");
    slow_cfg.login_delay = delay;
    slow_cfg.protocol = protocol;
    let slow = SimDevice::start(slow_cfg, "127.0.0.1:0".parse()?).await?;
    let c0 = Instant::now();
    let warm = Session::connect(opts(&slow, "sim-h3c-slow")).await?;
    warm.send_command("display clock").await?;
    let cold = c0.elapsed();
    clock.say(&format!(
        "cold: connect + login + display clock = {}",
        ms(cold)
    ));
    let mut times = Vec::with_capacity(200);
    for _ in 0..200 {
        let w0 = Instant::now();
        warm.send_command("display clock").await?;
        times.push(w0.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    clock.say(&format!(
        "warm: display clock on the open session = {} (median of 200) — {:.0}× faster",
        ms(median),
        cold.as_secs_f64() / median.as_secs_f64().max(1e-9)
    ));
    warm.disconnect().await;
    slow.stop().await;
    Ok(())
}
