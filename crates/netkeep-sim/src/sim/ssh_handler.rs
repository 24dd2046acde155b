//! The SSH front end: a russh server handler per connection — password and
//! keyboard-interactive login, one session channel with a PTY and a shell (or one exec), bytes
//! in and out of a [`Vty`].

use std::sync::Arc;
use std::time::Duration;

use russh::keys::PrivateKey;
use russh::server::{Auth, ChannelOpenHandle, Config, Handle, Msg, Session};
use russh::{Channel, ChannelId, Disconnect, MethodKind, MethodSet};
use tokio::task::JoinHandle;

use super::counters::bump;
use super::netfault::FaultStream;
use super::shared::{Core, LineHold, Outgoing};
use super::vty::{drip, run_once, Opened, Sink, Vty};
use crate::engine::Effect;
use crate::fault::Fault;

/// The russh server settings of a simulated device.
pub(crate) fn server_config(key: PrivateKey) -> Arc<Config> {
    let methods: &[MethodKind] = &[MethodKind::Password, MethodKind::KeyboardInteractive];
    Arc::new(Config {
        server_id: russh::SshId::Standard("SSH-2.0-netkeep_sim".into()),
        methods: MethodSet::from(methods),
        auth_rejection_time: Duration::from_millis(20),
        auth_rejection_time_initial: Some(Duration::ZERO),
        keys: vec![key],
        inactivity_timeout: None,
        keepalive_interval: None,
        nodelay: true,
        // Small per-session queues: 10,000 sessions must fit in one process.
        channel_buffer_size: 16,
        event_buffer_size: 16,
        ..Default::default()
    })
}

/// Serves one accepted connection until it ends.
pub(crate) async fn serve(core: Arc<Core>, config: Arc<Config>, mut stream: FaultStream) {
    let line = LineHold::default();
    stream.hold_line(line.clone(), core.cfg.hang_up_delay);
    let handler = SshHandler {
        core,
        user: String::new(),
        kbd_tries: 0,
        channel: None,
        vty: None,
        line,
        tasks: Vec::new(),
        cols: 0,
    };
    if let Ok(running) = russh::server::run_stream(config, stream, handler).await {
        let _ = running.await;
    }
}

/// Output sent from timers and slow commands, through the session handle.
#[derive(Clone)]
struct SshSink {
    handle: Handle,
    channel: ChannelId,
}

impl Sink for SshSink {
    async fn send(&self, bytes: Vec<u8>) -> bool {
        self.handle.data(self.channel, bytes).await.is_ok()
    }

    async fn close(&self) {
        let _ = self.handle.eof(self.channel).await;
        let _ = self.handle.close(self.channel).await;
        let _ = self
            .handle
            .disconnect(
                Disconnect::ByApplication,
                "session closed".into(),
                String::new(),
            )
            .await;
    }
}

struct SshHandler {
    core: Arc<Core>,
    user: String,
    kbd_tries: u8,
    channel: Option<ChannelId>,
    vty: Option<Arc<Vty>>,
    /// The VTY line; freed when the device closes the connection (or the handler goes).
    line: LineHold,
    tasks: Vec<JoinHandle<()>>,
    /// Terminal width from the PTY request (0: no PTY size asked).
    cols: usize,
}

impl Drop for SshHandler {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// EOF, close, then disconnect (from a task: the session loop is ours while a handler runs).
fn hang_up(session: &mut Session, channel: ChannelId, reason: Disconnect, text: &'static str) {
    let _ = session.eof(channel);
    let _ = session.close(channel);
    let handle = session.handle();
    tokio::spawn(async move {
        let _ = handle.disconnect(reason, text.into(), String::new()).await;
    });
}

impl SshHandler {
    async fn check_password(&mut self, user: &str, password: &str) -> Auth {
        let core = &self.core;
        bump(&core.counters.passwords);
        let ok = core.model.p.account_name(user) == core.cfg.username
            && password == core.cfg.password
            && !core.faults.has(|f| matches!(f, Fault::AuthFailing));
        if !ok {
            bump(&core.counters.auth_failures);
            return Auth::Reject {
                proceed_with_methods: None,
                partial_success: false,
            };
        }
        if !core.cfg.login_delay.is_zero() {
            tokio::time::sleep(core.cfg.login_delay).await;
        }
        self.user = user.to_string();
        Auth::Accept
    }

    fn sink(session: &Session, channel: ChannelId) -> SshSink {
        SshSink {
            handle: session.handle(),
            channel,
        }
    }

    /// Write through the session (direct path: one channel data message per input chunk).
    fn write(&self, session: &mut Session, channel: ChannelId, out: Vec<u8>) {
        match self.core.outgoing(out) {
            Outgoing::Nothing => {}
            Outgoing::Now(bytes) => {
                let _ = session.data(channel, bytes);
            }
            Outgoing::Drip {
                bytes,
                chunk,
                delay,
            } => {
                let sink = Self::sink(session, channel);
                tokio::spawn(drip(sink, bytes, chunk, delay));
            }
        }
    }
}

impl russh::server::Handler for SshHandler {
    type Error = russh::Error;

    async fn auth_none(&mut self, _user: &str) -> Result<Auth, Self::Error> {
        Ok(Auth::Reject {
            proceed_with_methods: None,
            partial_success: false,
        })
    }

    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        Ok(self.check_password(user, password).await)
    }

    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        user: &str,
        _submethods: &str,
        response: Option<russh::server::Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        let answer = response.and_then(|mut r| r.next());
        match answer {
            Some(a) if self.kbd_tries > 0 => {
                self.kbd_tries = 0;
                let pw = String::from_utf8_lossy(&a).into_owned();
                Ok(self.check_password(user, &pw).await)
            }
            _ => {
                self.kbd_tries = 1;
                Ok(Auth::Partial {
                    name: "".into(),
                    instructions: "".into(),
                    prompts: vec![("Password: ".into(), false)].into(),
                })
            }
        }
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.channel.is_some() {
            // One CLI per connection, like a VTY.
            reply
                .reject(russh::ChannelOpenFailure::AdministrativelyProhibited)
                .await;
            return Ok(());
        }
        self.channel = Some(channel.id());
        // Dropping `channel`: we consume input through `data`, never through the channel's queue.
        drop(channel);
        reply.accept().await;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)] // russh's trait signature
    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        col_width: u32,
        _row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.cols = col_width as usize;
        session.channel_success(channel)?;
        Ok(())
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        _name: &str,
        _value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)?;
        Ok(())
    }

    async fn window_change_request(
        &mut self,
        channel: ChannelId,
        col_width: u32,
        _row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.cols = col_width as usize;
        if let Some(vty) = &self.vty {
            vty.set_width(self.cols);
        }
        session.channel_success(channel)?;
        Ok(())
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)?;
        match Vty::open(&self.core, &self.user, self.cols) {
            Opened::Refused(msg) => {
                let _ = session.data(channel, msg);
                hang_up(
                    session,
                    channel,
                    Disconnect::TooManyConnections,
                    "all VTY lines busy",
                );
            }
            Opened::Ready {
                vty,
                slot,
                greeting,
            } => {
                *self.line.lock().unwrap_or_else(|p| p.into_inner()) = Some(slot);
                self.vty = Some(vty.clone());
                self.write(session, channel, greeting);
                if let Some(t) = vty.spawn_idle_timer(Self::sink(session, channel)) {
                    self.tasks.push(t);
                }
            }
        }
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // `ssh host command`: run one line without prompts, then exit status 0.
        session.channel_success(channel)?;
        let body = run_once(&self.core, &self.user, data);
        let _ = session.data(channel, body);
        let _ = session.exit_status_request(channel, 0);
        let _ = session.eof(channel);
        let _ = session.close(channel);
        Ok(())
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let Some(vty) = self.vty.clone() else {
            return Ok(());
        };
        let (out, effect) = vty.input(data);
        self.write(session, channel, out);
        match effect {
            Effect::Close => hang_up(session, channel, Disconnect::ByApplication, "logout"),
            Effect::Reboot => self.core.reload.notify_one(),
            Effect::Slow(d) => {
                let task = vty.spawn_slow(Self::sink(session, channel), d);
                self.tasks.push(task);
            }
            Effect::None | Effect::SlowDone => {}
        }
        Ok(())
    }

    async fn channel_eof(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let _ = session.close(channel);
        Ok(())
    }
}
