//! Inventory parsing: inheritance, Nornir layout, secrets, and errors with file:line:column.

use std::time::Duration;

use netkeep_keeper::inventory::{Credential, HostKeyPolicy, Inventory, KeepaliveMode};

const GOOD: &str = r#"
defaults:
  username: netops
  password_env: NETKEEP_TEST_PW
  platform: hp_comware
  idle_timeout: 10m
  data: { site: default, tier: access }
groups:
  core:
    platform: huawei
    max_sessions: 2
    keepalive: { mode: nul }
    groups: [dc]
    data: { tier: core }
  dc:
    keepalive: { interval: 3s }
    warm: false
    data: { site: fra1 }
hosts:
  core-sw1:
    hostname: 10.0.0.1
    groups: [core]
    data: { rack: r12 }
  acc-sw1:
    hostname: 10.0.1.1
    port: 2222
    platform: ios
    keepalive: { mode: off }
    max_age: 1h
    host_key_policy: strict
  lazy:
    groups: [dc]
    keepalive: { mode: command, command: "display clock", probe_timeout: 12s }
"#;

fn with_pw<T>(f: impl FnOnce() -> T) -> T {
    // Tests in this file that need it set the same value, so there is no race between them.
    std::env::set_var("NETKEEP_TEST_PW", "s3cr3t-pw");
    f()
}

#[test]
fn single_file_inheritance_host_over_groups_over_defaults() {
    let inv = with_pw(|| Inventory::from_str(GOOD, "netkeep.yaml")).expect("valid inventory");
    let core = &inv.devices["core-sw1"];
    assert_eq!(core.hostname, "10.0.0.1");
    assert_eq!(core.port, 22);
    assert_eq!(core.username, "netops");
    assert_eq!(core.platform, "huawei", "group over defaults");
    assert_eq!(core.max_sessions, 2);
    assert_eq!(core.keepalive.mode, Some(KeepaliveMode::Nul), "from core");
    assert_eq!(
        core.keepalive.interval,
        Some(Duration::from_secs(3)),
        "from core's parent dc"
    );
    assert!(!core.warm, "from dc");
    assert_eq!(core.groups, vec!["core", "dc"]);
    assert_eq!(core.data["tier"], "core");
    assert_eq!(core.data["site"], "fra1");
    assert_eq!(core.data["rack"], "r12");
    assert_eq!(core.idle_timeout, Some(Duration::from_secs(600)));
    assert_eq!(
        core.credential,
        Credential::Password(netkeep_keeper::inventory::Secret::new("s3cr3t-pw"))
    );

    let acc = &inv.devices["acc-sw1"];
    assert_eq!(acc.platform, "cisco_ios", "NAPALM alias mapped");
    assert_eq!(acc.port, 2222);
    assert_eq!(acc.max_sessions, 1, "default");
    assert!(acc.keepalive.is_off());
    assert_eq!(acc.max_age, Some(Duration::from_secs(3600)));
    assert_eq!(acc.host_key_policy, HostKeyPolicy::Strict);
    assert!(acc.warm);
    assert_eq!(acc.data["site"], "default");

    let lazy = &inv.devices["lazy"];
    assert_eq!(lazy.hostname, "lazy", "hostname defaults to the name");
    assert_eq!(lazy.keepalive.command.as_deref(), Some("display clock"));
    assert_eq!(lazy.keepalive.probe_timeout, Some(Duration::from_secs(12)));
    assert_eq!(core.keepalive.probe_timeout, None);

    assert_eq!(
        inv.group_members("dc").unwrap(),
        &["core-sw1".to_string(), "lazy".to_string()]
    );
    assert_eq!(
        inv.group_members("core").unwrap(),
        &["core-sw1".to_string()]
    );
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
}

#[test]
fn password_never_in_debug_output() {
    let inv = with_pw(|| Inventory::from_str(GOOD, "netkeep.yaml")).unwrap();
    let dbg = format!("{inv:?}");
    assert!(dbg.contains("core-sw1"));
    assert!(!dbg.contains("s3cr3t-pw"), "password leaked into Debug");
}

#[test]
fn plain_password_loads_with_a_warning_without_the_value() {
    let yaml = "hosts:\n  r1: { username: u, password: plain-pw-123, platform: cisco_ios }\n";
    let inv = Inventory::from_str(yaml, "inv.yaml").unwrap();
    assert_eq!(inv.warnings.len(), 1);
    assert!(inv.warnings[0].contains("plain `password`"));
    assert!(!inv.warnings[0].contains("plain-pw-123"));
    assert!(!format!("{inv:?}").contains("plain-pw-123"));
}

#[test]
fn password_file_relative_to_the_inventory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pw.txt"), "from-file\n").unwrap();
    let path = dir.path().join("inv.yaml");
    std::fs::write(
        &path,
        "hosts:\n  r1: { username: u, password_file: pw.txt, platform: arista_eos }\n",
    )
    .unwrap();
    let inv = Inventory::load(&path).unwrap();
    assert_eq!(
        inv.devices["r1"].credential,
        Credential::Password(netkeep_keeper::inventory::Secret::new("from-file"))
    );
}

#[test]
fn nornir_directory_layout_loads_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hosts.yaml"),
        "---\nspine1:\n  hostname: 192.0.2.1\n  groups:\n    - spines\n  data:\n    role: spine\nleaf1:\n  hostname: 192.0.2.11\n  port: 2022\n  groups: [leaves]\n  connection_options:\n    netmiko:\n      extras: { fast_cli: true }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("groups.yaml"),
        "---\nspines:\n  platform: eos\n  groups: [global]\nleaves:\n  platform: junos\nglobal:\n  data: { ntp: 192.0.2.123 }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("defaults.yaml"),
        "---\nusername: nornir\npassword: nornir-pw\n",
    )
    .unwrap();
    let inv = Inventory::load(dir.path()).unwrap();
    assert_eq!(inv.devices.len(), 2);
    assert_eq!(inv.devices["spine1"].platform, "arista_eos");
    assert_eq!(inv.devices["spine1"].data["ntp"], "192.0.2.123");
    assert_eq!(inv.devices["leaf1"].platform, "juniper_junos");
    assert_eq!(inv.devices["leaf1"].port, 2022);
    assert_eq!(inv.devices["leaf1"].username, "nornir");
    assert_eq!(
        inv.group_members("global").unwrap(),
        &["spine1".to_string()]
    );
    assert_eq!(
        inv.warnings.len(),
        1,
        "plain password in defaults.yaml warns"
    );
}

/// Loads `yaml` and returns the error's Display.
fn bad(yaml: &str) -> String {
    let e = with_pw(|| Inventory::from_str(yaml, "bad.yaml")).expect_err("must be rejected");
    e.to_string()
}

#[test]
fn syntax_error_has_file_line_column() {
    let e = bad("hosts:\n  r1: { username: u\n  r2: x\n");
    assert!(e.starts_with("bad.yaml:"), "{e}");
    let e = with_pw(|| Inventory::from_str("hosts:\n  r1: [a\n", "bad.yaml")).unwrap_err();
    assert!(e.location.is_some(), "{e}");
}

#[test]
fn unknown_field_points_at_it() {
    let yaml = "defaults:\n  username: u\n  password_env: NETKEEP_TEST_PW\nhosts:\n  r1:\n    platform: hp_comware\n    keepalve: { mode: nul }\n";
    let e = with_pw(|| Inventory::from_str(yaml, "bad.yaml")).unwrap_err();
    assert_eq!(e.location.map(|l| l.0), Some(7), "{e}");
    assert!(e.message.contains("unknown field `keepalve`"), "{e}");
    assert!(
        e.message.contains("keepalive"),
        "lists expected fields: {e}"
    );
}

#[test]
fn unknown_platform_is_an_error_with_the_known_list() {
    let yaml = "defaults: { username: u, password_env: NETKEEP_TEST_PW }\nhosts:\n  r1:\n    platform: cisco_iox\n";
    let e = with_pw(|| Inventory::from_str(yaml, "bad.yaml")).unwrap_err();
    assert_eq!(e.location.map(|l| l.0), Some(4), "{e}");
    assert!(e.message.contains("unknown platform `cisco_iox`"), "{e}");
    assert!(e.message.contains("hp_comware"), "{e}");
}

#[test]
fn unknown_group_names_host_group_and_line() {
    let yaml = "defaults: { username: u, password_env: NETKEEP_TEST_PW, platform: huawei }\ngroups:\n  core: {}\nhosts:\n  r1:\n    hostname: 10.0.0.1\n    groups: [core, edge]\n";
    let e = with_pw(|| Inventory::from_str(yaml, "bad.yaml")).unwrap_err();
    assert_eq!(e.location, Some((7, 20)), "{e}");
    assert!(
        e.message.contains("host `r1` is in unknown group `edge`"),
        "{e}"
    );
    assert!(e.message.contains("defined groups: core"), "{e}");
}

#[test]
fn zero_max_sessions_rejected_at_its_line() {
    let yaml = "defaults: { username: u, password_env: NETKEEP_TEST_PW, platform: huawei }\nhosts:\n  r1:\n    max_sessions: 0\n";
    let e = with_pw(|| Inventory::from_str(yaml, "bad.yaml")).unwrap_err();
    assert_eq!(e.location.map(|l| l.0), Some(4), "{e}");
    assert!(e.message.contains("nonzero"), "{e}");
}

#[test]
fn bad_duration_and_bad_mode_explain_what_is_expected() {
    let e = bad("defaults: { username: u, password_env: NETKEEP_TEST_PW, platform: huawei }\nhosts:\n  r1: { idle_timeout: soon }\n");
    assert!(e.contains("bad.yaml:3:"), "{e}");
    assert!(e.contains("expected a duration like"), "{e}");
    let e = bad("defaults: { username: u, password_env: NETKEEP_TEST_PW, platform: huawei }\nhosts:\n  r1: { keepalive: { mode: ping } }\n");
    assert!(e.contains("unknown variant `ping`"), "{e}");
    let e = bad("defaults: { username: u, password_env: NETKEEP_TEST_PW, platform: huawei }\nhosts:\n  r1: { keepalive: { mode: command } }\n");
    assert!(e.contains("needs `command"), "{e}");
}

#[test]
fn missing_credentials_username_platform_env() {
    let e = bad("hosts:\n  r1: { username: u, platform: huawei }\n");
    assert!(e.contains("host `r1` has no `password_env`"), "{e}");
    let e = bad("hosts:\n  r1: { password_env: NETKEEP_TEST_PW, platform: huawei }\n");
    assert!(e.contains("has no `username`"), "{e}");
    let e = bad("hosts:\n  r1: { username: u, password_env: NETKEEP_TEST_PW }\n");
    assert!(e.contains("has no `platform`"), "{e}");
    let e = bad("hosts:\n  r1:\n    username: u\n    platform: huawei\n    password_env: NETKEEP_SURELY_UNSET_VAR\n");
    assert!(e.starts_with("bad.yaml:5:5:"), "{e}");
    assert!(e.contains("NETKEEP_SURELY_UNSET_VAR"), "{e}");
}

#[test]
fn group_cycle_detected() {
    let e = bad("defaults: { username: u, password_env: NETKEEP_TEST_PW, platform: huawei }\ngroups:\n  a: { groups: [b] }\n  b: { groups: [a] }\nhosts:\n  r1: { groups: [a] }\n");
    assert!(e.contains("group cycle"), "{e}");
}

#[test]
fn missing_file_names_the_path() {
    let e = Inventory::load(std::path::Path::new("/nonexistent/netkeep.yaml")).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/netkeep.yaml"), "{e}");
}

#[test]
fn platform_dir_only_in_defaults_and_read_at_load() {
    // On a host: refused at its line (one directory for the whole inventory).
    let e = bad("defaults: { username: u, password_env: NETKEEP_TEST_PW, platform: huawei }\nhosts:\n  r1:\n    hostname: 10.0.0.1\n    platform_dir: /tmp\n");
    assert!(e.starts_with("bad.yaml:5:5:"), "{e}");
    assert!(e.contains("only be set in the defaults"), "{e}");
    // A directory that cannot be read stops the load at the key, naming the directory.
    let e = bad("defaults:\n  username: u\n  password_env: NETKEEP_TEST_PW\n  platform: huawei\n  platform_dir: /nonexistent/netkeep-platforms\nhosts:\n  r1: {}\n");
    assert!(e.starts_with("bad.yaml:5:3:"), "{e}");
    assert!(e.contains("/nonexistent/netkeep-platforms"), "{e}");
}

#[test]
fn platform_dir_is_relative_to_the_file_and_the_option_overrides_it() {
    use netkeep_keeper::inventory::LoadOptions;
    let dir = tempfile::tempdir().unwrap();
    let (own, flag) = (dir.path().join("own"), dir.path().join("flag"));
    for d in [&own, &flag] {
        std::fs::create_dir_all(d).unwrap();
    }
    let path = dir.path().join("inv.yaml");
    std::fs::write(
        &path,
        "defaults: { username: u, password_env: NETKEEP_TEST_PW, platform: huawei, platform_dir: own }\nhosts:\n  r1: {}\n",
    )
    .unwrap();
    let inv = with_pw(|| Inventory::load(&path)).unwrap();
    assert_eq!(
        inv.devices["r1"].platform_dir.as_deref(),
        Some(own.as_path())
    );
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    let opts = LoadOptions {
        platform_dir: Some(flag.clone()),
        ..Default::default()
    };
    let inv = with_pw(|| Inventory::load_with(&path, &opts)).unwrap();
    assert_eq!(inv.platform_dir.as_deref(), Some(flag.as_path()));
    assert_eq!(
        inv.devices["r1"].platform_dir.as_deref(),
        Some(flag.as_path())
    );
    assert!(
        inv.warnings
            .iter()
            .any(|w| w.contains("overridden by --platform-dir")),
        "{:?}",
        inv.warnings
    );
}

#[test]
fn a_host_or_group_defined_twice_is_refused_at_the_repetition() {
    let yaml = "defaults: { username: u, password_env: NETKEEP_TEST_PW, platform: huawei }\nhosts:\n  r1:\n    hostname: 10.0.0.1\n  r2: {}\n  r1:\n    hostname: 10.0.0.2\n";
    let e = with_pw(|| Inventory::from_str(yaml, "bad.yaml")).unwrap_err();
    assert_eq!(e.location, Some((6, 3)), "{e}");
    assert!(e.message.contains("`r1` is defined twice"), "{e}");
    let yaml = "defaults: { username: u, password_env: NETKEEP_TEST_PW, platform: huawei }\ngroups:\n  core: {}\n  core: { max_sessions: 2 }\nhosts:\n  r1: {}\n";
    let e = with_pw(|| Inventory::from_str(yaml, "bad.yaml")).unwrap_err();
    assert_eq!(e.location, Some((4, 3)), "{e}");
    assert!(e.message.contains("`core` is defined twice"), "{e}");
    // The same in a Nornir directory.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hosts.yaml"),
        "r1:\n  hostname: a\nr2:\n  hostname: b\nr1:\n  hostname: c\n",
    )
    .unwrap();
    let e = Inventory::load(dir.path()).unwrap_err();
    assert_eq!(e.location, Some((5, 1)), "{e}");
    assert!(e.message.contains("`r1` is defined twice"), "{e}");
}

#[test]
fn unknown_platform_in_a_flow_mapping_is_reported_at_its_own_line_and_column() {
    // The shape the README's seed example uses: the platform on the entity's key line.
    let yaml = "defaults: { hostname: 127.0.0.1, username: admin, password_env: NETKEEP_TEST_PW, platform: hp_comwar,\n            idle_timeout: 10s }\nhosts:\n  kept: { port: 2222 }\n";
    let e = with_pw(|| Inventory::from_str(yaml, "bad.yaml")).unwrap_err();
    assert_eq!(e.location, Some((1, 82)), "{e}");
    assert!(e.message.contains("unknown platform `hp_comwar`"), "{e}");
    let yaml = "defaults: { username: u, password_env: NETKEEP_TEST_PW }\nhosts:\n  r0: { platform: huawei }\n  r1: { hostname: 10.0.0.1, username: admin, platform: junos7 }\n";
    let e = with_pw(|| Inventory::from_str(yaml, "bad.yaml")).unwrap_err();
    assert_eq!(e.location, Some((4, 46)), "{e}");
}

#[test]
fn a_tab_in_the_yaml_is_named_as_a_tab() {
    let e =
        with_pw(|| Inventory::from_str("hosts:\n  r1:\n\thostname: x\n", "bad.yaml")).unwrap_err();
    assert_eq!(e.location, Some((3, 1)), "{e}");
    assert!(e.message.starts_with("a tab character"), "{e}");
    assert!(e.message.contains("spaces"), "{e}");
}

#[test]
fn a_password_file_readable_by_others_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw.txt");
    std::fs::write(&pw, "from-file\n").unwrap();
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o644)).unwrap();
    let path = dir.path().join("inv.yaml");
    std::fs::write(
        &path,
        "defaults: { username: u, password_file: pw.txt, platform: arista_eos }\nhosts:\n  r1: {}\n  r2: {}\n",
    )
    .unwrap();
    let inv = Inventory::load(&path).unwrap();
    assert_eq!(
        inv.warnings.len(),
        1,
        "once, not per host: {:?}",
        inv.warnings
    );
    assert!(inv.warnings[0].contains("pw.txt"), "{:?}", inv.warnings);
    assert!(inv.warnings[0].contains("chmod 600"), "{:?}", inv.warnings);
    assert!(!inv.warnings[0].contains("from-file"));
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o600)).unwrap();
    let inv = Inventory::load(&path).unwrap();
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
}

#[test]
fn host_key_policy_and_keepalive_spellings_are_the_library_types() {
    let yaml = "defaults: { username: u, password_env: NETKEEP_TEST_PW, platform: huawei }\nhosts:\n  a: { host_key_policy: accept_new, keepalive: { mode: auto } }\n  b: { host_key_policy: accept-new, keepalive: { mode: command, command: display clock } }\n  c: { host_key_policy: insecure, keepalive: { mode: off } }\n";
    let inv = with_pw(|| Inventory::from_str(yaml, "k.yaml")).expect("valid inventory");
    let d = |n: &str| &inv.devices[n];
    assert_eq!(d("a").host_key_policy, HostKeyPolicy::AcceptNew);
    assert_eq!(d("b").host_key_policy, HostKeyPolicy::AcceptNew);
    assert_eq!(d("c").host_key_policy, HostKeyPolicy::Insecure);
    assert_eq!(d("a").keepalive.mode, Some(KeepaliveMode::Auto));
    assert_eq!(
        (d("b").keepalive.mode, d("b").keepalive.command.as_deref()),
        (Some(KeepaliveMode::Command), Some("display clock"))
    );
    assert!(d("c").keepalive.is_off());
    let e = bad("defaults: { username: u, password_env: NETKEEP_TEST_PW, platform: huawei }\nhosts:\n  r1: { host_key_policy: tofu-ish }\n");
    assert!(e.contains("unknown variant `tofu-ish`"), "{e}");
}
