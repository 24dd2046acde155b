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
//! | [`parsed`] | command outputs as TextFSM records (`parse: true`) |
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
pub mod parsed;
pub mod pool;
pub mod scopes;
pub mod select;
pub mod status;
pub mod tls;
pub mod wire;
