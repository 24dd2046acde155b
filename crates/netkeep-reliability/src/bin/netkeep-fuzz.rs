//! A stable-Rust fuzz driver for netkeep's fuzz targets (`netkeep_reliability::fuzz`), for
//! machines where cargo-fuzz/libFuzzer cannot run. Mutation-based (byte flips, inserts, deletes,
//! splices, dictionary tokens) from a seed corpus, no coverage feedback. Panics are caught per
//! input; aborts (allocation over the cap, stack overflow) and hangs are caught by a signal
//! handler / watchdog that first writes the input out. Every crash is saved to
//! `<artifacts>/<target>/crash-<hash>` and becomes a regression input.
//!
//! ```text
//! netkeep-fuzz clean_output --seconds 60 --corpus fuzz/corpus/clean_output --artifacts fuzz/artifacts
//! netkeep-fuzz --replay fuzz/regressions/clean_output/crash-1234 clean_output
//! ```
//! Prints one line: `target=... execs=... crashes=... unique=... seconds=...`; exit 1 on a crash.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};

/// Refuse single allocations over 1 GiB (libFuzzer's `-malloc_limit_mb` idea): abort with the
/// input saved instead of swapping the machine to death.
struct CappedAlloc;

const ALLOC_CAP: usize = 1 << 30;

unsafe impl GlobalAlloc for CappedAlloc {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if l.size() > ALLOC_CAP {
            report_and_abort(b"allocation over 1 GiB");
        }
        System.alloc(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        if n > ALLOC_CAP {
            report_and_abort(b"allocation over 1 GiB");
        }
        System.realloc(p, l, n)
    }
}

#[global_allocator]
static A: CappedAlloc = CappedAlloc;

// The input being run, for the abort path (raw pointer + length; written before each run).
static CUR_PTR: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());
static CUR_LEN: AtomicUsize = AtomicUsize::new(0);
// An fd opened in advance for the crash file (no allocation in the abort path).
static CRASH_FD: AtomicUsize = AtomicUsize::new(usize::MAX);

fn report_and_abort(why: &[u8]) -> ! {
    unsafe {
        let fd = CRASH_FD.load(Ordering::Relaxed);
        if fd != usize::MAX {
            let p = CUR_PTR.load(Ordering::Relaxed);
            let n = CUR_LEN.load(Ordering::Relaxed);
            if !p.is_null() {
                libc::write(fd as i32, p as *const libc::c_void, n);
            }
        }
        let msg = b"netkeep-fuzz: deadly: ";
        libc::write(2, msg.as_ptr() as *const libc::c_void, msg.len());
        libc::write(2, why.as_ptr() as *const libc::c_void, why.len());
        libc::write(2, b"\n".as_ptr() as *const libc::c_void, 1);
        libc::_exit(70);
    }
}

extern "C" fn on_signal(_sig: i32) {
    report_and_abort(b"signal (abort / segfault / stack overflow)");
}

const DICT: &[&[u8]] = &[
    b"\r\n",
    b"\r\r\n",
    b"\n",
    b"\r",
    b"\x08",
    b"\x1b[K",
    b"\x1b[1K",
    b"\x1b[2K",
    b"\x1b[16D",
    b"\x1b[42D",
    b"\x1b[99999999999C",
    b"\x1b[18446744073709551615G",
    b"\x1b[?25h",
    b"\x1b]0;t\x07",
    b"\x1b(B",
    b"\x00",
    b"^@",
    b"\x03",
    b"<H3C>",
    b"[H3C]",
    b"[H3C-vlan10]",
    b"R1#",
    b"R1>",
    b"R1(config)#",
    b"admin@router1>",
    b"switch#",
    b"---- More ----",
    b" --More-- ",
    b"  ---- More ----\x1b[16D                \x1b[16D",
    b"% Unrecognized command",
    b"% Invalid input detected at '^' marker.",
    b"%All user lines are in use.",
    b"hosts:",
    b"groups:",
    b"defaults:",
    b"  sw1:",
    b"    hostname: ",
    b"    port: ",
    b"    platform: hp_comware",
    b"password_env: X",
    b"password_file: /dev/null",
    b"keepalive: { mode: nul, interval: 3s }",
    b"max_sessions: 0",
    b"groups: [a, b]",
    b"idle_timeout: 99999999999999s",
    b"&anchor",
    b"*anchor",
    b"<<: *a",
    b"!!binary",
    b"display ",
    b"system-view",
    b"interface GigabitEthernet1/0/1",
    b"quit",
    b"save",
    b"screen-length disable",
    b"ping 10.0.0.1",
    b"undo ",
    b"vlan 4094",
    b"\t",
    b"?",
];

fn mutate(rng: &mut rand::rngs::StdRng, corpus: &[Vec<u8>], max_len: usize) -> Vec<u8> {
    let mut v = if corpus.is_empty() || rng.random_ratio(1, 10) {
        let n = rng.random_range(0..64);
        (0..n).map(|_| rng.random()).collect()
    } else {
        corpus[rng.random_range(0..corpus.len())].clone()
    };
    for _ in 0..rng.random_range(1..8) {
        let at = if v.is_empty() {
            0
        } else {
            rng.random_range(0..=v.len())
        };
        match rng.random_range(0..6) {
            0 if !v.is_empty() => {
                let i = rng.random_range(0..v.len());
                v[i] ^= 1 << rng.random_range(0..8);
            }
            1 => v.insert(at, rng.random()),
            2 if !v.is_empty() => {
                let end = (at + rng.random_range(1..16)).min(v.len());
                let start = at.min(end);
                v.drain(start..end);
            }
            3 | 4 => {
                let t = DICT[rng.random_range(0..DICT.len())];
                v.splice(at..at, t.iter().copied());
            }
            _ if !corpus.is_empty() => {
                let o = &corpus[rng.random_range(0..corpus.len())];
                if !o.is_empty() {
                    let s = rng.random_range(0..o.len());
                    let e = (s + rng.random_range(1..64)).min(o.len());
                    v.splice(at..at, o[s..e].iter().copied());
                }
            }
            _ => {}
        }
    }
    v.truncate(max_len);
    v
}

fn load_corpus(dirs: &[PathBuf]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for d in dirs {
        let mut stack = vec![d.clone()];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                if let Ok(rd) = std::fs::read_dir(&p) {
                    stack.extend(rd.filter_map(|e| e.ok().map(|e| e.path())));
                }
            } else if let Ok(b) = std::fs::read(&p) {
                // Long recordings are cut into pieces: more variety per exec.
                for c in b.chunks(4096) {
                    out.push(c.to_vec());
                }
            }
        }
    }
    out
}

fn hash(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf29ce484222325u64, |h, &x| {
        (h ^ x as u64).wrapping_mul(0x100000001b3)
    })
}

fn usage() -> ! {
    eprintln!("usage: netkeep-fuzz TARGET [--seconds N] [--seed N] [--corpus DIR]... [--artifacts DIR] [--max-len N]");
    eprintln!("       netkeep-fuzz TARGET --replay FILE...");
    eprintln!(
        "targets: {}",
        netkeep_reliability::fuzz::TARGETS
            .iter()
            .map(|t| t.0)
            .collect::<Vec<_>>()
            .join(", ")
    );
    std::process::exit(2);
}

/// The command line.
struct Opts {
    target: String,
    run: netkeep_reliability::fuzz::Target,
    seconds: u64,
    seed: u64,
    max_len: usize,
    corpus_dirs: Vec<PathBuf>,
    artifacts: PathBuf,
    replay: Vec<PathBuf>,
}

fn parse_args() -> Opts {
    let mut args = std::env::args().skip(1);
    let Some(target) = args.next() else { usage() };
    let Some(&(_, run)) = netkeep_reliability::fuzz::TARGETS
        .iter()
        .find(|t| t.0 == target)
    else {
        usage()
    };
    let mut o = Opts {
        target,
        run,
        seconds: 10,
        seed: rand::random::<u64>(),
        max_len: 4096,
        corpus_dirs: Vec::new(),
        artifacts: PathBuf::from("fuzz/artifacts"),
        replay: Vec::new(),
    };
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--seconds" => o.seconds = val().parse().unwrap_or_else(|_| usage()),
            "--seed" => o.seed = val().parse().unwrap_or_else(|_| usage()),
            "--max-len" => o.max_len = val().parse().unwrap_or_else(|_| usage()),
            "--corpus" => o.corpus_dirs.push(PathBuf::from(val())),
            "--artifacts" => o.artifacts = PathBuf::from(val()),
            "--replay" => o.replay.push(PathBuf::from(val())),
            f if !f.starts_with('-') && !o.replay.is_empty() => o.replay.push(PathBuf::from(f)),
            _ => usage(),
        }
    }
    o
}

/// Inputs run so far (the hang watchdog watches it move).
static EXECS: AtomicU64 = AtomicU64::new(0);

/// Opens the crash file in advance and routes fatal signals to [`report_and_abort`]; returns
/// the file's path (removed again when the run ends without an abort).
fn arm_crash_reporting(dir: &std::path::Path) -> PathBuf {
    let pending = dir.join("crash-pending");
    if let Ok(f) = std::fs::File::create(&pending) {
        use std::os::fd::IntoRawFd;
        CRASH_FD.store(f.into_raw_fd() as usize, Ordering::Relaxed);
    }
    unsafe {
        for s in [libc::SIGABRT, libc::SIGSEGV, libc::SIGBUS, libc::SIGILL] {
            libc::signal(s, on_signal as *const () as libc::sighandler_t);
        }
    }
    // Hang watchdog: one input running for over 20 s counts as a crash.
    std::thread::spawn(|| {
        let mut last = (u64::MAX, Instant::now());
        loop {
            std::thread::sleep(Duration::from_secs(1));
            let n = EXECS.load(Ordering::Relaxed);
            if n != last.0 {
                last = (n, Instant::now());
            } else if last.1.elapsed() > Duration::from_secs(20) {
                report_and_abort(b"one input ran for over 20 s (hang)");
            }
        }
    });
    pending
}

/// Runs the target on one input at a time; a panic is caught and reported by its message.
struct Runner {
    run: netkeep_reliability::fuzz::Target,
    last_panic: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Runner {
    /// Quiet panics: we report them ourselves, once per location.
    fn new(run: netkeep_reliability::fuzz::Target) -> Runner {
        let last_panic = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let lp = last_panic.clone();
        std::panic::set_hook(Box::new(move |info| {
            *lp.lock().unwrap_or_else(|p| p.into_inner()) = info.to_string();
        }));
        Runner { run, last_panic }
    }

    /// The panic message, if `input` made the target panic.
    fn run_one(&self, input: &[u8]) -> Option<String> {
        CUR_PTR.store(input.as_ptr() as *mut u8, Ordering::Relaxed);
        CUR_LEN.store(input.len(), Ordering::Relaxed);
        let r = std::panic::catch_unwind(|| (self.run)(input));
        EXECS.fetch_add(1, Ordering::Relaxed);
        r.err().map(|_| {
            let p = self.last_panic.lock().unwrap_or_else(|p| p.into_inner());
            p.clone()
        })
    }
}

fn main() {
    let o = parse_args();
    let dir = o.artifacts.join(&o.target);
    let _ = std::fs::create_dir_all(&dir);
    let pending = arm_crash_reporting(&dir);
    let runner = Runner::new(o.run);
    let failed = if o.replay.is_empty() {
        fuzz(&o, &runner, &dir)
    } else {
        replay(&o.replay, &runner)
    };
    let _ = std::fs::remove_file(&pending);
    std::process::exit(if failed { 1 } else { 0 });
}

/// Runs each file once; true if any crashed.
fn replay(files: &[PathBuf], runner: &Runner) -> bool {
    let mut failed = false;
    for f in files {
        let b = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        match runner.run_one(&b) {
            None => println!("ok {}", f.display()),
            Some(p) => {
                failed = true;
                println!("CRASH {}: {p}", f.display());
            }
        }
    }
    failed
}

/// The corpus, then mutations of it until the time is up; each new crash location saved under
/// `dir`. Prints the summary line; true if anything crashed.
fn fuzz(o: &Opts, runner: &Runner, dir: &std::path::Path) -> bool {
    let corpus = load_corpus(&o.corpus_dirs);
    let mut rng = rand::rngs::StdRng::seed_from_u64(o.seed);
    let t0 = Instant::now();
    let (mut crashes, mut unique) = (0u64, std::collections::BTreeMap::<String, PathBuf>::new());
    let mut i = 0usize;
    while t0.elapsed() < Duration::from_secs(o.seconds) {
        let input = if i < corpus.len() {
            corpus[i].clone()
        } else {
            mutate(&mut rng, &corpus, o.max_len)
        };
        i += 1;
        if let Some(p) = runner.run_one(&input) {
            crashes += 1;
            if let std::collections::btree_map::Entry::Vacant(slot) = unique.entry(location(&p)) {
                let f = dir.join(format!("crash-{:016x}", hash(&input)));
                let _ = std::fs::write(&f, &input);
                eprintln!(
                    "netkeep-fuzz: {}: crash saved to {}: {p}",
                    o.target,
                    f.display()
                );
                slot.insert(f);
            }
        }
    }
    let execs = EXECS.load(Ordering::Relaxed);
    let secs = t0.elapsed().as_secs_f64();
    let mut out = std::io::stdout();
    let _ = writeln!(
        out,
        "target={} execs={execs} execs_per_s={:.0} crashes={crashes} unique={} seconds={secs:.1} seed={} corpus={}",
        o.target,
        execs as f64 / secs,
        unique.len(),
        o.seed,
        corpus.len()
    );
    for f in unique.values() {
        let _ = writeln!(out, "crash {}", f.display());
    }
    crashes > 0
}

/// A panic's location (the first line of its message, up to `file:line:col`), to dedupe on.
fn location(panic: &str) -> String {
    panic
        .lines()
        .next()
        .unwrap_or("")
        .split(':')
        .take(3)
        .collect::<Vec<_>>()
        .join(":")
}
