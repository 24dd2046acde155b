//! Configuration flows and the session log over the in-memory transport, where a scripted device
//! can do what the simulator does not: Junos `commit check` and `show | compare`, an enable
//! prompt that asks again, a password prompt the session log must mask.

use std::time::Duration;

use netkeep_transport::memory::{self, Peer};

use crate::{
    CandidateState, Command, ConfigSetOptions, ConnectOptions, Error, Finish, KeepaliveMode,
    Secret, Session, SessionLog,
};

const JUNOS: &str = "lab@r1> ";
const JUNOS_CFG: &str = "\r\n[edit]\r\nlab@r1# ";

fn opts(platform: &str) -> ConnectOptions {
    ConnectOptions::new("lab", 0, platform)
        .keepalive(KeepaliveMode::Off)
        .read_timeout(Duration::from_secs(5))
}

async fn next_write(dev: &mut Peer) -> String {
    let w = tokio::time::timeout(Duration::from_secs(60), dev.next_write())
        .await
        .expect("the session wrote nothing within 60 s")
        .expect("the session closed its terminal");
    String::from_utf8_lossy(&w).into_owned()
}

/// Expects `cmd` typed, answers with its echo, `output` and `prompt`.
async fn answer(dev: &mut Peer, cmd: &str, output: &str, prompt: &str) {
    assert_eq!(next_write(dev).await, format!("{cmd}\n"));
    dev.send(format!("{cmd}\r\n{output}{prompt}"));
}

/// Logs in to a scripted device showing `prompt`, answering the platform's preparation.
async fn login(platform: &str, o: ConnectOptions, prompt: &str) -> (Session, Peer) {
    let (t, mut dev) = memory::pair("lab");
    dev.send(format!("\r\n{prompt}"));
    let prepare: Vec<String> = netkeep_platform::builtin(platform)
        .unwrap()
        .spec()
        .prepare
        .iter()
        .map(|p| p.command.clone())
        .collect();
    let device = async {
        for cmd in &prepare {
            answer(&mut dev, cmd, "", prompt).await;
        }
    };
    let (s, ()) = tokio::join!(Session::with_transport(t, o), device);
    (s.unwrap(), dev)
}

#[tokio::test(start_paused = true)]
async fn junos_check_runs_commit_check_and_compare_then_drops_the_changes() {
    let (s, mut dev) = login("juniper_junos", opts("juniper_junos"), JUNOS).await;
    let device = async {
        answer(
            &mut dev,
            "configure",
            "Entering configuration mode\r\n",
            JUNOS_CFG,
        )
        .await;
        answer(&mut dev, "set system host-name r2", "", JUNOS_CFG).await;
        answer(
            &mut dev,
            "commit check",
            "configuration check succeeds\r\n",
            JUNOS_CFG,
        )
        .await;
        let diff = "[edit system]\r\n-  host-name r1;\r\n+  host-name r2;\r\n";
        answer(&mut dev, "show | compare", diff, JUNOS_CFG).await;
        answer(&mut dev, "rollback 0", "load complete\r\n", JUNOS_CFG).await;
        answer(
            &mut dev,
            "exit configuration-mode",
            "Exiting configuration mode\r\n",
            JUNOS,
        )
        .await;
    };
    let o = ConfigSetOptions {
        finish: Finish::Check,
        ..Default::default()
    };
    let (r, ()) = tokio::join!(s.configure(&["set system host-name r2"], &o), device);
    let done = r.unwrap();
    assert_eq!(done.candidate, CandidateState::Checked);
    assert_eq!(
        done.lines[0].output, "",
        "Junos's [edit] is part of the prompt"
    );
    let steps: Vec<&str> = done.after.iter().map(|l| l.line.as_str()).collect();
    assert_eq!(steps, ["commit check", "show | compare"]);
    assert_eq!(
        done.answers(),
        "configuration check succeeds\n[edit system]\n-  host-name r1;\n+  host-name r2;"
    );
}

#[tokio::test(start_paused = true)]
async fn a_refused_commit_drops_the_changes_and_leaves() {
    let (s, mut dev) = login("juniper_junos", opts("juniper_junos"), JUNOS).await;
    let device = async {
        answer(&mut dev, "configure", "", JUNOS_CFG).await;
        answer(&mut dev, "set system host-name r2", "", JUNOS_CFG).await;
        let refused = "error: configuration check-out failed\r\n";
        answer(&mut dev, "commit", refused, JUNOS_CFG).await;
        answer(&mut dev, "rollback 0", "load complete\r\n", JUNOS_CFG).await;
        answer(&mut dev, "exit configuration-mode", "", JUNOS).await;
    };
    let o = ConfigSetOptions {
        finish: Finish::Commit {
            confirm: None,
            comment: None,
        },
        ..Default::default()
    };
    let (r, ()) = tokio::join!(s.configure(&["set system host-name r2"], &o), device);
    match r {
        Err(Error::CommandRejected { command, .. }) => assert_eq!(command, "commit"),
        other => panic!("{other:?}"),
    }
}

/// IOS asks for the enable secret again when it is wrong: the session does not guess again, it
/// closes the session.
#[tokio::test(start_paused = true)]
async fn a_second_enable_password_prompt_is_not_answered() {
    let o = opts("cisco_ios").enable_secret(Secret::new("wrong-secret"));
    let (s, mut dev) = login("cisco_ios", o, "R1>").await;
    let device = async {
        assert_eq!(next_write(&mut dev).await, "enable\n");
        dev.send("enable\r\nPassword: ");
        assert_eq!(next_write(&mut dev).await, "wrong-secret\n");
        dev.send("\r\nPassword: ");
        // Nothing more is typed: the next thing the device sees is the session closing.
        let more = tokio::time::timeout(Duration::from_secs(30), dev.next_write()).await;
        assert!(matches!(more, Ok(None)), "typed again: {more:?}");
    };
    let (r, ()) = tokio::join!(s.enable(), device);
    let e = r.unwrap_err();
    assert!(matches!(e, Error::PrivilegeRefused { .. }), "{e}");
    assert!(e.to_string().contains("asked for it again"), "{e}");
    assert!(s.is_closed());
}

/// Anything typed at a password prompt is masked in the session log, even a secret the session
/// was not told about (an answer given by the caller).
#[tokio::test(start_paused = true)]
async fn the_session_log_masks_what_is_typed_at_a_password_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("lab.log");
    let o = opts("hp_comware").session_log(SessionLog::new(&log));
    let (s, mut dev) = login("hp_comware", o, "<lab>").await;
    let cmd = Command::new("ftp 10.0.0.9")
        .answer("User", "backup")
        .answer("(?i)password:", "Ocelot-Ftp-2231");
    let device = async {
        assert_eq!(next_write(&mut dev).await, "ftp 10.0.0.9\n");
        dev.send("ftp 10.0.0.9\r\nUser(10.0.0.9:(none)): ");
        assert_eq!(next_write(&mut dev).await, "backup\n");
        dev.send("backup\r\n331 Password required\r\nPassword:");
        assert_eq!(next_write(&mut dev).await, "Ocelot-Ftp-2231\n");
        dev.send("\r\n230 Logged in.\r\n<lab>");
    };
    let (r, ()) = tokio::join!(s.send(&cmd), device);
    assert!(r.unwrap().contains("230 Logged in."));
    s.disconnect().await;
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("Ocelot"), "{text}");
    assert!(text.contains("> backup\n"), "{text}");
    assert!(
        text.contains("< Password:\n") && text.contains("> ********\n"),
        "{text}"
    );
    assert!(text.contains("< 230 Logged in."), "{text}");
}
