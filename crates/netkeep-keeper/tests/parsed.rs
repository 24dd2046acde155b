//! `parse: true` through the daemon: each command's result gains `parsed` (records, or null)
//! and `parse_note` (why null), the output always kept; a user's `template` file; bad requests.
//!
//! The index parts need ntc-templates (NET_TEXTFSM, else the package of NETKEEP_PYTHON /
//! python3); without it they print why and are skipped, unless NETKEEP_REQUIRE_SYSTEM_TOOLS is
//! set (CI).

use netkeep_testkit::{call, HostSpec, Lab};
use serde_json::{json, Value};

fn have_index() -> bool {
    match netkeep_parse::template_dir() {
        Ok(_) => true,
        Err(e) if std::env::var_os("NETKEEP_REQUIRE_SYSTEM_TOOLS").is_some() => {
            panic!("{e} and NETKEEP_REQUIRE_SYSTEM_TOOLS is set")
        }
        Err(e) => {
            eprintln!("skipping the index part: {e}");
            false
        }
    }
}

fn outputs(r: &Value) -> &Vec<Value> {
    r["results"][0]["outputs"].as_array().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_with_parse_adds_records_or_a_note_per_command() {
    let hosts = vec![
        HostSpec::new("vrp1", "huawei"),
        HostSpec::new("r1", "cisco_ios"),
        HostSpec::new("c1", "hp_comware"),
    ];
    let (_lab, daemon, client) = Lab::started(hosts).await;
    // Without `parse`: no `parsed` at all.
    let body = json!({ "device": "r1", "commands": ["show clock"] });
    let (code, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
    assert_eq!(code, 200, "{r}");
    assert!(outputs(&r)[0].get("parsed").is_none(), "{r}");

    if have_index() {
        let cmds = [
            "display interface brief",
            "display current-configuration",
            "foo bar",
        ];
        let body =
            json!({ "device": "vrp1", "commands": cmds, "parse": true, "continue_on_error": true });
        let (code, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
        assert_eq!(code, 200, "{r}");
        let out = outputs(&r);
        // VRP output parses under the platform's template name, huawei_vrp.
        let recs = out[0]["parsed"].as_array().expect("records");
        assert!(
            recs.len() > 1 && recs.iter().all(|x| x["interface"].is_string()),
            "{r}"
        );
        assert!(out[0].get("parse_note").is_none(), "{r}");
        // ntc-templates' index sends every other `d...` command to its `dir` template, which
        // refuses this output: null, a note naming template and input line, the output kept.
        assert!(
            out[1]["parsed"].is_null() && out[1].get("parsed").is_some(),
            "{r}"
        );
        let note = out[1]["parse_note"].as_str().unwrap();
        assert!(
            note.contains("huawei_vrp_dir") && note.contains("input line 1"),
            "{note}"
        );
        assert!(
            out[1]["output"].as_str().unwrap().contains("sysname"),
            "{r}"
        );
        // A rejected command is not parsed.
        assert!(out[2]["parsed"].is_null(), "{r}");
        assert!(
            out[2]["parse_note"].as_str().unwrap().contains("rejected"),
            "{r}"
        );

        // No template at all: null, and the note names platform and command.
        let body =
            json!({ "device": "c1", "commands": ["display current-configuration"], "parse": true });
        let (_, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
        let c = &outputs(&r)[0];
        let note = c["parse_note"].as_str().unwrap();
        assert!(
            note.contains("no template") && note.contains("\"hp_comware\""),
            "{note}"
        );
        assert!(
            c["parsed"].is_null() && !c["output"].as_str().unwrap().is_empty(),
            "{r}"
        );

        // A fan-out parses each device with its own platform's templates.
        let body =
            json!({ "devices": ["r1", "vrp1"], "commands": ["show version"], "parse": true });
        let (_, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
        let ios = &r["results"][0]["outputs"][0];
        assert!(ios["parsed"][0]["version"].is_string(), "{r}");
        let vrp = &r["results"][1]["outputs"][0];
        assert!(vrp["parsed"].is_null(), "VRP has no `show version`: {r}");
    }
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_file_parses_and_a_bad_one_is_a_note_that_does_not_quote_it() {
    let (lab, daemon, client) = Lab::started(vec![HostSpec::new("c1", "hp_comware")]).await;
    let t = lab.dir.path().join("clock.textfsm");
    std::fs::write(
        &t,
        "Value TIME (\\d+:\\d+:\\d+)\nValue Required ZONE (\\S+)\n\nStart\n  ^${TIME}\\s+${ZONE} -> Record\n",
    )
    .unwrap();
    let path = t.to_str().unwrap();
    let body =
        json!({ "device": "c1", "commands": ["display clock"], "parse": true, "template": path });
    let (code, r) = call(&client, "POST", "/v1/exec", Some(body.clone())).await;
    assert_eq!(code, 200, "{r}");
    assert_eq!(outputs(&r)[0]["parsed"][0]["zone"], "UTC", "{r}");

    // Not a template (any file the daemon can read): the note names file and line only.
    std::fs::write(&t, "Value X (\\d+)\n\nsecret-token-1234 not a state\n").unwrap();
    let (code, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
    assert_eq!(code, 200, "{r}");
    let c = &outputs(&r)[0];
    assert!(c["parsed"].is_null(), "{r}");
    let note = c["parse_note"].as_str().unwrap();
    assert!(note.contains("clock.textfsm line 3"), "{note}");
    assert!(!r.to_string().contains("secret-token"), "{r}");
    assert!(c["output"].as_str().unwrap().contains("UTC"), "{r}");

    // A directory, a missing file: notes, not failures.
    for p in [lab.dir.path().to_path_buf(), lab.dir.path().join("absent")] {
        let body = json!({ "device": "c1", "commands": ["display clock"], "parse": true,
                           "template": p.to_str().unwrap() });
        let (code, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
        assert_eq!(code, 200, "{r}");
        assert!(outputs(&r)[0]["parse_note"].is_string(), "{r}");
    }

    // Bad requests, refused before anything runs.
    for body in [
        json!({ "device": "c1", "commands": ["display clock"], "parse": true, "template": "clock.textfsm" }),
        json!({ "device": "c1", "commands": ["display clock"], "template": path }),
    ] {
        let (code, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
        assert_eq!(code, 400, "{r}");
        assert!(r["error"].as_str().unwrap().contains("template"), "{r}");
    }
    daemon.stop().await;
}
