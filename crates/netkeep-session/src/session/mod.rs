//! The session, one job per module:
//! - `api`: the public [`Session`];
//! - `login`: platform, transport options (SSH or telnet), the login dialogue, starting the
//!   keepalive;
//! - `telnet_login`: the credentials typed at a telnet device's prompts;
//! - `keepalive`: the `Keepalive` value, its task, echo learning, the bounded probe;
//! - `modes`: entering and leaving configuration mode, `enable`;
//! - `io`: write, read until prompt/pattern/quiet, pager and questions, drains, last words;
//! - `state`: what a session is made of (shared core, locked I/O state, life record);
//! - `modemap`: the platform's modes as indices, prompts to modes, paths between them;
//! - `pattern`: regex compilation.
//!
//! Imports run one way, never back: `api` → `login` → `keepalive` → `io`; `login` →
//! `telnet_login` → `state`; `api` → `modes` →
//! `io` → `state` → `modemap`; `api` and `modes` → `pattern`.

mod api;
mod io;
mod keepalive;
mod login;
mod modemap;
mod modes;
mod pattern;
mod state;
mod telnet_login;

pub use api::Session;

#[cfg(test)]
mod tests;
