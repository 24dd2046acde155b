//! The running simulator around the engine: settings (`config.rs`), counters, faults
//! (`fault_set.rs`, network faults in `netfault.rs`, output faults in `output_fault.rs`), the
//! device-wide state front ends share (`shared.rs`), a transport-independent CLI session
//! (`vty.rs`), the SSH front end (`ssh_handler.rs`) and the device that listens (`device.rs`).
//!
//! Imports run one way: config/counters/faults ← shared ← vty ← ssh_handler ← device. A telnet
//! front end goes beside `ssh_handler.rs`, on `vty.rs`.

mod config;
mod counters;
mod device;
mod fault_set;
mod netfault;
mod output_fault;
mod shared;
mod ssh_handler;
mod vty;

pub use config::DeviceConfig;
pub use counters::Counters;
pub use device::SimDevice;
