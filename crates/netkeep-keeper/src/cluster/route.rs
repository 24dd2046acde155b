//! Sending device work to the owners of the devices' shards, from the node that received the
//! request: devices grouped by owner (this node runs its own), one message per owner, answers
//! merged in request order. What happens when it goes wrong:
//!
//! - "not the owner" (a shard moving, or a new owner still waiting its margin), or nobody
//!   subscribed: nothing ran, so the device is sent again once the picture changes;
//! - the owner stops answering and its heartbeat runs out while the request is in flight: the
//!   command may have run. A request whose commands are all read-only (`command::is_read_only`,
//!   the rule of the pool's own retry) is sent again to the new owner; anything else — a
//!   configuration set, any other command — fails with an error saying it may have run;
//! - no live owner within twice the handover bound: the device fails with that.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::messages::{ConfigMsg, ExecMsg, ExecReply, Outcome};
use super::records::Owner;
use super::serve::{configure_here, run_here};
use super::state::Core;
use crate::command::is_read_only;
use crate::connector::{ConfigRequest, ErrorKind};
use crate::dispatch::Origin;
use crate::pool::{device_failed, ExecRequest};
use crate::wire::DeviceResult;

/// What came back for one device from one attempt.
enum Answer {
    Done(DeviceResult),
    /// Nothing ran there: try again where the picture points.
    Again,
    /// The owner died with the request in flight: it may have run.
    Gone(String),
}

/// How long a device may wait for a live owner.
fn patience(core: &Core) -> Duration {
    core.timing.handover_bound() * 2
}

/// Runs commands on `devices` wherever they are kept.
pub(crate) async fn exec(
    core: &Arc<Core>,
    devices: Vec<String>,
    req: ExecRequest,
    origin: Origin,
    cancel: CancellationToken,
) -> Vec<DeviceResult> {
    let t0 = Instant::now();
    let read_only = req.commands.iter().all(|c| is_read_only(&c.command));
    let mut done: HashMap<String, DeviceResult> = HashMap::new();
    let mut pending = devices.clone();
    pending.dedup();
    while !pending.is_empty() {
        let mut groups: BTreeMap<String, (Owner, Vec<String>)> = BTreeMap::new();
        let mut waiting = Vec::new();
        for d in pending.drain(..) {
            match core.live_owner_of(&d) {
                Some(o) => groups
                    .entry(o.node.clone())
                    .or_insert((o, Vec::new()))
                    .1
                    .push(d),
                None => waiting.push(d),
            }
        }
        let sends = groups
            .into_values()
            .map(|(o, devs)| send_exec(core, o, devs, &req, &origin, &cancel));
        for (d, a) in futures::future::join_all(sends).await.into_iter().flatten() {
            match a {
                Answer::Done(r) => {
                    done.insert(d, r);
                }
                Answer::Again => waiting.push(d),
                Answer::Gone(node) if read_only => {
                    core.counters.retried.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(device = %d, owner = %node, "cluster: the owner died during a read-only request; sending it to the new owner");
                    waiting.push(d);
                }
                Answer::Gone(node) => {
                    done.insert(d.clone(), gone(&d, &node, t0));
                }
            }
        }
        if waiting.is_empty() {
            break;
        }
        if cancel.is_cancelled() || t0.elapsed() >= patience(core) {
            for d in waiting {
                let r = unowned(core, &d, t0, cancel.is_cancelled());
                done.insert(d, r);
            }
            break;
        }
        core.changed_or(core.timing.tick()).await;
        pending = waiting;
    }
    devices
        .iter()
        .map(|d| {
            done.get(d)
                .cloned()
                .unwrap_or_else(|| unowned(core, d, t0, false))
        })
        .collect()
}

/// Runs a configuration set on `device` where it is kept; never sent twice once it may have run.
pub(crate) async fn configure(
    core: &Arc<Core>,
    device: String,
    req: ConfigRequest,
    origin: Origin,
    cancel: CancellationToken,
) -> DeviceResult {
    let t0 = Instant::now();
    loop {
        let answer = match core.live_owner_of(&device) {
            Some(o) if o == core.me => match configure_here(core, &device, &req, &cancel).await {
                Outcome::Done { result } => Answer::Done(result),
                Outcome::NotOwner { .. } => Answer::Again,
            },
            Some(o) => {
                let msg = ConfigMsg::new(device.clone(), &req, &origin, &core.me.node);
                let body = serde_json::to_vec(&msg).unwrap_or_default();
                match ask(core, &o, "config", body, &cancel).await {
                    Ok(bytes) => match serde_json::from_slice::<Outcome>(&bytes) {
                        Ok(Outcome::Done { result }) => Answer::Done(result),
                        Ok(Outcome::NotOwner { .. }) => Answer::Again,
                        Err(e) => Answer::Done(bad_answer(&device, &o.node, &e, t0)),
                    },
                    Err(a) => a,
                }
            }
            None => Answer::Again,
        };
        match answer {
            Answer::Done(r) => return r,
            Answer::Gone(node) => return gone(&device, &node, t0),
            Answer::Again if cancel.is_cancelled() || t0.elapsed() >= patience(core) => {
                return unowned(core, &device, t0, cancel.is_cancelled())
            }
            Answer::Again => core.changed_or(core.timing.tick()).await,
        }
    }
}

/// Sends one owner its devices' commands (or runs them here when the owner is this node).
async fn send_exec(
    core: &Arc<Core>,
    owner: Owner,
    devices: Vec<String>,
    req: &ExecRequest,
    origin: &Origin,
    cancel: &CancellationToken,
) -> Vec<(String, Answer)> {
    let outcomes = if owner == core.me {
        run_here(core, &devices, req, cancel).await
    } else {
        let msg = ExecMsg::new(devices.clone(), req, origin, &core.me.node);
        let body = serde_json::to_vec(&msg).unwrap_or_default();
        // Every device gets the same failure when the owner's reply cannot be used.
        let all_bad = |e: &dyn std::fmt::Display| -> Vec<(String, Answer)> {
            devices
                .iter()
                .map(|d| {
                    let r = bad_answer(d, &owner.node, e, Instant::now());
                    (d.clone(), Answer::Done(r))
                })
                .collect()
        };
        match ask(core, &owner, "exec", body, cancel).await {
            Ok(bytes) => match serde_json::from_slice::<ExecReply>(&bytes) {
                Ok(r) if r.outcomes.len() == devices.len() => r.outcomes,
                Ok(_) => return all_bad(&"wrong number of answers"),
                Err(e) => return all_bad(&e),
            },
            Err(a) => {
                return devices
                    .into_iter()
                    .map(|d| {
                        let a = match &a {
                            Answer::Gone(n) => Answer::Gone(n.clone()),
                            _ => Answer::Again,
                        };
                        (d, a)
                    })
                    .collect()
            }
        }
    };
    devices
        .into_iter()
        .zip(outcomes)
        .map(|(d, o)| match o {
            Outcome::Done { result } => (d, Answer::Done(result)),
            Outcome::NotOwner { .. } => (d, Answer::Again),
        })
        .collect()
}

/// A request to another node, given up when its heartbeat runs out (it died, or lost NATS) or
/// the caller goes away.
async fn ask(
    core: &Arc<Core>,
    owner: &Owner,
    what: &str,
    body: Vec<u8>,
    cancel: &CancellationToken,
) -> Result<axum::body::Bytes, Answer> {
    core.counters.forwarded.fetch_add(1, Ordering::Relaxed);
    let req = async_nats::Request::new()
        .payload(body.into())
        .timeout(None);
    let fut = core
        .nats
        .send_request(core.subjects.node(&owner.node, what), req);
    tokio::pin!(fut);
    loop {
        tokio::select! {
            r = &mut fut => {
                return match r {
                    Ok(m) => Ok(m.payload),
                    // Nobody subscribed: nothing ran.
                    Err(e) if e.kind() == async_nats::RequestErrorKind::NoResponders => Err(Answer::Again),
                    Err(e) if e.kind() == async_nats::RequestErrorKind::MaxPayloadExceeded => Err(Answer::Gone(format!("{} (the request is larger than the NATS server's max_payload: {e})", owner.node))),
                    Err(_) => Err(Answer::Gone(owner.node.clone())),
                };
            }
            _ = core.changed_or(core.timing.tick()) => {
                let alive = core.view().owner_alive(owner, Instant::now(), core.timing.lease);
                if !alive {
                    return Err(Answer::Gone(owner.node.clone()));
                }
            }
            _ = cancel.cancelled() => return Err(Answer::Gone(owner.node.clone())),
        }
    }
}

/// The owner died (or the caller left) with the request in flight.
fn gone(device: &str, node: &str, t0: Instant) -> DeviceResult {
    device_failed(
        device,
        ErrorKind::ConnectionLost,
        format!("{device}: node `{node}`, which keeps it, stopped answering during the request (it died or lost NATS); the commands may or may not have run there, so they are not sent again (only read-only requests are retried on the new owner)"),
        t0,
    )
}

/// No live owner within the patience.
fn unowned(core: &Core, device: &str, t0: Instant, cancelled: bool) -> DeviceResult {
    if cancelled {
        return device_failed(
            device,
            ErrorKind::Cancelled,
            format!("{device}: cancelled while waiting for its owner: the client went away"),
            t0,
        );
    }
    device_failed(
        device,
        ErrorKind::Unreachable,
        format!(
            "{device}: no live node keeps it (shard {}) after {:.1} s: every node that could is down or cut off from NATS; nothing was run",
            core.shard_of(device),
            t0.elapsed().as_secs_f64()
        ),
        t0,
    )
}

fn bad_answer(device: &str, node: &str, e: &dyn std::fmt::Display, t0: Instant) -> DeviceResult {
    device_failed(
        device,
        ErrorKind::Other,
        format!("{device}: node `{node}` answered something this node cannot read ({e}): are the nodes on different netkeep versions?"),
        t0,
    )
}
