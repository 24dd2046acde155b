//! `netkeep parse`: command output in, TextFSM records out as a JSON array (for scripts, and
//! for testing templates offline).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use netkeep_parse::{Index, Template};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The platform as the template index names it (e.g. cisco_ios, hp_comware, huawei_vrp).
    #[arg(long, required_unless_present = "template")]
    platform: Option<String>,
    /// The command whose output this is (abbreviations work as on the device: `sh ver`).
    #[arg(long, required_unless_present = "template")]
    command: Option<String>,
    /// The output to parse: a file, or `-` / nothing for standard input.
    file: Option<PathBuf>,
    /// Parse with this template file instead of looking one up (repeat it to merge several on
    /// their Key values, as an index row `a.textfsm:b.textfsm` does).
    #[arg(long)]
    template: Vec<PathBuf>,
    /// The directory holding the template index [default: NET_TEXTFSM, else the ntc-templates
    /// Python package].
    #[arg(long)]
    index_dir: Option<PathBuf>,
    /// One line of JSON instead of an indented array.
    #[arg(long)]
    compact: bool,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let output = read_input(args.file.as_deref())?;
    let records = if args.template.is_empty() {
        let dir = match &args.index_dir {
            Some(d) => d.clone(),
            None => netkeep_parse::template_dir()?,
        };
        let index = Index::load(&dir)?;
        let platform = args.platform.as_deref().unwrap_or_default();
        let command = args.command.as_deref().unwrap_or_default();
        index.parse_output(platform, command, &output)?
    } else {
        let templates = args
            .template
            .iter()
            .map(|p| Template::from_file(p).map(Arc::new))
            .collect::<Result<Vec<_>, _>>()?;
        netkeep_parse::parse_merged(&templates, &output)?
    };
    let json = if args.compact {
        serde_json::to_string(&records)?
    } else {
        serde_json::to_string_pretty(&records)?
    };
    println!("{json}");
    Ok(ExitCode::SUCCESS)
}

fn read_input(file: Option<&Path>) -> anyhow::Result<String> {
    let bytes = match file {
        Some(p) if p != Path::new("-") => {
            std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?
        }
        _ => {
            let mut b = Vec::new();
            std::io::stdin()
                .read_to_end(&mut b)
                .context("cannot read standard input")?;
            b
        }
    };
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
