//! Running a configuration set: one leased session, never retried automatically, never cut
//! short once started; what becomes of the changes (commit, check, dropped, applied, saved) in
//! the answer; the session back in its base mode before it is lent again.

use std::sync::atomic::Ordering;
use std::time::Instant;

use tokio_util::sync::CancellationToken;

use super::exec::{command_failed, finish};
use super::state::Pool;
use crate::connector::{ConfigRequest, ErrorKind};
use crate::wire::{millis, CommandResult, DeviceResult};

impl Pool {
    /// Runs a configuration set on one device: the lines only (a two-stage platform's changes
    /// are dropped on leaving configuration mode; see [`Pool::configure`]). Never retried
    /// automatically.
    pub async fn config(&self, device: &str, lines: &[String]) -> DeviceResult {
        self.config_until(device, lines, &CancellationToken::new())
            .await
    }

    /// [`Pool::config`] for a caller that may go away (see [`Pool::configure_until`]).
    pub async fn config_until(
        &self,
        device: &str,
        lines: &[String],
        cancel: &CancellationToken,
    ) -> DeviceResult {
        let req = ConfigRequest {
            lines: lines.to_vec(),
            ..ConfigRequest::default()
        };
        self.configure_until(device, &req, cancel).await
    }

    /// Runs a configuration set on one device, its changes treated as `req` says (commit,
    /// check, save). Never retried automatically.
    pub async fn configure(&self, device: &str, req: &ConfigRequest) -> DeviceResult {
        self.configure_until(device, req, &CancellationToken::new())
            .await
    }

    /// [`Pool::configure`] for a caller that may go away: while queued for a session the
    /// request is dropped when `cancel` fires; once started, a configuration set always runs to
    /// its end (a half-applied change is worse than a late one).
    pub async fn configure_until(
        &self,
        device: &str,
        req: &ConfigRequest,
        cancel: &CancellationToken,
    ) -> DeviceResult {
        let started = Instant::now();
        let (mut lease, queued, connected) = match self.lease_until(device, started, cancel).await {
            Ok(l) => l,
            Err(r) => return r,
        };
        let t = Instant::now();
        let counters = &self.state.counters;
        counters.commands.fetch_add(1, Ordering::Relaxed);
        let label = req.label();
        let (output, failure) = match lease.session.configure(req).await {
            Ok(report) => {
                let c = CommandResult {
                    command: label,
                    ok: true,
                    output: report.answers(),
                    rejected: None,
                    error: None,
                    error_kind: None,
                    partial_output: None,
                    elapsed_ms: millis(t.elapsed()),
                    retried: false,
                    config: Some(report),
                    parsed: None,
                    parse_note: None,
                };
                (c, None)
            }
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
        lease.settle().await;
        drop(lease);
        finish(device, vec![output], failure, queued, started, connected)
    }
}
