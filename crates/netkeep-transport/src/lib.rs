//! SSH transport for netkeep, on russh.
//!
//! Opens a TCP connection (with a timeout, `TCP_NODELAY` on), negotiates SSH (legacy algorithms only
//! when asked), checks the host key against a [`HostKeyPolicy`], authenticates (password,
//! keyboard-interactive, private key with passphrase and the RSA hash retry) and opens an
//! interactive shell with a PTY. What it hands back is a [`Transport`] (the connection) and a
//! [`Shell`] (the byte stream of the CLI). It knows nothing about prompts.
//!
//! ```no_run
//! # async fn f() -> Result<(), netkeep_transport::TransportError> {
//! use netkeep_transport::{Auth, Secret, TransportOptions, Transport};
//! let opts = TransportOptions::new("127.0.0.1", 2222, "admin", Auth::Password(Secret::new("admin")));
//! let (transport, mut shell) = Transport::connect(&opts).await?;
//! shell.write(b"display clock\n").await?;
//! # Ok(()) }
//! ```

// Errors carry fingerprints, paths and device output; they are the cold path.
#![allow(clippy::result_large_err)]

mod client;
mod error;
mod hostkeys;
mod secret;

pub use client::{Auth, Shell, ShellEvent, Transport, TransportOptions};
pub use error::TransportError;
pub use hostkeys::{
    default_known_hosts_file, fingerprint, openssh_known_hosts_file, HostKeyPolicy,
};
/// The russh version we are built on, for callers that need its types.
pub use russh;
pub use secret::Secret;
