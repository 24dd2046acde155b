//! The public [`Session`]: connect, run commands and configuration, check liveness, close.

use std::sync::Arc;
use std::time::Duration;

use netkeep_platform::{CloseReason, Platform};
use netkeep_transport::{ssh, telnet, Protocol, Transport};
use tokio::time::Instant;

use super::io::Exchange;
use super::keepalive::{probe_bounded, Keepalive};
use super::login;
use super::modes::Asked;
use super::pattern::{compile, compile_answers};
use super::state::Core;
use crate::command::Command;
use crate::config::{ConfigOutcome, ConfigSetOptions};
use crate::error::Error;
use crate::options::{CommandOptions, ConnectOptions, KeepaliveStats};
use netkeep_platform::KeepaliveMode;

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
        if opts.resolved_protocol().0 == Protocol::Telnet && !platform.spec().telnet {
            return Err(Error::Unsupported {
                device,
                platform: platform.name().to_string(),
                what: "telnet server (the platform is SSH-only; connect over SSH)",
            });
        }
        // Login options some platforms read from the user name (MikroTik `+ct…`) go over
        // either protocol.
        let mut opts = opts;
        opts.username.push_str(&platform.spec().username_suffix);
        let transport = match opts.resolved_protocol().0 {
            Protocol::Ssh => ssh::connect(&login::ssh_options(&opts, &device)).await?,
            Protocol::Telnet => telnet::connect(&login::telnet_options(&opts, &device)?).await?,
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

    /// Runs a [`Command`]: read until its prompt, pattern or quiet spell, its questions
    /// answered on the way, prompt and echo stripped as it says. The call Netmiko's
    /// `send_command` and `send_command_timing` map onto.
    ///
    /// ```no_run
    /// # async fn f(s: netkeep_session::Session) -> Result<(), netkeep_session::Error> {
    /// use netkeep_session::Command;
    /// let out = s.send(&Command::new("copy running-config startup-config")
    ///     .answer(r"Destination filename \[[^\]]*\]\?", "")).await?;
    /// # let _ = out; Ok(()) }
    /// ```
    pub async fn send(&self, cmd: &Command) -> Result<String, Error> {
        let device = &self.core.device;
        let until = cmd
            .until
            .as_deref()
            .map(|p| compile(device, p))
            .transpose()?;
        let answers = compile_answers(device, &cmd.answers)?;
        let x = Exchange {
            expect: until.as_ref(),
            answers: &answers,
            quiet: cmd.quiet,
            strip_prompt: cmd.strip_prompt,
            strip_command: cmd.strip_command,
            ..Exchange::new(
                &cmd.line,
                "a command",
                cmd.read_timeout.unwrap_or(self.core.settings.read_timeout),
            )
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

    /// [`Session::send_config_set`] with options; the transcript of [`Session::configure`].
    pub async fn send_config_set_with(
        &self,
        lines: &[&str],
        opts: &ConfigSetOptions,
    ) -> Result<String, Error> {
        Ok(self.configure(lines, opts).await?.transcript)
    }

    /// Runs a configuration set and says what came of it: each line with the device's answer
    /// (echo and prompts removed), what became of the changes ([`crate::CandidateState`]), the steps
    /// after the lines, the transcript.
    ///
    /// Into configuration mode (through `enable` where the platform needs it, typing only an
    /// enable secret that was given), the lines in order, stopping at the first the device
    /// refuses ([`Error::ConfigRejected`]); then [`ConfigSetOptions::finish`]: commit (with a
    /// confirm time and a comment where the platform has them), check (a dry run), or nothing;
    /// leaving configuration mode drops what was not committed (Junos `rollback 0`, IOS-XR
    /// `abort`, VRP 8 answering N), and a refused line or commit drops it too when the set was
    /// to leave or to commit. Then save, if asked. What the platform cannot do is refused before
    /// anything is sent ([`Error::Unsupported`]).
    ///
    /// ```no_run
    /// # async fn f(s: netkeep_session::Session) -> Result<(), netkeep_session::Error> {
    /// use std::time::Duration;
    /// use netkeep_session::{ConfigSetOptions, Finish};
    /// let o = ConfigSetOptions {
    ///     finish: Finish::Commit { confirm: Some(Duration::from_secs(600)), comment: Some("ticket 42".into()) },
    ///     ..Default::default()
    /// };
    /// let done = s.configure(&["set system host-name edge1"], &o).await?;
    /// println!("{:?}: {}", done.candidate, done.answers());
    /// # Ok(()) }
    /// ```
    pub async fn configure(
        &self,
        lines: &[&str],
        opts: &ConfigSetOptions,
    ) -> Result<ConfigOutcome, Error> {
        let mut io = self.core.io.lock().await;
        self.core.configure(&mut io, lines, opts).await
    }

    /// Saves the running configuration (the platform's save command, answering its questions).
    pub async fn save_config(&self) -> Result<String, Error> {
        let core = &self.core;
        let Some(save) = &core.platform.spec().save else {
            return Err(self.unsupported("save command (use commit)"));
        };
        let mut io = core.io.lock().await;
        let io = &mut *io;
        core.drain(io, "save")?;
        Ok(core.save(io, save).await?.output)
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
            .action_timeout(commit.timeout.as_deref(), Duration::from_secs(120));
        let mut io = core.io.lock().await;
        let io = &mut *io;
        core.drain(io, "commit")?;
        let back_to = core.modes.exec_of(io.mode);
        core.goto_mode(io, config_mode, Asked::OnTheWay).await?;
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

    /// Enters the platform's privileged mode (Cisco/Arista `enable`), answering its password
    /// prompt with the enable secret, or, when none was given, the login password (this call is
    /// the explicit request). No-op where there is none. The session's base mode is privileged
    /// from then on.
    pub async fn enable(&self) -> Result<(), Error> {
        let core = &self.core;
        let Some(target) = core.modes.enable_mode() else {
            return Ok(());
        };
        let mut io = core.io.lock().await;
        let io = &mut *io;
        core.drain(io, "enable")?;
        if io.mode != target {
            core.goto_mode(io, target, Asked::Explicitly).await?;
        }
        io.base = target;
        Ok(())
    }

    /// Brings the session back to its base mode — where login (and `enable`, if asked) left
    /// it — dropping uncommitted configuration on the way; true if it had to move. A pool calls
    /// it before lending the session again; an error means the session should be replaced.
    pub async fn restore_base_mode(&self) -> Result<bool, Error> {
        let mut io = self.core.io.lock().await;
        self.core.restore_base(&mut io).await
    }

    /// What a command whose caller gave up (its future dropped, e.g. on Ctrl-C) received so far,
    /// echo removed; `None` if no command was abandoned, or another call holds the session.
    /// The next call on the session still reads the rest of that output and drops it.
    pub fn abandoned_output(&self) -> Option<String> {
        let mut io = self.core.io.try_lock().ok()?;
        self.core.abandoned_output(&mut io)
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
