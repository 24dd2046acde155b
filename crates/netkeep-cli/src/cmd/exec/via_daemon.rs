//! Inventory devices: through the running daemon (its warm sessions); without one, a direct
//! session per device from `--inventory`, one device after another.

use std::process::ExitCode;

use netkeep_keeper::client::DaemonClient;
use netkeep_keeper::select::Target;
use netkeep_keeper::wire::{CommandSpec, ExecBody, ExecResponse};

use netkeep_parse::Templates;

use super::args::{templates, usage, Args, Selection};
use super::one_shot;
use crate::exit;
use crate::output::{print_out, rejected, report};
use crate::records::print_parsed;

/// Runs `commands` on the selected devices, through the daemon when one answers.
pub async fn run(
    args: &Args,
    sel: Selection,
    commands: &[CommandSpec],
) -> anyhow::Result<ExitCode> {
    let client = match args.daemon.discover().await {
        Ok(Some(c)) => c,
        Ok(None) => return from_inventory(args, sel, commands).await,
        // A daemon named with --socket/--url that does not answer: the inventory, if given,
        // still says how to reach the devices, as when no daemon is found at all.
        Err(e) if args.inventory.is_some() => {
            tracing::info!("{e}; connecting directly from --inventory");
            return from_inventory(args, sel, commands).await;
        }
        Err(e) => {
            eprintln!("netkeep: {e}");
            return Ok(exit::code(exit::for_client(&e)));
        }
    };
    through(args, &client, sel, commands).await
}

async fn through(
    args: &Args,
    client: &DaemonClient,
    sel: Selection,
    commands: &[CommandSpec],
) -> anyhow::Result<ExitCode> {
    let mut body = ExecBody {
        commands: commands.to_vec(),
        read_timeout_ms: Some(args.conn.read_timeout.as_millis().max(1) as u64),
        continue_on_error: args.continue_on_error,
        filter: (!sel.filter.is_empty()).then_some(sel.filter),
        ..ExecBody::default()
    };
    if let Ok(Some(t)) = templates(args) {
        body.parse = true;
        if let Templates::Files(files) = t {
            body.template = files.first().map(|f| f.to_string_lossy().into_owned());
        }
    }
    match sel.target {
        Target::Device(d) => body.device = Some(d),
        Target::Devices(ds) => body.devices = Some(ds),
        Target::Group(g) => body.group = Some(g),
        Target::All => {}
    }
    let resp = match client.exec_body(&body).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("netkeep: {e}");
            return Ok(exit::code(exit::for_client(&e)));
        }
    };
    if args.json {
        print_out(&serde_json::to_string_pretty(&resp)?);
    } else {
        print_results(&resp, commands.len() > 1, body.parse);
    }
    Ok(exit::code(exit::for_results(&resp.results)))
}

/// The text form: outputs on stdout (headed by device and command when there are several),
/// each rejection and error once on stderr, a summary line for a fan-out.
fn print_results(resp: &ExecResponse, many_commands: bool, parse: bool) {
    let many = resp.results.len() > 1;
    for r in &resp.results {
        if many {
            print_out(&format!("=== {}", r.device));
        }
        for c in &r.outputs {
            if many_commands {
                print_out(&format!("--- {}", c.command));
            }
            match c.partial_output.as_deref().filter(|p| !p.is_empty()) {
                Some(p) => print_out(p),
                None if c.error.is_none() && parse => {
                    let records = c.parsed.as_ref().and_then(Option::as_ref);
                    let note = c.parse_note.as_deref().unwrap_or("no records");
                    print_parsed(&r.device, &c.command, records.ok_or(note), &c.output);
                }
                None if c.error.is_none() => print_out(&c.output),
                None => {}
            }
            if let Some(line) = &c.rejected {
                rejected(&r.device, &c.command, line);
            }
            if let Some(e) = &c.error {
                report(&r.device, &format!("{:?}: {e}", c.command));
            }
        }
        if let Some(e) = &r.error {
            report(&r.device, e);
        }
    }
    if many {
        let failed = resp.results.iter().filter(|r| !r.ok).count();
        eprintln!(
            "netkeep: {} device(s), {failed} failed, {:.1} ms",
            resp.results.len(),
            resp.elapsed_ms
        );
    }
}

/// No daemon (or a session log asked for): one direct session per selected device of
/// `--inventory`, in order.
pub(super) async fn from_inventory(
    args: &Args,
    sel: Selection,
    commands: &[CommandSpec],
) -> anyhow::Result<ExitCode> {
    let inv = match args.conn.direct_inventory(args.inventory.as_deref(), usage) {
        Ok(i) => i,
        Err(code) => return Ok(code),
    };
    for w in &inv.warnings {
        tracing::warn!("{w}");
    }
    let names = match inv.select(&sel.target, &sel.filter) {
        Ok(n) => n,
        Err(e) => return Ok(usage(&format!("{e} in {}", inv.source.display()))),
    };
    let mut first_failure = exit::OK;
    let mut docs = Vec::with_capacity(names.len());
    for name in &names {
        if names.len() > 1 && !args.json {
            print_out(&format!("=== {name}"));
        }
        let opts = args.conn.inventory_options(&inv.devices[name])?;
        let (code, doc) = one_shot::run_session(args, opts, commands).await;
        docs.push(doc);
        if first_failure == exit::OK {
            first_failure = code;
        }
        if code == exit::INTERRUPTED {
            break;
        }
    }
    if args.json {
        let doc = match docs.len() {
            1 => docs.remove(0),
            _ => serde_json::Value::Array(docs),
        };
        print_out(&serde_json::to_string_pretty(&doc)?);
    }
    Ok(exit::code(first_failure))
}
