//! Network faults: simulated devices inside a network namespace of ours, reached over a veth
//! pair (198.18.0.0/15 addresses that exist only on that pair), with the link blackholed,
//! rate-limited, or (where the kernel has `sch_netem`) delayed and lossy. Skipped with a message
//! where namespaces cannot be made (not root, no iproute2, no namespace support) — unless
//! NETKEEP_REQUIRE_SYSTEM_TOOLS is set (CI), where that is a failure. A kernel without netem
//! skips the netem test only.

use std::time::{Duration, Instant};

use netkeep_keeper::client::Target;
use netkeep_reliability::netns::NetNs;
use netkeep_testkit::{poll_until, skip_or_fail, timing_serial, HostSpec, Lab};

fn ns_or_skip(test: &str) -> Option<NetNs> {
    match NetNs::create() {
        Ok(ns) => Some(ns),
        Err(why) => {
            skip_or_fail(
                test,
                &format!("network namespaces not available here: {why}"),
            );
            None
        }
    }
}

async fn lab_in(ns: &mut NetNs, host: HostSpec) -> Lab {
    let dev = ns
        .spawn_device(host.sim.clone())
        .expect("device starts in the namespace");
    Lab::run_with(vec![host.clone()], vec![(host.name.clone(), dev)], |_| {}).await
}

fn cmd(c: &str) -> Vec<String> {
    vec![c.to_string()]
}

/// The link goes dark (packets dropped, no RST, no FIN): the keeper's keepalive finds the
/// half-open session within interval + probe bound (5 s) and reconnects when the link is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blackholed_link_detected_as_half_open_and_recovered() {
    let _serial = timing_serial().await;
    let Some(mut ns) = ns_or_skip("blackholed_link") else {
        return;
    };
    let host = HostSpec::comware("far").with("keepalive: { mode: nul, interval: 500ms }");
    let lab = lab_in(&mut ns, host).await;
    let c = lab.client();
    let r = c
        .exec(Target::Device("far".into()), &cmd("display clock"), None)
        .await
        .unwrap();
    assert!(r.ok, "{r:?}");
    // The link goes dark half an interval after a keepalive: the drop shows as the reconnect
    // the keeper starts at once, timed from the recording connector.
    let interval = Duration::from_millis(500);
    let (st, kept) = lab
        .wait_status("far", interval * 3, |s| s.keepalives_sent >= 1)
        .await;
    assert!(kept.is_some(), "no keepalive: {st:?}");
    tokio::time::sleep(interval / 2).await;
    let t0 = Instant::now();
    ns.link_down().unwrap();
    let bound = interval + Duration::from_secs(5) + Duration::from_millis(100);
    let started = std::cell::Cell::new(None);
    poll_until(bound + Duration::from_secs(2), || {
        started.set(lab.attempts.in_flight("far"));
        started.get().is_some()
    })
    .await;
    let Some(started) = started.get() else {
        panic!("blackhole not detected: {:?}", lab.status_of("far").await);
    };
    let took = started - t0;
    println!("netns blackhole: session dropped after {took:?} (bound {bound:?})");
    assert!(took >= Duration::from_secs(5), "dropped early: {took:?}");
    assert!(took <= bound, "{took:?} > {bound:?}");
    assert_eq!(lab.status_of("far").await.drops, 1);
    ns.link_up().unwrap();
    let (st, back) = lab
        .wait_status("far", Duration::from_secs(6), |s| {
            s.state == "ready" && s.reconnects >= 1
        })
        .await;
    let back = back.unwrap_or_else(|| panic!("not back: {st:?}"));
    println!("netns blackhole: ready again {back:?} after the link came back");
    let r = c
        .exec(Target::Device("far".into()), &cmd("display clock"), None)
        .await
        .unwrap();
    assert!(r.ok, "{r:?}");
    lab.stop().await;
}

/// A thin link (token bucket, 100 kbit/s): a large output crawls in but arrives whole, and the
/// session is not mistaken for dead meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_link_delivers_large_output_whole() {
    let _serial = timing_serial().await;
    let Some(mut ns) = ns_or_skip("rate_limited_link") else {
        return;
    };
    let host = HostSpec::comware("thin")
        .with("keepalive: { mode: nul, interval: 300ms }")
        .sim(|c| c.config_lines = 600);
    let lab = lab_in(&mut ns, host).await;
    let c = lab.client();
    let cfgcmd = cmd("display current-configuration");
    let fast = c
        .exec(Target::Device("thin".into()), &cfgcmd, None)
        .await
        .unwrap();
    assert!(fast.ok);
    let reference = fast.results[0].outputs[0].output.clone();
    ns.rate_limit("100kbit").unwrap();
    let t = Instant::now();
    let slow = c
        .exec(
            Target::Device("thin".into()),
            &cfgcmd,
            Some(Duration::from_secs(10)),
        )
        .await
        .unwrap();
    let took = t.elapsed();
    assert!(slow.ok, "{slow:?}");
    let out = &slow.results[0].outputs[0].output;
    println!(
        "netns 100 kbit/s: {} bytes in {took:?} (unlimited: {:.0} ms)",
        out.len(),
        fast.results[0].elapsed_ms
    );
    assert_eq!(out, &reference, "output arrived whole and identical");
    // ~11 KB at 100 kbit/s (4 KB burst) is ~0.55 s: the limit really applied.
    assert!(took >= Duration::from_millis(400), "{took:?}");
    tokio::time::sleep(Duration::from_millis(700)).await;
    let st = lab.status_of("thin").await;
    assert_eq!((st.drops, st.reconnects), (0, 0), "{st:?}");
    lab.stop().await;
}

/// Delay and loss with `tc netem` (where the kernel has it): commands complete, the measured
/// keepalive round trip reflects the delay, nothing is dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn netem_delay_and_loss() {
    let _serial = timing_serial().await;
    let Some(mut ns) = ns_or_skip("netem_delay_and_loss") else {
        return;
    };
    let host = HostSpec::comware("lossy").with("keepalive: { mode: nul, interval: 300ms }");
    let lab = lab_in(&mut ns, host).await;
    if let Err(why) = ns.netem(&["delay", "40ms", "loss", "3%"]) {
        // A kernel built without sch_netem (this project's machines): a kernel feature, not a
        // tool CI can install. Any other failure is a failure.
        assert!(why.contains("qdisc kind is unknown"), "netem: {why}");
        println!("SKIP netem_delay_and_loss: this kernel has no netem qdisc: {why}");
        lab.stop().await;
        return;
    }
    let c = lab.client();
    let t = Instant::now();
    for _ in 0..10 {
        let r = c
            .exec(
                Target::Device("lossy".into()),
                &cmd("display clock"),
                Some(Duration::from_secs(5)),
            )
            .await
            .unwrap();
        assert!(r.ok, "{r:?}");
    }
    println!(
        "netem 40 ms each way, 3 % loss: 10 commands in {:?}",
        t.elapsed()
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    let st = lab.status_of("lossy").await;
    assert!(st.last_rtt_ms.unwrap_or(0.0) >= 80.0, "{st:?}");
    assert_eq!(st.drops, 0, "{st:?}");
    lab.stop().await;
}
