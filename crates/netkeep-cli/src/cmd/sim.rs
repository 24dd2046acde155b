//! `netkeep sim` (being written).

use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {}

pub async fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`netkeep sim` is not available in this build yet")
}
