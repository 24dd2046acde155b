//! The device model: what every session of one simulated device shares — its personality, its
//! configuration state, the enable secret, its boot time and how many commands it ran. No I/O.
//!
//! `state.rs` holds the configuration (a config tree will grow here), `vars.rs` shows it to
//! templates, `clock.rs` tells the time.

mod clock;
mod state;
mod vars;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::personality::Personality;
use crate::template::{Pairs, Scope};
use crate::text::crlf;

pub use clock::Clock;
pub use state::{expand_interface, short_name, Change, DeviceState};
pub use vars::{running_config_lines, DeviceVars};

/// Uptime the device already had when the simulator started it (shows in `display version`).
const PRIOR_UPTIME: Duration = Duration::from_secs(7 * 86_400 + 3 * 3600 + 25 * 60);

/// One simulated device's shared model.
pub struct Model {
    /// The personality the device follows.
    pub p: Arc<Personality>,
    state: Mutex<DeviceState>,
    secret: String,
    booted: Instant,
    commands: AtomicU64,
}

impl Model {
    /// A device with this personality and state; `secret` answers `enable`'s password prompt.
    pub fn new(p: Arc<Personality>, state: DeviceState, secret: &str) -> Model {
        Model {
            p,
            state: Mutex::new(state),
            secret: secret.to_string(),
            booted: Instant::now(),
            commands: AtomicU64::new(0),
        }
    }

    /// The configuration, locked.
    pub fn state(&self) -> MutexGuard<'_, DeviceState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// True if `answer` is the enable secret.
    pub fn secret_matches(&self, answer: &str) -> bool {
        answer == self.secret
    }

    /// How long the device has been "up".
    pub fn uptime(&self) -> Duration {
        self.booted.elapsed() + PRIOR_UPTIME
    }

    /// Counts one command line run at a prompt.
    pub fn count_command(&self) {
        self.commands.fetch_add(1, Ordering::Relaxed);
    }

    /// Command lines run so far.
    pub fn commands(&self) -> u64 {
        self.commands.load(Ordering::Relaxed)
    }

    /// The vendor's unsolicited log line for the current hostname, as terminal bytes.
    pub fn unsolicited_line(&self) -> Vec<u8> {
        let hostname = self.state().hostname.clone();
        let text = self.p.messages.unsolicited.to_string(&Scope {
            vars: &Pairs(&[("hostname", &hostname)]),
            parent: None,
        });
        let mut out = Vec::with_capacity(text.len() + 4);
        crlf(&text, &mut out);
        out
    }
}
