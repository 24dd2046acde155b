//! Answering the other nodes: work for the shards this node serves (each device's gate decides:
//! inside, it runs in the pool; closed, "not the owner" and nothing runs), this node's status,
//! and reload notices (re-read the inventory file, as SIGHUP does).

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use super::messages::{ConfigMsg, ExecMsg, ExecReply, Outcome, ReloadMsg, StatusAsk, StatusReply};
use super::state::Core;
use super::ClusterError;
use crate::connector::ConfigRequest;
use crate::inventory::Inventory;
use crate::pool::ExecRequest;
use crate::wire::ReloadReport;

/// Subscribes to this node's subjects and to reload notices.
pub(crate) async fn spawn(core: &Arc<Core>) -> Result<(), ClusterError> {
    let sub_err = |e: async_nats::SubscribeError| ClusterError::Nats(format!("subscribe: {e}"));
    let mut work = core
        .nats
        .subscribe(core.subjects.node(&core.me.node, "*"))
        .await
        .map_err(sub_err)?;
    let mut reloads = core
        .nats
        .subscribe(core.subjects.reload())
        .await
        .map_err(sub_err)?;
    let c = core.clone();
    tokio::spawn(async move {
        loop {
            let msg = tokio::select! {
                m = work.next() => m,
                _ = c.stop.cancelled() => break,
            };
            let Some(msg) = msg else { break };
            let c = c.clone();
            tokio::spawn(async move { answer(&c, msg).await });
        }
    });
    let c = core.clone();
    tokio::spawn(async move {
        loop {
            let msg = tokio::select! {
                m = reloads.next() => m,
                _ = c.stop.cancelled() => break,
            };
            let Some(msg) = msg else { break };
            let from = serde_json::from_slice::<ReloadMsg>(&msg.payload).map(|m| m.from);
            if from.as_deref().is_ok_and(|f| f != c.me.node) {
                reload_here(&c, from.unwrap_or_default()).await;
            }
        }
    });
    Ok(())
}

async fn answer(core: &Arc<Core>, msg: async_nats::Message) {
    let Some(reply) = msg.reply.clone() else {
        return;
    };
    let what = msg
        .subject
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_string();
    let body = match what.as_str() {
        "exec" => match serde_json::from_slice::<ExecMsg>(&msg.payload) {
            Ok(m) => {
                tracing::debug!(node = %core.me.node, from = %m.from, request_id = %m.request_id, user = %m.user, devices = m.devices.len(), "cluster: running forwarded commands");
                core.counters
                    .served_for_others
                    .fetch_add(1, Ordering::Relaxed);
                let t0 = std::time::Instant::now();
                let outcomes =
                    run_here(core, &m.devices, &m.request(), &CancellationToken::new()).await;
                let body = serde_json::to_vec(&ExecReply { outcomes });
                match body {
                    Ok(b) if !fits(core, b.len()) => {
                        let outcomes = m
                            .devices
                            .iter()
                            .map(|d| Outcome::Done {
                                result: too_large(d, b.len(), core, t0),
                            })
                            .collect();
                        serde_json::to_vec(&ExecReply { outcomes })
                    }
                    other => other,
                }
            }
            Err(e) => serde_json::to_vec(&format!("bad exec message: {e}")),
        },
        "config" => match serde_json::from_slice::<ConfigMsg>(&msg.payload) {
            Ok(m) => {
                tracing::debug!(node = %core.me.node, from = %m.from, request_id = %m.request_id, user = %m.user, device = %m.device, "cluster: running a forwarded configuration set");
                core.counters
                    .served_for_others
                    .fetch_add(1, Ordering::Relaxed);
                let t0 = std::time::Instant::now();
                let o =
                    configure_here(core, &m.device, &m.request(), &CancellationToken::new()).await;
                match serde_json::to_vec(&o) {
                    Ok(b) if !fits(core, b.len()) => serde_json::to_vec(&Outcome::Done {
                        result: too_large(&m.device, b.len(), core, t0),
                    }),
                    other => other,
                }
            }
            Err(e) => serde_json::to_vec(&format!("bad config message: {e}")),
        },
        "status" => {
            let ask: StatusAsk = serde_json::from_slice(&msg.payload).unwrap_or_default();
            serde_json::to_vec(&status_page(core, ask.from))
        }
        other => serde_json::to_vec(&format!("unknown request `{other}`")),
    };
    let body = body.unwrap_or_default();
    if let Err(e) = core.nats.publish(reply, body.into()).await {
        tracing::warn!("cluster: answer to another node not sent: {e}");
    }
}

/// Runs commands on the devices whose shard's gate lets them in; the others are "not the
/// owner". Outcomes in the order given.
pub(crate) async fn run_here(
    core: &Arc<Core>,
    devices: &[String],
    req: &ExecRequest,
    cancel: &CancellationToken,
) -> Vec<Outcome> {
    let mut passes = Vec::new();
    let mut mine = Vec::new();
    for d in devices {
        if let Some(p) = core.gates[core.shard_of(d) as usize].enter() {
            passes.push(p);
            mine.push(d.clone());
        }
    }
    let results = match mine.len() {
        0 => Vec::new(),
        1 => vec![core.pool.exec_one_until(&mine[0], req, cancel).await],
        _ => core.pool.exec_many_until(&mine, req, cancel).await,
    };
    drop(passes);
    let mut by_name: BTreeMap<String, crate::wire::DeviceResult> =
        results.into_iter().map(|r| (r.device.clone(), r)).collect();
    devices
        .iter()
        .map(|d| match by_name.remove(d) {
            Some(result) => Outcome::Done { result },
            None => Outcome::NotOwner { device: d.clone() },
        })
        .collect()
}

/// Runs a configuration set if the device's gate lets it in.
pub(crate) async fn configure_here(
    core: &Arc<Core>,
    device: &str,
    req: &ConfigRequest,
    cancel: &CancellationToken,
) -> Outcome {
    let Some(_pass) = core.gates[core.shard_of(device) as usize].enter() else {
        return Outcome::NotOwner {
            device: device.to_string(),
        };
    };
    Outcome::Done {
        result: core.pool.configure_until(device, req, cancel).await,
    }
}

/// This node's devices and the shards it serves.
pub(crate) fn status_here(core: &Core) -> StatusReply {
    StatusReply {
        node: core.me.node.clone(),
        shards: core.serving().iter().copied().collect(),
        devices: core.pool.status(),
        next: None,
    }
}

/// The largest answer the NATS server carries (its `max_payload`), less room for headers.
pub(crate) fn payload_limit(core: &Core) -> usize {
    let max = core.nats.server_info().max_payload;
    let max = if max == 0 { 1 << 20 } else { max };
    max.saturating_sub(4096)
}

fn fits(core: &Core, len: usize) -> bool {
    len <= payload_limit(core)
}

/// This node's status from device `from` on, as much as fits half a NATS message.
fn status_page(core: &Core, from: usize) -> StatusReply {
    let mut all = status_here(core);
    let budget = payload_limit(core) / 2;
    let (mut used, mut end) = (0, from.min(all.devices.len()));
    while end < all.devices.len() {
        let n = serde_json::to_vec(&all.devices[end]).map_or(0, |v| v.len()) + 1;
        if used + n > budget && end > from {
            break;
        }
        used += n;
        end += 1;
    }
    all.next = (end < all.devices.len()).then_some(end);
    all.devices = all.devices.drain(from.min(end)..end).collect();
    all
}

/// A device whose answer ran but cannot travel back: larger than the NATS server's limit.
fn too_large(
    device: &str,
    len: usize,
    core: &Core,
    t0: std::time::Instant,
) -> crate::wire::DeviceResult {
    crate::pool::device_failed(
        device,
        crate::connector::ErrorKind::Other,
        format!("{device}: ran on node `{}`, but the answer ({len} bytes) exceeds NATS max_payload; ask fewer devices at a time or that node's socket", core.me.node),
        t0,
    )
}

/// What changed between two inventories (by device name and settings).
fn diff(old: &Inventory, new: &Inventory) -> ReloadReport {
    let mut r = ReloadReport::default();
    for (name, spec) in &new.devices {
        match old.devices.get(name) {
            None => r.added.push(name.clone()),
            Some(s) if s != spec => r.changed.push(name.clone()),
            Some(_) => r.unchanged += 1,
        }
    }
    r.removed = old
        .devices
        .keys()
        .filter(|n| !new.devices.contains_key(*n))
        .cloned()
        .collect();
    r
}

/// Applies a new inventory to this node (the fleet's report, not only this node's share).
async fn apply_inventory(core: &Arc<Core>, inv: Inventory) -> ReloadReport {
    let report = diff(&core.inventory(), &inv);
    core.set_inventory(inv);
    super::ownership::apply(core, false).await;
    report
}

/// A reload received by this node (API or SIGHUP): applied here, then every other node is
/// asked to re-read its own inventory file.
pub(crate) async fn reload_everywhere(core: &Arc<Core>, inv: Inventory) -> ReloadReport {
    let report = apply_inventory(core, inv).await;
    let msg = serde_json::to_vec(&ReloadMsg {
        from: core.me.node.clone(),
    })
    .unwrap_or_default();
    if let Err(e) = core.nats.publish(core.subjects.reload(), msg.into()).await {
        tracing::error!("cluster: the other nodes were not asked to reload: {e}");
    }
    report
}

/// Another node asked: re-read this node's inventory file.
async fn reload_here(core: &Arc<Core>, from: String) {
    let (path, load) = core.source.clone();
    let inv = tokio::task::spawn_blocking(move || Inventory::load_with(&path, &load)).await;
    match inv {
        Ok(Ok(inv)) => {
            let r = apply_inventory(core, inv).await;
            tracing::info!(
                "cluster: inventory reloaded (asked by node {from}): {} added, {} removed, {} changed, {} unchanged",
                r.added.len(),
                r.removed.len(),
                r.changed.len(),
                r.unchanged
            );
        }
        Ok(Err(e)) => tracing::error!(
            "cluster: inventory not reloaded (asked by node {from}), keeping the previous one: {e}"
        ),
        Err(e) => tracing::error!("cluster: inventory not reloaded: {e}"),
    }
}
