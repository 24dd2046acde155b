//! Letting devices go to another keeper (clustering): keep exactly a given set of devices, log
//! out of the others at once and in parallel, and tell when their last session has ended — the
//! moment another keeper may log in. With `cut`, sessions running a command are closed too
//! (fencing: a keeper that lost its cluster must be gone from its devices within a bound).

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::device::{spawn_logout, Device};
use super::state::Pool;
use crate::connector::DeviceSession;
use crate::inventory::Inventory;
use crate::wire::ReloadReport;

/// The devices a [`Pool::keep`] let go of; their sessions may still be logging out.
#[derive(Clone, Default)]
pub struct Letting {
    devices: Vec<Arc<Device>>,
}

impl Letting {
    /// Adds the devices `other` let go of, and forgets those whose sessions have all ended:
    /// a holder of every device let go of and not yet logged out of, whichever `keep` did it.
    pub fn absorb(&mut self, other: Letting) {
        self.devices.extend(other.devices);
        self.devices.retain(|d| d.lock().open_sessions() > 0);
    }

    /// Those of the devices whose name `pick` accepts.
    pub fn only(&self, pick: impl Fn(&str) -> bool) -> Letting {
        Letting {
            devices: self
                .devices
                .iter()
                .filter(|d| pick(&d.spec.name))
                .cloned()
                .collect(),
        }
    }

    /// Devices let go of.
    pub fn len(&self) -> usize {
        self.devices.len()
    }

    /// True when no device was let go of.
    pub fn is_empty(&self) -> bool {
        self.devices.is_empty()
    }

    /// Sessions of the let-go devices that may still hold a VTY line: recorded, connecting or
    /// logging out.
    pub fn open_sessions(&self) -> usize {
        self.devices.iter().map(|d| d.lock().open_sessions()).sum()
    }

    /// Waits until none of their sessions is open, or `limit` has passed; returns how many
    /// still are (0: every one has ended).
    pub async fn wait(&self, limit: Duration) -> usize {
        let end = Instant::now() + limit;
        loop {
            let n = self.open_sessions();
            if n == 0 || Instant::now() >= end {
                return n;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

impl Pool {
    /// Keeps exactly `inventory`'s devices, as [`Pool::reload`] does (unchanged devices keep
    /// their sessions, new warm ones connect), and logs out of every session of the devices it
    /// no longer keeps (removed, or settings changed) at once and in parallel — idle ones now,
    /// ones running a command when it ends, or now as well with `cut` (the command then fails
    /// as lost). The [`Letting`] tells when the last of them has ended.
    ///
    /// ```no_run
    /// # async fn demo(pool: netkeep_keeper::pool::Pool, mine: netkeep_keeper::inventory::Inventory) {
    /// let (_report, letting) = pool.keep(mine, false).await;
    /// assert_eq!(letting.wait(std::time::Duration::from_secs(5)).await, 0, "all logged out");
    /// # }
    /// ```
    pub async fn keep(&self, inventory: Inventory, cut: bool) -> (ReloadReport, Letting) {
        let leaving: Vec<Arc<Device>> = self
            .fleet()
            .devices
            .iter()
            .filter(|(name, d)| inventory.devices.get(*name) != Some(&d.spec))
            .map(|(_, d)| d.clone())
            .collect();
        for d in &leaving {
            let sessions = {
                let mut st = d.lock();
                // Retired first: no connect starts on it from here on.
                d.retire(&mut st);
                if cut {
                    let all: Vec<Arc<dyn DeviceSession>> =
                        st.slots.drain(..).map(|s| s.session).collect();
                    st.lines.closing += all.len();
                    all
                } else {
                    st.take_idle()
                }
            };
            spawn_logout(d, sessions);
        }
        let report = self.reload(inventory).await;
        (report, Letting { devices: leaving })
    }
}
