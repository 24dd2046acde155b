//! Helpers of the session tests: a session to a simulated device, and what a clean output is.
//! (Simulators and their connect options come from netkeep-testkit.)
#![allow(dead_code)] // each test file uses a part

use netkeep_session::Session;
use netkeep_sim::SimDevice;
pub use netkeep_testkit::{sim_options as opts, start_sim as start};

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
