//! Who may pass: every request but `/healthz` is authenticated from its connection's peer and
//! its `Authorization` header ([`crate::auth`]), gets a request id (answered in `X-Request-Id`),
//! and carries its [`Identity`] to the handler; a handler that needs more than `read` checks it
//! with [`authorize`], which records a refusal in the audit log.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::answer::err;
use super::AppState;
use crate::auth::Denied;
use crate::identity::{Identity, Peer};
use crate::scopes::Need;

/// The id of the request being served (also in the audit log).
#[derive(Debug, Clone)]
pub(crate) struct RequestId(pub(crate) String);

/// Authenticates the request; 401 without usable credentials, 403 for a caller without scope.
pub(super) async fn authenticate(
    State(st): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    if req.uri().path() == "/healthz" {
        return next.run(req).await;
    }
    let Some(peer) = req.extensions().get::<Peer>().cloned() else {
        return err(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error: a connection without a known peer",
        );
    };
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match st
        .security
        .access
        .current()
        .authenticate(&peer, authorization)
    {
        Ok(id) => {
            let rid = crate::audit::request_id();
            req.extensions_mut().insert(id);
            req.extensions_mut().insert(RequestId(rid.clone()));
            let mut resp = next.run(req).await;
            if let Ok(v) = HeaderValue::from_str(&rid) {
                resp.headers_mut().insert("x-request-id", v);
            }
            resp
        }
        Err(Denied::Unauthenticated(why)) => {
            tracing::info!("401 for {}: {why}", describe(&peer));
            let mut r = err(StatusCode::UNAUTHORIZED, why);
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            r
        }
        Err(Denied::NoScope(why)) => {
            tracing::warn!("403 for {}: {why}", describe(&peer));
            err(StatusCode::FORBIDDEN, why)
        }
    }
}

fn describe(peer: &Peer) -> String {
    match peer {
        Peer::Unix { uid, pid } => match pid {
            Some(p) => format!("uid {uid} (pid {p})"),
            None => format!("uid {uid}"),
        },
        Peer::Tcp { remote, .. } => remote.to_string(),
    }
}

/// Lets `who` go on when its scope covers `need`; otherwise records the refusal (audit log, and
/// the daemon's log) and answers 403 with the reason. `what` names the request (`exec`,
/// `config`, `reload`...), `targets` its devices and commands.
pub(super) async fn authorize(
    st: &AppState,
    who: &Identity,
    rid: &RequestId,
    what: &str,
    targets: (&[String], &[String]),
    need: &Need,
) -> Result<(), Box<Response>> {
    if who.scope.allows(need.scope) {
        return Ok(());
    }
    let msg = format!(
        "{} holds scope `{}`, {what} needs `{}`: {}",
        who.user, who.scope, need.scope, need.why
    );
    // The reason quotes the command: masked like the audit log's copy.
    tracing::warn!(
        "403 for {}: {}",
        who.describe(),
        crate::audit::redact::line(&msg)
    );
    if let Some(log) = &st.security.audit {
        // A refusal is recorded best effort: nothing runs either way.
        let _ = log.denied(&rid.0, who, what, targets, need).await;
    }
    Err(Box::new(err(StatusCode::FORBIDDEN, msg)))
}
