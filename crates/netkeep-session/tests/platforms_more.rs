//! The platforms of issue 18, each over SSH and (where the device has one) telnet: login, a
//! clean show output, a config set seen in the running configuration (committed where changes
//! wait for commit), a bad line rejected, and the platform's own keepalive holding a session
//! past a scaled idle timeout that drops a silent session beside it.

mod common;

use std::time::Duration;

use common::{assert_clean, opts, start};
use netkeep_session::{
    CloseReason, ConnectOptions, Error, KeepaliveMode, Protocol, Secret, Session,
};
use netkeep_sim::SimDevice;

/// The scaled idle timeout.
const T: Duration = Duration::from_millis(1500);

struct Case {
    platform: &'static str,
    show: &'static str,
    /// A word of the show command's output.
    word: &'static str,
    config: &'static [&'static str],
    running: &'static str,
    /// What the running configuration shows after the config set.
    expect: &'static str,
    commit: bool,
    /// The running configuration wants privileged mode.
    needs_enable: bool,
    /// What saving says (`""`: nothing), or `None` where changes persist at once (no save).
    save: Option<&'static str>,
}

const CASES: &[Case] = &[
    Case {
        platform: "cisco_asa",
        show: "show version",
        word: "Adaptive Security Appliance",
        config: &["interface GigabitEthernet0/1", "description nk-test-18"],
        running: "show running-config",
        expect: " description nk-test-18",
        commit: false,
        save: Some("[OK]"),
        needs_enable: true,
    },
    Case {
        platform: "cisco_wlc_ssh",
        show: "show sysinfo",
        word: "Cisco Controller",
        config: &["config location nk-test-18"],
        running: "show run-config commands",
        expect: "config location nk-test-18",
        commit: false,
        save: Some(""),
        needs_enable: false,
    },
    Case {
        platform: "hp_procurve",
        show: "show system",
        word: "System Name",
        config: &["interface 2", "name nk-test-18"],
        running: "show running-config",
        expect: "name \"nk-test-18\"",
        commit: false,
        save: Some(""),
        needs_enable: false,
    },
    Case {
        platform: "aruba_aoscx",
        show: "show version",
        word: "ArubaOS-CX",
        config: &["interface 1/1/2", "description nk-test-18"],
        running: "show running-config",
        expect: "description nk-test-18",
        commit: false,
        save: Some(""),
        needs_enable: false,
    },
    Case {
        platform: "aruba_os",
        show: "show version",
        word: "ArubaOS",
        config: &["interface gigabitethernet 0/0/1", "description nk-test-18"],
        running: "show running-config",
        expect: "description nk-test-18",
        commit: false,
        save: Some(""),
        needs_enable: false,
    },
    Case {
        platform: "fortinet",
        show: "get system status",
        word: "FortiGate",
        config: &[
            "config system interface",
            "edit port3",
            "set description nk-test-18",
            "next",
            "end",
        ],
        running: "show system interface",
        expect: "set description \"nk-test-18\"",
        commit: false,
        save: None,
        needs_enable: false,
    },
    Case {
        platform: "paloalto_panos",
        show: "show system info",
        word: "sw-version",
        config: &["set network interface ethernet ethernet1/3 comment nk-test-18"],
        running: "show config running",
        expect: "comment nk-test-18",
        commit: true,
        save: None,
        needs_enable: false,
    },
    Case {
        platform: "mikrotik_routeros",
        show: "/system resource print",
        word: "version:",
        config: &["/interface set ether3 comment=nk-test-18"],
        running: "/export",
        expect: "comment=nk-test-18",
        commit: false,
        save: None,
        needs_enable: false,
    },
    Case {
        platform: "dell_os10",
        show: "show version",
        word: "OS10",
        config: &["interface ethernet1/1/2", "description nk-test-18"],
        running: "show running-configuration",
        expect: " description nk-test-18",
        commit: false,
        save: Some(""),
        needs_enable: false,
    },
    Case {
        platform: "extreme_exos",
        show: "show switch",
        word: "SysName",
        config: &["configure ports 2 description-string nk-test-18"],
        running: "show configuration",
        expect: "configure ports 2 description-string \"nk-test-18\"",
        commit: false,
        save: Some("saved to primary.cfg"),
        needs_enable: false,
    },
    Case {
        platform: "ruckus_fastiron",
        show: "show version",
        word: "SW: Version",
        config: &["interface ethernet 1/1/2", "port-name nk-test-18"],
        running: "show running-config",
        expect: " port-name nk-test-18",
        commit: false,
        save: Some("Write startup-config done"),
        needs_enable: true,
    },
    Case {
        platform: "brocade_fastiron",
        show: "show interfaces brief",
        word: "Forward",
        config: &["interface ethernet 1/1/3", "port-name nk-test-18"],
        running: "show running-config",
        expect: " port-name nk-test-18",
        commit: false,
        save: Some("Write startup-config done"),
        needs_enable: true,
    },
    Case {
        platform: "vyos",
        show: "show version",
        word: "VyOS 1.4",
        config: &["set interfaces ethernet eth2 description nk-test-18"],
        running: "show configuration",
        expect: "description nk-test-18",
        commit: true,
        save: Some("Done"),
        needs_enable: false,
    },
    Case {
        platform: "ubiquiti_edgerouter",
        show: "show version",
        word: "EdgeRouter",
        config: &["set interfaces ethernet eth2 description nk-test-18"],
        running: "show configuration",
        expect: "description nk-test-18",
        commit: true,
        save: Some("Done"),
        needs_enable: false,
    },
    Case {
        platform: "checkpoint_gaia",
        show: "show version all",
        word: "Check Point Gaia",
        config: &["set interface eth2 comments nk-test-18"],
        running: "show configuration",
        expect: "set interface eth2 comments \"nk-test-18\"",
        commit: false,
        save: Some(""),
        needs_enable: false,
    }, // MD-CLI: the same prompt line in and out of configuration, told apart by the line above.
    Case {
        platform: "alcatel_sros",
        show: "show version",
        word: "TiMOS-B-23.10.R1",
        config: &["/configure port 1/1/3 description \"nk-test-18\""],
        running: "admin show configuration",
        expect: "description \"nk-test-18\"",
        commit: true,
        save: Some("Completed."),
        needs_enable: false,
    }, // `undo smart` at login: no `{ <cr>|... }:` question before the output.
    Case {
        platform: "huawei_smartax",
        show: "display version",
        word: "MA5600V800R018C10",
        config: &["vlan desc 100 description nk-test-18"],
        running: "display current-configuration",
        expect: " vlan desc 100 description nk-test-18",
        commit: false,
        save: Some("has been saved"),
        needs_enable: true,
    },
];

fn options(dev: &SimDevice, c: &Case, protocol: Protocol) -> ConnectOptions {
    opts(dev, c.platform)
        .protocol(protocol)
        .enable_secret(Secret::new("admin"))
        .idle_timeout(Some(T))
}

async fn exercise(c: &Case, protocol: Protocol) {
    let p = c.platform;
    let dev = start(p, |cfg| {
        cfg.protocol = protocol;
        cfg.idle_timeout = Some(T);
        cfg.banner = true;
    })
    .await;
    let s = Session::connect(options(&dev, c, protocol))
        .await
        .unwrap_or_else(|e| panic!("{p} {protocol:?}: connect: {e}"));
    let silent = Session::connect(options(&dev, c, protocol).keepalive(KeepaliveMode::Off))
        .await
        .unwrap_or_else(|e| panic!("{p} {protocol:?}: connect: {e}"));

    if c.needs_enable {
        s.enable()
            .await
            .unwrap_or_else(|e| panic!("{p} {protocol:?}: enable: {e}"));
    }
    let out = s.send_command(c.show).await.unwrap();
    assert!(out.contains(c.word), "{p} {protocol:?}: {out:?}");
    assert_clean(p, c.show, &out);

    s.send_config_set(c.config)
        .await
        .unwrap_or_else(|e| panic!("{p} {protocol:?}: config set: {e}"));
    if c.commit {
        s.commit()
            .await
            .unwrap_or_else(|e| panic!("{p} {protocol:?}: commit: {e}"));
    }
    let run = s.send_command(c.running).await.unwrap();
    assert!(run.contains(c.expect), "{p} {protocol:?}: {run:?}");
    assert_clean(p, c.running, &run);
    let prompt = s.find_prompt().await.unwrap();
    // The session judges the mode (on SR OS the prompt line alone cannot: the line above does).
    let in_config = s.check_config_mode().await.unwrap();
    assert!(!in_config, "{p}: still in config mode: {prompt:?}");

    match s.send_config_set(&["this-is-not-a-command at all"]).await {
        Err(Error::ConfigRejected { line, .. }) => {
            assert_eq!(line, "this-is-not-a-command at all", "{p}")
        }
        other => panic!("{p} {protocol:?}: expected ConfigRejected, got {other:?}"),
    }
    if c.commit {
        // Two-stage platforms stay in configuration mode; leave without committing.
        s.restore_base_mode().await.unwrap();
    }
    match (c.save, s.save_config().await) {
        (Some(word), Ok(out)) => assert!(out.contains(word), "{p} {protocol:?}: {out:?}"),
        (None, Err(Error::Unsupported { .. })) => {}
        (want, got) => panic!("{p} {protocol:?}: save: want {want:?}, got {got:?}"),
    }

    // Past the idle timeout: the platform's keepalive held `s`, `silent` was dropped.
    tokio::time::sleep(T.mul_f32(1.4)).await;
    let e = silent.send_command(c.show).await.unwrap_err();
    assert_eq!(
        e.close_reason(),
        Some(CloseReason::IdleTimeout),
        "{p} {protocol:?}: {e}"
    );
    let again = s.send_command(c.show).await.unwrap();
    assert_clean(p, c.show, &again);
    assert_eq!(out.lines().count(), again.lines().count(), "{p}");
    let st = s.keepalive_stats();
    assert!(st.sent >= 2 && st.failures == 0, "{p} {protocol:?}: {st:?}");
    s.disconnect().await;
    dev.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_platform_over_ssh() {
    let tasks: Vec<_> = CASES
        .iter()
        .map(|c| tokio::spawn(exercise(c, Protocol::Ssh)))
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_platform_with_telnet_over_telnet() {
    let (telnet, ssh_only): (Vec<&Case>, Vec<&Case>) = CASES
        .iter()
        .partition(|c| netkeep_platform::builtin(c.platform).unwrap().spec().telnet);
    let ssh_only: Vec<_> = ssh_only.iter().map(|c| c.platform).collect();
    assert_eq!(ssh_only, ["aruba_aoscx", "vyos"]);
    let tasks: Vec<_> = telnet
        .into_iter()
        .map(|c| tokio::spawn(exercise(c, Protocol::Telnet)))
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

/// An SSH-only platform refuses telnet before connecting, saying so.
#[tokio::test]
async fn ssh_only_platform_refuses_telnet() {
    let dev = start("aruba_aoscx", |_| {}).await;
    for o in [
        opts(&dev, "aruba_aoscx").protocol(Protocol::Telnet),
        opts(&dev, "aruba_aoscx_telnet"),
    ] {
        let e = Session::connect(o).await.unwrap_err();
        assert!(matches!(e, Error::Unsupported { .. }), "{e:?}");
        assert!(e.to_string().contains("SSH-only"), "{e}");
    }
    assert_eq!(dev.counters().sessions_opened, 0);
    dev.stop().await;
}
