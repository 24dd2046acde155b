//! The cluster's clock: heartbeat interval, lease, when a node fences itself, how long its
//! logout may take, and the margin a new owner waits — all derived from the lease, so that one
//! setting (`--cluster-lease`, default 6 s) keeps the safety argument true.
//!
//! The argument. Let `t_ok` be the time node A sent the last heartbeat the bucket acknowledged.
//! Any heartbeat of A that another node B can see was sent at or after `t_ok`, and B sees it
//! later still, so B's "last change seen" of A is `>= t_ok` (on B's own monotonic clock; only
//! clock *rates* matter, never wall time). B judges only from a current picture: one that holds
//! B's own last stored heartbeat (a B back from its own outage would otherwise count A's
//! heartbeats it never received as silence). Then:
//!
//! - A fences at `t_ok + fence_after`: it stops serving and logs out of every device, and if a
//!   session has not ended by `t_ok + fence_after + fence_budget` it exits, so the kernel
//!   closes the connection;
//! - B declares A dead no earlier than `t_ok + lease`, claims A's shards (compare-and-swap),
//!   and logs in no earlier than `t_ok + lease + margin`.
//!
//! With `fence_after + fence_budget + margin <= lease`, A is gone from its devices at least
//! `2 * margin` before B logs in (1 s... 2 s with the defaults). A shard released on purpose
//! (a graceful stop, a rebalance) is written free only after the logout ended, so its new owner
//! logs in at once.
//!
//! ```
//! use std::time::Duration;
//! let t = netkeep_keeper::cluster::Timing::from_lease(Duration::from_secs(6)).unwrap();
//! assert_eq!(t.heartbeat, Duration::from_secs(1));
//! assert!(t.fence_after + t.fence_budget + t.margin <= t.lease);
//! assert!(netkeep_keeper::cluster::Timing::from_lease(Duration::from_millis(10)).is_err());
//! ```

use std::time::Duration;

/// The cluster's timing, derived from the lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// How often a node writes its heartbeat (lease / 6).
    pub heartbeat: Duration,
    /// A node whose heartbeat has not changed for this long is dead; its shards move.
    pub lease: Duration,
    /// A node that could not store a heartbeat for this long fences itself (lease / 2).
    pub fence_after: Duration,
    /// Time a fencing node gives its logouts before it exits (lease / 3).
    pub fence_budget: Duration,
    /// A new owner of a dead node's shard waits this long after its claim (lease / 6).
    pub margin: Duration,
}

impl Timing {
    /// The timing for a lease (at least 300 ms: below that, scheduling noise eats the margin).
    pub fn from_lease(lease: Duration) -> Result<Timing, String> {
        if lease < Duration::from_millis(300) {
            return Err(format!(
                "cluster lease {lease:?} is too short: at least 300ms (default 6s)"
            ));
        }
        Ok(Timing {
            heartbeat: lease / 6,
            lease,
            fence_after: lease / 2,
            fence_budget: lease / 3,
            margin: lease / 6,
        })
    }

    /// How often ownership is re-examined (half a heartbeat): a dead node is noticed at most
    /// this long after its lease ran out.
    pub fn tick(&self) -> Duration {
        self.heartbeat / 2
    }

    /// The longest a device waits for a new owner after its owner was killed: the lease, the
    /// margin, one tick to notice, one to claim.
    pub fn handover_bound(&self) -> Duration {
        self.lease + self.margin + self.tick() * 2
    }
}

impl Default for Timing {
    fn default() -> Self {
        // 6 s is above the 300 ms minimum.
        Timing::from_lease(Duration::from_secs(6)).unwrap_or(Timing {
            heartbeat: Duration::from_secs(1),
            lease: Duration::from_secs(6),
            fence_after: Duration::from_secs(3),
            fence_budget: Duration::from_secs(2),
            margin: Duration::from_secs(1),
        })
    }
}
