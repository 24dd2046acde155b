//! Pool behaviour against a scriptable fake session (the simulator-backed tests are in
//! `daemon_sim.rs`): queueing, parallelism, backoff, auth failures, retries, reload.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use netkeep_keeper::connector::{BoxFut, Connector, DeviceSession, ErrorKind, SessionError};
use netkeep_keeper::inventory::Inventory;
use netkeep_keeper::pool::{ExecRequest, Pool, PoolOptions};
use netkeep_keeper::wire::DeviceStatus;

#[derive(Default)]
struct Fake {
    connects: AtomicU64,
    /// Connects fail with this kind while set.
    fail: Mutex<Option<ErrorKind>>,
    /// The next command containing "die" kills its session (once).
    die_armed: AtomicBool,
    concurrent: AtomicUsize,
    max_concurrent: AtomicUsize,
    sessions: Mutex<Vec<Arc<FakeSession>>>,
    config_sets: AtomicU64,
    connects_by: Mutex<std::collections::HashMap<String, u64>>,
    /// What `path_epoch` answers (a jump host reconnecting bumps it).
    epoch: AtomicU64,
}

struct FakeSession {
    fake: Arc<Fake>,
    closed: AtomicBool,
    keepalives: AtomicU64,
}

impl DeviceSession for FakeSession {
    fn send_command<'a>(
        &'a self,
        command: &'a str,
        _t: Option<Duration>,
    ) -> BoxFut<'a, Result<String, SessionError>> {
        Box::pin(async move {
            if self.closed.load(Ordering::SeqCst) {
                return Err(SessionError::new(ErrorKind::ConnectionLost, "closed"));
            }
            let f = &self.fake;
            let n = f.concurrent.fetch_add(1, Ordering::SeqCst) + 1;
            f.max_concurrent.fetch_max(n, Ordering::SeqCst);
            let delay = command
                .strip_prefix("sleep ")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(delay)).await;
            f.concurrent.fetch_sub(1, Ordering::SeqCst);
            if command.contains("die") && f.die_armed.swap(false, Ordering::SeqCst) {
                self.closed.store(true, Ordering::SeqCst);
                let mut e = SessionError::new(
                    ErrorKind::ConnectionLost,
                    "fake: connection reset during command",
                );
                e.partial_output = Some("first half".into());
                return Err(e);
            }
            Ok(format!("out:{command}"))
        })
    }
    fn send_config_set<'a>(
        &'a self,
        lines: &'a [String],
    ) -> BoxFut<'a, Result<String, SessionError>> {
        Box::pin(async move {
            self.fake.config_sets.fetch_add(1, Ordering::SeqCst);
            if lines.iter().any(|l| l.contains("die"))
                && self.fake.die_armed.swap(false, Ordering::SeqCst)
            {
                self.closed.store(true, Ordering::SeqCst);
                return Err(SessionError::new(
                    ErrorKind::ConnectionLost,
                    "fake: reset in config",
                ));
            }
            Ok(lines.join("\n"))
        })
    }
    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }
    fn keepalives_sent(&self) -> u64 {
        self.keepalives.load(Ordering::SeqCst)
    }
    fn last_rtt(&self) -> Option<Duration> {
        Some(Duration::from_micros(250))
    }
    fn disconnect(&self) -> BoxFut<'_, ()> {
        Box::pin(async move { self.closed.store(true, Ordering::SeqCst) })
    }
}

struct FakeConnector(Arc<Fake>);

impl Connector for FakeConnector {
    fn connect<'a>(
        &'a self,
        spec: &'a netkeep_keeper::inventory::DeviceSpec,
    ) -> BoxFut<'a, Result<Arc<dyn DeviceSession>, SessionError>> {
        Box::pin(async move {
            self.0.connects.fetch_add(1, Ordering::SeqCst);
            *self
                .0
                .connects_by
                .lock()
                .unwrap()
                .entry(spec.name.clone())
                .or_default() += 1;
            tokio::time::sleep(Duration::from_millis(5)).await;
            if let Some(kind) = *self.0.fail.lock().unwrap() {
                return Err(SessionError::new(
                    kind,
                    format!("{}: fake connect failure", spec.name),
                ));
            }
            let s = Arc::new(FakeSession {
                fake: self.0.clone(),
                closed: AtomicBool::new(false),
                keepalives: AtomicU64::new(3),
            });
            self.0.sessions.lock().unwrap().push(s.clone());
            Ok(s as Arc<dyn DeviceSession>)
        })
    }

    fn path_epoch(&self, _spec: &netkeep_keeper::inventory::DeviceSpec) -> u64 {
        self.0.epoch.load(Ordering::SeqCst)
    }
}

fn inventory(extra: &str) -> Inventory {
    let yaml = format!(
        "defaults: {{ username: u, password: p, platform: hp_comware }}\ngroups:\n  all: {{}}\nhosts:\n  a: {{ groups: [all] }}\n  b: {{ groups: [all] }}\n{extra}"
    );
    Inventory::from_str(&yaml, "t.yaml").unwrap()
}

fn opts() -> PoolOptions {
    PoolOptions {
        queue_timeout: Duration::from_secs(2),
        backoff_base: Duration::from_millis(100),
        backoff_max: Duration::from_millis(400),
        auth_retry: Duration::from_secs(60),
        tick: Duration::from_millis(20),
        ..PoolOptions::default()
    }
}

fn keeper(extra: &str) -> (Pool, Arc<Fake>) {
    let fake = Arc::new(Fake::default());
    let k = Pool::new(
        inventory(extra),
        Arc::new(FakeConnector(fake.clone())),
        opts(),
    );
    (k, fake)
}

#[tokio::test]
async fn one_device_queues_for_its_single_session_others_run_in_parallel() {
    let (k, fake) = keeper("");
    assert_eq!(k.warm(|_, _| {}).await, (2, 0));
    let t = Instant::now();
    let req = ExecRequest::new(["sleep 150"]);
    let (r1, r2, r3) = tokio::join!(
        k.exec_one("a", &req),
        k.exec_one("a", &req),
        k.exec_one("b", &req)
    );
    assert!(r1.ok && r2.ok && r3.ok);
    let waited = r1.queued_ms.max(r2.queued_ms);
    assert!(
        waited >= 120.0,
        "second request on `a` must wait for the first: {waited} ms"
    );
    assert!(r3.queued_ms < 50.0, "`b` does not wait for `a`");
    assert!(t.elapsed() < Duration::from_millis(290) + Duration::from_millis(150));
    assert_eq!(
        fake.max_concurrent.load(Ordering::SeqCst),
        2,
        "a and b in parallel, never 2 on a"
    );
    assert_eq!(
        fake.connects.load(Ordering::SeqCst),
        2,
        "warm sessions reused"
    );
}

#[tokio::test]
async fn queue_timeout_is_an_error_naming_the_limit() {
    let fake = Arc::new(Fake::default());
    let k = Pool::new(
        inventory(""),
        Arc::new(FakeConnector(fake)),
        PoolOptions {
            queue_timeout: Duration::from_millis(50),
            ..opts()
        },
    );
    let long = ExecRequest::new(["sleep 300"]);
    let short = ExecRequest::new(["x"]);
    let (_, r) = tokio::join!(k.exec_one("a", &long), async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        k.exec_one("a", &short).await
    });
    assert!(!r.ok);
    assert!(
        r.error.as_deref().unwrap().contains("max_sessions 1"),
        "{:?}",
        r.error
    );
}

#[tokio::test]
async fn max_sessions_two_allows_two_at_once_and_no_more() {
    let (k, fake) = keeper("  c: { max_sessions: 2, warm: false }\n");
    let req = ExecRequest::new(["sleep 100"]);
    let rs = futures::future::join_all((0..5).map(|_| k.exec_one("c", &req))).await;
    assert!(rs.iter().all(|r| r.ok));
    assert_eq!(fake.max_concurrent.load(Ordering::SeqCst), 2);
    assert_eq!(
        fake.connects_by.lock().unwrap()["c"],
        2,
        "two sessions opened on demand, then reused"
    );
    let st = k.status().into_iter().find(|s| s.device == "c").unwrap();
    assert_eq!(
        (st.sessions, st.max_sessions, st.state.as_str()),
        (2, 2, "ready")
    );
}

#[tokio::test]
async fn auth_failure_marks_failed_and_is_not_retried_in_a_loop() {
    let (k, fake) = keeper("");
    *fake.fail.lock().unwrap() = Some(ErrorKind::Auth);
    assert_eq!(k.warm(|_, _| {}).await, (0, 2));
    // Many supervisor ticks and requests later, still one attempt per device.
    for _ in 0..5 {
        let r = k.exec_one("a", &ExecRequest::new(["display clock"])).await;
        assert!(!r.ok);
        assert!(
            r.error.as_deref().unwrap().contains("login was refused"),
            "{:?}",
            r.error
        );
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    assert_eq!(fake.connects.load(Ordering::SeqCst), 2);
    let st = k.status();
    assert!(
        st.iter()
            .all(|s| s.state == "failed" && s.retry_in_s.unwrap() > 20.0),
        "{st:?}"
    );
}

#[tokio::test]
async fn unreachable_device_backs_off_exponentially_then_recovers() {
    let (k, fake) = keeper("");
    *fake.fail.lock().unwrap() = Some(ErrorKind::Other);
    k.warm(|_, _| {}).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    // base 100 ms doubling to a 400 ms cap with ±50 % jitter: a handful of attempts per device,
    // far fewer than the 35 ticks that passed.
    let attempts = fake.connects.load(Ordering::SeqCst);
    assert!((4..=16).contains(&attempts), "attempts: {attempts}");
    let st = k.status();
    assert!(
        st.iter()
            .all(|s| s.state == "backoff" || s.state == "connecting"),
        "{st:?}"
    );
    *fake.fail.lock().unwrap() = None;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let st = k.status();
    assert!(
        st.iter().all(|s| s.state == "ready" && s.failures == 0),
        "{st:?}"
    );
}

#[tokio::test]
async fn dropped_session_is_replaced_and_counted() {
    let (k, fake) = keeper("");
    k.warm(|_, _| {}).await;
    fake.sessions.lock().unwrap()[0]
        .closed
        .store(true, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(150)).await;
    let st = k.status();
    let dropped: Vec<_> = st.iter().filter(|s| s.drops == 1).collect();
    assert_eq!(dropped.len(), 1, "{st:?}");
    assert_eq!(dropped[0].reconnects, 1);
    assert_eq!(dropped[0].state, "ready");
    assert!(dropped[0]
        .last_error
        .as_deref()
        .unwrap()
        .contains("closed by the device"));
    assert_eq!(fake.connects.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn read_only_command_retried_once_config_never() {
    let (k, fake) = keeper("");
    k.warm(|_, _| {}).await;
    fake.die_armed.store(true, Ordering::SeqCst);
    let r = k
        .exec_one("a", &ExecRequest::new(["display die", "display clock"]))
        .await;
    assert!(r.ok, "{r:?}");
    assert!(r.outputs[0].retried && r.connected);
    assert_eq!(r.outputs[1].output, "out:display clock");

    fake.die_armed.store(true, Ordering::SeqCst);
    let r = k
        .exec_one("a", &ExecRequest::new(["reboot die", "display clock"]))
        .await;
    assert!(!r.ok);
    assert_eq!(r.outputs.len(), 1, "stops at the failed command");
    assert_eq!(r.outputs[0].partial_output.as_deref(), Some("first half"));
    assert!(!r.outputs[0].retried);

    let before = fake.config_sets.load(Ordering::SeqCst);
    fake.die_armed.store(true, Ordering::SeqCst);
    let r = k
        .config(
            "a",
            &["interface x".to_string(), "description die".to_string()],
        )
        .await;
    assert!(!r.ok);
    assert!(r.outputs[0]
        .error
        .as_deref()
        .unwrap()
        .contains("never retried"));
    assert_eq!(
        fake.config_sets.load(Ordering::SeqCst) - before,
        1,
        "config sent exactly once"
    );
    // And the next request gets a fresh session.
    assert!(
        k.exec_one("a", &ExecRequest::new(["display clock"]))
            .await
            .ok
    );
}

#[tokio::test]
async fn group_fan_out_and_unknown_device() {
    let (k, _fake) = keeper("");
    let members = k.group_members("all").unwrap();
    let rs = k
        .exec_many(&members, &ExecRequest::new(["display version"]))
        .await;
    assert_eq!(
        rs.iter()
            .map(|r| (r.device.as_str(), r.ok))
            .collect::<Vec<_>>(),
        [("a", true), ("b", true)]
    );
    let r = k.exec_one("nope", &ExecRequest::new(["x"])).await;
    assert!(r.error.unwrap().contains("unknown device `nope`"));
}

#[tokio::test]
async fn reload_keeps_unchanged_sessions_replaces_changed() {
    let (k, fake) = keeper("");
    k.warm(|_, _| {}).await;
    let new = Inventory::from_str(
        "defaults: { username: u, password: p, platform: hp_comware }\ngroups:\n  all: {}\nhosts:\n  a: { groups: [all] }\n  b: { groups: [all], port: 2200 }\n  d: {}\n",
        "t.yaml",
    )
    .unwrap();
    let rep = k.reload(new).await;
    assert_eq!(
        (rep.unchanged, rep.changed.clone(), rep.added.clone()),
        (1, vec!["b".to_string()], vec!["d".to_string()])
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    let st = k.status();
    assert_eq!(
        st.iter().map(|s| s.device.as_str()).collect::<Vec<_>>(),
        ["a", "b", "d"]
    );
    assert!(
        st.iter().all(|s| s.state == "ready" && s.reconnects == 0),
        "{st:?}"
    );
    // a kept its first session; b and d connected fresh; old b logged out.
    assert_eq!(fake.connects.load(Ordering::SeqCst), 4);
    let sessions = fake.sessions.lock().unwrap();
    assert_eq!(
        sessions
            .iter()
            .filter(|s| s.closed.load(Ordering::SeqCst))
            .count(),
        1
    );
}

#[tokio::test]
async fn shutdown_waits_for_in_flight_then_logs_out() {
    let (k, fake) = keeper("");
    k.warm(|_, _| {}).await;
    let k2 = k.clone();
    let inflight =
        tokio::spawn(async move { k2.exec_one("a", &ExecRequest::new(["sleep 200"])).await });
    tokio::time::sleep(Duration::from_millis(30)).await;
    k.shutdown(Duration::from_secs(2)).await;
    assert!(inflight.await.unwrap().ok, "in-flight command finished");
    assert!(fake
        .sessions
        .lock()
        .unwrap()
        .iter()
        .all(|s| s.closed.load(Ordering::SeqCst)));
    assert!(
        !k.exec_one("b", &ExecRequest::new(["x"])).await.ok,
        "no new work after shutdown"
    );
}

#[test]
fn read_only_detection() {
    use netkeep_keeper::pool::is_read_only;
    for c in [
        "show version",
        "sh ip int br",
        "display clock",
        "dis cur",
        "DISPLAY interface",
    ] {
        assert!(is_read_only(c), "{c}");
    }
    for c in ["shutdown", "disable", "reload", "s", "di", "save force", ""] {
        assert!(!is_read_only(c), "{c}");
    }
}

#[tokio::test]
async fn sessions_older_than_max_age_are_recycled() {
    let (k, fake) = keeper("  c: { max_age: 150ms }\n");
    k.warm(|_, _| {}).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    // A look can fall between logging out of the old session and the new one being ready
    // (no age then): look again, for at most 2 s.
    let t0 = Instant::now();
    let c = loop {
        let c = k.status().into_iter().find(|s| s.device == "c").unwrap();
        if c.age_s.is_some() || t0.elapsed() > Duration::from_secs(2) {
            break c;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert!(c.reconnects >= 2, "{c:?}");
    assert_eq!(c.drops, 0, "recycling is not a drop");
    assert!(c.age_s.is_some_and(|a| a < 0.3), "{c:?}");
    assert_eq!(fake.connects_by.lock().unwrap()["a"], 1, "others untouched");
    let closed = fake
        .sessions
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.closed.load(Ordering::SeqCst))
        .count();
    assert!(
        closed as u64 >= c.reconnects,
        "recycled sessions were logged out"
    );
}

#[tokio::test]
async fn status_json_pieces_match_status_and_stay_near_the_piece_size() {
    let extra: String = (0..300)
        .map(|i| format!("  h{i:03}: {{ warm: {} }}\n", i % 3 != 0))
        .collect();
    let (k, _fake) = keeper(&extra);
    assert_eq!(k.warm(|_, _| {}).await, (202, 0), "a, b and 200 warm hosts");
    let r = k
        .exec_one("h001", &ExecRequest::new(["display clock"]))
        .await;
    assert!(r.ok, "{r:?}");

    let pieces: Vec<Vec<u8>> = k.status_json_pieces(4096).collect();
    assert!(pieces.len() > 10, "{} pieces", pieces.len());
    // Every piece but the last reaches the mark and overshoots by at most one device's entry.
    for p in &pieces[..pieces.len() - 1] {
        assert!(
            (4096..4096 + 600).contains(&p.len()),
            "piece of {}",
            p.len()
        );
    }
    let doc: Vec<u8> = pieces.concat();
    let streamed: Vec<DeviceStatus> = serde_json::from_slice(&doc).expect("one valid JSON array");
    let built = k.status();
    assert_eq!(streamed.len(), 302);
    // Same devices, order and states (ages may tick between the two snapshots).
    let key = |s: &DeviceStatus| (s.device.clone(), s.state, s.sessions, s.keepalives_sent);
    assert_eq!(
        streamed.iter().map(key).collect::<Vec<_>>(),
        built.iter().map(key).collect::<Vec<_>>()
    );
    assert_eq!(find_state(&streamed, "h000"), "idle");
    assert_eq!(find_state(&streamed, "h001"), "ready");

    // The metrics sum the same per-device figures without building the list.
    let m = k.metrics_text();
    assert!(m.contains("netkeep_sessions_open 202\n"), "{m}");
    assert!(m.contains("netkeep_devices{state=\"idle\"} 100\n"), "{m}");
    assert!(m.contains("netkeep_devices{state=\"ready\"} 202\n"), "{m}");
    k.shutdown(Duration::from_secs(1)).await;
}

fn find_state(st: &[DeviceStatus], name: &str) -> String {
    st.iter()
        .find(|s| s.device == name)
        .unwrap()
        .state
        .to_string()
}

#[tokio::test]
async fn status_json_of_an_empty_fleet_is_an_empty_array() {
    let inv = Inventory::from_str("hosts: {}\n", "t.yaml").unwrap();
    let k = Pool::new(
        inv,
        Arc::new(FakeConnector(Arc::new(Fake::default()))),
        opts(),
    );
    assert_eq!(
        k.status_json_pieces(4096).flatten().collect::<Vec<u8>>(),
        b"[]"
    );
    k.shutdown(Duration::from_secs(1)).await;
}

/// A device that failed while its jump host was down is retried as soon as the jump host is
/// back (the connector's path epoch moves), not after its own backoff.
#[tokio::test]
async fn a_device_is_retried_at_once_when_its_path_comes_back() {
    let fake = Arc::new(Fake::default());
    *fake.fail.lock().unwrap() = Some(ErrorKind::Unreachable);
    let k = Pool::new(
        inventory(""),
        Arc::new(FakeConnector(fake.clone())),
        PoolOptions {
            backoff_base: Duration::from_secs(30),
            backoff_max: Duration::from_secs(30),
            ..opts()
        },
    );
    assert_eq!(k.warm(|_, _| {}).await, (0, 2));
    let before = fake.connects.load(Ordering::SeqCst);
    *fake.fail.lock().unwrap() = None;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        fake.connects.load(Ordering::SeqCst),
        before,
        "still in backoff"
    );
    fake.epoch.fetch_add(1, Ordering::SeqCst);
    let t = Instant::now();
    while k.status().iter().any(|d| d.state != "ready") {
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", k.status());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
