//! A simulated device's CLI without a network: bytes typed in, the device's bytes out, run
//! synchronously. The same engine the SSH and telnet servers drive, minus timing (a slow
//! command runs to its end at once) — for fuzzing the engine at millions of inputs a second
//! and for tests that need no socket.

use std::sync::Arc;

use crate::engine::{Effect, Engine};
use crate::sim::{build_model, DeviceConfig};
use crate::SimError;

/// One CLI session on a fresh simulated device, with no transport.
///
/// ```
/// let mut c = netkeep_sim::Console::new(netkeep_sim::DeviceConfig::new("hp_comware")).unwrap();
/// let out = c.type_bytes(b"display clock\r");
/// assert!(String::from_utf8_lossy(&out).contains("display clock"));
/// assert!(!c.is_closed());
/// ```
pub struct Console {
    engine: Engine,
    closed: bool,
    /// What the device sent when the session started (banner, login text, first prompt).
    pub greeting: Vec<u8>,
}

/// Slow commands run at most this many ticks (a stalled one must not hang the caller).
const MAX_SLOW_TICKS: usize = 100_000;

impl Console {
    /// A session on a new device built as `SimDevice::start` builds it (same personality,
    /// state, enable secret), at its first prompt.
    pub fn new(cfg: DeviceConfig) -> Result<Console, SimError> {
        let banner = cfg.banner;
        let (model, cfg) = build_model(cfg)?;
        let mut engine = Engine::new(Arc::new(model), &cfg.username);
        let mut greeting = Vec::new();
        engine.start(banner, &mut greeting);
        Ok(Console {
            engine,
            closed: false,
            greeting,
        })
    }

    /// Types `input` at the terminal; returns what the device wrote back (echo, output,
    /// prompts). After the session closed (logout, reload), input is ignored.
    pub fn type_bytes(&mut self, input: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        if self.closed {
            return out;
        }
        let effect = self.engine.feed(input, &mut out);
        self.settle(effect, &mut out);
        out
    }

    /// True once the device ended the session.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Follows an effect to rest: slow commands run to their end, close and reboot end it.
    fn settle(&mut self, mut effect: Effect, out: &mut Vec<u8>) {
        for _ in 0..MAX_SLOW_TICKS {
            effect = match effect {
                Effect::None => return,
                Effect::Close | Effect::Reboot => {
                    self.closed = true;
                    return;
                }
                Effect::Slow(_) => self.engine.slow_tick(out),
                Effect::SlowDone => self.engine.finish_slow(out),
            };
        }
    }
}
