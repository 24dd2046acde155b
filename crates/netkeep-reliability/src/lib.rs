//! netkeep's cross-crate reliability harness: the fuzz targets ([`fuzz`], driven by
//! `cargo fuzz` or the stable-Rust `netkeep-fuzz` binary) and network-namespace helpers
//! ([`netns`]) for tests under `tc netem` delay and loss. Its tests (faults, bad input, secrets,
//! network impairment) run simulated devices behind a real daemon with netkeep-testkit's `Lab`.
//!
//! Where it sits: on top of everything (session, keeper, simulator), beside the chain; never
//! published.
//!
//! ```
//! use netkeep_reliability::fuzz;
//! fuzz::clean_output(b"display clock\r\n10:00\x1b[K\r\n<H3C>");
//! ```
#![warn(missing_docs)]

pub mod fuzz;
pub mod netns;
