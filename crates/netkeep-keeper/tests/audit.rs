//! The audit log against simulated devices: one correct record per command for Unix socket and
//! TCP callers (the socket caller named by the kernel's uid, a second Unix user included), the
//! intent on disk before the device sees the command, rotation without loss, the syslog mirror
//! and kept outputs, and an unwritable log (refused at start, or commands refused while the log
//! is required).

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use netkeep_keeper::audit::read::{read, Filter, Log};
use netkeep_keeper::audit::{CommandRecord, Event, OutcomeKind, Record};
use netkeep_keeper::client::{DaemonClient, Endpoint, Target};
use netkeep_keeper::connector::ssh::SshConnector;
use netkeep_keeper::daemon::{Daemon, DaemonError};
use netkeep_keeper::identity::AuthMethod;
use netkeep_testkit::{access_file, call, tcp_client, token_entry, HostSpec, Lab};
use serde_json::json;

const CI: &str = "ci-token-0123456789abcdef";

fn log(path: &Path) -> Log {
    read(path, &Filter::default()).unwrap()
}

fn commands_of(log: &Log) -> Vec<(&Record, &CommandRecord)> {
    log.records
        .iter()
        .filter_map(|r| match &r.what {
            Event::Command(c) => Some((r, c)),
            _ => None,
        })
        .collect()
}

/// The `request` record of `request_id`: (devices, commands).
fn intent_of<'a>(log: &'a Log, request_id: &str) -> (&'a [String], &'a [String]) {
    log.records
        .iter()
        .find_map(|r| match &r.what {
            Event::Request {
                devices, commands, ..
            } if r.request_id == request_id => Some((devices.as_slice(), commands.as_slice())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no request record for {request_id}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_record_per_command_for_socket_and_tcp_callers() {
    let lab = Lab::new(vec![
        HostSpec::new("sw1", "hp_comware"),
        HostSpec::new("sw2", "huawei"),
    ])
    .await;
    let audit = lab.dir.path().join("audit.jsonl");
    let mut cfg = lab.config();
    cfg.listen = Some("127.0.0.1:0".parse().unwrap());
    cfg.access_file = Some(access_file(
        lab.dir.path(),
        &format!("tokens:\n{}", token_entry("ci", "read", CI)),
    ));
    cfg.audit_log = Some(audit.clone());
    let (daemon, socket) = lab.start_with(cfg).await;
    let tcp = tcp_client(daemon.tcp_addr().unwrap(), CI);

    // Socket, as this process's user: two commands, the second rejected, a third not run.
    let cmds = ["display clock", "display nonsense", "display version"].map(String::from);
    let r = socket
        .exec(Target::Device("sw1".into()), &cmds, None)
        .await
        .unwrap();
    assert!(!r.ok && r.results[0].outputs.len() == 2, "{r:?}");
    // TCP with a token: one command on two devices.
    let r = tcp
        .exec(
            Target::Devices(vec!["sw1".into(), "sw2".into()]),
            &["display clock".into()],
            None,
        )
        .await
        .unwrap();
    assert!(r.ok, "{r:?}");
    // A configuration set with a secret in it, over the socket.
    let lines = [
        "interface GigabitEthernet1/0/1",
        "description temporary password Hunter2-Secret",
    ]
    .map(String::from);
    let r = socket.config("sw1", &lines).await.unwrap();
    assert!(r.ok, "{r:?}");
    // Refused for its scope: recorded as denied.
    let (code, _) = call(
        &tcp,
        "POST",
        "/v1/config",
        Some(json!({"device": "sw1", "lines": ["sysname x"]})),
    )
    .await;
    assert_eq!(code, 403);
    daemon.stop().await;

    let text = std::fs::read_to_string(&audit).unwrap();
    assert!(
        !text.contains("Hunter2-Secret"),
        "a secret in the audit log:\n{text}"
    );
    let log = log(&audit);
    assert_eq!(log.unreadable, 0);
    let me = unsafe { libc::geteuid() };
    let my_name = netkeep_keeper::identity::user_name(me);
    let got: Vec<_> = commands_of(&log)
        .iter()
        .map(|(r, c)| {
            (
                r.who.user.clone(),
                c.device.clone(),
                c.command.clone(),
                c.result.outcome,
            )
        })
        .collect();
    let want = [
        (my_name.clone(), "sw1", "display clock", OutcomeKind::Ok),
        (
            my_name.clone(),
            "sw1",
            "display nonsense",
            OutcomeKind::Rejected,
        ),
        (
            my_name.clone(),
            "sw1",
            "display version",
            OutcomeKind::NotRun,
        ),
        ("ci".into(), "sw1", "display clock", OutcomeKind::Ok),
        ("ci".into(), "sw2", "display clock", OutcomeKind::Ok),
        (
            my_name.clone(),
            "sw1",
            "configuration set (2 lines)",
            OutcomeKind::Ok,
        ),
    ]
    .map(|(u, d, c, o)| (u, d.to_string(), c.to_string(), o));
    assert_eq!(got, want, "{text}");

    for (r, c) in commands_of(&log) {
        let (devices, commands) = intent_of(&log, &r.request_id);
        assert!(devices.contains(&c.device), "{r:?}");
        assert!(!commands.is_empty());
        match r.who.auth {
            AuthMethod::Unix => {
                assert_eq!(r.who.uid, Some(me));
                assert_eq!(r.who.pid, Some(std::process::id() as i32));
                assert!(r.who.remote.is_none());
            }
            AuthMethod::Token => {
                assert!(
                    r.who.remote.as_deref().unwrap().starts_with("127.0.0.1:"),
                    "{r:?}"
                );
                assert!(r.who.uid.is_none() && r.who.pid.is_none());
            }
            AuthMethod::Certificate => panic!("{r:?}"),
        }
        if c.result.outcome != OutcomeKind::NotRun {
            assert!(c.duration_ms > 0.0 && c.bytes > 0, "{c:?}");
        }
    }
    let (_, rejected) = commands_of(&log)[1];
    assert!(rejected
        .result
        .rejected
        .as_deref()
        .unwrap()
        .contains("Unrecognized command"));
    let (_, set) = commands_of(&log)[5];
    assert_eq!(
        set.lines.as_deref().unwrap(),
        [
            "interface GigabitEthernet1/0/1",
            "description temporary password <redacted>"
        ]
    );
    let denied: Vec<_> = log
        .records
        .iter()
        .filter(|r| matches!(r.what, Event::Denied { .. }))
        .collect();
    assert_eq!(denied.len(), 1, "{text}");
    assert_eq!(denied[0].who.user, "ci");
    assert!(log.unfinished().is_empty());
    assert!(
        text.lines().all(|l| !l.contains(CI)),
        "the token's text is in the log"
    );
}

/// The entry point of the child that calls the daemon as another Unix user (run by
/// `a_second_unix_user_is_named_by_the_kernel`; ignored on its own).
#[test]
#[ignore = "the child process of a_second_unix_user_is_named_by_the_kernel"]
fn as_another_user_child() {
    let socket = std::env::var("NETKEEP_AUDIT_CHILD_SOCKET").expect("run by the parent test");
    let body = std::env::var("NETKEEP_AUDIT_CHILD_BODY").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (code, answer) = rt.block_on(async {
        let c = DaemonClient::new(Endpoint::Unix(socket.into()));
        c.request_raw("POST", "/v1/exec", Some(body.into_bytes()))
            .await
            .unwrap()
    });
    println!(
        "CHILD-ANSWER {code} {}",
        String::from_utf8_lossy(&answer).replace('\n', " ")
    );
}

/// Runs the child entry point as `uid` with `body`; returns its HTTP status and answer.
fn call_as(uid: u32, socket: &Path, body: serde_json::Value) -> (u16, String, u32) {
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "as_another_user_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("NETKEEP_AUDIT_CHILD_SOCKET", socket)
        .env("NETKEEP_AUDIT_CHILD_BODY", body.to_string())
        .uid(uid)
        .gid(uid)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("CHILD-ANSWER ").map(|(_, a)| a))
        .unwrap_or_else(|| panic!("the child answered nothing: {stdout}"));
    let (code, answer) = line.split_once(' ').unwrap();
    (code.parse().unwrap(), answer.to_string(), pid)
}

/// Root (or `NETKEEP_REQUIRE_SYSTEM_TOOLS=1`, which makes its absence a failure) is needed to
/// run a child as another user.
fn can_switch_users(test: &str) -> bool {
    if unsafe { libc::geteuid() } == 0 {
        return true;
    }
    assert!(
        std::env::var("NETKEEP_REQUIRE_SYSTEM_TOOLS").as_deref() != Ok("1"),
        "{test}: needs root to run a client as another user (NETKEEP_REQUIRE_SYSTEM_TOOLS=1)"
    );
    eprintln!("SKIPPED {test}: not root, cannot run a client as another user");
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_unix_user_is_named_by_the_kernel() {
    if !can_switch_users("a_second_unix_user_is_named_by_the_kernel") {
        return;
    }
    let lab = Lab::new(vec![HostSpec::new("sw1", "hp_comware")]).await;
    // The other user must reach the socket: the lab directory opened, the socket 0666 (its
    // scope, not the file mode, decides).
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(lab.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let audit = lab.dir.path().join("audit.jsonl");
    let mut cfg = lab.config();
    cfg.socket_mode = 0o666;
    cfg.audit_log = Some(audit.clone());
    cfg.access_file = Some(access_file(lab.dir.path(), "users:\n  nobody: read\n"));
    let (daemon, _) = lab.start_with(cfg).await;
    let sock = daemon.socket_path().to_path_buf();
    let nobody = 65534;
    assert_eq!(netkeep_keeper::identity::user_name(nobody), "nobody");

    let before = lab.dev("sw1").counters().commands;
    let (code, answer, pid) = call_as(
        nobody,
        &sock,
        json!({"device": "sw1", "commands": ["display clock"]}),
    );
    assert_eq!(code, 200, "{answer}");
    assert!(answer.contains("UTC"), "{answer}");
    let (code, answer, _) = call_as(
        nobody,
        &sock,
        json!({"device": "sw1", "commands": ["system-view"]}),
    );
    assert_eq!(code, 403, "{answer}");
    assert!(answer.contains("nobody"), "{answer}");
    assert_eq!(
        lab.dev("sw1").counters().commands,
        before + 1,
        "only the display reached the device"
    );
    // A user not listed (daemon: root) is refused outright.
    let (code, answer, _) = call_as(
        65533,
        &sock,
        json!({"device": "sw1", "commands": ["display clock"]}),
    );
    assert_eq!(code, 403, "{answer}");
    assert!(
        answer.contains("uid 65533") && answer.contains("users:"),
        "{answer}"
    );
    daemon.stop().await;

    let log = log(&audit);
    let cmds = commands_of(&log);
    assert_eq!(cmds.len(), 1, "{:?}", log.records);
    let (r, c) = cmds[0];
    assert_eq!(
        (r.who.user.as_str(), r.who.uid, r.who.pid),
        ("nobody", Some(nobody), Some(pid as i32))
    );
    assert_eq!(
        (c.device.as_str(), c.command.as_str(), c.result.outcome),
        ("sw1", "display clock", OutcomeKind::Ok)
    );
    let denied: Vec<_> = log
        .records
        .iter()
        .filter(|r| matches!(r.what, Event::Denied { .. }))
        .collect();
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].who.user, "nobody");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_intent_is_on_disk_before_the_device_sees_the_command() {
    let lab = Lab::new(vec![HostSpec::new("sw1", "hp_comware")]).await;
    let audit = lab.dir.path().join("audit.jsonl");
    let mut cfg = lab.config();
    cfg.audit_log = Some(audit.clone());
    let (daemon, c) = lab.start_with(cfg).await;
    let before = lab.dev("sw1").counters().commands;
    // A ping runs for seconds: look at the log while the device is running it.
    let running = tokio::spawn(async move {
        c.exec(
            Target::Device("sw1".into()),
            &["ping 10.0.0.1".into()],
            None,
        )
        .await
        .unwrap()
    });
    let t = std::time::Instant::now();
    while lab.dev("sw1").counters().commands == before {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "the ping never reached the device"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let during = log(&audit);
    assert_eq!(during.unfinished().len(), 1, "{:?}", during.records);
    assert!(commands_of(&during).is_empty());
    assert_eq!(
        intent_of(&during, &during.records[0].request_id).1,
        ["ping 10.0.0.1"]
    );
    assert!(running.await.unwrap().ok);
    let after = log(&audit);
    assert!(after.unfinished().is_empty());
    assert_eq!(commands_of(&after).len(), 1);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_by_size_loses_no_record() {
    let lab = Lab::new(vec![HostSpec::new("sw1", "hp_comware")]).await;
    let audit = lab.dir.path().join("audit.jsonl");
    let mut cfg = lab.config();
    cfg.access_file = Some(access_file(
        lab.dir.path(),
        "audit:\n  file: audit.jsonl\n  max_size: 2KiB\n  keep: 100\n  fsync: always\n",
    ));
    let (daemon, c) = lab.start_with(cfg).await;
    for i in 0..12 {
        let cmd = format!("display interface GigabitEthernet1/0/{i}");
        c.exec(Target::Device("sw1".into()), &[cmd], None)
            .await
            .unwrap();
    }
    daemon.stop().await;
    let log = log(&audit);
    assert!(log.files.len() >= 3, "rotated files: {:?}", log.files);
    for f in &log.files {
        let len = std::fs::metadata(f).unwrap().len();
        assert!(len <= 2048, "{} is {len} bytes", f.display());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", f.display());
    }
    let seen: Vec<String> = commands_of(&log)
        .iter()
        .map(|(_, c)| c.command.clone())
        .collect();
    let want: Vec<String> = (0..12)
        .map(|i| format!("display interface GigabitEthernet1/0/{i}"))
        .collect();
    assert_eq!(seen, want);
    assert!(log.unfinished().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mirrored_to_syslog_and_outputs_kept_only_when_asked() {
    let lab = Lab::new(vec![HostSpec::new("sw1", "hp_comware")]).await;
    let dev_log = lab.dir.path().join("dev-log");
    let syslog = std::os::unix::net::UnixDatagram::bind(&dev_log).unwrap();
    syslog
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let audit = lab.dir.path().join("audit.jsonl");
    let mut cfg = lab.config();
    cfg.access_file = Some(access_file(
        lab.dir.path(),
        &format!(
            "audit:\n  file: audit.jsonl\n  output_bytes: 10\n  syslog: {}\n",
            dev_log.display()
        ),
    ));
    let (daemon, c) = lab.start_with(cfg).await;
    let r = c
        .exec(
            Target::Device("sw1".into()),
            &["display clock".into()],
            None,
        )
        .await
        .unwrap();
    assert!(r.ok);
    daemon.stop().await;

    let log = log(&audit);
    let (_, cmd) = commands_of(&log)[0];
    let kept = cmd.output.as_deref().unwrap();
    assert!(kept.len() <= 10 && cmd.output_truncated, "{cmd:?}");
    assert!(r.results[0].outputs[0].output.starts_with(kept));
    let mut buf = [0u8; 65536];
    let mut events = Vec::new();
    for _ in 0..2 {
        let n = syslog.recv(&mut buf).unwrap();
        let msg = String::from_utf8_lossy(&buf[..n]).into_owned();
        assert!(msg.starts_with("<86>netkeep["), "{msg}");
        let json = msg.split_once("]: ").unwrap().1;
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        assert!(
            v.get("output").is_none(),
            "the output went to syslog: {msg}"
        );
        events.push(v["event"].as_str().unwrap().to_string());
    }
    assert_eq!(events, ["request", "command"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_that_cannot_be_opened_stops_the_daemon_at_start() {
    let lab = Lab::new(vec![HostSpec::new("sw1", "hp_comware").with("warm: false")]).await;
    let not_a_dir = lab.dir.path().join("plain-file");
    std::fs::write(&not_a_dir, "x").unwrap();
    let mut cfg = lab.config();
    cfg.audit_log = Some(not_a_dir.join("audit.jsonl"));
    match Daemon::start(cfg.clone(), Arc::new(SshConnector::new())).await {
        Err(e @ DaemonError::Audit(_)) => {
            let msg = e.to_string();
            assert!(
                msg.contains("plain-file/audit.jsonl") && msg.contains("cannot open"),
                "{msg}"
            );
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("started with an audit log it cannot open"),
    }
    assert!(!cfg.socket.unwrap().exists(), "nothing is served");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_commands_when_the_log_is_required_and_not_otherwise() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        assert!(
            std::env::var("NETKEEP_REQUIRE_SYSTEM_TOOLS").as_deref() != Ok("1"),
            "/dev/full is missing (NETKEEP_REQUIRE_SYSTEM_TOOLS=1)"
        );
        eprintln!("SKIPPED: no /dev/full to stand for a full disk");
        return;
    }
    for required in [true, false] {
        let lab = Lab::new(vec![HostSpec::new("sw1", "hp_comware")]).await;
        let mut cfg = lab.config();
        cfg.audit_log = Some(full.to_path_buf());
        cfg.audit_required = required;
        let (daemon, c) = lab.start_with(cfg).await;
        let before = lab.dev("sw1").counters().commands;
        let body = json!({"device": "sw1", "commands": ["display clock"]});
        let (code, r) = call(&c, "POST", "/v1/exec", Some(body)).await;
        let (ccode, cr) = call(
            &c,
            "POST",
            "/v1/config",
            Some(json!({"device": "sw1", "lines": ["sysname x"]})),
        )
        .await;
        let sent = lab.dev("sw1").counters().commands - before;
        if required {
            for (code, r) in [(code, &r), (ccode, &cr)] {
                assert_eq!(code, 503, "{r}");
                let msg = r["error"].as_str().unwrap();
                assert!(
                    msg.contains("No space left on device") && msg.contains("nothing was sent"),
                    "{msg}"
                );
            }
            assert_eq!(sent, 0, "a command ran without its audit record");
        } else {
            assert_eq!((code, ccode), (200, 200), "{r} {cr}");
            assert!(r["ok"].as_bool().unwrap(), "{r}");
            assert!(sent >= 2);
        }
        // The daemon goes on serving what touches no device; the failures are counted.
        assert_eq!(c.status().await.unwrap().len(), 1);
        let (_, metrics) = c.request_raw("GET", "/metrics", None).await.unwrap();
        let metrics = String::from_utf8_lossy(&metrics).into_owned();
        let failures: u64 = metrics
            .lines()
            .find_map(|l| l.strip_prefix("netkeep_audit_write_failures_total "))
            .unwrap()
            .parse()
            .unwrap();
        assert!(failures >= 2, "{metrics}");
        daemon.stop().await;
    }
}
