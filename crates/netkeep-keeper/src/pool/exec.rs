//! Running a request: commands in order on one leased session (each may answer the device's
//! questions), a read-only command re-run once on a fresh session when its session died under
//! it, a rejected command ending the request unless asked to go on, a caller that goes away
//! cancelling what is left, the session back in its base mode before it is lent again, and the
//! results in their wire shape.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::lease::Lease;
use super::state::Pool;
use crate::command::is_read_only;
use crate::connector::{ErrorKind, SessionError};
use crate::wire::{millis, CommandResult, CommandSpec, DeviceResult};

/// Commands to run on a device.
#[derive(Debug, Clone, Default)]
pub struct ExecRequest {
    /// Commands, run in order on one session; each may say how to read its answer.
    pub commands: Vec<CommandSpec>,
    /// Read timeout per command; `None` = [`PoolOptions::default_read_timeout`](super::PoolOptions::default_read_timeout).
    pub read_timeout: Option<Duration>,
    /// Run the commands after one the device rejected (default: stop at the first rejection,
    /// as the one-shot `netkeep exec` does). A failed session (timeout, lost) always stops.
    pub continue_on_error: bool,
}

impl ExecRequest {
    /// A request with default timeouts.
    ///
    /// ```
    /// let r = netkeep_keeper::pool::ExecRequest::new(["display clock", "display version"]);
    /// assert_eq!(r.commands.len(), 2);
    /// ```
    pub fn new<S: Into<CommandSpec>>(commands: impl IntoIterator<Item = S>) -> Self {
        ExecRequest {
            commands: commands.into_iter().map(Into::into).collect(),
            ..ExecRequest::default()
        }
    }
}

/// How one command went.
enum Attempt {
    /// It ran (successfully or not) on `lease`, re-run on a fresh session if `retried`.
    Ran {
        lease: Lease,
        result: Result<String, SessionError>,
        retried: bool,
    },
    /// Its session died, and no fresh session could be had to re-run it.
    NoRetrySession(SessionError),
    /// A read-only command abandoned because its caller went away; its session is replaced
    /// (see [`interrupted`]).
    Interrupted,
}

/// The kind of a failed command, or of the first failure of a request; `None`: none failed.
type Failure = Option<ErrorKind>;

impl Pool {
    /// Runs commands on one device.
    pub async fn exec_one(&self, device: &str, req: &ExecRequest) -> DeviceResult {
        self.exec_one_until(device, req, &CancellationToken::new())
            .await
    }

    /// [`Pool::exec_one`] for a caller that may go away: once `cancel` fires, a request still
    /// queued for a session leaves the queue, a running read-only command is abandoned (its
    /// session is replaced, never handed over mid-output), any other running command finishes,
    /// and no later command runs.
    pub async fn exec_one_until(
        &self,
        device: &str,
        req: &ExecRequest,
        cancel: &CancellationToken,
    ) -> DeviceResult {
        let started = Instant::now();
        let (lease, queued, connected) = match self.lease_until(device, started, cancel).await {
            Ok(l) => l,
            Err(r) => return r,
        };
        let run = self.run_commands(lease, req, cancel).await;
        finish(
            device,
            run.outputs,
            run.failure,
            queued,
            started,
            connected || run.connected,
        )
    }

    /// Runs `req`'s commands in order on `lease` (see [`ExecRequest::continue_on_error`]).
    async fn run_commands(
        &self,
        lease: Lease,
        req: &ExecRequest,
        cancel: &CancellationToken,
    ) -> Run {
        let timeout = req
            .read_timeout
            .unwrap_or(self.state.opts.default_read_timeout);
        let counters = &self.state.counters;
        let mut run = Run::default();
        let mut lease = Some(lease);
        for spec in &req.commands {
            if cancel.is_cancelled() {
                tracing::debug!("the client went away: the request's later commands are not run");
                break;
            }
            let Some(l) = lease.take() else { break };
            let cmd = spec.command.as_str();
            let timeout = spec.read_timeout_ms.map_or(timeout, Duration::from_millis);
            let t = Instant::now();
            counters.commands.fetch_add(1, Ordering::Relaxed);
            let (result, failed, stop) = match self.run_read(l, spec, timeout, cancel).await {
                Attempt::Ran {
                    lease: l,
                    result: Ok(output),
                    retried,
                } => {
                    run.connected |= retried;
                    let rejected = l.session.rejection(&output);
                    lease = Some(l);
                    let failed = rejected.as_ref().map(|_| ErrorKind::Rejected);
                    let stop = failed.is_some() && !req.continue_on_error;
                    let r = command_answered(cmd, output, rejected, t, retried);
                    (r, failed, stop)
                }
                Attempt::Ran {
                    lease: mut l,
                    result: Err(e),
                    retried,
                } => {
                    run.connected |= retried;
                    if matches!(e.kind, ErrorKind::ConnectionLost | ErrorKind::Timeout) {
                        // Dead, or its output is still pending: never hand it to the next request.
                        l.discard = true;
                        l.dev.lock().history.last_error = Some(e.message.clone());
                    }
                    (command_failed(cmd, &e, t, retried), Some(e.kind), true)
                }
                Attempt::NoRetrySession(e) => {
                    (command_failed(cmd, &e, t, false), Some(e.kind), true)
                }
                Attempt::Interrupted => {
                    let e = SessionError::new(
                        ErrorKind::Cancelled,
                        "interrupted: the client went away",
                    );
                    (command_failed(cmd, &e, t, false), Some(e.kind), true)
                }
            };
            run.push(result, failed, counters);
            if stop {
                break;
            }
        }
        if let Some(mut l) = lease {
            l.settle().await;
        }
        run
    }

    /// Runs one command; a read-only command whose session died is re-run once on a fresh
    /// session, keeping the request's place in the device's queue.
    async fn run_read(
        &self,
        lease: Lease,
        cmd: &CommandSpec,
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> Attempt {
        let first = match send(&lease, cmd, timeout, cancel).await {
            None => return interrupted(lease),
            Some(Err(e)) if e.kind == ErrorKind::ConnectionLost && is_read_only(&cmd.command) => e,
            Some(result) => {
                return Attempt::Ran {
                    lease,
                    result,
                    retried: false,
                }
            }
        };
        // The session died under us: a read-only command is safe to run again once.
        tracing::info!(device = %lease.dev.spec.name, "session lost during `{}`; retrying once on a fresh session", cmd.command);
        self.state.counters.retries.fetch_add(1, Ordering::Relaxed);
        // The permit's device: a reload may already have moved the request to a newer one.
        let (permit, dev) = lease.surrender();
        let again = tokio::select! {
            l = self.lease_again(&dev, permit) => l,
            _ = cancel.cancelled() => return Attempt::Interrupted,
        };
        match again {
            Ok(lease) => match send(&lease, cmd, timeout, cancel).await {
                None => interrupted(lease),
                Some(result) => Attempt::Ran {
                    lease,
                    result,
                    retried: true,
                },
            },
            Err(e2) => {
                let mut e = first;
                e.message = format!(
                    "{}; reconnect for the retry failed: {}",
                    e.message, e2.message
                );
                Attempt::NoRetrySession(e)
            }
        }
    }

    /// Runs commands on many devices in parallel; results in the order given.
    pub async fn exec_many(&self, devices: &[String], req: &ExecRequest) -> Vec<DeviceResult> {
        self.exec_many_until(devices, req, &CancellationToken::new())
            .await
    }

    /// [`Pool::exec_many`] for a caller that may go away (see [`Pool::exec_one_until`]).
    pub async fn exec_many_until(
        &self,
        devices: &[String],
        req: &ExecRequest,
        cancel: &CancellationToken,
    ) -> Vec<DeviceResult> {
        let req = Arc::new(req.clone());
        let handles: Vec<_> = devices
            .iter()
            .map(|d| {
                let p = self.clone();
                let d = d.clone();
                let req = req.clone();
                let cancel = cancel.clone();
                tokio::spawn(async move { p.exec_one_until(&d, &req, &cancel).await })
            })
            .collect();
        let mut out = Vec::with_capacity(handles.len());
        for (h, name) in handles.into_iter().zip(devices) {
            out.push(h.await.unwrap_or_else(|e| {
                device_failed(
                    name,
                    ErrorKind::Other,
                    format!("internal error: {e}"),
                    Instant::now(),
                )
            }));
        }
        out
    }

    /// [`Pool::lease_by_name`], given up when `cancel` fires (the request leaves the queue).
    pub(super) async fn lease_until(
        &self,
        device: &str,
        started: Instant,
        cancel: &CancellationToken,
    ) -> Result<(Lease, Duration, bool), DeviceResult> {
        if cancel.is_cancelled() {
            return Err(cancelled(device, started));
        }
        tokio::select! {
            r = self.lease_by_name(device, started) => r,
            _ = cancel.cancelled() => Err(cancelled(device, started)),
        }
    }

    /// A lease on the device named `device`, or the device's failed result (with the time it
    /// spent queued).
    async fn lease_by_name(
        &self,
        device: &str,
        started: Instant,
    ) -> Result<(Lease, Duration, bool), DeviceResult> {
        let Some(dev) = self.device(device) else {
            return Err(device_failed(
                device,
                ErrorKind::Other,
                format!("unknown device `{device}`"),
                started,
            ));
        };
        self.lease(&dev).await.map_err(|e| {
            let mut r = device_failed(device, e.kind, e.message, started);
            r.queued_ms = millis(started.elapsed());
            r
        })
    }
}

/// Runs `cmd` on the lease's session. A read-only command is abandoned (`None`) when `cancel`
/// fires; any other command runs to its end: stopping it half-way could leave the device
/// mid-change.
async fn send(
    lease: &Lease,
    cmd: &CommandSpec,
    timeout: Duration,
    cancel: &CancellationToken,
) -> Option<Result<String, SessionError>> {
    let fut = lease.session.run(cmd, Some(timeout));
    if !is_read_only(&cmd.command) {
        return Some(fut.await);
    }
    tokio::select! {
        biased;
        r = fut => Some(r),
        _ = cancel.cancelled() => {
            tracing::debug!(device = %lease.dev.spec.name, "the client went away: `{}` interrupted", cmd.command);
            None
        }
    }
}

/// Gives up the session of an abandoned read-only command. The session library is cancel-safe
/// (its next exchange would read the late output to the prompt and drop it), but that would make
/// the next request wait for the rest of the abandoned output; a fresh session costs a login
/// instead, and the old one is logged out of in the background.
fn interrupted(mut lease: Lease) -> Attempt {
    lease.discard = true;
    Attempt::Interrupted
}

/// What a request's commands gave.
#[derive(Default)]
struct Run {
    outputs: Vec<CommandResult>,
    /// The kind of the first failed command, if any.
    failure: Failure,
    /// A fresh session was opened for a retry.
    connected: bool,
}

impl Run {
    /// Records a command's result; `failed` is its error kind when it did not succeed.
    fn push(&mut self, result: CommandResult, failed: Failure, counters: &super::state::Counters) {
        if failed.is_some() {
            counters.command_errors.fetch_add(1, Ordering::Relaxed);
            self.failure = self.failure.or(failed);
        }
        self.outputs.push(result);
    }
}

/// A command the device answered: accepted, or `rejected` with the device's words (its whole
/// answer stays in `output`).
fn command_answered(
    cmd: &str,
    output: String,
    rejected: Option<String>,
    t: Instant,
    retried: bool,
) -> CommandResult {
    CommandResult {
        command: cmd.to_string(),
        ok: rejected.is_none(),
        output,
        error_kind: rejected.as_ref().map(|_| ErrorKind::Rejected),
        rejected,
        error: None,
        partial_output: None,
        elapsed_ms: millis(t.elapsed()),
        retried,
        config: None,
        parsed: None,
        parse_note: None,
    }
}

pub(super) fn command_failed(
    cmd: &str,
    e: &SessionError,
    t: Instant,
    retried: bool,
) -> CommandResult {
    CommandResult {
        command: cmd.to_string(),
        ok: false,
        output: String::new(),
        rejected: None,
        error: Some(e.message.clone()),
        error_kind: Some(e.kind),
        partial_output: e.partial_output.clone(),
        elapsed_ms: millis(t.elapsed()),
        retried,
        config: None,
        parsed: None,
        parse_note: None,
    }
}

/// A request given up while it waited for a session.
fn cancelled(device: &str, started: Instant) -> DeviceResult {
    let mut r = device_failed(
        device,
        ErrorKind::Cancelled,
        format!("{device}: cancelled while waiting for a session: the client went away"),
        started,
    );
    r.queued_ms = millis(started.elapsed());
    r
}

/// A device that ran nothing: unknown, no session within the queue timeout, connect failed.
pub(crate) fn device_failed(
    device: &str,
    kind: ErrorKind,
    error: String,
    started: Instant,
) -> DeviceResult {
    DeviceResult {
        device: device.to_string(),
        ok: false,
        outputs: Vec::new(),
        error: Some(error),
        error_kind: Some(kind),
        queued_ms: 0.0,
        elapsed_ms: millis(started.elapsed()),
        connected: false,
    }
}

pub(super) fn finish(
    device: &str,
    outputs: Vec<CommandResult>,
    failure: Option<ErrorKind>,
    queued: Duration,
    started: Instant,
    connected: bool,
) -> DeviceResult {
    DeviceResult {
        device: device.to_string(),
        ok: failure.is_none(),
        error: None,
        error_kind: failure,
        outputs,
        queued_ms: millis(queued),
        elapsed_ms: millis(started.elapsed()),
        connected,
    }
}
