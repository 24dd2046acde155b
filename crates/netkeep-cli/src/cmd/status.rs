//! `netkeep status`: the daemon's devices and sessions, as a table or JSON.

use std::process::ExitCode;

use crate::daemon_args::DaemonArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// JSON: a list of objects (device, state, age_s, keepalives_sent, last_rtt_ms, reconnects,
    /// last_error, ...).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    daemon: DaemonArgs,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(client) = args.daemon.discover().await? else {
        anyhow::bail!(netkeep_keeper::client::no_daemon_message());
    };
    let status = client.status().await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        print!("{}", crate::render::status_table(&status));
    }
    Ok(ExitCode::SUCCESS)
}
