//! Running a request: commands in order on one leased session, a read-only command re-run once
//! on a fresh session when its session died under it (configuration never), and the results in
//! their wire shape.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::lease::Lease;
use super::state::Pool;
use crate::connector::{ErrorKind, SessionError};
use crate::wire::{millis, CommandResult, DeviceResult};

/// Commands to run on a device.
#[derive(Debug, Clone, Default)]
pub struct ExecRequest {
    /// Commands, run in order on one session.
    pub commands: Vec<String>,
    /// Read timeout per command; `None` = [`PoolOptions::default_read_timeout`](super::PoolOptions::default_read_timeout).
    pub read_timeout: Option<Duration>,
}

impl ExecRequest {
    /// A request with default timeouts.
    ///
    /// ```
    /// let r = netkeep_keeper::pool::ExecRequest::new(["display clock", "display version"]);
    /// assert_eq!(r.commands.len(), 2);
    /// ```
    pub fn new<S: Into<String>>(commands: impl IntoIterator<Item = S>) -> Self {
        ExecRequest {
            commands: commands.into_iter().map(Into::into).collect(),
            read_timeout: None,
        }
    }
}

/// Read-only commands may be retried once on a fresh session: `show` / `display` and their
/// abbreviations (`sh`, `dis`...). `shutdown` and `disable` are not abbreviations of them.
///
/// ```
/// use netkeep_keeper::pool::is_read_only;
/// assert!(is_read_only("dis clock") && is_read_only("show version"));
/// assert!(!is_read_only("shutdown") && !is_read_only("disable"));
/// ```
pub fn is_read_only(command: &str) -> bool {
    let tok = command
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    (tok.len() >= 2 && "show".starts_with(&tok)) || (tok.len() >= 3 && "display".starts_with(&tok))
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
}

impl Pool {
    /// Runs commands on one device.
    pub async fn exec_one(&self, device: &str, req: &ExecRequest) -> DeviceResult {
        let started = Instant::now();
        let (lease, queued, mut connected) = match self.lease_by_name(device, started).await {
            Ok(l) => l,
            Err(r) => return r,
        };
        let timeout = req
            .read_timeout
            .unwrap_or(self.state.opts.default_read_timeout);
        let counters = &self.state.counters;
        let mut outputs = Vec::with_capacity(req.commands.len());
        let mut failure = None;
        let mut lease = Some(lease);
        for cmd in &req.commands {
            let Some(l) = lease.take() else { break };
            let t = Instant::now();
            counters.commands.fetch_add(1, Ordering::Relaxed);
            match self.run_read(l, cmd, timeout).await {
                Attempt::Ran {
                    lease: l,
                    result: Ok(output),
                    retried,
                } => {
                    connected |= retried;
                    outputs.push(command_ok(cmd, output, t, retried));
                    lease = Some(l);
                }
                Attempt::Ran {
                    lease: mut l,
                    result: Err(e),
                    retried,
                } => {
                    connected |= retried;
                    counters.command_errors.fetch_add(1, Ordering::Relaxed);
                    if matches!(e.kind, ErrorKind::ConnectionLost | ErrorKind::Timeout) {
                        // Dead, or its output is still pending: never hand it to the next request.
                        l.discard = true;
                        l.dev.lock().history.last_error = Some(e.message.clone());
                    }
                    outputs.push(command_failed(cmd, &e, t, retried));
                    failure = Some(e.kind);
                    break;
                }
                Attempt::NoRetrySession(e) => {
                    counters.command_errors.fetch_add(1, Ordering::Relaxed);
                    outputs.push(command_failed(cmd, &e, t, false));
                    failure = Some(e.kind);
                    break;
                }
            }
        }
        drop(lease);
        finish(device, outputs, failure, queued, started, connected)
    }

    /// Runs one command; a read-only command whose session died is re-run once on a fresh
    /// session, keeping the request's place in the device's queue.
    async fn run_read(&self, lease: Lease, cmd: &str, timeout: Duration) -> Attempt {
        let result = lease.session.send_command(cmd, Some(timeout)).await;
        let first = match result {
            Err(e) if e.kind == ErrorKind::ConnectionLost && is_read_only(cmd) => e,
            result => {
                return Attempt::Ran {
                    lease,
                    result,
                    retried: false,
                }
            }
        };
        // The session died under us: a read-only command is safe to run again once.
        tracing::info!(device = %lease.dev.spec.name, "session lost during `{cmd}`; retrying once on a fresh session");
        self.state.counters.retries.fetch_add(1, Ordering::Relaxed);
        // The permit's device: a reload may already have moved the request to a newer one.
        let (permit, dev) = lease.surrender();
        match self.lease_again(&dev, permit).await {
            Ok(lease) => {
                let result = lease.session.send_command(cmd, Some(timeout)).await;
                Attempt::Ran {
                    lease,
                    result,
                    retried: true,
                }
            }
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
        let req = Arc::new(req.clone());
        let handles: Vec<_> = devices
            .iter()
            .map(|d| {
                let p = self.clone();
                let d = d.clone();
                let req = req.clone();
                tokio::spawn(async move { p.exec_one(&d, &req).await })
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

    /// Runs a configuration set on one device. Never retried automatically.
    pub async fn config(&self, device: &str, lines: &[String]) -> DeviceResult {
        let started = Instant::now();
        let (mut lease, queued, connected) = match self.lease_by_name(device, started).await {
            Ok(l) => l,
            Err(r) => return r,
        };
        let t = Instant::now();
        let counters = &self.state.counters;
        counters.commands.fetch_add(1, Ordering::Relaxed);
        let label = format!("config ({} lines)", lines.len());
        let (output, failure) = match lease.session.send_config_set(lines).await {
            Ok(output) => (command_ok(&label, output, t, false), None),
            Err(e) => {
                counters.command_errors.fetch_add(1, Ordering::Relaxed);
                if matches!(e.kind, ErrorKind::ConnectionLost | ErrorKind::Timeout) {
                    lease.discard = true;
                }
                let mut c = command_failed(&label, &e, t, false);
                c.error = Some(format!("{} (configuration is never retried automatically; check the device before re-sending)", e.message));
                (c, Some(e.kind))
            }
        };
        drop(lease);
        finish(device, vec![output], failure, queued, started, connected)
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

fn command_ok(cmd: &str, output: String, t: Instant, retried: bool) -> CommandResult {
    CommandResult {
        command: cmd.to_string(),
        ok: true,
        output,
        error: None,
        partial_output: None,
        elapsed_ms: millis(t.elapsed()),
        retried,
    }
}

fn command_failed(cmd: &str, e: &SessionError, t: Instant, retried: bool) -> CommandResult {
    CommandResult {
        command: cmd.to_string(),
        ok: false,
        output: String::new(),
        error: Some(e.message.clone()),
        partial_output: e.partial_output.clone(),
        elapsed_ms: millis(t.elapsed()),
        retried,
    }
}

/// A device that ran nothing: unknown, no session within the queue timeout, connect failed.
fn device_failed(device: &str, kind: ErrorKind, error: String, started: Instant) -> DeviceResult {
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

fn finish(
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
