//! The device model: what every session of one simulated device shares — its personality, its
//! configuration, the enable secret, its boot time and how many commands it ran. No I/O.
//!
//! The configuration is a tree (`tree.rs`; as text in `tree_text.rs`; setting keys and `{ }`
//! paths in `setting.rs`) that starts from a seed (`seed.rs`); `views.rs` reads state out of it
//! through the personality's records and `write.rs` writes state into it; `state.rs` holds the
//! running, startup and candidate configurations with the commit history; `vars.rs` shows it
//! all to templates; `names.rs` expands interface names; `clock.rs` tells the time.

mod clock;
mod names;
mod seed;
mod setting;
mod state;
mod tree;
mod tree_text;
mod vars;
mod views;
mod write;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::personality::Personality;
use crate::template::{Pairs, Scope};
use crate::text::crlf;

pub use names::{expand_interface, short_name};
pub use seed::Seed;
pub use setting::{resolve_set, starts_with_words};
pub use state::{DeviceState, MAX_PENDING};
pub use tree::{Change, Tree};
pub use tree_text::{compare, display_set, render, render_section};
pub use vars::DeviceVars;
pub use write::{remove_field, write_line, write_record};

/// Uptime the device already had when the simulator started it (shows in `display version`).
const PRIOR_UPTIME: Duration = Duration::from_secs(7 * 86_400 + 3 * 3600 + 25 * 60);

/// One simulated device's shared model.
pub struct Model {
    /// The personality the device follows.
    pub p: Arc<Personality>,
    state: Mutex<DeviceState>,
    secret: Option<String>,
    /// How long a "minute" of the CLI's timers lasts (`commit confirmed N`).
    minute: Duration,
    /// Sessions start in the most privileged exec mode (IOS `username X privilege 15`).
    privileged_login: bool,
    /// When the simulator booted it, and the uptime it had before.
    booted: Mutex<(Instant, Duration)>,
    commands: AtomicU64,
}

impl Model {
    /// A device with this personality and state; `secret` answers `enable`'s password prompt
    /// (`None`: the device has no enable secret); `minute` is how long the CLI's minutes last.
    pub fn new(
        p: Arc<Personality>,
        state: DeviceState,
        secret: Option<String>,
        minute: Duration,
    ) -> Model {
        Model {
            p,
            state: Mutex::new(state),
            secret,
            minute,
            privileged_login: false,
            booted: Mutex::new((Instant::now(), PRIOR_UPTIME)),
            commands: AtomicU64::new(0),
        }
    }

    /// The configuration, locked (an unconfirmed `commit confirmed` whose time is up is
    /// rolled back first).
    pub fn state(&self) -> MutexGuard<'_, DeviceState> {
        let mut g = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if g.confirm.is_some() {
            g.expire_confirm(&self.p);
        }
        g
    }

    /// True if `answer` is the enable secret.
    pub fn secret_matches(&self, answer: &str) -> bool {
        self.secret.as_deref() == Some(answer)
    }

    /// Sessions start in the most privileged exec mode.
    pub fn with_privileged_login(mut self, on: bool) -> Model {
        self.privileged_login = on;
        self
    }

    /// True if sessions start in the most privileged exec mode.
    pub fn privileged_login(&self) -> bool {
        self.privileged_login
    }

    /// How long a minute of the CLI's timers lasts.
    pub fn minute(&self) -> Duration {
        self.minute
    }

    /// True if the device has an enable secret.
    pub fn has_secret(&self) -> bool {
        self.secret.is_some()
    }

    /// How long the device has been "up".
    pub fn uptime(&self) -> Duration {
        let (at, prior) = *self.booted.lock().unwrap_or_else(|p| p.into_inner());
        at.elapsed() + prior
    }

    /// The device rebooted: uptime starts again, the startup configuration runs.
    pub fn rebooted(&self) {
        *self.booted.lock().unwrap_or_else(|p| p.into_inner()) = (Instant::now(), Duration::ZERO);
        self.state().reload(&self.p);
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
