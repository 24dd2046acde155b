//! The session, one job per module. Imports run one way:
//! `api` → `login` → `keepalive` → `modes` → `io` → `state` → `modemap` → `pattern`.

mod api;
mod io;
mod keepalive;
mod login;
mod modemap;
mod modes;
mod pattern;
mod state;

pub use api::Session;

#[cfg(test)]
mod tests;
