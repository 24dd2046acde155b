//! The two requests that reach devices, `POST /v1/exec` and `POST /v1/config`: checked,
//! authorized for the caller's scope, recorded in the audit log before they run (their intent)
//! and after (one record per device and command), and run in their own task so a client that
//! goes away cancels only what is safe to stop.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use netkeep_parse::Templates;
use tokio_util::sync::CancellationToken;

use super::answer::{err, parse};
use super::guard::{authorize, RequestId};
use super::limits::{check_commands, check_exec_commands, MAX_READ_TIMEOUT_MS};
use super::AppState;
use crate::audit::{AuditError, AuditLog, Kind};
use crate::connector::ConfigRequest;
use crate::identity::Identity;
use crate::parsed;
use crate::pool::{ExecRequest, Pool};
use crate::scopes::{self, Scope};
use crate::select::Target;
use crate::wire::{millis, ConfigBody, DeviceResult, ExecBody, ExecResponse};

/// The devices an exec body names (in the whole fleet on a cluster node), or the error answer.
fn targets(st: &AppState, b: &ExecBody) -> Result<Vec<String>, Box<Response>> {
    let filter = b.filter.clone().unwrap_or_default();
    let target = match (&b.device, &b.devices, &b.group) {
        (Some(d), None, None) => Target::Device(d.clone()),
        (None, Some(ds), None) if !ds.is_empty() => Target::Devices(ds.clone()),
        (None, None, Some(g)) => Target::Group(g.clone()),
        (None, None, None) if !filter.is_empty() => Target::All,
        _ => return Err(Box::new(err(
            StatusCode::BAD_REQUEST,
            "give exactly one of `device`, `devices` (non-empty) or `group`, or only a `filter`",
        ))),
    };
    match &st.dispatch {
        Some(d) => d.select(&target, &filter),
        None => st.pool.select(&target, &filter),
    }
    .map_err(|e| Box::new(err(StatusCode::NOT_FOUND, e.to_string())))
}

/// The target devices whose platform is a shell (see [`crate::inventory::is_shell_platform`]),
/// each platform judged once per request (a platform directory is read for it).
fn shells(st: &AppState, targets: &[String]) -> Vec<String> {
    let mut judged = std::collections::HashMap::new();
    if let Some(d) = &st.dispatch {
        return targets
            .iter()
            .filter(|t| match d.spec(t) {
                None => true,
                Some(s) => *judged
                    .entry((s.platform_dir.clone(), s.platform.clone()))
                    .or_insert_with(|| crate::inventory::is_shell_platform(&s)),
            })
            .cloned()
            .collect();
    }
    let pool = &st.pool;
    targets
        .iter()
        .filter(|t| match pool.device(t) {
            None => true,
            Some(d) => *judged
                .entry((d.spec.platform_dir.clone(), d.spec.platform.clone()))
                .or_insert_with(|| crate::inventory::is_shell_platform(&d.spec)),
        })
        .cloned()
        .collect()
}

/// The checks every device request passes before anything runs: not stopping, sane timeout.
fn ready(st: &AppState, read_timeout_ms: Option<u64>) -> Result<(), Box<Response>> {
    if st.pool.is_stopping() {
        return Err(Box::new(err(
            StatusCode::SERVICE_UNAVAILABLE,
            "the daemon is shutting down",
        )));
    }
    // One request must not hold a device's only session for days.
    if read_timeout_ms.is_some_and(|t| t == 0 || t > MAX_READ_TIMEOUT_MS) {
        return Err(Box::new(err(
            StatusCode::BAD_REQUEST,
            format!("`read_timeout_ms` must be between 1 and {MAX_READ_TIMEOUT_MS} (one hour)"),
        )));
    }
    Ok(())
}

pub(super) async fn exec(
    State(st): State<AppState>,
    Extension(who): Extension<Identity>,
    Extension(rid): Extension<RequestId>,
    body: axum::body::Bytes,
) -> Response {
    let t0 = Instant::now();
    let b: ExecBody = match parse(&body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    if let Err(r) = check_exec_commands(&b.commands, &st.limits) {
        return *r;
    }
    let lines: Vec<String> = b.commands.iter().map(|c| c.command.clone()).collect();
    let targets = match targets(&st, &b) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let shells = match who.scope {
        Scope::Read => shells(&st, &targets),
        _ => Vec::new(),
    };
    let need = scopes::exec_needs(&lines, &shells);
    let scope_check = authorize(&st, &who, &rid, "exec", (&targets, &lines), &need);
    if let Err(r) = scope_check.await {
        return *r;
    }
    if let Err(r) = ready(&st, b.read_timeout_ms) {
        return *r;
    }
    let parse = match parse_request(&st.pool, &b, &targets) {
        Ok(p) => p,
        Err(msg) => return err(StatusCode::BAD_REQUEST, msg),
    };
    let req = ExecRequest {
        commands: b.commands,
        read_timeout: b.read_timeout_ms.map(Duration::from_millis),
        continue_on_error: b.continue_on_error,
    };
    let audit = Audited::new(&st, who, rid, Kind::Exec, lines);
    let p = st.pool.clone();
    let dispatch = st.dispatch.clone();
    let ran = in_own_task(move |cancel| async move {
        audit.before(&targets).await?;
        let results = match dispatch {
            Some(d) => d.exec(targets, req, audit.origin(), cancel).await,
            None if targets.len() == 1 => vec![p.exec_one_until(&targets[0], &req, &cancel).await],
            None => p.exec_many_until(&targets, &req, &cancel).await,
        };
        audit.after(&results).await;
        // Parsed once the sessions are back in the pool: parsing never holds a device.
        Ok(match parse {
            Some((platforms, templates)) => parsed::annotate(results, platforms, templates).await,
            None => results,
        })
    })
    .await;
    match ran {
        Ok(Ok(results)) => Json(ExecResponse {
            ok: results.iter().all(|r| r.ok),
            elapsed_ms: millis(t0.elapsed()),
            results,
        })
        .into_response(),
        Ok(Err(e)) => audit_refused(&e),
        Err(resp) => resp,
    }
}

pub(super) async fn config(
    State(st): State<AppState>,
    Extension(who): Extension<Identity>,
    Extension(rid): Extension<RequestId>,
    body: axum::body::Bytes,
) -> Response {
    let b: ConfigBody = match parse(&body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    // No lines: a commit confirms a confirmed commit, a save only saves.
    if let Err(r) = check_commands(&b.lines, &st.limits, "lines", b.commit || b.save) {
        return *r;
    }
    let req = match config_request(&b) {
        Ok(r) => r,
        Err(msg) => return err(StatusCode::BAD_REQUEST, msg),
    };
    let known = match &st.dispatch {
        Some(d) => d.spec(&b.device).is_some(),
        None => st.pool.has_device(&b.device),
    };
    if !known {
        return err(
            StatusCode::NOT_FOUND,
            format!("unknown device `{}`", b.device),
        );
    }
    let devices = [b.device.clone()];
    let need = scopes::config_needs();
    if let Err(r) = authorize(&st, &who, &rid, "config", (&devices, &b.lines), &need).await {
        return *r;
    }
    if let Err(r) = ready(&st, None) {
        return *r;
    }
    let audit = Audited::new(&st, who, rid, Kind::Config, b.lines.clone());
    let p = st.pool.clone();
    let dispatch = st.dispatch.clone();
    let ran = in_own_task(move |cancel| async move {
        audit.before(&devices).await?;
        let r = match dispatch {
            Some(d) => d.configure(b.device, req, audit.origin(), cancel).await,
            None => p.configure_until(&b.device, &req, &cancel).await,
        };
        audit.after(std::slice::from_ref(&r)).await;
        Ok(r)
    })
    .await;
    match ran {
        Ok(Ok(r)) => Json(r).into_response(),
        Ok(Err(e)) => audit_refused(&e),
        Err(resp) => resp,
    }
}

/// Each target's template platform, and the templates to parse with.
type ParsePlan = (HashMap<String, String>, Templates);

/// With `parse: true`: each target's template platform and the request's templates; an
/// error for a `template` that is not an absolute path, or one given without `parse`.
fn parse_request(
    pool: &Pool,
    b: &ExecBody,
    targets: &[String],
) -> Result<Option<ParsePlan>, String> {
    if !b.parse {
        return match b.template {
            Some(_) => Err("`template` goes with `parse: true`".into()),
            None => Ok(None),
        };
    }
    let templates = parsed::templates(b.template.as_deref())?;
    let platforms = targets
        .iter()
        .filter_map(|t| {
            let p = crate::inventory::textfsm_platform(&pool.device(t)?.spec)?;
            Some((t.clone(), p))
        })
        .collect();
    Ok(Some((platforms, templates)))
}

/// A config body's request, or why its options do not go together.
fn config_request(b: &ConfigBody) -> Result<ConfigRequest, String> {
    if !b.commit && (b.confirm_minutes.is_some() || b.comment.is_some()) {
        return Err("`confirm_minutes` and `comment` go with `commit: true`".into());
    }
    if b.check && (b.commit || b.save) {
        return Err("`check` is a dry run: not with `commit` or `save`".into());
    }
    if b.confirm_minutes == Some(0) {
        return Err("`confirm_minutes` must be at least 1".into());
    }
    if let Some(c) = &b.comment {
        if let Some(ch) = c.chars().find(|c| c.is_control() || *c == '"') {
            return Err(format!(
                "`comment` cannot contain {ch:?}: one line of text without double quotes"
            ));
        }
    }
    Ok(ConfigRequest {
        lines: b.lines.clone(),
        commit: b.commit,
        confirm: b
            .confirm_minutes
            .map(|m| Duration::from_secs(u64::from(m) * 60)),
        comment: b.comment.clone(),
        check: b.check,
        save: b.save,
    })
}

/// 503: the audit log is required and the intent could not be written; nothing was sent.
fn audit_refused(e: &AuditError) -> Response {
    err(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("{e}; nothing was sent: commands are not run while the audit log is required and cannot be written (free space or fix the file, then retry)"),
    )
}

/// One request's audit records: its intent before, its outcomes after.
struct Audited {
    log: Option<AuditLog>,
    who: Identity,
    rid: String,
    kind: Kind,
    commands: Vec<String>,
}

impl Audited {
    fn new(
        st: &AppState,
        who: Identity,
        rid: RequestId,
        kind: Kind,
        commands: Vec<String>,
    ) -> Self {
        Audited {
            log: st.security.audit.clone(),
            who,
            rid: rid.0,
            kind,
            commands,
        }
    }

    /// Who asked, for the log of the node that runs the work (a cluster's owner).
    fn origin(&self) -> crate::dispatch::Origin {
        crate::dispatch::Origin {
            request_id: self.rid.clone(),
            user: self.who.user.clone(),
        }
    }

    /// Writes the intent; an error only when the log is required (else it is logged and the
    /// request goes on).
    async fn before(&self, devices: &[String]) -> Result<(), AuditError> {
        let Some(log) = &self.log else {
            return Ok(());
        };
        let r = log
            .intent(&self.rid, &self.who, self.kind, devices, &self.commands)
            .await;
        match r {
            Err(e) if log.settings().required => Err(e),
            _ => Ok(()),
        }
    }

    /// Writes the outcomes (a failure is logged by the log itself: the intent is on record).
    async fn after(&self, results: &[DeviceResult]) {
        if let Some(log) = &self.log {
            let _ = log
                .outcomes(&self.rid, &self.who, self.kind, &self.commands, results)
                .await;
        }
    }
}

/// Runs device work in its own task, handing it a token that fires when the client goes away
/// (hyper drops the handler when the connection closes): the work decides what is safe to stop
/// — queued requests leave the queue, read-only commands are interrupted, anything else
/// finishes — instead of being cut wherever the handler happened to be. The task also writes
/// the outcome records, so they are written even when nobody waits for the answer. A panic in
/// it becomes a 500.
async fn in_own_task<T, F>(work: impl FnOnce(CancellationToken) -> F) -> Result<T, Response>
where
    T: Send + 'static,
    F: std::future::Future<Output = T> + Send + 'static,
{
    let cancel = CancellationToken::new();
    // Fires on drop: when the handler is dropped mid-request, and (harmlessly) after it ends.
    let _gone = cancel.clone().drop_guard();
    tokio::spawn(work(cancel)).await.map_err(|e| {
        err(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("internal error: {e}"),
        )
    })
}
