#![allow(dead_code)]

use std::time::Duration;

use netkeep_session::{Auth, ConnectOptions, HostKeyPolicy, Secret, Session};
use netkeep_sim::{DeviceConfig, SimDevice};

pub async fn start(platform: &str, tweak: impl FnOnce(&mut DeviceConfig)) -> SimDevice {
    let mut cfg = DeviceConfig::new(platform);
    tweak(&mut cfg);
    SimDevice::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("simulator starts")
}

pub fn opts(dev: &SimDevice, platform: &str) -> ConnectOptions {
    ConnectOptions::new("127.0.0.1", dev.addr().port(), platform)
        .username("admin")
        .auth(Auth::Password(Secret::new("admin")))
        .host_key_policy(HostKeyPolicy::Insecure)
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(5))
        .device_name(format!("sim-{platform}"))
}

pub async fn connect(dev: &SimDevice, platform: &str) -> Session {
    Session::connect(opts(dev, platform))
        .await
        .unwrap_or_else(|e| panic!("connect {platform}: {e}"))
}

/// The properties every cleaned output must have.
pub fn assert_clean(platform: &str, cmd: &str, out: &str) {
    assert!(!out.is_empty(), "{platform} {cmd}: empty output");
    assert!(
        !out.contains('\0') && !out.contains("^@") && !out.contains('\r') && !out.contains('\x1b'),
        "{platform} {cmd}: unclean output {out:?}"
    );
    let first = out.lines().next().unwrap_or("");
    // (Arista's running config legitimately starts "! Command: show running-config".)
    assert_ne!(first.trim(), cmd, "{platform}: echo left in the output");
    let last = out.lines().last().unwrap_or("");
    let p = netkeep_platform::builtin(platform).unwrap();
    assert!(
        p.mode_of(last).is_none(),
        "{platform}: prompt left at the end: {last:?}"
    );
    assert!(
        !out.contains("More --") && !out.contains("(more)"),
        "{platform}: pager left in output"
    );
}
