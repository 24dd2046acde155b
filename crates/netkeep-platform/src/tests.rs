use std::time::Duration;

use super::*;

#[test]
fn all_builtins_load_and_aliases_resolve() {
    let names = builtin_names();
    for n in [
        "hp_comware",
        "huawei",
        "huawei_vrpv8",
        "cisco_ios",
        "cisco_nxos",
        "cisco_xr",
        "juniper_junos",
        "arista_eos",
        "linux",
        "generic",
    ] {
        assert!(names.contains(&n.to_string()), "{n} missing from {names:?}");
    }
    assert_eq!(builtin("huawei_vrp").unwrap().name(), "huawei");
    assert_eq!(builtin("cisco_xe").unwrap().name(), "cisco_ios");
    let e = builtin("zte_zxros").unwrap_err().to_string();
    assert!(
        e.contains("unknown platform") && e.contains("hp_comware"),
        "{e}"
    );
}

fn mode(p: &str, line: &str) -> Option<String> {
    builtin(p).unwrap().mode_of(line).map(|m| m.name.clone())
}

#[test]
fn prompts_identify_modes() {
    let cases = [
        ("hp_comware", "<H3C>", Some("user")),
        ("hp_comware", "RBM_P<H3C>", Some("user")),
        ("hp_comware", "[H3C-GigabitEthernet1/0/1]", Some("system")),
        ("hp_comware", "<H3C> display version", None),
        ("huawei", "<HUAWEI>", Some("user")),
        (
            "huawei",
            "HRP_M[HUAWEI-GigabitEthernet0/0/1]",
            Some("system"),
        ),
        ("huawei_vrpv8", "[~HUAWEI]", Some("system")),
        ("huawei_vrpv8", "[*HUAWEI-10GE1/0/1]", Some("system")),
        ("cisco_ios", "R1>", Some("user")),
        ("cisco_ios", "R1#", Some("privileged")),
        ("cisco_ios", "R1(config-if)#", Some("config")),
        ("cisco_nxos", "switch(config)# ", Some("config")),
        ("cisco_xr", "RP/0/RSP0/CPU0:R1#", Some("privileged")),
        ("cisco_xr", "RP/0/RSP0/CPU0:R1(config)#", Some("config")),
        ("juniper_junos", "admin@router1>", Some("operational")),
        ("juniper_junos", "admin@router1# ", Some("configuration")),
        ("arista_eos", "arista1(config-if-Et1)#", Some("config")),
        ("linux", "root@host:~# ", Some("shell")),
        ("linux", "[me@box tmp]$ ", Some("shell")),
        ("generic", "device> ", Some("any")),
    ];
    for (p, line, want) in cases {
        assert_eq!(mode(p, line).as_deref(), want, "{p} {line:?}");
    }
}

#[test]
fn failure_indicators_report_the_line() {
    let p = builtin("hp_comware").unwrap();
    let out = "interface Gi1/0/99\n          ^\n % Wrong parameter found at '^' position.\n";
    let (_, line) = p.failure_in(out).unwrap();
    assert_eq!(line, " % Wrong parameter found at '^' position.");
    assert!(p.failure_in("description uplink").is_none());
    let h = builtin("huawei").unwrap();
    assert!(h
        .failure_in("Error: Unrecognized command found at '^' position.")
        .is_some());
    // "Error:" inside a line is not an indicator for VRP.
    assert!(h.failure_in(" Input Error: 0").is_none());
}

#[test]
fn paths_between_modes() {
    let p = builtin("cisco_ios").unwrap();
    let path: Vec<_> = p
        .path("user", "config")
        .unwrap()
        .iter()
        .map(|t| t.send.as_str())
        .collect();
    assert_eq!(path, ["enable", "configure terminal"]);
    assert!(p.path("config", "config").unwrap().is_empty());
    assert_eq!(p.path("config", "user").unwrap().len(), 2);
}

#[test]
fn pager_and_close_reasons() {
    let p = builtin("hp_comware").unwrap();
    assert!(p.pager().unwrap().0.is_match("  ---- More ----"));
    assert_eq!(
        p.close_reason("\r\nUser interface vty0 is idle-timeout, the connection is closed!"),
        CloseReason::IdleTimeout
    );
    assert_eq!(
        p.close_reason("All user lines are busy, please try later."),
        CloseReason::VtyLimit
    );
    assert_eq!(p.close_reason("bye"), CloseReason::Unknown);
    assert_eq!(p.default_idle_timeout(), Some(Duration::from_secs(600)));
    assert_eq!(
        builtin("juniper_junos").unwrap().default_idle_timeout(),
        None
    );
}

#[test]
fn user_directory_overrides_and_adds() {
    let dir = tempfile::tempdir().unwrap();
    let custom = builtin("generic").unwrap().spec().clone();
    let mut mine = custom.clone();
    mine.name = "my_box".into();
    mine.aliases = vec!["mybox".into()];
    std::fs::write(
        dir.path().join("my_box.yaml"),
        serde_norway::to_string(&mine).unwrap(),
    )
    .unwrap();
    let mut comware = builtin("hp_comware").unwrap().spec().clone();
    comware.prepare.clear();
    std::fs::write(
        dir.path().join("hp_comware.yml"),
        serde_norway::to_string(&comware).unwrap(),
    )
    .unwrap();
    let r = Registry::with_dir(dir.path()).unwrap();
    assert_eq!(r.get("mybox").unwrap().name(), "my_box");
    assert!(r.get("hp_comware").unwrap().spec().prepare.is_empty());
    assert!(!builtin("hp_comware").unwrap().spec().prepare.is_empty());
    std::fs::write(
        dir.path().join("bad.yaml"),
        "name: x\nmodes: []\nkeepalive: {mode: nul}\n",
    )
    .unwrap();
    assert!(Registry::with_dir(dir.path()).is_err());
}

#[test]
fn napalm_and_netmiko_aliases_resolve_from_the_files() {
    let cases = [
        ("ios", "cisco_ios"),
        ("iosxe", "cisco_ios"),
        ("cisco_xe", "cisco_ios"),
        ("nxos", "cisco_nxos"),
        ("nxos_ssh", "cisco_nxos"),
        ("iosxr", "cisco_xr"),
        ("junos", "juniper_junos"),
        ("juniper", "juniper_junos"),
        ("eos", "arista_eos"),
        ("comware", "hp_comware"),
        ("h3c", "hp_comware"),
        ("hp_comware7", "hp_comware"),
        ("h3c_comware", "hp_comware"),
        ("vrp", "huawei"),
        ("huawei_vrp", "huawei"),
        ("huawei_vrpv8", "huawei_vrpv8"),
        ("nokia_sros", "alcatel_sros"),
        ("huawei_olt", "huawei_smartax"),
    ];
    for (alias, name) in cases {
        assert_eq!(canonical(alias), Some(name), "{alias}");
        assert_eq!(builtin(alias).unwrap().name(), name, "{alias}");
    }
    assert_eq!(canonical("zte_zxros"), None);
}

#[test]
fn builtin_files_are_named_after_their_platform_and_aliases_are_unique() {
    let mut seen = std::collections::HashMap::new();
    for (stem, text) in registry::builtin_files() {
        let p = Platform::from_yaml(stem, text).unwrap();
        assert_eq!(p.name(), *stem, "platforms/{stem}.yaml names {}", p.name());
        for n in std::iter::once(p.name()).chain(p.spec().aliases.iter().map(String::as_str)) {
            if let Some(other) = seen.insert(n.to_string(), p.name().to_string()) {
                panic!("{n:?} is claimed by both {other} and {}", p.name());
            }
        }
    }
}

#[test]
fn user_directory_aliases_resolve_through_the_registry() {
    let dir = tempfile::tempdir().unwrap();
    let mut mine = builtin("generic").unwrap().spec().clone();
    mine.name = "acme_os".into();
    mine.aliases = vec!["acme".into()];
    std::fs::write(
        dir.path().join("acme_os.yaml"),
        serde_norway::to_string(&mine).unwrap(),
    )
    .unwrap();
    let r = Registry::with_dir(dir.path()).unwrap();
    assert_eq!(r.canonical_name("acme"), Some("acme_os"));
    assert_eq!(r.canonical_name("ios"), Some("cisco_ios"));
    assert_eq!(canonical("acme"), None);
}

#[test]
fn commit_words_per_platform() {
    let line = |p: &str, confirm: Option<u64>, comment: Option<&str>| {
        let p = builtin(p).unwrap();
        let c = p.spec().commit.clone().unwrap();
        c.line(confirm.map(Duration::from_secs), comment)
    };
    assert_eq!(line("juniper_junos", None, None).unwrap(), "commit");
    assert_eq!(
        line("cisco_xr", Some(300), Some("ticket 7")).unwrap(),
        "commit confirmed minutes 5 comment ticket 7"
    );
    assert_eq!(
        line("huawei_vrpv8", Some(120), Some("x")).unwrap(),
        "commit trial 120 description x"
    );
    let e = line("juniper_junos", None, Some("say \"hi\"")).unwrap_err();
    assert!(e.contains("double quotes"), "{e}");
    assert!(builtin("hp_comware").unwrap().spec().commit.is_none());
    // Each two-stage platform says how its candidate is dropped: a command, or the exit answer.
    for p in ["juniper_junos", "cisco_xr", "huawei_vrpv8"] {
        let p = builtin(p).unwrap();
        let c = p.spec().commit.as_ref().unwrap();
        let cfg = p.spec().config.as_ref().unwrap();
        assert!(
            c.discard.is_some() || !cfg.exit_expect.is_empty(),
            "{}",
            p.name()
        );
    }
}

#[test]
fn commit_templates_are_checked_when_loading() {
    let mut spec = builtin("juniper_junos").unwrap().spec().clone();
    spec.commit.as_mut().unwrap().confirmed = Some("confirmed".into());
    let e = Platform::from_spec("mine.yaml", spec)
        .unwrap_err()
        .to_string();
    assert!(e.contains("mine.yaml") && e.contains("{minutes}"), "{e}");
}

#[test]
fn textfsm_platform_defaults_to_the_name_and_a_user_file_may_set_it() {
    for name in builtin_names() {
        let p = builtin(&name).unwrap();
        let want = match name.as_str() {
            // ntc-templates' name; VRP 8 has no set of its own and uses VRP's.
            "huawei" | "huawei_vrpv8" => "huawei_vrp",
            n => n,
        };
        assert_eq!(p.textfsm_platform(), want, "{name}");
    }
    let dir = tempfile::tempdir().unwrap();
    let mut mine = builtin("generic").unwrap().spec().clone();
    mine.name = "my_box".into();
    mine.aliases.clear();
    mine.textfsm_platform = Some("cisco_ios".into());
    let text = serde_norway::to_string(&mine).unwrap();
    assert!(text.contains("textfsm_platform: cisco_ios"), "{text}");
    std::fs::write(dir.path().join("my_box.yaml"), text).unwrap();
    let r = Registry::with_dir(dir.path()).unwrap();
    assert_eq!(r.get("my_box").unwrap().textfsm_platform(), "cisco_ios");
    // Unset, it is not written out.
    let generic = serde_norway::to_string(builtin("generic").unwrap().spec()).unwrap();
    assert!(!generic.contains("textfsm_platform"));
}

#[test]
fn a_platform_file_names_a_concrete_keepalive_mode() {
    let mut spec = builtin("generic").unwrap().spec().clone();
    spec.keepalive.mode = KeepaliveMode::Auto;
    let text = serde_norway::to_string(&spec).unwrap();
    assert!(text.contains("mode: auto"), "{text}");
    let e = Platform::from_yaml("auto.yaml", &text)
        .unwrap_err()
        .to_string();
    assert!(e.contains("keepalive mode auto"), "{e}");
    spec.keepalive.mode = KeepaliveMode::Command;
    spec.keepalive.command = None;
    let text = serde_norway::to_string(&spec).unwrap();
    let e = Platform::from_yaml("cmd.yaml", &text)
        .unwrap_err()
        .to_string();
    assert!(e.contains("needs `command:`"), "{e}");
}
