//! The CLI's forms agree with each other: durations take units everywhere, every way of naming
//! devices works through the daemon and without it, `config` has the same one-shot forms as
//! `exec`, the daemon's TCP listener is reachable, errors are printed once, and the top-level
//! help names every command.

mod common;

use std::time::Duration;

use common::{assert_printed_once, stderr, stdout, wait_for, Lab, BIN};

fn sites_lab(tag: &str) -> (Lab, std::path::PathBuf) {
    let mut lab = Lab::new(tag);
    lab.add("fra-1", "hp_comware", "data: { site: fra1 }", |_| {});
    lab.add("fra-2", "cisco_ios", "data: { site: fra1 }", |_| {});
    lab.add("ams-1", "huawei", "data: { site: ams1 }", |_| {});
    let inv = lab.inventory(&[]);
    (lab, inv)
}

/// The `=== DEVICE` headers of a fan-out's text output.
fn headers(out: &str) -> Vec<&str> {
    out.lines().filter_map(|l| l.strip_prefix("=== ")).collect()
}

#[test]
fn several_devices_and_filters_with_and_without_the_daemon() {
    let (lab, inv) = sites_lab("targets");
    let inv_s = inv.to_str().unwrap();
    // No daemon: straight from the inventory (the lab's socket does not exist yet).
    let o = lab.nk(&["exec", "-i", inv_s, "fra-1,ams-1", "display clock"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(headers(&stdout(&o)), ["fra-1", "ams-1"]);
    let o = lab.nk(&[
        "exec",
        "-i",
        inv_s,
        "--filter",
        "site=fra1",
        "--read-timeout",
        "5s",
        "show clock",
    ]);
    assert_eq!(headers(&stdout(&o)), ["fra-1", "fra-2"], "{}", stderr(&o));
    assert_eq!(
        o.status.code(),
        Some(1),
        "display-less fra-1 rejects `show clock`"
    );
    // Through the daemon, the same forms.
    let _serve = lab.serve(&inv, &[]);
    let o = lab.nk(&[
        "exec",
        "fra-2,ams-1",
        "--read-timeout",
        "5s",
        "display clock",
    ]);
    assert_eq!(headers(&stdout(&o)), ["fra-2", "ams-1"], "{}", stderr(&o));
    let o = lab.nk(&[
        "exec",
        "--devices",
        "ams-1",
        "--devices",
        "fra-1",
        "display clock",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(headers(&stdout(&o)), ["ams-1", "fra-1"]);
    let o = lab.nk(&["exec", "--filter", "site=ams1", "display clock"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Time Zone"),
        "ams-1 is a Huawei: {}",
        stdout(&o)
    );
    let o = lab.nk(&["exec", "--filter", "site=nyc1", "display clock"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("site=nyc1"), "{}", stderr(&o));
    for bad in ["0", "0s", "soon"] {
        let o = lab.nk(&["exec", "--read-timeout", bad, "fra-1", "display clock"]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "--read-timeout {bad}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn a_named_socket_that_does_not_answer_falls_back_to_the_inventory() {
    let (lab, inv) = sites_lab("socket-fallback");
    let missing = lab.dir.path().join("missing.sock");
    let o = lab.nk(&[
        "exec",
        "-i",
        inv.to_str().unwrap(),
        "--socket",
        missing.to_str().unwrap(),
        "fra-1",
        "display clock",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("UTC"));
    // Without an inventory it is a usage error naming the socket, printed once.
    let o = lab.nk(&[
        "exec",
        "--socket",
        missing.to_str().unwrap(),
        "fra-1",
        "display clock",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_printed_once(&o, "missing.sock");
}

#[test]
fn config_runs_one_shot_from_flags_or_the_inventory() {
    let (lab, inv) = sites_lab("config-one-shot");
    let changes = lab.dir.path().join("changes.txt");
    std::fs::write(
        &changes,
        "interface GigabitEthernet1/0/1\n description one-shot-flags\n",
    )
    .unwrap();
    let port = lab.port("fra-1").to_string();
    let pw = lab.dir.path().join("pw");
    let direct = [
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--platform",
        "hp_comware",
        "-u",
        "admin",
        "--password-file",
        pw.to_str().unwrap(),
        "--host-key-policy",
        "insecure",
    ];
    let mut args = vec!["config", "-f", changes.to_str().unwrap()];
    args.extend(direct);
    let o = lab.nk(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut args = vec!["exec"];
    args.extend(direct);
    args.push("display current-configuration");
    let o = lab.nk(&args);
    assert!(
        stdout(&o).contains("description one-shot-flags"),
        "{}",
        stdout(&o)
    );

    // From the inventory, no daemon.
    let (inv_s, changes_s) = (inv.to_str().unwrap(), changes.to_str().unwrap());
    let from_inventory = ["config", "-i", inv_s, "fra-1", "-f", changes_s];
    std::fs::write(
        &changes,
        "interface GigabitEthernet1/0/2\n description one-shot-inventory\n",
    )
    .unwrap();
    let o = lab.nk(&[&from_inventory[..], &["--json"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["device"].as_str(), v["ok"].as_bool()),
        (Some("fra-1"), Some(true)),
        "{v}"
    );
    let o = lab.nk(&args);
    assert!(
        stdout(&o).contains("description one-shot-inventory"),
        "{}",
        stdout(&o)
    );
    // A line the device rejects: exit 1, the error once.
    std::fs::write(&changes, "interface GigabitEthernet1/0/2\n frobnicate\n").unwrap();
    let o = lab.nk(&from_inventory);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_printed_once(&o, "frobnicate");
}

#[test]
fn the_cli_reaches_a_tcp_listener_with_its_token() {
    let (lab, inv) = sites_lab("tcp");
    let token = lab.dir.path().join("token");
    std::fs::write(&token, "0123456789abcdef-tcp-token\n").unwrap();
    let _serve = lab.serve(
        &inv,
        &[
            "--listen",
            "127.0.0.1:0",
            "--token-file",
            token.to_str().unwrap(),
        ],
    );
    let mut url = String::new();
    wait_for("the TCP address in the log", Duration::from_secs(5), || {
        url = lab
            .log()
            .lines()
            .find_map(|l| {
                l.split_whitespace()
                    .find(|w| w.starts_with("http://"))
                    .map(str::to_string)
            })
            .unwrap_or_default();
        !url.is_empty()
    });
    let run = |args: &[&str]| {
        std::process::Command::new(BIN)
            .args(args)
            .env_remove("NETKEEP_SOCKET")
            .env_remove("NETKEEP_URL")
            .env("XDG_RUNTIME_DIR", lab.dir.path().join("nowhere"))
            .output()
            .unwrap()
    };
    let t = token.to_str().unwrap();
    let o = run(&[
        "exec",
        "--url",
        &url,
        "--token-file",
        t,
        "fra-1",
        "display clock",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("UTC"));
    let o = run(&["status", "--url", &url, "--token-file", t, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bad = lab.dir.path().join("bad-token");
    std::fs::write(&bad, "not-the-token-at-all\n").unwrap();
    let o = run(&[
        "exec",
        "--url",
        &url,
        "--token-file",
        bad.to_str().unwrap(),
        "fra-1",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("401"), "{}", stderr(&o));
}

#[test]
fn inventory_errors_are_printed_once() {
    let lab = Lab::new("inv-once");
    let inv = lab.dir.path().join("bad.yaml");
    std::fs::write(
        &inv,
        "defaults: { username: u, password_file: pw, platform: hp_comwar }\nhosts:\n  r1: {}\n",
    )
    .unwrap();
    let o = lab.nk(&[
        "serve",
        "--no-progress",
        "-i",
        inv.to_str().unwrap(),
        "--socket",
        lab.socket().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_printed_once(&o, "unknown platform");
    let o = lab.nk(&["exec", "-i", inv.to_str().unwrap(), "r1", "display clock"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_printed_once(&o, "unknown platform");
}

#[test]
fn top_level_help_names_every_command() {
    let o = std::process::Command::new(BIN)
        .arg("--help")
        .output()
        .unwrap();
    let help = stdout(&o);
    let commands: Vec<&str> = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    for c in ["exec", "config", "status", "serve", "sim", "demo"] {
        assert!(commands.contains(&c), "`{c}` not listed:\n{help}");
    }
    // The description above the list must not name a subset of them.
    let about = help.lines().next().unwrap();
    let named = commands.iter().filter(|c| about.contains(*c)).count();
    assert!(
        named == 0 || named == commands.len(),
        "partial list in `{about}`"
    );
}
