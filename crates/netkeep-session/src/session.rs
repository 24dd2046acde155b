//! The session: one shell, one lock, one optional keepalive task.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use netkeep_channel::{clean, clean_command_output, ReadBuffer};
use netkeep_platform::{Answer, CloseReason, KeepaliveKind, Platform, Registry};
use netkeep_transport::{Auth, Secret, Shell, ShellEvent, Transport, TransportOptions};
use regex::Regex;
use tokio::sync::Mutex;

use crate::error::{CloseReasonText, Error};
use crate::options::{CommandOptions, ConnectOptions, KeepaliveMode, KeepaliveStats};

/// Options for [`Session::send_config_set_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigSetOptions {
    /// Leave configuration mode afterwards. `None`: as the platform says (two-stage platforms
    /// such as Junos, IOS-XR and VRP 8 stay in configuration mode so the caller can `commit()`).
    pub exit: Option<bool>,
    /// Read timeout per line.
    pub read_timeout: Duration,
}

impl Default for ConfigSetOptions {
    fn default() -> Self {
        ConfigSetOptions {
            exit: None,
            read_timeout: Duration::from_secs(30),
        }
    }
}

/// A live CLI session to one device. Clone it freely: clones share the session.
///
/// ```no_run
/// # async fn f(s: netkeep_session::Session) -> Result<(), netkeep_session::Error> {
/// let out = s.send_config_set(&["interface GigabitEthernet1/0/1", "description uplink"]).await?;
/// s.save_config().await?;
/// assert!(s.is_alive().await);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("device", &self.inner.device)
            .field("platform", &self.inner.platform.name())
            .field("closed", &self.is_closed())
            .finish()
    }
}

struct Inner {
    device: String,
    platform: Arc<Platform>,
    transport: Transport,
    io: Mutex<Io>,
    closed: AtomicBool,
    /// What ended the session (first error that closed it): text and the device's reason.
    ended: std::sync::Mutex<Option<(String, Option<CloseReason>)>>,
    /// Set by `disconnect()`: later calls say so instead of blaming the device.
    user_closed: AtomicBool,
    born: Instant,
    last_write_us: AtomicU64,
    ka_sent: AtomicU64,
    ka_failures: AtomicU64,
    ka_pings: AtomicU64,
    ka_rtt_ns: AtomicU64,
    ka_mode: KeepaliveMode,
    ka_interval: Option<Duration>,
    idle_timeout: Option<Duration>,
    read_timeout: Duration,
    probe_timeout: Duration,
    enable_secret: Option<Secret>,
    newline: Vec<u8>,
    ka_task: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(t) = self
            .ka_task
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            t.abort();
        }
    }
}

/// State that only the lock holder touches.
struct Io {
    shell: Shell,
    buf: ReadBuffer,
    /// Cleaned bytes that arrived between exchanges (keepalive echo, syslog, a goodbye).
    stray: String,
    mode: String,
    prompt: String,
    dead: Option<Dead>,
    nul_echo: NulEcho,
    /// A command whose read did not reach its end (its caller's future was dropped, or the
    /// read timed out): the device may still send its output, so the next exchange first
    /// reads up to its prompt instead of taking that output as its own.
    unfinished: Option<String>,
}

/// Whether the device echoes a keepalive NUL back raw (Comware does; VRP and IOS swallow it).
/// Learned from the first keepalives: once seen, the echo itself is the keepalive's round trip,
/// which proves the CLI alive and marks the end of its output, so no SSH ping is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NulEcho {
    /// Keepalives so far that saw no echo.
    Learning(u8),
    Echoes,
    Silent,
}

/// Keepalives without an echo before a device counts as one that swallows NUL.
const NUL_ECHO_MISSES: u8 = 3;

#[derive(Clone)]
struct Dead {
    step: String,
    reason: CloseReason,
    last_words: String,
}

/// How a read ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    Prompt,
    Expect,
    Quiet,
}

struct ReadSpec<'a> {
    step: &'a str,
    command: &'a str,
    deadline: tokio::time::Instant,
    timeout: Duration,
    expect: Option<&'a Regex>,
    answers: &'a [(Regex, String)],
    /// The prompt must follow a line end (the echo), so prompt-like text before it cannot end
    /// the read.
    require_newline: bool,
    quiet: Option<Duration>,
    prompt_not_found: bool,
}

const NO_RTT: u64 = u64::MAX;

/// "a command \"display clock\"": the step for error messages (built only when needed).
fn describe(step: &str, cmd: &str) -> String {
    if cmd.is_empty() {
        step.to_string()
    } else {
        format!("{step} {cmd:?}")
    }
}

/// The last `n` characters of `s`.
fn tail_chars(s: &str, n: usize) -> &str {
    let start = s
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    &s[start..]
}

fn compile_answers(device: &str, answers: &[Answer]) -> Result<Vec<(Regex, String)>, Error> {
    answers
        .iter()
        .map(|a| Ok((compile(device, &a.expect)?, a.answer.clone())))
        .collect()
}

fn compile(device: &str, pattern: &str) -> Result<Regex, Error> {
    regex::RegexBuilder::new(pattern)
        .multi_line(true)
        .build()
        .map_err(|e| Error::BadPattern {
            device: device.to_string(),
            pattern: pattern.to_string(),
            message: e.to_string(),
        })
}

impl Inner {
    /// Marks the session closed by `e` (the first cause is kept) and returns `e`.
    fn end(&self, e: Error) -> Error {
        self.closed.store(true, Ordering::Release);
        let mut ended = self.ended.lock().unwrap_or_else(|p| p.into_inner());
        if ended.is_none() {
            *ended = Some((e.to_string(), e.close_reason()));
        }
        e
    }

    fn touch(&self) {
        self.last_write_us
            .store(self.born.elapsed().as_micros() as u64, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        let last = Duration::from_micros(self.last_write_us.load(Ordering::Relaxed));
        self.born.elapsed().saturating_sub(last)
    }

    fn dead_error(&self, d: &Dead) -> Error {
        Error::ClosedByDevice {
            device: self.device.clone(),
            step: d.step.clone(),
            reason: CloseReasonText(d.reason),
            last_words: d.last_words.clone(),
        }
    }

    /// Records that the channel ended and builds the error with the device's last words.
    fn mark_dead(&self, io: &mut Io, step: &str) -> Error {
        if let Some(d) = &io.dead {
            return self.dead_error(d);
        }
        let mut words = io.stray.clone();
        let tail = io.buf.tail(400);
        if !tail.is_empty() {
            if !words.is_empty() {
                words.push('\n');
            }
            words.push_str(&tail);
        }
        if let Some(r) = self.transport.disconnect_reason() {
            if !words.is_empty() {
                words.push('\n');
            }
            words.push_str(&r);
        }
        let words = words.trim().to_string();
        let mut reason = self.platform.close_reason(&words);
        if reason == CloseReason::Unknown {
            // Silent close after at least the idle timeout without input: that is the timer.
            if let Some(t) = self.idle_timeout {
                if self.idle_for() >= t {
                    reason = CloseReason::IdleTimeout;
                }
            }
        }
        let d = Dead {
            step: step.to_string(),
            reason,
            last_words: words,
        };
        let e = self.end(self.dead_error(&d));
        io.dead = Some(d);
        tracing::info!(device = %self.device, error = %e, "session ended");
        e
    }

    /// Takes what is already queued (without waiting) into the stray text; errors if the
    /// channel has ended.
    fn drain(&self, io: &mut Io, step: &str) -> Result<(), Error> {
        self.drain_for(io, step, "")
    }

    /// [`Inner::drain`] before sending `cmd` (named in the error).
    fn drain_for(&self, io: &mut Io, step: &str, cmd: &str) -> Result<(), Error> {
        self.drain_seeing_nul(io, step, cmd).map(|_| ())
    }

    /// [`Inner::drain_for`], saying whether a raw NUL (a keepalive's echo) was among the bytes.
    fn drain_seeing_nul(&self, io: &mut Io, step: &str, cmd: &str) -> Result<bool, Error> {
        if let Some(d) = &io.dead {
            return Err(self.dead_error(d));
        }
        if self.user_closed.load(Ordering::Acquire) {
            return Err(Error::ConnectionLost {
                device: self.device.clone(),
                step: step.to_string(),
                message: "the session was closed by this program (Session::disconnect)".into(),
            });
        }
        io.buf.clear();
        let mut nul = false;
        let res = loop {
            match io.shell.try_recv() {
                None => break Ok(()),
                Some(Some(ShellEvent::Data(d))) => {
                    nul |= d.contains(&0);
                    io.buf.push(&d)
                }
                Some(Some(ShellEvent::Eof | ShellEvent::Close | ShellEvent::ExitStatus(_)))
                | Some(None) => break Err(()),
                Some(Some(_)) => {}
            }
        };
        match res {
            Ok(()) => {
                self.keep_stray(io);
                Ok(nul)
            }
            Err(()) => Err(self.mark_dead(io, &describe(step, cmd))),
        }
    }

    /// Moves what the buffer holds between exchanges (an echo, syslog) into the stray text —
    /// the device's last words if the session dies next — and empties the buffer.
    fn keep_stray(&self, io: &mut Io) {
        if !io.buf.is_empty() {
            let text = io.buf.tail(400);
            if !text.is_empty() {
                tracing::debug!(device = %self.device, stray = %text, "drained between commands");
                io.stray = text;
            }
            io.buf.clear();
        }
    }

    async fn write(&self, io: &mut Io, data: &[u8], step: &str) -> Result<(), Error> {
        if let Err(e) = io.shell.write(data).await {
            // Collect what the device said before going away.
            loop {
                match io.shell.try_recv() {
                    Some(Some(ShellEvent::Data(d))) => io.buf.push(&d),
                    Some(Some(_)) => {}
                    _ => break,
                }
            }
            if io.buf.is_empty()
                && io.stray.is_empty()
                && self.transport.disconnect_reason().is_none()
            {
                return Err(self.end(Error::ConnectionLost {
                    device: self.device.clone(),
                    step: step.to_string(),
                    message: e.to_string(),
                }));
            }
            return Err(self.mark_dead(io, step));
        }
        self.touch();
        Ok(())
    }

    async fn write_line(&self, io: &mut Io, line: &str, step: &str) -> Result<(), Error> {
        let mut b = Vec::with_capacity(line.len() + self.newline.len());
        b.extend_from_slice(line.as_bytes());
        b.extend_from_slice(&self.newline);
        self.write(io, &b, step).await
    }

    /// Reads until the prompt, the expect pattern, or a quiet period; pages and answers on the way.
    async fn read(&self, io: &mut Io, r: ReadSpec<'_>) -> Result<Ended, Error> {
        let mut next_answer = 0;
        let mut last_data = tokio::time::Instant::now();
        loop {
            if let Some((pager, answer)) = self.platform.pager() {
                if io.buf.take_pager(pager) {
                    self.write(io, answer.as_bytes(), r.step).await?;
                }
            }
            if next_answer < r.answers.len() && io.buf.find_unconsumed(&r.answers[next_answer].0) {
                io.buf.consume();
                let a = r.answers[next_answer].1.clone();
                next_answer += 1;
                self.write_line(io, &a, r.step).await?;
                continue;
            }
            if let Some(e) = r.expect {
                if io.buf.find_new(e) {
                    return Ok(Ended::Expect);
                }
            }
            if !r.require_newline || io.buf.has_newline() {
                let line = io.buf.last_line();
                if let Some(m) = self.platform.mode_of(&line) {
                    // Data already queued behind it means this was prompt-like text inside
                    // the output, not the end: keep reading.
                    let mut more = false;
                    loop {
                        match io.shell.try_recv() {
                            None => break,
                            Some(Some(ShellEvent::Data(d))) => {
                                io.buf.push(&d);
                                more = true;
                            }
                            Some(Some(
                                ShellEvent::Eof | ShellEvent::Close | ShellEvent::ExitStatus(_),
                            ))
                            | Some(None) => {
                                return Err(self.mark_dead(io, &describe(r.step, r.command)))
                            }
                            Some(Some(_)) => {}
                        }
                    }
                    if more {
                        continue;
                    }
                    if io.mode != m.name {
                        io.mode = m.name.clone();
                    }
                    let p = line.trim();
                    if io.prompt != p {
                        io.prompt = p.to_string();
                    }
                    return Ok(Ended::Prompt);
                }
            }
            let until = match r.quiet {
                Some(q) => r.deadline.min(last_data + q),
                None => r.deadline,
            };
            match tokio::time::timeout_at(until, io.shell.recv()).await {
                Err(_) if r.quiet.is_some() => return Ok(Ended::Quiet),
                Err(_) => {
                    return Err(if r.prompt_not_found {
                        Error::PromptNotFound {
                            device: self.device.clone(),
                            platform: self.platform.name().to_string(),
                            step: r.step.to_string(),
                            last_bytes: io.buf.tail(200),
                        }
                    } else {
                        Error::ReadTimeout {
                            device: self.device.clone(),
                            command: r.command.to_string(),
                            timeout: r.timeout,
                            partial: clean(io.buf.bytes()),
                        }
                    })
                }
                Ok(Some(ShellEvent::Data(d))) => {
                    io.buf.push(&d);
                    last_data = tokio::time::Instant::now();
                }
                Ok(Some(ShellEvent::Eof | ShellEvent::Close | ShellEvent::ExitStatus(_)))
                | Ok(None) => return Err(self.mark_dead(io, &describe(r.step, r.command))),
                Ok(Some(ShellEvent::RequestFailed)) => {
                    tracing::warn!(device = %self.device, "device refused a PTY/shell request")
                }
                Ok(Some(ShellEvent::Other)) => {}
            }
        }
    }

    /// If an earlier command's read was abandoned (its caller gave up, or it timed out), reads
    /// the rest of its output up to the prompt and drops it, so it cannot end up in the next
    /// command's output. If its prompt does not come within the read timeout, the session is
    /// out of step for good: it is closed (the device frees the line) and the error says why.
    async fn finish_unfinished(&self, io: &mut Io) -> Result<(), Error> {
        let Some(cmd) = io.unfinished.clone() else {
            return Ok(());
        };
        if let Some(d) = &io.dead {
            return Err(self.dead_error(d));
        }
        let step = "finishing an abandoned command";
        let r = self
            .read(
                io,
                ReadSpec {
                    step,
                    command: &cmd,
                    deadline: tokio::time::Instant::now() + self.read_timeout,
                    timeout: self.read_timeout,
                    expect: None,
                    answers: &[],
                    require_newline: true,
                    quiet: None,
                    prompt_not_found: false,
                },
            )
            .await;
        match r {
            Ok(_) => {
                tracing::debug!(device = %self.device, command = %cmd, dropped = %io.buf.tail(200), "dropped the rest of an abandoned command's output");
                io.buf.clear();
                io.unfinished = None;
                Ok(())
            }
            Err(Error::ReadTimeout { partial, .. }) => {
                let e = self.end(Error::ConnectionLost {
                    device: self.device.clone(),
                    step: step.to_string(),
                    message: format!(
                        "the output of {cmd:?}, abandoned earlier, did not end with a prompt within {:?} (last output {:?}); the session was closed to stay in step — reconnect",
                        self.read_timeout,
                        tail_chars(&partial, 200)
                    ),
                });
                self.transport.disconnect().await;
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// Sends one line and reads its output; returns (clean output, how the read ended).
    #[allow(clippy::too_many_arguments)]
    async fn exchange(
        &self,
        io: &mut Io,
        cmd: &str,
        step: &str,
        timeout: Duration,
        expect: Option<&Regex>,
        answers: &[(Regex, String)],
        quiet: Option<Duration>,
    ) -> Result<(String, Ended), Error> {
        self.finish_unfinished(io).await?;
        self.drain_for(io, step, cmd)?;
        io.unfinished = Some(cmd.to_string());
        self.write_line(io, cmd, step).await?;
        let ended = self
            .read(
                io,
                ReadSpec {
                    step,
                    command: cmd,
                    deadline: tokio::time::Instant::now() + timeout,
                    timeout,
                    expect,
                    answers,
                    require_newline: true,
                    quiet,
                    prompt_not_found: false,
                },
            )
            .await?;
        io.unfinished = None;
        // The device answered: whatever was stray before is nobody's last words any more.
        io.stray.clear();
        let strip_prompt = match ended {
            Ended::Prompt => true,
            Ended::Expect => false,
            Ended::Quiet => self.platform.mode_of(&io.buf.last_line()).is_some(),
        };
        Ok((
            clean_command_output(io.buf.bytes(), cmd, strip_prompt),
            ended,
        ))
    }

    async fn command(&self, io: &mut Io, cmd: &str, timeout: Duration) -> Result<String, Error> {
        Ok(self
            .exchange(io, cmd, "a command", timeout, None, &[], None)
            .await?
            .0)
    }

    fn rejected(&self, command: &str, output: &str) -> Option<Error> {
        self.platform
            .failure_in(output)
            .map(|(indicator, line)| Error::CommandRejected {
                device: self.device.clone(),
                command: command.to_string(),
                indicator: format!("{indicator} → {line}"),
                output: output.to_string(),
            })
    }

    /// Moves the CLI to `target` along the platform's transitions.
    async fn goto_mode(&self, io: &mut Io, target: &str) -> Result<String, Error> {
        let mut transcript = String::new();
        let path: Vec<_> = match self.platform.path(&io.mode, target) {
            Some(p) => p.into_iter().cloned().collect(),
            None => {
                return Err(Error::CommandRejected {
                    device: self.device.clone(),
                    command: format!("change to mode {target}"),
                    indicator: format!(
                        "no transition from mode {} to {target} in the platform file",
                        io.mode
                    ),
                    output: String::new(),
                })
            }
        };
        for t in path {
            let mut answers = compile_answers(&self.device, &t.expect)?;
            if let Some(p) = &t.password_prompt {
                answers.push((
                    compile(&self.device, p)?,
                    self.enable_secret
                        .as_ref()
                        .map(|s| s.expose().to_string())
                        .unwrap_or_default(),
                ));
            }
            let (out, _) = self
                .exchange(
                    io,
                    &t.send,
                    "changing mode",
                    self.read_timeout,
                    None,
                    &answers,
                    None,
                )
                .await?;
            transcript.push_str(&out);
            if io.mode != t.to {
                return Err(Error::CommandRejected {
                    device: self.device.clone(),
                    command: t.send.clone(),
                    indicator: format!("expected mode {}, prompt is {:?}", t.to, io.prompt),
                    output: out,
                });
            }
        }
        Ok(transcript)
    }

    /// The non-configuration mode to return to from configuration.
    fn exec_mode(&self, before: &str) -> String {
        let is_config = |m: &str| self.platform.mode(m).map(|m| m.config).unwrap_or(false);
        if !is_config(before) {
            return before.to_string();
        }
        self.platform
            .modes()
            .iter()
            .rev()
            .find(|m| !m.config && self.platform.path(before, &m.name).is_some())
            .map(|m| m.name.clone())
            .unwrap_or_else(|| before.to_string())
    }

    async fn leave_config(&self, io: &mut Io, to: &str) -> Result<String, Error> {
        let Some(cfg) = self.platform.spec().config.clone() else {
            return Ok(String::new());
        };
        let is_config = self
            .platform
            .mode(&io.mode)
            .map(|m| m.config)
            .unwrap_or(false);
        if !is_config {
            return Ok(String::new());
        }
        let path: Vec<_> = self
            .platform
            .path(&io.mode, to)
            .map(|p| p.into_iter().cloned().collect())
            .unwrap_or_default();
        let mut transcript = String::new();
        for t in path {
            let mut answers = compile_answers(&self.device, &t.expect)?;
            answers.extend(compile_answers(&self.device, &cfg.exit_expect)?);
            let (out, _) = self
                .exchange(
                    io,
                    &t.send,
                    "leaving configuration mode",
                    self.read_timeout,
                    None,
                    &answers,
                    None,
                )
                .await?;
            transcript.push_str(&out);
        }
        Ok(transcript)
    }

    /// An SSH ping that must answer within `timeout`; no answer (or a broken connection) ends
    /// the session. `bound` is the limit named in the error (the whole probe bound, when the
    /// keepalive already spent part of it waiting for an echo).
    async fn ping_bounded(&self, timeout: Duration, bound: Duration) -> Result<Duration, Error> {
        let t = Instant::now();
        match tokio::time::timeout(timeout, self.transport.ping()).await {
            Err(_) => Err(self.end(Error::ProbeTimeout {
                device: self.device.clone(),
                timeout: bound,
            })),
            Ok(Err(e)) => Err(self.end(e.into())),
            Ok(Ok(())) => Ok(t.elapsed()),
        }
    }

    /// [`Inner::ping_bounded`] as a keepalive's proof of life, counted in `pings`.
    async fn keepalive_ping(&self, timeout: Duration) -> Result<Duration, Error> {
        self.ka_pings.fetch_add(1, Ordering::Relaxed);
        self.ping_bounded(timeout, self.probe_timeout).await
    }

    /// Reads until the device echoes a raw NUL or `timeout` passes (`Ok(false)`); other bytes
    /// become stray text, as in [`Inner::drain`].
    async fn await_nul_echo(
        &self,
        io: &mut Io,
        timeout: Duration,
        step: &str,
    ) -> Result<bool, Error> {
        let deadline = tokio::time::Instant::now() + timeout;
        io.buf.clear();
        let seen = loop {
            match tokio::time::timeout_at(deadline, io.shell.recv()).await {
                Err(_) => break false,
                Ok(Some(ShellEvent::Data(d))) => {
                    io.buf.push(&d);
                    if d.contains(&0) {
                        break true;
                    }
                }
                Ok(Some(ShellEvent::Eof | ShellEvent::Close | ShellEvent::ExitStatus(_)))
                | Ok(None) => return Err(self.mark_dead(io, step)),
                Ok(Some(_)) => {}
            }
        };
        self.keep_stray(io);
        Ok(seen)
    }

    /// One keepalive under the lock; returns its round trip. With the task off, `is_alive` still
    /// writes the platform's payload.
    async fn keepalive_once(&self, io: &mut Io) -> Result<Duration, Error> {
        let start = Instant::now();
        let step = "keepalive";
        let mode = match &self.ka_mode {
            KeepaliveMode::Off => resolve_mode(&KeepaliveMode::Auto, &self.platform),
            m => m.clone(),
        };
        match &mode {
            KeepaliveMode::Nul | KeepaliveMode::Auto => {
                self.finish_unfinished(io).await?;
                if self.drain_seeing_nul(io, step, "")? {
                    // The previous keepalive's echo came after its ping.
                    io.nul_echo = NulEcho::Echoes;
                }
                self.write(io, b"\0", step).await?;
                let mut ping_timeout = self.probe_timeout;
                if io.nul_echo == NulEcho::Echoes {
                    // The echo proves the CLI alive and ends its output: two packets instead
                    // of four. Without it in half the probe bound, the SSH layer decides.
                    let half = self.probe_timeout / 2;
                    if self.await_nul_echo(io, half, step).await? {
                        return Ok(start.elapsed());
                    }
                    ping_timeout = self.probe_timeout - half;
                }
                self.keepalive_ping(ping_timeout).await?;
                // Whatever the NUL made the device echo is usually queued now: take it.
                let seen = self.drain_seeing_nul(io, step, "")?;
                io.nul_echo = match (io.nul_echo, seen) {
                    (_, true) => NulEcho::Echoes,
                    (NulEcho::Learning(n), false) if n + 1 < NUL_ECHO_MISSES => {
                        NulEcho::Learning(n + 1)
                    }
                    // An echoing device that stopped echoing but answers pings: stop waiting.
                    (_, false) => NulEcho::Silent,
                };
            }
            KeepaliveMode::Newline => {
                self.exchange(io, "", step, self.probe_timeout, None, &[], None)
                    .await?;
            }
            KeepaliveMode::Command(c) => {
                self.exchange(io, c, step, self.probe_timeout, None, &[], None)
                    .await?;
            }
            KeepaliveMode::Ssh | KeepaliveMode::Off => {
                self.finish_unfinished(io).await?;
                self.drain(io, step)?;
                self.keepalive_ping(self.probe_timeout).await?;
            }
        }
        Ok(start.elapsed())
    }

    fn record(&self, r: &Result<Duration, Error>) {
        self.ka_sent.fetch_add(1, Ordering::Relaxed);
        match r {
            Ok(rtt) => self.ka_rtt_ns.store(
                rtt.as_nanos().min(NO_RTT as u128 - 1) as u64,
                Ordering::Relaxed,
            ),
            Err(e) => {
                self.ka_failures.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(device = %self.device, error = %e, "keepalive failed");
            }
        }
    }
}

/// Rounds a keepalive's due time up to a process-wide grid of `interval / 16` (at most
/// 100 ms), so that a fleet's keepalives fire in batches: one worker wake-up and one burst of
/// socket events for hundreds of sessions instead of one each, which is most of the CPU a large
/// fleet spends keeping alive. Delays a keepalive by less than a sixteenth of its interval.
fn on_grid(due: Instant, interval: Duration) -> tokio::time::Instant {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let epoch = *EPOCH.get_or_init(Instant::now);
    let tick = (interval / 16).clamp(Duration::from_millis(1), Duration::from_millis(100));
    let tick_ns = tick.as_nanos();
    let since = due.saturating_duration_since(epoch).as_nanos();
    let rounded = since.div_ceil(tick_ns) * tick_ns;
    let aligned = epoch + Duration::from_nanos(rounded.min(u64::MAX as u128) as u64);
    tokio::time::Instant::from_std(aligned)
}

/// The keepalive task: while the session is idle for `interval`, send one keepalive.
async fn keepalive_task(weak: Weak<Inner>, interval: Duration) {
    let mut last_sent = Instant::now();
    loop {
        let wait = {
            let Some(inner) = weak.upgrade() else { return };
            if inner.closed.load(Ordering::Acquire) {
                return;
            }
            let since = match inner.ka_mode {
                // SSH pings do not count as input, so pace them by themselves.
                KeepaliveMode::Ssh => last_sent.elapsed(),
                _ => inner.idle_for(),
            };
            interval.saturating_sub(since)
        };
        if !wait.is_zero() {
            tokio::time::sleep_until(on_grid(Instant::now() + wait, interval)).await;
            continue;
        }
        let Some(inner) = weak.upgrade() else { return };
        let Ok(mut io) = inner.io.try_lock() else {
            // A command is running: that is activity. Look again shortly.
            drop(inner);
            tokio::time::sleep(interval / 4).await;
            continue;
        };
        let r = inner.keepalive_once(&mut io).await;
        drop(io);
        last_sent = Instant::now();
        inner.record(&r);
        if matches!(&r, Err(e) if e.is_connection_lost()) {
            return;
        }
        if r.is_err() {
            // Do not hammer a struggling device.
            drop(inner);
            tokio::time::sleep(interval).await;
        }
    }
}

fn resolve_mode(cfg: &KeepaliveMode, platform: &Platform) -> KeepaliveMode {
    match cfg {
        KeepaliveMode::Auto => {
            let k = &platform.spec().keepalive;
            match k.mode {
                KeepaliveKind::Nul => KeepaliveMode::Nul,
                KeepaliveKind::Newline => KeepaliveMode::Newline,
                KeepaliveKind::Command => {
                    KeepaliveMode::Command(k.command.clone().unwrap_or_default())
                }
                KeepaliveKind::Ssh => KeepaliveMode::Ssh,
                KeepaliveKind::Off => KeepaliveMode::Off,
            }
        }
        other => other.clone(),
    }
}

impl Session {
    /// Connects, logs in, waits for the first prompt (answering banners), prepares the session
    /// (paging off, width) and starts the keepalive task — all within `connect_timeout`.
    pub async fn connect(opts: ConnectOptions) -> Result<Session, Error> {
        let device = opts.device();
        let registry;
        let platform = match &opts.platform_dir {
            Some(dir) => {
                registry = Registry::with_dir(dir).map_err(|e| Error::Platform {
                    device: device.clone(),
                    message: e.to_string(),
                })?;
                registry.get(&opts.platform)
            }
            None => netkeep_platform::builtin(&opts.platform),
        }
        .map_err(|e| match e {
            netkeep_platform::PlatformError::Unknown { name, known } => Error::UnknownPlatform {
                device: device.clone(),
                name,
                known,
            },
            other => Error::Platform {
                device: device.clone(),
                message: other.to_string(),
            },
        })?;
        let started = tokio::time::Instant::now();
        let mut topts = TransportOptions::new(
            opts.host.clone(),
            opts.port,
            opts.username.clone(),
            opts.auth.clone(),
        );
        topts.device = device.clone();
        topts.host_key_policy = opts.host_key_policy;
        topts.known_hosts_file = opts.known_hosts_file.clone();
        topts.connect_timeout = opts.connect_timeout;
        topts.legacy_algorithms = opts.legacy_algorithms;
        topts.ssh_keepalive = opts.ssh_keepalive;
        let (transport, shell) = Transport::connect(&topts).await?;

        let idle_timeout = match opts.idle_timeout {
            Some(t) if t.is_zero() => None,
            Some(t) => Some(t),
            None => platform.default_idle_timeout(),
        };
        let ka_mode = resolve_mode(&opts.keepalive.mode, &platform);
        let ka_interval = match (&ka_mode, opts.keepalive.interval, idle_timeout) {
            (KeepaliveMode::Off, _, _) => None,
            (_, Some(i), _) if !i.is_zero() => Some(i),
            (_, Some(_), _) => None,
            (_, None, Some(t)) => Some(t / 3),
            (_, None, None) => None,
        };
        let enable_secret = opts.enable_secret.clone().or(match &opts.auth {
            Auth::Password(s) | Auth::KeyboardInteractive(s) => Some(s.clone()),
            Auth::PublicKey { .. } => None,
        });
        let newline = platform.spec().newline.clone().into_bytes();
        let inner = Arc::new(Inner {
            device: device.clone(),
            platform: platform.clone(),
            transport,
            io: Mutex::new(Io {
                shell,
                buf: ReadBuffer::new(),
                stray: String::new(),
                mode: String::new(),
                prompt: String::new(),
                dead: None,
                nul_echo: NulEcho::Learning(0),
                unfinished: None,
            }),
            closed: AtomicBool::new(false),
            ended: std::sync::Mutex::new(None),
            user_closed: AtomicBool::new(false),
            born: Instant::now(),
            last_write_us: AtomicU64::new(0),
            ka_sent: AtomicU64::new(0),
            ka_failures: AtomicU64::new(0),
            ka_pings: AtomicU64::new(0),
            ka_rtt_ns: AtomicU64::new(NO_RTT),
            ka_mode,
            ka_interval,
            idle_timeout,
            read_timeout: opts.read_timeout,
            probe_timeout: opts.probe_timeout,
            enable_secret,
            newline,
            ka_task: std::sync::Mutex::new(None),
        });
        {
            let mut io = inner.io.lock().await;
            let io = &mut *io;
            let deadline = started + opts.connect_timeout;
            let on_open: Vec<(Regex, String)> = platform.on_open().to_vec();
            inner
                .read(
                    io,
                    ReadSpec {
                        step: "login (waiting for the first prompt)",
                        command: "",
                        deadline,
                        timeout: opts.connect_timeout,
                        expect: None,
                        answers: &on_open,
                        require_newline: false,
                        quiet: None,
                        prompt_not_found: true,
                    },
                )
                .await?;
            for p in &platform.spec().prepare {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                let out = inner
                    .exchange(
                        io,
                        &p.command,
                        "session preparation",
                        left.max(Duration::from_millis(1)),
                        None,
                        &[],
                        None,
                    )
                    .await
                    .map_err(|e| match e {
                        Error::ReadTimeout { partial, .. } => Error::PromptNotFound {
                            device: device.clone(),
                            platform: platform.name().to_string(),
                            step: format!("session preparation ({:?})", p.command),
                            last_bytes: partial,
                        },
                        other => other,
                    })?
                    .0;
                if let Some(e) = inner.rejected(&p.command, &out) {
                    if p.optional {
                        tracing::info!(device = %device, error = %e, "optional preparation refused");
                    } else {
                        return Err(e);
                    }
                }
            }
        }
        if let Some(interval) = ka_interval {
            let task = tokio::spawn(keepalive_task(Arc::downgrade(&inner), interval));
            *inner.ka_task.lock().unwrap_or_else(|e| e.into_inner()) = Some(task);
        }
        Ok(Session { inner })
    }

    /// The device label.
    pub fn device(&self) -> &str {
        &self.inner.device
    }

    /// The platform in use.
    pub fn platform(&self) -> &Platform {
        &self.inner.platform
    }

    /// Runs a command and returns its clean output (no echo, no prompt, `\n` line ends, paging
    /// answered), reading until the prompt or the default read timeout.
    ///
    /// Cancel-safe: if this future is dropped (a `timeout`, a `select!`) or the read times out,
    /// the device may still be sending; the next call on the session first reads that output
    /// to its prompt and drops it, so it never appears in another command's answer.
    pub async fn send_command(&self, cmd: &str) -> Result<String, Error> {
        let mut io = self.inner.io.lock().await;
        self.inner
            .command(&mut io, cmd, self.inner.read_timeout)
            .await
    }

    /// Like [`Session::send_command`] with an expect pattern instead of the prompt and a read
    /// timeout.
    pub async fn send_command_with(
        &self,
        cmd: &str,
        opts: &CommandOptions,
    ) -> Result<String, Error> {
        let expect = opts
            .expect
            .as_deref()
            .map(|p| compile(&self.inner.device, p))
            .transpose()?;
        let mut io = self.inner.io.lock().await;
        Ok(self
            .inner
            .exchange(
                &mut io,
                cmd,
                "a command",
                opts.read_timeout,
                expect.as_ref(),
                &[],
                None,
            )
            .await?
            .0)
    }

    /// Runs a command and reads until the device has been quiet for `quiet` (or the prompt
    /// appears, or `max` passes): for commands whose end is not a prompt. The trailing prompt is
    /// stripped if there is one.
    pub async fn send_command_timing(
        &self,
        cmd: &str,
        quiet: Duration,
        max: Duration,
    ) -> Result<String, Error> {
        let mut io = self.inner.io.lock().await;
        Ok(self
            .inner
            .exchange(
                &mut io,
                cmd,
                "a command (timing)",
                max,
                None,
                &[],
                Some(quiet),
            )
            .await?
            .0)
    }

    /// Runs a command that asks questions: each `(expect_regex, answer)` is answered in order
    /// when its pattern shows up; the read ends at the prompt.
    ///
    /// ```no_run
    /// # async fn f(s: netkeep_session::Session) -> Result<(), netkeep_session::Error> {
    /// s.send_interactive("save", &[(r"\[Y/N\]", "Y"), (r"(?i)file name", ""), (r"overwrite\?", "Y")]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn send_interactive(
        &self,
        cmd: &str,
        steps: &[(&str, &str)],
    ) -> Result<String, Error> {
        let answers = steps
            .iter()
            .map(|(e, a)| Ok((compile(&self.inner.device, e)?, a.to_string())))
            .collect::<Result<Vec<_>, Error>>()?;
        let mut io = self.inner.io.lock().await;
        Ok(self
            .inner
            .exchange(
                &mut io,
                cmd,
                "an interactive command",
                self.inner.read_timeout,
                None,
                &answers,
                None,
            )
            .await?
            .0)
    }

    /// Enters configuration mode, sends the lines, stops at the first failure indicator
    /// ([`Error::ConfigRejected`]), and leaves configuration mode (see [`ConfigSetOptions`]).
    /// Returns a transcript (`prompt` + line, then its output).
    pub async fn send_config_set(&self, lines: &[&str]) -> Result<String, Error> {
        self.send_config_set_with(lines, &ConfigSetOptions::default())
            .await
    }

    /// [`Session::send_config_set`] with options.
    pub async fn send_config_set_with(
        &self,
        lines: &[&str],
        opts: &ConfigSetOptions,
    ) -> Result<String, Error> {
        let inner = &self.inner;
        let Some(cfg) = inner.platform.spec().config.clone() else {
            return Err(Error::Unsupported {
                device: inner.device.clone(),
                platform: inner.platform.name().to_string(),
                what: "configuration mode",
            });
        };
        let mut io = inner.io.lock().await;
        let io = &mut *io;
        inner.drain(io, "configuration")?;
        let before = io.mode.clone();
        let back_to = inner.exec_mode(&before);
        let mut transcript = inner.goto_mode(io, &cfg.mode).await?;
        let exit = opts.exit.unwrap_or(cfg.exit_after_set);
        for line in lines {
            let prompt = io.prompt.clone();
            let out = inner.command(io, line, opts.read_timeout).await?;
            transcript.push_str(&prompt);
            transcript.push_str(line);
            transcript.push('\n');
            if !out.is_empty() {
                transcript.push_str(&out);
                transcript.push('\n');
            }
            if let Some((indicator, bad)) = inner.platform.failure_in(&out) {
                let err = Error::ConfigRejected {
                    device: inner.device.clone(),
                    line: line.to_string(),
                    indicator: format!("{indicator} → {bad}"),
                    output: out,
                };
                if exit {
                    inner.leave_config(io, &back_to).await?;
                }
                return Err(err);
            }
        }
        if exit {
            transcript.push_str(&inner.leave_config(io, &back_to).await?);
        }
        Ok(transcript)
    }

    /// Saves the running configuration (the platform's save command, answering its questions).
    pub async fn save_config(&self) -> Result<String, Error> {
        let inner = &self.inner;
        let Some(save) = inner.platform.spec().save.clone() else {
            return Err(Error::Unsupported {
                device: inner.device.clone(),
                platform: inner.platform.name().to_string(),
                what: "save command (use commit)",
            });
        };
        let answers = compile_answers(&inner.device, &save.expect)?;
        let timeout = inner
            .platform
            .action_timeout(&save, Duration::from_secs(120));
        let mut io = inner.io.lock().await;
        let io = &mut *io;
        inner.drain(io, "save")?;
        let mode = io.mode.clone();
        let target = inner.exec_mode(&mode);
        if target != mode {
            inner.leave_config(io, &target).await?;
        }
        let (out, _) = inner
            .exchange(io, &save.command, "save", timeout, None, &answers, None)
            .await?;
        if let Some(e) = inner.rejected(&save.command, &out) {
            return Err(e);
        }
        Ok(out)
    }

    /// Commits the candidate configuration (Junos, IOS-XR, VRP 8), entering configuration mode
    /// if needed and leaving it afterwards when the platform says so.
    pub async fn commit(&self) -> Result<String, Error> {
        let inner = &self.inner;
        let (Some(commit), Some(cfg)) = (
            inner.platform.spec().commit.clone(),
            inner.platform.spec().config.clone(),
        ) else {
            return Err(Error::Unsupported {
                device: inner.device.clone(),
                platform: inner.platform.name().to_string(),
                what: "commit (changes apply at once; use save_config)",
            });
        };
        let answers = compile_answers(&inner.device, &commit.expect)?;
        let timeout = inner
            .platform
            .action_timeout(&commit, Duration::from_secs(120));
        let mut io = inner.io.lock().await;
        let io = &mut *io;
        inner.drain(io, "commit")?;
        let back_to = inner.exec_mode(&io.mode);
        inner.goto_mode(io, &cfg.mode).await?;
        let (out, _) = inner
            .exchange(io, &commit.command, "commit", timeout, None, &answers, None)
            .await?;
        if let Some(e) = inner.rejected(&commit.command, &out) {
            return Err(e);
        }
        if commit.exit_after {
            inner.leave_config(io, &back_to).await?;
        }
        Ok(out)
    }

    /// Enters the platform's privileged mode (Cisco/Arista `enable`), answering the password
    /// prompt with the enable secret (default: the login password). No-op where there is none.
    pub async fn enable(&self) -> Result<(), Error> {
        let inner = &self.inner;
        let Some(en) = inner.platform.spec().enable.clone() else {
            return Ok(());
        };
        let mut io = inner.io.lock().await;
        let io = &mut *io;
        inner.drain(io, "enable")?;
        if io.mode == en.mode {
            return Ok(());
        }
        inner.goto_mode(io, &en.mode).await.map(|_| ())
    }

    /// Sends an empty line and returns the prompt the device shows (e.g. `<H3C>`).
    pub async fn find_prompt(&self) -> Result<String, Error> {
        let mut io = self.inner.io.lock().await;
        self.inner
            .exchange(
                &mut io,
                "",
                "finding the prompt",
                self.inner.read_timeout,
                None,
                &[],
                None,
            )
            .await?;
        Ok(io.prompt.clone())
    }

    /// Netmiko's `is_alive`, done right: under the session lock, writes the keepalive payload
    /// (NUL by default; what restarts the device's idle timer), waits for proof of life within
    /// the probe timeout — the device's echo of the NUL where it echoes one (Comware), else a
    /// bounded SSH ping — and drains whatever the device echoed. False if the session is gone.
    pub async fn is_alive(&self) -> bool {
        if self.is_closed() {
            return false;
        }
        let mut io = self.inner.io.lock().await;
        let r = self.inner.keepalive_once(&mut io).await;
        drop(io);
        self.inner.record(&r);
        r.is_ok()
    }

    /// A bounded round trip: SSH ping within `timeout` (a half-open TCP connection never
    /// answers: [`Error::ProbeTimeout`]), then, if no command is running, a check that the shell
    /// channel is still open. Does not write into the shell.
    pub async fn probe(&self, timeout: Duration) -> Result<Duration, Error> {
        let inner = &self.inner;
        if let Ok(mut io) = inner.io.try_lock() {
            if let Some(d) = &io.dead {
                return Err(inner.dead_error(d));
            }
            // An abandoned command's output stays queued for the next exchange to finish.
            if io.unfinished.is_none() {
                inner.drain(&mut io, "probe")?;
            }
        }
        inner.ping_bounded(timeout, timeout).await
    }

    /// Keepalive counters.
    pub fn keepalive_stats(&self) -> KeepaliveStats {
        let i = &self.inner;
        let rtt = i.ka_rtt_ns.load(Ordering::Relaxed);
        KeepaliveStats {
            sent: i.ka_sent.load(Ordering::Relaxed),
            failures: i.ka_failures.load(Ordering::Relaxed),
            pings: i.ka_pings.load(Ordering::Relaxed),
            last_rtt: (rtt != NO_RTT).then(|| Duration::from_nanos(rtt)),
            interval: i.ka_interval,
        }
    }

    /// The keepalive strategy in effect.
    pub fn keepalive_mode(&self) -> &KeepaliveMode {
        &self.inner.ka_mode
    }

    /// Stops the keepalive task (the session then idles out like any other).
    pub fn stop_keepalive(&self) {
        if let Some(t) = self
            .inner
            .ka_task
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            t.abort();
        }
    }

    /// True once the session is known to be gone (closed by either side, broken, or a failed probe).
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire) || self.inner.transport.is_closed()
    }

    /// A session that ended while nobody was reading: read the device's last words now (if no
    /// command holds the lock) so the cause is recorded.
    fn settle(&self) {
        let recorded = self
            .inner
            .ended
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some();
        if !recorded {
            if let Ok(mut io) = self.inner.io.try_lock() {
                let _ = self.inner.drain(&mut io, "the wait between commands");
            }
        }
    }

    /// What ended the session, once it has ended: the error that closed it (device, step, the
    /// device's last words), or the SSH layer's reason. `None` while the session is open.
    ///
    /// ```no_run
    /// # async fn f(s: netkeep_session::Session) {
    /// if let Some(why) = s.close_message() {
    ///     eprintln!("session gone: {why}");
    /// }
    /// # }
    /// ```
    pub fn close_message(&self) -> Option<String> {
        if !self.is_closed() {
            return None;
        }
        self.settle();
        let ended = self.inner.ended.lock().unwrap_or_else(|p| p.into_inner());
        Some(match &*ended {
            Some((msg, _)) => msg.clone(),
            None if self.inner.user_closed.load(Ordering::Acquire) => {
                format!("{}: closed by this program", self.inner.device)
            }
            None => format!(
                "{}: the SSH connection closed ({})",
                self.inner.device,
                self.inner
                    .transport
                    .disconnect_reason()
                    .unwrap_or_else(|| "no reason given: reset or dead peer".into())
            ),
        })
    }

    /// The device's reason for closing the session (idle timeout, VTY limit), where it said
    /// one; `None` while open or when it did not.
    pub fn close_reason(&self) -> Option<CloseReason> {
        if !self.is_closed() {
            return None;
        }
        self.settle();
        let ended = self.inner.ended.lock().unwrap_or_else(|p| p.into_inner());
        ended.as_ref().and_then(|(_, r)| *r)
    }

    /// Time since netkeep last wrote into the session (what a device's idle timer measures).
    pub fn idle_for(&self) -> Duration {
        self.inner.idle_for()
    }

    /// Polite close: stops the keepalive, closes the channel and the SSH connection.
    pub async fn disconnect(&self) {
        self.stop_keepalive();
        self.inner.user_closed.store(true, Ordering::Release);
        self.inner.closed.store(true, Ordering::Release);
        if let Ok(io) = tokio::time::timeout(Duration::from_secs(2), self.inner.io.lock()).await {
            io.shell.close().await;
        }
        self.inner.transport.disconnect().await;
    }
}
