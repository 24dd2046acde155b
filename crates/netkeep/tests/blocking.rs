//! The blocking wrapper, from plain threads, against the simulator.

use std::time::Duration;

use netkeep::{blocking, KeepaliveMode};
use netkeep_testkit::{sim_options, start_sim};

#[test]
fn blocking_session_runs_commands_and_keeps_alive_between_calls() {
    // The simulator lives on its own runtime, as a separate device would.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dev = rt.block_on(start_sim("hp_comware", |c| {
        c.idle_timeout = Some(Duration::from_millis(900))
    }));
    let opts = sim_options(&dev, "hp_comware")
        .idle_timeout(Some(Duration::from_millis(900)))
        .keepalive(KeepaliveMode::Nul);
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
