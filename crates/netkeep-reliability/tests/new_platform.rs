//! A new platform is one platform file (for the session) plus one personality file (for the
//! simulator): written to a directory, with no code, it is driven end to end over SSH. And the
//! two-stage platforms added that way (`cisco_xr`, `huawei_vrpv8`) commit through a session.

use std::path::Path;

use netkeep::{ConfigSetOptions, Session};
use netkeep_sim::DeviceConfig;
use netkeep_testkit::{sim_options, start_device, start_sim};

/// The session's side: prompts, modes, paging, failures of "ACME OS". `acme` is an alias.
const PLATFORM: &str = r#"
name: acme_os
aliases: [acme]
description: ACME OS (acme1>, acme1(cfg)#)
modes:
  - name: exec
    prompt: '^[\w.-]+>\s*$'
  - name: cfg
    prompt: '^[\w.-]+\(cfg[^)]*\)#\s*$'
    config: true
transitions:
  - { from: exec, to: cfg, send: configure }
  - { from: cfg, to: exec, send: leave }
prepare:
  - { command: pager off, optional: true }
pager: { pattern: '^-- more --$', answer: " " }
failure_indicators: ['^ERROR:']
config: { mode: cfg }
keepalive: { mode: nul }
"#;

/// The simulator's side: the same device, as outputs and a mode graph.
const PERSONALITY: &str = r#"
platform: acme_os
default_hostname: acme1
nul: swallow
activity: any_byte
default_idle_timeout: "0"
idle_timeout_message: "\nidle, bye\n"
vty_refused_message: "\nERROR: no free line\n"
unsolicited_line: "\n<log> {{hostname}}: someone logged in\n"
vty_first: 0
vty_last: 7
ctrl_c: "^C"
paging: { length: 24, more: "-- more --", erase: "\r          \r" }
initial_mode: exec
modes:
  - {name: exec, prompt: "{{hostname}}>"}
  - {name: cfg, prompt: "{{hostname}}(cfg)#", parent: exec, config: true}
  - {name: cfg_port, prompt: "{{hostname}}(cfg-{{ctx}})#", parent: cfg, inherit: true, config: true}
errors:
  unknown: "ERROR: unknown command '{{tok}}'"
  incomplete: "ERROR: incomplete command"
interface_types:
  - {name: port, short: p}
interfaces:
  padding: "port{{slot}}{{port}}"
  initial:
    - {name: port1, description: uplink}
    - {name: port2}
vlan_name: "v{{id}}"
arp: []
commands:
  - {cmd: "exit", in: [exec], exit: logout}
  - {cmd: "pager off", in: [exec], set: {paging: false}}
  - {cmd: "configure", in: [exec], enter: cfg}
  - {cmd: "leave", in: [cfg, cfg_port], exit: end_config}
  - {cmd: "port <if:interface>", in: [cfg], enter: cfg_port, ctx: "{{if}}"}
  - {cmd: "label <text...>", in: [cfg_port], set: {interface_description: {interface: "{{ctx}}", text: "{{text}}"}}}
  - {cmd: "sh[ow] ver[sion]", in: [exec], output: "ACME OS 1.0 on {{hostname}}, up {{up_weeks}} week {{up_days}} days"}
  - {cmd: "sh[ow] conf[ig]", in: [exec], output: "@config"}
outputs:
  config: |-
    hostname {{hostname}}
    {{#interfaces}}port {{name}}{{?description}} label {{description}}{{/description}}
    {{/interfaces}}end
"#;

fn write(dir: &Path, file: &str, text: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(file), text).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_platform_is_one_platform_file_and_one_personality_file() {
    let tmp = tempfile::tempdir().unwrap();
    let platforms = tmp.path().join("platforms");
    let personalities = tmp.path().join("personalities");
    write(&platforms, "acme_os.yaml", PLATFORM);
    write(&personalities, "acme_os.yaml", PERSONALITY);

    // Both sides find it by its alias, from the platform file.
    let cfg = DeviceConfig::with_dirs("acme", Some(personalities.clone()), Some(platforms.clone()))
        .unwrap();
    assert_eq!(cfg.hostname, "acme1");
    let dev = start_device(cfg).await;
    assert_eq!(dev.platform(), "acme_os");
    let s = Session::connect(sim_options(&dev, "acme").platform_dir(&platforms))
        .await
        .unwrap();
    assert_eq!(s.platform().name(), "acme_os");
    assert_eq!(s.find_prompt().await.unwrap(), "acme1>");

    let v = s.send_command("show version").await.unwrap();
    assert_eq!(v, "ACME OS 1.0 on acme1, up 1 week 0 days");

    let t = s
        .send_config_set(&["port p2", "label from-netkeep"])
        .await
        .unwrap();
    assert!(t.contains("label from-netkeep"), "{t:?}");
    assert_eq!(s.find_prompt().await.unwrap(), "acme1>");
    let conf = s.send_command("show config").await.unwrap();
    assert!(conf.contains("port port2 label from-netkeep"), "{conf:?}");
    assert!(conf.contains("port port1 label uplink"), "{conf:?}");

    // The file's failure indicator marks a rejected line; the session goes on.
    assert!(s.send_config_set(&["frobnicate"]).await.is_err());
    assert_eq!(s.find_prompt().await.unwrap(), "acme1>");
    s.disconnect().await;
    dev.stop().await;

    // Without the personality directory the simulator does not know it, and says which it knows.
    let err = DeviceConfig::with_dirs("acme_os", None, None).unwrap_err();
    assert!(err.to_string().contains("cisco_xr"), "{err}");
}

/// The personalities added as files drive the built-in platform files' commit story.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stage_platforms_commit_through_a_session() {
    for (platform, lines, running) in [
        (
            "cisco_xr",
            [
                "interface GigabitEthernet0/0/0/1",
                "description netkeep-commit",
            ],
            "show running-config",
        ),
        (
            "huawei_vrpv8",
            [
                "interface GigabitEthernet0/1/1",
                "description netkeep-commit",
            ],
            "display current-configuration",
        ),
    ] {
        let dev = start_sim(platform, |_| {}).await;
        let s = Session::connect(sim_options(&dev, platform)).await.unwrap();
        s.send_config_set(&lines).await.unwrap();
        // Not applied yet: the change waits in the candidate.
        let mode = s.find_prompt().await.unwrap();
        assert!(
            s.platform().mode_of(&mode).unwrap().config,
            "{platform}: {mode:?}"
        );
        s.commit()
            .await
            .unwrap_or_else(|e| panic!("{platform}: commit: {e}"));
        let p = s.find_prompt().await.unwrap();
        assert!(
            !s.platform().mode_of(&p).unwrap().config,
            "{platform}: {p:?}"
        );
        let run = s.send_command(running).await.unwrap();
        assert!(
            run.contains(" description netkeep-commit"),
            "{platform}: {run}"
        );

        // Leaving configuration mode with uncommitted changes: the device asks, the platform
        // file's answer drops them.
        let leave = ConfigSetOptions {
            exit: Some(true),
            ..ConfigSetOptions::default()
        };
        s.send_config_set_with(&[lines[0], "description never-committed"], &leave)
            .await
            .unwrap_or_else(|e| panic!("{platform}: leaving uncommitted: {e}"));
        let run = s.send_command(running).await.unwrap();
        assert!(!run.contains("never-committed"), "{platform}: {run}");
        s.disconnect().await;
        dev.stop().await;
    }
}
