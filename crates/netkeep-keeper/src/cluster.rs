//! Several `netkeep serve` nodes sharing one fleet over NATS (`serve --cluster nats://...`),
//! each device kept by exactly one node.
//!
//! The fleet is split into [`shard::SHARDS`] shards by a hash of the device name. Who owns a
//! shard is recorded in a JetStream key-value bucket, and every change of owner is a
//! compare-and-swap on the revision the writer saw, so two nodes can never both win a shard.
//! Each node heartbeats its membership into the same bucket; the live nodes divide the shards
//! by rendezvous hashing (few shards move when a node joins or leaves). A node whose heartbeat
//! stops for the lease is dead and its shards are claimed by the others; a node that cannot
//! store a heartbeat fences itself — stops serving and logs out of its devices — before its
//! lease can run out (the timing argument is in [`timing`]). A graceful stop releases every
//! shard after logging out, and the new owners log in at once.
//!
//! The pool knows nothing of this: the node gives it the devices of the shards it serves
//! ([`crate::pool::Pool::keep`]), and the API hands device work to the node
//! ([`crate::dispatch::Dispatch`]), which runs it here or forwards it to the owner.
//!
//! | file | job |
//! |---|---|
//! | `cluster/timing.rs` | heartbeat, lease, fence and margin, and why they are safe |
//! | `cluster/shard.rs` | device → shard, shard → node (rendezvous) |
//! | `cluster/records.rs` | the bucket's keys and values; opening it |
//! | `cluster/view.rs` | this node's picture of the bucket; liveness and expiry |
//! | `cluster/watch.rs` | keeping the picture current |
//! | `cluster/connect.rs` | connecting to NATS (URL rules, credentials, TLS) |
//! | `cluster/heartbeat.rs` | joining, heartbeats, the fencing watchdog |
//! | `cluster/state.rs` | the node's shared state: who it is, its picture, its gates, its share of the pool |
//! | `cluster/gate.rs` | a shard's gate: requests in, release waits for them |
//! | `cluster/ownership.rs` | claims, releases, the pool's share, fencing, leaving |
//! | `cluster/messages.rs` | what nodes send each other |
//! | `cluster/serve.rs` | answering other nodes (work, status) and reload notices |
//! | `cluster/route.rs` | sending work to owners; what is retried when an owner dies |
//! | `cluster/entry.rs` | client requests over NATS, served by the node's own API |
//! | `cluster/client.rs` | the client side of that (`netkeep exec --cluster`) |
//! | `cluster/report.rs` | the cluster's status and metrics |
//!
//! ```no_run
//! # async fn demo(pool: netkeep_keeper::pool::Pool, inv: netkeep_keeper::inventory::Inventory) -> Result<(), netkeep_keeper::cluster::ClusterError> {
//! use netkeep_keeper::cluster::{ClusterConfig, Node};
//! let cfg = ClusterConfig::new("nats://127.0.0.1:4222", "k1");
//! let node = Node::start(cfg, inv, Default::default(), pool).await?;
//! // ... serve; then hand every shard over:
//! node.leave(std::time::Duration::from_secs(30)).await;
//! # Ok(()) }
//! ```

pub mod client;
mod connect;
mod entry;
mod gate;
mod heartbeat;
mod messages;
mod ownership;
mod records;
mod report;
mod route;
mod serve;
pub mod shard;
mod state;
mod timing;
mod view;
mod watch;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

pub use self::connect::check_url;
pub use self::timing::Timing;
use crate::connector::{BoxFut, ConfigRequest};
use crate::dispatch::{Dispatch, Origin};
use crate::inventory::{DeviceSpec, Inventory, LoadOptions};
use crate::pool::{ExecRequest, Pool};
use crate::select::{SelectError, Target};
use crate::wire::{ClusterStatus, DeviceResult, ReloadReport};

/// How a node joins its cluster.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// NATS server URL(s), comma-separated: `nats://host:4222`, `tls://host:4222`. No
    /// credentials in the URL (they would show in `ps`): use `creds`.
    pub url: String,
    /// This node's name (letters, digits, `-`, `_`); unique in the cluster.
    pub node: String,
    /// The cluster's name: its bucket and subject prefix (default `netkeep`).
    pub name: String,
    /// Heartbeat, lease, fencing.
    pub timing: Timing,
    /// A NATS credentials file (JWT + nkey seed).
    pub creds: Option<PathBuf>,
    /// CA certificate(s) (PEM) for a `tls://` server.
    pub ca: Option<PathBuf>,
    /// Copies of the bucket the NATS cluster keeps (when this node creates it): 3 in
    /// production, on a cluster of three servers.
    pub replicas: usize,
}

impl ClusterConfig {
    /// Defaults for a server URL and a node name.
    pub fn new(url: impl Into<String>, node: impl Into<String>) -> ClusterConfig {
        ClusterConfig {
            url: url.into(),
            node: node.into(),
            name: "netkeep".into(),
            timing: Timing::default(),
            creds: None,
            ca: None,
            replicas: 1,
        }
    }
}

/// Why a node could not join, or a cluster request failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ClusterError {
    /// A bad setting (name, URL).
    #[error("cluster: {0}")]
    Config(String),
    /// NATS could not be reached or refused something.
    #[error("cluster: {0}")]
    Nats(String),
}

/// Checks a node or cluster name: it becomes a subject token and a bucket key.
pub(crate) fn check_name(what: &str, name: &str) -> Result<(), ClusterError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        return Ok(());
    }
    Err(ClusterError::Config(format!(
        "{what} `{name}` must be 1-64 letters, digits, `-` or `_` (it names NATS subjects and bucket keys)"
    )))
}

/// A running cluster node: keeps its shards' devices in the pool, answers other nodes, and
/// dispatches the API's device work to owners. Implements [`Dispatch`].
#[derive(Clone)]
pub struct Node {
    core: Arc<state::Core>,
}

impl Node {
    /// Connects to NATS, opens the bucket, joins (waiting out a previous incarnation of the same
    /// name), and starts heartbeats, the watch, ownership and the node's subjects. `source` is
    /// where the inventory is re-read on a cluster-wide reload. The pool should start empty:
    /// devices enter it as their shards are claimed.
    pub async fn start(
        cfg: ClusterConfig,
        inventory: Inventory,
        source: (PathBuf, LoadOptions),
        pool: Pool,
    ) -> Result<Node, ClusterError> {
        let core = state::Core::join(cfg, inventory, source, pool).await?;
        Ok(Node { core })
    }

    /// Serves client requests arriving over NATS (`netkeep exec --cluster`) with the node's own
    /// API router: authentication, scopes and the audit log as for any request.
    pub fn serve_api(&self, router: axum::Router) {
        entry::spawn(self.core.clone(), router);
    }

    /// Fires when the node must stop: its name is in use by another process.
    pub fn fatal(&self) -> CancellationToken {
        self.core.fatal.clone()
    }

    /// This node's name.
    pub fn name(&self) -> &str {
        &self.core.me.node
    }

    /// Hands every shard over: marks itself draining, lets requests inside finish (up to
    /// `grace`), logs out, writes each shard free for its new owner, and removes its heartbeat.
    pub async fn leave(&self, grace: Duration) {
        ownership::leave(&self.core, grace).await
    }
}

impl Dispatch for Node {
    fn select(
        &self,
        target: &Target,
        filter: &BTreeMap<String, String>,
    ) -> Result<Vec<String>, SelectError> {
        self.core.inventory().select(target, filter)
    }

    fn spec(&self, device: &str) -> Option<DeviceSpec> {
        self.core.inventory().devices.get(device).cloned()
    }

    fn exec(
        &self,
        devices: Vec<String>,
        req: ExecRequest,
        origin: Origin,
        cancel: CancellationToken,
    ) -> BoxFut<'static, Vec<DeviceResult>> {
        let core = self.core.clone();
        Box::pin(async move { route::exec(&core, devices, req, origin, cancel).await })
    }

    fn configure(
        &self,
        device: String,
        req: ConfigRequest,
        origin: Origin,
        cancel: CancellationToken,
    ) -> BoxFut<'static, DeviceResult> {
        let core = self.core.clone();
        Box::pin(async move { route::configure(&core, device, req, origin, cancel).await })
    }

    fn reload(&self, inventory: Inventory) -> BoxFut<'static, ReloadReport> {
        let core = self.core.clone();
        Box::pin(async move { serve::reload_everywhere(&core, inventory).await })
    }

    fn cluster_status(&self) -> BoxFut<'static, ClusterStatus> {
        let core = self.core.clone();
        Box::pin(async move { report::status(&core).await })
    }

    fn metrics_text(&self) -> String {
        report::metrics(&self.core)
    }
}
