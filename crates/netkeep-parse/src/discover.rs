//! Where templates come from, in Netmiko's order:
//!
//! 1. `NET_TEXTFSM`: a directory with an `index` file (or whose `templates/` subdirectory has
//!    one, as Netmiko accepts). When set, it must be valid: there is no fallback.
//! 2. The `ntc-templates` Python package: first in the active virtualenv (`$VIRTUAL_ENV`,
//!    read from disk), else by asking the interpreter (`$NETKEEP_PYTHON`, else `python3`) once
//!    per process where `ntc_templates` is (`importlib.util.find_spec`, which does not import
//!    it); its `templates/` directory.
//! 3. `~/ntc-templates/ntc_templates/templates` (a git clone, Netmiko's last resort).
//!
//! Otherwise [`Error::NoTemplates`] says how to get them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::error::Error;

/// The template directory (it holds an `index` file), found as the module doc says.
pub fn template_dir() -> Result<PathBuf, Error> {
    if let Some(dir) = std::env::var_os("NET_TEXTFSM").filter(|v| !v.is_empty()) {
        let dir = expand_home(Path::new(&dir));
        return [dir.clone(), dir.join("templates")]
            .into_iter()
            .find(|d| has_index(d))
            .ok_or_else(|| Error::NoTemplates {
                tried: format!(
                    "NET_TEXTFSM={} has no `index` file, nor has its templates/",
                    dir.display()
                ),
            });
    }
    let mut tried = Vec::new();
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV") {
        if let Some(d) = venv_templates(Path::new(&venv)) {
            return Ok(d);
        }
        tried.push(format!("the virtualenv {}", Path::new(&venv).display()));
    }
    let python = python();
    match python_package_dir(&python) {
        Some(d) if has_index(&d.join("templates")) => return Ok(d.join("templates")),
        Some(d) => tried.push(format!("{} (no templates/index)", d.display())),
        None => tried.push(format!("{}: no ntc_templates package", python)),
    }
    if let Some(home) = std::env::var_os("HOME") {
        let d = Path::new(&home).join("ntc-templates/ntc_templates/templates");
        if has_index(&d) {
            return Ok(d);
        }
        tried.push(d.display().to_string());
    }
    Err(Error::NoTemplates {
        tried: format!("NET_TEXTFSM unset; {}", tried.join("; ")),
    })
}

fn has_index(dir: &Path) -> bool {
    dir.join("index").is_file()
}

fn expand_home(p: &Path) -> PathBuf {
    match (p.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => Path::new(&home).join(rest),
        _ => p.to_path_buf(),
    }
}

/// The interpreter asked about the package.
fn python() -> String {
    std::env::var("NETKEEP_PYTHON")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "python3".into())
}

/// `VENV/lib/python3.*/site-packages/ntc_templates/templates`, if it has an index.
fn venv_templates(venv: &Path) -> Option<PathBuf> {
    let lib = std::fs::read_dir(venv.join("lib")).ok()?;
    lib.filter_map(Result::ok)
        .map(|e| e.path().join("site-packages/ntc_templates/templates"))
        .find(|d| has_index(d))
}

/// The `ntc_templates` package directory as `python` sees it (asked once per process).
fn python_package_dir(python: &str) -> Option<PathBuf> {
    static CACHE: OnceLock<Option<PathBuf>> = OnceLock::new();
    CACHE
        .get_or_init(|| {
            let script = "import importlib.util as u\n\
                          s = u.find_spec('ntc_templates')\n\
                          print(s.submodule_search_locations[0] if s and s.submodule_search_locations else '')";
            let out = Command::new(python).args(["-c", script]).output().ok()?;
            let dir = String::from_utf8(out.stdout).ok()?;
            let dir = dir.trim();
            (out.status.success() && !dir.is_empty()).then(|| PathBuf::from(dir))
        })
        .clone()
}
