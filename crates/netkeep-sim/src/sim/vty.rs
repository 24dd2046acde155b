//! One CLI session on a VTY line, whatever the transport: takes the line (or refuses with the
//! vendor's message), feeds input to the engine and tracks "activity" the way the platform
//! counts it, runs the idle timer and slow commands. A front end (the SSH handler, the telnet
//! one) moves the bytes and implements [`Sink`] for the output sent from timers.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use super::counters::bump;
use super::output_fault::prompt_like_banner;
use super::shared::{Core, LineSlot};
use crate::engine::{Effect, Engine};
use crate::fault::Fault;
use crate::personality::Activity;
use netkeep_transport::Protocol;

/// Where a session's output goes when it is not an answer to input (timers, slow commands).
pub(crate) trait Sink: Clone + Send + Sync + 'static {
    /// Sends bytes to the client; false once the session is gone.
    fn send(&self, bytes: Vec<u8>) -> impl Future<Output = bool> + Send;
    /// Ends the session (the device hangs up).
    fn close(&self) -> impl Future<Output = ()> + Send;
}

/// A live CLI session.
pub(crate) struct Vty {
    core: Arc<Core>,
    engine: Mutex<Engine>,
    /// Milliseconds since `Core::started` of the last input the platform counts as activity.
    last_activity: AtomicU64,
}

/// The outcome of [`Vty::open`].
pub(crate) enum Opened {
    /// A line was free: the session, its line (free it by dropping), the text to send first.
    Ready {
        /// The session.
        vty: Arc<Vty>,
        /// The VTY line it holds.
        slot: LineSlot,
        /// Banner, login text and first prompt.
        greeting: Vec<u8>,
    },
    /// All lines busy: the vendor's refusal, to send before hanging up.
    Refused(Vec<u8>),
}

impl Vty {
    /// Opens a CLI session for `user` on a terminal `width` columns wide (0: unlimited).
    pub fn open(core: &Arc<Core>, user: &str, width: usize) -> Opened {
        let Some(slot) = core.take_line() else {
            return Opened::Refused(Vty::refusal(core, user));
        };
        let (vty, greeting) = Vty::start(core, user, width);
        Opened::Ready {
            vty,
            slot,
            greeting,
        }
    }

    /// The vendor's refusal when all VTY lines are busy.
    pub fn refusal(core: &Arc<Core>, user: &str) -> Vec<u8> {
        Engine::new(core.model.clone(), user).vty_refused_message()
    }

    /// Starts the CLI of `user` on a VTY line the front end already holds (telnet takes the
    /// line at connect, before its login dialogue): the session and the text to send first.
    pub fn start(core: &Arc<Core>, user: &str, width: usize) -> (Arc<Vty>, Vec<u8>) {
        let mut engine = Engine::new(core.model.clone(), user);
        engine.set_width(width);
        let protocol = match core.cfg.protocol {
            Protocol::Ssh => "SSH",
            Protocol::Telnet => "telnet",
        };
        engine.set_var("protocol", protocol);
        let mut greeting = Vec::with_capacity(256);
        if core.faults.has(|f| matches!(f, Fault::PromptInOutput)) {
            let h = core.model.state().hostname.clone();
            greeting.extend_from_slice(prompt_like_banner(&h).as_bytes());
        }
        engine.start(core.cfg.banner, &mut greeting);
        core.counters.track_session(engine.commands_counter());
        let vty = Arc::new(Vty {
            core: core.clone(),
            engine: Mutex::new(engine),
            last_activity: AtomicU64::new(core.now_ms()),
        });
        (vty, greeting)
    }

    /// Counts as activity for the idle timer without input to the CLI (a front end's model of
    /// protocol traffic that restarts the timer: `--telnet-nop-restarts-idle`).
    pub fn touch(&self) {
        self.last_activity
            .store(self.core.now_ms(), Ordering::Release);
    }

    fn engine(&self) -> MutexGuard<'_, Engine> {
        self.engine.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Feeds received bytes: the output to send (see [`Core::outgoing`]) and what to do next.
    pub fn input(&self, data: &[u8]) -> (Vec<u8>, Effect) {
        let mut out = Vec::with_capacity(data.len() + 128);
        let (effect, active) = {
            let mut e = self.engine();
            let before = e.lines_seen;
            let mut effect = e.feed(data, &mut out);
            if matches!(effect, Effect::Slow(_)) && !e.is_busy() {
                effect = Effect::None;
            }
            let active = match self.core.model.p.terminal.activity {
                Activity::AnyByte => true,
                Activity::Line => e.lines_seen > before,
            };
            (effect, active)
        };
        if active {
            self.last_activity
                .store(self.core.now_ms(), Ordering::Release);
        }
        (out, effect)
    }

    /// The client's terminal changed size.
    pub fn set_width(&self, width: usize) {
        self.engine().set_width(width);
    }

    /// Starts the VTY idle timer, if the device has one for new sessions.
    pub fn spawn_idle_timer<S: Sink>(self: &Arc<Self>, sink: S) -> Option<JoinHandle<()>> {
        let timeout = self.core.model.state().idle?;
        Some(tokio::spawn(idle_timer(self.clone(), sink, timeout)))
    }

    /// Runs a slow command's ticks (the engine said `Effect::Slow(first)`).
    pub fn spawn_slow<S: Sink>(self: &Arc<Self>, sink: S, first: Duration) -> JoinHandle<()> {
        tokio::spawn(run_slow(self.clone(), sink, first))
    }
}

async fn idle_timer<S: Sink>(vty: Arc<Vty>, sink: S, timeout: Duration) {
    let core = vty.core.clone();
    loop {
        let last = vty.last_activity.load(Ordering::Acquire);
        let deadline = core.started + Duration::from_millis(last) + timeout;
        if Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep_until(deadline.into()).await;
    }
    bump(&core.counters.idle);
    let msg = vty.engine().idle_message();
    let _ = sink.send(msg).await;
    sink.close().await;
}

async fn run_slow<S: Sink>(vty: Arc<Vty>, sink: S, first: Duration) {
    let mut wait = first;
    loop {
        tokio::time::sleep(wait).await;
        let mut out = Vec::new();
        let mut effect = vty.engine().slow_tick(&mut out);
        if !out.is_empty() && !sink.send(out).await {
            return;
        }
        if effect == Effect::SlowDone {
            // Ordered after the output above: typed-ahead input runs only now.
            let mut out = Vec::new();
            effect = vty.engine().finish_slow(&mut out);
            if !out.is_empty() && !sink.send(out).await {
                return;
            }
        }
        match effect {
            Effect::Slow(d) => wait = d,
            Effect::Close => {
                sink.close().await;
                return;
            }
            Effect::Reboot => {
                vty.core.reload.notify_one();
                return;
            }
            Effect::None | Effect::SlowDone => return,
        }
    }
}

/// Sends `out` in `chunk`-byte pieces with `delay` between them (`Fault::SlowDrip`).
pub(crate) async fn drip<S: Sink>(sink: S, out: Vec<u8>, chunk: usize, delay: Duration) {
    for piece in out.chunks(chunk) {
        if !sink.send(piece.to_vec()).await {
            return;
        }
        tokio::time::sleep(delay).await;
    }
}

/// Runs one command line without a prompt (`ssh host command`): its output, without the echo
/// and the prompt that follows.
pub(crate) fn run_once(core: &Core, user: &str, line: &[u8]) -> Vec<u8> {
    let mut engine = Engine::new(core.model.clone(), user);
    engine.start(false, &mut Vec::new());
    let mut input = line.to_vec();
    input.push(b'\r');
    let mut out = Vec::new();
    let _ = engine.feed(&input, &mut out);
    let text = String::from_utf8_lossy(&out);
    let body = text.split_once("\r\n").map_or("", |x| x.1);
    body.rsplit_once("\r\n")
        .map(|x| format!("{}\r\n", x.0))
        .unwrap_or_default()
        .into_bytes()
}
