//! The daemon's HTTP/JSON API (axum), served over the Unix socket, plain TCP on loopback, or TLS
//! ([`crate::listen`]).
//!
//! Endpoints (see `openapi.yaml`, also served at `GET /v1/openapi.yaml`):
//! `POST /v1/exec`, `POST /v1/config`, `GET /v1/sessions`, `GET /v1/cluster`, `POST /v1/reload`,
//! `POST /v1/shutdown`, `GET /metrics`, `GET /healthz`.
//!
//! Every request but `/healthz` is authenticated (Unix peer credentials, a bearer token or a
//! client certificate: [`crate::auth`]) and runs under the caller's [`crate::identity`]; what
//! it may do is its scope ([`crate::scopes`]): a request needing more is refused with 403 and
//! the reason before anything reaches a device. Device work is recorded in the audit log
//! ([`crate::audit`]) before and after it runs.
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
//!
//! | file | job |
//! |---|---|
//! | `api/answer.rs` | error answers, JSON parsing |
//! | `api/limits.rs` | [`ApiLimits`], the body bound, command checks |
//! | `api/guard.rs` | authentication, request ids, the scope check |
//! | `api/run.rs` | `exec` and `config`: authorize, audit, run |
//! | `api/admin.rs` | `reload` and `shutdown` |

mod admin;
mod answer;
mod guard;
mod limits;
mod run;

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio_util::sync::CancellationToken;

pub use self::admin::{load_inventory, reload_from};
use self::answer::err;
pub use self::limits::{ApiLimits, MAX_READ_TIMEOUT_MS};
use crate::audit::AuditLog;
use crate::auth::AccessHandle;
use crate::dispatch::Dispatch;
use crate::inventory::LoadOptions;
use crate::pool::Pool;

/// The OpenAPI 3 document of this API.
pub const OPENAPI_YAML: &str = include_str!("../openapi.yaml");

/// Re-reads what a reload re-reads besides the inventory (access file, TLS files); returns
/// what failed.
pub type ReloadHook = Arc<dyn Fn() -> Result<(), String> + Send + Sync>;

/// Who may do what, and where it is recorded.
#[derive(Clone)]
pub struct Security {
    /// The access policy in force (tokens, users, certificates).
    pub access: AccessHandle,
    /// The audit log, if any.
    pub audit: Option<AuditLog>,
    /// Fired by `POST /v1/shutdown`; the daemon stops when it fires.
    pub shutdown: CancellationToken,
    /// Run by `POST /v1/reload` after the inventory.
    pub reload: Option<ReloadHook>,
}

#[derive(Clone)]
struct AppState {
    pool: Pool,
    inventory: Arc<(PathBuf, LoadOptions)>,
    reload_lock: Arc<tokio::sync::Mutex<()>>,
    limits: Arc<ApiLimits>,
    security: Security,
    /// A cluster node's dispatcher; `None`: every device is this pool's.
    dispatch: Option<Arc<dyn Dispatch>>,
}

/// Builds the API router. `inventory` is re-read with `load` on `POST /v1/reload`. Requests
/// must carry their connection's [`crate::identity::Peer`] (as [`crate::listen::serve`] adds).
pub fn router(
    pool: Pool,
    inventory: PathBuf,
    load: LoadOptions,
    limits: ApiLimits,
    security: Security,
) -> Router {
    router_with(pool, inventory, load, limits, security, None)
}

/// [`router`] for a cluster node: device work, reloads and `GET /v1/cluster` go through
/// `dispatch` ([`crate::dispatch`]).
pub fn router_with(
    pool: Pool,
    inventory: PathBuf,
    load: LoadOptions,
    limits: ApiLimits,
    security: Security,
    dispatch: Option<Arc<dyn Dispatch>>,
) -> Router {
    let state = AppState {
        pool,
        inventory: Arc::new((inventory, load)),
        reload_lock: Arc::new(tokio::sync::Mutex::new(())),
        limits: Arc::new(limits),
        security,
        dispatch,
    };
    Router::new()
        .route("/v1/exec", post(run::exec))
        .route("/v1/config", post(run::config))
        .route("/v1/sessions", get(sessions))
        .route("/v1/cluster", get(cluster))
        .route("/v1/reload", post(admin::reload))
        .route("/v1/shutdown", post(admin::shutdown))
        .route("/v1/openapi.yaml", get(openapi))
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            limits::buffer_body,
        ))
        // Outermost: an unauthenticated request is answered before its body is read.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::authenticate,
        ))
        .with_state(state)
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
        axum::body::Body::from_stream(futures::stream::iter(pieces)),
    )
        .into_response()
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

/// `GET /v1/cluster`: every node and every device with its owner; 404 without `--cluster`.
async fn cluster(State(st): State<AppState>) -> Response {
    match &st.dispatch {
        Some(d) => Json(d.cluster_status().await).into_response(),
        None => err(
            StatusCode::NOT_FOUND,
            "this daemon is not a cluster node (netkeep serve --cluster URL); see GET /v1/sessions",
        ),
    }
}

async fn metrics(State(st): State<AppState>) -> Response {
    let mut text = st.pool.metrics_text();
    if let Some(d) = &st.dispatch {
        text.push_str(&d.metrics_text());
    }
    if let Some(log) = &st.security.audit {
        text.push_str(&format!(
            "# HELP netkeep_audit_write_failures_total Audit records that could not be written.\n# TYPE netkeep_audit_write_failures_total counter\nnetkeep_audit_write_failures_total {}\n",
            log.failures()
        ));
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

async fn healthz(State(st): State<AppState>) -> Response {
    if st.pool.is_stopping() {
        return err(StatusCode::SERVICE_UNAVAILABLE, "shutting down");
    }
    Json(serde_json::json!({ "ok": true, "devices": st.pool.device_count() })).into_response()
}
