//! Short forms of the API calls the daemon tests make again and again, typed ([`exec_on`]) or
//! as raw JSON ([`call`], as any script speaks the API).

use std::time::Duration;

use netkeep_keeper::client::{ClientError, DaemonClient, Target};
use netkeep_keeper::wire::ExecResponse;

/// `POST /v1/exec`: `commands` on `device`, with the daemon's default read timeout.
///
/// ```no_run
/// # async fn f(client: netkeep_keeper::client::DaemonClient) {
/// let r = netkeep_testkit::exec_on(&client, "sw1", &["display clock"]).await.unwrap();
/// assert!(r.ok, "{r:?}");
/// # }
/// ```
pub async fn exec_on(
    client: &DaemonClient,
    device: &str,
    commands: &[&str],
) -> Result<ExecResponse, ClientError> {
    let commands: Vec<String> = commands.iter().map(|c| c.to_string()).collect();
    client
        .exec(Target::Device(device.into()), &commands, None)
        .await
}

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
