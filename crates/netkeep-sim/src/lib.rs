//! Simulated network devices over SSH and telnet, for tests, demos and benchmarks.
//!
//! Each [`SimDevice`] is a russh server (or a telnet server, [`DeviceConfig::protocol`], or
//! both: [`SimDevice::listen`]) that behaves like one vendor's CLI behind a PTY:
//! prompts and modes, paging, output filters (`| include`, Junos `| match`), a running
//! configuration kept as a tree that any well-formed config line edits, show commands generated
//! from it, confirmation prompts, commit on two-stage platforms (Junos `commit confirmed`,
//! `rollback`, `show | compare`), NUL handling, the VTY idle timeout with the vendor's idea of
//! "activity", the VTY limit, slow logins and injectable faults. Personalities are data (`personalities/<platform>.yaml`, embedded at build
//! time, or a user directory: [`DeviceConfig::personality_dir`]), read by one engine; platform
//! names and aliases come from the platform files of netkeep-platform.
//!
//! Where it sits: beside the chain, not in it. Platform data (netkeep-platform) feeds the
//! session and the simulator alike; the session's tests, the keeper's and the benchmarks drive
//! simulated devices over real SSH, and nothing in the simulator imports the session.
//!
//! Inside, imports run one way: `template` ← `personality` ← `model` (device state) ← `engine`
//! (bytes in, output and effects out, no I/O) ← `sim` (VTY sessions, the SSH and telnet front
//! ends, the device).
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

#![warn(missing_docs)]

mod console;
mod engine;
mod error;
mod fault;
mod model;
mod personality;
mod sim;
mod template;
mod text;

pub use console::Console;
pub use error::SimError;
pub use fault::Fault;
pub use netkeep_transport::Protocol;
pub use personality::{platforms, Activity, NulMode};
pub use sim::{Counters, DeviceConfig, SimDevice};

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
