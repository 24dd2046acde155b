//! The daemon end to end against simulated devices (netkeep-sim, in process, 127.0.0.1:0),
//! driven through its API with the real client.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use netkeep_keeper::client::{ClientError, DaemonClient, Endpoint, Target};
use netkeep_keeper::connector::ssh::SshConnector;
use netkeep_keeper::daemon::{Daemon, DaemonError};
use netkeep_keeper::wire::DeviceStatus;
use netkeep_sim::Fault;
use netkeep_testkit::{exec_on, HostSpec, Lab};

/// hp_comware hosts `(name, extra inventory settings, the simulator's idle timeout)`.
fn comware(hosts: &[(&str, &str, Option<Duration>)]) -> Vec<HostSpec> {
    hosts
        .iter()
        .map(|(name, extra, idle)| {
            HostSpec::comware(name)
                .with(extra)
                .sim(|c| c.idle_timeout = *idle)
        })
        .collect()
}

/// [`comware`] hosts whose simulators allow only `vty_limit` sessions at once.
fn vty_limited(hosts: &[(&str, &str, Option<Duration>)], vty_limit: usize) -> Vec<HostSpec> {
    let hosts = comware(hosts).into_iter();
    hosts
        .map(|h| h.sim(|c| c.vty_limit = Some(vty_limit)))
        .collect()
}

fn find<'a>(st: &'a [DeviceStatus], name: &str) -> &'a DeviceStatus {
    st.iter().find(|s| s.device == name).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_one_many_group_config_and_status_json() {
    let (lab, daemon, client) = Lab::started(comware(&[
        ("sw1", "", None),
        ("sw2", "", None),
        ("sw3", "warm: false", None),
    ]))
    .await;

    let r = exec_on(&client, "sw1", &["display clock", "display version"])
        .await
        .unwrap();
    assert!(r.ok, "{r:?}");
    let out = &r.results[0].outputs;
    assert!(out[0].output.contains("UTC"), "{:?}", out[0].output);
    assert!(
        out[1].output.contains("H3C Comware Software"),
        "{:?}",
        out[1].output
    );
    assert!(!r.results[0].connected, "warm session used");

    let r = client
        .exec(Target::Group("lab".into()), &["display clock".into()], None)
        .await
        .unwrap();
    assert!(r.ok, "{r:?}");
    assert_eq!(
        r.results
            .iter()
            .map(|x| x.device.as_str())
            .collect::<Vec<_>>(),
        ["sw1", "sw2", "sw3"]
    );
    assert!(
        r.results[2].connected,
        "sw3 is not warm: connected on first use"
    );

    let r = client
        .config(
            "sw2",
            &[
                "interface GigabitEthernet1/0/1".into(),
                "description via-keeper".into(),
            ],
        )
        .await
        .unwrap();
    assert!(r.ok, "{r:?}");
    let r = exec_on(&client, "sw2", &["display current-configuration"])
        .await
        .unwrap();
    assert!(
        r.results[0].outputs[0]
            .output
            .contains("description via-keeper"),
        "{r:?}"
    );

    // Status through the API, and the JSON field names `netkeep status --json` promises.
    let (code, body) = client
        .request_raw("GET", "/v1/sessions", None)
        .await
        .unwrap();
    assert_eq!(code, 200);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let first = &v.as_array().unwrap()[0];
    for k in [
        "device",
        "state",
        "age_s",
        "keepalives_sent",
        "last_rtt_ms",
        "reconnects",
        "last_error",
    ] {
        assert!(first.get(k).is_some(), "missing {k} in {first}");
    }
    let st = client.status().await.unwrap();
    assert!(
        st.iter()
            .all(|s| s.state == "ready" && s.sessions == 1 && s.reconnects == 0),
        "{st:?}"
    );
    for (n, d) in &lab.devices {
        assert_eq!(
            d.counters().sessions_opened,
            1,
            "{n}: one session reused for everything"
        );
    }

    // Unknown device and bad requests are errors with a message.
    match exec_on(&client, "nope", &["x"]).await {
        Err(ClientError::Status {
            status: 404,
            message,
        }) => assert!(message.contains("nope")),
        other => panic!("{other:?}"),
    }
    let (code, body) = client
        .request_raw(
            "POST",
            "/v1/exec",
            Some(b"{\"device\": \"sw1\", \"commands\": [\"a\\nb\"]}".to_vec()),
        )
        .await
        .unwrap();
    assert_eq!(code, 400, "{}", String::from_utf8_lossy(&body));
    let (code, _) = client
        .request_raw("POST", "/v1/exec", Some(b"{not json".to_vec()))
        .await
        .unwrap();
    assert_eq!(code, 400);

    let (code, m) = client.request_raw("GET", "/metrics", None).await.unwrap();
    assert_eq!(code, 200);
    let m = String::from_utf8_lossy(&m);
    assert!(m.contains("netkeep_sessions_open 3"), "{m}");
    let (code, doc) = client
        .request_raw("GET", "/v1/openapi.yaml", None)
        .await
        .unwrap();
    assert_eq!(code, 200);
    assert!(String::from_utf8_lossy(&doc).starts_with("openapi: 3"));

    let socket = daemon.socket_path().to_path_buf();
    daemon.stop().await;
    assert!(!socket.exists(), "socket removed at stop");
    for (n, d) in &lab.devices {
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(d.active_sessions(), 0, "{n}: logged out at stop");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_to_one_device_queue_for_its_single_session() {
    let (lab, daemon, client) = Lab::started(vec![HostSpec::comware("sw1")]).await;
    let c2 = client.clone();
    // `ping` takes ~2.5 s on the simulator; the second request must wait for the only session.
    let slow = tokio::spawn(async move { exec_on(&c2, "sw1", &["ping 10.0.0.1"]).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let st = client.status().await.unwrap();
    assert_eq!(st[0].state, "busy");
    let r = exec_on(&client, "sw1", &["display clock"]).await.unwrap();
    let s = slow.await.unwrap().unwrap();
    assert!(s.ok && r.ok, "{s:?} {r:?}");
    assert!(s.results[0].outputs[0].output.contains("packet loss"));
    assert!(
        r.results[0].queued_ms > 1500.0,
        "queued {} ms",
        r.results[0].queued_ms
    );
    assert_eq!(
        lab.dev("sw1").counters().sessions_opened,
        1,
        "never a second VTY"
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnects_after_the_device_closes_the_session() {
    // The simulator's reset takes effect at the connection's next activity: the keepalive.
    let (lab, daemon, client) = Lab::started(vec![
        HostSpec::comware("sw1").with("keepalive: { mode: nul, interval: 300ms }")
    ])
    .await;
    lab.dev("sw1").set_fault(Fault::Reset);
    let mut st = client.status().await.unwrap();
    for _ in 0..50 {
        st = client.status().await.unwrap();
        if st[0].reconnects >= 1 && st[0].state == "ready" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        (st[0].reconnects, st[0].drops, st[0].state.as_str()),
        (1, 1, "ready"),
        "{st:?}"
    );
    assert!(
        st[0].last_error.as_deref().unwrap_or("").contains("closed"),
        "{st:?}"
    );
    let r = exec_on(&client, "sw1", &["display clock"]).await.unwrap();
    assert!(r.ok && !r.results[0].connected, "{r:?}");
    assert_eq!(lab.dev("sw1").counters().sessions_opened, 2);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_failure_is_not_retried_in_a_loop() {
    let lab = Lab::new(vec![HostSpec::comware("sw1")]).await;
    lab.dev("sw1").set_fault(Fault::AuthFailing);
    let (daemon, client) = lab.start().await;
    let after_warm = lab.dev("sw1").counters().auth_failures;
    assert!(after_warm >= 1, "the login was attempted");
    for _ in 0..5 {
        let r = exec_on(&client, "sw1", &["display clock"]).await.unwrap();
        assert!(!r.ok);
        let e = r.results[0].error.as_deref().unwrap();
        assert!(e.contains("login was refused"), "{e}");
        assert!(
            !e.contains("admin\n") && !e.contains("password_file"),
            "{e}"
        );
    }
    // 15 supervisor ticks later: no new attempt.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        lab.dev("sw1").counters().auth_failures,
        after_warm,
        "no retry inside the auth backoff window"
    );
    let st = client.status().await.unwrap();
    assert_eq!(st[0].state, "failed");
    assert!(st[0].retry_in_s.unwrap() > 30.0);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_experiment_scaled_kept_survives_bare_is_dropped() {
    let idle = Some(Duration::from_secs(2));
    let (lab, daemon, client) = Lab::started(comware(&[
        (
            "kept",
            "idle_timeout: 2s, keepalive: { mode: nul, interval: 600ms }",
            idle,
        ),
        ("bare", "idle_timeout: 2s, keepalive: { mode: off }", idle),
    ]))
    .await;
    tokio::time::sleep(Duration::from_millis(3200)).await;
    let st = client.status().await.unwrap();
    let kept = find(&st, "kept");
    let bare = find(&st, "bare");
    assert_eq!(
        (kept.state.as_str(), kept.reconnects, kept.drops),
        ("ready", 0, 0),
        "{kept:?}"
    );
    assert!(
        kept.age_s.unwrap() >= 3.0,
        "kept is still on its first session: {kept:?}"
    );
    assert!(kept.keepalives_sent >= 4, "{kept:?}");
    assert_eq!(lab.dev("kept").counters().idle_timeouts, 0);
    assert_eq!(bare.drops, 1, "{bare:?}");
    assert_eq!(
        bare.state, "idle",
        "keepalive off: reconnect on next use, not in a loop"
    );
    assert!(
        bare.last_error
            .as_deref()
            .unwrap()
            .contains("closed by the device"),
        "{bare:?}"
    );
    assert_eq!(lab.dev("bare").counters().idle_timeouts, 1);

    let r = client
        .exec(
            Target::Devices(vec!["kept".into(), "bare".into()]),
            &["display clock".into()],
            None,
        )
        .await
        .unwrap();
    assert!(r.ok, "{r:?}");
    assert!(!r.results[0].connected && r.results[1].connected);
    let st = client.status().await.unwrap();
    assert_eq!(find(&st, "bare").reconnects, 1);
    assert_eq!(find(&st, "kept").reconnects, 0);
    println!("{st:#?}");
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_keeps_sessions_of_unchanged_devices() {
    let (lab, daemon, client) =
        Lab::started(comware(&[("sw1", "", None), ("sw2", "", None)])).await;
    lab.write_inventory_for(&comware(&[
        ("sw1", "", None),
        ("sw2", "max_sessions: 2", None),
    ]));
    let rep = client.reload().await.unwrap();
    assert_eq!(
        (rep.unchanged, rep.changed.as_slice()),
        (1, ["sw2".to_string()].as_slice())
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        lab.dev("sw1").counters().sessions_opened,
        1,
        "sw1 kept its session"
    );
    assert_eq!(lab.dev("sw2").counters().sessions_opened, 2, "sw2 replaced");
    // A broken inventory is refused and the old one stays.
    std::fs::write(
        lab.dir.path().join("netkeep.yaml"),
        "hosts:\n  sw1: { platform: nope }\n",
    )
    .unwrap();
    match client.reload().await {
        Err(ClientError::Status {
            status: 400,
            message,
        }) => assert!(message.contains("netkeep.yaml:2:"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(client.status().await.unwrap().len(), 2);
    daemon.stop().await;
}

/// Polls the status (every `step`, at most `tries` times) until `done` holds for the first
/// device; returns the last status seen.
async fn wait_status(
    client: &DaemonClient,
    tries: usize,
    step: Duration,
    done: impl Fn(&DeviceStatus) -> bool,
) -> Vec<DeviceStatus> {
    let mut st = client.status().await.unwrap();
    for _ in 0..tries {
        if done(&st[0]) {
            break;
        }
        tokio::time::sleep(step).await;
        st = client.status().await.unwrap();
    }
    st
}

/// Starts a slow `ping` holding sw1's only session, then a `display clock` that queues behind
/// it; returns both in flight once the second one is counted as queued.
async fn busy_with_one_queued(
    client: &DaemonClient,
) -> (
    tokio::task::JoinHandle<Result<netkeep_keeper::wire::ExecResponse, ClientError>>,
    tokio::task::JoinHandle<Result<netkeep_keeper::wire::ExecResponse, ClientError>>,
) {
    let c = client.clone();
    let slow = tokio::spawn(async move { exec_on(&c, "sw1", &["ping 10.0.0.1"]).await });
    for _ in 0..50 {
        if client.status().await.unwrap()[0].state == "busy" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let c = client.clone();
    let queued = tokio::spawn(async move { exec_on(&c, "sw1", &["display clock"]).await });
    let st = wait_status(client, 50, Duration::from_millis(20), |d| d.queued == 1).await;
    assert_eq!(
        (st[0].state.as_str(), st[0].queued),
        ("busy", 1),
        "setup: ping running, one request queued: {st:?}"
    );
    (slow, queued)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_queued_during_a_reload_that_changes_its_device_moves_to_the_new_settings() {
    let (lab, daemon, client) = Lab::started(comware(&[
        ("sw1", "max_sessions: 1", None),
        ("sw2", "", None),
    ]))
    .await;
    let (slow, queued) = busy_with_one_queued(&client).await;
    // Same device, another keepalive interval: the old pool is retired while the request waits.
    lab.write_inventory_for(&comware(&[
        (
            "sw1",
            "max_sessions: 1, keepalive: { mode: nul, interval: 7s }",
            None,
        ),
        ("sw2", "", None),
    ]));
    let rep = client.reload().await.unwrap();
    assert_eq!(rep.changed, ["sw1".to_string()], "{rep:?}");
    let r = queued.await.unwrap().unwrap();
    assert!(
        r.ok,
        "queued request must run on the reloaded device: {r:?}"
    );
    assert!(
        r.results[0].outputs[0].output.contains("UTC"),
        "{:?}",
        r.results[0].outputs
    );
    let s = slow.await.unwrap().unwrap();
    assert!(s.ok, "in-flight command finishes on the old session: {s:?}");
    assert!(s.results[0].outputs[0].output.contains("packet loss"));
    // Old session (ping) + the new device's session.
    assert_eq!(lab.dev("sw1").counters().sessions_opened, 2);
    // The old session is logged out of once its ping is done; the new one stays warm.
    let mut st = client.status().await.unwrap();
    for _ in 0..50 {
        if lab.dev("sw1").active_sessions() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        st = client.status().await.unwrap();
    }
    assert_eq!(lab.dev("sw1").active_sessions(), 1);
    let sw1 = find(&st, "sw1");
    assert_eq!((sw1.state.as_str(), sw1.queued), ("ready", 0), "{st:?}");
    daemon.stop().await;
}

/// The most sessions a simulated device had open at once while watched (sampled every 2 ms).
struct PeakSessions {
    stop: Arc<std::sync::atomic::AtomicBool>,
    task: tokio::task::JoinHandle<usize>,
}

impl PeakSessions {
    fn watch(lab: &Arc<Lab>, name: &'static str) -> PeakSessions {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (flag, lab) = (stop.clone(), lab.clone());
        let task = tokio::spawn(async move {
            let mut peak = 0;
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(lab.dev(name).active_sessions());
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            peak
        });
        PeakSessions { stop, task }
    }

    async fn stop(self) -> usize {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.task.await.unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_of_a_busy_device_never_exceeds_its_vty_lines() {
    // The device has exactly as many VTY lines as the inventory allows sessions: one.
    let lab = Arc::new(Lab::new(vty_limited(&[("sw1", "max_sessions: 1", None)], 1)).await);
    let (daemon, client) = lab.start().await;
    // Sample the device's open sessions throughout (a second one would also be refused).
    let peak = PeakSessions::watch(&lab, "sw1");
    let (slow, queued) = busy_with_one_queued(&client).await;
    lab.write_inventory_for(&[
        HostSpec::comware("sw1").with("max_sessions: 1, keepalive: { mode: nul, interval: 7s }")
    ]);
    let rep = client.reload().await.unwrap();
    assert_eq!(rep.changed, ["sw1".to_string()], "{rep:?}");
    let r = queued.await.unwrap().unwrap();
    assert!(
        r.ok,
        "queued request waits for the old session's logout, then connects: {r:?}"
    );
    assert!(r.results[0].outputs[0].output.contains("UTC"), "{r:?}");
    assert!(
        r.results[0].queued_ms > 1000.0,
        "it waited for the ping: {r:?}"
    );
    let s = slow.await.unwrap().unwrap();
    assert!(s.ok, "in-flight command finishes on the old session: {s:?}");
    let st = wait_status(&client, 50, Duration::from_millis(50), |d| {
        d.state == "ready"
    })
    .await;
    assert_eq!((st[0].state.as_str(), st[0].queued), ("ready", 0), "{st:?}");
    let peak = peak.stop().await;
    let c = lab.dev("sw1").counters();
    assert_eq!(
        c.vty_refused, 0,
        "no login refused for lack of VTY lines: {c:?}"
    );
    assert_eq!(peak, 1, "never two sessions at once");
    assert_eq!(
        c.sessions_opened, 2,
        "old session + the new device's: {c:?}"
    );
    assert_eq!(lab.dev("sw1").active_sessions(), 1);
    daemon.stop().await;
}

/// A device slow to tear a line down keeps the VTY line of a session that ended for a while,
/// and shows that it has let go by closing its side of the connection: a logout (here, a
/// reload replacing the device's settings; in a cluster, a shard handed to another node) is
/// over only then, so the next login is not refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_ends_when_the_device_has_freed_its_line_so_the_next_login_is_not_refused() {
    logout_then_login_on_one_slow_line(HostSpec::comware("sw1")).await;
}

/// [`a_logout_ends_when_the_device_has_freed_its_line_so_the_next_login_is_not_refused`] over
/// telnet (no disconnect message: the device's close is all there is to wait for).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_telnet_too_a_logout_ends_when_the_device_has_freed_its_line() {
    logout_then_login_on_one_slow_line(HostSpec::comware("sw1").telnet()).await;
}

/// `host` (sw1) on a device with one VTY line freed 400 ms after a session ends: a reload that
/// replaces it logs out and logs in again without a refused login.
async fn logout_then_login_on_one_slow_line(host: HostSpec) {
    let slow = |c: &mut netkeep_sim::DeviceConfig| {
        c.vty_limit = Some(1);
        c.hang_up_delay = Duration::from_millis(400);
    };
    let lab = Lab::new(vec![host.clone().with("max_sessions: 1").sim(slow)]).await;
    let (daemon, client) = lab.start().await;
    let dev = lab.dev("sw1");
    assert_eq!(dev.active_sessions(), 1, "warm");
    lab.write_inventory_for(
        &[host.with("max_sessions: 1, keepalive: { mode: nul, interval: 7s }")],
    );
    let rep = client.reload().await.unwrap();
    assert_eq!(rep.changed, ["sw1".to_string()], "{rep:?}");
    for _ in 0..200 {
        if dev.counters().sessions_opened == 2 || dev.counters().vty_refused > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let c = dev.counters();
    assert_eq!(
        c.vty_refused, 0,
        "the new session logged in while the device still held the old one's line: {c:?}"
    );
    assert_eq!(c.sessions_opened, 2, "the replacement logged in: {c:?}");
    let r = exec_on(&client, "sw1", &["display clock"]).await.unwrap();
    assert!(r.ok && !r.results[0].connected, "warm again: {r:?}");
    assert_eq!(dev.counters().vty_refused, 0);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_reloads_during_one_busy_session_still_wait_for_its_logout() {
    let lab = Arc::new(Lab::new(vty_limited(&[("sw1", "max_sessions: 1", None)], 1)).await);
    let (daemon, client) = lab.start().await;
    let peak = PeakSessions::watch(&lab, "sw1");
    let (slow, queued) = busy_with_one_queued(&client).await;
    // The second reload replaces a device that never had a session: the ping's session two
    // generations back must still hold the newest one back.
    for interval in ["7s", "9s"] {
        lab.write_inventory_for(&comware(&[(
            "sw1",
            &format!("max_sessions: 1, keepalive: {{ mode: nul, interval: {interval} }}"),
            None,
        )]));
        let rep = client.reload().await.unwrap();
        assert_eq!(rep.changed, ["sw1".to_string()], "{rep:?}");
    }
    let r = queued.await.unwrap().unwrap();
    assert!(r.ok, "{r:?}");
    assert!(
        r.results[0].queued_ms > 1000.0,
        "it waited for the ping: {r:?}"
    );
    let s = slow.await.unwrap().unwrap();
    assert!(s.ok, "{s:?}");
    let peak = peak.stop().await;
    let c = lab.dev("sw1").counters();
    assert_eq!(c.vty_refused, 0, "{c:?}");
    assert_eq!(peak, 1, "never two sessions at once");
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_timeout_applies_while_waiting_for_the_old_session_after_a_reload() {
    let mut lab = Lab::new(vty_limited(&[("sw1", "max_sessions: 1", None)], 1)).await;
    // Shorter than the ~2.5 s ping the queued request waits behind.
    lab.queue_timeout = Duration::from_millis(1000);
    let (daemon, client) = lab.start().await;
    let (slow, queued) = busy_with_one_queued(&client).await;
    lab.write_inventory_for(&[
        HostSpec::comware("sw1").with("max_sessions: 1, keepalive: { mode: nul, interval: 7s }")
    ]);
    client.reload().await.unwrap();
    let r = queued.await.unwrap().unwrap();
    assert!(!r.ok, "{r:?}");
    let e = r.results[0].error.as_deref().unwrap_or("");
    assert!(e.contains("no free session within"), "{e}");
    assert!(
        r.results[0].queued_ms >= 900.0 && r.results[0].queued_ms < 2000.0,
        "{r:?}"
    );
    let s = slow.await.unwrap().unwrap();
    assert!(s.ok, "{s:?}");
    // Once the old session is logged out, the new settings connect (warm) without a refusal.
    let st = wait_status(&client, 50, Duration::from_millis(50), |d| {
        d.state == "ready"
    })
    .await;
    assert_eq!(st[0].state, "ready", "{st:?}");
    let c = lab.dev("sw1").counters();
    assert_eq!((c.vty_refused, c.sessions_opened), (0, 2), "{c:?}");
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_lowering_max_sessions_waits_until_the_old_sessions_fit_the_new_max() {
    let (lab, daemon, client) =
        Lab::started(vec![HostSpec::comware("sw1").with("max_sessions: 2")]).await;
    let run = |cmd: &'static str| {
        let c = client.clone();
        tokio::spawn(async move {
            let r = exec_on(&c, "sw1", &[cmd]).await;
            (r, std::time::Instant::now())
        })
    };
    // Two pings (~2.5 s each) 800 ms apart hold both sessions; a third request queues.
    let a = run("ping 10.0.0.1");
    tokio::time::sleep(Duration::from_millis(800)).await;
    let b = run("ping 10.0.0.2");
    let st = wait_status(&client, 100, Duration::from_millis(20), |d| d.in_use == 2).await;
    assert_eq!(st[0].in_use, 2, "setup: both sessions busy: {st:?}");
    let q = run("display clock");
    lab.write_inventory_for(&[
        HostSpec::comware("sw1").with("max_sessions: 1, keepalive: { mode: nul, interval: 7s }")
    ]);
    client.reload().await.unwrap();
    let (ra, _) = a.await.unwrap();
    let (rb, b_done) = b.await.unwrap();
    let (rq, q_done) = q.await.unwrap();
    let (ra, rb, rq) = (ra.unwrap(), rb.unwrap(), rq.unwrap());
    assert!(ra.ok && rb.ok && rq.ok, "{ra:?} {rb:?} {rq:?}");
    // One old session still open is already the new maximum: the queued request runs only
    // after the second ping too has finished.
    assert!(
        q_done > b_done,
        "queued request finished {:?} before the second ping",
        b_done - q_done
    );
    let st = wait_status(&client, 50, Duration::from_millis(50), |d| {
        lab.dev("sw1").active_sessions() == 1 && d.state == "ready"
    })
    .await;
    assert_eq!(lab.dev("sw1").active_sessions(), 1, "{st:?}");
    assert_eq!((st[0].state.as_str(), st[0].max_sessions), ("ready", 1));
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_queued_for_a_device_removed_by_a_reload_fails_clearly() {
    let (lab, daemon, client) = Lab::started(comware(&[
        ("sw1", "max_sessions: 1", None),
        ("sw2", "", None),
    ]))
    .await;
    let (slow, queued) = busy_with_one_queued(&client).await;
    // Keep the port list aligned with `devices`: rewrite the file with sw2 only.
    let port = lab.dev("sw2").addr().port();
    let inv = std::fs::read_to_string(lab.dir.path().join("netkeep.yaml")).unwrap();
    let kept: String = inv
        .lines()
        .filter(|l| !l.trim_start().starts_with("sw1:"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(kept.contains(&format!("port: {port}")), "{kept}");
    std::fs::write(lab.dir.path().join("netkeep.yaml"), kept).unwrap();
    let rep = client.reload().await.unwrap();
    assert_eq!(rep.removed, ["sw1".to_string()], "{rep:?}");
    let r = queued.await.unwrap().unwrap();
    assert!(!r.ok, "{r:?}");
    let e = r.results[0].error.as_deref().unwrap_or("");
    assert!(
        e.contains("sw1") && e.contains("removed from the inventory by a reload"),
        "{e}"
    );
    let s = slow.await.unwrap().unwrap();
    assert!(s.ok, "in-flight command still finishes: {s:?}");
    assert_eq!(client.status().await.unwrap().len(), 1);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unix_socket_is_private() {
    let (lab, daemon, _client) =
        Lab::started(vec![HostSpec::comware("sw1").with("warm: false")]).await;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(daemon.socket_path()), 0o600);
    assert_eq!(mode(daemon.socket_path().parent().unwrap()), 0o700);
    // A second daemon on the same socket refuses to start.
    match Daemon::start(lab.config(), Arc::new(SshConnector::new())).await {
        Err(DaemonError::AlreadyRunning(_)) => {}
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("second daemon started"),
    }
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_needs_a_token_and_checks_it() {
    let lab = Lab::new(vec![HostSpec::comware("sw1").with("warm: false")]).await;
    let mut cfg = lab.config();
    cfg.listen = Some("127.0.0.1:0".parse().unwrap());
    match Daemon::start(cfg.clone(), Arc::new(SshConnector::new())).await {
        Err(DaemonError::TcpWithoutToken(_)) => {}
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("TCP without token accepted"),
    }
    let tf = lab.dir.path().join("token");
    std::fs::write(&tf, "0123456789abcdef-secret-token\n").unwrap();
    cfg.token_file = Some(tf);
    let daemon = Daemon::start(cfg, Arc::new(SshConnector::new()))
        .await
        .unwrap();
    let addr = daemon.tcp_addr().unwrap().to_string();
    let bad = DaemonClient::new(Endpoint::Tcp {
        addr: addr.clone(),
        token: "0123456789abcdef-secret-tokeX".into(),
    });
    match bad.status().await {
        Err(ClientError::Status { status: 401, .. }) => {}
        other => panic!("{other:?}"),
    }
    let (code, _) = bad.request_raw("GET", "/healthz", None).await.unwrap();
    assert_eq!(code, 200, "healthz needs no token");
    let good = DaemonClient::new(Endpoint::Tcp {
        addr,
        token: "0123456789abcdef-secret-token".into(),
    });
    assert_eq!(good.status().await.unwrap().len(), 1);
    let r = exec_on(&good, "sw1", &["display clock"]).await.unwrap();
    assert!(r.ok, "{r:?}");
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_body_and_slow_headers_are_refused() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let lab = Lab::new(vec![HostSpec::comware("sw1").with("warm: false")]).await;
    let mut cfg = lab.config();
    cfg.limits.header_timeout = Duration::from_millis(300);
    let daemon = Daemon::start(cfg, Arc::new(SshConnector::new()))
        .await
        .unwrap();
    let client = DaemonClient::new(Endpoint::Unix(daemon.socket_path().to_path_buf()));
    let big = format!(
        "{{\"device\":\"sw1\",\"commands\":[\"{}\"]}}",
        "x".repeat(2 << 20)
    );
    // Raw socket: the daemon answers 413 from the Content-Length and hangs up without reading
    // the 2 MB, so an HTTP client may see its own write fail (EPIPE) before it reads the answer.
    let mut s = tokio::net::UnixStream::connect(daemon.socket_path())
        .await
        .unwrap();
    let mut req = format!(
        "POST /v1/exec HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        big.len()
    )
    .into_bytes();
    req.extend_from_slice(big.as_bytes());
    let _ = s.write_all(&req).await;
    let mut ans = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(3), s.read_to_end(&mut ans)).await;
    let ans = String::from_utf8_lossy(&ans);
    assert!(ans.starts_with("HTTP/1.1 413 "), "{ans}");
    assert!(ans.contains("exceeds the limit of 1048576 bytes"), "{ans}");

    // Slowloris: half a request line, then nothing: the daemon hangs up after the header timeout.
    let mut s = tokio::net::UnixStream::connect(daemon.socket_path())
        .await
        .unwrap();
    s.write_all(b"GET /v1/sessions HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let r = tokio::time::timeout(Duration::from_secs(3), s.read_to_end(&mut buf)).await;
    assert!(r.is_ok(), "connection not closed by the header timeout");
    // And the daemon still serves.
    assert_eq!(client.status().await.unwrap().len(), 1);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_in_flight_when_the_session_dies_returns_partial_output() {
    let (lab, daemon, client) = Lab::started(vec![HostSpec::comware("sw1")]).await;
    let c2 = client.clone();
    let ping = tokio::spawn(async move { exec_on(&c2, "sw1", &["ping 10.0.0.1"]).await });
    // Two of the five echo lines (500 ms apart) are out when the device resets the session.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    lab.dev("sw1").set_fault(Fault::Reset);
    let r = ping.await.unwrap().unwrap();
    assert!(!r.ok, "{r:?}");
    let c = &r.results[0].outputs[0];
    assert!(!c.retried, "ping is not read-only: never re-run");
    assert_eq!(
        r.results[0].error_kind,
        Some(netkeep_keeper::connector::ErrorKind::ConnectionLost),
        "{r:?}"
    );
    assert!(
        c.partial_output
            .as_deref()
            .unwrap_or("")
            .contains("icmp_seq"),
        "partial output kept: {c:?}"
    );
    // The next request gets a fresh session.
    let r = exec_on(&client, "sw1", &["display clock"]).await.unwrap();
    assert!(r.ok, "{r:?}");
    assert_eq!(lab.dev("sw1").counters().sessions_opened, 2);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_open_session_is_detected_and_replaced() {
    let (lab, daemon, client) = Lab::started(vec![HostSpec::comware("sw1")
        .with("connect_timeout: 1s, keepalive: { mode: nul, interval: 300ms }")])
    .await;
    lab.dev("sw1").set_fault(Fault::Stall);
    let step = Duration::from_millis(100);
    let st = wait_status(&client, 60, step, |d| d.drops >= 1).await;
    assert_eq!(st[0].drops, 1, "stalled session found dead: {st:?}");
    lab.dev("sw1").clear_faults();
    let st = wait_status(&client, 60, step, |d| d.state == "ready").await;
    assert_eq!(
        (st[0].state.as_str(), st[0].reconnects >= 1),
        ("ready", true),
        "{st:?}"
    );
    let r = exec_on(&client, "sw1", &["display clock"]).await.unwrap();
    assert!(r.ok, "{r:?}");
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_hanging_up_mid_command_does_not_corrupt_the_session() {
    use tokio::io::AsyncWriteExt;
    let (lab, daemon, client) = Lab::started(vec![HostSpec::comware("sw1")]).await;
    let body = br#"{"device":"sw1","commands":["ping 10.0.0.1"]}"#;
    let mut s = tokio::net::UnixStream::connect(daemon.socket_path())
        .await
        .unwrap();
    let head = format!(
        "POST /v1/exec HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(body).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(s); // hang up while the ping is running
    let r = exec_on(&client, "sw1", &["display clock"]).await.unwrap();
    assert!(r.ok, "{r:?}");
    let out = &r.results[0].outputs[0].output;
    assert!(
        out.contains("UTC") && !out.contains("icmp_seq"),
        "clean output after the abandoned ping: {out:?}"
    );
    assert!(
        r.results[0].queued_ms > 1000.0,
        "waited for the ping to finish: {r:?}"
    );
    assert_eq!(lab.dev("sw1").counters().sessions_opened, 1);
    daemon.stop().await;
}
