//! Keeping the node's picture of the bucket current: one watch over every key (the current
//! values first, then each change), re-opened after a NATS outage. Each heartbeat and owner
//! change is noted with the time this node saw it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::kv::{Entry, Operation};
use futures::StreamExt;

use super::records::{parse_key, with_timeout, Key, NodeRecord, ShardRecord};
use super::state::Core;
use super::ClusterError;

/// Starts the watch and returns once the bucket's current values are in the picture.
pub(crate) async fn spawn(core: &Arc<Core>) -> Result<(), ClusterError> {
    let loaded = Arc::new(tokio::sync::Notify::new());
    let empty = with_timeout(core.kv.status())
        .await?
        .map(|s| s.values() == 0)
        .unwrap_or(false);
    if empty {
        core.view_mut().loaded = true;
    }
    let (c, l) = (core.clone(), loaded.clone());
    let wait = loaded.notified();
    tokio::spawn(async move { run(c, l).await });
    if !empty {
        tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .map_err(|_| {
                ClusterError::Nats("the bucket's current values did not arrive within 10s".into())
            })?;
    }
    Ok(())
}

async fn run(core: Arc<Core>, loaded: Arc<tokio::sync::Notify>) {
    while !core.stop.is_cancelled() {
        let mut watch = match core.kv.watch_with_history(">").await {
            Ok(w) => w,
            Err(e) => {
                tracing::debug!("cluster: watch not open ({e}); retrying");
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        loop {
            let next = tokio::select! {
                n = watch.next() => n,
                _ = core.stop.cancelled() => return,
            };
            match next {
                Some(Ok(e)) => {
                    let last = e.delta == 0;
                    note(&core, e);
                    if last && !core.view().loaded {
                        core.view_mut().loaded = true;
                        loaded.notify_one();
                    }
                    core.changed.notify_waiters();
                }
                Some(Err(e)) => {
                    tracing::debug!("cluster: watch: {e}");
                    break;
                }
                None => break,
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Puts one entry into the picture.
fn note(core: &Core, e: Entry) {
    let now = Instant::now();
    let put = e.operation == Operation::Put;
    match parse_key(&e.key) {
        Key::Node(name) => {
            let rec: Option<NodeRecord> =
                put.then(|| serde_json::from_slice(&e.value).ok()).flatten();
            core.view_mut().node_changed(name, rec, e.revision, now);
        }
        Key::Shard(s) => {
            let rec: Option<ShardRecord> =
                put.then(|| serde_json::from_slice(&e.value).ok()).flatten();
            core.view_mut().shard_changed(s, rec, e.revision);
        }
        Key::Other => {}
    }
}
