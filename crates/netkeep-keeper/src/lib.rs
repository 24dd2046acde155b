//! netkeep-keeper: the `netkeep serve` daemon — inventory, warm session pools, and the API.
pub mod api;
pub mod client;
pub mod daemon;
pub mod inventory;
pub mod keeper;
pub mod render;
pub mod session;

/// Parses `3s`, `500ms`, `10m` (humantime) for CLI flags.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(s)
        .map_err(|e| format!("bad duration `{s}` ({e}); expected e.g. 3s, 500ms, 10m"))
}
pub mod netkeep_conn;
