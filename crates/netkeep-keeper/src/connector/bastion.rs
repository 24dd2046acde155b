//! Jump hosts shared by the devices behind them: one connection per jump host for the whole
//! daemon (each device is a `direct-tcpip` channel on it), opened by the first device that
//! needs it and reopened — one attempt at a time, with backoff — when it drops, which takes every
//! device behind it down with it. Each time it comes back its generation goes up, and the pool
//! retries the devices that failed while it was down at once instead of waiting out their own
//! backoff ([`crate::connector::Connector::path_epoch`]).
//!
//! ```no_run
//! # async fn f(hop: netkeep_transport::ssh::SshOptions) {
//! use netkeep_keeper::connector::bastion::Bastions;
//! let b = Bastions::default();
//! let jump = b.get(&hop, "sw1").await.unwrap(); // logs in
//! let again = b.get(&hop, "sw2").await.unwrap(); // the same connection
//! assert!(jump.same(&again));
//! # }
//! ```

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use netkeep_transport::ssh::{JumpHost, SshOptions};
use netkeep_transport::{ErrorKind, TransportError};

/// Reconnect pacing and keepalive of shared jump hosts.
#[derive(Debug, Clone)]
pub struct BastionOptions {
    /// First delay after a failed connect; doubles per failure.
    pub backoff_base: Duration,
    /// Longest delay.
    pub backoff_max: Duration,
    /// SSH keepalive on the jump host's connection when its ssh_config sets none (a dead
    /// bastion must be noticed even while its devices are idle).
    pub keepalive: Duration,
}

impl Default for BastionOptions {
    fn default() -> Self {
        BastionOptions {
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            keepalive: Duration::from_secs(15),
        }
    }
}

/// The shared jump hosts, by the route that reaches them.
#[derive(Default)]
pub struct Bastions {
    opts: BastionOptions,
    map: Mutex<HashMap<String, Arc<Bastion>>>,
}

impl std::fmt::Debug for Bastions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.map.lock().map(|m| m.len()).unwrap_or(0);
        f.debug_struct("Bastions").field("jump_hosts", &n).finish()
    }
}

/// One shared jump host.
struct Bastion {
    /// Connecting is one attempt at a time: the others wait for its outcome.
    state: tokio::sync::Mutex<State>,
    /// Goes up each time the connection is (re)opened.
    epoch: AtomicU64,
}

#[derive(Default)]
struct State {
    conn: Option<JumpHost>,
    failures: u32,
    next_attempt: Option<Instant>,
    last: Option<(ErrorKind, String)>,
}

/// The key of a jump host: who logs in where, and how that is reached.
pub fn key(hop: &SshOptions) -> String {
    let below = hop.route.describe();
    format!("{}@{} {below}", hop.username, hop.addr())
}

impl Bastions {
    /// A registry with these options.
    pub fn new(opts: BastionOptions) -> Bastions {
        Bastions {
            opts,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn entry(&self, hop: &SshOptions) -> Arc<Bastion> {
        let mut m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        m.entry(key(hop))
            .or_insert_with(|| {
                Arc::new(Bastion {
                    state: tokio::sync::Mutex::new(State::default()),
                    epoch: AtomicU64::new(0),
                })
            })
            .clone()
    }

    /// How many times the jump host has been (re)connected (0: never).
    pub fn epoch(&self, hop: &SshOptions) -> u64 {
        let m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        m.get(&key(hop))
            .map_or(0, |b| b.epoch.load(Ordering::Relaxed))
    }

    /// The jump host's live connection, opening it if needed; while it is in backoff after a
    /// failure, fails at once with [`TransportError::JumpHostDown`] naming `device`.
    pub async fn get(&self, hop: &SshOptions, device: &str) -> Result<JumpHost, TransportError> {
        let b = self.entry(hop);
        let mut st = b.state.lock().await;
        if let Some(c) = st.conn.as_ref().filter(|c| !c.is_closed()) {
            return Ok(c.clone());
        }
        if let Some(c) = st.conn.take() {
            let why = c
                .disconnect_reason()
                .unwrap_or_else(|| "connection ended".into());
            tracing::warn!(jump_host = %c.label(), "jump host connection lost: {why}; its devices go down with it");
        }
        let now = Instant::now();
        if let (Some(t), Some((kind, message))) = (st.next_attempt.filter(|t| *t > now), &st.last) {
            return Err(TransportError::JumpHostDown {
                device: device.to_string(),
                hop: format!("{}@{}", hop.username, hop.addr()),
                kind: *kind,
                message: message.clone(),
                retry_in: t - now,
            });
        }
        let mut o = hop.clone();
        if o.ssh_keepalive.is_none() {
            o.ssh_keepalive = Some(self.opts.keepalive);
        }
        match JumpHost::connect(&o).await {
            Ok(c) => {
                if st.failures > 0 {
                    tracing::info!(jump_host = %c.label(), failures = st.failures, "jump host connected again");
                } else {
                    tracing::info!(jump_host = %c.label(), "jump host connected");
                }
                *st = State {
                    conn: Some(c.clone()),
                    ..State::default()
                };
                b.epoch.fetch_add(1, Ordering::Relaxed);
                Ok(c)
            }
            Err(e) => {
                st.failures = st.failures.saturating_add(1);
                let exp = self
                    .opts
                    .backoff_base
                    .saturating_mul(1u32 << st.failures.min(16).saturating_sub(1));
                let delay = exp.min(self.opts.backoff_max);
                st.next_attempt = Some(Instant::now() + delay);
                st.last = Some((e.kind(), e.to_string()));
                tracing::warn!(jump_host = %key(hop), retry_in = ?delay, "jump host connect failed: {e}");
                Err(TransportError::Via {
                    device: device.to_string(),
                    hop: format!("{}@{}", hop.username, hop.addr()),
                    source: Box::new(e),
                })
            }
        }
    }
}
