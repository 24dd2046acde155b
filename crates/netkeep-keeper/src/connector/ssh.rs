//! The production [`Connector`]: SSH (or telnet, where the inventory says so) sessions of the
//! netkeep session library ([`netkeep::Session`]). Inventory settings become [`netkeep::ConnectOptions`] (the user
//! platform directory included), library errors become the pool's [`SessionError`]s.
//!
//! ```no_run
//! # async fn f(spec: netkeep_keeper::inventory::DeviceSpec) {
//! use netkeep_keeper::connector::Connector;
//! let c = netkeep_keeper::connector::ssh::SshConnector::new();
//! let s = c.connect(&spec).await.unwrap();
//! println!("{}", s.send_command("display clock", None).await.unwrap());
//! # }
//! ```

use std::sync::Arc;
use std::time::Duration;

use netkeep::{
    CandidateState, Command, CommandOptions, ConfigOutcome, ConfigSetOptions, ConnectOptions,
    Finish, KeepaliveConfig, Platform, Session,
};
use netkeep_transport::ssh::Route;

use super::bastion::Bastions;
use super::{BoxFut, ConfigRequest, Connector, DeviceSession, ErrorKind, SessionError};
use crate::inventory::DeviceSpec;
use crate::wire::{Candidate, CommandSpec, ConfigReport, LineAnswer};

/// Opens [`netkeep::Session`]s over SSH; devices behind a jump host share one connection to
/// it ([`Bastions`]).
#[derive(Debug, Clone, Default)]
pub struct SshConnector {
    /// Default command read timeout when a request gives none.
    pub read_timeout: Option<Duration>,
    /// The jump hosts shared by the devices behind them.
    pub bastions: Arc<Bastions>,
}

impl SshConnector {
    /// A connector with the library's defaults.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Builds the library's connect options for a device (also used by `netkeep exec --inventory`
/// without a daemon).
pub fn connect_options(spec: &DeviceSpec) -> ConnectOptions {
    let auth = spec.credential.auth();
    let mut o = ConnectOptions::new(spec.hostname.clone(), spec.port, spec.platform.clone())
        .protocol(spec.protocol)
        .username(spec.username.clone())
        .auth(auth)
        .host_key_policy(spec.host_key_policy)
        .connect_timeout(spec.connect_timeout)
        .legacy_algorithms(spec.legacy_algorithms)
        .keepalive(KeepaliveConfig {
            mode: spec.keepalive.mode.unwrap_or_default(),
            interval: spec.keepalive.interval,
            command: spec.keepalive.command.clone(),
        })
        .device_name(spec.name.clone());
    if spec.idle_timeout.is_some() {
        o = o.idle_timeout(spec.idle_timeout);
    }
    if let Some(t) = spec.keepalive.probe_timeout {
        o = o.probe_timeout(t);
    }
    if let Some(k) = &spec.known_hosts_file {
        o = o.known_hosts_file(k.clone());
    }
    if let Some(d) = &spec.platform_dir {
        o = o.platform_dir(d.clone());
    }
    if let Some(s) = &spec.enable_secret {
        o = o.enable_secret(s.clone());
    }
    if let Some(e) = spec.enable {
        o = o.enable(e);
    }
    if let Some(l) = &spec.session_log {
        o = o.session_log(l.clone());
    }
    o.route = spec.route.clone();
    o.algorithms = spec.ssh.algorithms.clone();
    o.ssh_keepalive = spec.ssh.server_alive_interval.filter(|i| !i.is_zero());
    if let Some(n) = spec.ssh.server_alive_count_max {
        o.ssh_keepalive_max = n as usize;
    }
    o
}

/// The library's command for a request's command.
pub fn command(spec: &CommandSpec, read_timeout: Option<Duration>) -> Command {
    let mut c = Command::new(spec.command.clone())
        .strip_prompt(spec.strip_prompt)
        .strip_command(spec.strip_command);
    for a in &spec.answers {
        c = c.answer(a.expect.clone(), a.answer.clone());
    }
    if let Some(u) = &spec.until {
        c = c.until(u.clone());
    }
    if let Some(q) = spec.quiet_ms {
        c = c.timing(Duration::from_millis(q));
    }
    if let Some(t) = read_timeout {
        c = c.read_timeout(t);
    }
    c
}

/// The library's options for a configuration request: the set always ends outside
/// configuration mode (a kept session goes back to its base mode), so changes neither committed
/// nor checked are dropped on leaving.
pub fn config_options(req: &ConfigRequest) -> ConfigSetOptions {
    let finish = if req.commit {
        Finish::Commit {
            confirm: req.confirm,
            comment: req.comment.clone(),
        }
    } else if req.check {
        Finish::Check
    } else {
        Finish::Nothing
    };
    ConfigSetOptions {
        exit: Some(true),
        finish,
        save: req.save,
        ..ConfigSetOptions::default()
    }
}

/// A configuration set's outcome as the API reports it, with a note on what was left undone.
pub fn config_report(o: &ConfigOutcome, platform: &Platform) -> ConfigReport {
    let answer = |l: &netkeep::ConfigLine| LineAnswer {
        line: l.line.clone(),
        output: l.output.clone(),
    };
    let saved = o.after.iter().any(|l| {
        platform
            .spec()
            .save
            .as_ref()
            .is_some_and(|s| s.command == l.line)
    });
    let (candidate, confirm) = match o.candidate {
        CandidateState::Applied => (Candidate::Applied, None),
        CandidateState::Committed { confirm } => (Candidate::Committed, confirm),
        CandidateState::Checked => (Candidate::Checked, None),
        CandidateState::Discarded => (Candidate::Discarded, None),
        _ => (Candidate::Pending, None),
    };
    let name = platform.name();
    let n = o.lines.len();
    let note = match candidate {
        Candidate::Discarded => Some(format!(
            "nothing committed: {name} keeps changes only when they are committed, and the {n} line(s) were dropped on leaving configuration mode (ask for commit, or check for a dry run)"
        )),
        Candidate::Checked => Some("checked only: nothing was committed".to_string()),
        Candidate::Applied if !saved && platform.spec().save.is_some() => Some(format!(
            "applied to the running configuration, not saved: {name} loses it at reload unless saved (ask for save)"
        )),
        Candidate::Committed => confirm.map(|t| format!(
            "committed: rolls back in {} unless committed again (commit with no lines to confirm)",
            humantime::format_duration(t)
        )),
        _ => None,
    };
    ConfigReport {
        lines: o.lines.iter().map(answer).collect(),
        after: o.after.iter().map(answer).collect(),
        candidate,
        confirm_minutes: confirm.map(|t| t.as_secs().div_ceil(60)),
        note,
        transcript: o.transcript.clone(),
    }
}

/// The kind of a library error: what the pool does next, and the exit code of `netkeep exec`
/// (the one-shot path classifies its errors with this too).
///
/// ```
/// use netkeep_keeper::connector::{ssh::error_kind, ErrorKind};
/// let e = netkeep::Error::ProbeTimeout { device: "sw1".into(), timeout: std::time::Duration::from_secs(5) };
/// assert_eq!(error_kind(&e), ErrorKind::ConnectionLost);
/// ```
pub fn error_kind(e: &netkeep::Error) -> ErrorKind {
    use netkeep::ErrorKind as K;
    match e.kind() {
        K::Auth => ErrorKind::Auth,
        K::HostKey => ErrorKind::HostKey,
        K::Unreachable => ErrorKind::Unreachable,
        K::Timeout => ErrorKind::Timeout,
        K::Rejected => ErrorKind::Rejected,
        K::ConnectionLost => ErrorKind::ConnectionLost,
        _ => ErrorKind::Other,
    }
}

/// The library's error as the pool's: its kind decides what the pool does next.
fn session_error(e: netkeep::Error) -> SessionError {
    SessionError {
        kind: error_kind(&e),
        message: e.to_string(),
        partial_output: e
            .partial_output()
            .filter(|p| !p.is_empty())
            .map(str::to_string),
    }
}

impl Connector for SshConnector {
    fn connect<'a>(
        &'a self,
        spec: &'a DeviceSpec,
    ) -> BoxFut<'a, Result<Arc<dyn DeviceSession>, SessionError>> {
        Box::pin(async move {
            let mut opts = connect_options(spec);
            // Behind a jump host: a channel on the one connection shared by its devices.
            if let Route::Jump(hop) = &spec.route {
                let jump = self
                    .bastions
                    .get(hop, &spec.name)
                    .await
                    .map_err(|e| session_error(e.into()))?;
                opts.route = Route::Shared(jump);
            }
            let s = Session::connect(opts).await.map_err(session_error)?;
            Ok(Arc::new(SshSession {
                s,
                read_timeout: self.read_timeout,
            }) as Arc<dyn DeviceSession>)
        })
    }

    fn path_epoch(&self, spec: &DeviceSpec) -> u64 {
        match &spec.route {
            Route::Jump(hop) => self.bastions.epoch(hop),
            _ => 0,
        }
    }
}

/// One library session behind the pool's [`DeviceSession`] trait.
struct SshSession {
    s: Session,
    read_timeout: Option<Duration>,
}

impl DeviceSession for SshSession {
    fn send_command<'a>(
        &'a self,
        command: &'a str,
        read_timeout: Option<Duration>,
    ) -> BoxFut<'a, Result<String, SessionError>> {
        Box::pin(async move {
            match read_timeout.or(self.read_timeout) {
                Some(t) => {
                    let o = CommandOptions {
                        expect: None,
                        read_timeout: t,
                    };
                    self.s.send_command_with(command, &o).await
                }
                None => self.s.send_command(command).await,
            }
            .map_err(session_error)
        })
    }

    fn send_config_set<'a>(
        &'a self,
        lines: &'a [String],
    ) -> BoxFut<'a, Result<String, SessionError>> {
        Box::pin(async move {
            let l: Vec<&str> = lines.iter().map(String::as_str).collect();
            self.s.send_config_set(&l).await.map_err(session_error)
        })
    }

    fn run<'a>(
        &'a self,
        cmd: &'a CommandSpec,
        read_timeout: Option<Duration>,
    ) -> BoxFut<'a, Result<String, SessionError>> {
        if cmd.reads_to_prompt() {
            return self.send_command(&cmd.command, read_timeout);
        }
        Box::pin(async move {
            let c = command(cmd, read_timeout.or(self.read_timeout));
            self.s.send(&c).await.map_err(session_error)
        })
    }

    fn configure<'a>(
        &'a self,
        req: &'a ConfigRequest,
    ) -> BoxFut<'a, Result<ConfigReport, SessionError>> {
        Box::pin(async move {
            let l: Vec<&str> = req.lines.iter().map(String::as_str).collect();
            let o = self
                .s
                .configure(&l, &config_options(req))
                .await
                .map_err(session_error)?;
            Ok(config_report(&o, self.s.platform()))
        })
    }

    fn restore_base(&self) -> BoxFut<'_, Result<(), SessionError>> {
        Box::pin(async move {
            match self.s.restore_base_mode().await {
                Ok(true) => {
                    tracing::debug!(device = %self.s.device(), "back in the base mode before reuse");
                    Ok(())
                }
                Ok(false) => Ok(()),
                Err(e) => Err(session_error(e)),
            }
        })
    }

    fn rejection(&self, output: &str) -> Option<String> {
        crate::command::rejection(self.s.platform(), output)
    }

    fn is_closed(&self) -> bool {
        self.s.is_closed()
    }

    fn keepalives_sent(&self) -> u64 {
        self.s.keepalive_stats().sent
    }

    fn close_message(&self) -> Option<String> {
        self.s.close_message()
    }

    fn last_rtt(&self) -> Option<Duration> {
        self.s.keepalive_stats().last_rtt
    }

    fn disconnect(&self) -> BoxFut<'_, ()> {
        Box::pin(self.s.disconnect())
    }
}
