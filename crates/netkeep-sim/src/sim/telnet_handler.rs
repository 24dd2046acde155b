//! The telnet front end: one task per connection — the device's opening negotiation, the VTY
//! line taken at connect (or the vendor's refusal), the login dialogue of the personality, then
//! bytes in and out of a [`Vty`] — and a writer task that escapes 0xFF and hangs up.
//!
//! Option negotiation, `IAC NOP` and `DO TIMING-MARK` are taken out before the CLI sees
//! anything, so they do not restart the idle timer — unless the device is told to model a
//! server that counts them (`DeviceConfig::telnet_nop_restarts_idle`).

use std::sync::Arc;
use std::time::Duration;

use netkeep_transport::telnet::codec::{escape_iac, Command, Parser};
use tokio::io::{AsyncReadExt, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::counters::bump;
use super::netfault::FaultStream;
use super::shared::{Core, Outgoing};
use super::telnet_login::{render, LoginDialog, Typed};
use super::telnet_options::{Heard, ServerOptions};
use super::vty::{drip, Sink, Vty};
use crate::engine::Effect;
use crate::fault::Fault;

/// A login not finished in this long is dropped (as devices do).
const LOGIN_TIMEOUT: Duration = Duration::from_secs(60);

/// What the writer task sends.
enum Wire {
    /// Terminal output (0xFF doubled on the way).
    Data(Vec<u8>),
    /// Negotiation, as is.
    Raw(Vec<u8>),
    /// FIN and stop.
    Close,
}

/// Output sent from timers and slow commands, and the hang-up.
#[derive(Clone)]
struct TelnetSink {
    tx: UnboundedSender<Wire>,
}

impl Sink for TelnetSink {
    async fn send(&self, bytes: Vec<u8>) -> bool {
        self.tx.send(Wire::Data(bytes)).is_ok()
    }

    async fn close(&self) {
        let _ = self.tx.send(Wire::Close);
    }
}

/// Serves one accepted connection until it ends.
pub(crate) async fn serve(core: Arc<Core>, stream: FaultStream) {
    let (rd, wr) = tokio::io::split(stream);
    let closed = Arc::new(Notify::new());
    let (tx, rx) = unbounded_channel();
    let writer = tokio::spawn(write_loop(wr, rx, closed.clone()));
    let mut opening = Vec::new();
    let options = ServerOptions::open(&core.model.p.telnet.negotiate, &mut opening);
    let _ = tx.send(Wire::Raw(opening));
    let mut conn = Conn {
        core,
        sink: TelnetSink { tx },
        closed,
        rd,
        buf: vec![0; 16 * 1024],
        parser: Parser::new(),
        options,
        cols: 0,
        vty: None,
        tasks: Vec::new(),
    };
    conn.run().await;
    for t in &conn.tasks {
        t.abort();
    }
    drop(conn);
    let _ = writer.await;
}

async fn write_loop(
    mut wr: WriteHalf<FaultStream>,
    mut rx: UnboundedReceiver<Wire>,
    closed: Arc<Notify>,
) {
    let mut wire = Vec::new();
    while let Some(m) = rx.recv().await {
        let bytes = match &m {
            Wire::Data(b) => {
                wire.clear();
                escape_iac(b, &mut wire);
                &wire
            }
            Wire::Raw(b) => b,
            Wire::Close => {
                let _ = wr.shutdown().await;
                break;
            }
        };
        if wr.write_all(bytes).await.is_err() {
            break;
        }
    }
    closed.notify_one();
}

struct Conn {
    core: Arc<Core>,
    sink: TelnetSink,
    /// The writer hung up (or failed): stop reading.
    closed: Arc<Notify>,
    rd: ReadHalf<FaultStream>,
    buf: Vec<u8>,
    parser: Parser,
    options: ServerOptions,
    /// Window width from NAWS (0: not told).
    cols: usize,
    vty: Option<Arc<Vty>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Conn {
    async fn run(&mut self) {
        // Telnet takes a VTY line at connect: the login dialogue runs on it.
        let Some(_slot) = self.core.take_line() else {
            let msg = Vty::refusal(&self.core, "");
            self.send(msg);
            self.hang_up();
            return;
        };
        let user = match tokio::time::timeout(LOGIN_TIMEOUT, self.login()).await {
            Ok(Some(user)) => user,
            _ => return self.hang_up(),
        };
        let (vty, greeting) = Vty::start(&self.core, &user, self.cols);
        self.vty = Some(vty.clone());
        self.output(greeting);
        if let Some(t) = vty.spawn_idle_timer(self.sink.clone()) {
            self.tasks.push(t);
        }
        self.cli(&vty).await;
        // A device slow to tear a line down: the line (`_slot`) is freed, and the connection
        // closed, only this long after the session ended.
        tokio::time::sleep(self.core.cfg.hang_up_delay).await;
    }

    /// Bytes in and out of the CLI until the connection ends.
    async fn cli(&mut self, vty: &Arc<Vty>) {
        while let Some((data, commands)) = self.read().await {
            if !data.is_empty() {
                let (out, effect) = vty.input(&data);
                self.output(out);
                match effect {
                    Effect::Close => self.hang_up(),
                    Effect::Reboot => self.core.reload.notify_one(),
                    Effect::Slow(d) => self.tasks.push(vty.spawn_slow(self.sink.clone(), d)),
                    Effect::None | Effect::SlowDone => {}
                }
            }
            self.answer(&commands);
        }
    }

    /// The personality's login dialogue; the user name once a login succeeds.
    async fn login(&mut self) -> Option<String> {
        let t = &self.core.model.p.telnet;
        let mut first = render(&self.core.model, &t.banner);
        first.extend(render(&self.core.model, &t.username));
        self.send(first);
        let mut dialog = LoginDialog::default();
        let mut failures = 0;
        loop {
            let (data, commands) = self.read().await?;
            let mut echo = Vec::new();
            let typed = dialog.feed(&data, &mut echo);
            self.send(echo);
            self.answer(&commands);
            let t = &self.core.model.p.telnet;
            match typed {
                Typed::More => {}
                Typed::User => self.send(render(&self.core.model, &t.password)),
                Typed::Done { user, password } => {
                    if self.accepts(&user, &password).await {
                        return Some(user);
                    }
                    failures += 1;
                    let mut refusal = render(&self.core.model, &t.failed);
                    if failures >= t.tries {
                        self.send(refusal);
                        return None;
                    }
                    refusal.extend(render(&self.core.model, &t.username));
                    self.send(refusal);
                }
            }
        }
    }

    async fn accepts(&self, user: &str, password: &str) -> bool {
        let core = &self.core;
        let ok = core.model.p.account_name(user) == core.cfg.username
            && password == core.cfg.password
            && !core.faults.has(|f| matches!(f, Fault::AuthFailing));
        if !ok {
            bump(&core.counters.auth_failures);
        } else if !core.cfg.login_delay.is_zero() {
            tokio::time::sleep(core.cfg.login_delay).await;
        }
        ok
    }

    /// The next chunk from the client, split into terminal data and telnet commands; `None`
    /// once the connection ended or the device hung up.
    async fn read(&mut self) -> Option<(Vec<u8>, Vec<Command>)> {
        let n = tokio::select! {
            r = self.rd.read(&mut self.buf) => match r {
                Ok(0) | Err(_) => return None,
                Ok(n) => n,
            },
            _ = self.closed.notified() => return None,
        };
        let (mut data, mut commands) = (Vec::new(), Vec::new());
        self.parser.feed(&self.buf[..n], &mut data, &mut commands);
        Some((data, commands))
    }

    /// Replies to the client's commands (after the output of the data that came before them,
    /// so a timing mark is answered once that input was processed).
    fn answer(&mut self, commands: &[Command]) {
        let mut reply = Vec::new();
        for c in commands {
            match self.options.handle(c, &mut reply) {
                Heard::Width(w) => {
                    self.cols = w as usize;
                    if let Some(v) = &self.vty {
                        v.set_width(self.cols);
                    }
                }
                Heard::Nudge if self.core.cfg.telnet_nop_restarts_idle => {
                    if let Some(v) = &self.vty {
                        v.touch();
                    }
                }
                Heard::Nudge | Heard::Nothing => {}
            }
        }
        if !reply.is_empty() {
            let _ = self.sink.tx.send(Wire::Raw(reply));
        }
    }

    /// Login text: straight out.
    fn send(&self, bytes: Vec<u8>) {
        if !bytes.is_empty() {
            let _ = self.sink.tx.send(Wire::Data(bytes));
        }
    }

    /// CLI output: through the output faults (garbage, drip, ...), as over SSH.
    fn output(&mut self, out: Vec<u8>) {
        match self.core.outgoing(out) {
            Outgoing::Nothing => {}
            Outgoing::Now(bytes) => self.send(bytes),
            Outgoing::Drip {
                bytes,
                chunk,
                delay,
            } => {
                let sink = self.sink.clone();
                self.tasks
                    .push(tokio::spawn(drip(sink, bytes, chunk, delay)));
            }
        }
    }

    fn hang_up(&self) {
        let _ = self.sink.tx.send(Wire::Close);
    }
}
