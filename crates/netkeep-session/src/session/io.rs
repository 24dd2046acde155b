//! The I/O loop on the terminal: write a line, read until the prompt (or an expect pattern, or a
//! quiet period) answering the pager and questions on the way, drain what arrives between
//! exchanges, finish an abandoned command's output before the next one, and turn the end of the
//! stream into the device's last words.

use std::time::Duration;

use netkeep_channel::{clean, clean_command_output};
use netkeep_platform::CloseReason;
use netkeep_transport::Event;
use regex::Regex;
use tokio::time::Instant;

use super::state::{Core, Dead, Io};
use crate::error::{CloseReasonText, Error};

/// How a read ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ended {
    Prompt,
    Expect,
    Quiet,
}

/// What the end of the buffer says.
enum AtPrompt {
    /// The prompt, with nothing behind it: the read is over.
    Yes,
    /// Prompt-like text with data queued behind it, now taken: look again.
    MoreData,
    /// No prompt: wait for data.
    No,
}

/// One line sent and its output read.
pub(crate) struct Exchange<'a> {
    /// The line typed (without the newline).
    pub cmd: &'a str,
    /// What the session is doing, for errors ("a command", "save").
    pub step: &'a str,
    /// Read timeout.
    pub timeout: Duration,
    /// Ends the read instead of the prompt.
    pub expect: Option<&'a Regex>,
    /// Questions answered in order as they show up.
    pub answers: &'a [(Regex, String)],
    /// Ends the read after this long without data (or at the prompt).
    pub quiet: Option<Duration>,
    /// Remove the trailing prompt (and its context lines) when the read ended at one.
    pub strip_prompt: bool,
    /// Remove the echo of `cmd`.
    pub strip_command: bool,
}

impl<'a> Exchange<'a> {
    /// A line read until its prompt.
    pub fn new(cmd: &'a str, step: &'a str, timeout: Duration) -> Self {
        Exchange {
            cmd,
            step,
            timeout,
            expect: None,
            answers: &[],
            quiet: None,
            strip_prompt: true,
            strip_command: true,
        }
    }
}

/// What ends one read and what it answers on the way.
pub(crate) struct ReadSpec<'a> {
    pub step: &'a str,
    pub command: &'a str,
    pub deadline: Instant,
    pub timeout: Duration,
    pub expect: Option<&'a Regex>,
    pub answers: &'a [(Regex, String)],
    /// The prompt must follow a line end (the echo), so prompt-like text before it cannot end
    /// the read.
    pub require_newline: bool,
    pub quiet: Option<Duration>,
    /// A timeout is [`Error::PromptNotFound`] (login), not [`Error::ReadTimeout`].
    pub prompt_not_found: bool,
}

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

impl Core {
    pub(crate) fn dead_error(&self, d: &Dead) -> Error {
        Error::ClosedByDevice {
            device: self.device.clone(),
            step: d.step.clone(),
            reason: CloseReasonText(d.reason),
            last_words: d.last_words.clone(),
        }
    }

    /// Records that the stream ended and builds the error with the device's last words.
    pub(crate) fn mark_dead(&self, io: &mut Io, step: &str) -> Error {
        if let Some(d) = &io.dead {
            return self.dead_error(d);
        }
        let mut words = io.stray.clone();
        let tail = io.buf.tail(400);
        for part in [Some(tail), self.link.disconnect_reason()]
            .into_iter()
            .flatten()
        {
            if !part.is_empty() {
                if !words.is_empty() {
                    words.push('\n');
                }
                words.push_str(&part);
            }
        }
        let words = words.trim().to_string();
        let mut reason = self.platform.close_reason(&words);
        if reason == CloseReason::Unknown {
            // Silent close after at least the idle timeout without input: that is the timer.
            if let Some(t) = self.settings.idle_timeout {
                if self.life.idle_for() >= t {
                    reason = CloseReason::IdleTimeout;
                }
            }
        }
        let d = Dead {
            step: step.to_string(),
            reason,
            last_words: words,
        };
        let e = self.life.end(self.dead_error(&d));
        io.dead = Some(d);
        tracing::info!(device = %self.device, error = %e, "session ended");
        e
    }

    /// Takes what is already queued (without waiting) into the stray text; errors if the
    /// stream has ended.
    pub(crate) fn drain(&self, io: &mut Io, step: &str) -> Result<(), Error> {
        self.drain_seeing_nul(io, step, "").map(|_| ())
    }

    /// [`Core::drain`] before sending `cmd` (named in the error), saying whether a raw NUL (a
    /// keepalive's echo) was among the bytes.
    pub(crate) fn drain_seeing_nul(
        &self,
        io: &mut Io,
        step: &str,
        cmd: &str,
    ) -> Result<bool, Error> {
        if let Some(d) = &io.dead {
            return Err(self.dead_error(d));
        }
        if self.life.user_closed() {
            return Err(Error::ConnectionLost {
                device: self.device.clone(),
                step: step.to_string(),
                message: "the session was closed by this program (Session::disconnect)".into(),
            });
        }
        io.buf.clear();
        let mut nul = false;
        while let Some(ev) = io.terminal.try_recv() {
            match ev {
                Event::Data(d) => {
                    nul |= d.contains(&0);
                    io.buf.push(&d);
                }
                Event::End => return Err(self.mark_dead(io, &describe(step, cmd))),
                _ => {}
            }
        }
        self.keep_stray(io);
        Ok(nul)
    }

    /// Moves what the buffer holds between exchanges (an echo, syslog) into the stray text —
    /// the device's last words if the session dies next — and empties the buffer.
    pub(crate) fn keep_stray(&self, io: &mut Io) {
        if !io.buf.is_empty() {
            let text = io.buf.tail(400);
            if !text.is_empty() {
                tracing::debug!(device = %self.device, stray = %text, "drained between commands");
                io.stray = text;
            }
            io.buf.clear();
        }
    }

    pub(crate) async fn write(&self, io: &mut Io, data: &[u8], step: &str) -> Result<(), Error> {
        if let Err(e) = io.terminal.write(data).await {
            // Collect what the device said before going away.
            while let Some(Event::Data(d)) = io.terminal.try_recv() {
                io.buf.push(&d);
            }
            if io.buf.is_empty() && io.stray.is_empty() && self.link.disconnect_reason().is_none() {
                return Err(self.life.end(Error::ConnectionLost {
                    device: self.device.clone(),
                    step: step.to_string(),
                    message: e.to_string(),
                }));
            }
            return Err(self.mark_dead(io, step));
        }
        self.life.touch();
        Ok(())
    }

    pub(crate) async fn write_line(
        &self,
        io: &mut Io,
        line: &str,
        step: &str,
    ) -> Result<(), Error> {
        let newline = &self.settings.newline;
        let mut b = Vec::with_capacity(line.len() + newline.len());
        b.extend_from_slice(line.as_bytes());
        b.extend_from_slice(newline);
        self.write(io, &b, step).await
    }

    /// Reads until the prompt, the expect pattern, or a quiet period; pages and answers on the way.
    pub(crate) async fn read(&self, io: &mut Io, r: ReadSpec<'_>) -> Result<Ended, Error> {
        let mut next_answer = 0;
        let mut last_data = Instant::now();
        loop {
            if let Some((pager, answer)) = self.platform.pager() {
                if io.buf.take_pager(pager) {
                    self.write(io, answer.as_bytes(), r.step).await?;
                }
            }
            if let Some((question, answer)) = r.answers.get(next_answer) {
                if io.buf.find_unconsumed(question) {
                    io.buf.consume();
                    next_answer += 1;
                    self.write_line(io, answer, r.step).await?;
                    continue;
                }
            }
            if let Some(e) = r.expect {
                if io.buf.find_new(e) {
                    return Ok(Ended::Expect);
                }
            }
            match self.at_prompt(io, &r)? {
                AtPrompt::Yes => return Ok(Ended::Prompt),
                AtPrompt::MoreData => continue,
                AtPrompt::No => {}
            }
            if let Some(ended) = self.wait_data(io, &r, &mut last_data).await? {
                return Ok(ended);
            }
        }
    }

    /// Whether the buffer ends with a prompt and nothing more is queued behind it (then the
    /// mode and prompt are updated). Data already queued behind prompt-like text means it was
    /// inside the output, not its end: it is taken and looked at again.
    fn at_prompt(&self, io: &mut Io, r: &ReadSpec<'_>) -> Result<AtPrompt, Error> {
        if r.require_newline && !io.buf.has_newline() {
            return Ok(AtPrompt::No);
        }
        let line = io.buf.last_line();
        let above = io.buf.line_above();
        let Some(mode) = self.modes.of_prompt_at(above.as_deref(), &line) else {
            return Ok(AtPrompt::No);
        };
        let mut more = false;
        while let Some(ev) = io.terminal.try_recv() {
            match ev {
                Event::Data(d) => {
                    io.buf.push(&d);
                    more = true;
                }
                Event::End => return Err(self.mark_dead(io, &describe(r.step, r.command))),
                _ => {}
            }
        }
        if more {
            return Ok(AtPrompt::MoreData);
        }
        io.mode = mode;
        let p = line.trim();
        if io.prompt != p {
            io.prompt = p.to_string();
        }
        Ok(AtPrompt::Yes)
    }

    /// Waits for the next data until the deadline or the quiet period; `Some` if the read ends.
    async fn wait_data(
        &self,
        io: &mut Io,
        r: &ReadSpec<'_>,
        last_data: &mut Instant,
    ) -> Result<Option<Ended>, Error> {
        let until = match r.quiet {
            Some(q) => r.deadline.min(*last_data + q),
            None => r.deadline,
        };
        match tokio::time::timeout_at(until, io.terminal.recv()).await {
            Err(_) if r.quiet.is_some() => Ok(Some(Ended::Quiet)),
            Err(_) if r.prompt_not_found => Err(Error::PromptNotFound {
                device: self.device.clone(),
                platform: self.platform.name().to_string(),
                step: r.step.to_string(),
                last_bytes: io.buf.tail(200),
            }),
            Err(_) => Err(Error::ReadTimeout {
                device: self.device.clone(),
                command: r.command.to_string(),
                timeout: r.timeout,
                partial: clean(io.buf.bytes()),
            }),
            Ok(Event::Data(d)) => {
                io.buf.push(&d);
                *last_data = Instant::now();
                Ok(None)
            }
            Ok(Event::End) => Err(self.mark_dead(io, &describe(r.step, r.command))),
            Ok(_) => Ok(None),
        }
    }

    /// If an earlier command's read was abandoned (its caller gave up, or it timed out), reads
    /// the rest of its output up to the prompt and drops it, so it cannot end up in the next
    /// command's output. If its prompt does not come within the read timeout, the session is
    /// out of step for good: it is closed (the device frees the line) and the error says why.
    pub(crate) async fn finish_unfinished(&self, io: &mut Io) -> Result<(), Error> {
        let Some(cmd) = io.unfinished.clone() else {
            return Ok(());
        };
        if let Some(d) = &io.dead {
            return Err(self.dead_error(d));
        }
        let step = "finishing an abandoned command";
        let timeout = self.settings.read_timeout;
        let r = self
            .read(
                io,
                ReadSpec {
                    step,
                    command: &cmd,
                    deadline: Instant::now() + timeout,
                    timeout,
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
                let e = self.life.end(Error::ConnectionLost {
                    device: self.device.clone(),
                    step: step.to_string(),
                    message: format!(
                        "the output of {cmd:?}, abandoned earlier, did not end with a prompt within {timeout:?} (last output {:?}); the session was closed to stay in step — reconnect",
                        tail_chars(&partial, 200)
                    ),
                });
                self.link.disconnect().await;
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// Sends one line and reads its output; returns (clean output, how the read ended).
    pub(crate) async fn exchange(
        &self,
        io: &mut Io,
        x: Exchange<'_>,
    ) -> Result<(String, Ended), Error> {
        self.finish_unfinished(io).await?;
        self.drain_seeing_nul(io, x.step, x.cmd)?;
        io.unfinished = Some(x.cmd.to_string());
        self.write_line(io, x.cmd, x.step).await?;
        let ended = self
            .read(
                io,
                ReadSpec {
                    step: x.step,
                    command: x.cmd,
                    deadline: Instant::now() + x.timeout,
                    timeout: x.timeout,
                    expect: x.expect,
                    answers: x.answers,
                    require_newline: true,
                    quiet: x.quiet,
                    prompt_not_found: false,
                },
            )
            .await?;
        io.unfinished = None;
        // The device answered: whatever was stray before is nobody's last words any more.
        io.stray.clear();
        let strip_prompt = x.strip_prompt
            && match ended {
                Ended::Prompt => true,
                Ended::Expect => false,
                Ended::Quiet => self.modes.of_prompt(&io.buf.last_line()).is_some(),
            };
        let echo = if x.strip_command { x.cmd } else { "" };
        let mut out = clean_command_output(io.buf.bytes(), echo, strip_prompt);
        if strip_prompt {
            let kept = self.platform.strip_prompt_context(&out).len();
            out.truncate(kept);
        }
        Ok((out, ended))
    }

    /// What an abandoned command (its caller's future dropped) has received so far, echo
    /// removed; what is already queued is taken first. `None` if no command was abandoned.
    pub(crate) fn abandoned_output(&self, io: &mut Io) -> Option<String> {
        let cmd = io.unfinished.clone()?;
        while let Some(ev) = io.terminal.try_recv() {
            match ev {
                Event::Data(d) => io.buf.push(&d),
                Event::End => {
                    let _ = self.mark_dead(io, &describe("a command", &cmd));
                    break;
                }
                _ => {}
            }
        }
        Some(clean_command_output(io.buf.bytes(), &cmd, false))
    }

    /// A command read until its prompt; its clean output.
    pub(crate) async fn command(
        &self,
        io: &mut Io,
        cmd: &str,
        timeout: Duration,
    ) -> Result<String, Error> {
        Ok(self
            .exchange(io, Exchange::new(cmd, "a command", timeout))
            .await?
            .0)
    }

    /// [`Error::CommandRejected`] if the output holds one of the platform's failure indicators.
    pub(crate) fn rejected(&self, command: &str, output: &str) -> Option<Error> {
        self.platform
            .failure_in(output)
            .map(|(indicator, line)| Error::CommandRejected {
                device: self.device.clone(),
                command: command.to_string(),
                indicator: format!("{indicator} → {line}"),
                output: output.to_string(),
            })
    }
}
