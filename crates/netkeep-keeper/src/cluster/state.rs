//! The node's shared state: who it is, its NATS connection and bucket, its picture of the
//! bucket, the gates of its shards, the shards whose devices are in its pool, the inventory,
//! its counters — and joining the cluster, which starts the tasks that keep all of it current.

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use async_nats::jetstream::kv;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::gate::Gate;
use super::messages::Subjects;
use super::records::{open_bucket, shard_count, Owner};
use super::shard::{shard_of, SHARDS};
use super::view::View;
use super::{check_name, ClusterConfig, ClusterError, Timing};
use crate::inventory::{Inventory, LoadOptions};
use crate::pool::{Letting, Pool};

/// Event counters for the metrics.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) heartbeats_failed: AtomicU64,
    pub(crate) claims: AtomicU64,
    pub(crate) releases: AtomicU64,
    pub(crate) fences: AtomicU64,
    pub(crate) forwarded: AtomicU64,
    pub(crate) retried: AtomicU64,
    pub(crate) served_for_others: AtomicU64,
}

/// Everything a node's tasks share.
pub(crate) struct Core {
    pub(crate) me: Owner,
    pub(crate) cfg: ClusterConfig,
    pub(crate) timing: Timing,
    pub(crate) nats: async_nats::Client,
    pub(crate) kv: kv::Store,
    pub(crate) shards: u32,
    pub(crate) subjects: Subjects,
    pub(crate) view: RwLock<View>,
    /// The picture changed (a heartbeat, an owner, our own write).
    pub(crate) changed: Notify,
    pub(crate) gates: Vec<Arc<Gate>>,
    pub(crate) pool: Pool,
    inventory: RwLock<Arc<Inventory>>,
    pub(crate) source: (PathBuf, LoadOptions),
    /// Shards whose devices are in the pool; changed together with `fenced`.
    pub(crate) serving: Mutex<BTreeSet<u32>>,
    /// Shards with a claim or release under way.
    pub(crate) busy: Mutex<HashSet<u32>>,
    /// Fenced: serves nothing until a heartbeat is stored again.
    pub(crate) fenced: AtomicBool,
    /// Stopping: hands shards over, takes none.
    pub(crate) draining: AtomicBool,
    /// One change of the pool's devices at a time.
    pub(crate) apply_lock: tokio::sync::Mutex<()>,
    /// Devices let go of whose sessions may still be logging out, whichever change let them
    /// go (changes run one at a time, but the shards they drop are read when each runs).
    pub(crate) leaving: Mutex<Letting>,
    /// Send time of the last heartbeat the bucket acknowledged.
    pub(crate) last_ok: Mutex<Instant>,
    /// The revision of our heartbeat key.
    pub(crate) heartbeat_rev: Mutex<u64>,
    pub(crate) counters: Counters,
    /// Stops the node's tasks.
    pub(crate) stop: CancellationToken,
    /// Fired when the node must stop (its name is in use elsewhere).
    pub(crate) fatal: CancellationToken,
}

impl Core {
    /// Joins the cluster: connect, open the bucket, take the node's name, watch, and start the
    /// heartbeat, the watchdog, ownership and the node's subjects.
    pub(crate) async fn join(
        cfg: ClusterConfig,
        inventory: Inventory,
        source: (PathBuf, LoadOptions),
        pool: Pool,
    ) -> Result<Arc<Core>, ClusterError> {
        check_name("node name", &cfg.node)?;
        check_name("cluster name", &cfg.name)?;
        let nats = super::connect::connect(
            &cfg.url,
            &format!("netkeep {}", cfg.node),
            cfg.creds.as_deref(),
            cfg.ca.as_deref(),
        )
        .await?;
        let js = async_nats::jetstream::new(nats.clone());
        let kv = open_bucket(&js, &cfg.name, cfg.replicas).await?;
        let shards = shard_count(&kv, SHARDS).await?;
        let me = Owner {
            node: cfg.node.clone(),
            incarnation: rand::random::<u64>() | 1,
        };
        let core = Arc::new(Core {
            me,
            timing: cfg.timing,
            subjects: Subjects::new(&cfg.name),
            cfg,
            nats,
            kv,
            shards,
            view: RwLock::new(View::new(shards)),
            changed: Notify::new(),
            gates: (0..shards).map(|_| Arc::new(Gate::default())).collect(),
            pool,
            inventory: RwLock::new(Arc::new(inventory)),
            source,
            serving: Mutex::new(BTreeSet::new()),
            busy: Mutex::new(HashSet::new()),
            fenced: AtomicBool::new(false),
            draining: AtomicBool::new(false),
            apply_lock: tokio::sync::Mutex::new(()),
            leaving: Mutex::new(Letting::default()),
            last_ok: Mutex::new(Instant::now()),
            heartbeat_rev: Mutex::new(0),
            counters: Counters::default(),
            stop: CancellationToken::new(),
            fatal: CancellationToken::new(),
        });
        super::heartbeat::take_name(&core).await?;
        super::watch::spawn(&core).await?;
        super::heartbeat::spawn(&core);
        super::serve::spawn(&core).await?;
        super::ownership::spawn(&core);
        tracing::info!(
            node = %core.me.node,
            cluster = %core.cfg.name,
            lease = ?core.timing.lease,
            handover_bound = ?core.timing.handover_bound(),
            "joined the cluster"
        );
        Ok(core)
    }

    /// The whole fleet's inventory (every node reads the same file).
    pub(crate) fn inventory(&self) -> Arc<Inventory> {
        self.inventory
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn set_inventory(&self, inv: Inventory) {
        *self.inventory.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(inv);
    }

    pub(crate) fn view(&self) -> std::sync::RwLockReadGuard<'_, View> {
        self.view.read().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn view_mut(&self) -> std::sync::RwLockWriteGuard<'_, View> {
        self.view.write().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn shard_of(&self, device: &str) -> u32 {
        shard_of(device, self.shards)
    }

    pub(crate) fn is_fenced(&self) -> bool {
        self.fenced.load(Ordering::SeqCst)
    }

    pub(crate) fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    pub(crate) fn serving(&self) -> std::sync::MutexGuard<'_, BTreeSet<u32>> {
        self.serving.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn leaving(&self) -> std::sync::MutexGuard<'_, Letting> {
        self.leaving.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn busy(&self) -> std::sync::MutexGuard<'_, HashSet<u32>> {
        self.busy.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn last_ok(&self) -> Instant {
        *self.last_ok.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The owner of a device's shard if it is alive; `None` while the shard is free or its
    /// owner silent.
    pub(crate) fn live_owner_of(&self, device: &str) -> Option<Owner> {
        let s = self.shard_of(device) as usize;
        let view = self.view();
        let o = view.shards.get(s)?.owner.clone()?;
        if o == self.me {
            return (!self.is_fenced()).then_some(o);
        }
        view.owner_alive(&o, Instant::now(), self.timing.lease)
            .then_some(o)
    }

    /// Waits until the picture changes or `limit` passes.
    pub(crate) async fn changed_or(&self, limit: Duration) {
        let _ = tokio::time::timeout(limit, self.changed.notified()).await;
    }
}
