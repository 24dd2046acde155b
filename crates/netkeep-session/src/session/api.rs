//! The public [`Session`]: connect, run commands and configuration, check liveness, close.

use std::sync::Arc;
use std::time::Duration;

use netkeep_platform::{CloseReason, Platform};
use netkeep_transport::{ssh, telnet, Protocol, Transport};
use tokio::time::Instant;

use super::io::Exchange;
use super::keepalive::{probe_bounded, Keepalive};
use super::login;
use super::pattern::{compile, compile_answers};
use super::state::Core;
use crate::error::Error;
use crate::options::{
    CommandOptions, ConfigSetOptions, ConnectOptions, KeepaliveMode, KeepaliveStats,
};

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
    core: Arc<Core>,
    keepalive: Arc<Keepalive>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("device", &self.core.device)
            .field("platform", &self.core.platform.name())
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl Session {
    /// Connects over SSH (or telnet, when the options say so), logs in, waits for the first
    /// prompt (answering banners), prepares the session (paging off, width) and starts the
    /// keepalive task — all within `connect_timeout`.
    pub async fn connect(opts: ConnectOptions) -> Result<Session, Error> {
        let device = opts.device();
        let platform = login::resolve_platform(&opts, &device)?;
        let started = Instant::now();
        let transport = match opts.resolved_protocol().0 {
            Protocol::Ssh => ssh::connect(&login::ssh_options(&opts, &device)).await?,
            Protocol::Telnet => telnet::connect(&login::telnet_options(&opts, &device)).await?,
        };
        let (core, keepalive) = login::open(transport, platform, &opts, device, started).await?;
        Ok(Session { core, keepalive })
    }

    /// Opens a session over a transport that is already connected (any implementation of the
    /// transport boundary: a test's in-memory device, a telnet or proxied stream): the login
    /// dialogue (first prompt, banners, preparation) runs over it within `connect_timeout`.
    /// The SSH fields of `opts` (host, port, host keys) are not used; the password serves as the
    /// default enable secret, and with [`ConnectOptions::protocol`] telnet (or a `_telnet`
    /// platform name) the user name and password are typed at the device's login prompts.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), netkeep_session::Error> {
    /// use netkeep_session::{ConnectOptions, Session};
    /// use netkeep_transport::memory;
    /// let (transport, mut device) = memory::pair("lab-sw");
    /// device.send("lab-sw> "); // the first prompt (platform `generic` prepares nothing)
    /// let s = Session::with_transport(transport, ConnectOptions::new("lab-sw", 0, "generic")).await?;
    /// let answer = async {
    ///     assert_eq!(&device.next_write().await.unwrap()[..], b"uptime\n");
    ///     device.send("uptime\r\n up 3 days\r\nlab-sw> ");
    /// };
    /// let (out, ()) = tokio::join!(s.send_command("uptime"), answer);
    /// assert_eq!(out?, " up 3 days");
    /// # Ok(()) }
    /// ```
    pub async fn with_transport(
        transport: Transport,
        opts: ConnectOptions,
    ) -> Result<Session, Error> {
        let device = opts
            .device_name
            .clone()
            .unwrap_or_else(|| transport.device.clone());
        let platform = login::resolve_platform(&opts, &device)?;
        let started = Instant::now();
        let (core, keepalive) = login::open(transport, platform, &opts, device, started).await?;
        Ok(Session { core, keepalive })
    }

    /// The device label.
    pub fn device(&self) -> &str {
        &self.core.device
    }

    /// The platform in use.
    pub fn platform(&self) -> &Platform {
        &self.core.platform
    }

    /// Runs a command and returns its clean output (no echo, no prompt, `\n` line ends, paging
    /// answered), reading until the prompt or the default read timeout.
    ///
    /// Cancel-safe: if this future is dropped (a `timeout`, a `select!`) or the read times out,
    /// the device may still be sending; the next call on the session first reads that output
    /// to its prompt and drops it, so it never appears in another command's answer.
    pub async fn send_command(&self, cmd: &str) -> Result<String, Error> {
        let mut io = self.core.io.lock().await;
        self.core
            .command(&mut io, cmd, self.core.settings.read_timeout)
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
            .map(|p| compile(&self.core.device, p))
            .transpose()?;
        let x = Exchange {
            expect: expect.as_ref(),
            ..Exchange::new(cmd, "a command", opts.read_timeout)
        };
        let mut io = self.core.io.lock().await;
        Ok(self.core.exchange(&mut io, x).await?.0)
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
        let x = Exchange {
            quiet: Some(quiet),
            ..Exchange::new(cmd, "a command (timing)", max)
        };
        let mut io = self.core.io.lock().await;
        Ok(self.core.exchange(&mut io, x).await?.0)
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
            .map(|(e, a)| Ok((compile(&self.core.device, e)?, a.to_string())))
            .collect::<Result<Vec<_>, Error>>()?;
        let x = Exchange {
            answers: &answers,
            ..Exchange::new(
                cmd,
                "an interactive command",
                self.core.settings.read_timeout,
            )
        };
        let mut io = self.core.io.lock().await;
        Ok(self.core.exchange(&mut io, x).await?.0)
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
        let core = &self.core;
        let Some(config_mode) = core.modes.config_mode() else {
            return Err(self.unsupported("configuration mode"));
        };
        let exit = opts.exit.unwrap_or_else(|| {
            core.platform
                .spec()
                .config
                .as_ref()
                .is_some_and(|c| c.exit_after_set)
        });
        let mut io = core.io.lock().await;
        let io = &mut *io;
        core.drain(io, "configuration")?;
        let back_to = core.modes.exec_of(io.mode);
        let mut transcript = core.goto_mode(io, config_mode).await?;
        for line in lines {
            let prompt = io.prompt.clone();
            let out = core.command(io, line, opts.read_timeout).await?;
            transcript.push_str(&prompt);
            transcript.push_str(line);
            transcript.push('\n');
            if !out.is_empty() {
                transcript.push_str(&out);
                transcript.push('\n');
            }
            if let Some((indicator, bad)) = core.platform.failure_in(&out) {
                let err = Error::ConfigRejected {
                    device: core.device.clone(),
                    line: line.to_string(),
                    indicator: format!("{indicator} → {bad}"),
                    output: out,
                };
                if exit {
                    core.leave_config(io, back_to).await?;
                }
                return Err(err);
            }
        }
        if exit {
            transcript.push_str(&core.leave_config(io, back_to).await?);
        }
        Ok(transcript)
    }

    /// Saves the running configuration (the platform's save command, answering its questions).
    pub async fn save_config(&self) -> Result<String, Error> {
        let core = &self.core;
        let Some(save) = &core.platform.spec().save else {
            return Err(self.unsupported("save command (use commit)"));
        };
        let answers = compile_answers(&core.device, &save.expect)?;
        let timeout = core.platform.action_timeout(save, Duration::from_secs(120));
        let mut io = core.io.lock().await;
        let io = &mut *io;
        core.drain(io, "save")?;
        let target = core.modes.exec_of(io.mode);
        if target != io.mode {
            core.leave_config(io, target).await?;
        }
        let x = Exchange {
            answers: &answers,
            ..Exchange::new(&save.command, "save", timeout)
        };
        let (out, _) = core.exchange(io, x).await?;
        match core.rejected(&save.command, &out) {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// Commits the candidate configuration (Junos, IOS-XR, VRP 8), entering configuration mode
    /// if needed and leaving it afterwards when the platform says so.
    pub async fn commit(&self) -> Result<String, Error> {
        let core = &self.core;
        let (Some(commit), Some(config_mode)) =
            (&core.platform.spec().commit, core.modes.config_mode())
        else {
            return Err(self.unsupported("commit (changes apply at once; use save_config)"));
        };
        let answers = compile_answers(&core.device, &commit.expect)?;
        let timeout = core
            .platform
            .action_timeout(commit, Duration::from_secs(120));
        let mut io = core.io.lock().await;
        let io = &mut *io;
        core.drain(io, "commit")?;
        let back_to = core.modes.exec_of(io.mode);
        core.goto_mode(io, config_mode).await?;
        let x = Exchange {
            answers: &answers,
            ..Exchange::new(&commit.command, "commit", timeout)
        };
        let (out, _) = core.exchange(io, x).await?;
        if let Some(e) = core.rejected(&commit.command, &out) {
            return Err(e);
        }
        if commit.exit_after {
            core.leave_config(io, back_to).await?;
        }
        Ok(out)
    }

    /// Enters the platform's privileged mode (Cisco/Arista `enable`), answering the password
    /// prompt with the enable secret (default: the login password). No-op where there is none.
    pub async fn enable(&self) -> Result<(), Error> {
        let core = &self.core;
        let Some(target) = core.modes.enable_mode() else {
            return Ok(());
        };
        let mut io = core.io.lock().await;
        let io = &mut *io;
        core.drain(io, "enable")?;
        if io.mode == target {
            return Ok(());
        }
        core.goto_mode(io, target).await.map(|_| ())
    }

    /// Sends an empty line and returns the prompt the device shows (e.g. `<H3C>`).
    pub async fn find_prompt(&self) -> Result<String, Error> {
        let x = Exchange::new("", "finding the prompt", self.core.settings.read_timeout);
        let mut io = self.core.io.lock().await;
        self.core.exchange(&mut io, x).await?;
        Ok(io.prompt.clone())
    }

    /// Netmiko's `is_alive`, done right: under the session lock, writes the keepalive payload
    /// (NUL by default; what restarts the device's idle timer), waits for proof of life within
    /// the probe timeout — the device's echo of the NUL where it echoes one (Comware), else a
    /// bounded probe of the link (SSH ping) — and drains whatever the device echoed. False if
    /// the session is gone.
    pub async fn is_alive(&self) -> bool {
        if self.is_closed() {
            return false;
        }
        let mut io = self.core.io.lock().await;
        let r = self.keepalive.once(&self.core, &mut io).await;
        drop(io);
        self.keepalive.record(&self.core.device, &r);
        r.is_ok()
    }

    /// A bounded round trip: a probe of the link (SSH ping) within `timeout` (a half-open TCP
    /// connection never answers: [`Error::ProbeTimeout`]), then, if no command is running, a
    /// check that the terminal is still open. Does not write into the shell.
    pub async fn probe(&self, timeout: Duration) -> Result<Duration, Error> {
        let core = &self.core;
        if let Ok(mut io) = core.io.try_lock() {
            if let Some(d) = &io.dead {
                return Err(core.dead_error(d));
            }
            // An abandoned command's output stays queued for the next exchange to finish.
            if io.unfinished.is_none() {
                core.drain(&mut io, "probe")?;
            }
        }
        probe_bounded(core, timeout, timeout).await
    }

    /// Keepalive counters.
    pub fn keepalive_stats(&self) -> KeepaliveStats {
        self.keepalive.stats()
    }

    /// The keepalive strategy in effect.
    pub fn keepalive_mode(&self) -> &KeepaliveMode {
        self.keepalive.mode()
    }

    /// Stops the keepalive task (the session then idles out like any other).
    pub fn stop_keepalive(&self) {
        self.keepalive.stop();
    }

    /// True once the session is known to be gone (closed by either side, broken, or a failed probe).
    pub fn is_closed(&self) -> bool {
        self.core.life.is_closed() || self.core.link.is_closed()
    }

    /// A session that ended while nobody was reading: read the device's last words now (if no
    /// command holds the lock) so the cause is recorded.
    fn settle(&self) {
        if self.core.life.ended().is_none() {
            if let Ok(mut io) = self.core.io.try_lock() {
                let _ = self.core.drain(&mut io, "the wait between commands");
            }
        }
    }

    /// What ended the session, once it has ended: the error that closed it (device, step, the
    /// device's last words), or the transport's reason. `None` while the session is open.
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
        Some(match self.core.life.ended() {
            Some((msg, _)) => msg,
            None if self.core.life.user_closed() => {
                format!("{}: closed by this program", self.core.device)
            }
            None => format!(
                "{}: the SSH connection closed ({})",
                self.core.device,
                self.core
                    .link
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
        self.core.life.ended().and_then(|(_, r)| r)
    }

    /// Time since netkeep last wrote into the session (what a device's idle timer measures).
    pub fn idle_for(&self) -> Duration {
        self.core.life.idle_for()
    }

    /// Polite close: stops the keepalive, closes the terminal and the connection.
    pub async fn disconnect(&self) {
        self.stop_keepalive();
        self.core.life.close_by_user();
        if let Ok(mut io) = tokio::time::timeout(Duration::from_secs(2), self.core.io.lock()).await
        {
            io.terminal.close().await;
        }
        self.core.link.disconnect().await;
    }

    fn unsupported(&self, what: &'static str) -> Error {
        Error::Unsupported {
            device: self.core.device.clone(),
            platform: self.core.platform.name().to_string(),
            what,
        }
    }
}
