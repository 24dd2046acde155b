//! Configuration sets through the daemon on every simulated platform with the behaviour: the
//! kept session always goes back to the pool in its base mode; two-stage platforms (Junos,
//! IOS-XR, VRP 8) commit only when asked (with a confirm time and a comment), and otherwise drop
//! the changes and say so; platforms that save, save when asked; the answer is the device's
//! words per line, without echoes or prompts.

use netkeep_testkit::{call, good_command, HostSpec, Lab};
use serde_json::{json, Value};

/// Two-stage platforms: a line that sets a description, the running configuration, a command
/// that only works outside configuration mode.
fn two_stage(platform: &str) -> (Vec<String>, &'static str, &'static str) {
    let lines = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
    match platform {
        "juniper_junos" => (
            lines(&["set interfaces ge-0/0/1 description DESC"]),
            "show configuration",
            "show system uptime",
        ),
        "cisco_xr" => (
            lines(&["interface GigabitEthernet0/0/0/1", "description DESC"]),
            "show running-config",
            "show clock",
        ),
        "huawei_vrpv8" => (
            lines(&["interface GigabitEthernet0/1/1", "description DESC"]),
            "display current-configuration",
            "display clock",
        ),
        p => panic!("{p}"),
    }
}

fn with(lines: &[String], desc: &str) -> Vec<String> {
    lines.iter().map(|l| l.replace("DESC", desc)).collect()
}

async fn exec(c: &netkeep_keeper::client::DaemonClient, device: &str, cmd: &str) -> Value {
    let body = json!({ "device": device, "commands": [cmd] });
    let (code, r) = call(c, "POST", "/v1/exec", Some(body)).await;
    assert_eq!(code, 200, "{r}");
    r["results"][0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stage_platforms_commit_when_asked_and_drop_otherwise() {
    let platforms = ["juniper_junos", "cisco_xr", "huawei_vrpv8"];
    let hosts: Vec<HostSpec> = platforms.iter().map(|p| HostSpec::new(p, p)).collect();
    let lab = Lab::new(hosts).await;
    let (daemon, client) = lab.start().await;
    for p in platforms {
        let (lines, running, outside) = two_stage(p);

        // Nothing asked: ok, the changes dropped and said so, the session back in its base
        // mode (today: left in configuration mode, and every later command fails there).
        let body = json!({ "device": p, "lines": with(&lines, "nk-dropped") });
        let (code, r) = call(&client, "POST", "/v1/config", Some(body)).await;
        assert_eq!(code, 200, "{r}");
        assert_eq!(r["ok"], true, "{p}: {r}");
        let cfg = &r["outputs"][0]["config"];
        assert_eq!(cfg["candidate"], "discarded", "{p}: {r}");
        assert!(
            cfg["note"].as_str().unwrap().contains("nothing committed"),
            "{p}: {r}"
        );
        let d = exec(&client, p, outside).await;
        assert_eq!(
            d["ok"], true,
            "{p}: the next command runs in the base mode: {d}"
        );
        let d = exec(&client, p, running).await;
        let run = d["outputs"][0]["output"].as_str().unwrap();
        assert!(!run.contains("nk-dropped"), "{p}: {run}");

        // Commit with a confirm time and a comment.
        let body = json!({
            "device": p, "lines": with(&lines, "nk-committed"),
            "commit": true, "confirm_minutes": 5, "comment": "netkeep test",
        });
        let (_, r) = call(&client, "POST", "/v1/config", Some(body)).await;
        assert_eq!(r["ok"], true, "{p}: {r}");
        let cfg = &r["outputs"][0]["config"];
        assert_eq!(cfg["candidate"], "committed", "{p}: {r}");
        assert_eq!(cfg["confirm_minutes"], 5, "{p}: {r}");
        let commit = netkeep_platform::builtin(p).unwrap();
        let commit = commit.spec().commit.as_ref().unwrap();
        let want = commit
            .line(
                Some(std::time::Duration::from_secs(300)),
                Some("netkeep test"),
            )
            .unwrap();
        assert_eq!(cfg["after"][0]["line"], want, "{p}: {r}");
        let d = exec(&client, p, running).await;
        let run = d["outputs"][0]["output"].as_str().unwrap();
        assert!(run.contains("nk-committed"), "{p}: {run}");

        // A session left in configuration mode by an exec request is brought back before reuse.
        let enter = if p == "juniper_junos" {
            "configure"
        } else if p == "cisco_xr" {
            "configure terminal"
        } else {
            "system-view"
        };
        let body = json!({ "device": p, "commands": [enter] });
        let (_, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
        assert_eq!(r["ok"], true, "{p}: {r}");
        let d = exec(&client, p, outside).await;
        assert_eq!(d["ok"], true, "{p}: {d}");
    }
    // Check on a platform without a check command, and commit on one that applies at once:
    // refused before anything is sent.
    let body = json!({ "device": "huawei_vrpv8", "lines": ["sysname x"], "confirm_minutes": 5 });
    let (code, r) = call(&client, "POST", "/v1/config", Some(body)).await;
    assert_eq!(code, 400, "confirm without commit: {r}");
    daemon.stop().await;
}

/// Platforms that save: `save` runs the platform's save command after the lines (Comware's
/// `save force` included, which must not hang), and the answer says whether it was saved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platforms_that_save_save_when_asked() {
    let cases = [
        (
            "hp_comware",
            "interface GigabitEthernet1/0/2",
            "",
            "successfully",
        ),
        (
            "huawei",
            "interface GigabitEthernet0/0/2",
            "",
            "successfully",
        ),
        (
            "cisco_ios",
            "interface GigabitEthernet0/2",
            "enable: true",
            "[OK]",
        ),
        ("cisco_nxos", "interface Ethernet1/2", "", "Copy complete"),
        (
            "arista_eos",
            "interface Ethernet2",
            "enable: true",
            "Copy completed",
        ),
        (
            "huawei_vrpv8",
            "interface GigabitEthernet0/1/2",
            "",
            "successfully",
        ),
    ];
    let hosts: Vec<HostSpec> = cases
        .iter()
        .map(|(p, _, x, _)| HostSpec::new(p, p).with(x))
        .collect();
    let lab = Lab::new(hosts).await;
    let (daemon, client) = lab.start().await;
    for (p, iface, _, said) in cases {
        let lines = [iface, "description nk-saved"];
        // Without save: applied, and the answer says it is not saved.
        if p != "huawei_vrpv8" {
            let body = json!({ "device": p, "lines": lines });
            let (_, r) = call(&client, "POST", "/v1/config", Some(body)).await;
            assert_eq!(r["ok"], true, "{p}: {r}");
            let cfg = &r["outputs"][0]["config"];
            assert_eq!(cfg["candidate"], "applied", "{p}: {r}");
            assert!(
                cfg["note"].as_str().unwrap().contains("not saved"),
                "{p}: {r}"
            );
        }
        let commit = p == "huawei_vrpv8";
        let body = json!({ "device": p, "lines": lines, "save": true, "commit": commit });
        let t = std::time::Instant::now();
        let (_, r) = call(&client, "POST", "/v1/config", Some(body)).await;
        assert!(
            t.elapsed().as_secs() < 10,
            "{p}: save took {:?}",
            t.elapsed()
        );
        assert_eq!(r["ok"], true, "{p}: {r}");
        let out = &r["outputs"][0];
        assert!(out["output"].as_str().unwrap().contains(said), "{p}: {r}");
        assert!(out["config"].get("note").is_none(), "{p}: {r}");
        let good = match p {
            "huawei_vrpv8" => "display clock",
            p => good_command(p).0,
        };
        let d = exec(&client, p, good).await;
        assert_eq!(d["ok"], true, "{p}: {d}");
    }
    // Commit where changes apply at once: refused, nothing sent.
    let before = lab.dev("hp_comware").counters().commands;
    let body = json!({ "device": "hp_comware", "lines": ["sysname x"], "commit": true });
    let (_, r) = call(&client, "POST", "/v1/config", Some(body)).await;
    assert_eq!(r["ok"], false, "{r}");
    let e = r["outputs"][0]["error"].as_str().unwrap();
    assert!(e.contains("has no commit"), "{e}");
    assert_eq!(lab.dev("hp_comware").counters().commands, before);
    daemon.stop().await;
}

/// The answer of a configuration set is the device's words, line by line, without its echo and
/// prompts (today: `System View: … Ctrl+Z.[H3C]interface …`); the transcript is still there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_answers_have_no_echo_or_prompts() {
    let lab = Lab::new(vec![
        HostSpec::new("sw1", "hp_comware"),
        HostSpec::new("j1", "juniper_junos"),
    ])
    .await;
    let (daemon, client) = lab.start().await;
    let body =
        json!({ "device": "sw1", "lines": ["interface GigabitEthernet1/0/2", "description x"] });
    let (_, r) = call(&client, "POST", "/v1/config", Some(body)).await;
    let out = &r["outputs"][0];
    assert_eq!(out["output"], "", "the device said nothing: {r}");
    let lines = out["config"]["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["line"], "description x");
    assert_eq!(lines[1]["output"], "");
    let t = out["config"]["transcript"].as_str().unwrap();
    assert!(
        t.contains("Ctrl+Z.\n[H3C]interface GigabitEthernet1/0/2\n"),
        "{t:?}"
    );
    let body = json!({ "device": "j1", "lines": ["set system host-name j1"], "commit": true });
    let (_, r) = call(&client, "POST", "/v1/config", Some(body)).await;
    assert_eq!(r["outputs"][0]["output"], "commit complete", "{r}");
    // A refused line: its answer, without prompts.
    let body = json!({ "device": "sw1", "lines": ["interface GigabitEthernet1/0/2", "bogus x"] });
    let (_, r) = call(&client, "POST", "/v1/config", Some(body)).await;
    let out = &r["outputs"][0];
    assert_eq!(out["ok"], false, "{r}");
    let p = out["partial_output"].as_str().unwrap();
    assert!(
        p.contains("Unrecognized command") && !p.contains("[H3C"),
        "{p:?}"
    );
    daemon.stop().await;
}
