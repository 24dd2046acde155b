//! The password never appears in logs (every level), errors, status, API answers or Debug
//! output, on the success path and on the auth-failure path; neither it, nor a bearer token,
//! nor a secret typed into a configuration line appears in the audit log (outputs kept).

use std::sync::Arc;
use std::time::Duration;

use netkeep_keeper::client::{DaemonClient, Target};
use netkeep_keeper::connector::ssh::SshConnector;
use netkeep_keeper::daemon::{Daemon, DaemonConfig};
use netkeep_keeper::pool::PoolOptions;
use netkeep_sim::{DeviceConfig, Fault};
use netkeep_testkit::{exec_on, start_device, LogCapture};

const PW: &str = "Zebra-S3cret-7781";
const TOKEN: &str = "Okapi-Token-5519-abcdef";
const TYPED: &str = "Tapir-Typed-3306";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_never_leaks() {
    let logs = LogCapture::install();

    let mut cfg = DeviceConfig::new("hp_comware");
    cfg.password = PW.into();
    let good = start_device(cfg.clone()).await;
    let bad = start_device(cfg).await;
    bad.set_fault(Fault::AuthFailing);
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("NETKEEP_SECRETS_TEST_PW", PW);
    let inv = format!(
        "defaults:\n  username: admin\n  password_env: NETKEEP_SECRETS_TEST_PW\n  platform: hp_comware\n  known_hosts_file: {}\nhosts:\n  good: {{ hostname: 127.0.0.1, port: {} }}\n  bad: {{ hostname: 127.0.0.1, port: {} }}\n",
        dir.path().join("kh").display(),
        good.addr().port(),
        bad.addr().port()
    );
    std::fs::write(dir.path().join("inv.yaml"), &inv).unwrap();
    let audit = dir.path().join("audit.jsonl");
    std::fs::write(
        dir.path().join("access.yaml"),
        format!(
            "tokens:\n  - {{ name: ops, scope: admin, sha256: {} }}\naudit:\n  output_bytes: 1MiB\n",
            netkeep_keeper::auth::sha256_hex(TOKEN)
        ),
    )
    .unwrap();
    let mut dc = DaemonConfig::new(dir.path().join("inv.yaml"));
    dc.socket = Some(dir.path().join("s.sock"));
    dc.listen = Some("127.0.0.1:0".parse().unwrap());
    dc.access_file = Some(dir.path().join("access.yaml"));
    dc.audit_log = Some(audit.clone());
    dc.progress_bar = false;
    dc.pool = PoolOptions {
        tick: Duration::from_millis(100),
        ..PoolOptions::default()
    };
    let mut d = Daemon::start(dc, Arc::new(SshConnector::new()))
        .await
        .unwrap();
    assert_eq!(d.wait_warm().await, (1, 1));
    let c = DaemonClient::discover(Some(d.socket_path()))
        .await
        .unwrap()
        .unwrap();

    let mut seen = String::new();
    for dev in ["good", "bad"] {
        let r = exec_on(&c, dev, &["display clock"]).await.unwrap();
        assert_eq!(r.ok, dev == "good");
        seen.push_str(&serde_json::to_string(&r).unwrap());
    }
    let r = c.config("good", &["sysname x".into()]).await.unwrap();
    seen.push_str(&format!("{r:?}"));
    // Over TCP with the token; a secret typed into a line is for the device, not the log.
    let tcp = DaemonClient::new(netkeep_keeper::client::Endpoint::Tcp {
        addr: d.tcp_addr().unwrap().to_string(),
        token: TOKEN.into(),
    });
    let typed = [
        "interface GigabitEthernet1/0/1".to_string(),
        format!("description password {TYPED}"),
    ];
    assert!(tcp.config("good", &typed).await.unwrap().ok);
    let r = tcp
        .exec(
            Target::Device("good".into()),
            &["display current-configuration".into()],
            None,
        )
        .await
        .unwrap();
    assert!(r.ok, "{r:?}");
    for path in ["/v1/sessions", "/metrics"] {
        let (_, b) = c.request_raw("GET", path, None).await.unwrap();
        seen.push_str(&String::from_utf8_lossy(&b));
    }
    let (_, b) = c.request_raw("POST", "/v1/reload", None).await.unwrap();
    seen.push_str(&String::from_utf8_lossy(&b));
    let st = c.status().await.unwrap();
    seen.push_str(&format!("{st:?}"));
    seen.push_str(&format!(
        "{:?}",
        netkeep_keeper::inventory::Inventory::load(&dir.path().join("inv.yaml")).unwrap()
    ));
    assert!(st.iter().any(|s| s.state == "failed"), "{st:?}");
    d.stop().await;

    let logs = logs.text();
    assert!(
        logs.len() > 1000,
        "trace logs were captured ({} bytes)",
        logs.len()
    );
    assert!(
        seen.contains("login was refused"),
        "the auth failure is reported"
    );
    assert!(!seen.contains(PW), "password in API answers/status/Debug");
    assert!(!logs.contains(PW), "password in logs");
    assert!(!logs.contains(TOKEN), "bearer token in logs");

    let audit = std::fs::read_to_string(&audit).unwrap();
    assert!(
        audit.lines().count() >= 8 && audit.contains("current-configuration"),
        "the audit log was written:\n{audit}"
    );
    for (what, secret) in [("password", PW), ("token", TOKEN), ("typed secret", TYPED)] {
        assert!(!audit.contains(secret), "{what} in the audit log:\n{audit}");
    }
}
