//! Device CLI sessions over SSH: send commands and get clean output, run configuration sets,
//! save and commit, and keep the session alive against the device's idle timeout.
//!
//! A [`Session`] is a cheap-to-clone handle. One lock serialises everything that touches the
//! shell, so `is_alive`, the keepalive task and commands never interleave, and whatever a
//! keepalive makes the device echo is drained before the next command reads its output.
//!
//! ```no_run
//! # async fn f() -> Result<(), netkeep_session::Error> {
//! use netkeep_session::{Auth, ConnectOptions, Secret, Session};
//! let s = Session::connect(
//!     ConnectOptions::new("127.0.0.1", 2222, "hp_comware")
//!         .username("admin")
//!         .auth(Auth::Password(Secret::new("admin"))),
//! )
//! .await?;
//! println!("{}", s.send_command("display clock").await?);
//! s.disconnect().await;
//! # Ok(()) }
//! ```

// Errors carry the device output that explains them; they are the cold path.
#![allow(clippy::result_large_err)]

mod error;
mod options;
mod session;

pub use error::{CloseReason, CloseReasonText, Error};
pub use netkeep_transport::{Auth, HostKeyPolicy, Secret};
pub use options::{CommandOptions, ConnectOptions, KeepaliveConfig, KeepaliveMode, KeepaliveStats};
pub use session::{ConfigSetOptions, Session};
