//! The session, one job per module:
//! - `api`: the public [`Session`];
//! - `login`: platform, transport options (SSH or telnet), the login dialogue, starting the
//!   keepalive;
//! - `telnet_login`: the credentials typed at a telnet device's prompts;
//! - `keepalive`: the `Keepalive` value, its task, echo learning, the bounded probe;
//! - `configure`: configuration sets (lines, commit/check, leaving and dropping, save), the
//!   way back to the base mode;
//! - `modes`: moving between modes, `enable` and what is typed at its password prompt;
//! - `io`: write, read until prompt/pattern/quiet, pager and questions, drains, last words;
//! - `transcript`: the session log, a terminal wrapped at the transport boundary;
//! - `state`: what a session is made of (shared core, locked I/O state, life record);
//! - `modemap`: the platform's modes as indices, prompts to modes, paths between them;
//! - `pattern`: regex compilation;
//! - `parsed`: commands whose output comes back as records (TextFSM), parsed off the session.
//!
//! Imports run one way, never back: `api` → `login` → `keepalive` → `io`; `login` →
//! `telnet_login` → `state`; `api` → `configure` → `modes` → `io` → `state` → `modemap`;
//! `login` → `modes`, `transcript`; `api`, `configure` and `modes` → `pattern`; `parsed` →
//! `api`.

mod api;
mod configure;
mod io;
mod keepalive;
mod login;
mod modemap;
mod modes;
mod parsed;
mod pattern;
mod state;
mod telnet_login;
mod transcript;

pub use api::Session;

#[cfg(test)]
mod config_tests;
#[cfg(test)]
mod tests;
