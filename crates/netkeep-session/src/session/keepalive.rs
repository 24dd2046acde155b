//! The keepalive: one [`Keepalive`] value per session owning its strategy, its task, its
//! counters and what it learned about the device's NUL echo; plus the bounded liveness probe it
//! and `Session::probe` share.
//!
//! A keepalive writes input (what restarts a device's idle timer) under the session's I/O lock
//! and waits for proof of life within the probe bound: the device's echo of the NUL where it
//! echoes one, else a probe of the link (an SSH ping), which never touches the shell.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use netkeep_platform::{KeepaliveMode, Platform};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::io::Exchange;
use super::state::{Core, Io};
use crate::error::Error;
use crate::options::{KeepaliveConfig, KeepaliveStats};

/// Whether the device echoes a keepalive NUL back raw (Comware does; VRP and IOS swallow it).
/// Learned from the first keepalives: once seen, the echo itself is the keepalive's round trip,
/// which proves the CLI alive and marks the end of its output, so no probe is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NulEcho {
    /// Keepalives so far that saw no echo.
    Learning(u8),
    Echoes,
    Silent,
}

/// Keepalives without an echo before a device counts as one that swallows NUL.
const NUL_ECHO_MISSES: u8 = 3;

/// [`NulEcho`] in one atomic (written only under the session's I/O lock).
struct EchoLearning(AtomicU8);

impl EchoLearning {
    const ECHOES: u8 = u8::MAX - 1;
    const SILENT: u8 = u8::MAX;

    fn get(&self) -> NulEcho {
        match self.0.load(Ordering::Relaxed) {
            Self::ECHOES => NulEcho::Echoes,
            Self::SILENT => NulEcho::Silent,
            n => NulEcho::Learning(n),
        }
    }

    fn set(&self, e: NulEcho) {
        let v = match e {
            NulEcho::Learning(n) => n.min(Self::ECHOES - 1),
            NulEcho::Echoes => Self::ECHOES,
            NulEcho::Silent => Self::SILENT,
        };
        self.0.store(v, Ordering::Relaxed);
    }
}

const NO_RTT: u64 = u64::MAX;

/// Keepalive counters, readable at any time.
#[derive(Default)]
struct Counters {
    sent: AtomicU64,
    failures: AtomicU64,
    pings: AtomicU64,
    rtt_ns: AtomicU64,
}

/// A session's keepalive.
pub(crate) struct Keepalive {
    /// The strategy in effect (the platform's, for `Auto`).
    mode: KeepaliveMode,
    /// What `is_alive` writes: the strategy, or the platform's when the task is off.
    payload: KeepaliveMode,
    /// The command, for a `payload` of [`KeepaliveMode::Command`].
    command: String,
    interval: Option<Duration>,
    counters: Counters,
    echo: EchoLearning,
    task: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Keepalive {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Keepalive {
    /// Resolves the strategy against the platform and the interval against the idle timeout
    /// (a third of it unless given). Fails when mode `command` has no command.
    pub fn new(
        cfg: &KeepaliveConfig,
        platform: &Platform,
        idle: Option<Duration>,
        device: &str,
    ) -> Result<Keepalive, Error> {
        let mode = resolve_mode(cfg.mode, platform);
        let interval = match (mode, cfg.interval, idle) {
            (KeepaliveMode::Off, _, _) => None,
            (_, Some(i), _) if !i.is_zero() => Some(i),
            (_, Some(_), _) => None,
            (_, None, Some(t)) => Some(t / 3),
            (_, None, None) => None,
        };
        let payload = match mode {
            KeepaliveMode::Off => resolve_mode(KeepaliveMode::Auto, platform),
            m => m,
        };
        let command = match cfg.command.as_ref().or(platform.spec().keepalive.command.as_ref()) {
            Some(c) => c.clone(),
            None if payload == KeepaliveMode::Command => {
                return Err(Error::InvalidOption {
                    device: device.to_string(),
                    message: format!(
                        "keepalive: mode command needs a command (KeepaliveConfig::command); platform {} names none",
                        platform.name()
                    ),
                })
            }
            None => String::new(),
        };
        Ok(Keepalive {
            mode,
            payload,
            command,
            interval,
            counters: Counters {
                rtt_ns: AtomicU64::new(NO_RTT),
                ..Counters::default()
            },
            echo: EchoLearning(AtomicU8::new(0)),
            task: std::sync::Mutex::new(None),
        })
    }

    /// Starts the task, if there is an interval.
    pub fn start(self: &Arc<Self>, core: &Arc<Core>) {
        if let Some(interval) = self.interval {
            let t = tokio::spawn(task(Arc::downgrade(core), Arc::downgrade(self), interval));
            *self.task.lock().unwrap_or_else(|e| e.into_inner()) = Some(t);
        }
    }

    /// Stops the task (the session then idles out like any other).
    pub fn stop(&self) {
        if let Some(t) = self.task.lock().unwrap_or_else(|e| e.into_inner()).take() {
            t.abort();
        }
    }

    /// The strategy in effect.
    pub fn mode(&self) -> &KeepaliveMode {
        &self.mode
    }

    /// The counters.
    pub fn stats(&self) -> KeepaliveStats {
        let c = &self.counters;
        let rtt = c.rtt_ns.load(Ordering::Relaxed);
        KeepaliveStats {
            sent: c.sent.load(Ordering::Relaxed),
            failures: c.failures.load(Ordering::Relaxed),
            pings: c.pings.load(Ordering::Relaxed),
            last_rtt: (rtt != NO_RTT).then(|| Duration::from_nanos(rtt)),
            interval: self.interval,
        }
    }

    /// Counts one keepalive and its outcome.
    pub fn record(&self, device: &str, r: &Result<Duration, Error>) {
        let c = &self.counters;
        c.sent.fetch_add(1, Ordering::Relaxed);
        match r {
            Ok(rtt) => c.rtt_ns.store(
                rtt.as_nanos().min(NO_RTT as u128 - 1) as u64,
                Ordering::Relaxed,
            ),
            Err(e) => {
                c.failures.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(device = %device, error = %e, "keepalive failed");
            }
        }
    }

    /// One keepalive under the lock; returns its round trip.
    pub async fn once(&self, core: &Core, io: &mut Io) -> Result<Duration, Error> {
        let start = Instant::now();
        let step = "keepalive";
        let probe = core.settings.probe_timeout;
        match &self.payload {
            KeepaliveMode::Newline => {
                core.exchange(io, Exchange::new("", step, probe)).await?;
            }
            KeepaliveMode::Command => {
                core.exchange(io, Exchange::new(&self.command, step, probe))
                    .await?;
            }
            KeepaliveMode::Ssh | KeepaliveMode::Off => {
                core.finish_unfinished(io).await?;
                core.drain(io, step)?;
                self.ping(core, probe).await?;
            }
            _ => return self.nul_once(core, io, start).await,
        }
        Ok(start.elapsed())
    }

    /// The NUL keepalive, with echo learning: on a device known to echo, the echo within half
    /// the probe bound is the proof of life (two packets instead of four); otherwise a probe of
    /// the link decides, and whatever the NUL made the device echo is drained.
    async fn nul_once(&self, core: &Core, io: &mut Io, start: Instant) -> Result<Duration, Error> {
        let step = "keepalive";
        let bound = core.settings.probe_timeout;
        core.finish_unfinished(io).await?;
        if core.drain_seeing_nul(io, step, "")? {
            // The previous keepalive's echo came after its ping.
            self.echo.set(NulEcho::Echoes);
        }
        core.write(io, b"\0", step).await?;
        let mut ping_timeout = bound;
        if self.echo.get() == NulEcho::Echoes {
            let half = bound / 2;
            if await_nul_echo(core, io, half, step).await? {
                return Ok(start.elapsed());
            }
            ping_timeout = bound - half;
        }
        self.ping(core, ping_timeout).await?;
        // Whatever the NUL made the device echo is usually queued now: take it.
        let seen = core.drain_seeing_nul(io, step, "")?;
        self.echo.set(match (self.echo.get(), seen) {
            (_, true) => NulEcho::Echoes,
            (NulEcho::Learning(n), false) if n + 1 < NUL_ECHO_MISSES => NulEcho::Learning(n + 1),
            // An echoing device that stopped echoing but answers pings: stop waiting.
            (_, false) => NulEcho::Silent,
        });
        Ok(start.elapsed())
    }

    /// [`probe_bounded`] as a keepalive's proof of life, counted in `pings`.
    async fn ping(&self, core: &Core, timeout: Duration) -> Result<Duration, Error> {
        self.counters.pings.fetch_add(1, Ordering::Relaxed);
        probe_bounded(core, timeout, core.settings.probe_timeout).await
    }
}

/// A probe of the link that must answer within `timeout`; no answer (or a broken connection)
/// ends the session. `bound` is the limit named in the error (the whole probe bound, when the
/// keepalive already spent part of it waiting for an echo).
pub(crate) async fn probe_bounded(
    core: &Core,
    timeout: Duration,
    bound: Duration,
) -> Result<Duration, Error> {
    let t = Instant::now();
    match tokio::time::timeout(timeout, core.link.probe()).await {
        Err(_) => Err(core.life.end(Error::ProbeTimeout {
            device: core.device.clone(),
            timeout: bound,
        })),
        Ok(Err(e)) => Err(core.life.end(e.into())),
        Ok(Ok(())) => Ok(t.elapsed()),
    }
}

/// Reads until the device echoes a raw NUL or `timeout` passes (`Ok(false)`); other bytes
/// become stray text, as in [`Core::drain`].
async fn await_nul_echo(
    core: &Core,
    io: &mut Io,
    timeout: Duration,
    step: &str,
) -> Result<bool, Error> {
    let deadline = Instant::now() + timeout;
    io.buf.clear();
    let seen = loop {
        match tokio::time::timeout_at(deadline, io.terminal.recv()).await {
            Err(_) => break false,
            Ok(netkeep_transport::Event::Data(d)) => {
                io.buf.push(&d);
                if d.contains(&0) {
                    break true;
                }
            }
            Ok(netkeep_transport::Event::End) => return Err(core.mark_dead(io, step)),
            Ok(_) => {}
        }
    };
    core.keep_stray(io);
    Ok(seen)
}

/// Rounds a keepalive's due time up to a process-wide grid of `interval / 16` (at most
/// 100 ms), so that a fleet's keepalives fire in batches: one worker wake-up and one burst of
/// socket events for hundreds of sessions instead of one each, which is most of the CPU a large
/// fleet spends keeping alive. Delays a keepalive by less than a sixteenth of its interval.
fn on_grid(due: Instant, interval: Duration) -> Instant {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let epoch = *EPOCH.get_or_init(Instant::now);
    if due <= epoch {
        // A clock older than the grid (another runtime's paused clock): no batching.
        return due;
    }
    let tick = (interval / 16).clamp(Duration::from_millis(1), Duration::from_millis(100));
    let tick_ns = tick.as_nanos();
    let since = due.duration_since(epoch).as_nanos();
    let rounded = since.div_ceil(tick_ns) * tick_ns;
    epoch + Duration::from_nanos(rounded.min(u64::MAX as u128) as u64)
}

/// The keepalive task: while the session is idle for `interval`, send one keepalive.
async fn task(core: Weak<Core>, ka: Weak<Keepalive>, interval: Duration) {
    let mut last_sent = Instant::now();
    loop {
        let wait = {
            let (Some(core), Some(ka)) = (core.upgrade(), ka.upgrade()) else {
                return;
            };
            if core.life.is_closed() {
                return;
            }
            let since = match ka.mode {
                // Probes do not count as input, so pace them by themselves.
                KeepaliveMode::Ssh => last_sent.elapsed(),
                _ => core.life.idle_for(),
            };
            interval.saturating_sub(since)
        };
        if !wait.is_zero() {
            tokio::time::sleep_until(on_grid(Instant::now() + wait, interval)).await;
            continue;
        }
        let (Some(core), Some(ka)) = (core.upgrade(), ka.upgrade()) else {
            return;
        };
        let Ok(mut io) = core.io.try_lock() else {
            // A command is running: that is activity. Look again shortly.
            drop((core, ka));
            tokio::time::sleep(interval / 4).await;
            continue;
        };
        let r = ka.once(&core, &mut io).await;
        drop(io);
        last_sent = Instant::now();
        ka.record(&core.device, &r);
        if matches!(&r, Err(e) if e.is_connection_lost()) {
            return;
        }
        if r.is_err() {
            // Do not hammer a struggling device.
            drop((core, ka));
            tokio::time::sleep(interval).await;
        }
    }
}

/// The platform's strategy for `Auto`; anything else as given.
fn resolve_mode(mode: KeepaliveMode, platform: &Platform) -> KeepaliveMode {
    match mode {
        KeepaliveMode::Auto => platform.spec().keepalive.mode,
        other => other,
    }
}
