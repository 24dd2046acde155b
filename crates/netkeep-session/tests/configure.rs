//! Configuration sets against the simulator: commit (with a confirm time and a comment), drop on
//! leaving, save, the base mode restored, each line with the device's answer; the enable rule
//! (the login password never typed on the way to configuration mode); commands that ask
//! questions; what an abandoned command had received.

mod common;

use std::time::Duration;

use common::{opts, start};
use netkeep_session::{
    CandidateState, Command, ConfigSetOptions, Error, ErrorKind, Finish, Secret, Session,
    SessionLog,
};

/// Two-stage platforms: a line to set a description, and how to read the running config.
const TWO_STAGE: [(&str, &[&str], &str); 3] = [
    (
        "juniper_junos",
        &["set interfaces ge-0/0/1 description DESC"],
        "show configuration",
    ),
    (
        "cisco_xr",
        &["interface GigabitEthernet0/0/0/1", "description DESC"],
        "show running-config",
    ),
    (
        "huawei_vrpv8",
        &["interface GigabitEthernet0/1/1", "description DESC"],
        "display current-configuration",
    ),
];

fn with_desc<'a>(lines: &[&'a str], desc: &'a str) -> Vec<String> {
    lines.iter().map(|l| l.replace("DESC", desc)).collect()
}

async fn in_config_mode(s: &Session) -> bool {
    let p = s.find_prompt().await.unwrap();
    s.platform().mode_of(&p).unwrap().config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stage_platforms_commit_with_confirm_and_comment_or_drop_the_changes() {
    for (platform, lines, running) in TWO_STAGE {
        let dev = start(platform, |_| {}).await;
        let s = Session::connect(opts(&dev, platform)).await.unwrap();
        let commit_spec = s.platform().spec().commit.clone().unwrap();

        // Commit with a comment: committed, back in the base mode, the answers without
        // echoes, prompts or Junos's [edit].
        let l = with_desc(lines, "nk-committed");
        let l: Vec<&str> = l.iter().map(String::as_str).collect();
        let o = ConfigSetOptions {
            finish: Finish::Commit {
                confirm: None,
                comment: Some("netkeep test".into()),
            },
            ..Default::default()
        };
        let done = s.configure(&l, &o).await.unwrap();
        assert_eq!(
            done.candidate,
            CandidateState::Committed { confirm: None },
            "{platform}"
        );
        assert_eq!(done.lines.len(), l.len());
        assert_eq!(done.lines[0].line, l[0]);
        for line in &done.lines {
            assert!(
                !line.output.contains("[edit]") && !line.output.contains('#'),
                "{platform}: {line:?}"
            );
        }
        let commit_line = commit_spec.line(None, Some("netkeep test")).unwrap();
        assert_eq!(done.after[0].line, commit_line, "{platform}");
        assert!(!in_config_mode(&s).await, "{platform}: left in config mode");
        let run = s.send_command(running).await.unwrap();
        assert!(run.contains("nk-committed"), "{platform}: {run}");

        // A confirmed commit: the platform's words for it are typed.
        let l = with_desc(lines, "nk-confirmed");
        let l: Vec<&str> = l.iter().map(String::as_str).collect();
        let ten = Duration::from_secs(600);
        let o = ConfigSetOptions {
            finish: Finish::Commit {
                confirm: Some(ten),
                comment: None,
            },
            ..Default::default()
        };
        let done = s.configure(&l, &o).await.unwrap();
        assert_eq!(
            done.after[0].line,
            commit_spec.line(Some(ten), None).unwrap()
        );
        assert_eq!(
            done.candidate,
            CandidateState::Committed { confirm: Some(ten) }
        );

        // Nothing asked but leaving: the changes are dropped, in this session and for the
        // next commit of another one (Junos's candidate is shared).
        let l = with_desc(lines, "nk-dropped");
        let l: Vec<&str> = l.iter().map(String::as_str).collect();
        let leave = ConfigSetOptions {
            exit: Some(true),
            ..Default::default()
        };
        let done = s.configure(&l, &leave).await.unwrap();
        assert_eq!(done.candidate, CandidateState::Discarded, "{platform}");
        assert!(!in_config_mode(&s).await, "{platform}");
        let other = Session::connect(opts(&dev, platform)).await.unwrap();
        other.commit().await.unwrap();
        let run = other.send_command(running).await.unwrap();
        assert!(!run.contains("nk-dropped"), "{platform}: {run}");
        other.disconnect().await;

        // Left in configuration mode by hand: back to the base mode, changes dropped.
        let l = with_desc(lines, "nk-stray");
        let l: Vec<&str> = l.iter().map(String::as_str).collect();
        let stay = ConfigSetOptions {
            exit: Some(false),
            ..Default::default()
        };
        let done = s.configure(&l, &stay).await.unwrap();
        assert_eq!(done.candidate, CandidateState::Pending);
        assert!(in_config_mode(&s).await);
        assert!(s.restore_base_mode().await.unwrap(), "{platform}: it moved");
        assert!(!in_config_mode(&s).await, "{platform}");
        assert!(!s.restore_base_mode().await.unwrap(), "already there");
        s.commit().await.unwrap();
        let run = s.send_command(running).await.unwrap();
        assert!(!run.contains("nk-stray"), "{platform}: {run}");
        s.disconnect().await;
        dev.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_platform_cannot_do_is_refused_before_anything_is_sent() {
    let dev = start("hp_comware", |_| {}).await;
    let s = Session::connect(opts(&dev, "hp_comware")).await.unwrap();
    let before = dev.counters().commands;
    for finish in [
        Finish::Commit {
            confirm: None,
            comment: None,
        },
        Finish::Check,
    ] {
        let o = ConfigSetOptions {
            finish,
            ..Default::default()
        };
        let e = s.configure(&["sysname x"], &o).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    }
    assert_eq!(
        dev.counters().commands,
        before,
        "nothing reached the device"
    );
    dev.stop().await;

    let dev = start("juniper_junos", |_| {}).await;
    let s = Session::connect(opts(&dev, "juniper_junos")).await.unwrap();
    let before = dev.counters().commands;
    let bad = [
        (Some(Duration::from_secs(90)), None),
        (None, Some("say \"hi\"".to_string())),
    ];
    for (confirm, comment) in bad {
        let o = ConfigSetOptions {
            finish: Finish::Commit { confirm, comment },
            ..Default::default()
        };
        let e = s
            .configure(&["set system host-name x"], &o)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadInput, "{e}");
    }
    let o = ConfigSetOptions {
        save: true,
        ..Default::default()
    };
    let e = s
        .configure(&["set system host-name x"], &o)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert_eq!(
        dev.counters().commands,
        before,
        "nothing reached the device"
    );
    dev.stop().await;
}

/// Platforms that save: the save command runs after the lines (its questions answered) and the
/// session ends in its base mode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platforms_that_save_save_after_the_lines() {
    let cases: [(&str, &[&str], &str, bool); 6] = [
        (
            "hp_comware",
            &["interface GigabitEthernet1/0/2", "description nk-saved"],
            "successfully",
            false,
        ),
        (
            "huawei",
            &["interface GigabitEthernet0/0/2", "description nk-saved"],
            "successfully",
            false,
        ),
        (
            "cisco_ios",
            &["interface GigabitEthernet0/2", "description nk-saved"],
            "[OK]",
            true,
        ),
        (
            "cisco_nxos",
            &["interface Ethernet1/2", "description nk-saved"],
            "Copy complete",
            false,
        ),
        (
            "arista_eos",
            &["interface Ethernet2", "description nk-saved"],
            "Copy completed",
            true,
        ),
        (
            "huawei_vrpv8",
            &["interface GigabitEthernet0/1/2", "description nk-saved"],
            "successfully",
            false,
        ),
    ];
    for (platform, lines, said, enable) in cases {
        let dev = start(platform, |_| {}).await;
        let s = Session::connect(opts(&dev, platform).enable(enable))
            .await
            .unwrap();
        let p0 = s.find_prompt().await.unwrap();
        let finish = match s.platform().spec().commit {
            Some(_) => Finish::Commit {
                confirm: None,
                comment: None,
            },
            None => Finish::Nothing,
        };
        let o = ConfigSetOptions {
            save: true,
            finish,
            ..Default::default()
        };
        let done = tokio::time::timeout(Duration::from_secs(20), s.configure(lines, &o))
            .await
            .unwrap_or_else(|_| panic!("{platform}: save hung"))
            .unwrap_or_else(|e| panic!("{platform}: {e}"));
        let save = done.after.last().unwrap();
        assert_eq!(
            save.line,
            s.platform().spec().save.as_ref().unwrap().command,
            "{platform}"
        );
        assert!(save.output.contains(said), "{platform}: {save:?}");
        assert!(done.answers().contains(said), "{platform}");
        assert_eq!(s.find_prompt().await.unwrap(), p0, "{platform}: base mode");
        s.disconnect().await;
        dev.stop().await;
    }
}

/// Config set output is the device's answers: Comware's `System View: …` and the prompts stay
/// in the transcript, each on its own line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_have_no_echo_or_prompt_and_the_transcript_has_lines() {
    let dev = start("hp_comware", |_| {}).await;
    let s = Session::connect(opts(&dev, "hp_comware")).await.unwrap();
    let done = s
        .configure(
            &[
                "interface GigabitEthernet1/0/2",
                "description x",
                "bogus line",
            ],
            &ConfigSetOptions::default(),
        )
        .await;
    match done {
        Err(Error::ConfigRejected { line, output, .. }) => {
            assert_eq!(line, "bogus line");
            assert!(output.contains("Unrecognized command"), "{output}");
            assert!(!output.contains("[H3C"), "{output}");
        }
        other => panic!("{other:?}"),
    }
    let done = s
        .configure(
            &["interface GigabitEthernet1/0/2", "description x"],
            &ConfigSetOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(done.candidate, CandidateState::Applied);
    assert_eq!(done.answers(), "");
    assert!(done.lines.iter().all(|l| l.output.is_empty()), "{done:?}");
    assert!(
        done.transcript
            .starts_with("System View: return to User View with Ctrl+Z.\n[H3C]interface"),
        "{:?}",
        done.transcript
    );
    dev.stop().await;
}

/// The enable rule on IOS (the simulator's enable secret is the login password): on the way to
/// configuration mode only a given enable secret is typed; asked for explicitly, the login
/// password serves when no secret is given.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_password_is_not_typed_as_enable_secret_unasked() {
    let dev = start("cisco_ios", |c| c.password = "Quokka-Login-4417".into()).await;
    let base = || {
        opts(&dev, "cisco_ios").auth(netkeep_session::Auth::Password(Secret::new(
            "Quokka-Login-4417",
        )))
    };
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("r1.log");

    // No secret: the set stops at the password prompt, types nothing, closes the session.
    let s = Session::connect(base().session_log(SessionLog::new(&log)))
        .await
        .unwrap();
    let e = s.configure(&["hostname X"], &Default::default()).await;
    let e = e.unwrap_err();
    assert!(matches!(e, Error::PrivilegeRefused { .. }), "{e}");
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert!(e.to_string().contains("none was given"), "{e}");
    assert!(s.is_closed());
    let text = std::fs::read_to_string(&log).unwrap();
    let asked = text.find("< Password:").expect("the device asked");
    assert!(
        !text[asked..].contains(" > "),
        "something was typed at the password prompt:\n{text}"
    );

    // A given secret: typed on the way; the answers do not start with `Password:`; back in
    // user mode.
    let s = Session::connect(base().enable_secret(Secret::new("Quokka-Login-4417")))
        .await
        .unwrap();
    let done = s
        .configure(
            &["interface GigabitEthernet0/2", "description nk"],
            &ConfigSetOptions {
                exit: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(done.answers(), "", "{done:?}");
    assert_eq!(s.find_prompt().await.unwrap(), "R1>");

    // Asked for explicitly at login, no secret given: the login password, and the session's
    // base mode is privileged.
    let s = Session::connect(base().enable(true)).await.unwrap();
    assert_eq!(s.find_prompt().await.unwrap(), "R1#");
    s.configure(&["hostname R1"], &Default::default())
        .await
        .unwrap();
    assert_eq!(s.find_prompt().await.unwrap(), "R1#");
    // A wrong secret is refused with the device's words, and never shown.
    let e = Session::connect(
        base()
            .enable(true)
            .enable_secret(Secret::new("Marmot-Enable-9052")),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    assert!(!e.to_string().contains("Marmot"), "{e}");
    dev.stop().await;
}

/// Saving is privileged: from IOS user mode, `save_config` and a set with `save` enable first
/// with the given secret (as Netmiko's save_config does) instead of typing `write memory` at
/// `R1>`; without a secret they are refused, nothing typed at the password prompt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_from_user_mode_enables_with_the_secret() {
    let dev = start("cisco_ios", |_| {}).await;
    let s = Session::connect(opts(&dev, "cisco_ios").enable_secret(Secret::new("admin")))
        .await
        .unwrap();
    assert_eq!(s.find_prompt().await.unwrap(), "R1>");
    let out = s.save_config().await.unwrap();
    assert!(out.contains("[OK]"), "{out}");
    let o = ConfigSetOptions {
        save: true,
        ..Default::default()
    };
    let done = s.configure(&["hostname R1"], &o).await.unwrap();
    assert!(done.answers().contains("[OK]"), "{done:?}");

    let s = Session::connect(opts(&dev, "cisco_ios")).await.unwrap();
    let e = s.save_config().await.unwrap_err();
    assert!(matches!(e, Error::PrivilegeRefused { .. }), "{e}");
    dev.stop().await;
}

/// `enable` at login from the platform file's `enable.at_login` (a user platform directory),
/// and on Arista from the options.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn privileged_mode_at_login_from_platform_data_or_options() {
    let dev = start("cisco_ios", |_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut spec = netkeep_platform::builtin("cisco_ios")
        .unwrap()
        .spec()
        .clone();
    spec.name = "ios_priv".into();
    spec.aliases.clear();
    spec.enable.as_mut().unwrap().at_login = true;
    let yaml = serde_norway::to_string(&spec).unwrap();
    std::fs::write(dir.path().join("ios_priv.yaml"), yaml).unwrap();
    let mut o = opts(&dev, "ios_priv").platform_dir(dir.path());
    o.enable_secret = Some(Secret::new("admin"));
    let s = Session::connect(o.clone()).await.unwrap();
    assert_eq!(s.find_prompt().await.unwrap(), "R1#");
    // The options override the file.
    let s = Session::connect(o.enable(false)).await.unwrap();
    assert_eq!(s.find_prompt().await.unwrap(), "R1>");
    dev.stop().await;

    let dev = start("arista_eos", |_| {}).await;
    let s = Session::connect(opts(&dev, "arista_eos").enable(true))
        .await
        .unwrap();
    assert_eq!(s.find_prompt().await.unwrap(), "arista1#");
    let run = s.send_command("show running-config").await.unwrap();
    assert!(run.contains("hostname arista1"), "{run}");
    dev.stop().await;
}

/// The session log: timestamps, both directions, the password and the enable secret masked
/// (typed in-band at the enable prompt), rotation by size.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_log_records_the_session_without_secrets() {
    const PW: &str = "Numbat-Login-6620";
    let dev = start("cisco_ios", |c| c.password = PW.into()).await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("r1.log");
    let o = opts(&dev, "cisco_ios")
        .auth(netkeep_session::Auth::Password(Secret::new(PW)))
        .enable_secret(Secret::new(PW))
        .enable(true)
        .session_log(SessionLog::new(&log).max_bytes(1024).keep(20));
    let s = Session::connect(o).await.unwrap();
    s.send_command("show version").await.unwrap();
    s.configure(&["hostname R1"], &Default::default())
        .await
        .unwrap();
    s.disconnect().await;
    let mut text = String::new();
    for i in (1..=20).rev() {
        let f = log.with_extension(format!("log.{i}"));
        text.push_str(&std::fs::read_to_string(f).unwrap_or_default());
    }
    text.push_str(&std::fs::read_to_string(&log).unwrap());
    assert!(!text.contains(PW), "the password is in the log");
    assert!(text.contains("> enable\n"), "{text}");
    assert!(text.contains("< Password:"), "{text}");
    assert!(text.contains("> ********\n"), "{text}");
    assert!(
        text.contains("> show version\n") && text.contains("< Cisco IOS"),
        "{text}"
    );
    assert!(text.contains("< R1(config)#"), "{text}");
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("20") && first.contains("sim-cisco_ios["),
        "{first}"
    );
    assert!(
        dir.path().join("r1.log.1").exists(),
        "rotated at 1 KiB: {} bytes",
        text.len()
    );
}

/// A command that asks questions, answered per step; a pattern that ends the read; the echo
/// kept on request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_that_ask_questions() {
    let dev = start("hp_comware", |_| {}).await;
    let s = Session::connect(opts(&dev, "hp_comware")).await.unwrap();
    let save = Command::new("save")
        .answer(r"\[Y/N\]:", "Y")
        .answer(r"(?i)file name", "")
        .answer(r"overwrite\? \[Y/N\]:", "Y");
    let out = s.send(&save).await.unwrap();
    assert!(out.contains("successfully"), "{out}");
    let out = s
        .send(&Command::new("save").until(r"\[Y/N\]:").strip_command(false))
        .await
        .unwrap();
    assert!(
        out.starts_with("save\n") && out.ends_with("[Y/N]:"),
        "{out}"
    );
    let out = s.send(&Command::new("N")).await.unwrap();
    assert!(out.contains("not saved"), "{out}");
    // Without the answers, the read times out and says the device is asking.
    let e = s
        .send(&Command::new("save").read_timeout(Duration::from_millis(500)))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("asking a question"), "{e}");
    dev.stop().await;
}

/// A command whose caller gave up (its future dropped, as Ctrl-C does): what it received so far
/// can still be read, and the next command is not disturbed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_command_output_so_far_can_be_read() {
    let dev = start("hp_comware", |_| {}).await;
    let s = Session::connect(opts(&dev, "hp_comware")).await.unwrap();
    assert_eq!(s.abandoned_output(), None);
    let r =
        tokio::time::timeout(Duration::from_millis(1300), s.send_command("ping 10.0.0.1")).await;
    assert!(r.is_err(), "the ping takes 2.5 s");
    let partial = s.abandoned_output().expect("an abandoned command");
    assert!(partial.contains("bytes from 10.0.0.1"), "{partial:?}");
    assert!(!partial.starts_with("ping"), "echo removed: {partial:?}");
    let out = s.send_command("display clock").await.unwrap();
    assert!(out.contains("UTC") && !out.contains("bytes from"), "{out}");
    dev.stop().await;
}
