//! netkeep and the baseline (bare russh) measured side by side: one session of each on the same
//! device, in one process, commands run in alternating blocks (A B, B A, A B, ...), so machine
//! noise (other work, frequency changes) falls on both alike. Besides the wall time of every
//! command it records the client's CPU time (user + system, all threads, `getrusage`) per
//! command: what each client costs, which a busy machine disturbs less than wall time.

use std::time::{Duration, Instant};

use regex::Regex;
use serde_json::{json, Map, Value};

use crate::common::{process_cpu, regex, stats, Checker, Plan, PlatformPlan};
use crate::floor::Floor;
use crate::nk::Nk;
use crate::runner::{cpu_ms_per_cmd, target, with_checks, Client};

/// What one block runs and how its outputs are judged.
struct Job<'a> {
    what: &'a str,
    cmd: &'a str,
    expect: Regex,
    prompt: String,
    /// Outputs shorter than this are cut short (the ~1 MB figure); 0 = no minimum.
    min_bytes: usize,
}

/// One client's samples over all its blocks.
#[derive(Default)]
struct Tally {
    wall: Vec<Duration>,
    cpu: Duration,
    bytes: usize,
    ck: Checker,
}

impl Tally {
    fn to_json(&self) -> Value {
        let mut v = stats(&self.wall);
        v["cpu_ms_per_cmd"] = json!(cpu_ms_per_cmd(self.cpu, self.wall.len()));
        if self.bytes > 0 {
            v["bytes"] = json!(self.bytes);
        }
        with_checks(v, &self.ck)
    }
}

/// Runs `n` commands on `c`, adding their wall times, the block's CPU time and the checks to `t`.
async fn block<C: Client>(c: &mut C, job: &Job<'_>, n: usize, t: &mut Tally) -> anyhow::Result<()> {
    let cpu0 = process_cpu();
    for _ in 0..n {
        let t0 = Instant::now();
        let out = c.cmd(job.cmd).await?;
        t.wall.push(t0.elapsed());
        let i = t.wall.len() - 1;
        t.bytes = out.len();
        if out.len() < job.min_bytes {
            t.ck.fail_as(
                "cut short",
                format!(
                    "{} #{i}: only {} bytes, want >= {}",
                    job.what,
                    out.len(),
                    job.min_bytes
                ),
            );
        } else {
            t.ck.check(
                &format!("{} #{i}", job.what),
                &out,
                &job.expect,
                job.cmd,
                &job.prompt,
            );
        }
    }
    t.cpu += process_cpu().saturating_sub(cpu0);
    Ok(())
}

/// One netkeep and one baseline session on `port`; `rounds` pairs of blocks of `n` commands, the
/// order swapped every round. Returns (netkeep, baseline).
async fn pair(
    plan: &Plan,
    name: &str,
    pp: &PlatformPlan,
    port: u16,
    job: &Job<'_>,
    rounds: usize,
    n: usize,
) -> anyhow::Result<(Value, Value)> {
    let mut nk = Nk::connect(target(plan, name, pp, port)).await?;
    let mut fl = Floor::connect(target(plan, name, pp, port)).await?;
    // Warm both (allocations, caches) outside the figures.
    let warm = n.clamp(1, 10);
    block(&mut nk, job, warm, &mut Tally::default()).await?;
    block(&mut fl, job, warm, &mut Tally::default()).await?;
    let (mut a, mut b) = (Tally::default(), Tally::default());
    for r in 0..rounds {
        if r % 2 == 0 {
            block(&mut nk, job, n, &mut a).await?;
            block(&mut fl, job, n, &mut b).await?;
        } else {
            block(&mut fl, job, n, &mut b).await?;
            block(&mut nk, job, n, &mut a).await?;
        }
    }
    nk.close().await;
    fl.close().await;
    Ok((a.to_json(), b.to_json()))
}

/// The small command and the ~1 MB output of every platform, netkeep and the baseline
/// interleaved. Written as tool `interleaved`; `bench/py/aggregate.py` shows these figures in the
/// netkeep and baseline columns.
pub async fn run(plan: &Plan) -> Value {
    let rounds = plan.interleave_rounds.max(2);
    let small_block = (plan.small_cmds / rounds).max(1);
    let mut errors = Vec::new();
    let mut total = Checker::default();
    let mut platforms = Map::new();
    for (name, pp) in &plan.platforms {
        let mut by_tool = json!({"netkeep": {}, "russh-floor": {}});
        let jobs = match (regex(&pp.small_expect), regex(&pp.big_expect)) {
            (Ok(s), Ok(b)) => [
                (
                    "small_cmd_ms",
                    pp.port,
                    rounds,
                    small_block,
                    Job {
                        what: "interleaved small",
                        cmd: &pp.small_cmd,
                        expect: s,
                        prompt: pp.prompts(pp.port).0,
                        min_bytes: 0,
                    },
                ),
                (
                    "big_output",
                    pp.big_port,
                    rounds,
                    1,
                    Job {
                        what: "interleaved big",
                        cmd: &pp.big_cmd,
                        expect: b,
                        prompt: pp.prompts(pp.big_port).0,
                        min_bytes: pp.big_min_bytes,
                    },
                ),
            ],
            (Err(e), _) | (_, Err(e)) => {
                errors.push(format!("{name}: {e:#}"));
                continue;
            }
        };
        for (key, port, r, n, job) in &jobs {
            eprintln!("[interleaved] {name}: {key}, {r} rounds of {n} per client");
            match pair(plan, name, pp, *port, job, *r, *n).await {
                Ok((a, b)) => {
                    for (tool, v) in [("netkeep", a), ("russh-floor", b)] {
                        add_checks(&mut total, &v["checks"]);
                        by_tool[tool][*key] = v;
                    }
                }
                Err(e) => errors.push(format!("{name} {key}: {e:#}")),
            }
        }
        platforms.insert(name.clone(), by_tool);
    }
    json!({
        "tool": "interleaved",
        "version": concat!("netkeep ", env!("CARGO_PKG_VERSION"), " / russh 0.65.1"),
        "rounds": rounds,
        "small_block": small_block,
        "platforms": platforms,
        "checks": total.to_json(),
        "errors": errors,
    })
}

/// Adds the counts of a figure's `checks` JSON to `total`.
fn add_checks(total: &mut Checker, v: &Value) {
    total.ok += v["ok"].as_u64().unwrap_or(0);
    total.failed += v["failed"].as_u64().unwrap_or(0);
    for f in v["failures"].as_array().into_iter().flatten() {
        if let (Some(s), true) = (f.as_str(), total.failures.len() < 12) {
            total.failures.push(s.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::PlatformPlan;
    use netkeep_sim::{DeviceConfig, SimDevice};
    use std::collections::BTreeMap;

    fn plan(port: u16, big_port: u16, big_min_bytes: usize) -> Plan {
        let hosts: BTreeMap<String, String> = [port, big_port]
            .iter()
            .map(|p| (p.to_string(), "H3C".to_string()))
            .collect();
        let pp = PlatformPlan {
            port,
            fleet_port: port,
            fleet_count: 1,
            big_port,
            prompt: "<{host}>".into(),
            login_prompt: "<{host}>".into(),
            enable: false,
            paging_cmd: "screen-length disable".into(),
            small_cmd: "display clock".into(),
            small_expect: r"\d\d:\d\d:\d\d(\.\d+)? UTC".into(),
            big_cmd: "display current-configuration".into(),
            big_expect: r"\nreturn\s*$".into(),
            big_min_bytes,
            hosts,
        };
        Plan {
            host: "127.0.0.1".into(),
            username: "admin".into(),
            password: "admin".into(),
            platforms: [("hp_comware".to_string(), pp)].into_iter().collect(),
            connect_reps: 1,
            small_cmds: 12,
            big_reps: 1,
            alive_reps: 1,
            fleet_sizes: vec![],
            fleet_platforms: vec![],
            fleet_seconds: 0.1,
            interleave_rounds: 3,
            daemon: None,
        }
    }

    async fn device(config_lines: usize) -> SimDevice {
        let mut cfg = DeviceConfig::new("hp_comware");
        cfg.config_lines = config_lines;
        SimDevice::start(cfg, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn both_clients_get_every_block_with_wall_and_cpu_time() {
        let (small, big) = (device(0).await, device(2000).await);
        let v = run(&plan(small.addr().port(), big.addr().port(), 10_000)).await;
        assert_eq!(v["errors"], json!([]), "{v:#}");
        for tool in ["netkeep", "russh-floor"] {
            let s = &v["platforms"]["hp_comware"][tool]["small_cmd_ms"];
            // 3 rounds of 12 / 3 commands each.
            assert_eq!(s["n"], 12, "{tool}: {s:#}");
            assert_eq!(s["checks"]["ok"], 12, "{tool}: {s:#}");
            assert!(s["cpu_ms_per_cmd"].as_f64().unwrap() > 0.0, "{tool}: {s:#}");
            let b = &v["platforms"]["hp_comware"][tool]["big_output"];
            assert_eq!(b["n"], 3, "{tool}: {b:#}");
            assert_eq!(b["checks"]["failed"], 0, "{tool}: {b:#}");
            assert!(b["bytes"].as_u64().unwrap() >= 10_000, "{tool}: {b:#}");
        }
        assert_eq!(v["checks"]["ok"], 2 * (12 + 3));
        small.stop().await;
        big.stop().await;
    }

    #[tokio::test]
    async fn a_cut_short_output_is_counted_as_failed_not_ok() {
        let (small, big) = (device(0).await, device(0).await);
        // The default configuration is far below 1 MB: every big output is "cut short".
        let v = run(&plan(small.addr().port(), big.addr().port(), 1_000_000)).await;
        let b = &v["platforms"]["hp_comware"]["netkeep"]["big_output"];
        assert_eq!(b["checks"]["failed"], 3, "{b:#}");
        assert_eq!(b["checks"]["kinds"]["cut short"], 3, "{b:#}");
        assert_eq!(v["checks"]["failed"], 6);
        small.stop().await;
        big.stop().await;
    }
}
