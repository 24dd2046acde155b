//! Membership: taking the node's name at start (a name still heartbeating elsewhere is refused),
//! a heartbeat every `timing.heartbeat` (compare-and-swap on the node's own key, so a second
//! process under the same name is found out), and the watchdog that fences the node once no
//! heartbeat has been stored for `timing.fence_after` (see `timing.rs`).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::kv::{Operation, UpdateErrorKind};

use super::records::{node_key, with_timeout, NodeRecord};
use super::state::Core;
use super::ClusterError;

/// This node's heartbeat as it is now.
fn record(core: &Core) -> NodeRecord {
    let inv = core.inventory();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for name in inv.devices.keys() {
        for b in name.bytes().chain(std::iter::once(0)) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    let sessions = core.pool.status().iter().map(|d| d.sessions).sum();
    NodeRecord {
        node: core.me.node.clone(),
        incarnation: core.me.incarnation,
        draining: core.is_draining(),
        shards: core.serving().len(),
        devices: core.pool.device_count(),
        sessions,
        inventory: format!("{h:016x}"),
    }
}

fn bytes(core: &Core) -> axum::body::Bytes {
    serde_json::to_vec(&record(core)).unwrap_or_default().into()
}

/// Takes the node's name: when the key holds a heartbeat (a previous run that did not stop
/// cleanly, or another live process), waits one lease for it to change — it changing means the
/// name is in use — then writes the first heartbeat.
pub(crate) async fn take_name(core: &Arc<Core>) -> Result<(), ClusterError> {
    let key = node_key(&core.me.node);
    let nats_err = |e: String| ClusterError::Nats(format!("node key `{key}`: {e}"));
    let mut rev = 0;
    let entry = with_timeout(core.kv.entry(key.clone()))
        .await?
        .map_err(|e| nats_err(e.to_string()))?;
    if let Some(e) = entry {
        rev = e.revision;
        if e.operation == Operation::Put {
            tracing::info!(
                node = %core.me.node,
                "the node name has a heartbeat from an earlier run; waiting {:?} (the lease) to be sure no other process uses it",
                core.timing.lease
            );
            let until = Instant::now() + core.timing.lease;
            while Instant::now() < until {
                tokio::time::sleep(core.timing.heartbeat).await;
                let now = with_timeout(core.kv.entry(key.clone()))
                    .await?
                    .map_err(|e| nats_err(e.to_string()))?;
                if now.as_ref().map(|e| e.revision) != Some(rev) {
                    return Err(ClusterError::Config(format!(
                        "node name `{}` is in use: another process is heartbeating under it; give each node its own --node",
                        core.me.node
                    )));
                }
            }
        }
    }
    let sent = Instant::now();
    let r = if rev == 0 {
        with_timeout(core.kv.create(key.clone(), bytes(core)))
            .await?
            .map_err(|e| nats_err(e.to_string()))
    } else {
        with_timeout(core.kv.update(key.clone(), bytes(core), rev))
            .await?
            .map_err(|e| nats_err(e.to_string()))
    }?;
    *core.heartbeat_rev.lock().unwrap_or_else(|p| p.into_inner()) = r;
    *core.last_ok.lock().unwrap_or_else(|p| p.into_inner()) = sent;
    Ok(())
}

/// Starts the heartbeat and the fencing watchdog.
pub(crate) fn spawn(core: &Arc<Core>) {
    let c = core.clone();
    tokio::spawn(async move {
        let mut iv = tokio::time::interval(c.timing.heartbeat);
        iv.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = c.stop.cancelled() => break,
                _ = iv.tick() => beat(&c).await,
            }
        }
    });
    let c = core.clone();
    tokio::spawn(async move { watchdog(&c).await });
}

/// One heartbeat. Its acknowledgement may take up to `fence_after` (a loaded machine or
/// server): it still counts from when it was sent, and the watchdog fences at the same bound
/// whatever this one is doing.
async fn beat(core: &Arc<Core>) {
    let key = node_key(&core.me.node);
    let rev = *core.heartbeat_rev.lock().unwrap_or_else(|p| p.into_inner());
    let sent = Instant::now();
    let limit = core.timing.fence_after;
    let r = tokio::time::timeout(limit, core.kv.update(&key, bytes(core), rev)).await;
    match r {
        Ok(Ok(new)) => {
            *core.heartbeat_rev.lock().unwrap_or_else(|p| p.into_inner()) = new;
            let mut ok = core.last_ok.lock().unwrap_or_else(|p| p.into_inner());
            *ok = (*ok).max(sent);
            drop(ok);
            if core.is_fenced() {
                super::ownership::unfence(core);
            }
        }
        Ok(Err(e)) if e.kind() == UpdateErrorKind::WrongLastRevision => {
            name_clash(core, &key).await;
        }
        Ok(Err(e)) => failed(core, &e.to_string()),
        Err(_) => failed(core, &format!("no acknowledgement within {limit:?}")),
    }
}

fn failed(core: &Core, why: &str) {
    let n = core
        .counters
        .heartbeats_failed
        .fetch_add(1, Ordering::Relaxed);
    let since = core.last_ok().elapsed();
    if n == 0 || since < core.timing.heartbeat * 2 {
        tracing::warn!(node = %core.me.node, "cluster: heartbeat not stored ({why}); {:.1} s since the last one (fencing at {:.1} s)", since.as_secs_f64(), core.timing.fence_after.as_secs_f64());
    } else {
        tracing::debug!(node = %core.me.node, "cluster: heartbeat not stored ({why})");
    }
}

/// Our key moved under us: our own earlier heartbeat stored after its acknowledgement was lost
/// (take its revision), or another process heartbeating under our name (stop).
async fn name_clash(core: &Arc<Core>, key: &str) {
    let entry = with_timeout(core.kv.entry(key.to_string())).await;
    let Ok(Ok(Some(e))) = entry else {
        return failed(core, "our heartbeat key changed and cannot be read");
    };
    let theirs: Option<NodeRecord> = serde_json::from_slice(&e.value).ok();
    if theirs.as_ref().map(|r| r.incarnation) == Some(core.me.incarnation) {
        *core.heartbeat_rev.lock().unwrap_or_else(|p| p.into_inner()) = e.revision;
        return;
    }
    if e.operation != Operation::Put && core.is_draining() {
        return;
    }
    tracing::error!(node = %core.me.node, "cluster: another process heartbeats under this node's name; fencing and stopping (give each node its own --node)");
    super::ownership::fence(core, "another process uses this node's name").await;
    core.fatal.cancel();
}

/// Fences the node once no heartbeat has been stored for `fence_after`.
async fn watchdog(core: &Arc<Core>) {
    let tick = core.timing.tick().min(Duration::from_millis(100));
    loop {
        if core.stop.is_cancelled() {
            return;
        }
        let deadline = core.last_ok() + core.timing.fence_after;
        let now = Instant::now();
        if now >= deadline && !core.is_fenced() {
            let why = format!(
                "no heartbeat stored for {:.1} s (NATS unreachable?)",
                now.duration_since(core.last_ok()).as_secs_f64()
            );
            super::ownership::fence(core, &why).await;
            continue;
        }
        let wait = if now >= deadline {
            tick
        } else {
            (deadline - now).min(tick)
        };
        tokio::select! {
            _ = core.stop.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// A heartbeat now (a draining node tells the others at once).
pub(crate) async fn beat_now(core: &Arc<Core>) {
    beat(core).await
}
