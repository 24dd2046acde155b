//! This node's picture of the bucket, kept current by a watch: every node's last heartbeat and
//! when *this* node saw it change (its own monotonic clock: no wall clock is compared across
//! machines), every shard's owner and revision. Liveness and expiry are judged here.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::records::{NodeRecord, Owner, ShardRecord};

/// A node as last seen.
#[derive(Debug, Clone)]
pub(crate) struct NodeSeen {
    /// `None`: its key was deleted (it stopped gracefully).
    pub(crate) record: Option<NodeRecord>,
    /// The key's revision.
    pub(crate) revision: u64,
    /// When this node first saw the key's current revision.
    pub(crate) changed: Instant,
    /// When this node first saw the current incarnation.
    pub(crate) incarnation_since: Instant,
}

/// A shard as last seen.
#[derive(Debug, Clone, Default)]
pub(crate) struct ShardSeen {
    /// `None`: no record yet (revision 0), or the owner field says free.
    pub(crate) owner: Option<Owner>,
    /// The key's revision (0: never written): the compare-and-swap expects it.
    pub(crate) revision: u64,
}

/// The watched state of the bucket.
pub(crate) struct View {
    pub(crate) nodes: BTreeMap<String, NodeSeen>,
    pub(crate) shards: Vec<ShardSeen>,
    /// When watching began: a node never seen has been silent since at least then.
    pub(crate) started: Instant,
    /// The initial values have all arrived.
    pub(crate) loaded: bool,
}

impl View {
    pub(crate) fn new(shards: u32) -> View {
        View {
            nodes: BTreeMap::new(),
            shards: vec![ShardSeen::default(); shards as usize],
            started: Instant::now(),
            loaded: false,
        }
    }

    /// A node's heartbeat (or its deletion) arrived. A revision seen before (the watch
    /// re-opened after an outage delivers the current values again) changes nothing: it must not
    /// make a silent node look alive.
    pub(crate) fn node_changed(
        &mut self,
        name: &str,
        record: Option<NodeRecord>,
        revision: u64,
        now: Instant,
    ) {
        let inc = record.as_ref().map(|r| r.incarnation);
        match self.nodes.get_mut(name) {
            Some(n) if revision <= n.revision => {}
            Some(n) => {
                if inc.is_some() && n.record.as_ref().map(|r| r.incarnation) != inc {
                    n.incarnation_since = now;
                }
                n.record = record;
                n.revision = revision;
                n.changed = now;
            }
            None => {
                self.nodes.insert(
                    name.to_string(),
                    NodeSeen {
                        record,
                        revision,
                        changed: now,
                        incarnation_since: now,
                    },
                );
            }
        }
    }

    /// A shard record arrived (`None` with a revision: deleted or purged).
    pub(crate) fn shard_changed(&mut self, shard: u32, record: Option<ShardRecord>, revision: u64) {
        if let Some(s) = self.shards.get_mut(shard as usize) {
            // Our own write may be noted before the watch delivers it: never go back.
            if revision >= s.revision {
                s.owner = record.and_then(|r| r.owner);
                s.revision = revision;
            }
        }
    }

    /// The picture holds `me`'s heartbeat of revision `stored` (or a later one). The watch
    /// delivers the bucket's changes in order, so every change stored before it is in too:
    /// only then does a node's silence here mean silence in the bucket. A node whose NATS
    /// connection was down saw nobody's heartbeats meanwhile; back, its own heartbeat is stored
    /// before the watch has delivered the others'.
    pub(crate) fn caught_up(&self, me: &str, stored: u64) -> bool {
        self.nodes.get(me).is_some_and(|n| n.revision >= stored)
    }

    /// Nodes heartbeating within the lease and not stopping, by name.
    pub(crate) fn live_nodes(&self, now: Instant, lease: Duration) -> Vec<&str> {
        self.nodes
            .iter()
            .filter(|(_, n)| {
                n.record.as_ref().is_some_and(|r| !r.draining)
                    && now.duration_since(n.changed) < lease
            })
            .map(|(k, _)| k.as_str())
            .collect()
    }

    /// The owner heartbeats within the lease (draining counts: it still serves until it
    /// releases).
    pub(crate) fn owner_alive(&self, o: &Owner, now: Instant, lease: Duration) -> bool {
        self.nodes.get(&o.node).is_some_and(|n| {
            n.record.as_ref().map(|r| r.incarnation) == Some(o.incarnation)
                && now.duration_since(n.changed) < lease
        })
    }

    /// Since when the owner has certainly been silent, on this node's clock: never earlier than
    /// its last stored heartbeat (see `timing.rs` for why that is what the lease is measured
    /// from).
    pub(crate) fn silent_since(&self, o: &Owner) -> Instant {
        match self.nodes.get(&o.node) {
            None => self.started,
            Some(n) => match &n.record {
                Some(r) if r.incarnation != o.incarnation => n.incarnation_since,
                _ => n.changed,
            },
        }
    }

    /// The owner has been silent for the lease: its shard may be claimed.
    pub(crate) fn owner_expired(&self, o: &Owner, now: Instant, lease: Duration) -> bool {
        now.duration_since(self.silent_since(o)) >= lease
    }

    /// Shards recorded for each node name.
    pub(crate) fn shard_counts(&self) -> BTreeMap<&str, usize> {
        let mut m = BTreeMap::new();
        for s in &self.shards {
            if let Some(o) = &s.owner {
                *m.entry(o.node.as_str()).or_insert(0) += 1;
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(inc: u64) -> Option<NodeRecord> {
        Some(NodeRecord {
            node: "a".into(),
            incarnation: inc,
            draining: false,
            shards: 0,
            devices: 0,
            sessions: 0,
            inventory: String::new(),
        })
    }

    #[test]
    fn liveness_is_measured_from_when_this_node_saw_a_change() {
        let t0 = Instant::now();
        let lease = Duration::from_secs(6);
        let mut v = View::new(4);
        v.node_changed("a", rec(1), 1, t0);
        let a1 = Owner {
            node: "a".into(),
            incarnation: 1,
        };
        assert_eq!(v.live_nodes(t0 + Duration::from_secs(5), lease), ["a"]);
        assert!(v.live_nodes(t0 + lease, lease).is_empty());
        assert!(!v.owner_expired(&a1, t0 + Duration::from_secs(5), lease));
        assert!(v.owner_expired(&a1, t0 + lease, lease));
        // A new incarnation: the old one is silent since the new one was first seen.
        let t1 = t0 + Duration::from_secs(2);
        v.node_changed("a", rec(2), 3, t1);
        assert!(!v.owner_expired(&a1, t1 + Duration::from_secs(5), lease));
        assert!(v.owner_expired(&a1, t1 + lease, lease));
        assert!(!v.owner_alive(&a1, t1, lease));
        // The same revision again (a re-opened watch) does not refresh it.
        v.node_changed("a", rec(2), 3, t1 + Duration::from_secs(5));
        assert!(v.owner_expired(&a1, t1 + lease, lease));
        // Never seen: silent since watching began.
        let z = Owner {
            node: "z".into(),
            incarnation: 9,
        };
        assert!(!v.owner_expired(&z, v.started + Duration::from_secs(5), lease));
        assert!(v.owner_expired(&z, v.started + lease, lease));
    }

    #[test]
    fn the_picture_is_current_only_once_it_holds_our_own_last_stored_heartbeat() {
        let t0 = Instant::now();
        let mut v = View::new(4);
        assert!(!v.caught_up("a", 1), "our first heartbeat not seen yet");
        v.node_changed("a", rec(1), 5, t0);
        assert!(v.caught_up("a", 5));
        // Back from an outage: heartbeat 9 stored, the watch still delivering older changes.
        v.node_changed("b", rec(1), 7, t0);
        assert!(!v.caught_up("a", 9));
        v.node_changed("a", rec(1), 9, t0);
        assert!(v.caught_up("a", 9));
    }
}
