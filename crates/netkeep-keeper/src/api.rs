//! The daemon's HTTP/JSON API (axum), served over a Unix socket or token-protected TCP.
//!
//! Endpoints (see `openapi.yaml`, also served at `GET /v1/openapi.yaml`):
//! `POST /v1/exec`, `POST /v1/config`, `GET /v1/sessions`, `POST /v1/reload`, `GET /metrics`,
//! `GET /healthz`.
//!
//! Limits: request bodies over [`ApiLimits::max_body`] get 413, a malformed body (bad chunked
//! encoding, cut short) gets 400; a body not received within [`ApiLimits::body_timeout`] gets
//! 408; a request line plus headers over [`ApiLimits::max_header_bytes`] (64 KiB) or with more
//! than 100 header fields gets 431 and the connection is closed; request headers must arrive
//! within [`ApiLimits::header_timeout`] (slowloris); at most [`ApiLimits::max_connections`]
//! connections are served at once (more wait in the listen backlog). Unknown paths (404) and
//! wrong methods (405) answer the spec's JSON error body too.
//!
//! A request's device work runs in its own task with a cancellation token that fires when the
//! client goes away (hyper drops the handler when the connection closes); the pool decides what
//! is safe to stop (see [`Pool::exec_one_until`]).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::connector::ConfigRequest;
use crate::inventory::{Inventory, InventoryError, LoadOptions};
use crate::pool::{ExecRequest, Pool};
use crate::select::Target;
use crate::wire::{
    millis, CommandSpec, ConfigBody, ErrorBody, ExecBody, ExecResponse, ReloadReport,
};

/// The OpenAPI 3 document of this API.
pub const OPENAPI_YAML: &str = include_str!("../openapi.yaml");

/// Request and connection bounds.
#[derive(Debug, Clone)]
pub struct ApiLimits {
    /// Largest request body accepted (bytes).
    pub max_body: usize,
    /// Largest request line plus header block accepted (bytes); at least 8 KiB.
    pub max_header_bytes: usize,
    /// Time allowed to receive a request's headers.
    pub header_timeout: Duration,
    /// Time allowed to receive a request's body.
    pub body_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Commands per request.
    pub max_commands: usize,
}

impl Default for ApiLimits {
    fn default() -> Self {
        ApiLimits {
            max_body: 1 << 20,
            max_header_bytes: 64 * 1024,
            header_timeout: Duration::from_secs(5),
            body_timeout: Duration::from_secs(10),
            max_connections: 1024,
            max_commands: 1000,
        }
    }
}

/// Longest per-command read timeout a request may ask for (one hour).
pub const MAX_READ_TIMEOUT_MS: u64 = 3_600_000;

fn err(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(ErrorBody { error: msg.into() })).into_response()
}

#[derive(Clone)]
struct AppState {
    pool: Pool,
    inventory: Arc<(PathBuf, LoadOptions)>,
    reload_lock: Arc<tokio::sync::Mutex<()>>,
    limits: Arc<ApiLimits>,
}

/// Builds the API router. `inventory` is re-read with `load` on `POST /v1/reload`.
pub fn router(pool: Pool, inventory: PathBuf, load: LoadOptions, limits: ApiLimits) -> Router {
    let state = AppState {
        pool,
        inventory: Arc::new((inventory, load)),
        reload_lock: Arc::new(tokio::sync::Mutex::new(())),
        limits: Arc::new(limits),
    };
    Router::new()
        .route("/v1/exec", post(exec))
        .route("/v1/config", post(config))
        .route("/v1/sessions", get(sessions))
        .route("/v1/reload", post(reload))
        .route("/v1/openapi.yaml", get(openapi))
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), buffer_body))
        .with_state(state)
}

/// Reads the whole body up front, bounded in size and time, so handlers never wait on a slow
/// client and oversized bodies are refused before parsing.
async fn buffer_body(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    if let Some(len) = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
    {
        if len > st.limits.max_body as u64 {
            return err(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "request body of {len} bytes exceeds the limit of {} bytes",
                    st.limits.max_body
                ),
            );
        }
    }
    let bytes = match tokio::time::timeout(
        st.limits.body_timeout,
        axum::body::to_bytes(body, st.limits.max_body),
    )
    .await
    {
        Err(_) => {
            return err(
                StatusCode::REQUEST_TIMEOUT,
                "request body not received in time",
            )
        }
        Ok(Err(e)) => {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            if too_large {
                return err(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "request body exceeds the limit of {} bytes",
                        st.limits.max_body
                    ),
                );
            }
            // Bad chunked encoding or a body cut short: the byte stream cannot be trusted for a
            // next request on this connection, so close it after answering.
            let mut r = err(
                StatusCode::BAD_REQUEST,
                format!("malformed request body: {}", body_error_text(&e)),
            );
            r.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
            return r;
        }
        Ok(Ok(b)) => b,
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The error text with its causes ("error reading a body from connection: invalid chunk size").
fn body_error_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        cur = s.source();
    }
    text
}

/// Parses JSON ourselves to answer 400 with serde's message (line/column) in our error shape.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Box<Response>> {
    serde_json::from_slice(body).map_err(|e| {
        Box::new(err(
            StatusCode::BAD_REQUEST,
            format!("invalid JSON body: {e}"),
        ))
    })
}

/// Each command of an exec body: one line of text, answers without control characters,
/// patterns that compile, timeouts in range.
fn check_exec_commands(cmds: &[CommandSpec], limits: &ApiLimits) -> Result<(), Box<Response>> {
    let lines: Vec<String> = cmds.iter().map(|c| c.command.clone()).collect();
    check_commands(&lines, limits, "commands", false)?;
    let bad = |msg: String| Box::new(err(StatusCode::BAD_REQUEST, msg));
    for c in cmds {
        for a in &c.answers {
            if let Err(e) = crate::command::check(&a.answer) {
                return Err(bad(format!("an answer of {:?} is refused: {e}", c.command)));
            }
        }
        let patterns = c.answers.iter().map(|a| &a.expect).chain(&c.until);
        for p in patterns {
            if let Err(e) = regex::Regex::new(p) {
                return Err(bad(format!("pattern {p:?} of {:?}: {e}", c.command)));
            }
        }
        for (name, v) in [
            ("quiet_ms", c.quiet_ms),
            ("read_timeout_ms", c.read_timeout_ms),
        ] {
            if v.is_some_and(|t| t == 0 || t > MAX_READ_TIMEOUT_MS) {
                return Err(bad(format!(
                    "`{name}` of {:?} must be between 1 and {MAX_READ_TIMEOUT_MS}",
                    c.command
                )));
            }
        }
    }
    Ok(())
}

fn check_commands(
    cmds: &[String],
    limits: &ApiLimits,
    what: &str,
    may_be_empty: bool,
) -> Result<(), Box<Response>> {
    if cmds.is_empty() && !may_be_empty {
        return Err(Box::new(err(
            StatusCode::BAD_REQUEST,
            format!("`{what}` is empty; give at least one"),
        )));
    }
    if cmds.len() > limits.max_commands {
        return Err(Box::new(err(
            StatusCode::BAD_REQUEST,
            format!(
                "{} {what}, at most {} per request",
                cmds.len(),
                limits.max_commands
            ),
        )));
    }
    // One entry is one line of text: a line break would smuggle extra commands past the
    // caller, a Ctrl-C/Ctrl-Z/NUL would act on the device behind the session's back.
    for c in cmds {
        if let Err(e) = crate::command::check(c) {
            return Err(Box::new(err(
                StatusCode::BAD_REQUEST,
                format!("an entry of `{what}` is refused: {e}"),
            )));
        }
    }
    Ok(())
}

/// The devices an exec body names, or the error answer.
fn targets(pool: &Pool, b: &ExecBody) -> Result<Vec<String>, Box<Response>> {
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
    pool.select(&target, &filter)
        .map_err(|e| Box::new(err(StatusCode::NOT_FOUND, e.to_string())))
}

async fn exec(State(st): State<AppState>, body: axum::body::Bytes) -> Response {
    let t0 = Instant::now();
    let b: ExecBody = match parse(&body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    if let Err(r) = check_exec_commands(&b.commands, &st.limits) {
        return *r;
    }
    let targets = match targets(&st.pool, &b) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    if st.pool.is_stopping() {
        return err(
            StatusCode::SERVICE_UNAVAILABLE,
            "the daemon is shutting down",
        );
    }
    // One request must not hold a device's only session for days.
    if b.read_timeout_ms
        .is_some_and(|t| t == 0 || t > MAX_READ_TIMEOUT_MS)
    {
        return err(
            StatusCode::BAD_REQUEST,
            format!("`read_timeout_ms` must be between 1 and {MAX_READ_TIMEOUT_MS} (one hour)"),
        );
    }
    let req = ExecRequest {
        commands: b.commands,
        read_timeout: b.read_timeout_ms.map(Duration::from_millis),
        continue_on_error: b.continue_on_error,
    };
    let p = st.pool.clone();
    let results = match in_own_task(move |cancel| async move {
        if targets.len() == 1 {
            vec![p.exec_one_until(&targets[0], &req, &cancel).await]
        } else {
            p.exec_many_until(&targets, &req, &cancel).await
        }
    })
    .await
    {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    Json(ExecResponse {
        ok: results.iter().all(|r| r.ok),
        elapsed_ms: millis(t0.elapsed()),
        results,
    })
    .into_response()
}

async fn config(State(st): State<AppState>, body: axum::body::Bytes) -> Response {
    let b: ConfigBody = match parse(&body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    if let Err(r) = check_commands(&b.lines, &st.limits, "lines", b.commit) {
        return *r;
    }
    let req = match config_request(&b) {
        Ok(r) => r,
        Err(msg) => return err(StatusCode::BAD_REQUEST, msg),
    };
    if !st.pool.has_device(&b.device) {
        return err(
            StatusCode::NOT_FOUND,
            format!("unknown device `{}`", b.device),
        );
    }
    if st.pool.is_stopping() {
        return err(
            StatusCode::SERVICE_UNAVAILABLE,
            "the daemon is shutting down",
        );
    }
    let p = st.pool.clone();
    match in_own_task(
        move |cancel| async move { p.configure_until(&b.device, &req, &cancel).await },
    )
    .await
    {
        Ok(r) => Json(r).into_response(),
        Err(resp) => resp,
    }
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

/// Runs device work in its own task, handing it a token that fires when the client goes away
/// (hyper drops the handler when the connection closes): the work decides what is safe to stop
/// — queued requests leave the queue, read-only commands are interrupted, anything else
/// finishes — instead of being cut wherever the handler happened to be. A panic in it becomes
/// a 500.
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

async fn sessions(State(st): State<AppState>) -> Response {
    // Streamed in 64 KiB pieces (chunked encoding): a 10,000-device answer is ~3 MB, and building
    // it in one buffer per request left freed-but-kept malloc arena memory after repeated
    // listings (+50 MB after 100 listings with 16 workers, +1 MB streamed).
    let pieces = st
        .pool
        .status_json_pieces(64 * 1024)
        .map(|p| Ok::<_, std::convert::Infallible>(axum::body::Bytes::from(p)));
    (
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(futures::stream::iter(pieces)),
    )
        .into_response()
}

async fn reload(State(st): State<AppState>) -> Response {
    let _g = st.reload_lock.lock().await;
    let (path, load) = &*st.inventory;
    match reload_from(&st.pool, path, load).await {
        Ok(r) => {
            tracing::info!(
                "POST /v1/reload: inventory reloaded: {} added, {} removed, {} changed, {} unchanged",
                r.added.len(),
                r.removed.len(),
                r.changed.len(),
                r.unchanged
            );
            Json(r).into_response()
        }
        Err(e) => err(
            StatusCode::BAD_REQUEST,
            format!("inventory not reloaded, still running the previous one: {e}"),
        ),
    }
}

/// Re-reads the inventory file and applies it; the old inventory stays on error.
pub async fn reload_from(
    pool: &Pool,
    path: &std::path::Path,
    load: &LoadOptions,
) -> Result<ReloadReport, InventoryError> {
    let (path, load) = (path.to_path_buf(), load.clone());
    let inv = tokio::task::spawn_blocking(move || Inventory::load_with(&path, &load))
        .await
        .unwrap_or_else(|e| {
            Err(InventoryError {
                file: PathBuf::new(),
                location: None,
                message: e.to_string(),
            })
        })?;
    for w in &inv.warnings {
        tracing::warn!("{w}");
    }
    Ok(pool.reload(inv).await)
}

/// Unknown paths: the spec's JSON error body, naming what was asked.
async fn not_found(req: Request) -> Response {
    err(
        StatusCode::NOT_FOUND,
        format!(
            "no endpoint {} {} (the API is described at GET /v1/openapi.yaml)",
            req.method(),
            req.uri().path()
        ),
    )
}

/// A known path with the wrong method: the spec's JSON error body (axum adds `Allow`).
async fn method_not_allowed(req: Request) -> Response {
    err(
        StatusCode::METHOD_NOT_ALLOWED,
        format!(
            "{} is not allowed on {} (see the Allow header, or GET /v1/openapi.yaml)",
            req.method(),
            req.uri().path()
        ),
    )
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/yaml")], OPENAPI_YAML).into_response()
}

async fn metrics(State(st): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        st.pool.metrics_text(),
    )
        .into_response()
}

async fn healthz(State(st): State<AppState>) -> Response {
    if st.pool.is_stopping() {
        return err(StatusCode::SERVICE_UNAVAILABLE, "shutting down");
    }
    Json(serde_json::json!({ "ok": true, "devices": st.pool.device_count() })).into_response()
}

/// Wraps a router with bearer-token authentication (constant-time comparison); `/healthz` stays
/// open so load balancers can probe.
pub fn require_token(router: Router, token: String) -> Router {
    let token = Arc::new(token.into_bytes());
    router.layer(middleware::from_fn(move |req: Request, next: Next| {
        let token = token.clone();
        async move {
            if req.uri().path() == "/healthz" {
                return next.run(req).await;
            }
            let given = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(bearer_token)
                .map(str::as_bytes);
            let ok = given.is_some_and(|g| {
                use subtle::ConstantTimeEq;
                g.len() == token.len() && bool::from(g.ct_eq(token.as_slice()))
            });
            if !ok {
                let mut r = err(StatusCode::UNAUTHORIZED, "missing or wrong bearer token (Authorization: Bearer <token from --token-file>)");
                r.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
                return r;
            }
            next.run(req).await
        }
    }))
}

/// The token of an `Authorization: Bearer <token>` value; the scheme is case-insensitive
/// (RFC 9110), as curl's and Python's clients may write it either way.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Serves `router` on `listener` until `stop` fires, then waits up to `grace` for in-flight
/// requests to finish.
pub async fn serve<L>(
    mut listener: L,
    router: Router,
    limits: ApiLimits,
    stop: CancellationToken,
    grace: Duration,
) where
    L: axum::serve::Listener,
{
    use hyper_util::rt::{TokioIo, TokioTimer};
    let conns = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let svc = hyper_util::service::TowerToHyperService::new(router);
    loop {
        let permit = tokio::select! {
            _ = stop.cancelled() => break,
            p = conns.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
        };
        let (io, _addr) = tokio::select! {
            _ = stop.cancelled() => break,
            a = listener.accept() => a,
        };
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            // max_buf_size alone lets a header block grow past it while the read buffer fills;
            // max_header_size is the exact bound (431 and close).
            .max_header_size(limits.max_header_bytes.max(8192))
            .max_buf_size(limits.max_header_bytes.max(8192))
            .serve_connection(TokioIo::new(io), svc.clone());
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!("API connection ended: {e}");
            }
            drop(permit);
        });
    }
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("API requests still running after {grace:?}; closing them");
    }
}
