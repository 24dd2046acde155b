//! What the pool holds: its tunables, the fleet (devices and groups, swapped whole by a reload),
//! the global connect limit, the counters the metrics export, and the handle [`Pool`] that every
//! other part of the pool adds its methods to.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use super::device::Device;
use super::log_budget::LogBudget;
use crate::connector::Connector;

/// Tunables; defaults suit production, tests scale them down.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// How long a request waits for a free session of its device before failing.
    pub queue_timeout: Duration,
    /// First reconnect delay after a failure; doubles per failure (with jitter).
    pub backoff_base: Duration,
    /// Longest reconnect delay.
    pub backoff_max: Duration,
    /// Delay before retrying a device whose login was refused.
    pub auth_retry: Duration,
    /// Connects in flight at once (warm-up and reconnects).
    pub connect_concurrency: usize,
    /// Supervisor scan period.
    pub tick: Duration,
    /// Read timeout for commands when the request gives none.
    pub default_read_timeout: Duration,
    /// Time allowed for a polite logout at shutdown or reload.
    pub disconnect_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            queue_timeout: Duration::from_secs(30),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            auth_retry: Duration::from_secs(600),
            connect_concurrency: 128,
            tick: Duration::from_secs(1),
            default_read_timeout: Duration::from_secs(30),
            disconnect_timeout: Duration::from_secs(5),
        }
    }
}

/// The devices and groups of one inventory generation.
pub(crate) struct Fleet {
    pub(crate) devices: BTreeMap<String, Arc<Device>>,
    pub(crate) groups: BTreeMap<String, Vec<String>>,
}

/// Event counters since start, exported by `GET /metrics`.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) commands: AtomicU64,
    pub(crate) command_errors: AtomicU64,
    pub(crate) connects: AtomicU64,
    pub(crate) connect_failures: AtomicU64,
    pub(crate) auth_failures: AtomicU64,
    pub(crate) retries: AtomicU64,
    pub(crate) queue_timeouts: AtomicU64,
}

/// The pool's shared state, behind every clone of [`Pool`].
pub(crate) struct PoolState {
    pub(crate) connector: Arc<dyn Connector>,
    pub(crate) opts: PoolOptions,
    pub(crate) fleet: RwLock<Arc<Fleet>>,
    /// Connects in flight at once, fleet-wide.
    pub(crate) connect_limit: Arc<Semaphore>,
    pub(crate) counters: Counters,
    pub(crate) stop: CancellationToken,
    pub(crate) started: Instant,
    /// Connect-failure warnings: a fleet failing together must not write a line per device.
    pub(crate) connect_warnings: LogBudget,
}

/// The fleet's session pool: per device up to `max_sessions` warm sessions, a request queue, a
/// supervisor that reconnects, reloads and graceful shutdown. Cheap to clone (shared state).
///
/// See the [module](crate::pool) documentation for an example.
#[derive(Clone)]
pub struct Pool {
    pub(crate) state: Arc<PoolState>,
}

impl Pool {
    /// The current fleet (a reload swaps in a new one; holders of the old one keep it alive).
    pub(crate) fn fleet(&self) -> Arc<Fleet> {
        self.state
            .fleet
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn device(&self, name: &str) -> Option<Arc<Device>> {
        self.fleet().devices.get(name).cloned()
    }

    /// Device names, sorted.
    pub fn device_names(&self) -> Vec<String> {
        self.fleet().devices.keys().cloned().collect()
    }

    /// True if the inventory has this device.
    pub fn has_device(&self, name: &str) -> bool {
        self.fleet().devices.contains_key(name)
    }

    /// Number of devices.
    pub fn device_count(&self) -> usize {
        self.fleet().devices.len()
    }

    /// Members of a group, if it exists.
    pub fn group_members(&self, group: &str) -> Option<Vec<String>> {
        self.fleet().groups.get(group).cloned()
    }

    /// The devices `target` names, narrowed by a filter on their inventory `data`
    /// ([`crate::select`]).
    pub fn select(
        &self,
        target: &crate::select::Target,
        filter: &BTreeMap<String, String>,
    ) -> Result<Vec<String>, crate::select::SelectError> {
        let fleet = self.fleet();
        crate::select::select(
            target,
            filter,
            |n| fleet.devices.get(n).map(|d| &d.spec),
            || fleet.devices.keys().cloned().collect(),
            |g| fleet.groups.get(g).cloned(),
        )
    }

    /// True once [`Pool::shutdown`] started.
    pub fn is_stopping(&self) -> bool {
        self.state.stop.is_cancelled()
    }
}
