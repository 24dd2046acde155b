//! Device CLI sessions: send commands and get clean output, run configuration sets, save and
//! commit, and keep the session alive against the device's idle timeout.
//!
//! Where it sits: transport → channel → platform → **session** → keeper → cli. A session runs
//! the CLI dialogue (login, prompts, modes, paging, keepalive) of one platform file over one
//! transport: SSH or telnet ([`Session::connect`], [`ConnectOptions::protocol`]) or any other
//! implementation of the transport boundary ([`Session::with_transport`], e.g.
//! `netkeep_transport::memory` in tests).
//!
//! A [`Session`] is a cheap-to-clone handle. One lock serialises everything that touches the
//! terminal, so `is_alive`, the keepalive task and commands never interleave, and whatever a
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

#![warn(missing_docs)]

mod command;
mod config;
mod error;
mod options;
mod session;
mod session_log;

pub use command::{Answer, Command};
pub use config::{CandidateState, ConfigLine, ConfigOutcome, ConfigSetOptions, Finish};
pub use error::{CloseReason, CloseReasonText, Error, ErrorKind};
pub use netkeep_parse::{Field, Record, Records, Templates};
pub use netkeep_platform::KeepaliveMode;
pub use netkeep_transport::{Auth, HostKeyPolicy, Protocol, Secret, TransportError};
pub use options::{CommandOptions, ConnectOptions, KeepaliveConfig, KeepaliveStats};
pub use session::Session;
pub use session_log::SessionLog;
