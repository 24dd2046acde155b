//! Which shards this node serves, and changing that safely:
//!
//! - **reconcile** (every tick and on every change of the picture, once the picture holds this
//!   node's own last stored heartbeat — else the others' silence may be this node's own outage,
//!   and a node back from a partition would take live nodes' shards): for each shard, the live
//!   node that should own it (rendezvous); claim a free shard that should be ours, claim a
//!   dead node's shard that should be ours (then wait the margin before logging in), release a
//!   shard that should be another live node's;
//! - **claim**: a compare-and-swap from the revision seen; only then do the shard's devices
//!   enter the pool and its gate open;
//! - **release**: close the gate, let the requests inside finish, log out of the devices (until
//!   each device has closed the connection, whichever pool change let it go), and only then
//!   write the shard free (compare-and-swap), so the next owner logs in at once;
//! - **fence**: stop serving everything and log out within the fence budget, or exit;
//! - **leave**: release everything at once, then remove the heartbeat.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::records::{shard_key, with_timeout, ShardRecord};
use super::shard::owner_of;
use super::state::Core;
use crate::inventory::Inventory;
use crate::pool::Letting;

/// Requests inside a shard being rebalanced away may run this long (a command's read timeout
/// is at most an hour); a stop cuts them after its own grace instead.
const REBALANCE_GRACE: Duration = Duration::from_secs(3600);

/// Starts the reconcile loop.
pub(crate) fn spawn(core: &Arc<Core>) {
    let c = core.clone();
    tokio::spawn(async move {
        loop {
            reconcile(&c);
            tokio::select! {
                _ = c.stop.cancelled() => break,
                _ = c.changed_or(c.timing.tick()) => {}
            }
        }
    });
}

enum Step {
    Claim {
        shard: u32,
        revision: u64,
        wait: bool,
    },
    Release(u32),
}

/// Decides what to claim and release now, and starts each as its own task.
fn reconcile(core: &Arc<Core>) {
    if core.is_fenced() || core.is_draining() {
        return;
    }
    let now = Instant::now();
    let me = core.me.node.as_str();
    let stored = *core.heartbeat_rev.lock().unwrap_or_else(|p| p.into_inner());
    let view = core.view();
    if !view.loaded || !view.caught_up(me, stored) {
        return;
    }
    let mut live = view.live_nodes(now, core.timing.lease);
    if !live.contains(&me) {
        live.push(me);
    }
    let mut steps = Vec::new();
    {
        let mut busy = core.busy();
        let serving = core.serving();
        for (s, sh) in view.shards.iter().enumerate() {
            let s = s as u32;
            if busy.contains(&s) {
                continue;
            }
            let desired = owner_of(live.iter().copied(), s);
            let want = desired == Some(me);
            let step = match &sh.owner {
                Some(o) if *o == core.me => match (serving.contains(&s), want) {
                    (true, false) => Some(Step::Release(s)),
                    // Recorded ours but not served (after a fence): take it up again, or
                    // write it free for the node that should have it.
                    (false, true) => Some(Step::Claim {
                        shard: s,
                        revision: sh.revision,
                        wait: false,
                    }),
                    (false, false) => Some(Step::Release(s)),
                    (true, true) => None,
                },
                Some(o) => {
                    (want && view.owner_expired(o, now, core.timing.lease)).then_some(Step::Claim {
                        shard: s,
                        revision: sh.revision,
                        wait: true,
                    })
                }
                None => want.then_some(Step::Claim {
                    shard: s,
                    revision: sh.revision,
                    wait: false,
                }),
            };
            if let Some(st) = step {
                busy.insert(s);
                steps.push(st);
            }
        }
    }
    drop(view);
    for st in steps {
        start(core, st);
    }
}

/// Runs one claim or release as its own task; the shard is no longer busy when it ends.
fn start(core: &Arc<Core>, st: Step) {
    let c = core.clone();
    tokio::spawn(async move {
        let s = match st {
            Step::Claim {
                shard,
                revision,
                wait,
            } => {
                claim(&c, shard, revision, wait).await;
                shard
            }
            Step::Release(s) => {
                release(&c, s, REBALANCE_GRACE).await;
                s
            }
        };
        c.busy().remove(&s);
        c.changed.notify_waiters();
    });
}

/// Claims a shard by compare-and-swap from `revision`; on success, waits the margin when it
/// was a dead node's, then serves it.
async fn claim(core: &Arc<Core>, s: u32, revision: u64, wait: bool) {
    let rec = ShardRecord {
        owner: Some(core.me.clone()),
    };
    let value: axum::body::Bytes = serde_json::to_vec(&rec).unwrap_or_default().into();
    let key = shard_key(s);
    let r = if revision == 0 {
        with_timeout(core.kv.create(&key, value))
            .await
            .map(|r| r.map_err(|e| e.to_string()))
    } else {
        with_timeout(core.kv.update(&key, value, revision))
            .await
            .map(|r| r.map_err(|e| e.to_string()))
    };
    let new_rev = match r {
        Ok(Ok(rev)) => rev,
        Ok(Err(e)) => return tracing::debug!(shard = s, "cluster: claim lost: {e}"),
        Err(e) => return tracing::debug!(shard = s, "cluster: claim not stored: {e}"),
    };
    core.view_mut().shard_changed(s, Some(rec), new_rev);
    core.counters.claims.fetch_add(1, Ordering::Relaxed);
    if wait {
        tracing::info!(node = %core.me.node, shard = s, "cluster: claimed a shard of a silent node; logging in after the margin ({:?})", core.timing.margin);
        tokio::time::sleep(core.timing.margin).await;
    }
    {
        let mut serving = core.serving();
        if core.is_fenced() || core.is_draining() {
            return;
        }
        serving.insert(s);
    }
    apply(core, false).await;
    let serving = core.serving();
    if !core.is_fenced() && serving.contains(&s) {
        core.gates[s as usize].open();
        tracing::debug!(node = %core.me.node, shard = s, took_over = wait, "cluster: serving shard");
    }
}

/// Releases a shard: gate closed, requests inside finished (or cut after `grace`), devices
/// logged out of, then the record written free.
async fn release(core: &Arc<Core>, s: u32, grace: Duration) {
    let served = core.serving().contains(&s);
    if served {
        let drained = core.gates[s as usize].close_and_drain(grace).await;
        core.serving().remove(&s);
        apply(core, !drained).await;
        let limit = core.pool.state.opts.disconnect_timeout + Duration::from_secs(1);
        let left = leaving_in(core, Some(s)).wait(limit).await;
        if left > 0 {
            tracing::warn!(node = %core.me.node, shard = s, "cluster: {left} sessions still logging out after {limit:?}; releasing the shard anyway");
        }
    }
    if core.is_fenced() {
        return;
    }
    let revision = {
        let view = core.view();
        match view.shards.get(s as usize) {
            Some(sh) if sh.owner.as_ref() == Some(&core.me) => sh.revision,
            _ => return,
        }
    };
    let rec = ShardRecord { owner: None };
    let value: axum::body::Bytes = serde_json::to_vec(&rec).unwrap_or_default().into();
    match with_timeout(core.kv.update(shard_key(s), value, revision)).await {
        Ok(Ok(rev)) => {
            core.view_mut().shard_changed(s, Some(rec), rev);
            core.counters.releases.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(node = %core.me.node, shard = s, "cluster: shard released");
        }
        Ok(Err(e)) => tracing::warn!(shard = s, "cluster: release not stored: {e}"),
        Err(e) => tracing::warn!(shard = s, "cluster: release not stored: {e}"),
    }
}

/// The part of the inventory in `shards`.
fn share(core: &Core, inv: &Inventory, shards: &BTreeSet<u32>) -> Inventory {
    let mut mine = inv.clone();
    mine.devices
        .retain(|name, _| shards.contains(&core.shard_of(name)));
    for members in mine.groups.values_mut() {
        members.retain(|n| mine.devices.contains_key(n));
    }
    mine.warnings.clear();
    mine
}

/// Gives the pool the devices of the shards served now; what it lets go of joins
/// `core.leaving`. Which shards it drops is read when it runs: two releases under way may both
/// be dropped by the first change to run, so a release waits on [`leaving_in`] its shard, never
/// on what its own change happened to let go of.
pub(crate) async fn apply(core: &Arc<Core>, cut: bool) {
    let _one = core.apply_lock.lock().await;
    let serving = core.serving().clone();
    let mine = share(core, &core.inventory(), &serving);
    let letting = core.pool.keep(mine, cut).await.1;
    core.leaving().absorb(letting);
}

/// The devices of shard `s` (of every shard with `None`) let go of and not yet logged out of.
fn leaving_in(core: &Core, s: Option<u32>) -> Letting {
    core.leaving()
        .only(|name| s.is_none_or(|s| core.shard_of(name) == s))
}

/// Stops serving everything at once and logs out of every device within the fence budget;
/// exits the process if a session is still open then (the kernel closes its connection).
pub(crate) async fn fence(core: &Arc<Core>, why: &str) {
    let started = Instant::now();
    {
        let mut serving = core.serving();
        if core.fenced.swap(true, Ordering::SeqCst) {
            return;
        }
        serving.clear();
        for g in &core.gates {
            g.close();
        }
    }
    core.counters.fences.fetch_add(1, Ordering::Relaxed);
    let devices = core.pool.device_count();
    tracing::error!(node = %core.me.node, "cluster: fencing: {why}: stopped serving; logging out of {devices} devices within {:?}, before the lease ({:?}) can run out on the other nodes", core.timing.fence_budget, core.timing.lease);
    let _one = core.apply_lock.lock().await;
    let nothing = share(core, &core.inventory(), &BTreeSet::new());
    let (_, letting) = core.pool.keep(nothing, true).await;
    core.leaving().absorb(letting);
    let budget = core.timing.fence_budget.saturating_sub(started.elapsed());
    let left = leaving_in(core, None).wait(budget).await;
    if left > 0 {
        tracing::error!(node = %core.me.node, "cluster: fencing: {left} sessions still open after {:?}: exiting so that the kernel closes them", core.timing.fence_budget);
        std::process::exit(75);
    }
    tracing::warn!(node = %core.me.node, logged_out = devices, ms = started.elapsed().as_millis() as u64, "cluster: fenced: logged out of every device; serving again once a heartbeat is stored");
}

/// A heartbeat was stored again: serve again (reconcile takes the shards still recorded ours
/// back up; any the others claimed meanwhile are theirs).
pub(crate) fn unfence(core: &Arc<Core>) {
    let _serving = core.serving();
    if core.fenced.swap(false, Ordering::SeqCst) {
        tracing::warn!(node = %core.me.node, "cluster: heartbeat stored again: no longer fenced");
        core.changed.notify_waiters();
    }
}

/// Hands every shard over at once: draining (the others stop counting this node), each shard
/// released (requests inside get `grace`), then the heartbeat removed.
pub(crate) async fn leave(core: &Arc<Core>, grace: Duration) {
    let t0 = Instant::now();
    core.draining.store(true, Ordering::SeqCst);
    super::heartbeat::beat_now(core).await;
    // Claims and releases under way finish first (bounded: each is a few bucket writes).
    let until = Instant::now() + Duration::from_secs(10);
    while !core.busy().is_empty() && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mine: Vec<u32> = {
        let view = core.view();
        (0..core.shards)
            .filter(|s| view.shards[*s as usize].owner.as_ref() == Some(&core.me))
            .collect()
    };
    let n = mine.len();
    futures::future::join_all(mine.into_iter().map(|s| release(core, s, grace))).await;
    core.stop.cancel();
    let _ = with_timeout(core.kv.delete(super::records::node_key(&core.me.node))).await;
    tracing::info!(node = %core.me.node, shards = n, ms = t0.elapsed().as_millis() as u64, "cluster: left: every shard handed over");
}
