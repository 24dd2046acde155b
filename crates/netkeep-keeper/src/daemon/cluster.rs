//! `netkeep serve --cluster`: the pool starts empty and the node fills it with its shards'
//! devices; the API dispatches device work through the node, which also serves the API to
//! clients over NATS. Without `--cluster` nothing here runs: the pool gets the whole inventory
//! and the router its pool, as before.

use std::sync::Arc;

use super::{DaemonConfig, DaemonError};
use crate::api::{self, Security};
use crate::cluster::Node;
use crate::connector::Connector;
use crate::dispatch::Dispatch;
use crate::inventory::{Inventory, LoadOptions};
use crate::pool::Pool;

/// The pool, and the cluster node when `--cluster` was given.
pub(super) async fn pool_and_node(
    cfg: &DaemonConfig,
    inv: Inventory,
    load: &LoadOptions,
    connector: Arc<dyn Connector>,
) -> Result<(Pool, Option<Node>), DaemonError> {
    let Some(cc) = &cfg.cluster else {
        return Ok((Pool::new(inv, connector, cfg.pool.clone()), None));
    };
    let mut none = inv.clone();
    none.devices.clear();
    none.groups.values_mut().for_each(Vec::clear);
    let pool = Pool::new(none, connector, cfg.pool.clone());
    let source = (cfg.inventory.clone(), load.clone());
    let node = Node::start(cc.clone(), inv, source, pool.clone())
        .await
        .map_err(DaemonError::Cluster)?;
    Ok((pool, Some(node)))
}

/// The API router; a cluster node's dispatches through the node, which serves it over NATS
/// too, and stops the daemon when it must (its name taken by another process).
pub(super) fn router(
    cfg: &DaemonConfig,
    pool: &Pool,
    node: Option<&Node>,
    load: &LoadOptions,
    security: &Security,
) -> axum::Router {
    let dispatch = node.map(|n| Arc::new(n.clone()) as Arc<dyn Dispatch>);
    let router = api::router_with(
        pool.clone(),
        cfg.inventory.clone(),
        load.clone(),
        cfg.limits.clone(),
        security.clone(),
        dispatch,
    );
    if let Some(n) = node {
        n.serve_api(router.clone());
        let (fatal, shutdown) = (n.fatal(), security.shutdown.clone());
        tokio::spawn(async move {
            fatal.cancelled().await;
            shutdown.cancel();
        });
    }
    router
}
