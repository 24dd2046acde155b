//! Simulated network devices over SSH, for tests, demos and benchmarks.
//!
//! Each [`SimDevice`] is a russh server that behaves like one vendor's CLI behind a PTY:
//! prompts and modes, paging, confirmation prompts, NUL handling, the VTY idle timeout with the
//! vendor's idea of "activity", the VTY limit, slow logins and injectable faults. Personalities
//! are data (`personalities/<platform>.yaml`), read by one engine.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use netkeep_sim::{DeviceConfig, SimDevice};
//! let mut cfg = DeviceConfig::new("hp_comware");
//! cfg.idle_timeout = Some(Duration::from_secs(2));
//! let dev = SimDevice::start(cfg, "127.0.0.1:0".parse()?).await?;
//! println!("ssh -p {} admin@127.0.0.1", dev.addr().port());
//! println!("{:?}", dev.counters());
//! dev.stop().await;
//! # Ok(()) }
//! ```

mod engine;
mod fault;
mod fault_apply;
mod personality;
mod server;
mod state;
mod template;

pub use fault::Fault;
pub use personality::{platforms, Activity, NulMode};
pub use server::{Counters, DeviceConfig, SimDevice};

/// Errors starting or driving a simulated device.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The platform name is not one of ours.
    #[error("unknown platform {platform:?}; known platforms: {known}")]
    UnknownPlatform { platform: String, known: String },
    /// A built-in personality file is broken (a bug in netkeep-sim).
    #[error("personality {platform:?} is invalid: {reason}")]
    Personality { platform: String, reason: String },
    /// The listening address could not be bound.
    #[error("cannot listen on {addr}: {source}{hint}", hint = if source.kind() == std::io::ErrorKind::AddrInUse { format!(" (port {} is already in use; pick another with --port)", addr.port()) } else { String::new() })]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    /// The host key file could not be read.
    #[error("cannot load host key {path}: {reason}")]
    HostKey { path: String, reason: String },
}

/// Parse a human duration for flags: `10s`, `1m30s`, `1500ms`; `0` means zero (off).
///
/// ```
/// assert_eq!(netkeep_sim::parse_duration("1m30s").unwrap().as_secs(), 90);
/// assert!(netkeep_sim::parse_duration("0").unwrap().is_zero());
/// ```
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    if s.trim() == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    humantime::parse_duration(s.trim())
        .map_err(|e| format!("{e} (examples: 10s, 1m30s, 1500ms, 0 = off)"))
}

/// Inject faults at random: every second each device gets one of `faults` with probability
/// `rate`; lasting faults are cleared again after `hold`. Runs until the task is aborted.
///
/// ```no_run
/// # async fn f(devs: Vec<std::sync::Arc<netkeep_sim::SimDevice>>) {
/// use std::time::Duration;
/// let task = netkeep_sim::spawn_random_faults(devs, vec![netkeep_sim::Fault::Stall], 0.01, Duration::from_secs(5));
/// task.abort();
/// # }
/// ```
pub fn spawn_random_faults(
    devices: Vec<std::sync::Arc<SimDevice>>,
    faults: Vec<Fault>,
    rate: f64,
    hold: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if faults.is_empty() || rate <= 0.0 {
            return;
        }
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            tick.tick().await;
            for d in &devices {
                if rand::random::<f64>() < rate {
                    let f = faults[rand::random_range(0..faults.len())].clone();
                    tracing::info!(device = %d.addr(), fault = ?f, "injecting fault");
                    d.set_fault(f);
                    let d = d.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(hold).await;
                        d.clear_faults();
                    });
                }
            }
        }
    })
}
