//! The inventory's enable secret (`secret`, `secret_env`, `secret_file`, Nornir's netmiko
//! extras), `enable`, and `session_log`: resolved along host > groups > defaults, errors at
//! their own line.

use netkeep_keeper::inventory::{Inventory, Secret};

fn load(yaml: &str) -> Result<Inventory, String> {
    Inventory::from_str(yaml, "inv.yaml").map_err(|e| e.to_string())
}

#[test]
fn enable_secret_sources_and_enable() {
    std::env::set_var("NK_INV_SECRET", "from-env");
    let inv = load(
        "defaults: { username: u, password_env: HOME, platform: cisco_ios, secret_env: NK_INV_SECRET }\n\
         groups:\n  core: { enable: true }\n\
         hosts:\n  r1: { groups: [core] }\n  r2: { enable: false, connection_options: { netmiko: { extras: { secret: nornir-secret } } } }\n",
    )
    .unwrap();
    let r1 = &inv.devices["r1"];
    assert_eq!(r1.enable_secret, Some(Secret::new("from-env")));
    assert_eq!(r1.enable, Some(true));
    let r2 = &inv.devices["r2"];
    assert_eq!(
        r2.enable_secret,
        Some(Secret::new("nornir-secret")),
        "the host's own source wins"
    );
    assert_eq!(r2.enable, Some(false));
    assert!(
        inv.warnings
            .iter()
            .any(|w| w.contains("`r2` has a plain `connection_options.netmiko.extras.secret`")),
        "{:?}",
        inv.warnings
    );
    // Nothing said: no secret, the platform decides about enable.
    let inv =
        load("hosts:\n  r3: { username: u, password_env: HOME, platform: cisco_ios }\n").unwrap();
    assert_eq!(
        (
            inv.devices["r3"].enable_secret.clone(),
            inv.devices["r3"].enable
        ),
        (None, None)
    );
}

#[test]
fn enable_secret_mistakes_point_at_their_line() {
    let e = load(
        "hosts:\n  r1:\n    username: u\n    password_env: HOME\n    platform: cisco_ios\n    secret_env: NK_INV_UNSET_VAR\n",
    )
    .unwrap_err();
    assert!(e.starts_with("inv.yaml:6:"), "{e}");
    assert!(
        e.contains("NK_INV_UNSET_VAR") && e.contains("secret_env"),
        "{e}"
    );
    let e = load(
        "hosts:\n  r1: { username: u, password_env: HOME, platform: cisco_ios, secret: a, secret_env: HOME }\n",
    )
    .unwrap_err();
    assert!(
        e.contains("more than one of secret, secret_env, secret_file"),
        "{e}"
    );
    assert!(!e.contains(": a,"), "{e}");
    let e = load(
        "hosts:\n  r1: { username: u, password_env: HOME, platform: cisco_ios, secret: a, connection_options: { netmiko: { extras: { secret: b } } } }\n",
    )
    .unwrap_err();
    assert!(
        e.contains("connection_options.netmiko.extras.secret"),
        "{e}"
    );
    let e = load(
        "hosts:\n  r1: { username: u, password_env: HOME, platform: cisco_ios, enable: maybe }\n",
    )
    .unwrap_err();
    assert!(e.contains("enable"), "{e}");
}

#[test]
fn secret_file_is_read_next_to_the_inventory_and_warned_about_when_others_can_read_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("enable.txt"), "s3cret\n").unwrap();
    std::fs::set_permissions(
        dir.path().join("enable.txt"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let p = dir.path().join("inv.yaml");
    std::fs::write(
        &p,
        "hosts:\n  r1: { username: u, password_env: HOME, platform: cisco_ios, secret_file: enable.txt }\n",
    )
    .unwrap();
    let inv = Inventory::load(&p).unwrap();
    assert_eq!(inv.devices["r1"].enable_secret, Some(Secret::new("s3cret")));
    assert!(
        inv.warnings
            .iter()
            .any(|w| w.contains("secret_file") && w.contains("chmod 600")),
        "{:?}",
        inv.warnings
    );
}

#[test]
fn session_log_paths_name_the_host_and_sit_next_to_the_inventory() {
    let inv = load(
        "defaults: { username: u, password_env: HOME, platform: hp_comware, session_log: 'logs/{name}.log' }\n\
         hosts:\n  sw1: {}\n  sw2: { session_log: { path: /var/tmp/sw2.log, max_bytes: 4096, keep: 1 } }\n  \
         sw3: { connection_options: { netmiko: { extras: { session_log: nornir.log } } } }\n",
    )
    .unwrap();
    let sw1 = inv.devices["sw1"].session_log.clone().unwrap();
    assert!(sw1.path.ends_with("logs/sw1.log"), "{sw1:?}");
    let sw2 = inv.devices["sw2"].session_log.clone().unwrap();
    assert_eq!(
        (sw2.path.to_str().unwrap(), sw2.max_bytes, sw2.keep),
        ("/var/tmp/sw2.log", 4096, 1)
    );
    let sw3 = inv.devices["sw3"].session_log.clone().unwrap();
    assert!(sw3.path.ends_with("nornir.log"), "{sw3:?}");
    let e = load(
        "hosts:\n  sw1:\n    username: u\n    password_env: HOME\n    platform: hp_comware\n    session_log: { path: x.log, max_bytes: 0 }\n",
    )
    .unwrap_err();
    assert!(e.contains("max_bytes 0"), "{e}");
    let e = load(
        "hosts:\n  sw1: { username: u, password_env: HOME, platform: hp_comware, session_log: { file: x } }\n",
    )
    .unwrap_err();
    assert!(e.contains("a file path, or a mapping with `path`"), "{e}");
}
