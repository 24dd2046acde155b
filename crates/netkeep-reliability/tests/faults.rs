//! Behaviour under device faults, each asserting a figure: the daemon (netkeep-keeper) over the
//! session library (netkeep) against simulated devices (netkeep-sim) with injected faults.
//! Builds on netkeep-keeper's own daemon tests (which check that these things happen at all);
//! here we measure how fast, how often and how many.

use std::time::{Duration, Instant};

use netkeep::{Auth, KeepaliveConfig, KeepaliveMode, Secret};
use netkeep_keeper::client::Target;
use netkeep_keeper::connector::ErrorKind;
use netkeep_sim::{DeviceConfig, Fault};
use netkeep_testkit::{
    exec_on, poll_until, sim_options, start_device, start_sim, timing_serial, HostSpec, Lab,
};

/// A login that was waiting on a stalled device completes this soon after the device answers
/// again (one supervisor tick: no back-off, no new connect).
const REPLACED_WITHIN: Duration = Duration::from_millis(100);

fn cmds(c: &[&str]) -> Vec<String> {
    c.iter().map(|s| s.to_string()).collect()
}

/// Library level: with probe timeout = keepalive interval, a session on a device that stops
/// answering (TCP open: half-open) is found dead within interval × (misses + 1), misses = 1.
/// The stall comes half an interval after a keepalive: the bound holds wherever it falls, and
/// half an interval is room for keepalives batched on a grid of interval/16 and for a busy
/// machine's scheduling.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_open_session_found_dead_within_two_intervals() {
    let _serial = timing_serial().await;
    let dev = start_sim("hp_comware", |_| {}).await;
    let interval = Duration::from_millis(300);
    let s = netkeep::Session::connect(
        sim_options(&dev, "hp_comware")
            .keepalive(KeepaliveConfig {
                mode: KeepaliveMode::Nul,
                interval: Some(interval),
                command: None,
            })
            .probe_timeout(interval),
    )
    .await
    .unwrap();
    // Let one keepalive succeed first, so the stall hits a session in its steady state.
    let kept = poll_until(interval * 3, || s.keepalive_stats().sent >= 1).await;
    assert!(kept.is_some(), "no keepalive: {:?}", s.keepalive_stats());
    let st = s.keepalive_stats();
    // The first keepalive learned that Comware echoes the NUL; from now on the echo, not a
    // ping, is the proof of life — the stall must still be found within the same bound.
    assert_eq!((st.sent, st.pings, st.failures), (1, 1, 0), "{st:?}");
    tokio::time::sleep(interval / 2).await;
    let t0 = Instant::now();
    dev.set_fault(Fault::Stall);
    let dead = poll_until(Duration::from_secs(5), || s.is_closed()).await;
    let took = dead
        .map(|t| t - t0)
        .expect("stalled session still looks alive after 5 s");
    println!("half-open (library): found dead after {took:?} (interval {interval:?}, bound 2 × interval)");
    // Not before the next keepalive's probe bound ran out, and within interval × (misses + 1).
    assert!(took >= interval, "declared dead early: {took:?}");
    assert!(took <= interval * 2, "{took:?}");
    assert_eq!(s.keepalive_stats().failures, 1);
    dev.stop().await;
}

/// Daemon level: the keeper uses the library's probe bound (5 s, not settable from the
/// inventory), so a device stalled (here half an interval after a keepalive) is dropped within
/// interval + 5 s + one supervisor tick — the drop shows as the reconnect the keeper starts at
/// once — and replaced as soon as the device answers again: that reconnect, waiting on the
/// stalled device, completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_open_in_the_daemon_detected_within_bound_and_replaced() {
    let _serial = timing_serial().await;
    let interval = Duration::from_millis(500);
    let lab = Lab::run(
        vec![HostSpec::comware("sw1").with("keepalive: { mode: nul, interval: 500ms }")],
        |_| {},
    )
    .await;
    let (st, kept) = lab
        .wait_status("sw1", interval * 3, |s| s.keepalives_sent >= 1)
        .await;
    assert!(kept.is_some(), "no keepalive: {st:?}");
    tokio::time::sleep(interval / 2).await;
    let t0 = Instant::now();
    lab.dev("sw1").set_fault(Fault::Stall);
    let bound = interval + Duration::from_secs(5) + Duration::from_millis(100);
    let started = std::cell::Cell::new(None);
    poll_until(bound + Duration::from_secs(2), || {
        started.set(lab.attempts.in_flight("sw1"));
        started.get().is_some()
    })
    .await;
    let Some(started) = started.get() else {
        panic!("stall not detected: {:?}", lab.status_of("sw1").await);
    };
    let took = started - t0;
    println!("half-open (daemon): dropped after {took:?} (bound {bound:?})");
    assert!(
        took >= Duration::from_secs(5),
        "dropped before the probe bound: {took:?}"
    );
    assert!(took <= bound, "{took:?} > {bound:?}");
    assert_eq!(lab.status_of("sw1").await.drops, 1);
    // The device answers again while the reconnect waits on it.
    let answered = Instant::now();
    lab.dev("sw1").clear_faults();
    let done = poll_until(Duration::from_secs(3), || {
        lab.attempts.of("sw1").iter().any(|a| a.at == started)
    })
    .await;
    assert!(done.is_some(), "the reconnect never ended");
    let a = lab
        .attempts
        .of("sw1")
        .into_iter()
        .find(|a| a.at == started)
        .unwrap();
    let back = a.ended - answered;
    println!("half-open (daemon): replaced {back:?} after the device answered again");
    assert!(a.error.is_none(), "{a:?}");
    assert!(back <= REPLACED_WITHIN, "{back:?}");
    let (st, ready) = lab
        .wait_status("sw1", Duration::from_secs(1), |s| {
            s.state == "ready" && s.reconnects == 1
        })
        .await;
    assert!(ready.is_some(), "not replaced: {st:?}");
    let r = exec_on(&lab.client(), "sw1", &["display clock"])
        .await
        .unwrap();
    assert!(r.ok && !r.results[0].connected, "{r:?}");
    lab.stop().await;
}

/// Sixteen devices reboot together: their reconnect attempts spread out (jitter) instead of
/// hitting together, each delay stays within ±50 % of the exponential schedule, and the delays
/// average the schedule (delay/schedule mean 0.85–1.15: the jitter is centred, not a shift).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_backoff_has_jitter_across_devices_and_attempts() {
    let _serial = timing_serial().await;
    let down = Duration::from_secs(4);
    let hosts: Vec<HostSpec> = (0..16)
        .map(|i| {
            HostSpec::comware(&format!("d{i}")).with("keepalive: { mode: nul, interval: 200ms }")
        })
        .collect();
    let lab = Lab::run(hosts, |c| {
        c.pool.tick = Duration::from_millis(10);
        c.pool.backoff_base = Duration::from_millis(200);
        c.pool.backoff_max = Duration::from_millis(800);
    })
    .await;
    for (_, d) in &lab.devices {
        d.set_fault(Fault::Reboot {
            down,
            new_host_key: false,
        });
    }
    // Every device comes back once its port is open again: by then each failed attempt of the
    // outage is in the log.
    for (name, _) in &lab.devices {
        let (st, ok) = lab
            .wait_status(name, down + Duration::from_secs(4), |s| {
                s.state == "ready" && s.reconnects >= 1
            })
            .await;
        assert!(ok.is_some(), "{st:?}");
    }
    let mut ratios = Vec::new();
    let mut by_k = std::collections::BTreeMap::new();
    let mut second = Vec::new();
    for (name, _) in &lab.devices {
        let a = lab.attempts.of(name);
        // a[0] is the warm-up; then the failed attempts while the device was down, then the
        // one that found it back. Every failure scheduled the next attempt: each of those
        // delays counts, the last one too (leaving it out would favour short delays).
        let outage = &a[1..];
        let (back, failed) = outage.split_last().expect("attempts after the reboot");
        assert!(back.error.is_none(), "{name}: {back:?}");
        assert!(failed.iter().all(|x| x.error.is_some()), "{name}: {a:?}");
        assert!(
            failed.len() >= 4,
            "{name}: {} failed attempts",
            failed.len()
        );
        second.push(failed[1].at);
        for (k, w) in outage.windows(2).enumerate() {
            // The delay runs from one attempt's failure to the next attempt's start.
            let gap = w[1].at - w[0].ended;
            let sched = Duration::from_millis(200 * (1 << k)).min(Duration::from_millis(800));
            let ratio = gap.as_secs_f64() / sched.as_secs_f64();
            by_k.entry(k.min(2)).or_insert_with(Vec::new).push(ratio);
            // ±50 % jitter, plus a supervisor tick.
            assert!(
                (0.45..=1.5 + 0.15).contains(&ratio),
                "{name}: gap {k} {gap:?} vs {sched:?} (ratio {ratio:.3})"
            );
            ratios.push(ratio);
        }
    }
    let t0 = *second.iter().min().unwrap();
    let spread = *second.iter().max().unwrap() - t0;
    let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
    let sd = (ratios.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / ratios.len() as f64).sqrt();
    println!(
        "jitter: second attempts of 16 devices spread over {spread:?}; {} delays, delay/schedule mean {mean:.2} sd {sd:.2}",
        ratios.len()
    );
    for (k, r) in &by_k {
        let m = r.iter().sum::<f64>() / r.len() as f64;
        println!("jitter: delay {k} (0: 200 ms, 1: 400 ms, 2: 800 ms and after): {} delays, mean ratio {m:.3}", r.len());
    }
    assert!(
        spread >= Duration::from_millis(40),
        "retries bunched: {spread:?}"
    );
    assert!(sd >= 0.12, "delays barely vary: sd {sd:.3}");
    // Uniform ±50 % averages 1 (sd of the mean of ~70 delays: 0.035).
    assert!(
        (0.85..=1.15).contains(&mean),
        "delays off schedule: mean {mean:.3}"
    );
    lab.stop().await;
}

/// A read-only command whose session dies mid-output is re-run once on a fresh session; the
/// device sees it twice, never three times: once more on the old session, and on the new one
/// exactly what the old one ran up to its first command (the preparation, then the command).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_command_cut_mid_output_is_retried_exactly_once() {
    let lab = Lab::run(
        vec![HostSpec::comware("sw1")
            .with("keepalive: { mode: off }")
            .sim(|c| c.config_lines = 150)],
        |_| {},
    )
    .await;
    let dev = lab.dev("sw1").clone();
    let c = lab.client();
    let full = exec_on(&c, "sw1", &["display current-configuration"])
        .await
        .unwrap();
    assert!(full.ok);
    let reference = full.results[0].outputs[0].output.clone();
    // The warm session: its preparation lines, then the reference run.
    let first = dev.commands_per_session();
    assert_eq!(first.len(), 1, "{first:?}");
    dev.set_fault(Fault::SlowDrip {
        chunk: 256,
        delay: Duration::from_millis(20),
    });
    let c2 = c.clone();
    let h =
        tokio::spawn(async move { exec_on(&c2, "sw1", &["display current-configuration"]).await });
    tokio::time::sleep(Duration::from_millis(250)).await;
    dev.set_fault(Fault::Reset);
    let r = h.await.unwrap().unwrap();
    dev.clear_faults();
    assert!(r.ok, "{r:?}");
    let o = &r.results[0].outputs[0];
    assert!(o.retried, "{o:?}");
    assert_eq!(o.output, reference, "the retry's output is complete");
    let per = dev.commands_per_session();
    println!(
        "retry: command lines per session {first:?} before, {per:?} after (preparation + runs)"
    );
    assert_eq!(per.len(), 2, "one fresh session: {per:?}");
    assert_eq!(per[0], first[0] + 1, "the cut run, once: {per:?}");
    assert_eq!(
        per[1], first[0],
        "the fresh session: the same preparation and one run: {per:?}"
    );
    assert_eq!(dev.counters().sessions_opened, 2);
    lab.stop().await;
}

/// The in-flight command on a session that goes half-open returns an error with the output
/// received so far; the commands after it are reported as not run (fewer results, ok=false).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_command_on_half_open_session_errors_with_partial_output() {
    let _serial = timing_serial().await;
    let lab = Lab::run(
        vec![HostSpec::comware("sw1").with("keepalive: { mode: off }")],
        |_| {},
    )
    .await;
    let dev = lab.dev("sw1").clone();
    let c = lab.client();
    let read_timeout = Duration::from_millis(1500);
    let before = dev.counters().commands;
    let h = tokio::spawn(async move {
        c.exec(
            Target::Device("sw1".into()),
            &cmds(&["display clock", "ping 10.0.0.1", "display version"]),
            Some(read_timeout),
        )
        .await
    });
    // The device has the ping (its second command) when the keeper has sent it.
    let sent = poll_until(Duration::from_secs(3), || {
        dev.counters().commands >= before + 2
    })
    .await
    .expect("the device never received the ping");
    // ping prints a line every 500 ms: stall after two of them.
    tokio::time::sleep_until((sent + Duration::from_millis(1100)).into()).await;
    dev.set_fault(Fault::Stall);
    let t0 = Instant::now();
    let r = h.await.unwrap().unwrap();
    let answered = Instant::now();
    let took = answered - t0;
    dev.clear_faults();
    assert!(!r.ok);
    let d = &r.results[0];
    assert!(d.outputs[0].ok, "{d:?}");
    let p = &d.outputs[1];
    assert!(!p.ok && !p.retried, "{p:?}");
    let partial = p.partial_output.as_deref().unwrap_or("");
    assert!(partial.contains("icmp_seq"), "partial output kept: {p:?}");
    assert!(
        matches!(
            d.error_kind,
            Some(ErrorKind::Timeout | ErrorKind::ConnectionLost)
        ),
        "{d:?}"
    );
    assert!(p.error.as_deref().unwrap_or("").contains("sw1"), "{p:?}");
    assert_eq!(
        d.outputs.len(),
        2,
        "display version was not run, and not claimed"
    );
    println!(
        "in-flight: error {took:?} after the stall, {:?} after the ping reached the device, with {} bytes of partial output",
        answered - sent,
        partial.len()
    );
    // Within the read timeout of the command (sent before the device counted it), plus the
    // answer's way back over the API (measured: 4 ms).
    let bound = read_timeout + Duration::from_millis(100);
    assert!(
        answered - sent <= bound,
        "{:?} > {bound:?}",
        answered - sent
    );
    assert!(
        answered - sent >= read_timeout - Duration::from_millis(50),
        "gave up early: {:?}",
        answered - sent
    );
    lab.stop().await;
}

/// A configuration set cut by a reset is never re-sent: the device sees each line at most once
/// and nothing after the failure, even with the session replaced afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_cut_by_a_reset_is_never_retried() {
    let lab = Lab::run(
        vec![HostSpec::comware("sw1").with("keepalive: { mode: off }")],
        |_| {},
    )
    .await;
    let dev = lab.dev("sw1").clone();
    let mut lines = vec!["interface GigabitEthernet1/0/2".to_string()];
    lines.extend((0..30).map(|i| format!("description step-{i}")));
    let before = dev.counters();
    dev.set_fault(Fault::SlowDrip {
        chunk: 8,
        delay: Duration::from_millis(15),
    });
    let c = lab.client();
    let l2 = lines.clone();
    let h = tokio::spawn(async move { c.config("sw1", &l2).await });
    tokio::time::sleep(Duration::from_millis(600)).await;
    dev.set_fault(Fault::Reset);
    let r = h.await.unwrap().unwrap();
    dev.clear_faults();
    let at_failure = dev.counters();
    assert!(!r.ok, "{r:?}");
    let e = r.outputs[0].error.as_deref().unwrap_or("");
    assert!(e.contains("never retried automatically"), "{e}");
    let sent = at_failure.commands - before.commands;
    println!(
        "config: {sent} of {} lines (+ system-view) reached the device before the reset",
        lines.len()
    );
    assert!(
        sent >= 1 && sent < lines.len() as u64,
        "cut mid-way: {sent}"
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    let later = dev.counters();
    assert_eq!(
        later.commands, at_failure.commands,
        "nothing re-sent in the background"
    );
    assert_eq!(
        later.sessions_opened, 1,
        "no new session opened to re-send it"
    );
    // The next request gets a fresh session, and the config is still not replayed.
    let r = exec_on(&lab.client(), "sw1", &["display clock"])
        .await
        .unwrap();
    assert!(r.ok && r.results[0].connected, "{r:?}");
    let run = exec_on(&lab.client(), "sw1", &["display current-configuration"])
        .await
        .unwrap();
    let text = &run.results[0].outputs[0].output;
    assert!(!text.contains("step-29"), "the last line was never applied");
    lab.stop().await;
}

/// A refused password is tried at most once per auth back-off window (0.5–1.5 × auth_retry)
/// however many requests arrive, each request is refused at once, each attempt is one TCP
/// connection with one password try, and the device is back within one window after the
/// password works again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_password_tried_at_most_once_per_window_under_request_load() {
    let _serial = timing_serial().await;
    const LOAD_FOR: Duration = Duration::from_millis(3500);
    const PAUSE: Duration = Duration::from_millis(50);
    // "At once": well under the shortest window (0.5 s) a request held for the next login
    // would wait, with room for a busy 2-core machine (one answer took 0.1 s at load 18).
    const FAST: Duration = Duration::from_millis(250);
    let mut cfg = DeviceConfig::new("hp_comware");
    cfg.password = "right-pw".into();
    let dev = start_device(cfg.clone()).await;
    dev.set_fault(Fault::AuthFailing);
    let dev = std::sync::Arc::new(dev);
    let host = HostSpec {
        name: "sw1".into(),
        sim: cfg,
        extra: String::new(),
    };
    let lab = Lab::run_with(vec![host], vec![("sw1".into(), dev.clone())], |c| {
        c.pool.auth_retry = Duration::from_secs(1);
    })
    .await;
    // Six clients, each sending a request every 50 ms after the last answer for 3.5 s.
    let t0 = Instant::now();
    let mut load = Vec::new();
    for _ in 0..6 {
        let c = lab.client();
        load.push(tokio::spawn(async move {
            let mut took = Vec::new();
            while t0.elapsed() < LOAD_FOR {
                let t = Instant::now();
                let r = exec_on(&c, "sw1", &["display clock"]).await.unwrap();
                took.push(t.elapsed());
                assert!(!r.ok);
                assert_eq!(r.results[0].error_kind, Some(ErrorKind::Auth), "{r:?}");
                tokio::time::sleep(PAUSE).await;
            }
            took
        }));
    }
    let mut took = Vec::new();
    for h in load {
        took.extend(h.await.unwrap());
    }
    let requests = took.len();
    took.sort();
    let slowest = *took.last().unwrap();
    println!(
        "auth: request answered in median {:?}, slowest {slowest:?}",
        took[requests / 2]
    );
    // Each refused at once: no request waits for a login (one may ride on the attempt the
    // window allows, a 20 ms refusal on the simulator).
    assert!(slowest <= FAST, "a request took {slowest:?}");
    // So the load really was there: each client sent a request at least every PAUSE + FAST.
    let least = 6 * (LOAD_FOR.as_millis() / (PAUSE + FAST).as_millis()) as usize;
    assert!(
        requests >= least,
        "{requests} requests, expected at least {least}"
    );
    let attempts = lab.attempts.of("sw1");
    let gaps = lab.attempts.gaps("sw1");
    let c = dev.counters();
    println!(
        "auth: {requests} requests in 3.5 s -> {} login attempts, {} auth failures, {} TCP connections; gaps {gaps:?}",
        attempts.len(),
        c.auth_failures,
        c.connections
    );
    assert!(attempts.iter().all(|a| a.error == Some(ErrorKind::Auth)));
    for g in &gaps {
        assert!(*g >= Duration::from_millis(480), "two attempts {g:?} apart");
    }
    // Warm-up plus at most one per 0.5 s window.
    assert!(attempts.len() <= 1 + 7, "{}", attempts.len());
    assert_eq!(
        c.connections,
        attempts.len() as u64,
        "one connection per attempt"
    );
    assert_eq!(
        c.auth_failures,
        attempts.len() as u64,
        "one password try per attempt"
    );
    // The password works again (the account was unlocked): back within one window.
    dev.clear_faults();
    let back = Instant::now();
    loop {
        let r = exec_on(&lab.client(), "sw1", &["display clock"])
            .await
            .unwrap();
        if r.ok {
            break;
        }
        assert!(back.elapsed() < Duration::from_millis(1700), "{r:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("auth: working again {:?} after the fix", back.elapsed());
    lab.stop().await;
}

/// One login attempt with a wrong password must cost the account one failure, not two: a
/// TACACS+/RADIUS lockout after 3 failures would otherwise trip on the second attempt.
/// (Found by this test: the transport used to retry the password as keyboard-interactive.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_tried_once_per_login() {
    let dev = start_sim("hp_comware", |_| {}).await;
    let e = netkeep::Session::connect(
        sim_options(&dev, "hp_comware").auth(Auth::Password(Secret::new("wrong-pw"))),
    )
    .await
    .unwrap_err();
    assert!(e.is_auth_failure(), "{e}");
    let c = dev.counters();
    assert_eq!((c.connections, c.auth_failures), (1, 1), "{e}");
    dev.stop().await;
}

/// A device that comes back from a reboot with a new host key is refused; the error in status
/// and in API answers carries both fingerprints; no login (so no password) reaches it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_host_key_refused_with_both_fingerprints() {
    let lab = Lab::run(
        vec![HostSpec::comware("sw1").with("keepalive: { mode: nul, interval: 200ms }")],
        |_| {},
    )
    .await;
    let dev = lab.dev("sw1").clone();
    let old = dev.host_key_fingerprint();
    dev.set_fault(Fault::Reboot {
        down: Duration::from_millis(300),
        new_host_key: true,
    });
    let (st, took) = lab
        .wait_status("sw1", Duration::from_secs(5), |s| {
            s.last_error
                .as_deref()
                .is_some_and(|e| e.contains("CHANGED"))
        })
        .await;
    assert!(took.is_some(), "{st:?}");
    let new = dev.host_key_fingerprint();
    assert_ne!(old, new);
    let e = st.last_error.unwrap();
    assert!(e.contains(&old) && e.contains(&new), "{e}");
    let r = exec_on(&lab.client(), "sw1", &["display clock"])
        .await
        .unwrap();
    assert!(!r.ok);
    let msg = format!("{:?}", r.results[0]);
    assert!(msg.contains(&old) && msg.contains(&new), "{msg}");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let c = dev.counters();
    let refused = lab
        .attempts
        .of("sw1")
        .iter()
        .filter(|a| a.error.is_some())
        .count();
    println!(
        "host key: {refused} refused connects in ~1.5 s, {} logins and {} passwords after the change",
        c.sessions_opened - 1,
        c.passwords_received - 1
    );
    assert_eq!(c.sessions_opened, 1, "no shell on the changed-key device");
    assert_eq!(c.auth_failures, 0);
    // The password itself: sent once, to the device before the change, never to the impostor
    // (accepted or not, with or without a shell).
    assert_eq!(c.passwords_received, 1, "{c:?}");
    lab.stop().await;
}

/// All VTY lines busy (someone else holds the only one): requests fail with the device's own
/// words, and the keeper does not hammer the device with logins.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vty_exhaustion_fails_with_the_devices_message_without_hammering() {
    let mut cfg = DeviceConfig::new("hp_comware");
    cfg.vty_limit = Some(1);
    let dev = std::sync::Arc::new(start_device(cfg.clone()).await);
    let other = netkeep::Session::connect(sim_options(&dev, "hp_comware"))
        .await
        .unwrap();
    let host = HostSpec {
        name: "sw1".into(),
        sim: cfg,
        extra: String::new(),
    };
    let lab = Lab::run_with(vec![host], vec![("sw1".into(), dev.clone())], |_| {}).await;
    let t0 = Instant::now();
    let mut requests = 0u64;
    let mut msgs = Vec::new();
    while t0.elapsed() < Duration::from_secs(3) {
        let r = exec_on(&lab.client(), "sw1", &["display clock"])
            .await
            .unwrap();
        requests += 1;
        assert!(!r.ok, "{r:?}");
        msgs.push(r.results[0].error.clone().unwrap_or_default());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let c = dev.counters();
    println!(
        "vty: {requests} requests in 3 s while the only line was taken -> {} refused logins; e.g. {:?}",
        c.vty_refused, msgs[0]
    );
    assert!(
        msgs.iter().all(|m| m.contains("All user lines are in use")),
        "{msgs:?}"
    );
    // Backoff 0.2, 0.4, 0.8, 1, 1 s (±50 %): under ten windows in 3 s, not one per request.
    assert!(
        c.vty_refused <= 10,
        "{} refused logins for {requests} requests",
        c.vty_refused
    );
    other.disconnect().await;
    let (st, ok) = lab
        .wait_status("sw1", Duration::from_secs(3), |s| s.state == "ready")
        .await;
    assert!(ok.is_some(), "line freed, session up: {st:?}");
    lab.stop().await;
}

/// The inventory allows more sessions (3) than the device has VTY lines (2): three slow
/// commands at once. The third login is refused by the device; that request either waits for
/// a session or fails with the device's own words — and the device sees one refused login,
/// not a retry loop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_sessions_than_vty_lines_queues_or_fails_with_the_devices_words() {
    let lab = Lab::run(
        vec![HostSpec::comware("sw1")
            .with("max_sessions: 3, keepalive: { mode: off }, warm: false")
            .sim(|c| c.vty_limit = Some(2))],
        |_| {},
    )
    .await;
    let mut hs = Vec::new();
    for _ in 0..3 {
        let c = lab.client();
        hs.push(tokio::spawn(async move {
            exec_on(&c, "sw1", &["ping 10.0.0.1"]).await.unwrap()
        }));
    }
    let mut ok = 0;
    let mut failed = Vec::new();
    for h in hs {
        let r = h.await.unwrap();
        if r.ok {
            ok += 1;
        } else {
            failed.push(r.results[0].error.clone().unwrap_or_default());
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let c = lab.dev("sw1").counters();
    println!(
        "vty 2 < max_sessions 3: {ok} ok, {} failed {failed:?}; device refused {} logins, opened {} sessions",
        failed.len(),
        c.vty_refused,
        c.sessions_opened
    );
    assert_eq!(ok + failed.len(), 3);
    for f in &failed {
        assert!(f.contains("All user lines are in use"), "{f}");
    }
    assert!(c.vty_refused <= 2, "{} refused logins", c.vty_refused);
    assert_eq!(c.sessions_opened, 2);
    lab.stop().await;
}
