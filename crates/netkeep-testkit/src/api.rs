//! Short forms of the API calls the daemon tests make again and again.

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
