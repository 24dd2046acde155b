//! Parsing speed and template memory, in-process; `bench/textfsm_bench.py` does the same with
//! Python textfsm.
//!
//! ```text
//! cargo run --release -p netkeep-parse --example bench -- FIXTURES_DIR [ROUNDS] [--parse-only]
//! ```
//!
//! Templates come from the index (`NET_TEXTFSM`, else the ntc-templates package). Every
//! `<platform>/<command>/*.raw` of the fixture corpus is looked up once (platform, command from
//! the directory names) and its templates compiled once; the timed loop then parses every
//! output ROUNDS times (records built, several templates merged). Memory: resident set growth
//! while compiling every `*.textfsm` of the directory.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use netkeep_parse::{parse_merged, Index, Template};

/// Counts live heap bytes, so "memory for the compiled templates" is what they hold, not what
/// the allocator kept from building them. The count is per thread (the example runs on one):
/// a plain thread-local add, not an atomic one, so counting costs the timed loop next to nothing.
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    // During thread teardown the counter may be gone: those bytes are not ours to report.
    let _ = LIVE.try_with(|l| l.set(l.get() + delta));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        count(l.size() as isize);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        count(-(l.size() as isize));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn live_mib() -> f64 {
    LIVE.with(Cell::get) as f64 / (1024.0 * 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let fixtures = PathBuf::from(
        args.next()
            .ok_or("usage: bench FIXTURES_DIR [ROUNDS] [--parse-only]")?,
    );
    let rounds: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(20);
    let dir = netkeep_parse::template_dir()?;

    // `--parse-only`: skip compiling every template (for profilers).
    let mut _all = Vec::new();
    if args.next().as_deref() != Some("--parse-only") {
        let (rss0, live0) = (rss_kib(), live_mib());
        let t = Instant::now();
        let all = compile_all(&dir)?;
        let compile_s = t.elapsed().as_secs_f64();
        println!(
            "compile: {} templates in {:.2} s, heap held +{:.1} MiB, resident set +{:.1} MiB",
            all.len(),
            compile_s,
            live_mib() - live0,
            (rss_kib() - rss0) as f64 / 1024.0
        );
        _all = all;
    }

    let index = Index::load(&dir)?;
    let cases = cases(&fixtures, &index)?;
    let mut records = 0;
    let cpu0 = cpu_secs();
    let t = Instant::now();
    for _ in 0..rounds {
        for (templates, raw) in &cases {
            records += parse_merged(templates, raw)?.len();
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_secs() - cpu0;
    let parses = rounds * cases.len();
    println!(
        "parse: {} outputs x {rounds} rounds = {parses} parses, {records} records, {:.3} s, {:.1} us/parse wall, {:.1} us/parse CPU",
        cases.len(),
        secs,
        secs * 1e6 / parses as f64,
        cpu * 1e6 / parses as f64
    );
    println!(
        "after parsing: heap held {:.1} MiB, resident set {:.1} MiB",
        live_mib(),
        rss_kib() as f64 / 1024.0
    );
    Ok(())
}

/// Every template of the directory, compiled.
fn compile_all(dir: &Path) -> Result<Vec<Template>, Box<dyn std::error::Error>> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "textfsm"))
        .collect();
    names.sort();
    Ok(names
        .iter()
        .map(|p| Template::from_file(p))
        .collect::<Result<_, _>>()?)
}

type Case = (Vec<Arc<Template>>, String);

/// The corpus: each output with its templates (looked up and compiled before timing).
fn cases(fixtures: &Path, index: &Index) -> Result<Vec<Case>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    for platform in sorted_dirs(fixtures)? {
        for cmd in sorted_dirs(&platform)? {
            let p = platform
                .file_name()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            let command = cmd
                .file_name()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .replace('_', " ");
            let Some(row) = index.lookup(p, &command) else {
                continue;
            };
            let templates = index.templates_of(row)?;
            let mut raws: Vec<PathBuf> = std::fs::read_dir(&cmd)?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|f| f.extension().is_some_and(|e| e == "raw"))
                .collect();
            raws.sort();
            for raw in raws {
                out.push((
                    templates.clone(),
                    String::from_utf8_lossy(&std::fs::read(raw)?).into_owned(),
                ));
            }
        }
    }
    Ok(out)
}

fn sorted_dirs(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    Ok(v)
}

/// CPU time of this process (user + system), from `/proc/self/stat` (clock ticks of 10 ms).
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or_default();
    let f: Vec<f64> = after_name
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the name.
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}

/// Resident set size in KiB (Linux `/proc/self/statm`; 0 elsewhere).
fn rss_kib() -> i64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: i64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    pages * 4
}
