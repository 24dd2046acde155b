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
