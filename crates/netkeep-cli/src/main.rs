//! The `netkeep` command line: one module per subcommand under `cmd/`; shared by them: the
//! daemon flags (`daemon_args.rs`), direct-session flags (`connect.rs`), duration flags
//! (`duration.rs`), exit codes (`exit.rs`), output (`output.rs`), the status table
//! (`render.rs`) and parsed records as a table (`records.rs`). It talks to a running daemon through `netkeep_keeper::client`.
//!
//! Where it sits: the end of the chain, transport → channel → platform → session → keeper →
//! **cli**: it parses flags, runs sessions directly (netkeep) or through the daemon
//! (netkeep-keeper), and prints; `netkeep sim` and `netkeep demo` start the simulator beside it.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cluster_args;
mod cmd;
mod connect;
mod daemon_args;
mod duration;
mod exit;
mod output;
mod reach;
mod records;
mod render;
mod render_cluster;

/// Fast, alive SSH CLI sessions to network devices: run commands directly or through a daemon
/// that keeps a fleet's sessions warm.
#[derive(Parser, Debug)]
#[command(name = "netkeep", version, propagate_version = true)]
struct Cli {
    /// Log filter (e.g. `info`, `netkeep=debug`); also read from NETKEEP_LOG [default: `info`
    /// for serve, `warn` otherwise].
    #[arg(long, global = true, env = "NETKEEP_LOG")]
    log: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the seed experiment against an embedded simulated H3C Comware switch.
    Demo(cmd::demo::Args),
    /// Run commands on a device (through the daemon when one is running).
    Exec(cmd::exec::Args),
    /// Run a configuration set on a device.
    Config(cmd::config::Args),
    /// Run simulated network devices over SSH.
    Sim(cmd::sim::Args),
    /// Keep a fleet's sessions warm and serve commands over an HTTP API.
    Serve(cmd::serve::Args),
    /// Show the daemon's sessions.
    Status(cmd::status::Args),
    /// Read the daemon's audit log: who ran what on which device, when, with what result.
    Audit(cmd::audit::Args),
    /// Parse command output into records with TextFSM templates (ntc-templates), as JSON.
    Parse(cmd::parse::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A daemon's log is its record (reloads, lost sessions, host keys); a one-shot command
    // speaks for itself on stderr.
    let default = match cli.command {
        Command::Serve(_) => "info",
        _ => "warn",
    };
    // Before the log writer or any runtime thread allocates: a thread keeps the arena it
    // first gets.
    if matches!(cli.command, Command::Serve(_)) {
        netkeep_keeper::daemon::limit_malloc_arenas();
    }
    init_logging(cli.log.as_deref().unwrap_or(default));
    // Client commands do one request or one session: a single-threaded runtime starts faster
    // (a warm `netkeep exec` through the daemon is dominated by process start-up). The demo,
    // the simulator and the daemon serve many sessions and get every core.
    let mut builder = match cli.command {
        Command::Exec(_)
        | Command::Config(_)
        | Command::Status(_)
        | Command::Audit(_)
        | Command::Parse(_) => tokio::runtime::Builder::new_current_thread(),
        Command::Demo(_) | Command::Sim(_) | Command::Serve(_) => {
            tokio::runtime::Builder::new_multi_thread()
        }
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("netkeep: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Demo(a) => cmd::demo::run(a).await,
            Command::Exec(a) => cmd::exec::run(a).await,
            Command::Config(a) => cmd::config::run(a).await,
            Command::Sim(a) => cmd::sim::run(a).await,
            Command::Serve(a) => cmd::serve::run(a).await,
            Command::Status(a) => cmd::status::run(a).await,
            Command::Audit(a) => cmd::audit::run(a).await,
            Command::Parse(a) => cmd::parse::run(a).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("netkeep: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colour codes only for a person; log files and journald get plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
}
