//! The running simulator around the engine: settings (`config.rs`), counters, faults
//! (`fault_set.rs`, network faults in `netfault.rs`, output faults in `output_fault.rs`), the
//! device-wide state front ends share (`shared.rs`), a transport-independent CLI session
//! (`vty.rs`), the SSH front end (`ssh_handler.rs`), the telnet front end (`telnet_handler.rs`,
//! with its option policy in `telnet_options.rs` and login dialogue in `telnet_login.rs`) and the
//! device that listens (`device.rs`).
//!
//! Imports run one way: config/counters/faults ← shared ← vty ← ssh_handler, telnet_handler ←
//! device.

mod config;
mod counters;
mod device;
mod fault_set;
mod netfault;
mod output_fault;
mod shared;
mod ssh_handler;
mod telnet_handler;
mod telnet_login;
mod telnet_options;
mod vty;

pub use config::DeviceConfig;
pub use counters::Counters;
pub(crate) use device::build_model;
pub use device::SimDevice;
