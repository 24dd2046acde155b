//! The client side of requests over NATS: `netkeep exec|config|status --cluster URL` sends its
//! API request to `NAME.api`, and any node answers it (see `entry.rs`). The caller is named by
//! its bearer token (`--token-file`), checked by the answering node against its access file.
//!
//! ```no_run
//! # async fn demo() -> Result<(), netkeep_keeper::cluster::ClusterError> {
//! use netkeep_keeper::cluster::client::{request, ClusterTarget};
//! let t = ClusterTarget::new("nats://127.0.0.1:4222");
//! let (status, body) = request(&t, "GET", "/v1/cluster", None).await?;
//! println!("{status} {}", String::from_utf8_lossy(&body));
//! # Ok(()) }
//! ```

use std::path::PathBuf;
use std::time::Duration;

use super::entry::{METHOD, PATH, STATUS};
use super::messages::Subjects;
use super::ClusterError;

/// Where a cluster is and how to ask it. Its `Debug` output hides the token.
#[derive(Clone, PartialEq, Eq)]
pub struct ClusterTarget {
    /// NATS server URL(s), comma-separated.
    pub url: String,
    /// The cluster's name (`serve --cluster-name`, default `netkeep`).
    pub name: String,
    /// A NATS credentials file.
    pub creds: Option<PathBuf>,
    /// CA of a `tls://` server.
    pub ca: Option<PathBuf>,
    /// Bearer token naming the caller to the answering node.
    pub token: Option<String>,
}

impl ClusterTarget {
    /// A target with defaults (cluster `netkeep`, no credentials, no token).
    pub fn new(url: impl Into<String>) -> ClusterTarget {
        ClusterTarget {
            url: url.into(),
            name: "netkeep".into(),
            creds: None,
            ca: None,
            token: None,
        }
    }
}

impl std::fmt::Debug for ClusterTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterTarget")
            .field("url", &self.url)
            .field("name", &self.name)
            .field("creds", &self.creds)
            .field("ca", &self.ca)
            .field("token", &self.token.as_ref().map(|_| "<hidden>"))
            .finish()
    }
}

/// Sends one API request to the cluster; returns the HTTP status and body of the answer.
pub async fn request(
    t: &ClusterTarget,
    method: &str,
    path: &str,
    body: Option<Vec<u8>>,
) -> Result<(u16, axum::body::Bytes), ClusterError> {
    super::check_name("cluster name", &t.name)?;
    let nats = super::connect::connect(
        &t.url,
        "netkeep client",
        t.creds.as_deref(),
        t.ca.as_deref(),
    )
    .await?;
    let mut h = async_nats::HeaderMap::new();
    h.insert(METHOD, method);
    h.insert(PATH, path);
    if let Some(tok) = &t.token {
        h.insert("Authorization", format!("Bearer {tok}").as_str());
    }
    let req = async_nats::Request::new()
        .headers(h)
        .payload(body.unwrap_or_default().into())
        // Commands are bounded by the daemon (read timeouts up to an hour).
        .timeout(Some(Duration::from_secs(3700)));
    let subject = Subjects::new(&t.name).api();
    let m = nats.send_request(subject.clone(), req).await.map_err(|e| {
        if e.kind() == async_nats::RequestErrorKind::NoResponders {
            ClusterError::Nats(format!(
                "no netkeep node answers on `{subject}` at {} (is `netkeep serve --cluster` running there, with --cluster-name {}?)",
                t.url, t.name
            ))
        } else {
            ClusterError::Nats(format!("request to the cluster at {}: {e}", t.url))
        }
    })?;
    let status = m
        .headers
        .as_ref()
        .and_then(|h| h.get(STATUS))
        .and_then(|v| v.as_str().parse().ok())
        .ok_or_else(|| ClusterError::Nats("the answering node sent no status".into()))?;
    Ok((status, m.payload))
}
