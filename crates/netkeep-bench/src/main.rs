//! `netkeep-bench`: the Rust side of `bench/run.sh`. Each subcommand runs every figure of the plan
//! for one client and writes the same JSON shape as `bench/py/peers.py`.
//!
//! Where it sits: beside the chain, on top of the session library (netkeep) and the simulator
//! (netkeep-sim); `floor` is a bare russh client, the baseline netkeep is measured against.
//!
//! ```sh
//! netkeep-bench floor --plan bench/results/tmp/plan.json --out /tmp/floor.json
//! ```

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod bastion;
mod common;
mod floor;
mod interleave;
mod nk;
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
    /// netkeep's Session API (and `netkeep exec` through the daemon when the plan asks).
    Netkeep(Io),
    /// netkeep and the floor in alternating blocks on the same device: wall and CPU time per
    /// command for the small command and the ~1 MB output.
    Interleaved(Io),
    /// Serve simulated devices (netkeep-sim) until SIGTERM.
    Sim(sim::SimArgs),
    /// Print the platforms the simulator knows, one a line.
    Platforms,
    /// Connect-to-ready through a jump host: the first device, then each further one over the
    /// shared bastion connection (bench/reach_bastion.sh).
    Bastion(bastion::Args),
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
        Tool::Platforms => {
            for p in netkeep_sim::platforms() {
                println!("{p}");
            }
            return ExitCode::SUCCESS;
        }
        Tool::Bastion(a) => {
            return match bastion::run(a).await {
                Ok(v) => {
                    println!("{v}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("netkeep-bench bastion: {e:#}");
                    ExitCode::from(1)
                }
            };
        }
        Tool::Sim(a) => {
            return match sim::run(a).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("netkeep-bench sim: {e:#}");
                    ExitCode::from(1)
                }
            };
        }
        Tool::Netkeep(io) => match common::read_plan(&io.plan) {
            Ok(plan) => (io, netkeep_figures(&plan).await),
            Err(e) => return bad_plan(e),
        },
        Tool::Interleaved(io) => match common::read_plan(&io.plan) {
            Ok(plan) => (io, interleave::run(&plan).await),
            Err(e) => return bad_plan(e),
        },
        Tool::Floor(io) => match common::read_plan(&io.plan) {
            Ok(plan) => {
                let v = runner::run_all::<floor::Floor>(
                    "russh-floor",
                    "russh 0.65.1",
                    &plan,
                    Some("send_ping() (SSH keepalive round trip)"),
                )
                .await;
                (io, v)
            }
            Err(e) => return bad_plan(e),
        },
    };
    write_result(&io.out, &result)
}

fn bad_plan(e: anyhow::Error) -> ExitCode {
    eprintln!("netkeep-bench: {e:#}");
    ExitCode::from(2)
}

/// netkeep's figures: the common ones, then (with a daemon in the plan) `netkeep exec` through
/// it, and `probe()` per platform.
async fn netkeep_figures(plan: &common::Plan) -> serde_json::Value {
    let mut v = runner::run_all::<nk::Nk>(
        "netkeep",
        concat!("netkeep ", env!("CARGO_PKG_VERSION")),
        plan,
        Some("is_alive() (NUL under the session lock; proof of life by the device's echo of it where it echoes one, else an SSH ping; echo drained)"),
    )
    .await;
    if plan.daemon.is_some() {
        eprintln!("[netkeep] daemon exec from fresh processes");
        let mut ck = common::Checker::default();
        match nk::daemon_figure(plan, &mut ck).await {
            Ok(d) => v["daemon_exec_ms"] = d,
            Err(e) => v["daemon_error"] = serde_json::json!(format!("{e:#}")),
        }
        v["checks"]["ok"] = serde_json::json!(v["checks"]["ok"].as_u64().unwrap_or(0) + ck.ok);
        v["checks"]["failed"] =
            serde_json::json!(v["checks"]["failed"].as_u64().unwrap_or(0) + ck.failed);
        if let Some(a) = v["checks"]["failures"].as_array_mut() {
            a.extend(ck.failures.into_iter().map(serde_json::Value::from));
        }
    }
    for name in plan.platforms.keys() {
        match nk::probe_figure(plan, name).await {
            Ok(p) => v["platforms"][name]["probe_ms"] = p,
            Err(e) => {
                if let Some(a) = v["errors"].as_array_mut() {
                    a.push(serde_json::json!(format!("{name} probe: {e:#}")));
                }
            }
        }
    }
    v
}

fn write_result(out: &str, result: &serde_json::Value) -> ExitCode {
    let text = match serde_json::to_string_pretty(result) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("netkeep-bench: {e}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = std::fs::write(out, text) {
        eprintln!("netkeep-bench: writing {out}: {e}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
