//! Telnet in the keeper: the inventory's `protocol:` key and Netmiko `<platform>_telnet` names,
//! and the daemon keeping telnet and SSH devices side by side (keepalives over both).

use std::time::Duration;

use netkeep::Protocol;
use netkeep_keeper::client::Target;
use netkeep_keeper::inventory::Inventory;
use netkeep_testkit::{HostSpec, Lab};

const INV: &str = "\
defaults: { username: admin, password: x }
groups:
  old: { protocol: telnet }
hosts:
  a: { platform: hp_comware_telnet }
  b: { platform: cisco_ios, protocol: telnet, port: 2323 }
  c: { platform: huawei }
  d: { platform: cisco_xe, groups: [old] }
  e: { platform: huawei, groups: [old], protocol: ssh }
";

#[test]
fn protocol_key_and_telnet_names_select_telnet_with_port_23() {
    let inv = Inventory::from_str(INV, "inv.yaml").unwrap();
    let d = |n: &str| &inv.devices[n];
    let got: Vec<_> = ["a", "b", "c", "d", "e"]
        .iter()
        .map(|n| (d(n).platform.as_str(), d(n).protocol, d(n).port))
        .collect();
    assert_eq!(
        got,
        [
            ("hp_comware", Protocol::Telnet, 23),
            ("cisco_ios", Protocol::Telnet, 2323),
            ("huawei", Protocol::Ssh, 22),
            ("cisco_ios", Protocol::Telnet, 23),
            ("huawei", Protocol::Ssh, 22),
        ]
    );
}

#[test]
fn telnet_with_a_key_file_a_contradiction_or_an_unknown_protocol_is_an_error_at_its_line() {
    for (yaml, field, words) in [
        (
            "hosts:\n  a:\n    platform: huawei_telnet\n    username: u\n    key_file: /k\n",
            4,
            "key_file is for SSH",
        ),
        (
            "hosts:\n  a:\n    platform: cisco_ios_telnet\n    protocol: ssh\n    username: u\n    password: x\n",
            4,
            "means telnet",
        ),
        (
            "hosts:\n  a:\n    platform: cisco_ios\n    protocol: rsh\n",
            3,
            "rsh",
        ),
        (
            "hosts:\n  a:\n    platform: zte_zxros_telnet\n    username: u\n    password: x\n",
            2,
            "unknown platform",
        ),
    ] {
        let e = Inventory::from_str(yaml, "inv.yaml").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains(words), "{yaml}\n=> {msg}");
        let line = e.location.map(|(l, _)| l);
        assert!(
            line.is_some_and(|l| l >= field && l <= field + 1),
            "{yaml}\n=> {msg} at {line:?}"
        );
    }
}

/// One Comware switch reached over telnet, one Cisco router over SSH, both with a 2 s idle
/// timeout: the daemon keeps both past it with in-band keepalives, and commands go to each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_keeps_telnet_and_ssh_devices_side_by_side() {
    let keep = "idle_timeout: 2s, keepalive: { mode: nul, interval: 600ms }";
    let idle = |c: &mut netkeep_sim::DeviceConfig| c.idle_timeout = Some(Duration::from_secs(2));
    let lab = Lab::new(vec![
        HostSpec::new("old-sw", "hp_comware")
            .telnet()
            .with(keep)
            .sim(idle),
        HostSpec::new("new-rtr", "cisco_ios").with(keep).sim(idle),
    ])
    .await;
    let (daemon, client) = lab.start().await;
    tokio::time::sleep(Duration::from_millis(3000)).await;
    let r = client
        .exec(
            Target::Devices(vec!["old-sw".into(), "new-rtr".into()]),
            &["display clock".into()],
            None,
        )
        .await
        .unwrap();
    // The router refuses a Comware command; the switch answers it.
    assert!(r.results[0].ok, "{r:?}");
    assert!(r.results[0].outputs[0].output.contains("UTC"), "{r:?}");
    let r = client
        .exec(
            Target::Device("new-rtr".into()),
            &["show clock".into()],
            None,
        )
        .await
        .unwrap();
    assert!(r.ok, "{r:?}");
    let st = client.status().await.unwrap();
    for d in &st {
        assert_eq!(
            (d.state.as_str(), d.reconnects, d.drops),
            ("ready", 0, 0),
            "{d:?}"
        );
        assert!(d.keepalives_sent >= 3, "{d:?}");
    }
    for (name, d) in &lab.devices {
        let c = d.counters();
        assert_eq!(
            (c.idle_timeouts, c.sessions_opened),
            (0, 1),
            "{name}: {c:?}"
        );
    }
    assert_eq!(lab.dev("old-sw").protocol(), Protocol::Telnet);
    daemon.stop().await;
}
