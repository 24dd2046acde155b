//! The session pool: per device up to `max_sessions` warm sessions, a request queue, a
//! supervisor that reconnects dead sessions with backoff, reloads and graceful shutdown.
//!
//! | file | job |
//! |---|---|
//! | `pool/state.rs` | [`Pool`], [`PoolOptions`], the fleet snapshot and counters |
//! | `pool/device.rs` | one device: its sessions, connect history, VTY-line accounting, logouts |
//! | `pool/lease.rs` | queueing for `max_sessions`, permits, lending a session to a request |
//! | `pool/supervisor.rs` | warm-up, the periodic pass, connecting with backoff |
//! | `pool/exec.rs` | running a request: commands, the read-only retry, results |
//! | `pool/config.rs` | running a configuration set: commit, check, drop, save, results |
//! | `pool/reload.rs` | reload (with the handover of VTY lines) and shutdown |
//! | `pool/log_budget.rs` | bounded warnings for fleets failing together |
//! | `pool/handoff.rs` | letting devices go to another keeper (clustering): keep a set, log out of the rest |
//!
//! Status and metrics read the pool from outside ([`crate::status`], [`crate::metrics`]).
//!
//! ```no_run
//! # async fn demo(inv: netkeep_keeper::inventory::Inventory) {
//! use std::sync::Arc;
//! use netkeep_keeper::connector::ssh::SshConnector;
//! use netkeep_keeper::pool::{ExecRequest, Pool, PoolOptions};
//! let pool = Pool::new(inv, Arc::new(SshConnector::new()), PoolOptions::default());
//! pool.warm(|_done, _total| {}).await;
//! let res = pool.exec_one("core-sw1", &ExecRequest::new(["display clock"])).await;
//! println!("{}", res.outputs[0].output);
//! pool.shutdown(std::time::Duration::from_secs(10)).await;
//! # }
//! ```

mod config;
pub(crate) mod device;
mod exec;
mod handoff;
mod lease;
mod log_budget;
mod reload;
pub(crate) mod state;
mod supervisor;

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

pub(crate) use self::exec::device_failed;
pub use self::exec::ExecRequest;
pub use self::handoff::Letting;
pub use self::state::{Pool, PoolOptions};
pub use crate::command::is_read_only;
pub use crate::connector::ConfigRequest;

use self::device::Device;
use self::log_budget::LogBudget;
use self::state::{Counters, Fleet, PoolState};
use crate::connector::Connector;
use crate::inventory::Inventory;

impl Pool {
    /// Creates a pool for an inventory and starts its supervisor (needs a Tokio runtime).
    /// Sessions are not opened until [`Pool::warm`] or the first request.
    pub fn new(inventory: Inventory, connector: Arc<dyn Connector>, opts: PoolOptions) -> Pool {
        let fleet = Fleet {
            devices: inventory
                .devices
                .into_values()
                .map(|s| (s.name.clone(), Device::new(s, opts.disconnect_timeout)))
                .collect(),
            groups: inventory.groups,
        };
        let tick = opts.tick;
        let pool = Pool {
            state: Arc::new(PoolState {
                connector,
                connect_limit: Arc::new(Semaphore::new(opts.connect_concurrency.max(1))),
                opts,
                fleet: RwLock::new(Arc::new(fleet)),
                counters: Counters::default(),
                stop: CancellationToken::new(),
                started: Instant::now(),
                connect_warnings: LogBudget::new("connect failures", 20, Duration::from_secs(10)),
            }),
        };
        supervisor::spawn_supervisor(Arc::downgrade(&pool.state), tick);
        pool
    }
}
