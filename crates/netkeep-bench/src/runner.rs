//! The measurement sequence, the same for every Rust client (the bare russh floor and netkeep) and
//! mirrored by `bench/py/peers.py` for Netmiko and Scrapli.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use tokio::sync::{Barrier, Mutex};

use crate::common::{process_cpu, pss_kib_tree, regex, stats, Checker, Plan, PlatformPlan};

/// Where a client connects.
#[derive(Debug, Clone)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub platform: String,
    pub username: String,
    pub password: String,
    pub prompt: String,
    pub login_prompt: String,
    pub enable: bool,
    pub paging_cmd: String,
}

/// One open CLI session of the tool under test.
pub trait Client: Sized + Send + 'static {
    /// Connect, log in and return once the session is ready for commands (paging off).
    fn connect(t: Target) -> impl Future<Output = anyhow::Result<Self>> + Send;
    /// Run one command; return its output without echo and prompt.
    fn cmd(&mut self, cmd: &str) -> impl Future<Output = anyhow::Result<String>> + Send;
    /// The tool's liveness check / one keepalive.
    fn alive(&mut self) -> impl Future<Output = anyhow::Result<bool>> + Send;
    /// Close the session.
    fn close(self) -> impl Future<Output = ()> + Send;
}

pub fn target(plan: &Plan, platform: &str, pp: &PlatformPlan, port: u16) -> Target {
    let (prompt, login_prompt) = pp.prompts(port);
    Target {
        host: plan.host.clone(),
        port,
        platform: platform.to_string(),
        username: plan.username.clone(),
        password: plan.password.clone(),
        prompt,
        login_prompt,
        enable: pp.enable,
        paging_cmd: pp.paging_cmd.clone(),
    }
}

/// Runs every figure for one tool and returns its JSON result (the shape `bench/py/aggregate.py`
/// reads). A failing step is recorded in `errors` and the run goes on.
pub async fn run_all<C: Client>(
    tool: &str,
    version: &str,
    plan: &Plan,
    extra_alive: Option<&str>,
) -> Value {
    let mut checker = Checker::default();
    let mut errors: Vec<String> = Vec::new();
    let mut platforms = Map::new();
    for (name, pp) in &plan.platforms {
        let mut res = Map::new();
        eprintln!("[{tool}] {name}: connect x{}", plan.connect_reps);
        let mut ck = Checker::default();
        match connect_figure::<C>(plan, name, pp, &mut ck).await {
            Ok(v) => {
                res.insert("connect_ms".into(), with_checks(v, &ck));
            }
            Err(e) => errors.push(format!("{name} connect: {e:#}")),
        }
        checker.merge(&ck);
        eprintln!("[{tool}] {name}: small command x{}", plan.small_cmds);
        let (mut ck, mut ck_alive) = (Checker::default(), Checker::default());
        match small_figure::<C>(plan, name, pp, &mut ck, &mut ck_alive).await {
            Ok((v, a)) => {
                res.insert("small_cmd_ms".into(), with_checks(v, &ck));
                res.insert("alive_ms".into(), with_checks(a, &ck_alive));
                if let Some(m) = extra_alive {
                    res.insert("alive_method".into(), json!(m));
                }
            }
            Err(e) => errors.push(format!("{name} small command: {e:#}")),
        }
        checker.merge(&ck);
        checker.merge(&ck_alive);
        eprintln!("[{tool}] {name}: big output x{}", plan.big_reps);
        let mut ck = Checker::default();
        match big_figure::<C>(plan, name, pp, &mut ck).await {
            Ok(v) => {
                res.insert("big_output".into(), with_checks(v, &ck));
            }
            Err(e) => errors.push(format!("{name} big output: {e:#}")),
        }
        checker.merge(&ck);
        if plan.fleet_platforms.iter().any(|p| p == name) {
            let mut fleets = Map::new();
            for &n in &plan.fleet_sizes {
                if n > pp.fleet_count {
                    errors.push(format!(
                        "{name} fleet {n}: only {} devices simulated",
                        pp.fleet_count
                    ));
                    continue;
                }
                eprintln!("[{tool}] {name}: fleet of {n}");
                let mut ck = Checker::default();
                match fleet_figure::<C>(plan, name, pp, n, &mut ck).await {
                    Ok(v) => {
                        fleets.insert(n.to_string(), with_checks(v, &ck));
                    }
                    Err(e) => errors.push(format!("{name} fleet {n}: {e:#}")),
                }
                checker.merge(&ck);
            }
            res.insert("fleet".into(), Value::Object(fleets));
        }
        platforms.insert(name.clone(), Value::Object(res));
    }
    json!({
        "tool": tool,
        "version": version,
        "platforms": platforms,
        "checks": checker.to_json(),
        "errors": errors,
    })
}

/// Client CPU time per command in milliseconds.
pub fn cpu_ms_per_cmd(cpu: Duration, commands: usize) -> f64 {
    cpu.as_secs_f64() * 1e3 / commands.max(1) as f64
}

/// A figure's JSON with the checks of the outputs it was measured on: a report shows a figure
/// whose outputs failed as failed, not as a time.
pub fn with_checks(mut v: Value, ck: &Checker) -> Value {
    v["checks"] = ck.to_json();
    v
}

async fn connect_figure<C: Client>(
    plan: &Plan,
    name: &str,
    pp: &PlatformPlan,
    ck: &mut Checker,
) -> anyhow::Result<Value> {
    let re = regex(&pp.small_expect)?;
    let mut samples = Vec::new();
    for i in 0..plan.connect_reps {
        let t0 = Instant::now();
        let mut c = C::connect(target(plan, name, pp, pp.port)).await?;
        samples.push(t0.elapsed());
        // The session must really be ready: one command, checked.
        let out = c.cmd(&pp.small_cmd).await?;
        ck.check(
            &format!("{name} connect #{i}"),
            &out,
            &re,
            &pp.small_cmd,
            &pp.prompts(pp.port).0,
        );
        c.close().await;
    }
    Ok(stats(&samples))
}

async fn small_figure<C: Client>(
    plan: &Plan,
    name: &str,
    pp: &PlatformPlan,
    ck: &mut Checker,
    ck_alive: &mut Checker,
) -> anyhow::Result<(Value, Value)> {
    let re = regex(&pp.small_expect)?;
    let mut c = C::connect(target(plan, name, pp, pp.port)).await?;
    for _ in 0..10 {
        c.cmd(&pp.small_cmd).await?;
    }
    let mut samples = Vec::with_capacity(plan.small_cmds);
    let cpu0 = process_cpu();
    for i in 0..plan.small_cmds {
        let t0 = Instant::now();
        let out = c.cmd(&pp.small_cmd).await?;
        samples.push(t0.elapsed());
        ck.check(
            &format!("{name} small #{i}"),
            &out,
            &re,
            &pp.small_cmd,
            &pp.prompts(pp.port).0,
        );
    }
    let cpu = process_cpu().saturating_sub(cpu0);
    let mut alive = Vec::with_capacity(plan.alive_reps);
    for i in 0..plan.alive_reps {
        let t0 = Instant::now();
        let ok = c.alive().await?;
        alive.push(t0.elapsed());
        if !ok {
            ck_alive.fail_as(
                "reported dead",
                format!("{name} alive #{i}: reported dead on a live session"),
            );
        }
    }
    // A keepalive must leave the session clean for the next command.
    let out = c.cmd(&pp.small_cmd).await?;
    ck_alive.check(
        &format!("{name} command after keepalives"),
        &out,
        &re,
        &pp.small_cmd,
        &pp.prompts(pp.port).0,
    );
    c.close().await;
    let mut small = stats(&samples);
    small["cpu_ms_per_cmd"] = json!(cpu_ms_per_cmd(cpu, samples.len()));
    Ok((small, stats(&alive)))
}

async fn big_figure<C: Client>(
    plan: &Plan,
    name: &str,
    pp: &PlatformPlan,
    ck: &mut Checker,
) -> anyhow::Result<Value> {
    let re = regex(&pp.big_expect)?;
    let mut c = C::connect(target(plan, name, pp, pp.big_port)).await?;
    let mut samples = Vec::new();
    let mut bytes = 0;
    let cpu0 = process_cpu();
    for i in 0..plan.big_reps {
        let t0 = Instant::now();
        let out = c.cmd(&pp.big_cmd).await?;
        samples.push(t0.elapsed());
        bytes = out.len();
        if out.len() < pp.big_min_bytes {
            ck.fail_as(
                "cut short",
                format!(
                    "{name} big #{i}: only {} bytes, want >= {}",
                    out.len(),
                    pp.big_min_bytes
                ),
            );
        } else {
            ck.check(
                &format!("{name} big #{i}"),
                &out,
                &re,
                &pp.big_cmd,
                &pp.prompts(pp.big_port).0,
            );
        }
    }
    let cpu = process_cpu().saturating_sub(cpu0);
    c.close().await;
    let mut v = stats(&samples);
    v["bytes"] = json!(bytes);
    v["cpu_ms_per_cmd"] = json!(cpu_ms_per_cmd(cpu, samples.len()));
    Ok(v)
}

async fn fleet_figure<C: Client>(
    plan: &Plan,
    name: &str,
    pp: &PlatformPlan,
    n: usize,
    ck: &mut Checker,
) -> anyhow::Result<Value> {
    let re = Arc::new(regex(&pp.small_expect)?);
    let pid = std::process::id();
    let pss0 = pss_kib_tree(pid);
    let connected = Arc::new(Barrier::new(n + 1));
    let go = Arc::new(Barrier::new(n + 1));
    let deadline: Arc<Mutex<Option<Instant>>> = Arc::new(Mutex::new(None));
    let t0 = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let t = target(plan, name, pp, pp.fleet_port + i as u16);
        let (re, cmd, prompt) = (
            re.clone(),
            pp.small_cmd.clone(),
            pp.prompts(pp.fleet_port + i as u16).0,
        );
        let sync = FleetSync {
            connected: connected.clone(),
            go: go.clone(),
            deadline: deadline.clone(),
        };
        tasks.push(tokio::spawn(fleet_device::<C>(i, t, sync, re, cmd, prompt)));
    }
    connected.wait().await;
    let connect_s = t0.elapsed().as_secs_f64();
    let pss1 = pss_kib_tree(pid);
    let start = Instant::now();
    *deadline.lock().await = Some(start + Duration::from_secs_f64(plan.fleet_seconds));
    go.wait().await;
    let mut lat = Vec::new();
    let mut failed_sessions = 0;
    let mut last_done = start;
    for t in tasks {
        match t.await {
            Ok(Ok((l, k, done))) => {
                ck.merge(&k);
                lat.extend(l);
                last_done = last_done.max(done);
            }
            Ok(Err(e)) => {
                failed_sessions += 1;
                ck.fail_as("session failed", format!("{name} fleet {n}: {e}"));
            }
            Err(e) => {
                failed_sessions += 1;
                ck.fail_as("session failed", format!("{name} fleet {n}: task: {e}"));
            }
        }
    }
    let wall = (last_done - start).as_secs_f64();
    let mut v = json!({
        "sessions": n,
        "failed_sessions": failed_sessions,
        "connect_all_s": connect_s,
        "commands": lat.len(),
        "cmd_wall_s": wall,
        "cps": lat.len() as f64 / wall.max(1e-9),
        "mem_kib_per_session": (pss1 as f64 - pss0 as f64) / n as f64,
    });
    let s = stats(&lat);
    v["p50_ms"] = s["p50"].clone();
    v["p99_ms"] = s["p99"].clone();
    Ok(v)
}

/// What the fleet's devices share: every session up, then go, until the deadline.
#[derive(Clone)]
struct FleetSync {
    connected: Arc<Barrier>,
    go: Arc<Barrier>,
    deadline: Arc<Mutex<Option<Instant>>>,
}

/// What one device of the fleet did: its command latencies, its output checks and when it
/// finished; or why it failed.
type DeviceRun = Result<(Vec<Duration>, Checker, Instant), String>;

/// One device of [`fleet_figure`]: connect, wait for every session to be up, then run `cmd`
/// back to back until the deadline, checking each output.
async fn fleet_device<C: Client>(
    i: usize,
    t: Target,
    sync: FleetSync,
    re: Arc<regex::Regex>,
    cmd: String,
    prompt: String,
) -> DeviceRun {
    let FleetSync {
        connected,
        go,
        deadline,
    } = sync;
    let conn = C::connect(t).await;
    connected.wait().await;
    let mut c = match conn {
        Ok(c) => c,
        Err(e) => {
            go.wait().await;
            return Err(format!("device {i}: connect: {e:#}"));
        }
    };
    go.wait().await;
    let end = deadline.lock().await.unwrap_or_else(Instant::now);
    let mut lat = Vec::new();
    let mut k = Checker::default();
    loop {
        let s = Instant::now();
        match c.cmd(&cmd).await {
            Ok(out) => {
                lat.push(s.elapsed());
                k.check(&format!("fleet device {i}"), &out, &re, &cmd, &prompt);
            }
            Err(e) => {
                c.close().await;
                return Err(format!("device {i}: command: {e:#}"));
            }
        }
        if Instant::now() >= end {
            break;
        }
    }
    let done = Instant::now();
    c.close().await;
    Ok((lat, k, done))
}
