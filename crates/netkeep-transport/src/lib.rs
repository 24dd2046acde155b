//! Transports for netkeep: the byte stream to a device's terminal plus a liveness probe, behind
//! one boundary the session talks to.
//!
//! Where it sits: **transport** → channel → platform → session → keeper → cli. This crate moves
//! bytes and knows nothing about prompts; `netkeep-channel` cleans them, `netkeep-session` runs
//! the CLI dialogue on top.
//!
//! The boundary ([`Terminal`] + [`Link`], bundled as a [`Transport`]) has three implementations:
//! - [`ssh`]: russh — TCP with a timeout and `TCP_NODELAY`, SSH negotiation (legacy algorithms
//!   only when asked), host keys checked against a [`HostKeyPolicy`], authentication (password,
//!   keyboard-interactive, private key with passphrase and the RSA hash retry), a PTY shell; the
//!   probe is an SSH ping.
//! - [`telnet`]: our own small telnet client (RFC 854 with the options devices insist on, IAC
//!   escaping both ways, bounded sub-negotiations); the probe is `IAC DO TIMING-MARK`. The login
//!   dialogue is typed in-band by the session. Which one: [`Protocol`].
//! - [`memory`]: both ends in memory, the device's end driven by a test.
//!
//! [`ssh_config`] reads OpenSSH's client configuration (hosts, jump hosts, keys, algorithms)
//! for the programs that build [`ssh::SshOptions`].
//!
//! ```no_run
//! # async fn f() -> Result<(), netkeep_transport::TransportError> {
//! use netkeep_transport::{ssh, Auth, Secret};
//! let opts = ssh::SshOptions::new("127.0.0.1", 2222, "admin", Auth::Password(Secret::new("admin")));
//! let mut t = ssh::connect(&opts).await?;
//! t.terminal.write(b"display clock\n").await?;
//! println!("{:?}", t.terminal.recv().await);
//! t.link.probe().await?; // proves the peer alive without typing into the shell
//! t.link.disconnect().await;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod boundary;
mod error;
mod hostkeys;
pub mod memory;
mod protocol;
mod secret;
pub mod ssh;
pub mod ssh_config;
pub mod telnet;

pub use boundary::{BoxFuture, Event, Link, Terminal, Transport};
pub use error::{ErrorKind, TransportError};
pub use hostkeys::{default_known_hosts_file, openssh_known_hosts_file, HostKeyPolicy};
pub use protocol::Protocol;
pub use secret::Secret;
pub use ssh::Auth;
