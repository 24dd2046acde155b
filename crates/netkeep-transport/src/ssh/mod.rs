//! The SSH transport, on russh: [`connect`] with [`SshOptions`] gives a [`crate::Transport`]
//! whose terminal is a PTY shell channel and whose probe is an SSH ping.

mod algorithms;
mod auth;
mod connect;
mod handler;
mod options;
mod terminal;

pub use connect::connect;
pub use options::{Auth, SshOptions};
