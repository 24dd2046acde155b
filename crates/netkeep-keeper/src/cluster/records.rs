//! What the ownership bucket (a JetStream key-value bucket) holds, and opening it:
//!
//! | key | value | written by |
//! |---|---|---|
//! | `config` | [`BucketConfig`]: the shard count | the first node (create-if-absent) |
//! | `node.NAME` | [`NodeRecord`]: the node's heartbeat | that node only, every heartbeat (compare-and-swap: a second process with the same name is found out) |
//! | `shard.NNN` | [`ShardRecord`]: the owner, or free | claims and releases, each a compare-and-swap on the revision the writer saw |

use std::time::Duration;

use async_nats::jetstream::{self, kv};
use serde::{Deserialize, Serialize};

use super::ClusterError;

/// The key of the bucket's settings.
pub(crate) const CONFIG_KEY: &str = "config";

/// The key of a node's heartbeat.
pub(crate) fn node_key(node: &str) -> String {
    format!("node.{node}")
}

/// The key of a shard's ownership record.
pub(crate) fn shard_key(shard: u32) -> String {
    format!("shard.{shard:03}")
}

/// What a bucket key names.
pub(crate) enum Key<'a> {
    Node(&'a str),
    Shard(u32),
    Other,
}

/// Sorts a key into node, shard or other.
pub(crate) fn parse_key(key: &str) -> Key<'_> {
    if let Some(n) = key.strip_prefix("node.") {
        return Key::Node(n);
    }
    match key.strip_prefix("shard.").map(str::parse) {
        Some(Ok(s)) => Key::Shard(s),
        _ => Key::Other,
    }
}

/// The bucket's settings, fixed by the first node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BucketConfig {
    pub(crate) shards: u32,
}

/// A node's heartbeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct NodeRecord {
    pub(crate) node: String,
    /// Random per process start: a restarted node is a new incarnation, and shards recorded
    /// for its previous one are a dead node's.
    pub(crate) incarnation: u64,
    /// Stopping: hands its shards over, takes none.
    #[serde(default)]
    pub(crate) draining: bool,
    /// Shards it serves.
    #[serde(default)]
    pub(crate) shards: usize,
    /// Devices it keeps.
    #[serde(default)]
    pub(crate) devices: usize,
    /// Live sessions it holds.
    #[serde(default)]
    pub(crate) sessions: usize,
    /// Digest of its inventory's device names (every node should read the same inventory).
    #[serde(default)]
    pub(crate) inventory: String,
}

/// The owner of a shard: a node incarnation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Owner {
    pub(crate) node: String,
    pub(crate) incarnation: u64,
}

/// A shard's ownership record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ShardRecord {
    /// `None`: free (released after its owner logged out of its devices).
    pub(crate) owner: Option<Owner>,
}

/// Opens the bucket, creating it (with `replicas` copies) if it does not exist.
///
/// The bucket's stream is created here with the settings a key-value bucket has (one value per
/// key, rollups, no direct deletes, direct gets) rather than with the client's
/// `create_key_value`, which first asks for the account's limits in a shape the NATS 2.9 servers
/// of Debian 12 do not answer in.
pub(crate) async fn open_bucket(
    js: &jetstream::Context,
    bucket: &str,
    replicas: usize,
) -> Result<kv::Store, ClusterError> {
    if let Ok(store) = js.get_key_value(bucket).await {
        return Ok(store);
    }
    let cfg = jetstream::stream::Config {
        name: format!("KV_{bucket}"),
        description: Some("netkeep cluster: node heartbeats and shard owners".into()),
        subjects: vec![format!("$KV.{bucket}.>")],
        max_messages_per_subject: 1,
        discard: jetstream::stream::DiscardPolicy::New,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        num_replicas: replicas.max(1),
        storage: jetstream::stream::StorageType::File,
        ..Default::default()
    };
    let created = js.create_stream(cfg).await;
    // Another node may have created it meanwhile: open it either way.
    js.get_key_value(bucket).await.map_err(|e| {
        let why = created.err().map(|c| c.to_string()).unwrap_or_else(|| e.to_string());
        ClusterError::Nats(format!(
            "cannot open or create the key-value bucket `{bucket}` (is JetStream enabled on the server? `nats-server -js`): {why}"
        ))
    })
}

/// The bucket's shard count: created by the first node, checked by the others.
pub(crate) async fn shard_count(store: &kv::Store, ours: u32) -> Result<u32, ClusterError> {
    let want = serde_json::to_vec(&BucketConfig { shards: ours }).unwrap_or_default();
    let _ = with_timeout(store.create(CONFIG_KEY, want.into())).await;
    let got = with_timeout(store.get(CONFIG_KEY))
        .await?
        .map_err(|e| ClusterError::Nats(format!("reading the bucket's `config`: {e}")))?
        .ok_or_else(|| ClusterError::Nats("the bucket's `config` key vanished".into()))?;
    let cfg: BucketConfig = serde_json::from_slice(&got)
        .map_err(|e| ClusterError::Nats(format!("the bucket's `config` is not netkeep's: {e}")))?;
    if cfg.shards != ours {
        return Err(ClusterError::Nats(format!(
            "the bucket splits the fleet into {} shards, this netkeep into {ours}: use the same version on every node",
            cfg.shards
        )));
    }
    Ok(cfg.shards)
}

/// A bucket operation with the cluster's request bound (5 s).
pub(crate) async fn with_timeout<T>(
    fut: impl std::future::Future<Output = T>,
) -> Result<T, ClusterError> {
    tokio::time::timeout(Duration::from_secs(5), fut)
        .await
        .map_err(|_| ClusterError::Nats("no answer from NATS within 5s".into()))
}
