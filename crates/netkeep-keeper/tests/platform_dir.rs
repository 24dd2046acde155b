//! User platform files in the daemon: a platform that exists only as a file in a directory
//! (`my_comware`, a copy of hp_comware under a new name) is accepted by the inventory and used by
//! the sessions, whether the directory comes from the inventory (`defaults: platform_dir`) or
//! from `netkeep serve --platform-dir` ([`DaemonConfig::platform_dir`]).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use netkeep_keeper::client::DaemonClient;
use netkeep_keeper::connector::ssh::SshConnector;
use netkeep_keeper::daemon::{Daemon, DaemonConfig, DaemonError};
use netkeep_keeper::pool::PoolOptions;
use netkeep_testkit::{exec_on, start_sim};

/// Writes `dir/my_comware.yaml`: the built-in hp_comware platform under another name.
fn write_user_platform(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let mut spec = netkeep_platform::builtin("hp_comware")
        .unwrap()
        .spec()
        .clone();
    spec.name = "my_comware".into();
    spec.aliases.clear();
    let yaml = serde_norway::to_string(&spec).unwrap();
    std::fs::write(dir.join("my_comware.yaml"), yaml).unwrap();
}

/// An inventory of one device `sw1` on `port` with platform `platform`; `extra_defaults` are
/// more lines under `defaults:`.
fn write_inventory(dir: &Path, port: u16, platform: &str, extra_defaults: &str) {
    std::fs::write(dir.join("pw"), "admin\n").unwrap();
    let y = format!(
        "defaults:\n  username: admin\n  password_file: pw\n  connect_timeout: 5s\n  known_hosts_file: {}\n{extra_defaults}hosts:\n  sw1:\n    hostname: 127.0.0.1\n    port: {port}\n    platform: {platform}\n",
        dir.join("known_hosts").display()
    );
    std::fs::write(dir.join("netkeep.yaml"), y).unwrap();
}

fn config(dir: &Path) -> DaemonConfig {
    let mut cfg = DaemonConfig::new(dir.join("netkeep.yaml"));
    cfg.socket = Some(dir.join("run/netkeep.sock"));
    cfg.progress_bar = false;
    cfg.shutdown_grace = Duration::from_secs(5);
    cfg.pool = PoolOptions {
        tick: Duration::from_millis(100),
        ..PoolOptions::default()
    };
    cfg
}

/// Starts the daemon, checks its one device came up on `my_comware` and runs a command on it.
async fn run_through_user_platform(cfg: DaemonConfig) {
    let mut daemon = Daemon::start(cfg, Arc::new(SshConnector::new()))
        .await
        .expect("daemon starts with a user platform");
    assert_eq!(daemon.wait_warm().await, (1, 0), "sw1 connected");
    let client = DaemonClient::discover(Some(daemon.socket_path()))
        .await
        .unwrap()
        .unwrap();
    let r = exec_on(&client, "sw1", &["display clock"]).await.unwrap();
    assert!(r.ok, "{r:?}");
    let out = &r.results[0].outputs[0].output;
    assert!(out.contains("UTC"), "{out:?}");
    assert!(
        !out.contains("<H3C>"),
        "prompt stripped by the platform: {out:?}"
    );
    let st = client.status().await.unwrap();
    assert_eq!(
        (st[0].platform.as_str(), st[0].state.as_str()),
        ("my_comware", "ready")
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inventory_platform_dir_loads_a_user_platform() {
    let dir = tempfile::tempdir().unwrap();
    write_user_platform(&dir.path().join("platforms"));
    let dev = start_sim("hp_comware", |_| {}).await;
    // Relative to the inventory file.
    write_inventory(
        dir.path(),
        dev.addr().port(),
        "my_comware",
        "  platform_dir: platforms\n",
    );
    run_through_user_platform(config(dir.path())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_platform_dir_loads_a_user_platform() {
    let dir = tempfile::tempdir().unwrap();
    let platforms = dir.path().join("elsewhere");
    write_user_platform(&platforms);
    let dev = start_sim("hp_comware", |_| {}).await;
    write_inventory(dir.path(), dev.addr().port(), "my_comware", "");
    let mut cfg = config(dir.path());
    cfg.platform_dir = Some(platforms);
    run_through_user_platform(cfg).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_platform_is_still_refused_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write_user_platform(&dir.path().join("platforms"));
    write_inventory(dir.path(), 22, "my_comwar", "  platform_dir: platforms\n");
    let e = match Daemon::start(config(dir.path()), Arc::new(SshConnector::new())).await {
        Err(DaemonError::Inventory(e)) => e,
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a daemon started with an unknown platform"),
    };
    // defaults: 6 lines (platform_dir the last), hosts:, sw1:, hostname:, port:, platform:
    assert_eq!(e.location.map(|l| l.0), Some(11), "{e}");
    assert!(e.message.contains("unknown platform `my_comwar`"), "{e}");
    assert!(
        e.message.contains("my_comware") && e.message.contains("hp_comware"),
        "lists built-in and user platforms: {e}"
    );
    // Without the directory, the user platform is unknown too.
    write_inventory(dir.path(), 22, "my_comware", "");
    match Daemon::start(config(dir.path()), Arc::new(SshConnector::new())).await {
        Err(DaemonError::Inventory(e)) => {
            assert!(e.message.contains("unknown platform `my_comware`"), "{e}")
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a user platform was accepted without its directory"),
    }
}
