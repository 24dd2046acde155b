//! Changing the fleet while it runs, and stopping it: a reload keeps unchanged devices with their
//! sessions, replaces changed ones (the replacement waits for the old sessions' VTY lines to be
//! free: the handover), removes the rest; shutdown lets in-flight commands finish and logs out of
//! every device.

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use tokio::sync::OwnedSemaphorePermit;

use super::device::{logout, Device};
use super::state::{Fleet, Pool};
use crate::connector::DeviceSession;
use crate::inventory::Inventory;
use crate::wire::ReloadReport;

/// What a reload does, decided before anything changes.
#[derive(Default)]
struct Plan {
    report: ReloadReport,
    /// The new fleet's devices.
    devices: BTreeMap<String, Arc<Device>>,
    /// New devices to warm up.
    to_warm: Vec<Arc<Device>>,
    /// Changed and removed devices.
    retired: Vec<Arc<Device>>,
    /// (old device, its replacement, all of the replacement's permits): until the old device's
    /// open sessions are counted, the replacement can open none.
    handover: Vec<(Arc<Device>, Arc<Device>, Vec<OwnedSemaphorePermit>)>,
}

impl Pool {
    /// Replaces the inventory: sessions of unchanged devices are kept, changed and removed
    /// devices are logged out of (after their in-flight commands), new warm devices connect.
    pub async fn reload(&self, inventory: Inventory) -> ReloadReport {
        let old = self.fleet();
        let plan = self.plan(&old, inventory.devices);
        *self.state.fleet.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(Fleet {
            devices: plan.devices,
            groups: inventory.groups,
        });
        // Requests still holding a permit of an old device may open sessions on it until it is
        // retired below, so count only then. Old devices' semaphores are closed after the swap:
        // their queued requests look the device up again and must find the new one.
        for (old, new, permits) in plan.handover {
            hand_over(&old, &new, permits);
        }
        for d in plan.retired {
            d.retire(&mut d.lock());
            d.permits.close();
            close_idle(&d).await;
        }
        let report = plan.report;
        // The caller (SIGHUP, the API) logs the outcome at info.
        tracing::debug!(
            added = report.added.len(),
            removed = report.removed.len(),
            changed = report.changed.len(),
            unchanged = report.unchanged,
            "inventory reloaded"
        );
        if !plan.to_warm.is_empty() {
            let p = self.clone();
            tokio::spawn(async move { p.warm_devices(plan.to_warm, |_, _| {}).await });
        }
        report
    }

    /// Sorts the new inventory's devices into unchanged, changed, added and removed.
    fn plan(&self, old: &Fleet, specs: BTreeMap<String, crate::inventory::DeviceSpec>) -> Plan {
        let mut plan = Plan::default();
        let logout = self.state.opts.disconnect_timeout;
        for (name, spec) in specs {
            match old.devices.get(&name) {
                Some(d) if d.spec == spec => {
                    plan.report.unchanged += 1;
                    plan.devices.insert(name, d.clone());
                }
                prev => {
                    let d = Device::new(spec, logout);
                    if let Some(p) = prev {
                        plan.report.changed.push(name.clone());
                        plan.retired.push(p.clone());
                        let permits: Vec<_> = (0..d.spec.max_sessions)
                            .map_while(|_| d.permits.clone().try_acquire_owned().ok())
                            .collect();
                        plan.handover.push((p.clone(), d.clone(), permits));
                    } else {
                        plan.report.added.push(name.clone());
                    }
                    if d.spec.warm {
                        plan.to_warm.push(d.clone());
                    }
                    plan.devices.insert(name, d);
                }
            }
        }
        for (name, d) in &old.devices {
            if !plan.devices.contains_key(name) {
                plan.report.removed.push(name.clone());
                plan.retired.push(d.clone());
            }
        }
        plan
    }

    /// Stops the supervisor, waits up to `grace` for in-flight commands, then logs out of every
    /// device in parallel.
    pub async fn shutdown(&self, grace: Duration) {
        self.state.stop.cancel();
        let fleet = self.fleet();
        for d in fleet.devices.values() {
            d.permits.close();
        }
        let deadline = Instant::now() + grace;
        let busy = |d: &Arc<Device>| d.lock().slots.iter().any(|s| s.leased);
        while Instant::now() < deadline && fleet.devices.values().any(busy) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let t = self.state.opts.disconnect_timeout;
        let all: Vec<Arc<dyn DeviceSession>> = fleet
            .devices
            .values()
            .flat_map(|d| {
                d.lock()
                    .slots
                    .drain(..)
                    .map(|s| s.session)
                    .collect::<Vec<_>>()
            })
            .collect();
        tracing::info!(sessions = all.len(), "logging out of every device");
        futures::future::join_all(all.iter().map(|s| tokio::time::timeout(t, s.disconnect())))
            .await;
    }
}

/// Retires `old` (and older generations whose sessions are still open) in favour of `new`: of
/// `new`'s permits, as many as the old generations have sessions open are held back until those
/// log out; the rest are given back now.
fn hand_over(old: &Arc<Device>, new: &Device, mut permits: Vec<OwnedSemaphorePermit>) {
    // The old device first (its own permits, held for its predecessors, may be freed below),
    // then older generations whose sessions are still open.
    let mut gens = vec![old.clone()];
    gens.extend(
        old.lock()
            .lines
            .predecessors
            .iter()
            .filter_map(Weak::upgrade),
    );
    let mut still_open = Vec::new();
    for g in gens {
        let mut st = g.lock();
        g.retire(&mut st);
        let keep = st.open_sessions().min(permits.len());
        let freed = std::mem::replace(&mut st.lines.held, permits.split_off(permits.len() - keep));
        if st.open_sessions() > 0 {
            still_open.push(Arc::downgrade(&g));
        }
        drop(st);
        drop(freed);
    }
    if !still_open.is_empty() {
        tracing::debug!(device = %new.spec.name, held = new.spec.max_sessions - permits.len(), "new settings wait for sessions of the old ones to log out");
    }
    new.lock().lines.predecessors = still_open;
    // The rest is free: dropping gives it back.
    drop(permits);
}

/// Logs out of a device's unleased sessions.
async fn close_idle(dev: &Device) {
    let sessions = dev.lock().take_idle();
    logout(dev, sessions).await;
}
