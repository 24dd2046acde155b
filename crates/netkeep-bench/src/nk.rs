//! netkeep itself, through its public API (`netkeep::Session`), with default options except the
//! host key policy (the simulator makes new keys per run; the peers do not check them either).

use std::time::{Duration, Instant};

use netkeep::{Auth, ConnectOptions, HostKeyPolicy, Secret, Session};
use serde_json::Value;

use crate::common::{stats, Plan};
use crate::runner::{Client, Target};

/// One netkeep session.
pub struct Nk(Session);

fn options(t: &Target) -> ConnectOptions {
    ConnectOptions::new(t.host.clone(), t.port, t.platform.clone())
        .username(t.username.clone())
        .auth(Auth::Password(Secret::new(t.password.clone())))
        .host_key_policy(HostKeyPolicy::Insecure)
        .connect_timeout(Duration::from_secs(60))
        .device_name(format!("bench-{}-{}", t.platform, t.port))
}

impl Client for Nk {
    async fn connect(t: Target) -> anyhow::Result<Self> {
        let s = Session::connect(options(&t)).await?;
        if t.enable {
            s.enable().await?;
        }
        Ok(Nk(s))
    }

    async fn cmd(&mut self, cmd: &str) -> anyhow::Result<String> {
        Ok(self.0.send_command(cmd).await?)
    }

    async fn alive(&mut self) -> anyhow::Result<bool> {
        Ok(self.0.is_alive().await)
    }

    async fn close(self) {
        self.0.disconnect().await;
    }
}

/// `Session::probe()` (an SSH ping, no bytes into the shell) on the single-session device.
pub async fn probe_figure(plan: &Plan, platform: &str) -> anyhow::Result<Value> {
    let pp = plan
        .platforms
        .get(platform)
        .ok_or_else(|| anyhow::anyhow!("no platform {platform} in plan"))?;
    let t = crate::runner::target(plan, platform, pp, pp.port);
    let s = Session::connect(options(&t)).await?;
    let mut samples = Vec::with_capacity(plan.alive_reps);
    for _ in 0..plan.alive_reps {
        let t0 = Instant::now();
        s.probe(Duration::from_secs(5)).await?;
        samples.push(t0.elapsed());
    }
    s.disconnect().await;
    Ok(stats(&samples))
}

/// `netkeep exec DEVICE CMD` from a fresh process against a running `netkeep serve` (warm
/// session): wall time from spawn to exit, output checked like every other.
pub async fn daemon_figure(plan: &Plan, ck: &mut crate::common::Checker) -> anyhow::Result<Value> {
    let d = plan
        .daemon
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("no daemon in plan"))?;
    let pp = plan
        .platforms
        .get(&d.platform)
        .ok_or_else(|| anyhow::anyhow!("no platform {} in plan", d.platform))?;
    let (prompt, _) = pp.prompts(pp.big_port);
    let re = crate::common::regex(&pp.small_expect)?;
    let (bin, args) = d
        .argv
        .split_first()
        .ok_or_else(|| anyhow::anyhow!("empty daemon argv"))?;
    let run = || {
        let mut c = tokio::process::Command::new(bin);
        c.args(args).envs(&d.env).stdin(std::process::Stdio::null());
        c
    };
    let mut samples = Vec::with_capacity(d.reps);
    for i in 0..d.reps + 5 {
        let t0 = Instant::now();
        let out = run().output().await?;
        let el = t0.elapsed();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            anyhow::bail!(
                "`{}` exited with {}: {}",
                d.argv.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        if i >= 5 {
            samples.push(el);
            ck.check(&format!("daemon exec #{i}"), &stdout, &re, &d.cmd, &prompt);
        }
    }
    Ok(stats(&samples))
}
