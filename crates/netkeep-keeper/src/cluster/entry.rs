//! Client requests over NATS (`netkeep exec --cluster URL`): HTTP carried in NATS messages on
//! `NAME.api`, answered by whichever node the server picks (a queue group). The node serves
//! each one with its own API router, exactly as a TCP request: the bearer token in the message
//! names the caller and its scope, the scope is checked and the audit log written here, and the
//! device work is dispatched to the owners.
//!
//! Message: headers `Netkeep-Method`, `Netkeep-Path`, `Authorization`; the body. Answer:
//! header `Netkeep-Status`; the body.

use std::net::SocketAddr;
use std::sync::Arc;

use futures::StreamExt;
use http_body_util::BodyExt;
use tower_service::Service;

use super::state::Core;
use crate::identity::Peer;

/// The header carrying the HTTP method.
pub(crate) const METHOD: &str = "Netkeep-Method";
/// The header carrying the path.
pub(crate) const PATH: &str = "Netkeep-Path";
/// The answer's HTTP status.
pub(crate) const STATUS: &str = "Netkeep-Status";

/// Serves `NAME.api` with `router` until the node stops.
pub(crate) fn spawn(core: Arc<Core>, router: axum::Router) {
    tokio::spawn(async move {
        let sub = core
            .nats
            .queue_subscribe(core.subjects.api(), "netkeep-api".to_string())
            .await;
        let mut sub = match sub {
            Ok(s) => s,
            Err(e) => {
                tracing::error!("cluster: client requests over NATS will not be served: {e}");
                return;
            }
        };
        // The NATS server is the peer address the audit log records for these requests.
        let info = core.nats.server_info();
        let peer_addr: SocketAddr = format!("{}:{}", info.host, info.port)
            .parse()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], info.port)));
        loop {
            let msg = tokio::select! {
                m = sub.next() => m,
                _ = core.stop.cancelled() => break,
            };
            let Some(msg) = msg else { break };
            let (c, r) = (core.clone(), router.clone());
            tokio::spawn(async move { answer(&c, r, msg, peer_addr).await });
        }
    });
}

async fn answer(core: &Core, router: axum::Router, msg: async_nats::Message, peer: SocketAddr) {
    let Some(reply) = msg.reply.clone() else {
        return;
    };
    let (mut status, mut body) = run(router, &msg, peer).await;
    let limit = super::serve::payload_limit(core);
    if body.len() > limit {
        let e = format!("the answer ({} bytes) is larger than the NATS server's max_payload ({} bytes): ask for fewer devices at a time, use a node's socket, or raise max_payload in nats-server.conf", body.len(), limit + 4096);
        status = 502;
        body = serde_json::to_vec(&serde_json::json!({ "error": e }))
            .unwrap_or_default()
            .into();
    }
    let mut h = async_nats::HeaderMap::new();
    h.insert(STATUS, status.to_string().as_str());
    if let Err(e) = core.nats.publish_with_headers(reply, h, body).await {
        tracing::warn!("cluster: answer to a client not sent: {e}");
    }
}

/// Serves one message with the router.
async fn run(
    mut router: axum::Router,
    msg: &async_nats::Message,
    peer: SocketAddr,
) -> (u16, axum::body::Bytes) {
    let h = msg.headers.clone().unwrap_or_default();
    let get = |k: &str| h.get(k).map(|v| v.as_str().to_string());
    let method = get(METHOD).unwrap_or_else(|| "GET".into());
    let path = get(PATH).unwrap_or_else(|| "/healthz".into());
    let mut b = axum::http::Request::builder()
        .method(method.as_str())
        .uri(path.as_str())
        .header("host", "netkeep");
    if let Some(a) = get("Authorization") {
        b = b.header("authorization", a);
    }
    if !msg.payload.is_empty() {
        b = b.header("content-type", "application/json");
    }
    let mut req = match b.body(axum::body::Body::from(msg.payload.clone())) {
        Ok(r) => r,
        Err(e) => return (400, format!("{{\"error\":\"bad request: {e}\"}}").into()),
    };
    req.extensions_mut().insert(Peer::Tcp {
        remote: peer,
        certificate: None,
    });
    let resp = match router.call(req).await {
        Ok(r) => r,
        Err(e) => match e {},
    };
    let status = resp.status().as_u16();
    match resp.into_body().collect().await {
        Ok(b) => (status, b.to_bytes()),
        Err(e) => (500, format!("{{\"error\":\"internal error: {e}\"}}").into()),
    }
}
