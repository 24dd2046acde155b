//! The channel as bytes, for callers that drive the dialogue themselves (Netmiko's
//! `write_channel`, `read_channel`, `read_until_pattern`): write text as is, take what arrived,
//! read until a pattern. No prompt handling, no paging: the caller owns the exchange.

use std::time::Duration;

use netkeep_channel::clean;
use netkeep_transport::Event;
use tokio::time::Instant;

use super::api::Session;
use super::pattern::compile;
use super::state::{Core, Io};
use crate::error::Error;

impl Session {
    /// Writes `data` into the session as it is (no newline added): Netmiko's `write_channel`.
    /// What the device answers is read with [`Session::read_available`] or
    /// [`Session::read_until`]; the next command drops whatever is still unread.
    ///
    /// ```no_run
    /// # async fn f(s: netkeep_session::Session) -> Result<(), netkeep_session::Error> {
    /// s.write_raw("display clock\n").await?;
    /// let out = s.read_until(r"<\S+>", std::time::Duration::from_secs(5)).await?;
    /// # let _ = out; Ok(()) }
    /// ```
    pub async fn write_raw(&self, data: &str) -> Result<(), Error> {
        let core = &self.core;
        let mut io = core.io.lock().await;
        core.finish_unfinished(&mut io).await?;
        core.write(&mut io, data.as_bytes(), "writing to the channel")
            .await
    }

    /// What the device has sent that nobody has read yet, cleaned (no ANSI, `\n` line ends),
    /// without waiting: Netmiko's `read_channel`. Empty if nothing is queued.
    pub async fn read_available(&self) -> Result<String, Error> {
        let core = &self.core;
        let mut io = core.io.lock().await;
        core.finish_unfinished(&mut io).await?;
        let io = &mut *io;
        io.buf.clear();
        take_queued(core, io, "reading the channel")?;
        let out = clean(io.buf.bytes());
        io.buf.clear();
        Ok(out)
    }

    /// Reads until `pattern` (a regex) shows up in what the device sends, or `timeout` passes
    /// ([`Error::ReadTimeout`] with what arrived): Netmiko's `read_until_pattern`. Returns
    /// everything read, cleaned. Prompts do not end the read.
    pub async fn read_until(&self, pattern: &str, timeout: Duration) -> Result<String, Error> {
        let core = &self.core;
        let re = compile(&core.device, pattern)?;
        let mut io = core.io.lock().await;
        core.finish_unfinished(&mut io).await?;
        let io = &mut *io;
        io.buf.clear();
        let step = "reading until a pattern";
        let deadline = Instant::now() + timeout;
        loop {
            take_queued(core, io, step)?;
            let text = clean(io.buf.bytes());
            if re.is_match(&text) {
                io.buf.clear();
                return Ok(text);
            }
            match tokio::time::timeout_at(deadline, io.terminal.recv()).await {
                Err(_) => {
                    io.buf.clear();
                    return Err(Error::ReadTimeout {
                        device: core.device.clone(),
                        command: format!("(read until {pattern:?})"),
                        timeout,
                        partial: text,
                    });
                }
                Ok(Event::Data(d)) => io.buf.push(&d),
                Ok(Event::End) => return Err(core.mark_dead(io, step)),
                Ok(_) => {}
            }
        }
    }
}

/// Moves what is queued on the terminal into the buffer without waiting; the end of the stream
/// is the device's last words.
fn take_queued(core: &Core, io: &mut Io, step: &str) -> Result<(), Error> {
    if let Some(d) = &io.dead {
        return Err(core.dead_error(d));
    }
    while let Some(ev) = io.terminal.try_recv() {
        match ev {
            Event::Data(d) => io.buf.push(&d),
            Event::End => return Err(core.mark_dead(io, step)),
            _ => {}
        }
    }
    Ok(())
}
