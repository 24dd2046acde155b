//! A command the device rejects is a failure through the daemon too, on every simulated
//! platform: `ok: false`, `rejected` with the device's words, the request's later commands not
//! run unless `continue_on_error`; and commands with control characters never reach a device.

use netkeep_testkit::{call, good_command, HostSpec, Lab, PLATFORMS};
use serde_json::json;

/// What each simulated platform answers to `foo bar`.
fn refusal(platform: &str) -> &'static str {
    match platform {
        "hp_comware" => "% Unrecognized command found at '^' position.",
        "huawei" => "Error: Unrecognized command found at '^' position.",
        "cisco_ios" => "% Invalid input detected at '^' marker.",
        "cisco_nxos" => "% Invalid command at '^' marker.",
        "juniper_junos" => "unknown command.",
        "arista_eos" => "% Invalid input (at token 0: 'foo')",
        "linux" => "-bash: foo: command not found",
        p => panic!("no refusal known for {p}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_commands_fail_through_the_daemon_on_every_platform() {
    let (lab, daemon, client) =
        Lab::started(PLATFORMS.iter().map(|p| HostSpec::new(p, p)).collect()).await;
    for h in &lab.hosts {
        let platform = &h.sim.platform;
        let (good, good_out) = good_command(platform);
        let body = json!({ "device": h.name, "commands": ["foo bar", good] });
        let (code, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
        assert_eq!(code, 200, "{r}");
        let d = &r["results"][0];
        assert_eq!(r["ok"], false, "{}: {r}", platform);
        assert_eq!(d["ok"], false, "{}: {d}", platform);
        assert_eq!(d["error_kind"], "rejected", "{}: {d}", platform);
        let out = d["outputs"].as_array().unwrap();
        assert_eq!(
            out.len(),
            1,
            "{}: stops at the first rejection: {d}",
            platform
        );
        assert_eq!(out[0]["ok"], false);
        assert_eq!(out[0]["rejected"], refusal(platform), "{}", platform);
        assert!(
            out[0]["output"]
                .as_str()
                .unwrap()
                .contains(refusal(platform)),
            "the device's whole answer is kept: {d}"
        );

        // Asked to go on: the next command runs (and succeeds); the device still failed.
        let body =
            json!({ "device": h.name, "commands": ["foo bar", good], "continue_on_error": true });
        let (_, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
        let d = &r["results"][0];
        let out = d["outputs"].as_array().unwrap();
        assert_eq!(out.len(), 2, "{}: {d}", platform);
        assert_eq!(out[1]["ok"], true, "{}: {d}", platform);
        assert!(out[1]["output"].as_str().unwrap().contains(good_out));
        assert!(out[1].get("rejected").is_none(), "{d}");
        assert_eq!(
            (d["ok"].clone(), r["ok"].clone()),
            (json!(false), json!(false))
        );

        // An accepted command alone: ok, no `rejected`.
        let body = json!({ "device": h.name, "commands": [good] });
        let (_, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
        assert_eq!(r["ok"], true, "{}: {r}", platform);
        assert!(r["results"][0]["outputs"][0].get("rejected").is_none());
    }
    // Fan-out: every device reports its own rejection.
    let body = json!({ "group": "lab", "commands": ["foo bar"] });
    let (_, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
    assert_eq!(r["ok"], false);
    for d in r["results"].as_array().unwrap() {
        let platform = d["device"].as_str().unwrap();
        assert_eq!(d["error_kind"], "rejected", "{d}");
        assert_eq!(d["outputs"][0]["rejected"], refusal(platform), "{d}");
    }
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_with_control_characters_are_refused_before_any_device() {
    let (lab, daemon, client) = Lab::started(vec![HostSpec::comware("sw1")]).await;
    let before = lab.dev("sw1").counters().commands;
    for bad in [
        "display clock\u{3}",
        "\u{1a}",
        "display\u{0} clock",
        "\u{1b}[A",
    ] {
        let body = json!({ "device": "sw1", "commands": ["display version", bad] });
        let (code, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
        assert_eq!(code, 400, "{bad:?}: {r}");
        let e = r["error"].as_str().unwrap();
        assert!(e.contains("control character"), "{e}");
        let body = json!({ "device": "sw1", "lines": ["interface GigabitEthernet1/0/1", bad] });
        let (code, r) = call(&client, "POST", "/v1/config", Some(body)).await;
        assert_eq!(code, 400, "{bad:?}: {r}");
    }
    assert_eq!(
        lab.dev("sw1").counters().commands,
        before,
        "nothing of a refused request reached the device"
    );
    // A tab is allowed (the device decides what it means).
    let body = json!({ "device": "sw1", "commands": ["display\tclock"] });
    let (code, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
    assert_eq!(code, 200, "{r}");
    daemon.stop().await;
}
