//! Where a node's API sends device work when the devices are not all kept here: the seam
//! between the API and a cluster ([`crate::cluster`]). A daemon without `--cluster` has no
//! dispatcher and the API calls its pool directly, as it always did.
//!
//! The API keeps what belongs to the node that received the request — parsing, the identity,
//! the scope check, the audit log — and hands the dispatcher only the work: which devices a
//! target means, running commands and configuration sets on them wherever they are kept,
//! reloads and the cluster's status.
//!
//! ```
//! fn local_only(d: Option<&dyn netkeep_keeper::dispatch::Dispatch>) -> bool { d.is_none() }
//! assert!(local_only(None));
//! ```

use std::collections::BTreeMap;

use tokio_util::sync::CancellationToken;

use crate::connector::{BoxFut, ConfigRequest};
use crate::inventory::{DeviceSpec, Inventory};
use crate::pool::ExecRequest;
use crate::select::{SelectError, Target};
use crate::wire::{ClusterStatus, DeviceResult, ReloadReport};

/// Who asked, for the log lines of the node that runs the work (the audit record is written
/// by the node that received the request).
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The receiving node's request id.
    pub request_id: String,
    /// The identity the request runs under.
    pub user: String,
}

/// Device work for devices that may be kept by another node.
pub trait Dispatch: Send + Sync + 'static {
    /// The devices `target` names in the whole fleet, narrowed by `filter`.
    fn select(
        &self,
        target: &Target,
        filter: &BTreeMap<String, String>,
    ) -> Result<Vec<String>, SelectError>;
    /// A device's settings (the scope check judges shell platforms by them).
    fn spec(&self, device: &str) -> Option<DeviceSpec>;
    /// Runs commands on `devices` wherever they are kept; results in the order given.
    fn exec(
        &self,
        devices: Vec<String>,
        req: ExecRequest,
        origin: Origin,
        cancel: CancellationToken,
    ) -> BoxFut<'static, Vec<DeviceResult>>;
    /// Runs a configuration set on `device` wherever it is kept (never retried elsewhere).
    fn configure(
        &self,
        device: String,
        req: ConfigRequest,
        origin: Origin,
        cancel: CancellationToken,
    ) -> BoxFut<'static, DeviceResult>;
    /// Applies a re-read inventory here and asks every other node to re-read theirs.
    fn reload(&self, inventory: Inventory) -> BoxFut<'static, ReloadReport>;
    /// Every node and every device with its owner.
    fn cluster_status(&self) -> BoxFut<'static, ClusterStatus>;
    /// Prometheus lines of the dispatcher (appended to `GET /metrics`).
    fn metrics_text(&self) -> String;
}
