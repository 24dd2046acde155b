//! A client that goes away (Ctrl-C on `netkeep exec`, a closed HTTP connection) cancels its work
//! on the daemon: a request queued for a session leaves the queue and never runs, a request's
//! later commands are not run, and a running read-only command is interrupted (its session
//! replaced) instead of holding the device until it ends. Other commands run to their end.

use std::path::PathBuf;
use std::time::Duration;

use netkeep_keeper::client::DaemonClient;
use netkeep_keeper::daemon::Daemon;
use netkeep_sim::Fault;
use netkeep_testkit::{call, post_and_keep, wait_for, HostSpec, Lab};
use serde_json::json;

const LIMIT: Duration = Duration::from_secs(5);

/// `display version` on `sw1` through the raw API; the JSON answer.
async fn display_version(client: &DaemonClient) -> serde_json::Value {
    let body = json!({"device": "sw1", "commands": ["display version"]});
    call(client, "POST", "/v1/exec", Some(body)).await.1
}

/// A lab of one Comware `sw1`, its daemon, a client and the daemon's socket.
async fn one_device() -> (Lab, Daemon, DaemonClient, PathBuf) {
    let (lab, daemon, client) = Lab::started(vec![HostSpec::comware("sw1")]).await;
    let socket = daemon.socket_path().to_path_buf();
    (lab, daemon, client, socket)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_request_whose_client_hangs_up_never_runs() {
    let (lab, daemon, client, socket) = one_device().await;
    let before = lab.dev("sw1").counters().commands;
    // A ping (~2.5 s) holds sw1's only session.
    let ping = post_and_keep(
        &socket,
        "/v1/exec",
        r#"{"device":"sw1","commands":["ping 10.0.0.1"]}"#,
    )
    .await;
    let row = wait_for(&client, "sw1", LIMIT, |d| d["in_use"] == 1).await;
    assert_eq!(row["in_use"], 1, "{row}");
    let queued = post_and_keep(
        &socket,
        "/v1/exec",
        r#"{"device":"sw1","commands":["display clock"]}"#,
    )
    .await;
    let row = wait_for(&client, "sw1", LIMIT, |d| d["queued"] == 1).await;
    assert_eq!(row["queued"], 1, "{row}");
    drop(queued);
    let row = wait_for(&client, "sw1", LIMIT, |d| d["queued"] == 0).await;
    assert_eq!(
        (row["queued"].clone(), row["in_use"].clone()),
        (json!(0), json!(1)),
        "left the queue while the ping still runs: {row}"
    );
    drop(ping);
    // The ping is not read-only: it runs to its end; the abandoned request never runs.
    let row = wait_for(&client, "sw1", LIMIT, |d| d["in_use"] == 0).await;
    assert_eq!(row["in_use"], 0, "{row}");
    let r = display_version(&client).await;
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(
        lab.dev("sw1").counters().commands,
        before + 2,
        "the ping and the later `display version` reached the device, nothing else"
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn later_commands_of_an_abandoned_request_are_not_run() {
    let (lab, daemon, client, socket) = one_device().await;
    let before = lab.dev("sw1").counters().commands;
    let body = r#"{"device":"sw1","commands":["ping 10.0.0.1","ping 10.0.0.2","display clock"]}"#;
    let s = post_and_keep(&socket, "/v1/exec", body).await;
    // Hang up once the device has the first ping.
    let t = std::time::Instant::now();
    while lab.dev("sw1").counters().commands == before && t.elapsed() < LIMIT {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let row = wait_for(&client, "sw1", LIMIT, |d| d["in_use"] == 1).await;
    assert_eq!(row["in_use"], 1, "{row}");
    drop(s);
    let row = wait_for(&client, "sw1", LIMIT, |d| d["in_use"] == 0).await;
    assert_eq!(row["in_use"], 0, "{row}");
    assert_eq!(
        lab.dev("sw1").counters().commands,
        before + 1,
        "the running ping finished; the second ping and `display clock` were not sent"
    );
    assert_eq!(
        lab.dev("sw1").counters().sessions_opened,
        1,
        "the session is kept"
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_read_only_command_is_interrupted_and_its_session_replaced() {
    let (lab, daemon, client, socket) = one_device().await;
    // The device stops answering: `display clock` would hold the session for its whole read
    // timeout (20 s) if nobody interrupted it.
    lab.dev("sw1").set_fault(Fault::Stall);
    let body = r#"{"device":"sw1","commands":["display clock"],"read_timeout_ms":20000}"#;
    let s = post_and_keep(&socket, "/v1/exec", body).await;
    let row = wait_for(&client, "sw1", LIMIT, |d| d["in_use"] == 1).await;
    assert_eq!(row["in_use"], 1, "{row}");
    // The stalled device counts nothing: give the command a moment to be on its way.
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(s);
    let row = wait_for(&client, "sw1", LIMIT, |d| d["in_use"] == 0).await;
    assert_eq!(
        row["in_use"], 0,
        "the session was given back at once: {row}"
    );
    lab.dev("sw1").clear_faults();
    let r = display_version(&client).await;
    assert_eq!(r["ok"], true, "{r}");
    let out = r["results"][0]["outputs"][0]["output"].as_str().unwrap();
    assert!(
        out.contains("H3C Comware Software") && !out.contains("UTC"),
        "{out}"
    );
    assert_eq!(r["results"][0]["connected"], true, "a fresh session: {r}");
    daemon.stop().await;
}
