//! Fuzz findings as regression tests, and short seeded fuzz runs of each target with the stable
//! driver (`netkeep-fuzz`, run as a child process: it caps allocations and catches aborts, so a
//! crashing input cannot take the test runner or the machine down). Inputs live in
//! `fuzz/regressions/<target>/`; names starting `open-` are known, unfixed crashes.

use std::path::PathBuf;
use std::process::Command;

const DRIVER: &str = env!("CARGO_BIN_EXE_netkeep-fuzz");

/// `fuzz/regressions/`: one folder of inputs per target.
fn regressions_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions")
}

fn regressions(target: &str, open: bool) -> Vec<PathBuf> {
    let dir = regressions_root().join(target);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.retain(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        p.is_file() && !name.starts_with('.') && name.starts_with("open-") == open
    });
    v.sort();
    v
}

fn replay(target: &str, files: &[PathBuf]) -> (bool, String) {
    if files.is_empty() {
        return (true, String::new());
    }
    let art = tempfile::tempdir().unwrap();
    let (out, text) = run_driver(
        Command::new(DRIVER)
            .arg(target)
            .arg("--artifacts")
            .arg(art.path())
            .arg("--replay")
            .args(files),
    );
    (out.status.success(), text)
}

/// Runs the driver; returns its output and its stdout and stderr as one text.
fn run_driver(cmd: &mut Command) -> (std::process::Output, String) {
    let out = cmd.output().expect("run netkeep-fuzz");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out, text)
}

/// Regression folders another crate's test replays: textfsm's by
/// `netkeep-parse/tests/fuzz_replay.rs` (netkeep-parse is not a dependency of this crate).
const REPLAYED_ELSEWHERE: &[&str] = &["textfsm"];

#[test]
fn fixed_regressions_stay_fixed() {
    // The inputs must be where this test looks: a moved folder would replay nothing and pass.
    let root = regressions_root();
    let folders: Vec<String> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .collect();
    let targets: Vec<&str> = netkeep_reliability::fuzz::TARGETS
        .iter()
        .map(|t| t.0)
        .collect();
    for f in &folders {
        assert!(
            targets.contains(&f.as_str()) || REPLAYED_ELSEWHERE.contains(&f.as_str()),
            "fuzz/regressions/{f} names no fuzz target ({targets:?}): its inputs would never run"
        );
    }
    let mut n = 0;
    for (target, _) in netkeep_reliability::fuzz::TARGETS {
        let files = regressions(target, false);
        n += files.len();
        let (ok, text) = replay(target, &files);
        assert!(ok, "{target}:\n{text}");
    }
    println!("{n} regression inputs replayed");
    assert!(n > 0, "no regression inputs found under {}", root.display());
}

/// Known, unfixed crashes (`open-*` files). None are open now: the huge-cursor crash in
/// netkeep-channel (found by the stable driver) was fixed and its inputs renamed to regressions.
#[test]
#[ignore = "replays known-open crashes; run when an open-* input is added"]
fn open_crashes_are_fixed() {
    for (target, _) in netkeep_reliability::fuzz::TARGETS {
        let files = regressions(target, true);
        let (ok, text) = replay(target, &files);
        assert!(ok, "{target}:\n{text}");
    }
}

fn short_run(target: &str, seconds: u32) {
    let seed = std::env::var("NETKEEP_FUZZ_SEED").unwrap_or_else(|_| "20261126".into());
    let art = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let (out, text) = run_driver(
        Command::new(DRIVER)
            .arg(target)
            .args(["--seconds", &seconds.to_string(), "--seed", &seed])
            .arg("--corpus")
            .arg(root.join("crates/netkeep-channel/tests/fixtures"))
            .arg("--corpus")
            .arg(root.join("fuzz/regressions").join(target))
            .arg("--artifacts")
            .arg(art.path()),
    );
    println!("{}", text.trim());
    assert!(text.contains("execs="), "{text}");
    assert!(
        out.status.success(),
        "{target} crashed (seed {seed}):\n{text}"
    );
}

#[test]
fn short_fuzz_prompt_match() {
    short_run("prompt_match", 2);
}

#[test]
fn short_fuzz_inventory() {
    short_run("inventory", 2);
}

#[test]
fn short_fuzz_sim_input() {
    short_run("sim_input", 3);
}

#[test]
fn short_fuzz_clean_output() {
    short_run("clean_output", 2);
}

#[test]
fn short_fuzz_telnet_codec() {
    short_run("telnet_codec", 2);
}
