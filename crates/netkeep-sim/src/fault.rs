//! Faults a simulated device can be told to show (see [`crate::SimDevice::set_fault`]).

use std::time::Duration;

/// A misbehaviour to inject into a simulated device.
///
/// ```no_run
/// # async fn f(dev: &netkeep_sim::SimDevice) {
/// use netkeep_sim::Fault;
/// dev.set_fault(Fault::Stall);   // sessions stop answering; TCP stays open (half-open)
/// dev.clear_faults();
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Stop answering on every open connection (and new ones) while keeping TCP open.
    Stall,
    /// Reset every open connection now (TCP RST). One-shot.
    Reset,
    /// Close the listener and all sessions for `down`, then listen again on the same port,
    /// with a new host key if `new_host_key`. One-shot.
    Reboot {
        /// How long the device stays down.
        down: Duration,
        /// Come back with a new host key (a replaced box).
        new_host_key: bool,
    },
    /// Send outputs in `chunk`-byte pieces with `delay` between them.
    SlowDrip {
        /// Bytes per piece.
        chunk: usize,
        /// Pause between pieces.
        delay: Duration,
    },
    /// Mix binary garbage bytes into command outputs.
    Garbage,
    /// Insert the vendor's unsolicited log line in the middle of command outputs.
    UnsolicitedLines,
    /// Put prompt-like text in outputs and the login banner.
    PromptInOutput,
    /// Reject every authentication attempt (counted in `auth_failures`).
    AuthFailing,
}

impl Fault {
    /// Parse a CLI name: `stall`, `reset`, `reboot`, `slow-drip`, `garbage`, `unsolicited`,
    /// `prompt-in-output`, `auth-failing`.
    pub fn from_name(name: &str) -> Option<Fault> {
        Some(match name {
            "stall" => Fault::Stall,
            "reset" => Fault::Reset,
            "reboot" => Fault::Reboot {
                down: Duration::from_secs(5),
                new_host_key: false,
            },
            "slow-drip" => Fault::SlowDrip {
                chunk: 16,
                delay: Duration::from_millis(20),
            },
            "garbage" => Fault::Garbage,
            "unsolicited" => Fault::UnsolicitedLines,
            "prompt-in-output" => Fault::PromptInOutput,
            "auth-failing" => Fault::AuthFailing,
            _ => return None,
        })
    }
}
