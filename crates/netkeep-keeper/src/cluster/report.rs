//! The cluster as `GET /v1/cluster` shows it (every node with its shard count, every device
//! with its owner, gathered from the live nodes), and this node's cluster metrics.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::messages::{StatusAsk, StatusReply};
use super::serve::status_here;
use super::state::Core;
use crate::wire::{
    ClusterDevice, ClusterNode, ClusterStatus, DeviceState, DeviceStatus, NodeState,
};

/// Asks every live node for its devices (2 s each, in parallel) and merges.
pub(crate) async fn status(core: &Arc<Core>) -> ClusterStatus {
    let now = Instant::now();
    let (mut kept, per_node) = gather(core, now).await;
    let inv = core.inventory();
    let devices = inv
        .devices
        .values()
        .map(|spec| {
            let shard = core.shard_of(&spec.name);
            match kept.remove(&spec.name) {
                Some((owner, status)) => ClusterDevice {
                    owner: Some(owner),
                    shard,
                    status,
                },
                None => ClusterDevice {
                    owner: None,
                    shard,
                    status: unowned_row(spec, shard),
                },
            }
        })
        .collect();
    ClusterStatus {
        answered_by: core.me.node.clone(),
        shards: core.shards,
        nodes: nodes(core, now, &per_node),
        devices,
    }
}

/// Devices by name with the node keeping them; (devices, sessions) per node that answered.
type Gathered = (
    BTreeMap<String, (String, DeviceStatus)>,
    BTreeMap<String, (usize, usize)>,
);

/// Every live node's devices, this node's included.
async fn gather(core: &Arc<Core>, now: Instant) -> Gathered {
    let others: Vec<String> = {
        let view = core.view();
        view.live_nodes(now, core.timing.lease)
            .into_iter()
            .filter(|n| *n != core.me.node)
            .map(str::to_string)
            .collect()
    };
    let asks = others.iter().map(|n| ask_status(core, n));
    let mut replies: Vec<StatusReply> = futures::future::join_all(asks)
        .await
        .into_iter()
        .flatten()
        .collect();
    replies.push(status_here(core));
    let mut kept = BTreeMap::new();
    let mut per_node: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for r in replies {
        let e = per_node.entry(r.node.clone()).or_default();
        e.0 = r.devices.len();
        e.1 = r.devices.iter().map(|d| d.sessions).sum();
        for d in r.devices {
            kept.insert(d.device.clone(), (r.node.clone(), d));
        }
    }
    (kept, per_node)
}

/// Every node in the bucket with its state and shard count; device and session counts from
/// its answer, else from its heartbeat.
fn nodes(
    core: &Core,
    now: Instant,
    per_node: &BTreeMap<String, (usize, usize)>,
) -> Vec<ClusterNode> {
    let view = core.view();
    let counts = view.shard_counts();
    view.nodes
        .iter()
        .map(|(name, n)| {
            let age = now.duration_since(n.changed);
            let state = match &n.record {
                _ if *name == core.me.node && core.is_fenced() => NodeState::Dead,
                Some(r) if age < core.timing.lease && r.draining => NodeState::Draining,
                Some(_) if age < core.timing.lease || *name == core.me.node => NodeState::Live,
                _ => NodeState::Dead,
            };
            let (devices, sessions) = per_node.get(name).copied().unwrap_or_else(|| {
                n.record
                    .as_ref()
                    .filter(|_| state != NodeState::Dead)
                    .map_or((0, 0), |r| (r.devices, r.sessions))
            });
            ClusterNode {
                node: name.clone(),
                state,
                shards: counts.get(name.as_str()).copied().unwrap_or(0),
                devices,
                sessions,
                heartbeat_age_s: Some((age.as_secs_f64() * 10.0).round() / 10.0),
            }
        })
        .collect()
}

/// One node's status, page by page (a large node's does not fit one NATS message).
async fn ask_status(core: &Core, node: &str) -> Option<StatusReply> {
    let mut all: Option<StatusReply> = None;
    let mut from = 0;
    loop {
        let body = serde_json::to_vec(&StatusAsk { from }).ok()?;
        let req = async_nats::Request::new()
            .payload(body.into())
            .timeout(Some(Duration::from_secs(2)));
        let m = core
            .nats
            .send_request(core.subjects.node(node, "status"), req)
            .await
            .ok()?;
        let page: StatusReply = serde_json::from_slice(&m.payload).ok()?;
        let next = page.next;
        match &mut all {
            None => all = Some(page),
            Some(a) => a.devices.extend(page.devices),
        }
        match next {
            Some(n) if n > from => from = n,
            _ => return all,
        }
    }
}

/// The row of a device no live node keeps now.
fn unowned_row(spec: &crate::inventory::DeviceSpec, shard: u32) -> DeviceStatus {
    DeviceStatus {
        device: spec.name.clone(),
        state: DeviceState::Idle,
        age_s: None,
        keepalives_sent: 0,
        last_rtt_ms: None,
        reconnects: 0,
        last_error: Some(format!(
            "no live node keeps it now (shard {shard}): a handover in progress, or every node that could is down"
        )),
        sessions: 0,
        max_sessions: spec.max_sessions,
        in_use: 0,
        queued: 0,
        drops: 0,
        failures: 0,
        retry_in_s: None,
        address: format!("{}:{}", spec.hostname, spec.port),
        platform: spec.platform.clone(),
        via: match &spec.route {
            netkeep_transport::ssh::Route::Direct => None,
            r => Some(r.describe()),
        },
    }
}

/// This node's cluster metrics (Prometheus text).
pub(crate) fn metrics(core: &Core) -> String {
    let now = Instant::now();
    let (live, recorded) = {
        let view = core.view();
        let live = view.live_nodes(now, core.timing.lease).len();
        let recorded = view
            .shard_counts()
            .get(core.me.node.as_str())
            .copied()
            .unwrap_or(0);
        (live, recorded)
    };
    let c = &core.counters;
    let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    let since_ok = now.duration_since(core.last_ok()).as_secs_f64();
    #[rustfmt::skip]
    let series: [(&str, &str, &str, f64); 12] = [
        ("netkeep_cluster_shards_served", "gauge", "Shards whose devices this node keeps.", core.serving().len() as f64),
        ("netkeep_cluster_shards_owned", "gauge", "Shards recorded as this node's in the bucket.", recorded as f64),
        ("netkeep_cluster_nodes_live", "gauge", "Nodes heartbeating, as this node sees them.", live as f64),
        ("netkeep_cluster_fenced", "gauge", "1 while this node is fenced (serves nothing).", f64::from(u8::from(core.is_fenced()))),
        ("netkeep_cluster_heartbeat_age_seconds", "gauge", "Seconds since the last heartbeat the bucket acknowledged.", since_ok),
        ("netkeep_cluster_heartbeat_failures_total", "counter", "Heartbeats not stored.", load(&c.heartbeats_failed) as f64),
        ("netkeep_cluster_claims_total", "counter", "Shards claimed.", load(&c.claims) as f64),
        ("netkeep_cluster_releases_total", "counter", "Shards released to another node.", load(&c.releases) as f64),
        ("netkeep_cluster_fences_total", "counter", "Times this node fenced itself.", load(&c.fences) as f64),
        ("netkeep_cluster_forwarded_total", "counter", "Requests sent to another node.", load(&c.forwarded) as f64),
        ("netkeep_cluster_served_for_others_total", "counter", "Requests run for another node.", load(&c.served_for_others) as f64),
        ("netkeep_cluster_retried_total", "counter", "Read-only requests sent again after their owner died.", load(&c.retried) as f64),
    ];
    let mut o = String::new();
    for (name, kind, help, v) in series {
        let _ = writeln!(
            o,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name}{{node=\"{}\"}} {v}",
            core.me.node
        );
    }
    o
}
