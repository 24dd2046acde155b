//! What every benchmark driver shares with the Python ones in `bench/py/`: the plan it reads, the
//! output checks, the statistics and the memory reading. Keep these rules identical to
//! `bench/py/common.py`, or the tools are not judged alike.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context;
use regex::Regex;
use serde::Deserialize;
use serde_json::{json, Value};

/// The run's plan, written by `bench/run.sh` (see `bench/py/plan.py`).
#[derive(Debug, Clone, Deserialize)]
pub struct Plan {
    pub host: String,
    pub username: String,
    pub password: String,
    pub platforms: BTreeMap<String, PlatformPlan>,
    pub connect_reps: usize,
    pub small_cmds: usize,
    pub big_reps: usize,
    pub alive_reps: usize,
    pub fleet_sizes: Vec<usize>,
    pub fleet_platforms: Vec<String>,
    pub fleet_seconds: f64,
    /// Rounds of the interleaved netkeep / baseline figures (`netkeep-bench interleaved`).
    #[serde(default = "default_interleave_rounds")]
    pub interleave_rounds: usize,
    #[serde(default)]
    pub daemon: Option<DaemonPlan>,
}

fn default_interleave_rounds() -> usize {
    10
}

/// One simulated platform: where its devices listen and what its commands must return.
#[derive(Debug, Clone, Deserialize)]
pub struct PlatformPlan {
    /// Device used for the single-session figures.
    pub port: u16,
    /// First port of the fleet (`fleet_count` consecutive ports).
    pub fleet_port: u16,
    pub fleet_count: usize,
    /// Device whose running configuration is ~1 MB.
    pub big_port: u16,
    /// Prompt of the privileged mode the commands run in.
    pub prompt: String,
    /// Prompt right after login (Cisco `R1>` before `enable`).
    pub login_prompt: String,
    /// Enter enable mode after login (answering the password prompt with the login password).
    #[serde(default)]
    pub enable: bool,
    pub paging_cmd: String,
    pub small_cmd: String,
    pub small_expect: String,
    pub big_cmd: String,
    pub big_expect: String,
    pub big_min_bytes: usize,
    /// Hostname per port (`{host}` in the prompts).
    pub hosts: BTreeMap<String, String>,
}

impl PlatformPlan {
    /// (privileged prompt, login prompt) of the device on `port`.
    pub fn prompts(&self, port: u16) -> (String, String) {
        let host = self
            .hosts
            .get(&port.to_string())
            .map(String::as_str)
            .unwrap_or("");
        (
            self.prompt.replace("{host}", host),
            self.login_prompt.replace("{host}", host),
        )
    }
}

/// `netkeep exec` through a running `netkeep serve`.
#[derive(Debug, Clone, Deserialize)]
pub struct DaemonPlan {
    /// Full argv; the last element is replaced by nothing: the command is part of it.
    pub argv: Vec<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    pub platform: String,
    pub cmd: String,
    pub reps: usize,
}

/// Counts output checks; the first failures are kept verbatim (shortened) for the report, and
/// every failure is counted by kind (`cut short`, `prompt in output`, ...) so a report can say
/// why a figure is not shown.
#[derive(Debug, Default)]
pub struct Checker {
    pub ok: u64,
    pub failed: u64,
    pub failures: Vec<String>,
    pub kinds: BTreeMap<String, u64>,
}

impl Checker {
    /// The same four rules as `bench/py/common.py::check`: expected text present, no echo of the
    /// command at the start, no prompt anywhere, no NUL.
    pub fn check(
        &mut self,
        what: &str,
        out: &str,
        expect: &Regex,
        cmd: &str,
        prompt: &str,
    ) -> bool {
        let mut why = Vec::new();
        let mut kinds = Vec::new();
        if !expect.is_match(out) {
            why.push(format!("expected /{}/ missing", expect.as_str()));
            kinds.push("expected text missing");
        }
        if out.trim_start().starts_with(cmd.trim()) {
            why.push("command echo present".to_string());
            kinds.push("echo in output");
        }
        if out.contains(prompt) {
            why.push(format!("prompt {prompt:?} present"));
            kinds.push("prompt in output");
        }
        if out.contains('\0') {
            why.push("NUL present".to_string());
            kinds.push("NUL in output");
        }
        if why.is_empty() {
            self.ok += 1;
            true
        } else {
            for k in &kinds[1..] {
                *self.kinds.entry((*k).to_string()).or_default() += 1;
            }
            self.fail_as(
                kinds[0],
                format!(
                    "{what}: {} (output {} bytes, head {:?}, tail {:?})",
                    why.join(", "),
                    out.len(),
                    head(out, 60),
                    tail(out, 60)
                ),
            );
            false
        }
    }

    /// One failed output (or operation), counted under `kind`.
    pub fn fail_as(&mut self, kind: &str, msg: String) {
        self.failed += 1;
        *self.kinds.entry(kind.to_string()).or_default() += 1;
        if self.failures.len() < 12 {
            self.failures.push(msg);
        }
    }

    /// Adds another checker's counts (e.g. one figure's into the tool's total).
    pub fn merge(&mut self, other: &Checker) {
        self.ok += other.ok;
        self.failed += other.failed;
        for (k, n) in &other.kinds {
            *self.kinds.entry(k.clone()).or_default() += n;
        }
        for f in &other.failures {
            if self.failures.len() < 12 {
                self.failures.push(f.clone());
            }
        }
    }

    pub fn to_json(&self) -> Value {
        json!({"ok": self.ok, "failed": self.failed, "failures": self.failures, "kinds": self.kinds})
    }
}

/// CPU time (user + system) this process has used so far, all threads: what a client costs per
/// command, beside the wall time it waits.
pub fn process_cpu() -> Duration {
    // SAFETY: getrusage only writes into the struct we pass; RUSAGE_SELF is always valid.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    if rc != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

fn head(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn tail(s: &str, n: usize) -> String {
    let v: Vec<char> = s.chars().rev().take(n).collect();
    v.into_iter().rev().collect()
}

/// p50 / p99 (nearest rank), mean, min and max in milliseconds.
pub fn stats(samples: &[Duration]) -> Value {
    if samples.is_empty() {
        return json!({"n": 0});
    }
    let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    ms.sort_by(|a, b| a.total_cmp(b));
    let rank = |p: f64| {
        let i = ((p * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1;
        ms[i]
    };
    json!({
        "n": ms.len(),
        "p50": rank(0.50),
        "p99": rank(0.99),
        "mean": ms.iter().sum::<f64>() / ms.len() as f64,
        "min": ms[0],
        "max": ms[ms.len() - 1],
    })
}

/// Proportional set size of this process and all its descendants, in KiB (what the sessions
/// really cost: shared libraries are split among the processes that map them).
pub fn pss_kib_tree(pid: u32) -> u64 {
    let mut total = 0;
    let mut stack = vec![pid];
    while let Some(p) = stack.pop() {
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{p}/smaps_rollup")) {
            for line in s.lines() {
                if let Some(rest) = line.strip_prefix("Pss:") {
                    total += rest
                        .trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<u64>()
                        .unwrap_or(0);
                }
            }
        }
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) {
            for t in tasks.flatten() {
                if let Ok(c) = std::fs::read_to_string(t.path().join("children")) {
                    stack.extend(c.split_whitespace().filter_map(|x| x.parse::<u32>().ok()));
                }
            }
        }
    }
    total
}

pub fn read_plan(path: &str) -> anyhow::Result<Plan> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading plan {path}"))?;
    serde_json::from_str(&text).with_context(|| format!("parsing plan {path}"))
}

pub fn regex(p: &str) -> anyhow::Result<Regex> {
    Regex::new(p).with_context(|| format!("bad regex in plan: {p}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checker_flags_each_kind_of_wrong_answer() {
        let re = regex(r"\d\d:\d\d:\d\d UTC").unwrap();
        let mut ck = Checker::default();
        assert!(ck.check("ok", "01:02:03 UTC Thu", &re, "display clock", "<H3C>"));
        assert!(!ck.check(
            "missing",
            "% Unrecognized command",
            &re,
            "display clock",
            "<H3C>"
        ));
        assert!(!ck.check(
            "echo",
            "display clock\n01:02:03 UTC",
            &re,
            "display clock",
            "<H3C>"
        ));
        assert!(!ck.check(
            "prompt",
            "01:02:03 UTC\n<H3C>",
            &re,
            "display clock",
            "<H3C>"
        ));
        assert!(!ck.check("nul", "\u{0}01:02:03 UTC", &re, "display clock", "<H3C>"));
        assert_eq!((ck.ok, ck.failed), (1, 4));
        assert!(ck.failures[1].contains("command echo present"));
        assert!(ck.failures[3].contains("NUL present"));
        assert_eq!(ck.kinds["expected text missing"], 1);
        assert_eq!(ck.kinds["echo in output"], 1);
        assert_eq!(ck.kinds["prompt in output"], 1);
        assert_eq!(ck.kinds["NUL in output"], 1);
        let mut total = Checker::default();
        total.merge(&ck);
        total.fail_as("cut short", "big #0: only 10 bytes".into());
        assert_eq!((total.ok, total.failed), (1, 5));
        assert_eq!(total.kinds["cut short"], 1);
    }

    #[test]
    fn process_cpu_grows_with_work() {
        let t0 = process_cpu();
        let mut x = 0u64;
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_millis(30) {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(x);
        assert!(process_cpu() > t0);
    }

    #[test]
    fn stats_use_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let s = stats(&samples);
        assert_eq!(s["n"], 100);
        assert_eq!(s["p50"], 50.0);
        assert_eq!(s["p99"], 99.0);
        assert_eq!(s["max"], 100.0);
        assert_eq!(stats(&[])["n"], 0);
    }

    #[test]
    fn pss_of_this_process_is_counted() {
        assert!(pss_kib_tree(std::process::id()) > 0);
    }
}
