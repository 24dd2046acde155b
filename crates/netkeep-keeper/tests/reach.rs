//! How inventory devices are reached: `jump_host` (an inventory host or `user@host:port`),
//! `ssh_config_file` (HostName, Port, User, ProxyJump, ProxyCommand under the inventory's own
//! settings), loops and bad files refused with where.

use netkeep_keeper::inventory::{
    Credential, HostKeyPolicy, Inventory, LoadOptions, SshConfigSource,
};
use netkeep_transport::ssh::{Auth, Route};

fn load(dir: &std::path::Path, yaml: &str) -> Result<Inventory, String> {
    let path = dir.join("inv.yaml");
    std::fs::write(&path, yaml).unwrap();
    Inventory::load_with(&path, &LoadOptions::default()).map_err(|e| e.to_string())
}

#[test]
fn jump_host_names_an_inventory_host_with_its_own_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let inv = load(
        dir.path(),
        "defaults: { platform: hp_comware, username: admin, password: pw }\nhosts:\n  bastion: { hostname: 198.51.100.1, username: ops, key_file: /k/ops, platform: linux, host_key_policy: strict }\n  sw1: { hostname: 10.0.0.1, jump_host: bastion }\n  sw2: { hostname: 10.0.0.2 }\n",
    )
    .unwrap();
    let Route::Jump(hop) = &inv.devices["sw1"].route else {
        panic!("{:?}", inv.devices["sw1"].route)
    };
    assert_eq!(
        (hop.host.as_str(), hop.port, hop.username.as_str()),
        ("198.51.100.1", 22, "ops")
    );
    assert!(matches!(&hop.auth, Auth::PublicKey { path, .. } if path.to_str() == Some("/k/ops")));
    assert_eq!(hop.host_key_policy, netkeep::HostKeyPolicy::Strict);
    assert_eq!(hop.route, Route::Direct);
    assert_eq!(inv.devices["sw2"].route, Route::Direct);
    assert_eq!(
        inv.devices["sw1"].route.describe(),
        "via ops@198.51.100.1:22"
    );
}

#[test]
fn jump_host_chains_and_loops() {
    let dir = tempfile::tempdir().unwrap();
    let inv = load(
        dir.path(),
        "defaults: { platform: linux, username: u, password: pw }\nhosts:\n  outer: { hostname: 192.0.2.1 }\n  inner: { hostname: 10.9.0.1, jump_host: outer }\n  dev: { hostname: 10.9.1.1, jump_host: inner }\n  lit: { hostname: 10.9.1.2, jump_host: \"ops@192.0.2.9:2222\" }\n",
    )
    .unwrap();
    assert_eq!(
        inv.devices["dev"].route.describe(),
        "via u@10.9.0.1:22 via u@192.0.2.1:22"
    );
    let Route::Jump(hop) = &inv.devices["lit"].route else {
        panic!()
    };
    assert_eq!(
        (hop.host.as_str(), hop.port, hop.username.as_str()),
        ("192.0.2.9", 2222, "ops")
    );
    assert!(
        matches!(hop.auth, Auth::Identities(_)),
        "a literal jump host uses keys"
    );
    let e = load(
        dir.path(),
        "defaults: { platform: linux, username: u, password: pw }\nhosts:\n  a: { jump_host: b }\n  b: { jump_host: a }\n",
    )
    .unwrap_err();
    assert!(e.contains("jump loop: a -> b -> a"), "{e}");
    assert!(
        e.contains("inv.yaml:4:8: host `b`: jump_host"),
        "located at the jump_host that closes the loop: {e}"
    );
    let e = load(
        dir.path(),
        "defaults: { platform: linux, username: u, password: pw }\nhosts:\n  a: { jump_host: \"x@\" }\n",
    )
    .unwrap_err();
    assert!(
        e.contains("jump_host") && e.contains("expected [user@]host[:port]"),
        "{e}"
    );
}

#[test]
fn ssh_config_fills_in_what_the_inventory_leaves_out() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ssh_config"),
        "Host core-*\n  HostName %h.mgmt.example.net\n  User netops\n  Port 2022\n  ProxyJump gw@192.0.2.7\n  StrictHostKeyChecking yes\nHost edge-1\n  ProxyCommand nc -X connect -x proxy:3128 %h %p\n  ConnectTimeout 3\n  ServerAliveInterval 20\n",
    )
    .unwrap();
    let inv = load(
        dir.path(),
        "defaults: { platform: linux, password: pw, ssh_config_file: ssh_config }\nhosts:\n  core-1: {}\n  core-2: { username: admin, port: 22, jump_host: none }\n  edge-1: { username: e }\n",
    )
    .unwrap();
    let c1 = &inv.devices["core-1"];
    assert_eq!(
        (c1.hostname.as_str(), c1.port, c1.username.as_str()),
        ("core-1.mgmt.example.net", 2022, "netops")
    );
    assert_eq!(c1.host_key_policy, HostKeyPolicy::Strict);
    assert_eq!(c1.route.describe(), "via gw@192.0.2.7:22");
    let c2 = &inv.devices["core-2"];
    assert_eq!(
        (c2.port, c2.username.as_str()),
        (22, "admin"),
        "the inventory wins"
    );
    assert_eq!(
        c2.route,
        Route::Direct,
        "jump_host: none overrides ProxyJump"
    );
    let e1 = &inv.devices["edge-1"];
    assert_eq!(
        e1.route,
        Route::Command("nc -X connect -x proxy:3128 edge-1 22".into())
    );
    assert_eq!(e1.connect_timeout, std::time::Duration::from_secs(3));
    assert_eq!(
        e1.ssh.server_alive_interval,
        Some(std::time::Duration::from_secs(20))
    );
    assert!(matches!(e1.credential, Credential::Password(_)));
    // --ssh-config none: the file is not read.
    let path = dir.path().join("inv.yaml");
    let off = LoadOptions {
        ssh_config: SshConfigSource::Off,
        ..Default::default()
    };
    let inv = Inventory::load_with(&path, &off).unwrap_err();
    assert!(inv.to_string().contains("has no `username`"), "{inv}");
}

#[test]
fn a_bad_ssh_config_is_reported_with_both_places() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ssh_config"), "Host *\n  Port many\n").unwrap();
    let e = load(
        dir.path(),
        "defaults: { platform: linux, username: u, password: pw }\nhosts:\n  r1: { ssh_config_file: ssh_config }\n",
    )
    .unwrap_err();
    assert!(e.contains("inv.yaml:3:"), "{e}");
    assert!(
        e.contains("ssh_config:2: Port: expected a port number"),
        "{e}"
    );
    let e = load(
        dir.path(),
        "defaults: { platform: linux, username: u, password: pw }\nhosts:\n  r1: { ssh_config_file: missing_config }\n",
    )
    .unwrap_err();
    assert!(e.contains("missing_config: cannot read"), "{e}");
}

/// Jump hosts forward SSH: a telnet device behind one, or a telnet device as one, is refused
/// where it is written; a telnet device reads no ssh_config (its HostName is not applied).
#[test]
fn telnet_devices_take_no_jump_host_and_no_ssh_config() {
    let dir = tempfile::tempdir().unwrap();
    let base = "defaults: { platform: cisco_ios, username: admin, password: pw }\nhosts:\n  bastion: { hostname: 198.51.100.1 }\n";
    let e = load(
        dir.path(),
        &format!("{base}  old: {{ hostname: 10.0.0.9, protocol: telnet, jump_host: bastion }}\n"),
    )
    .unwrap_err();
    assert!(
        e.contains("host `old`: jump_host:") && e.contains("forwards SSH only"),
        "{e}"
    );
    let e = load(
        dir.path(),
        &format!("{base}  old: {{ hostname: 10.0.0.9, platform: cisco_ios_telnet }}\n  sw: {{ hostname: 10.0.0.1, jump_host: old }}\n"),
    )
    .unwrap_err();
    assert!(e.contains("`old` is a telnet device"), "{e}");
    // A telnet device with `jump_host: none` (under defaults that set one) is fine.
    let inv = load(
        dir.path(),
        "defaults: { platform: cisco_ios, username: admin, password: pw, jump_host: bastion }\nhosts:\n  bastion: { hostname: 198.51.100.1, jump_host: none }\n  old: { hostname: 10.0.0.9, protocol: telnet, jump_host: none }\n",
    )
    .unwrap();
    assert_eq!(inv.devices["old"].route, Route::Direct);
    assert_eq!(inv.devices["old"].port, 23);

    let cfg = dir.path().join("ssh_config");
    std::fs::write(&cfg, "Host old\n  HostName 192.0.2.77\n  Port 2222\n").unwrap();
    let path = dir.path().join("inv.yaml");
    std::fs::write(
        &path,
        "defaults: { platform: cisco_ios, username: admin, password: pw }\nhosts:\n  old: { protocol: telnet }\n  new: { hostname: old }\n",
    )
    .unwrap();
    let opts = LoadOptions {
        ssh_config: SshConfigSource::File(cfg),
        ..LoadOptions::default()
    };
    let inv = Inventory::load_with(&path, &opts).unwrap();
    assert_eq!(
        (
            inv.devices["old"].hostname.as_str(),
            inv.devices["old"].port
        ),
        ("old", 23)
    );
    assert_eq!(
        (
            inv.devices["new"].hostname.as_str(),
            inv.devices["new"].port
        ),
        ("192.0.2.77", 2222)
    );
}
