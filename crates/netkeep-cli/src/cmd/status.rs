//! `netkeep status`: the daemon's devices and sessions, as a table or JSON.

use std::process::ExitCode;

use crate::daemon_args::DaemonArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// JSON: a list of objects (device, state, age_s, keepalives_sent, last_rtt_ms, reconnects,
    /// last_error, ...); from a cluster, an object with `nodes` and `devices` (each with its
    /// `owner` and `shard`).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    daemon: DaemonArgs,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(client) = args.daemon.discover().await? else {
        anyhow::bail!(netkeep_keeper::client::no_daemon_message());
    };
    // A cluster node (or --cluster) answers with every node and every device's owner; any other
    // daemon has no such endpoint (404).
    match client.cluster_status().await {
        Ok(c) if args.json => {
            println!("{}", serde_json::to_string_pretty(&c)?);
            return Ok(ExitCode::SUCCESS);
        }
        Ok(c) => {
            print!("{}", crate::render_cluster::cluster_tables(&c));
            return Ok(ExitCode::SUCCESS);
        }
        Err(netkeep_keeper::client::ClientError::Status { status: 404, .. }) => {}
        Err(e) => return Err(e.into()),
    }
    let status = client.status().await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        print!("{}", crate::render::status_table(&status));
    }
    Ok(ExitCode::SUCCESS)
}
