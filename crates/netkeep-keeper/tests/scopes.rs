//! Scopes over TCP with named tokens: `read` runs read-only commands and is refused (403, with
//! the reason) anything else — `system-view`, `configure terminal`, a configuration set, an
//! output redirection, any command on a shell platform — before anything reaches the device
//! (the simulator's command counter does not move); `config` may change devices but not the
//! daemon; `admin` may reload and shut it down.

use std::time::Duration;

use netkeep_keeper::client::{ClientError, DaemonClient, Target};
use netkeep_testkit::{access_file, call, tcp_client, token_entry, HostSpec, Lab};
use serde_json::json;

const READ: &str = "read-token-0123456789";
const CONFIG: &str = "config-token-0123456789";
const ADMIN: &str = "admin-token-0123456789";

async fn lab() -> Lab {
    Lab::new(vec![
        HostSpec::new("sw1", "hp_comware"),
        HostSpec::new("r1", "cisco_ios"),
        HostSpec::new("srv", "linux"),
    ])
    .await
}

fn tokens() -> String {
    format!(
        "tokens:\n{}{}{}",
        token_entry("reader", "read", READ),
        token_entry("changer", "config", CONFIG),
        token_entry("boss", "admin", ADMIN)
    )
}

fn commands(lab: &Lab) -> Vec<u64> {
    ["sw1", "r1", "srv"]
        .iter()
        .map(|d| lab.dev(d).counters().commands)
        .collect()
}

async fn refused(c: &DaemonClient, body: serde_json::Value, path: &str, says: &str) {
    let (code, r) = call(c, "POST", path, Some(body.clone())).await;
    assert_eq!(code, 403, "{body} => {r}");
    let msg = r["error"].as_str().unwrap();
    assert!(
        msg.contains("reader") && msg.contains("`read`") && msg.contains(says),
        "{body} => {msg}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_token_is_refused_everything_but_read_only_commands_before_the_device() {
    let lab = lab().await;
    let mut cfg = lab.config();
    cfg.listen = Some("127.0.0.1:0".parse().unwrap());
    cfg.access_file = Some(access_file(lab.dir.path(), &tokens()));
    let (daemon, _) = lab.start_with(cfg).await;
    let reader = tcp_client(daemon.tcp_addr().unwrap(), READ);
    let r = reader
        .exec(
            Target::Device("sw1".into()),
            &["display clock".into()],
            None,
        )
        .await
        .unwrap();
    assert!(r.ok, "{r:?}");
    assert_eq!(reader.status().await.unwrap().len(), 3);

    let before = commands(&lab);
    for (body, path, says) in [
        (
            json!({"device": "sw1", "commands": ["system-view"]}),
            "/v1/exec",
            "system-view",
        ),
        // One forbidden command refuses the whole request: the display is not run either.
        (
            json!({"device": "sw1", "commands": ["display clock", "system-view"]}),
            "/v1/exec",
            "system-view",
        ),
        (
            json!({"device": "r1", "commands": ["configure terminal"]}),
            "/v1/exec",
            "configure terminal",
        ),
        (
            json!({"devices": ["sw1", "r1"], "commands": ["reload"]}),
            "/v1/exec",
            "reload",
        ),
        (
            json!({"device": "r1", "commands": ["show running-config | redirect flash:x"]}),
            "/v1/exec",
            "redirect",
        ),
        (
            json!({"device": "sw1", "commands": ["display current-configuration > flash:/x.cfg"]}),
            "/v1/exec",
            ">",
        ),
        (
            json!({"device": "srv", "commands": ["sh -c reboot"]}),
            "/v1/exec",
            "shell platform",
        ),
        (
            json!({"device": "sw1", "lines": ["sysname x"]}),
            "/v1/config",
            "configuration set",
        ),
    ] {
        refused(&reader, body, path, says).await;
    }
    assert_eq!(commands(&lab), before, "a refused request reached a device");
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_changes_devices_admin_also_the_daemon() {
    let lab = lab().await;
    let mut cfg = lab.config();
    cfg.listen = Some("127.0.0.1:0".parse().unwrap());
    cfg.access_file = Some(access_file(lab.dir.path(), &tokens()));
    let (daemon, _) = lab.start_with(cfg).await;
    let addr = daemon.tcp_addr().unwrap();
    let changer = tcp_client(addr, CONFIG);
    let before = lab.dev("sw1").counters().commands;
    let r = changer
        .config("sw1", &["sysname core-1".into()])
        .await
        .unwrap();
    assert!(r.ok, "{r:?}");
    assert!(lab.dev("sw1").counters().commands > before);
    // Let through to the device (which, not in enable mode, answers with its own refusal).
    let before = lab.dev("r1").counters().commands;
    let r = changer
        .exec(
            Target::Device("r1".into()),
            &["configure terminal".into()],
            None,
        )
        .await
        .unwrap();
    assert_eq!(r.results[0].outputs.len(), 1, "{r:?}");
    assert_eq!(lab.dev("r1").counters().commands, before + 1);
    for path in ["/v1/reload", "/v1/shutdown"] {
        let (code, r) = call(&changer, "POST", path, None).await;
        assert_eq!(code, 403, "{path}: {r}");
        assert!(r["error"].as_str().unwrap().contains("`admin`"), "{r}");
    }
    match tcp_client(addr, "not-a-token-at-all-0123").status().await {
        Err(ClientError::Status { status: 401, .. }) => {}
        other => panic!("{other:?}"),
    }
    let boss = tcp_client(addr, ADMIN);
    assert!(boss.reload().await.is_ok());

    // Shutdown over the API stops a daemon serving until a signal.
    let serving = tokio::spawn(daemon.run_until_signal());
    let (code, r) = call(&boss, "POST", "/v1/shutdown", None).await;
    assert_eq!(code, 202, "{r}");
    tokio::time::timeout(Duration::from_secs(15), serving)
        .await
        .expect("the daemon stopped after POST /v1/shutdown")
        .unwrap();
    assert!(
        boss.status().await.is_err(),
        "still answering after shutdown"
    );
}
