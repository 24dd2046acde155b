//! Every platform: prompts and mode transitions, errors, NUL handling, paging, VTY limit,
//! robustness against garbage and disconnects, and the OpenSSH client.

mod common;

use std::time::Duration;

use common::{Cli, Poke};
use netkeep_sim::{DeviceConfig, SimDevice};
use tokio::time::Instant;

const S: Duration = Duration::from_secs(5);

async fn start(platform: &str, f: impl FnOnce(&mut DeviceConfig)) -> SimDevice {
    let mut cfg = DeviceConfig::new(platform);
    f(&mut cfg);
    SimDevice::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// (platform, first prompt, [(command, prompt after it)...]) — walks config mode and back.
type Walk = (
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str)>,
);

fn walks() -> Vec<Walk> {
    vec![
        (
            "hp_comware",
            "<H3C>",
            vec![
                ("system-view", "[H3C]"),
                ("interface GE1/0/1", "[H3C-GigabitEthernet1/0/1]"),
                ("return", "<H3C>"),
            ],
        ),
        (
            "huawei",
            "<HUAWEI>",
            vec![
                ("system-view", "[HUAWEI]"),
                (
                    "interface GigabitEthernet0/0/1",
                    "[HUAWEI-GigabitEthernet0/0/1]",
                ),
                ("user-interface vty 0 4", "[HUAWEI-ui-vty0-4]"),
                ("return", "<HUAWEI>"),
            ],
        ),
        (
            "cisco_ios",
            "R1>",
            vec![
                ("enable", "Password: "),
                ("admin", "R1#"),
                ("configure terminal", "R1(config)#"),
                ("interface gi0/1", "R1(config-if)#"),
                ("exit", "R1(config)#"),
                ("line vty 0 4", "R1(config-line)#"),
                ("end", "R1#"),
                ("disable", "R1>"),
            ],
        ),
        (
            "cisco_nxos",
            "switch# ",
            vec![
                ("configure terminal", "switch(config)# "),
                ("interface Ethernet1/1", "switch(config-if)# "),
                ("end", "switch# "),
            ],
        ),
        (
            "juniper_junos",
            "admin@router1> ",
            vec![
                ("configure", "\r\n[edit]\r\nadmin@router1# "),
                ("exit configuration-mode", "admin@router1> "),
            ],
        ),
        (
            "arista_eos",
            "arista1>",
            vec![
                ("enable", "arista1#"),
                ("configure terminal", "arista1(config)#"),
                ("interface Ethernet1", "arista1(config-if-Et1)#"),
                ("end", "arista1#"),
            ],
        ),
        (
            "linux",
            "admin@lab-linux:~$ ",
            vec![("hostname", "admin@lab-linux:~$ ")],
        ),
        (
            "cisco_xr",
            "RP/0/RSP0/CPU0:R1#",
            vec![
                ("configure terminal", "RP/0/RSP0/CPU0:R1(config)#"),
                (
                    "interface GigabitEthernet0/0/0/1",
                    "RP/0/RSP0/CPU0:R1(config-if)#",
                ),
                ("exit", "RP/0/RSP0/CPU0:R1(config)#"),
                ("line default", "RP/0/RSP0/CPU0:R1(config-line)#"),
                ("end", "RP/0/RSP0/CPU0:R1#"),
            ],
        ),
        (
            "huawei_vrpv8",
            "<HUAWEI>",
            vec![
                ("system-view", "[~HUAWEI]"),
                ("interface GE0/1/1", "[~HUAWEI-GigabitEthernet0/1/1]"),
                ("user-interface vty 0 4", "[~HUAWEI-ui-vty0-4]"),
                ("return", "<HUAWEI>"),
            ],
        ),
    ]
}

#[tokio::test]
async fn prompts_and_mode_transitions_on_every_platform() {
    for (platform, first, steps) in walks() {
        let d = start(platform, |_| {}).await;
        let mut c = Cli::connect(d.addr()).await;
        c.read_until(first, S)
            .await
            .unwrap_or_else(|e| panic!("{platform}: {e}"));
        for (cmd, prompt) in steps {
            let out = c.cmd(cmd, prompt).await;
            assert!(
                !out.contains("nvalid") && !out.contains("nrecognized"),
                "{platform} {cmd}: {out:?}"
            );
        }
        d.stop().await;
    }
}

#[tokio::test]
async fn unknown_command_errors_per_platform() {
    let cases = [
        (
            "hp_comware",
            "<H3C>",
            " % Unrecognized command found at '^' position.",
        ),
        (
            "huawei",
            "<HUAWEI>",
            "Error: Unrecognized command found at '^' position.",
        ),
        (
            "cisco_ios",
            "R1>",
            "% Invalid input detected at '^' marker.",
        ),
        ("cisco_nxos", "switch# ", "% Invalid command at '^' marker."),
        ("juniper_junos", "admin@router1> ", "unknown command."),
        (
            "arista_eos",
            "arista1>",
            "% Invalid input (at token 0: 'frobnicate')",
        ),
        ("linux", "$ ", "-bash: frobnicate: command not found"),
        (
            "cisco_xr",
            "RP/0/RSP0/CPU0:R1#",
            "% Invalid input detected at '^' marker.",
        ),
        (
            "huawei_vrpv8",
            "<HUAWEI>",
            "Error: Unrecognized command found at '^' position.",
        ),
    ];
    for (platform, prompt, msg) in cases {
        let d = start(platform, |_| {}).await;
        let mut c = Cli::connect(d.addr()).await;
        c.read_until(prompt, S).await.unwrap();
        let out = c.cmd("frobnicate now", prompt).await;
        assert!(out.contains(msg), "{platform}: {out:?}");
        d.stop().await;
    }
}

#[tokio::test]
async fn nul_handling_per_platform() {
    // What each personality documents: raw echo, ^@, or swallowed.
    let cases: [(&str, &str, &[u8]); 8] = [
        ("hp_comware", "<H3C>", b"\0"),
        ("huawei", "<HUAWEI>", b""),
        ("cisco_ios", "R1>", b""),
        ("cisco_nxos", "switch# ", b"^@"),
        ("juniper_junos", "admin@router1> ", b"^@"),
        ("arista_eos", "arista1>", b"^@"),
        ("cisco_xr", "RP/0/RSP0/CPU0:R1#", b""),
        ("huawei_vrpv8", "<HUAWEI>", b""),
    ];
    for (platform, prompt, echo) in cases {
        let d = start(platform, |_| {}).await;
        let mut c = Cli::connect(d.addr()).await;
        c.read_until(prompt, S).await.unwrap();
        c.send(b"\0").await;
        let got = c.drain(Duration::from_millis(150)).await;
        assert_eq!(got.as_bytes(), echo, "{platform}");
        // The NUL never reaches the command line.
        c.send(b"\n").await;
        let out = c.read_until(prompt, S).await.unwrap();
        assert!(
            !out.contains("nvalid") && !out.contains("nrecognized"),
            "{platform}: {out:?}"
        );
        d.stop().await;
    }
}

#[tokio::test]
async fn paging_appears_and_goes_after_disable_per_platform() {
    let cases = [
        (
            "huawei",
            "<HUAWEI>",
            "display current-configuration",
            "  ---- More ----",
            "screen-length 0 temporary",
        ),
        (
            "cisco_nxos",
            "switch# ",
            "show running-config",
            " --More-- ",
            "terminal length 0",
        ),
        (
            "juniper_junos",
            "admin@router1> ",
            "show configuration",
            "---(more)---",
            "set cli screen-length 0",
        ),
        (
            "arista_eos",
            "arista1>",
            "show interfaces description",
            " --More-- ",
            "terminal length 0",
        ),
        (
            "cisco_xr",
            "RP/0/RSP0/CPU0:R1#",
            "show running-config",
            " --More-- ",
            "terminal length 0",
        ),
        (
            "huawei_vrpv8",
            "<HUAWEI>",
            "display current-configuration",
            "  ---- More ----",
            "screen-length 0 temporary",
        ),
    ];
    for (platform, prompt, cmd, more, disable) in cases {
        let d = start(platform, |c| c.config_lines = 400).await;
        let mut c = Cli::connect(d.addr()).await;
        c.read_until(prompt, S).await.unwrap();
        c.send(format!("{cmd}\n").as_bytes()).await;
        c.read_until(more, S)
            .await
            .unwrap_or_else(|e| panic!("{platform}: {e}"));
        c.send(b"q").await;
        c.read_until(prompt, S).await.unwrap();
        c.cmd(disable, prompt).await;
        let out = c.cmd(cmd, prompt).await;
        assert!(!out.contains(more), "{platform}");
        assert!(
            out.lines().count() > 50,
            "{platform}: {} lines",
            out.lines().count()
        );
        d.stop().await;
    }
}

#[tokio::test]
async fn config_lines_pads_running_config_to_about_that_size() {
    let d = start("cisco_ios", |c| c.config_lines = 20_000).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("R1>", S).await.unwrap();
    c.cmd("terminal length 0", "R1>").await;
    c.send(b"enable\n").await;
    c.read_until("Password: ", S).await.unwrap();
    c.cmd("admin", "R1#").await;
    let out = c.cmd("show running-config", "\r\nR1#").await;
    let n = out.lines().count();
    assert!((19_000..23_000).contains(&n), "{n} lines");
    assert!(out.len() > 300_000, "{} bytes", out.len());
}

#[tokio::test]
async fn vty_limit_refuses_with_message_and_frees_slot() {
    let d = start("hp_comware", |c| c.vty_limit = Some(2)).await;
    let mut a = Cli::connect(d.addr()).await;
    a.read_until("<H3C>", S).await.unwrap();
    let mut b = Cli::connect(d.addr()).await;
    b.read_until("<H3C>", S).await.unwrap();
    let mut c = Cli::connect(d.addr()).await;
    let msg = c.wait_closed(S).await.unwrap();
    assert!(msg.contains("All user lines are in use"), "{msg:?}");
    assert_eq!(d.counters().vty_refused, 1);
    a.send(b"quit\n").await;
    a.wait_closed(S).await.unwrap();
    // The slot frees once the session is gone.
    let deadline = std::time::Instant::now() + S;
    while d.active_sessions() > 1 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut e = Cli::connect(d.addr()).await;
    e.read_until("<H3C>", S).await.unwrap();
    let k = d.counters();
    assert_eq!((k.sessions_opened, k.vty_refused), (3, 1), "{k:?}");
}

#[tokio::test]
async fn garbage_huge_lines_and_disconnects_do_not_affect_other_sessions() {
    let d = start("hp_comware", |_| {}).await;
    let mut good = Cli::connect(d.addr()).await;
    good.read_until("<H3C>", S).await.unwrap();
    // Garbage: every byte value, escape sequences, invalid UTF-8.
    let mut bad = Cli::connect(d.addr()).await;
    bad.read_until("<H3C>", S).await.unwrap();
    let all: Vec<u8> = (0u8..=255).cycle().take(4096).collect();
    bad.send(&all).await;
    bad.send(b"\x1b[A\x1b[B\xff\xfe\xc3\x28\n").await;
    // A 200 KiB line: bounded at 64 KiB, then rejected as an unknown command.
    bad.send(&vec![b'x'; 200 * 1024]).await;
    bad.send(b"\n").await;
    let junk = bad.read_until("Unrecognized command", S).await.unwrap();
    // The echo of the huge line stops at the 64 KiB bound.
    assert!(
        junk.matches('x').count() < 70 * 1024,
        "{} x echoed",
        junk.matches('x').count()
    );
    bad.read_until("<H3C>", S).await.unwrap();
    bad.drain(Duration::from_millis(300)).await;
    // Disconnect mid-command (paged output, then a running ping).
    let mut quitter = Cli::connect(d.addr()).await;
    quitter.read_until("<H3C>", S).await.unwrap();
    quitter.send(b"display current-configuration\n").await;
    quitter.read_until("More", S).await.unwrap();
    drop(quitter);
    let mut pinger = Cli::connect(d.addr()).await;
    pinger.read_until("<H3C>", S).await.unwrap();
    pinger.send(b"ping 10.0.0.1\n").await;
    pinger.read_until("icmp_seq=1", S).await.unwrap();
    drop(pinger);
    let out = good.cmd("display clock", "<H3C>").await;
    assert!(out.contains("UTC"));
    let out = bad.cmd("display clock", "<H3C>").await;
    assert!(
        out.contains("UTC"),
        "{:?}",
        &out[out.len().saturating_sub(300)..]
    );
}

/// On Linux only lines are activity: NULs every 100 ms for up to three idle timeouts do not
/// keep the session open (it closes one timeout after the last line); lines do.
#[tokio::test]
async fn linux_idle_timer_counts_lines_not_nuls() {
    let idle = Duration::from_millis(500);
    let d = start("linux", |c| c.idle_timeout = Some(idle)).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("$ ", S).await.unwrap();
    let typed = Instant::now();
    c.cmd("echo last line", "$ ").await;
    let answered = Instant::now();
    let (closed, out, pokes) = c
        .poke_until_closed(Poke::Bytes(b"\0"), Duration::from_millis(100), idle * 3)
        .await;
    let closed = closed.unwrap_or_else(|| panic!("NULs kept the session open: {out:?}"));
    assert!(out.contains("auto-logout"), "{out:?}");
    let (after_typed, after_answer) = (closed - typed, closed - answered);
    println!("linux idle {idle:?}: closed {after_typed:?} after the last line, {pokes} NULs");
    assert!(pokes >= 3, "only {pokes} NULs before the close");
    assert!(
        after_typed >= idle - Duration::from_millis(2),
        "{after_typed:?}"
    );
    assert!(
        after_answer <= idle + Duration::from_millis(150),
        "{after_answer:?}"
    );
    // Lines do keep it alive: one every 250 ms for 2.5 timeouts.
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("$ ", S).await.unwrap();
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        c.cmd("", "$ ").await;
    }
    c.cmd("echo still here", "$ ").await;
    assert_eq!(d.counters().idle_timeouts, 1);
}

#[tokio::test]
async fn wrong_password_is_rejected_and_counted() {
    let d = start("huawei", |_| {}).await;
    let r = Cli::try_connect(d.addr(), "admin", "nope").await;
    assert!(r.is_err());
    assert_eq!(d.counters().auth_failures, 1);
    let r = Cli::try_connect(d.addr(), "root", "admin").await;
    assert!(r.is_err());
    assert_eq!(d.counters().auth_failures, 2);
    // Every password the device was sent is counted, refused or not.
    assert_eq!(d.counters().passwords_received, 2);
}

#[tokio::test]
async fn login_delay_slows_auth() {
    let d = start("cisco_ios", |c| c.login_delay = Duration::from_millis(400)).await;
    let t0 = std::time::Instant::now();
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("R1>", S).await.unwrap();
    assert!(t0.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn exec_request_runs_one_command() {
    let d = start("arista_eos", |_| {}).await;
    let h = common::ssh(d.addr(), "admin", "admin").await.unwrap();
    let mut ch = h.channel_open_session().await.unwrap();
    ch.exec(true, "show clock").await.unwrap();
    let mut out = Vec::new();
    let mut status = None;
    while let Ok(Some(m)) = tokio::time::timeout(S, ch.wait()).await {
        match m {
            russh::ChannelMsg::Data { data } => out.extend_from_slice(&data),
            russh::ChannelMsg::ExitStatus { exit_status } => status = Some(exit_status),
            russh::ChannelMsg::Close => break,
            _ => {}
        }
    }
    let out = String::from_utf8_lossy(&out);
    assert!(out.contains("Timezone: UTC"), "{out:?}");
    assert!(!out.contains("arista1>"), "{out:?}");
    assert_eq!(status, Some(0));
}

#[tokio::test]
async fn openssh_client_logs_in_with_sshpass() {
    let have = |t: &str| {
        std::process::Command::new("which")
            .arg(t)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("sshpass") || !have("ssh") {
        if std::env::var_os("NETKEEP_REQUIRE_SYSTEM_TOOLS").is_some() {
            panic!("sshpass/ssh missing and NETKEEP_REQUIRE_SYSTEM_TOOLS is set");
        }
        eprintln!("skipping: sshpass or ssh not installed");
        return;
    }
    let d = start("hp_comware", |_| {}).await;
    let port = d.addr().port().to_string();
    let out = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = std::process::Command::new("sshpass")
            .args([
                "-p",
                "admin",
                "ssh",
                "-tt",
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "LogLevel=ERROR",
                "-p",
                &port,
                "admin@127.0.0.1",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn sshpass");
        let mut stdin = child.stdin.take().unwrap();
        std::thread::sleep(Duration::from_millis(800));
        let _ = stdin.write_all(b"display clock\r");
        std::thread::sleep(Duration::from_millis(300));
        let _ = stdin.write_all(b"quit\r");
        drop(stdin);
        child.wait_with_output().expect("ssh output")
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("<H3C>display clock"),
        "{text:?} / {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(" UTC "), "{text:?}");
    assert_eq!(d.counters().sessions_opened, 1);
}

#[tokio::test]
async fn host_key_is_exposed_and_can_come_from_a_file() {
    let d = start("hp_comware", |_| {}).await;
    let k = d.host_key_openssh();
    assert!(k.starts_with("ssh-ed25519 AAAA"), "{k}");
    // A fixed key from an OpenSSH private key file.
    let key = russh::keys::PrivateKey::from(
        russh::keys::ssh_key::private::Ed25519Keypair::from_seed(&[42u8; 32]),
    );
    let pem = key
        .to_openssh(russh::keys::ssh_key::LineEnding::LF)
        .unwrap();
    let dir = std::env::temp_dir().join(format!("netkeep-sim-key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("host_key");
    std::fs::write(&path, pem.as_bytes()).unwrap();
    let d2 = start("hp_comware", |c| c.host_key = Some(path.clone())).await;
    let expect = key.public_key().to_openssh().unwrap();
    assert_eq!(d2.host_key_openssh(), expect);
    let d3 = start("hp_comware", |c| c.host_key = Some(path.clone())).await;
    assert_eq!(d3.host_key_fingerprint(), d2.host_key_fingerprint());
    let _ = std::fs::remove_dir_all(&dir);
    // A bad path is a clear error.
    let mut cfg = DeviceConfig::new("hp_comware");
    cfg.host_key = Some("/nonexistent/key".into());
    let err = SimDevice::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .err()
        .expect("must fail");
    assert!(err.to_string().contains("/nonexistent/key"), "{err}");
}

#[tokio::test]
async fn unknown_platform_and_port_in_use_are_clear_errors() {
    let err = SimDevice::start(DeviceConfig::new("foo_os"), "127.0.0.1:0".parse().unwrap())
        .await
        .err()
        .expect("must fail");
    assert!(
        err.to_string().contains("unknown platform \"foo_os\""),
        "{err}"
    );
    let d = start("huawei", |_| {}).await;
    let err = SimDevice::start(DeviceConfig::new("huawei"), d.addr())
        .await
        .err()
        .expect("must fail");
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("port {} is already in use", d.addr().port())),
        "{msg}"
    );
}

/// IOS-XR: set an interface description (uncommitted), ending in interface config mode.
async fn xr_describe(c: &mut Cli, text: &str) {
    c.cmd("configure terminal", "(config)#").await;
    c.cmd("interface GigabitEthernet0/0/0/1", "(config-if)#")
        .await;
    c.cmd(&format!("description {text}"), "(config-if)#").await;
}

/// IOS-XR: changes wait in the session's own target configuration; `end` with uncommitted
/// changes asks yes/no/cancel (cancel stays, no discards, yes commits); `commit` applies.
#[tokio::test]
async fn cisco_xr_commits_discards_and_cancels() {
    const EXEC: &str = "RP/0/RSP0/CPU0:R1#";
    const IF: &str = "RP/0/RSP0/CPU0:R1(config-if)#";
    const ASK: &str = "commit them before exiting(yes/no/cancel)? [cancel]:";
    let d = start("cisco_xr", |c| c.config_lines = 0).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until(EXEC, S).await.unwrap();
    c.cmd("terminal length 0", EXEC).await;
    xr_describe(&mut c, "first-try").await;
    // Another session sees nothing of this session's target configuration.
    let mut other = Cli::connect(d.addr()).await;
    other.read_until(EXEC, S).await.unwrap();
    other.cmd("terminal length 0", EXEC).await;
    assert!(!other
        .cmd("show running-config", EXEC)
        .await
        .contains("first-try"));
    c.cmd("end", ASK).await;
    c.cmd("", IF).await; // the default, cancel: still configuring
    c.cmd("end", ASK).await;
    c.cmd("no", EXEC).await;
    assert!(!c
        .cmd("show running-config", EXEC)
        .await
        .contains("first-try"));
    xr_describe(&mut c, "second-try").await;
    c.cmd("end", ASK).await;
    c.cmd("yes", EXEC).await;
    assert!(c
        .cmd("show running-config", EXEC)
        .await
        .contains(" description second-try"));
    xr_describe(&mut c, "third-try").await;
    c.cmd("commit", IF).await;
    let out = c.cmd("end", EXEC).await;
    assert!(!out.contains("Uncommitted"), "{out:?}");
    let run = other.cmd("show running-config", EXEC).await;
    assert!(run.contains(" description third-try"), "{run}");
}

/// VRP 8: `[~HUAWEI]` while clean, `[*HUAWEI]` once the session has uncommitted changes;
/// `commit` applies; `return` with uncommitted changes asks Y/N/C.
#[tokio::test]
async fn huawei_vrpv8_marks_uncommitted_changes_in_the_prompt() {
    const ASK: &str = "[Y(yes)/N(no)/C(cancel)]:";
    let d = start("huawei_vrpv8", |_| {}).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("<HUAWEI>", S).await.unwrap();
    c.cmd("screen-length 0 temporary", "<HUAWEI>").await;
    c.cmd("system-view", "[~HUAWEI]").await;
    c.cmd(
        "interface GigabitEthernet0/1/1",
        "[~HUAWEI-GigabitEthernet0/1/1]",
    )
    .await;
    c.cmd("description dropped", "[*HUAWEI-GigabitEthernet0/1/1]")
        .await;
    // The mark is per session.
    let mut other = Cli::connect(d.addr()).await;
    other.read_until("<HUAWEI>", S).await.unwrap();
    other.cmd("system-view", "[~HUAWEI]").await;
    c.cmd("return", ASK).await;
    c.cmd("C", "[*HUAWEI-GigabitEthernet0/1/1]").await;
    c.cmd("return", ASK).await;
    c.cmd("N", "<HUAWEI>").await;
    let run = c.cmd("display current-configuration", "\r\n<HUAWEI>").await;
    assert!(!run.contains("dropped"), "{run}");
    c.cmd("system-view", "[~HUAWEI]").await;
    c.cmd(
        "interface GigabitEthernet0/1/1",
        "[~HUAWEI-GigabitEthernet0/1/1]",
    )
    .await;
    c.cmd("description kept", "[*HUAWEI-GigabitEthernet0/1/1]")
        .await;
    c.cmd("commit", "[~HUAWEI-GigabitEthernet0/1/1]").await;
    c.cmd("return", "<HUAWEI>").await;
    let run = c.cmd("display current-configuration", "\r\n<HUAWEI>").await;
    assert!(run.contains(" description kept"), "{run}");
}
