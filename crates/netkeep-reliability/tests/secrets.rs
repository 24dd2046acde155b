//! The password never appears in logs (TRACE, every crate including russh, captured to a file),
//! errors, status, API answers or session transcripts. netkeep-keeper's own secrets test covers
//! the login password over the daemon on Comware; this adds what it does not reach: the enable
//! secret typed in-band on Cisco IOS (the session writes it into the channel), a wrong enable
//! secret, keyboard-interactive, inventory errors on the password's own line, the plain
//! `password:` warning, and the daemon's audit log (outputs kept, mirrored to syslog).

use std::time::Duration;

use netkeep::{Auth, ConnectOptions, HostKeyPolicy, Secret};
use netkeep_keeper::client::Target;
use netkeep_keeper::inventory::Inventory;
use netkeep_testkit::{exec_on, start_sim, HostSpec, Lab, LogCapture};

const LOGIN_PW: &str = "Quokka-Login-4417";
const WRONG_ENABLE: &str = "Marmot-Enable-9052";
const WRONG_KBD: &str = "Wombat-Kbd-3318";
const INV_PW: &str = "Numbat-Inventory-6620";

fn assert_clean(what: &str, text: &str) {
    for pw in [LOGIN_PW, WRONG_ENABLE, WRONG_KBD, INV_PW] {
        assert!(!text.contains(pw), "{what} contains a password ({pw})");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_password_in_logs_errors_status_api_or_transcripts() {
    let logdir = tempfile::tempdir().unwrap();
    let logfile = logdir.path().join("trace.log");
    let sink = LogCapture::install_with_file(&logfile);
    let mut seen = String::new();

    // 1. The daemon on Cisco IOS: login, then `enable` answered in-band with the same secret
    //    (given as the inventory's enable secret: the login password is never typed there
    //    unasked).
    let host = HostSpec::new("r1", "cisco_ios")
        .sim(|c| c.password = LOGIN_PW.into())
        .with("keepalive: { mode: nul, interval: 300ms }, secret_file: pw");
    // The audit log keeps outputs (masked) and mirrors to a syslog socket: both are checked.
    let audit = logdir.path().join("audit.jsonl");
    let dev_log = logdir.path().join("dev-log");
    let syslog = std::os::unix::net::UnixDatagram::bind(&dev_log).unwrap();
    let access = logdir.path().join("access.yaml");
    std::fs::write(
        &access,
        format!(
            "audit:\n  output_bytes: 1MiB\n  syslog: {}\n",
            dev_log.display()
        ),
    )
    .unwrap();
    let lab = Lab::run(vec![host], |cfg| {
        cfg.audit_log = Some(audit.clone());
        cfg.access_file = Some(access.clone());
    })
    .await;
    let c = lab.client();
    let r = exec_on(&c, "r1", &["show version", "show clock"])
        .await
        .unwrap();
    assert!(r.ok, "{r:?}");
    assert!(
        r.results[0].outputs[0].output.contains("Cisco IOS"),
        "{r:?}"
    );
    seen.push_str(&serde_json::to_string(&r).unwrap());
    let r = c
        .config(
            "r1",
            &[
                "interface GigabitEthernet0/2".into(),
                "description x".into(),
            ],
        )
        .await
        .unwrap();
    assert!(r.ok, "{r:?}");
    seen.push_str(&serde_json::to_string(&r).unwrap());
    // A command the device rejects, and one that times out (its partial output is returned).
    for cmd in ["show nonsense", "ping 10.0.0.1"] {
        let r = c
            .exec(
                Target::Device("r1".into()),
                &[cmd.into()],
                Some(Duration::from_millis(300)),
            )
            .await
            .unwrap();
        seen.push_str(&serde_json::to_string(&r).unwrap());
    }
    tokio::time::sleep(Duration::from_millis(700)).await; // a couple of keepalives
    for path in ["/v1/sessions", "/metrics", "/v1/openapi.yaml"] {
        let (_, b) = c.request_raw("GET", path, None).await.unwrap();
        seen.push_str(&String::from_utf8_lossy(&b));
    }
    let st = c.status().await.unwrap();
    seen.push_str(&format!("{st:?}"));
    seen.push_str(&serde_json::to_string(&st).unwrap());
    lab.stop().await;

    // 2. The library: a wrong enable secret typed in-band; its error and partial output.
    let dev = start_sim("cisco_ios", |c| c.password = LOGIN_PW.into()).await;
    let o = ConnectOptions::new("127.0.0.1", dev.addr().port(), "cisco_ios")
        .auth(Auth::Password(Secret::new(LOGIN_PW)))
        .host_key_policy(HostKeyPolicy::Insecure)
        .connect_timeout(Duration::from_secs(3))
        .read_timeout(Duration::from_secs(2));
    seen.push_str(&format!("{o:?}"));
    let enable_err =
        match netkeep::Session::connect(o.clone().enable_secret(Secret::new(WRONG_ENABLE))).await {
            Err(e) => format!("{e} {e:?}"),
            Ok(s) => {
                // Connected without enable: the failure shows on the first privileged step.
                let e = s
                    .send_config_set(&["hostname X"])
                    .await
                    .expect_err("enable with a wrong secret must fail");
                format!("{e} {e:?}")
            }
        };
    println!("wrong enable secret: {enable_err}");
    assert!(
        enable_err.contains("Access denied") || enable_err.contains("enable"),
        "{enable_err}"
    );
    seen.push_str(&enable_err);
    // 3. Keyboard-interactive with a wrong password.
    let e = netkeep::Session::connect(
        o.clone()
            .auth(Auth::KeyboardInteractive(Secret::new(WRONG_KBD))),
    )
    .await
    .expect_err("wrong password");
    assert!(e.is_auth_failure(), "{e}");
    seen.push_str(&format!("{e} {e:?}"));
    dev.stop().await;

    // 4. Inventory: plain password (loads with a warning), and syntax/type errors on its line.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("inv.yaml");
    let plain = format!("hosts:\n  r1: {{ hostname: 127.0.0.1, platform: cisco_ios, username: a, password: {INV_PW} }}\n");
    std::fs::write(&p, &plain).unwrap();
    let inv = Inventory::load(&p).expect("plain password loads");
    assert!(!inv.warnings.is_empty(), "a plain password gets a warning");
    seen.push_str(&format!("{inv:?} {:?}", inv.warnings));
    for bad in [
        format!(
            "hosts:\n  r1: {{ hostname: 127.0.0.1, platform: cisco_ios, password: \"{INV_PW}\n"
        ),
        format!("hosts:\n  r1:\n    password: {INV_PW}\n    password: {INV_PW}\n"),
        format!("hosts:\n  r1:\n    platform: cisco_ios\n    password: [{INV_PW}]\n"),
        format!("hosts:\n  r1:\n    platform: cisco_ios\n    pasword: {INV_PW}\n"),
        format!(
            "hosts:\n  r1:\n    platform: cisco_ios\n    password: {INV_PW}\n    password_env: X\n"
        ),
        format!("defaults:\n  password: {INV_PW}\nhosts:\n  r1: {{ platform: nope }}\n"),
    ] {
        std::fs::write(&p, &bad).unwrap();
        let e = Inventory::load(&p).expect_err("bad inventory");
        let msg = format!("{e} {e:?}");
        assert!(msg.contains("inv.yaml"), "{msg}");
        assert!(
            !msg.contains(INV_PW),
            "inventory error quotes the password:\n{bad}\n=> {msg}"
        );
        seen.push_str(&msg);
    }

    let logs = sink.text();
    let on_disk = std::fs::read_to_string(&logfile).unwrap();
    println!(
        "secrets: {} bytes of TRACE logs ({} lines, file {}), {} bytes of answers/errors/status checked",
        on_disk.len(),
        on_disk.lines().count(),
        logfile.display(),
        seen.len()
    );
    assert!(on_disk.lines().count() > 100, "TRACE logs were captured");
    // What was searched holds russh's own TRACE lines (the README says so) and netkeep's.
    let lines_of = |target: &str| on_disk.lines().filter(|l| l.contains(target)).count();
    let (russh, ours) = (lines_of("TRACE russh::"), lines_of(" netkeep_"));
    println!("secrets: {russh} TRACE lines from russh, {ours} lines from netkeep's crates");
    assert!(russh > 0, "no russh TRACE line in the captured logs");
    assert!(ours > 0, "no netkeep line in the captured logs");
    assert!(logs.contains("russh") && logs.contains("netkeep"));
    assert!(
        seen.contains("enable")
            || seen.contains("Access denied")
            || seen.contains("authentication")
    );
    assert_clean("answers, errors, status and Debug output", &seen);
    assert_clean("TRACE log file", &on_disk);

    let audit_text = std::fs::read_to_string(&audit).unwrap();
    assert!(
        audit_text.contains("\"event\":\"command\"") && audit_text.contains("Cisco IOS"),
        "the audit log holds the commands and their outputs:\n{audit_text}"
    );
    syslog.set_nonblocking(true).unwrap();
    let mut mirrored = String::new();
    let mut buf = vec![0u8; 65536];
    while let Ok(n) = syslog.recv(&mut buf) {
        mirrored.push_str(&String::from_utf8_lossy(&buf[..n]));
        mirrored.push('\n');
    }
    assert!(
        mirrored.contains("netkeep["),
        "records were mirrored to syslog"
    );
    println!(
        "secrets: audit log {} bytes ({} records), syslog mirror {} bytes checked",
        audit_text.len(),
        audit_text.lines().count(),
        mirrored.len()
    );
    assert_clean("audit log", &audit_text);
    assert_clean("syslog mirror", &mirrored);
}
