//! Raw JSON calls for the daemon tests (so the tests speak the API as any script does); the lab
//! of simulated devices and a daemon is netkeep-testkit's `Lab`.
#![allow(dead_code)]

use std::time::Duration;

use netkeep_keeper::client::DaemonClient;

/// `method path` with a JSON body; returns the status and the JSON answer.
pub async fn call(
    client: &DaemonClient,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let (code, bytes) = client
        .request_raw(method, path, body.map(|b| b.to_string().into_bytes()))
        .await
        .unwrap();
    let v = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
        serde_json::Value::String(String::from_utf8_lossy(&bytes).into_owned())
    });
    (code, v)
}

/// The status row of `device` (raw JSON).
pub async fn status_of(client: &DaemonClient, device: &str) -> serde_json::Value {
    let (_, st) = call(client, "GET", "/v1/sessions", None).await;
    st.as_array()
        .unwrap()
        .iter()
        .find(|d| d["device"] == device)
        .cloned()
        .unwrap()
}

/// Polls `device`'s status every 20 ms until `done` holds (at most `limit`); returns the last
/// row seen.
pub async fn wait_for(
    client: &DaemonClient,
    device: &str,
    limit: Duration,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let t = std::time::Instant::now();
    loop {
        let row = status_of(client, device).await;
        if done(&row) || t.elapsed() >= limit {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Sends a `POST path` with `body` on a raw connection and returns the connection (drop it to
/// hang up, as a client killed by Ctrl-C does).
pub async fn post_and_keep(
    socket: &std::path::Path,
    path: &str,
    body: &str,
) -> tokio::net::UnixStream {
    use tokio::io::AsyncWriteExt;
    let mut s = tokio::net::UnixStream::connect(socket).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(body.as_bytes()).await.unwrap();
    s
}
