//! What the differential tests share: the Python interpreter with textfsm 2.1.0 and
//! ntc-templates 9.3.0 (`NETKEEP_PYTHON`, else `python3`), the fixture corpus and the templates.
//!
//! Without them a test prints why and passes, unless `NETKEEP_REQUIRE_SYSTEM_TOOLS` is set (CI),
//! where it fails.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The reference script beside this file.
pub fn reference_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/textfsm_reference.py")
}

/// Skips (or fails in CI) with a reason.
pub fn unavailable(why: &str) {
    if std::env::var_os("NETKEEP_REQUIRE_SYSTEM_TOOLS").is_some() {
        panic!("{why} and NETKEEP_REQUIRE_SYSTEM_TOOLS is set");
    }
    eprintln!("skipping: {why}");
}

/// The interpreter that has textfsm and ntc_templates.
pub fn python() -> Option<String> {
    let py = std::env::var("NETKEEP_PYTHON")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "python3".into());
    let ok = Command::new(&py)
        .args(["-c", "import textfsm, ntc_templates"])
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Some(py)
    } else {
        unavailable(&format!("{py} cannot import textfsm and ntc_templates (pip install textfsm==2.1.0 ntc-templates==9.3.0; NETKEEP_PYTHON=...)"));
        None
    }
}

/// Runs the reference script and parses its JSON answer.
pub fn reference(python: &str, args: &[&str]) -> serde_json::Value {
    let out = Command::new(python)
        .arg(reference_script())
        .args(args)
        .output()
        .expect("run the reference script");
    assert!(
        out.status.success(),
        "reference script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("reference JSON")
}

/// The recorded device outputs: `NETKEEP_FIXTURES`, else `../shared/fixtures/device-output`
/// beside the repository.
pub fn fixtures() -> Option<PathBuf> {
    let dir = match std::env::var_os("NETKEEP_FIXTURES") {
        Some(d) => PathBuf::from(d),
        None => {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/device-output")
        }
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        unavailable(&format!(
            "no fixture corpus at {} (set NETKEEP_FIXTURES)",
            dir.display()
        ));
        None
    }
}

/// The ntc-templates directory, found as netkeep finds it.
pub fn templates() -> Option<PathBuf> {
    match netkeep_parse::template_dir() {
        Ok(d) => Some(d),
        Err(e) => {
            unavailable(&e.to_string());
            None
        }
    }
}
