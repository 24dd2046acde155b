//! The blocking wrapper, from plain threads, against the simulator.

use std::time::Duration;

use netkeep::{
    blocking, Auth, ConnectOptions, HostKeyPolicy, KeepaliveConfig, KeepaliveMode, Secret,
};
use netkeep_sim::{DeviceConfig, SimDevice};

#[test]
fn blocking_session_runs_commands_and_keeps_alive_between_calls() {
    // The simulator lives on its own runtime, as a separate device would.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dev = rt.block_on(async {
        let mut cfg = DeviceConfig::new("hp_comware");
        cfg.idle_timeout = Some(Duration::from_millis(900));
        SimDevice::start(cfg, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap()
    });
    let opts = ConnectOptions::new("127.0.0.1", dev.addr().port(), "hp_comware")
        .username("admin")
        .auth(Auth::Password(Secret::new("admin")))
        .host_key_policy(HostKeyPolicy::Insecure)
        .idle_timeout(Some(Duration::from_millis(900)))
        .keepalive(KeepaliveConfig {
            mode: KeepaliveMode::Nul,
            interval: None,
            command: None,
        });
    let s = blocking::Session::connect(opts).unwrap();
    assert_eq!(s.find_prompt().unwrap(), "<H3C>");
    assert!(s.send_command("display clock").unwrap().contains("UTC"));
    // No calls for longer than the idle timeout: the task keeps the session.
    std::thread::sleep(Duration::from_millis(1400));
    assert!(s.send_command("display clock").unwrap().contains("UTC"));
    assert!(s.keepalive_stats().sent >= 2);
    assert!(s.is_alive());
    s.disconnect();
    rt.block_on(dev.stop());
}
