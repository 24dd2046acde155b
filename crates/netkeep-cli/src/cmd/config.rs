//! `netkeep config DEVICE -f changes.txt`: run a configuration set through the daemon.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use netkeep_keeper::client::DaemonClient;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Device name from the daemon's inventory.
    device: String,
    /// File with one configuration line per line (`-` for stdin). Blank lines and lines starting
    /// with `#` or `!` are skipped.
    #[arg(long, short = 'f')]
    file: PathBuf,
    /// The daemon's Unix socket [default: NETKEEP_SOCKET, else the default path].
    #[arg(long)]
    socket: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let text = if args.file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    } else {
        std::fs::read_to_string(&args.file)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.file.display()))?
    };
    let lines = config_lines(&text);
    if lines.is_empty() {
        anyhow::bail!("{} has no configuration lines", args.file.display());
    }
    let Some(client) = DaemonClient::discover(args.socket.as_deref()).await? else {
        anyhow::bail!(netkeep_keeper::client::no_daemon_message());
    };
    let r = client.config(&args.device, &lines).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        for c in &r.outputs {
            if !c.output.is_empty() {
                println!("{}", c.output);
            }
            if let Some(p) = &c.partial_output {
                println!("{p}");
            }
            if let Some(e) = &c.error {
                eprintln!("netkeep: {}: {e}", r.device);
            }
        }
        if let Some(e) = &r.error {
            eprintln!("netkeep: {}: {e}", r.device);
        }
    }
    Ok(if r.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Configuration lines from a changes file: trailing whitespace trimmed, blank lines and
/// comment lines (`#`, `!`) skipped.
fn config_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim_end())
        .filter(|l| {
            let t = l.trim_start();
            !t.is_empty() && !t.starts_with('#') && !t.starts_with('!')
        })
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn config_lines_skip_blanks_and_comments() {
        let l = super::config_lines("# c\ninterface G1/0/1\n description x \n\n!\n");
        assert_eq!(l, ["interface G1/0/1", " description x"]);
    }
}
