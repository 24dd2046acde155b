//! `netkeep-bench`: the Rust side of `bench/run.sh`. Each subcommand runs every figure of the plan
//! for one client and writes the same JSON shape as `bench/py/peers.py`.
//!
//! ```sh
//! netkeep-bench floor --plan bench/results/tmp/plan.json --out /tmp/floor.json
//! ```

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod common;
mod floor;
mod runner;
mod sim;

#[derive(Parser, Debug)]
#[command(name = "netkeep-bench", about = "Benchmark drivers for bench/run.sh")]
struct Cli {
    #[command(subcommand)]
    tool: Tool,
}

#[derive(Subcommand, Debug)]
enum Tool {
    /// The bare russh client: the floor netkeep is measured against.
    Floor(Io),
    /// Serve simulated devices (netkeep-sim) until SIGTERM.
    Sim(sim::SimArgs),
}

#[derive(clap::Args, Debug)]
struct Io {
    /// Plan written by bench/run.sh.
    #[arg(long)]
    plan: String,
    /// Where to write the JSON result.
    #[arg(long)]
    out: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let (io, result) = match cli.tool {
        Tool::Sim(a) => {
            return match sim::run(a).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("netkeep-bench sim: {e:#}");
                    ExitCode::from(1)
                }
            };
        }
        Tool::Floor(io) => {
            let plan = match common::read_plan(&io.plan) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("netkeep-bench: {e:#}");
                    return ExitCode::from(2);
                }
            };
            let v = runner::run_all::<floor::Floor>(
                "russh-floor",
                "russh 0.65.1",
                &plan,
                Some("send_ping() (SSH keepalive round trip)"),
            )
            .await;
            (io, v)
        }
    };
    let text = match serde_json::to_string_pretty(&result) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("netkeep-bench: {e}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = std::fs::write(&io.out, text) {
        eprintln!("netkeep-bench: writing {}: {e}", io.out);
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
