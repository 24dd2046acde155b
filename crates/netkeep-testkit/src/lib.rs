//! Test helpers shared by netkeep's crates, written once: simulated devices on 127.0.0.1 port 0
//! ([`start_sim`]), connect options for them ([`sim_options`]), a tracing capture that tests
//! search for leaked secrets ([`LogCapture`]), a skip that CI turns into a failure
//! ([`skip_or_fail`]), a lock and a condition poll for tests that measure a bound
//! ([`timing_serial`], [`poll_until`]), and — with the `daemon` feature — a [`Lab`] of
//! simulated devices behind a real keeper daemon, with raw-socket helpers for the HTTP API and
//! access files and tokens for its TCP listener ([`access_file`], [`token_entry`], [`tcp_client`]).
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
mod system;
mod timing;

#[cfg(feature = "daemon")]
mod access;
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
pub use system::{skip_or_fail, REQUIRE_SYSTEM_TOOLS};
pub use timing::{poll_until, timing_serial};

#[cfg(feature = "daemon")]
pub use access::{access_file, tcp_client, token_entry};
#[cfg(feature = "daemon")]
pub use api::{call, exec_on, post_and_keep, status_of, wait_for};
#[cfg(feature = "daemon")]
pub use lab::{test_options, HostSpec, Lab};
#[cfg(feature = "daemon")]
pub use raw::{exchange, raw_unix, raw_unix_with, status_code, Ending, Reply};
#[cfg(feature = "daemon")]
pub use recording::{Attempt, RecordingConnector};
