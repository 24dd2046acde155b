//! netkeep-keeper: `netkeep serve`, the daemon that keeps a fleet's device CLI sessions warm and
//! runs commands over them for any script.
//!
//! Its one job is the fleet: which devices (the [`inventory`]), how many sessions each may hold
//! and who gets them (the [`pool`]), and how scripts ask (the HTTP [`api`] and its [`client`]).
//! It sits above the session library and below the command line:
//!
//! ```text
//! transport -> channel -> platform -> session -> keeper (this crate) -> cli
//! ```
//!
//! | module | job |
//! |---|---|
//! | [`inventory`] | load and check the inventory (file or Nornir directory) into device specs |
//! | [`command`] | one command: allowed characters, rejected by the device, read-only |
//! | [`select`] | which devices a request means: device, list, group, all; `data` filter |
//! | [`connector`] | the pool's view of a session; [`connector::ssh`] opens netkeep sessions |
//! | [`pool`] | per-device sessions, queueing, reconnects, exec, reload, shutdown |
//! | [`status`] | each device's state and counters (`netkeep status`) |
//! | [`metrics`] | Prometheus text (`GET /metrics`) |
//! | [`wire`] | the API's JSON types, shared by server and client |
//! | [`api`] | the HTTP server: routes, limits, token check |
//! | [`client`] | the HTTP client of a running daemon |
//! | [`daemon`] | `netkeep serve`: listeners, warm-up, signals |
//! | [`dispatch`] | the seam between the API and a cluster: device work wherever it is kept |
//! | [`cluster`] | several nodes sharing one fleet over NATS (`serve --cluster`) |
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use netkeep_keeper::connector::ssh::SshConnector;
//! use netkeep_keeper::daemon::{Daemon, DaemonConfig};
//! let daemon = Daemon::start(DaemonConfig::new("netkeep.yaml"), Arc::new(SshConnector::new())).await?;
//! let client = netkeep_keeper::client::DaemonClient::discover(Some(daemon.socket_path())).await?;
//! for row in client.expect("the daemon answers").status().await? {
//!     println!("{} {}", row.device, row.state);
//! }
//! daemon.stop().await;
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

pub mod access_file;
pub mod api;
pub mod audit;
pub mod auth;
pub mod client;
pub mod cluster;
pub mod command;
pub mod connector;
pub mod daemon;
pub mod dispatch;
pub mod identity;
pub mod inventory;
pub mod listen;
pub mod metrics;
pub mod pool;
pub mod scopes;
pub mod select;
pub mod status;
pub mod tls;
pub mod wire;

/// Parses `3s`, `500ms`, `10m` (humantime) for CLI flags.
///
/// ```
/// assert_eq!(netkeep_keeper::parse_duration("1m30s").unwrap().as_secs(), 90);
/// assert!(netkeep_keeper::parse_duration("soon").unwrap_err().contains("expected e.g. 3s"));
/// ```
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(s)
        .map_err(|e| format!("bad duration `{s}` ({e}); expected e.g. 3s, 500ms, 10m"))
}

/// Parses a timeout flag: a duration like [`parse_duration`] (`5s`, `500ms`, `2m`) or a plain
/// number of seconds (`5`, `0.5`); zero is refused (a timeout must leave time to answer).
///
/// ```
/// use netkeep_keeper::parse_timeout;
/// assert_eq!(parse_timeout("5s").unwrap().as_secs(), 5);
/// assert_eq!(parse_timeout("1.5").unwrap().as_millis(), 1500);
/// assert!(parse_timeout("0").unwrap_err().contains("positive"));
/// assert!(parse_timeout("0s").is_err() && parse_timeout("soon").is_err());
/// ```
pub fn parse_timeout(s: &str) -> Result<std::time::Duration, String> {
    let d = match s.trim().parse::<f64>() {
        Ok(secs) => std::time::Duration::try_from_secs_f64(secs)
            .map_err(|_| format!("bad timeout `{s}`; expected e.g. 5s, 500ms, 2m"))?,
        Err(_) => parse_duration(s.trim())?,
    };
    if d.is_zero() {
        return Err(format!(
            "timeout `{s}` must be positive (e.g. 5s, 500ms, 2m)"
        ));
    }
    Ok(d)
}
