//! Every simulated platform: prompts, clean output, paging, config sets, failure indicators,
//! save, is_alive and keepalive counters.

mod common;

use std::time::Duration;

use common::{assert_clean, connect, opts, start};
use netkeep_session::{Error, Session};

struct Case {
    platform: &'static str,
    hostname: &'static str,
    show_version: &'static str,
    running: &'static str,
    needs_enable: bool,
    config: &'static [&'static str],
    commit: bool,
    save: bool,
}

const DESC: &str = "netkeep-test-42";

const CASES: &[Case] = &[
    Case {
        platform: "hp_comware",
        hostname: "H3C",
        show_version: "display version",
        running: "display current-configuration",
        needs_enable: false,
        config: &[
            "interface GigabitEthernet1/0/2",
            "description netkeep-test-42",
        ],
        commit: false,
        save: true,
    },
    Case {
        platform: "huawei",
        hostname: "HUAWEI",
        show_version: "display version",
        running: "display current-configuration",
        needs_enable: false,
        config: &[
            "interface GigabitEthernet0/0/1",
            "description netkeep-test-42",
        ],
        commit: false,
        save: true,
    },
    Case {
        platform: "cisco_ios",
        hostname: "R1",
        show_version: "show version",
        running: "show running-config",
        needs_enable: true,
        config: &[
            "interface GigabitEthernet0/2",
            "description netkeep-test-42",
        ],
        commit: false,
        save: true,
    },
    Case {
        platform: "cisco_nxos",
        hostname: "switch",
        show_version: "show version",
        running: "show running-config",
        needs_enable: false,
        config: &["interface Ethernet1/2", "description netkeep-test-42"],
        commit: false,
        save: true,
    },
    Case {
        platform: "juniper_junos",
        hostname: "router1",
        show_version: "show version",
        running: "show configuration",
        needs_enable: false,
        config: &["set interfaces ge-0/0/1 description netkeep-test-42"],
        commit: true,
        save: false,
    },
    Case {
        platform: "arista_eos",
        hostname: "arista1",
        show_version: "show version",
        running: "show running-config",
        needs_enable: true,
        config: &["interface Ethernet2", "description netkeep-test-42"],
        commit: false,
        save: true,
    },
];

async fn exercise(c: &Case) {
    let dev = start(c.platform, |cfg| cfg.config_lines = 300).await;
    let s = connect(&dev, c.platform).await;
    if c.needs_enable {
        s.enable()
            .await
            .unwrap_or_else(|e| panic!("{}: enable: {e}", c.platform));
    }
    let prompt = s.find_prompt().await.unwrap();
    assert!(
        prompt.contains(c.hostname),
        "{}: prompt {prompt:?}",
        c.platform
    );
    assert!(s.platform().mode_of(&prompt).is_some());

    let v = s.send_command(c.show_version).await.unwrap();
    assert_clean(c.platform, c.show_version, &v);

    // Paging disabled by preparation: a long output comes in one piece.
    let run = s.send_command(c.running).await.unwrap();
    assert_clean(c.platform, c.running, &run);
    assert!(
        run.lines().count() > 200,
        "{}: running config too short",
        c.platform
    );
    assert!(!run.contains(DESC));

    // Config set: the description shows up in the running configuration.
    let t = s
        .send_config_set(c.config)
        .await
        .unwrap_or_else(|e| panic!("{}: config set: {e}", c.platform));
    assert!(
        t.contains(c.config[c.config.len() - 1]),
        "{}: transcript {t:?}",
        c.platform
    );
    if c.commit {
        let out = s
            .commit()
            .await
            .unwrap_or_else(|e| panic!("{}: commit: {e}", c.platform));
        assert!(out.contains("commit complete"), "{}: {out:?}", c.platform);
    }
    let run = s.send_command(c.running).await.unwrap();
    assert!(
        run.contains(DESC),
        "{}: description missing after config set",
        c.platform
    );
    // Back in the exec mode.
    let p = s.find_prompt().await.unwrap();
    let mode = s.platform().mode_of(&p).unwrap();
    assert!(!mode.config, "{}: still in config mode: {p:?}", c.platform);

    // A bad line hits a failure indicator, and the session stays usable.
    let bad = [c.config[0], "this-is-not-a-command at all"];
    let bad: &[&str] = if c.commit { &bad[1..] } else { &bad };
    match s.send_config_set(bad).await {
        Err(Error::ConfigRejected { line, output, .. }) => {
            assert_eq!(line, "this-is-not-a-command at all");
            assert!(!output.is_empty());
        }
        other => panic!("{}: expected ConfigRejected, got {other:?}", c.platform),
    }
    if c.commit {
        // Two-stage platforms stay in configuration mode; leave without committing.
        s.send_command("exit configuration-mode").await.unwrap();
    }
    let p = s.find_prompt().await.unwrap();
    assert!(
        !s.platform().mode_of(&p).unwrap().config,
        "{}: {p:?}",
        c.platform
    );

    if c.save {
        let out = s
            .save_config()
            .await
            .unwrap_or_else(|e| panic!("{}: save: {e}", c.platform));
        assert!(!out.is_empty(), "{}: save said nothing", c.platform);
    }

    assert!(s.is_alive().await);
    let st = s.keepalive_stats();
    assert!(
        st.sent >= 1 && st.failures == 0 && st.last_rtt.is_some(),
        "{st:?}"
    );
    // The keepalive's echo never reaches the next output.
    let v2 = s.send_command(c.show_version).await.unwrap();
    assert_clean(c.platform, c.show_version, &v2);
    assert_eq!(v.lines().count(), v2.lines().count(), "{}", c.platform);
    s.disconnect().await;
    dev.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_network_platforms() {
    // Concurrently: each platform on its own device.
    let mut tasks = vec![];
    for c in CASES {
        tasks.push(tokio::spawn(exercise(c)));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test]
async fn paging_is_answered_when_not_disabled() {
    for (platform, cmd, priv_) in [
        ("hp_comware", "display current-configuration", false),
        ("huawei", "display current-configuration", false),
        ("cisco_ios", "show running-config", true),
        ("juniper_junos", "show configuration", false),
        ("arista_eos", "show running-config", true),
        ("cisco_nxos", "show running-config", false),
    ] {
        let dev = start(platform, |cfg| cfg.config_lines = 120).await;
        // Reference: paging disabled.
        let s = connect(&dev, platform).await;
        if priv_ {
            s.enable().await.unwrap();
        }
        let reference = s.send_command(cmd).await.unwrap();
        s.disconnect().await;
        // A platform file without the preparation commands: the device pages.
        let dir = tempfile::tempdir().unwrap();
        let mut spec = netkeep_platform::builtin(platform).unwrap().spec().clone();
        spec.prepare.clear();
        std::fs::write(dir.path().join("p.yaml"), serde_norway_to_string(&spec)).unwrap();
        let s = Session::connect(opts(&dev, platform).platform_dir(dir.path()))
            .await
            .unwrap();
        if priv_ {
            s.enable().await.unwrap();
        }
        let paged = s.send_command(cmd).await.unwrap();
        assert_clean(platform, cmd, &paged);
        let strip = |t: &str| -> Vec<String> {
            // Lines with clocks may differ between the two reads. The simulator prints a blank
            // line before its pager prompt, which is not something a client can tell from a
            // real blank line, so blank lines are not compared.
            t.lines()
                .filter(|l| !l.contains(':') && !l.trim().is_empty())
                .map(str::to_string)
                .collect()
        };
        assert_eq!(
            strip(&paged),
            strip(&reference),
            "{platform}: paged output differs"
        );
        s.disconnect().await;
        dev.stop().await;
    }
}

fn serde_norway_to_string<T: serde::Serialize>(v: &T) -> String {
    serde_norway::to_string(v).unwrap()
}

#[tokio::test]
async fn comware_interactive_save_and_banner() {
    let dev = start("hp_comware", |cfg| cfg.banner = true).await;
    let s = connect(&dev, "hp_comware").await;
    assert_eq!(s.find_prompt().await.unwrap(), "<H3C>");
    let out = s
        .send_interactive(
            "save",
            &[
                (r"\[Y/N\]", "Y"),
                (r"press the enter key\):", ""),
                (r"overwrite\? \[Y/N\]", "Y"),
            ],
        )
        .await
        .unwrap();
    assert!(out.contains("Saved the current configuration"), "{out:?}");
    // Answering N aborts, and the prompt still ends the read.
    let out = s
        .send_interactive("save", &[(r"\[Y/N\]", "N")])
        .await
        .unwrap();
    assert!(out.contains("not saved"), "{out:?}");
    s.disconnect().await;
    dev.stop().await;
}

#[tokio::test]
async fn linux_shell() {
    let dev = start("linux", |_| {}).await;
    let s = connect(&dev, "linux").await;
    let out = s.send_command("echo hello   world").await.unwrap();
    assert_eq!(out, "hello   world");
    let out = s.send_command("uname -a").await.unwrap();
    assert_clean("linux", "uname -a", &out);
    assert!(matches!(
        s.send_config_set(&["x"]).await,
        Err(Error::Unsupported { .. })
    ));
    assert!(s.is_alive().await);
    assert_eq!(s.send_command("hostname").await.unwrap(), "lab-linux");
    s.disconnect().await;
    dev.stop().await;
}

#[tokio::test]
async fn timing_and_expect() {
    let dev = start("hp_comware", |_| {}).await;
    let s = connect(&dev, "hp_comware").await;
    let out = s
        .send_command_timing(
            "display clock",
            Duration::from_millis(200),
            Duration::from_secs(3),
        )
        .await
        .unwrap();
    assert!(out.contains("UTC"), "{out:?}");
    let out = s
        .send_command_with(
            "save",
            &netkeep_session::CommandOptions {
                expect: Some(r"\[Y/N\]:".into()),
                read_timeout: Duration::from_secs(3),
            },
        )
        .await
        .unwrap();
    assert!(out.ends_with("[Y/N]:"), "{out:?}");
    let out = s.send_interactive("N", &[]).await.unwrap();
    assert!(out.contains("not saved"), "{out:?}");
    // A read timeout carries the partial output.
    let e = s
        .send_command_with(
            "ping 10.0.0.1",
            &netkeep_session::CommandOptions {
                expect: None,
                read_timeout: Duration::from_millis(700),
            },
        )
        .await
        .unwrap_err();
    match &e {
        Error::ReadTimeout { partial, .. } => {
            assert!(partial.contains("56 bytes from"), "{partial:?}")
        }
        other => panic!("{other:?}"),
    }
    s.disconnect().await;
    dev.stop().await;
}
