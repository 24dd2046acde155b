//! What nodes say to each other over NATS (JSON): work forwarded to a shard's owner, its
//! answers, status and reload notices. Subjects: `NAME.node.NODE.exec|config|status` (one
//! node), `NAME.reload` (every node), `NAME.api` (clients, any node: see `entry.rs`).

use serde::{Deserialize, Serialize};

use crate::connector::ConfigRequest;
use crate::dispatch::Origin;
use crate::pool::ExecRequest;
use crate::wire::{CommandSpec, DeviceResult, DeviceStatus};

/// The subjects of one cluster.
#[derive(Debug, Clone)]
pub(crate) struct Subjects {
    prefix: String,
}

impl Subjects {
    pub(crate) fn new(cluster: &str) -> Subjects {
        Subjects {
            prefix: cluster.to_string(),
        }
    }

    /// Client requests (HTTP over NATS), answered by any one node (queue group).
    pub(crate) fn api(&self) -> String {
        format!("{}.api", self.prefix)
    }

    /// Work for one node.
    pub(crate) fn node(&self, node: &str, what: &str) -> String {
        format!("{}.node.{node}.{what}", self.prefix)
    }

    /// Every node: re-read the inventory.
    pub(crate) fn reload(&self) -> String {
        format!("{}.reload", self.prefix)
    }
}

/// Commands for devices the receiving node believes the addressee owns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ExecMsg {
    pub(crate) devices: Vec<String>,
    pub(crate) commands: Vec<CommandSpec>,
    #[serde(default)]
    pub(crate) read_timeout_ms: Option<u64>,
    #[serde(default)]
    pub(crate) continue_on_error: bool,
    pub(crate) request_id: String,
    pub(crate) user: String,
    pub(crate) from: String,
}

impl ExecMsg {
    pub(crate) fn new(devices: Vec<String>, req: &ExecRequest, o: &Origin, from: &str) -> Self {
        ExecMsg {
            devices,
            commands: req.commands.clone(),
            read_timeout_ms: req.read_timeout.map(|d| d.as_millis() as u64),
            continue_on_error: req.continue_on_error,
            request_id: o.request_id.clone(),
            user: o.user.clone(),
            from: from.to_string(),
        }
    }

    pub(crate) fn request(&self) -> ExecRequest {
        ExecRequest {
            commands: self.commands.clone(),
            read_timeout: self.read_timeout_ms.map(std::time::Duration::from_millis),
            continue_on_error: self.continue_on_error,
        }
    }
}

/// A configuration set for a device the addressee owns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ConfigMsg {
    pub(crate) device: String,
    pub(crate) lines: Vec<String>,
    #[serde(default)]
    pub(crate) commit: bool,
    #[serde(default)]
    pub(crate) confirm_s: Option<u64>,
    #[serde(default)]
    pub(crate) comment: Option<String>,
    #[serde(default)]
    pub(crate) check: bool,
    #[serde(default)]
    pub(crate) save: bool,
    pub(crate) request_id: String,
    pub(crate) user: String,
    pub(crate) from: String,
}

impl ConfigMsg {
    pub(crate) fn new(device: String, r: &ConfigRequest, o: &Origin, from: &str) -> Self {
        ConfigMsg {
            device,
            lines: r.lines.clone(),
            commit: r.commit,
            confirm_s: r.confirm.map(|d| d.as_secs()),
            comment: r.comment.clone(),
            check: r.check,
            save: r.save,
            request_id: o.request_id.clone(),
            user: o.user.clone(),
            from: from.to_string(),
        }
    }

    pub(crate) fn request(&self) -> ConfigRequest {
        ConfigRequest {
            lines: self.lines.clone(),
            commit: self.commit,
            confirm: self.confirm_s.map(std::time::Duration::from_secs),
            comment: self.comment.clone(),
            check: self.check,
            save: self.save,
        }
    }
}

/// What became of one device at the node asked.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub(crate) enum Outcome {
    /// It ran (successfully or not) there.
    Done { result: DeviceResult },
    /// That node does not serve the device's shard (any more, or not yet): nothing ran.
    NotOwner { device: String },
}

/// The answer to an [`ExecMsg`]: one outcome per device, in order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ExecReply {
    pub(crate) outcomes: Vec<Outcome>,
}

/// A node's devices and shards (`NAME.node.NODE.status`), a page at a time: a node keeping
/// thousands of devices has more status than one NATS message may carry (`max_payload`, 1 MiB
/// by default).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StatusReply {
    pub(crate) node: String,
    pub(crate) shards: Vec<u32>,
    pub(crate) devices: Vec<DeviceStatus>,
    /// Where the next page starts, when there is one.
    #[serde(default)]
    pub(crate) next: Option<usize>,
}

/// The page of a node's status asked for (an empty body: the first).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct StatusAsk {
    pub(crate) from: usize,
}

/// Every node re-reads its inventory (`NAME.reload`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ReloadMsg {
    pub(crate) from: String,
}
