//! `use_textfsm`: command output to records with netkeep-parse, templates found as Netmiko finds
//! them (`NET_TEXTFSM`, else the installed ntc-templates package). The index is read once per
//! template directory and kept.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use netkeep_parse::{Field, Index, Item, Record, Template};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// The ntc-templates platform a Netmiko device_type's output is parsed as. The one place this
/// mapping lives: the platform files' `textfsm_platform` key replaces it.
#[pyfunction]
pub fn textfsm_platform(device_type: &str) -> String {
    let base = device_type
        .strip_suffix("_telnet")
        .or_else(|| device_type.strip_suffix("_ssh"))
        .unwrap_or(device_type);
    match base {
        "huawei" | "huawei_vrpv8" => "huawei_vrp",
        other => other,
    }
    .to_string()
}

/// The loaded index, with the directory it came from.
static INDEX: Mutex<Option<(PathBuf, Arc<Index>)>> = Mutex::new(None);

/// The index of `dir`, else of the directory found as Netmiko finds it.
fn index(dir: Option<PathBuf>) -> Result<Arc<Index>, String> {
    let dir = match dir {
        Some(d) => d,
        None => netkeep_parse::template_dir().map_err(|e| e.to_string())?,
    };
    let mut cached = INDEX.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((d, idx)) = cached.as_ref() {
        if *d == dir {
            return Ok(idx.clone());
        }
    }
    let idx = Arc::new(Index::load(&dir).map_err(|e| e.to_string())?);
    *cached = Some((dir, idx.clone()));
    Ok(idx)
}

/// Records for `output`, or why there are none: the template given, else the index's for the
/// platform and command.
fn records(
    platform: &str,
    command: &str,
    output: &str,
    template: Option<&str>,
    template_dir: Option<PathBuf>,
) -> Result<Vec<Record>, String> {
    match template {
        Some(path) => {
            let t = Template::from_file(Path::new(path)).map_err(|e| e.to_string())?;
            t.parse_output(output).map_err(|e| e.to_string())
        }
        None => {
            let index = index(template_dir)?;
            let first = index.parse_output(&textfsm_platform(platform), command.trim(), output);
            match first {
                // As Netmiko: IOS-XE output that no cisco_xe template takes is tried as IOS.
                Ok(rs) if rs.is_empty() && platform == "cisco_xe" => index
                    .parse_output("cisco_ios", command.trim(), output)
                    .map_err(|e| e.to_string()),
                Err(_) if platform == "cisco_xe" => index
                    .parse_output("cisco_ios", command.trim(), output)
                    .map_err(|e| e.to_string()),
                other => other.map_err(|e| e.to_string()),
            }
        }
    }
}

/// Parses `output` of `command` on `platform` (a Netmiko device_type) into a list of dicts;
/// `template_dir` is where the index is (the caller found the ntc-templates package), else it
/// is looked for as Netmiko does.
/// Returns `(records, None)`, or `(None, reason)` when no template applies, the parse failed, or
/// it found nothing — Netmiko then returns the raw text, or raises with `raise_parsing_error`.
#[pyfunction]
#[pyo3(signature = (platform, command, output, template=None, template_dir=None))]
pub fn parse_output<'py>(
    py: Python<'py>,
    platform: &str,
    command: &str,
    output: &str,
    template: Option<&str>,
    template_dir: Option<PathBuf>,
) -> PyResult<(Option<Bound<'py, PyList>>, Option<String>)> {
    let parsed = py.detach(|| records(platform, command, output, template, template_dir));
    match parsed {
        Ok(rs) if rs.is_empty() => Ok((
            None,
            Some("template found, but it matched nothing in the output".into()),
        )),
        Ok(rs) => {
            let list = PyList::empty(py);
            for r in &rs {
                list.append(record_to_py(py, r)?)?;
            }
            Ok((Some(list), None))
        }
        Err(why) => Ok((None, Some(why))),
    }
}

fn record_to_py<'py>(py: Python<'py>, r: &Record) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in r {
        match v {
            Field::Text(s) => d.set_item(&**k, s)?,
            Field::List(items) => {
                let l = PyList::empty(py);
                for item in items {
                    match item {
                        Item::Text(s) => l.append(s)?,
                        Item::Missing => l.append(py.None())?,
                        Item::Groups(g) => {
                            let gd = PyDict::new(py);
                            for (gk, gv) in g {
                                gd.set_item(gk, gv.as_deref())?;
                            }
                            l.append(gd)?
                        }
                    }
                }
                d.set_item(&**k, l)?
            }
        }
    }
    Ok(d)
}
