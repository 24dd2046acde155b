//! Ctrl-C on a one-shot `netkeep exec` prints what the interrupted command itself had received
//! (not only the commands before it): the ping lines so far, in the text and in the JSON
//! document's `partial_output`.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{default_sigint, wait_for, Lab, Proc, BIN};

fn one_shot(lab: &Lab, extra: &[&str]) -> Command {
    let mut c = default_sigint(Command::new(BIN));
    c.args([
        "exec",
        "--host",
        "127.0.0.1",
        "--platform",
        "hp_comware",
        "-u",
        "admin",
    ])
    .args(["--port", &lab.port("sw1").to_string()])
    .arg("--password-file")
    .arg(lab.dir.path().join("pw"))
    .args(["--host-key-policy", "insecure"])
    .args(extra)
    .arg("ping 10.0.0.1")
    .env_remove("NETKEEP_LOG")
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    c
}

/// Starts the one-shot, waits until the ping has printed two of its lines, interrupts it;
/// returns its exit code and stdout.
fn interrupted(lab: &Lab, extra: &[&str]) -> (Option<i32>, String) {
    let base = lab.sim("sw1").counters().commands;
    let mut child = Proc(one_shot(lab, extra).spawn().unwrap());
    // Preparation (1 command) and the ping typed; its lines come every 500 ms.
    wait_for("the ping to start", Duration::from_secs(10), || {
        lab.sim("sw1").counters().commands >= base + 2
    });
    std::thread::sleep(Duration::from_millis(1200));
    child.signal("INT");
    let status = child.wait_exit(Duration::from_secs(10)).expect("ended");
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.0.stdout.take().unwrap(), &mut out).unwrap();
    (status.code(), out)
}

#[test]
fn ctrl_c_prints_the_interrupted_commands_output_so_far() {
    let mut lab = Lab::new("ctrl-c-partial");
    lab.add("sw1", "hp_comware", "", |_| {});
    let (code, out) = interrupted(&lab, &[]);
    assert_eq!(code, Some(130), "{out}");
    assert!(out.contains("56 bytes from 10.0.0.1"), "{out:?}");
    assert!(!out.contains("<H3C>"), "no prompt: {out:?}");

    let (code, out) = interrupted(&lab, &["--json"]);
    assert_eq!(code, Some(130), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let r = &v["results"][0];
    assert_eq!(r["command"], "ping 10.0.0.1", "{v}");
    let partial = r["partial_output"].as_str().unwrap();
    assert!(partial.contains("56 bytes from 10.0.0.1"), "{v}");
}
