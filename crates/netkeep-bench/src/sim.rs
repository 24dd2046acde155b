//! `netkeep-bench sim`: the simulator fleet in its own process, started through the library API.
//! bench/run.sh uses it when `netkeep sim` is not available in the build.

use std::net::SocketAddr;

use anyhow::Context;
use netkeep_sim::{DeviceConfig, SimDevice};

/// Arguments: platform, number of devices on consecutive ports, and the configuration size.
#[derive(clap::Args, Debug)]
pub struct SimArgs {
    #[arg(long)]
    pub platform: String,
    #[arg(long, default_value_t = 1)]
    pub count: usize,
    /// First port; device i listens on port + i (127.0.0.1 only).
    #[arg(long)]
    pub port: u16,
    /// Pad each device's running configuration to about this many lines.
    #[arg(long, default_value_t = 0)]
    pub config_lines: usize,
}

/// Starts the devices, prints one `ready` line, serves until SIGTERM / Ctrl-C.
pub async fn run(a: SimArgs) -> anyhow::Result<()> {
    let mut devs = Vec::with_capacity(a.count);
    for i in 0..a.count {
        let mut cfg = DeviceConfig::new(&a.platform);
        cfg.config_lines = a.config_lines;
        // Same naming as `netkeep sim --count N`: HOST-1..HOST-N when N > 1.
        if a.count > 1 {
            cfg.hostname = format!("{}-{}", cfg.hostname, i + 1);
        }
        cfg.idle_timeout = Some(std::time::Duration::ZERO);
        let port = a
            .port
            .checked_add(i as u16)
            .context("port range overflows 65535")?;
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        devs.push(
            SimDevice::start(cfg, addr)
                .await
                .with_context(|| format!("starting {} device {i} on {addr}", a.platform))?,
        );
    }
    println!(
        "ready {} {} devices on 127.0.0.1:{}..{}",
        a.platform,
        a.count,
        a.port,
        a.port as usize + a.count - 1
    );
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    for d in devs {
        d.stop().await;
    }
    Ok(())
}
