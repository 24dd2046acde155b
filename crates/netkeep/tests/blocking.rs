//! The blocking wrapper, from plain threads, against the simulator.

use std::time::Duration;

use netkeep::{blocking, Command, ErrorKind, KeepaliveMode, Templates};
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

#[test]
fn blocking_session_parses_output_with_a_user_template() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dev = rt.block_on(start_sim("hp_comware", |_| {}));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clock.textfsm");
    std::fs::write(
        &path,
        "Value TIME (\\d+:\\d+:\\d+)\nValue Required ZONE (\\S+)\n\nStart\n  ^${TIME}\\s+${ZONE} -> Record\n",
    )
    .unwrap();
    let s = blocking::Session::connect(sim_options(&dev, "hp_comware")).unwrap();
    let records = s
        .send_parsed(&Command::new("display clock"), &Templates::file(&path))
        .unwrap();
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["zone"].as_str(), Some("UTC"), "{records:?}");
    // A template that never records: the parse gives no records, and that is not an error.
    std::fs::write(
        &path,
        "Value X (nothing-here)\n\nStart\n  ^${X} -> Record\n",
    )
    .unwrap();
    let none = s
        .send_parsed(&Command::new("display clock"), &Templates::file(&path))
        .unwrap();
    assert!(none.is_empty(), "{none:?}");
    // A missing template file: a parse error that keeps the output.
    let e = s
        .send_parsed(
            &Command::new("display clock"),
            &Templates::file(dir.path().join("absent.textfsm")),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Parse);
    assert!(
        e.partial_output().is_some_and(|o| o.contains("UTC")),
        "{e:?}"
    );
    s.disconnect();
    rt.block_on(dev.stop());
}
