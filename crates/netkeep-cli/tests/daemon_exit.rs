//! `netkeep exec` through the daemon tells the truth in its exit code, on every simulated
//! platform: a rejected command 1 (with the device's words, once), a refused login 3, a changed
//! host key 4, an unreachable device or a lost session 5, an unknown device or group 2 — the
//! table of `netkeep exec --help`, the same as over a direct session.

mod common;

use std::time::Duration;

use common::{stderr, stdout, wait_for, Lab};
use netkeep_sim::Fault;
use netkeep_testkit::PLATFORMS;

/// Per platform: `P-ok`, `P-auth` (another password), `P-key` (to reboot with a new host key),
/// `P-down` (stopped) and, if `lost`, `P-lost` in group `lost`.
fn exit_lab(tag: &str, lost: bool) -> Lab {
    let mut lab = Lab::new(tag);
    for p in PLATFORMS {
        lab.add(&format!("{p}-ok"), p, "", |_| {});
        lab.add(&format!("{p}-auth"), p, "", |c| c.password = "other".into());
        lab.add(&format!("{p}-key"), p, "", |_| {});
        lab.add(&format!("{p}-down"), p, "", |_| {});
        if lost {
            lab.add(&format!("{p}-lost"), p, "groups: [lost]", |_| {});
        }
    }
    for p in PLATFORMS {
        lab.stop(&format!("{p}-down"));
    }
    lab
}

/// The run stopped at the rejected command: the good command after it printed nothing.
fn assert_stopped_at_rejection(platform: &str, o: &std::process::Output) {
    let out = stdout(o);
    assert!(
        !out.contains("UTC"),
        "{platform}: stopped at the rejection: {out}"
    );
}

/// A command `platform` accepts (its output contains "UTC").
fn good_command(platform: &str) -> &'static str {
    netkeep_testkit::good_command(platform).0
}

#[test]
fn exit_codes_through_the_daemon_on_every_platform() {
    let lab = exit_lab("daemon-exit", true);
    let inv = lab.inventory(&["lost"]);
    let _serve = lab.serve(&inv, &[]);
    wait_for("warm-up", Duration::from_secs(20), || {
        PLATFORMS
            .iter()
            .all(|p| lab.status_of(&format!("{p}-ok"))["state"] == "ready")
    });
    for p in PLATFORMS {
        lab.fault(
            &format!("{p}-key"),
            Fault::Reboot {
                down: Duration::from_millis(200),
                new_host_key: true,
            },
        );
    }
    for p in PLATFORMS {
        let (ok, good) = (format!("{p}-ok"), good_command(p));
        let o = lab.nk(&["exec", &ok, good]);
        assert_eq!(o.status.code(), Some(0), "{p}: {}", stderr(&o));
        assert!(stdout(&o).contains("UTC"), "{p}: {}", stdout(&o));

        // Rejected: exit 1, the device's answer on stdout, its words once on stderr; the
        // command after it is not run.
        let o = lab.nk(&["exec", &ok, "foo bar", good]);
        assert_eq!(o.status.code(), Some(1), "{p}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(
            err.matches("was rejected by the device").count(),
            1,
            "{p}: {err}"
        );
        assert_stopped_at_rejection(p, &o);
        let o = lab.nk(&[
            "exec",
            "--continue-on-error",
            "--json",
            &ok,
            "foo bar",
            good,
        ]);
        assert_eq!(o.status.code(), Some(1), "{p}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let outs = &v["results"][0]["outputs"];
        assert!(outs[0]["rejected"].is_string(), "{p}: {v}");
        assert_eq!(outs[1]["ok"], true, "{p}: {v}");

        let o = lab.nk(&["exec", &format!("{p}-auth"), good]);
        assert_eq!(o.status.code(), Some(3), "{p}: {}", stderr(&o));
        let o = lab.nk(&["exec", &format!("{p}-down"), good]);
        assert_eq!(o.status.code(), Some(5), "{p}: {}", stderr(&o));
        // Each error once: the device is named once, not repeated inside its own message.
        let err = stderr(&o);
        assert_eq!(err.matches(&format!("{p}-down")).count(), 1, "{p}: {err}");

        let key = format!("{p}-key");
        wait_for("the host key change", Duration::from_secs(20), || {
            lab.status_of(&key)["last_error"]
                .as_str()
                .is_some_and(|e| e.contains("HOST KEY CHANGED"))
        });
        let o = lab.nk(&["exec", &key, good]);
        assert_eq!(o.status.code(), Some(4), "{p}: {}", stderr(&o));
    }
    // A session lost under a command: 5, on every platform at once.
    let nk = std::process::Command::new(common::BIN)
        .args(["exec", "--group", "lost", "ping 10.0.0.1"])
        .env("NETKEEP_SOCKET", lab.socket())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for("the pings to run", Duration::from_secs(10), || {
        PLATFORMS
            .iter()
            .all(|p| lab.status_of(&format!("{p}-lost"))["in_use"] == 1)
    });
    std::thread::sleep(Duration::from_millis(300));
    for p in PLATFORMS {
        lab.fault(&format!("{p}-lost"), Fault::Reset);
    }
    let o = nk.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));

    let o = lab.nk(&["exec", "nosuch", "show clock"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("nosuch"));
    let o = lab.nk(&["exec", "--group", "nosuch", "show clock"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = lab.nk(&["exec", "hp_comware-ok", "display clock\u{3}"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn exec_help_lists_the_exit_codes() {
    let o = std::process::Command::new(common::BIN)
        .args(["exec", "--help"])
        .output()
        .unwrap();
    let help = stdout(&o);
    for line in [
        "0    every command ran",
        "1    a command failed or the device rejected it",
        "2    usage or bad input",
        "3    the device refused the login",
        "4    host key refused",
        "5    device unreachable",
    ] {
        assert!(
            help.contains(line),
            "`{line}` missing from exec --help:\n{help}"
        );
    }
}

/// The direct path (`--inventory`, no daemon) follows the same rule and the same codes.
#[test]
fn the_direct_path_has_the_same_rule_and_codes_on_every_platform() {
    let lab = exit_lab("direct-exit", false);
    let inv = lab.inventory(&[]);
    let inv = inv.to_str().unwrap();
    for p in PLATFORMS {
        let (ok, good) = (format!("{p}-ok"), good_command(p));
        let o = lab.nk(&["exec", "-i", inv, &ok, "foo bar", good]);
        assert_eq!(o.status.code(), Some(1), "{p}: {}", stderr(&o));
        assert_stopped_at_rejection(p, &o);
        let o = lab.nk(&[
            "exec",
            "-i",
            inv,
            "--continue-on-error",
            &ok,
            "foo bar",
            good,
        ]);
        assert_eq!(o.status.code(), Some(1), "{p}: {}", stderr(&o));
        assert!(stdout(&o).contains("UTC"), "{p}: went on: {}", stdout(&o));
        let o = lab.nk(&["exec", "-i", inv, &format!("{p}-auth"), good]);
        assert_eq!(o.status.code(), Some(3), "{p}: {}", stderr(&o));
        let o = lab.nk(&["exec", "-i", inv, &format!("{p}-down"), good]);
        assert_eq!(o.status.code(), Some(5), "{p}: {}", stderr(&o));
        let key = format!("{p}-key");
        let o = lab.nk(&["exec", "-i", inv, &key, good]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{p}: key recorded: {}",
            stderr(&o)
        );
        lab.fault(
            &key,
            Fault::Reboot {
                down: Duration::from_millis(100),
                new_host_key: true,
            },
        );
        let mut code = None;
        wait_for("the rebooted device", Duration::from_secs(10), || {
            code = lab.nk(&["exec", "-i", inv, &key, good]).status.code();
            code != Some(5)
        });
        assert_eq!(code, Some(4), "{p}");
    }
}
