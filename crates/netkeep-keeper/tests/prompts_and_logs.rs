//! Through the API: commands that ask questions (answers per step, a pattern that ends the read,
//! a timing read), checked before they reach a device; and per-device session logs from the
//! inventory (`session_log` with `{name}`), secrets never in them.

use netkeep_testkit::{call, HostSpec, Lab};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_that_ask_questions_are_answered_per_step() {
    let lab = Lab::new(vec![
        HostSpec::new("sw1", "hp_comware"),
        HostSpec::new("vrp", "huawei"),
    ])
    .await;
    let (daemon, client) = lab.start().await;
    // Comware's plain `save` asks three questions.
    let save = json!({
        "command": "save",
        "answers": [
            { "expect": "\\[Y/N\\]:", "answer": "Y" },
            { "expect": "(?i)file name", "answer": "" },
            { "expect": "overwrite\\? \\[Y/N\\]:", "answer": "Y" }
        ]
    });
    let body = json!({ "device": "sw1", "commands": [save, "display clock"] });
    let (code, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
    assert_eq!(code, 200, "{r}");
    assert_eq!(r["ok"], true, "{r}");
    let out = &r["results"][0]["outputs"];
    assert!(
        out[0]["output"].as_str().unwrap().contains("successfully"),
        "{r}"
    );
    assert!(out[1]["output"].as_str().unwrap().contains("UTC"), "{r}");
    // Netmiko's expect_string: the read ends at the question; the next command answers it.
    let body = json!({ "device": "vrp", "commands": [
        { "command": "save", "until": "\\(y/n\\)" },
        "y",
        { "command": "display clock", "quiet_ms": 300, "read_timeout_ms": 5000 }
    ]});
    let (_, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
    assert_eq!(r["ok"], true, "{r}");
    let out = &r["results"][0]["outputs"];
    assert!(
        out[0]["output"].as_str().unwrap().ends_with("(y/n)[n]:"),
        "{r}"
    );
    assert!(
        out[1]["output"]
            .as_str()
            .unwrap()
            .contains("saved successfully"),
        "{r}"
    );
    assert!(out[2]["output"].as_str().unwrap().contains("UTC"), "{r}");
    // Refused before anything is sent: a bad pattern, an answer with a control character,
    // an unknown field.
    let before = lab.dev("sw1").counters().commands;
    for bad in [
        json!({ "command": "save", "answers": [{ "expect": "[Y/N", "answer": "Y" }] }),
        json!({ "command": "save", "answers": [{ "expect": "x", "answer": "Y\n" }] }),
        json!({ "command": "save", "answer": "Y" }),
        json!({ "command": "save", "quiet_ms": 0 }),
    ] {
        let body = json!({ "device": "sw1", "commands": [bad] });
        let (code, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
        assert_eq!(code, 400, "{r}");
    }
    assert_eq!(lab.dev("sw1").counters().commands, before);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_logs_per_device_from_the_inventory() {
    let lab = Lab::new(vec![
        HostSpec::new("r1", "cisco_ios")
            .with("enable: true, secret_file: pw, session_log: 'logs/{name}.log'")
            .sim(|c| c.password = "admin".into()),
        HostSpec::new("sw1", "hp_comware")
            .with("session_log: { path: 'logs/{name}.log', max_bytes: 100000, keep: 2 }")
            .sim(|c| c.password = "admin".into()),
    ])
    .await;
    std::fs::create_dir(lab.dir.path().join("logs")).unwrap();
    let (daemon, client) = lab.start().await;
    for (d, cmd) in [("r1", "show version"), ("sw1", "display version")] {
        let body = json!({ "device": d, "commands": [cmd] });
        let (_, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
        assert_eq!(r["ok"], true, "{r}");
    }
    daemon.stop().await;
    let r1 = std::fs::read_to_string(lab.dir.path().join("logs/r1.log")).unwrap();
    assert!(r1.contains("r1[") && r1.contains("> show version"), "{r1}");
    // The enable secret typed in-band is masked (the password file holds `admin`, which is also
    // the user name: every `admin` is masked).
    assert!(
        r1.contains("< Password:") && r1.contains("> ********"),
        "{r1}"
    );
    assert!(!r1.contains("admin"), "{r1}");
    let sw1 = std::fs::read_to_string(lab.dir.path().join("logs/sw1.log")).unwrap();
    assert!(
        sw1.contains("> display version") && sw1.contains("Comware"),
        "{sw1}"
    );
}
