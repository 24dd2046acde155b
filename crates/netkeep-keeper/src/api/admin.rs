//! Actions on the daemon itself, for the `admin` scope: `POST /v1/reload` (the inventory, and
//! the access file and TLS files as SIGHUP does) and `POST /v1/shutdown` (as SIGTERM does).
//! Both are recorded in the audit log.

use std::path::PathBuf;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::answer::err;
use super::guard::{authorize, RequestId};
use super::AppState;
use crate::identity::Identity;
use crate::inventory::{Inventory, InventoryError, LoadOptions};
use crate::pool::Pool;
use crate::scopes;
use crate::wire::ReloadReport;

pub(super) async fn reload(
    State(st): State<AppState>,
    Extension(who): Extension<Identity>,
    Extension(rid): Extension<RequestId>,
) -> Response {
    let need = scopes::admin_needs("reload");
    if let Err(r) = authorize(&st, &who, &rid, "reload", (&[], &[]), &need).await {
        return *r;
    }
    let _g = st.reload_lock.lock().await;
    let (path, load) = &*st.inventory;
    let result = match &st.dispatch {
        // A cluster node: applied here, and every other node re-reads its own file.
        Some(d) => match load_inventory(path, load).await {
            Ok(inv) => Ok(d.reload(inv).await),
            Err(e) => Err(e),
        },
        None => reload_from(&st.pool, path, load).await,
    };
    if let Some(hook) = &st.security.reload {
        if let Err(e) = hook() {
            tracing::error!("POST /v1/reload: {e}");
        }
    }
    let recorded = match &result {
        Ok(r) => Ok(format!(
            "{} added, {} removed, {} changed, {} unchanged",
            r.added.len(),
            r.removed.len(),
            r.changed.len(),
            r.unchanged
        )),
        Err(e) => Err(e.to_string()),
    };
    if let Some(log) = &st.security.audit {
        let _ = log.admin(&rid.0, &who, "reload", recorded.clone()).await;
    }
    match result {
        Ok(r) => {
            let summary = recorded.unwrap_or_default();
            tracing::info!(
                "POST /v1/reload by {}: inventory reloaded: {summary}",
                who.describe()
            );
            Json(r).into_response()
        }
        Err(e) => err(
            StatusCode::BAD_REQUEST,
            format!("inventory not reloaded, still running the previous one: {e}"),
        ),
    }
}

pub(super) async fn shutdown(
    State(st): State<AppState>,
    Extension(who): Extension<Identity>,
    Extension(rid): Extension<RequestId>,
) -> Response {
    let need = scopes::admin_needs("shutdown");
    if let Err(r) = authorize(&st, &who, &rid, "shutdown", (&[], &[]), &need).await {
        return *r;
    }
    if let Some(log) = &st.security.audit {
        let _ = log.admin(&rid.0, &who, "shutdown", Ok(String::new())).await;
    }
    tracing::info!("POST /v1/shutdown by {}: stopping", who.describe());
    st.security.shutdown.cancel();
    (
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "ok": true, "stopping": true })),
    )
        .into_response()
}

/// Re-reads the inventory file and applies it; the old inventory stays on error.
pub async fn reload_from(
    pool: &Pool,
    path: &std::path::Path,
    load: &LoadOptions,
) -> Result<ReloadReport, InventoryError> {
    Ok(pool.reload(load_inventory(path, load).await?).await)
}

/// Re-reads the inventory file (off the async threads), logging its warnings.
pub async fn load_inventory(
    path: &std::path::Path,
    load: &LoadOptions,
) -> Result<Inventory, InventoryError> {
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
    Ok(inv)
}
