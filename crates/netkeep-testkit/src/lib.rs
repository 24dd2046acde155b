//! Test helpers shared by netkeep's crates, written once: simulated devices on 127.0.0.1 port 0
//! ([`start_sim`]), connect options for them ([`sim_options`]), a tracing capture that tests
//! search for leaked secrets ([`LogCapture`]), and — with the `daemon` feature — a [`Lab`] of
//! simulated devices behind a real keeper daemon, with raw-socket helpers for the HTTP API.
//!
//! Where it sits: beside the chain, used only as a dev-dependency (never published). It sits on
//! top of the simulator (netkeep-sim), the facade (netkeep) and, for the lab, the keeper.
//!
//! ```no_run
//! # async fn demo() {
//! let dev = netkeep_testkit::start_sim("hp_comware", |c| c.idle_timeout = None).await;
//! let s = netkeep::Session::connect(netkeep_testkit::sim_options(&dev, "hp_comware"))
//!     .await
//!     .unwrap();
//! assert!(s.send_command("display clock").await.unwrap().contains("UTC"));
//! # }
//! ```
#![warn(missing_docs)]

mod logs;
mod sim;

#[cfg(feature = "daemon")]
mod api;
#[cfg(feature = "daemon")]
mod lab;
#[cfg(feature = "daemon")]
mod raw;
#[cfg(feature = "daemon")]
mod recording;

pub use logs::LogCapture;
pub use sim::{good_command, sim_options, start_device, start_sim, PLATFORMS};

#[cfg(feature = "daemon")]
pub use api::{call, exec_on, post_and_keep, status_of, wait_for};
#[cfg(feature = "daemon")]
pub use lab::{test_options, HostSpec, Lab};
#[cfg(feature = "daemon")]
pub use raw::{raw_unix, raw_unix_with, status_code};
#[cfg(feature = "daemon")]
pub use recording::{Attempt, RecordingConnector};
