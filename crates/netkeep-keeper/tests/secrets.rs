//! The password never appears in logs (every level), errors, status, API answers or Debug
//! output, on the success path and on the auth-failure path.

use std::sync::Arc;
use std::time::Duration;

use netkeep_keeper::client::DaemonClient;
use netkeep_keeper::connector::ssh::SshConnector;
use netkeep_keeper::daemon::{Daemon, DaemonConfig};
use netkeep_keeper::pool::PoolOptions;
use netkeep_sim::{DeviceConfig, Fault};
use netkeep_testkit::{exec_on, start_device, LogCapture};

const PW: &str = "Zebra-S3cret-7781";

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
    let mut dc = DaemonConfig::new(dir.path().join("inv.yaml"));
    dc.socket = Some(dir.path().join("s.sock"));
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
}
