//! `netkeep config` says what becomes of the changes (`--commit`, `--confirm`, `--comment`,
//! `--check`, `--save`) and prints the device's answers without echoes or prompts; `netkeep
//! exec` answers a command's questions (`--expect/--answer`, `--timing`), enters privileged mode
//! with an enable secret (`--enable --secret-file`), and records a session log
//! (`--session-log`) — through the daemon and over a direct session.

mod common;

use std::process::{Command, Output};

use common::{stderr, stdout, Lab, BIN};

fn write(lab: &Lab, name: &str, text: &str) -> String {
    let p = lab.dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn config_through_the_daemon_says_what_became_of_the_changes() {
    let mut lab = Lab::new("config-candidate");
    lab.add("sw1", "hp_comware", "", |_| {});
    lab.add("j1", "juniper_junos", "", |_| {});
    let inv = lab.inventory(&[]);
    let _serve = lab.serve(&inv, &[]);
    let junos = write(&lab, "j.txt", "set system host-name j2\n");
    let comware = write(
        &lab,
        "c.txt",
        "interface GigabitEthernet1/0/2\n description nk\n",
    );

    // Junos without --commit: dropped, said so, and the kept session still works.
    let o = lab.nk(&["config", "j1", "-f", &junos]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing committed"), "{}", stderr(&o));
    let o = lab.nk(&["exec", "j1", "show system uptime"]);
    assert!(o.status.success(), "{} {}", stdout(&o), stderr(&o));
    let o = lab.nk(&["exec", "j1", "show configuration"]);
    assert!(!stdout(&o).contains("host-name j2;"), "{}", stdout(&o));

    // --commit with --confirm and --comment.
    let o = lab.nk(&[
        "config",
        "j1",
        "-f",
        &junos,
        "--commit",
        "--confirm",
        "5",
        "--comment",
        "nk test",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "commit complete");
    assert!(stderr(&o).contains("rolls back in 5m"), "{}", stderr(&o));
    let o = lab.nk(&["exec", "j1", "show configuration"]);
    assert!(stdout(&o).contains("host-name j2;"), "{}", stdout(&o));
    // No lines with --commit: confirms.
    let o = lab.nk(&["config", "j1", "--commit"]);
    assert!(o.status.success(), "{}", stderr(&o));

    // Comware: the device's answers only (it says nothing), not saved unless asked.
    let o = lab.nk(&["config", "sw1", "-f", &comware]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "no echoes, prompts or System View banner");
    assert!(stderr(&o).contains("not saved"), "{}", stderr(&o));
    let o = lab.nk(&["config", "sw1", "-f", &comware, "--save"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("successfully"), "{}", stdout(&o));
    assert!(!stderr(&o).contains("not saved"), "{}", stderr(&o));
    let o = lab.nk(&["config", "sw1", "-f", &comware, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let cfg = &v["outputs"][0]["config"];
    assert_eq!(cfg["candidate"], "applied", "{v}");
    assert_eq!(cfg["lines"][1]["line"], " description nk", "{v}");
    assert!(cfg["transcript"].as_str().unwrap().contains("System View"));

    // What the platform cannot do: refused, nothing applied; flags that need --commit: usage.
    let o = lab.nk(&["config", "sw1", "-f", &comware, "--check"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("has no check"), "{}", stderr(&o));
    let o = lab.nk(&["config", "sw1", "-f", &comware, "--confirm", "5"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

fn one_shot(lab: &Lab, device: &str, platform: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args([
            "exec",
            "--host",
            "127.0.0.1",
            "--platform",
            platform,
            "-u",
            "admin",
        ])
        .args(["--port", &lab.port(device).to_string()])
        .arg("--password-file")
        .arg(lab.dir.path().join("pw"))
        .args(["--host-key-policy", "insecure"])
        .args(args)
        .env_remove("NETKEEP_LOG")
        .env_remove("NETKEEP_SECRET")
        .output()
        .unwrap()
}

const SAVE_ANSWERS: [&str; 13] = [
    "save",
    "--expect",
    r"\[Y/N\]:",
    "--answer",
    "Y",
    "--expect",
    "(?i)file name",
    "--answer",
    "",
    "--expect",
    r"overwrite\? \[Y/N\]:",
    "--answer",
    "Y",
];

#[test]
fn exec_answers_questions_through_the_daemon_and_directly() {
    let mut lab = Lab::new("exec-prompts");
    lab.add("sw1", "hp_comware", "", |_| {});
    let inv = lab.inventory(&[]);
    let _serve = lab.serve(&inv, &[]);
    let mut args = vec!["exec", "sw1", "display clock"];
    args.extend(SAVE_ANSWERS);
    let o = lab.nk(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("UTC") && stdout(&o).contains("successfully"));
    let o = lab.nk(&["exec", "sw1", "save", "--expect", "x"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = lab.nk(&["exec", "sw1", "save", "--expect", "[x", "--answer", "y"]);
    assert_eq!(o.status.code(), Some(2), "a bad pattern: {}", stderr(&o));

    // Directly, with a session log and a timing read.
    let log = lab.dir.path().join("sw1.log");
    let mut args = vec!["--session-log", log.to_str().unwrap()];
    args.extend(SAVE_ANSWERS);
    let o = one_shot(&lab, "sw1", "hp_comware", &args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("successfully"), "{}", stdout(&o));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("> save\n") && text.contains("> Y\n"),
        "{text}"
    );
    let o = one_shot(
        &lab,
        "sw1",
        "hp_comware",
        &["--timing=300ms", "display clock"],
    );
    assert!(
        o.status.success() && stdout(&o).contains("UTC"),
        "{}",
        stderr(&o)
    );
    // A session log through the daemon is refused without an inventory to connect from.
    let o = lab.nk(&["exec", "sw1", "display clock", "--session-log", "x.log"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn enable_with_a_secret_file_on_a_direct_session() {
    let mut lab = Lab::new("exec-enable");
    lab.add("r1", "cisco_ios", "", |_| {});
    let secret = write(&lab, "enable.txt", "admin\n");
    let o = one_shot(&lab, "r1", "cisco_ios", &["show running-config"]);
    assert_eq!(o.status.code(), Some(1), "user mode refuses it");
    let o = one_shot(
        &lab,
        "r1",
        "cisco_ios",
        &["--enable", "--secret-file", &secret, "show running-config"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("hostname R1"), "{}", stdout(&o));
    // A configuration set from user mode with no secret: refused at the enable prompt (exit 3),
    // the login password not typed there.
    let changes = write(&lab, "r.txt", "hostname R9\n");
    let o = Command::new(BIN)
        .args([
            "config",
            "--host",
            "127.0.0.1",
            "--platform",
            "cisco_ios",
            "-u",
            "admin",
        ])
        .args(["--port", &lab.port("r1").to_string()])
        .arg("--password-file")
        .arg(lab.dir.path().join("pw"))
        .args(["--host-key-policy", "insecure", "-f", &changes])
        .env_remove("NETKEEP_SECRET")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("none was given"), "{}", stderr(&o));
}
