//! `netkeep serve` and its log: stray signals neither kill it nor skip the logout, a reload by
//! SIGHUP is logged at the default level, and every connect that meets a changed host key is
//! logged (not only the first failure in a row).

mod common;

use std::time::Duration;

use common::{wait_for, Lab};
use netkeep_sim::Fault;

#[test]
fn stray_signals_are_handled_and_sighup_is_logged() {
    let mut lab = Lab::new("signals");
    lab.add("sw1", "hp_comware", "", |_| {});
    let inv = lab.inventory(&[]);
    let mut serve = lab.serve(&inv, &[]);
    wait_for("sw1 ready", Duration::from_secs(10), || {
        lab.status_of("sw1")["state"] == "ready"
    });
    for sig in ["USR1", "USR2", "ALRM", "VTALRM", "IO"] {
        serve.signal(sig);
        std::thread::sleep(Duration::from_millis(200));
        assert!(
            serve.0.try_wait().unwrap().is_none(),
            "SIG{sig} killed the daemon"
        );
        assert!(
            lab.nk(&["status"]).status.success(),
            "still serving after SIG{sig}"
        );
    }
    let log = lab.log();
    assert!(log.contains("SIGUSR1: 1 devices (1 ready)"), "{log}");
    serve.signal("HUP");
    wait_for("the reload to be logged", Duration::from_secs(5), || {
        lab.log()
            .contains("SIGHUP: inventory reloaded: 0 added, 0 removed, 0 changed, 1 unchanged")
    });
    // SIGQUIT stops it the polite way: logged out of the device, socket removed.
    serve.signal("QUIT");
    let status = serve.wait_exit(Duration::from_secs(10)).expect("stopped");
    assert!(status.success(), "{status:?}");
    assert!(!lab.socket().exists());
    assert_eq!(lab.sim("sw1").active_sessions(), 0, "logged out");
}

#[test]
fn every_connect_meeting_a_changed_host_key_is_logged() {
    let mut lab = Lab::new("hostkey-log");
    lab.add("sw1", "hp_comware", "", |_| {});
    let inv = lab.inventory(&[]);
    let _serve = lab.serve(&inv, &[]);
    wait_for("sw1 ready", Duration::from_secs(10), || {
        lab.status_of("sw1")["state"] == "ready"
    });
    lab.fault(
        "sw1",
        Fault::Reboot {
            down: Duration::from_millis(100),
            new_host_key: true,
        },
    );
    // Two attempts in a row meet the new key (the backoff starts at 1 s).
    wait_for("two failed connects", Duration::from_secs(20), || {
        lab.status_of("sw1")["failures"].as_u64() >= Some(2)
    });
    let log = lab.log();
    let lines = log
        .lines()
        .filter(|l| l.contains("HOST KEY CHANGED"))
        .count();
    assert!(lines >= 2, "each attempt logged, got {lines}:\n{log}");
}
