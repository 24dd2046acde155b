//! `netkeep-bench bastion`: connect-to-ready through a jump host with netkeep's library — the
//! first device (bastion login + tunnel + device login + prompt + preparation), then each
//! further device over the shared bastion connection — as `bench/reach_bastion.sh` runs it.
//! Prints one JSON document of milliseconds.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use netkeep::{Auth, ConnectOptions, HostKeyPolicy, KeepaliveMode, Secret, Session};
use netkeep_transport::ssh::{Identities, JumpHost, Route, SshOptions};

/// Flags of `netkeep-bench bastion`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The bastion: USER@HOST (port 22).
    #[arg(long)]
    jump: String,
    /// The bastion user's private key.
    #[arg(long)]
    key: PathBuf,
    /// Devices behind the bastion, HOST:PORT, comma-separated (hp_comware, admin/admin).
    #[arg(long, value_delimiter = ',')]
    devices: Vec<String>,
    /// Repetitions of the whole sequence.
    #[arg(long, default_value_t = 5)]
    runs: usize,
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

fn device_options(addr: &str, route: Route) -> anyhow::Result<ConnectOptions> {
    let (host, port) = addr
        .rsplit_once(':')
        .ok_or_else(|| anyhow::anyhow!("device {addr:?}: expected HOST:PORT"))?;
    Ok(ConnectOptions::new(host, port.parse()?, "hp_comware")
        .username("admin")
        .auth(Auth::Password(Secret::new("admin")))
        .host_key_policy(HostKeyPolicy::Insecure)
        .keepalive(KeepaliveMode::Off)
        .route(route))
}

/// Runs the sequence `runs` times; returns `{first_ms: [...], further_ms: [...], bastion_ms: [...]}`.
pub async fn run(a: Args) -> anyhow::Result<serde_json::Value> {
    let (user, host) = a
        .jump
        .split_once('@')
        .ok_or_else(|| anyhow::anyhow!("--jump: expected USER@HOST"))?;
    let mut hop = SshOptions::new(
        host,
        22,
        user,
        Auth::Identities(Identities {
            files: vec![a.key.clone()],
            identities_only: true,
            ..Identities::default()
        }),
    );
    hop.host_key_policy = HostKeyPolicy::Insecure;
    let (mut first, mut further, mut bastion) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..a.runs {
        let t = Instant::now();
        let jump = JumpHost::connect(&hop).await?;
        bastion.push(ms(t.elapsed()));
        let mut sessions = Vec::new();
        for (i, d) in a.devices.iter().enumerate() {
            let t0 = if i == 0 { t } else { Instant::now() };
            let s = Session::connect(device_options(d, Route::Shared(jump.clone()))?).await?;
            let out = s.send_command("display clock").await?;
            anyhow::ensure!(out.contains("UTC"), "unexpected output from {d}: {out:?}");
            let e = ms(t0.elapsed());
            if i == 0 {
                first.push(e)
            } else {
                further.push(e)
            }
            sessions.push(s);
        }
        for s in sessions {
            s.disconnect().await;
        }
    }
    Ok(serde_json::json!({ "first_ms": first, "further_ms": further, "bastion_login_ms": bastion }))
}
