//! [`RecordingConnector`]: the SSH connector, with a timestamped log of every connect attempt
//! (so tests can measure backoff delays from the keeper's side).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use netkeep_keeper::connector::ssh::SshConnector;
use netkeep_keeper::connector::{BoxFut, Connector, DeviceSession, ErrorKind, SessionError};
use netkeep_keeper::inventory::DeviceSpec;

/// One connect attempt seen by [`RecordingConnector`].
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Inventory name.
    pub device: String,
    /// When the attempt started.
    pub at: Instant,
    /// When it ended (connected or failed).
    pub ended: Instant,
    /// How it ended (`None` = connected).
    pub error: Option<ErrorKind>,
}

/// A [`Connector`] over [`SshConnector`] that records every attempt, so tests can measure
/// backoff delays from the keeper's side.
#[derive(Default)]
pub struct RecordingConnector {
    inner: SshConnector,
    log: Mutex<Vec<Attempt>>,
    /// Attempts under way: device and start.
    running: Mutex<Vec<(String, Instant)>>,
}

impl RecordingConnector {
    /// Attempts so far for `device`, oldest first.
    pub fn of(&self, device: &str) -> Vec<Attempt> {
        self.log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|a| a.device == device)
            .cloned()
            .collect()
    }

    /// When the attempt under way for `device` started, if one is.
    pub fn in_flight(&self, device: &str) -> Option<Instant> {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.iter().find(|(d, _)| d == device).map(|r| r.1)
    }

    /// Delays between consecutive attempts for `device`.
    pub fn gaps(&self, device: &str) -> Vec<Duration> {
        let a = self.of(device);
        a.windows(2).map(|w| w[1].at - w[0].at).collect()
    }
}

impl Connector for RecordingConnector {
    fn connect<'a>(
        &'a self,
        spec: &'a DeviceSpec,
    ) -> BoxFut<'a, Result<Arc<dyn DeviceSession>, SessionError>> {
        Box::pin(async move {
            let at = Instant::now();
            let lock =
                |m: &'a Mutex<Vec<(String, Instant)>>| m.lock().unwrap_or_else(|p| p.into_inner());
            lock(&self.running).push((spec.name.clone(), at));
            let r = self.inner.connect(spec).await;
            let ended = Instant::now();
            lock(&self.running).retain(|x| x != &(spec.name.clone(), at));
            self.log
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(Attempt {
                    device: spec.name.clone(),
                    at,
                    ended,
                    error: r.as_ref().err().map(|e| e.kind),
                });
            r
        })
    }
}
