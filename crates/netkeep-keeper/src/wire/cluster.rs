//! The cluster's view as the API answers it (`GET /v1/cluster`, `netkeep status` on a cluster
//! node or with `--cluster`): every node with its shard count, every device with its owner.
//!
//! ```
//! use netkeep_keeper::wire::{ClusterNode, NodeState};
//! let n = ClusterNode { node: "k1".into(), state: NodeState::Live, shards: 86, devices: 301, sessions: 301, heartbeat_age_s: Some(0.4) };
//! assert_eq!(serde_json::to_value(&n).unwrap()["state"], "live");
//! ```

use serde::{Deserialize, Serialize};

use super::DeviceStatus;

/// Where a node of the cluster stands, as the answering node sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeState {
    /// Heartbeating: keeps the shards it owns.
    Live,
    /// Stopping: handing its shards over.
    Draining,
    /// Silent for longer than the lease: its shards move to the live nodes.
    Dead,
}

impl NodeState {
    /// The name on the wire and in the status table.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeState::Live => "live",
            NodeState::Draining => "draining",
            NodeState::Dead => "dead",
        }
    }
}

/// One node of the cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterNode {
    /// The node's name (`serve --node`).
    pub node: String,
    /// Live, draining or dead.
    pub state: NodeState,
    /// Shards recorded as its own in the ownership bucket.
    pub shards: usize,
    /// Devices it keeps now (its shards' devices, once it serves them).
    pub devices: usize,
    /// Live sessions it holds.
    pub sessions: usize,
    /// Seconds since the answering node last saw its heartbeat change (`None`: never seen).
    pub heartbeat_age_s: Option<f64>,
}

/// One device and the node that keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterDevice {
    /// The node keeping the device; `None` while no live node does (a handover in progress).
    pub owner: Option<String>,
    /// The device's shard.
    pub shard: u32,
    /// Its status on the owner (a placeholder row with `last_error` while unowned).
    #[serde(flatten)]
    pub status: DeviceStatus,
}

/// `GET /v1/cluster`: the nodes, then every device of the inventory with its owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterStatus {
    /// The node that answered.
    pub answered_by: String,
    /// Number of shards the fleet is split into.
    pub shards: u32,
    /// Every node the ownership bucket knows, sorted by name.
    pub nodes: Vec<ClusterNode>,
    /// Every device, sorted by name.
    pub devices: Vec<ClusterDevice>,
}
