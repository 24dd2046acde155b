//! Parsed output (`parse: true`, `netkeep exec --parse`): each command's output as TextFSM
//! records, or `null` and a note that says why — the output itself is always kept.
//!
//! The API parses once a device's commands are done and its session is back in the pool, on
//! the runtime's blocking threads: parsing never holds a session.
//!
//! ```
//! use netkeep_keeper::parsed::{parse_one, templates, Caller};
//! let t = templates(None).unwrap();
//! // No template index installed, or no template for this command: a note, not an error.
//! let r = parse_one("hp_comware", "display nothing-like-this", "x", &t, Caller::Local);
//! assert!(r.is_err());
//! assert!(templates(Some("relative.textfsm")).is_err());
//! ```

use std::collections::HashMap;
use std::path::Path;

use netkeep_parse::{Error as ParseError, Records, Templates};

use crate::wire::{CommandResult, DeviceResult};

/// Largest template file parsed (a template is a few kB; this refuses `/dev/zero` and logs).
const MAX_TEMPLATE_BYTES: u64 = 1 << 20;

/// Who asked: a local user sees a template's compile error in full; an API caller names a file
/// on the daemon's host, so its note gives the file and line but never the file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// The CLI on a direct session.
    Local,
    /// A request to the daemon.
    Remote,
}

/// The templates a request names: the index, or its `template` file (an absolute path: the
/// daemon's working directory is nobody's business).
pub fn templates(template: Option<&str>) -> Result<Templates, String> {
    match template {
        None => Ok(Templates::Index),
        Some(t) if Path::new(t).is_absolute() => Ok(Templates::file(t)),
        Some(t) => Err(format!(
            "`template` must be an absolute path to a template file on the daemon's host, not {t:?}"
        )),
    }
}

/// Parses one command's `output` for a device of `platform` (its template name, e.g.
/// `huawei_vrp`): the records, or the note that says why there are none.
pub fn parse_one(
    platform: &str,
    command: &str,
    output: &str,
    templates: &Templates,
    caller: Caller,
) -> Result<Records, String> {
    if let Templates::Files(files) = templates {
        for f in files {
            usable_file(f)?;
        }
    }
    templates
        .parse(platform, command, output)
        .map_err(|e| note(&e, templates, caller))
}

/// A template file that is a regular file of sane size (not a device, FIFO or directory).
fn usable_file(f: &Path) -> Result<(), String> {
    let meta = std::fs::metadata(f).map_err(|e| format!("template {}: {e}", f.display()))?;
    if !meta.is_file() {
        return Err(format!("template {}: not a regular file", f.display()));
    }
    if meta.len() > MAX_TEMPLATE_BYTES {
        return Err(format!(
            "template {}: {} bytes, over the {MAX_TEMPLATE_BYTES}-byte limit for a template",
            f.display(),
            meta.len()
        ));
    }
    Ok(())
}

/// The parser's error as a note; a user file's compile error without its text for a remote
/// caller.
fn note(e: &ParseError, templates: &Templates, caller: Caller) -> String {
    match (e, templates, caller) {
        (ParseError::Template { template, line, .. }, Templates::Files(_), Caller::Remote) => {
            format!(
                "template {template} line {line} is not a valid TextFSM template (check it with `netkeep parse --template {template}`)"
            )
        }
        _ => e.to_string(),
    }
}

/// Fills `parsed` and `parse_note` of every command of `results` (device name → its template
/// platform in `platforms`), on a blocking thread.
pub async fn annotate(
    results: Vec<DeviceResult>,
    platforms: HashMap<String, String>,
    templates: Templates,
) -> Vec<DeviceResult> {
    tokio::task::spawn_blocking(move || {
        let mut results = results;
        for r in &mut results {
            let platform = platforms.get(&r.device).map(String::as_str);
            for c in &mut r.outputs {
                fill(c, platform, &templates);
            }
        }
        results
    })
    .await
    .unwrap_or_else(|e| match e.try_into_panic() {
        Ok(p) => std::panic::resume_unwind(p),
        // The runtime is shutting down: nobody is left to answer.
        Err(_) => Vec::new(),
    })
}

/// One command's `parsed`/`parse_note`.
fn fill(c: &mut CommandResult, platform: Option<&str>, templates: &Templates) {
    let parsed = if c.rejected.is_some() {
        Err("the device rejected the command: its answer is not parsed".to_string())
    } else if !c.ok {
        Err("the command failed: nothing to parse".to_string())
    } else if let Some(p) = platform {
        parse_one(p, &c.command, &c.output, templates, Caller::Remote)
    } else {
        Err("the device's platform could not be read: no template name for it".to_string())
    };
    match parsed {
        Ok(records) => c.parsed = Some(Some(records)),
        Err(why) => {
            c.parsed = Some(None);
            c.parse_note = Some(why);
        }
    }
}
