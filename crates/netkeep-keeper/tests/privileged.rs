//! Privileged mode through the daemon, on the simulated platforms that have one (IOS with an
//! enable password prompt, EOS without): the inventory's enable secret (`secret_env`,
//! `secret_file`, Nornir's `connection_options.netmiko.extras.secret`), `enable: true` at session
//! preparation, and the login password never typed as the enable secret unasked.

use netkeep_testkit::{call, HostSpec, Lab};
use serde_json::json;

/// `show running-config` works in privileged mode only on the simulated IOS and EOS.
async fn running_config(
    c: &netkeep_keeper::client::DaemonClient,
    device: &str,
) -> serde_json::Value {
    let body = json!({ "device": device, "commands": ["show running-config"] });
    let (code, r) = call(c, "POST", "/v1/exec", Some(body)).await;
    assert_eq!(code, 200, "{r}");
    r["results"][0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enable_at_preparation_with_the_inventory_secret() {
    std::env::set_var("NK_TEST_ENABLE_SECRET", "admin");
    let nornir = "connection_options: { netmiko: { extras: { secret: admin, fast_cli: true } } }";
    let lab = Lab::new(vec![
        HostSpec::new("r-file", "cisco_ios").with("enable: true, secret_file: pw"),
        HostSpec::new("r-env", "cisco_ios").with("enable: true, secret_env: NK_TEST_ENABLE_SECRET"),
        HostSpec::new("r-nornir", "cisco_ios").with(&format!("enable: true, {nornir}")),
        HostSpec::new("eos", "arista_eos").with("enable: true"),
        HostSpec::new("r-user", "cisco_ios"),
    ])
    .await;
    let inv =
        netkeep_keeper::inventory::Inventory::load(&lab.dir.path().join("netkeep.yaml")).unwrap();
    assert!(
        inv.warnings
            .iter()
            .any(|w| w.contains("plain `connection_options.netmiko.extras.secret`")),
        "{:?}",
        inv.warnings
    );
    let (daemon, client) = lab.start().await;
    for d in ["r-file", "r-env", "r-nornir", "eos"] {
        let r = running_config(&client, d).await;
        assert_eq!(r["ok"], true, "{d}: {r}");
        assert!(
            r["outputs"][0]["output"]
                .as_str()
                .unwrap()
                .contains("hostname"),
            "{d}: {r}"
        );
    }
    // Without `enable`, the session stays in user mode.
    let r = running_config(&client, "r-user").await;
    assert_eq!(r["ok"], false, "{r}");
    // A configuration set from privileged mode needs no password, and the session stays
    // privileged for the next request.
    let body =
        json!({ "device": "r-file", "lines": ["interface GigabitEthernet0/2", "description nk"] });
    let (_, r) = call(&client, "POST", "/v1/config", Some(body)).await;
    assert_eq!(r["ok"], true, "{r}");
    assert!(!r.to_string().contains("Password"), "{r}");
    assert_eq!(running_config(&client, "r-file").await["ok"], true);
    daemon.stop().await;
}

/// A configuration set from user mode with no enable secret: the set stops at the enable
/// password prompt, nothing is typed there (today the login password is, and the answer starts
/// with `Password:`), and the error says what to set; with a secret, it goes through and the
/// session goes back to user mode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_password_is_never_typed_as_enable_secret_unasked() {
    let lab = Lab::new(vec![
        HostSpec::new("no-secret", "cisco_ios")
            .with("session_log: 'no-secret.log'")
            .sim(|c| c.password = "admin".into()),
        HostSpec::new("with-secret", "cisco_ios")
            .with("secret_file: pw")
            .sim(|c| c.password = "admin".into()),
    ])
    .await;
    let (daemon, client) = lab.start().await;
    let lines = ["interface GigabitEthernet0/2", "description nk"];
    let body = json!({ "device": "no-secret", "lines": lines });
    let (_, r) = call(&client, "POST", "/v1/config", Some(body)).await;
    assert_eq!(r["ok"], false, "{r}");
    assert_eq!(r["error_kind"], "auth", "{r}");
    let e = r["outputs"][0]["error"].as_str().unwrap();
    assert!(
        e.contains("none was given") && e.contains("secret_env"),
        "{e}"
    );
    let log = std::fs::read_to_string(lab.dir.path().join("no-secret.log")).unwrap();
    let asked = log.find("< Password:").expect("the device asked");
    assert!(!log[asked..].contains(" > "), "typed at the prompt:\n{log}");
    // The pool replaced the closed session: the next request runs.
    let body = json!({ "device": "no-secret", "commands": ["show clock"] });
    let (_, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
    assert_eq!(r["ok"], true, "{r}");

    let body = json!({ "device": "with-secret", "lines": lines });
    let (_, r) = call(&client, "POST", "/v1/config", Some(body)).await;
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["outputs"][0]["output"], "", "{r}");
    // Back in user mode, its base mode: privileged commands are refused again.
    assert_eq!(running_config(&client, "with-secret").await["ok"], false);
    daemon.stop().await;
}
