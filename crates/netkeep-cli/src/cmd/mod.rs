//! Subcommands. Each module owns its clap `Args` and an async `run`.

pub mod audit;
pub mod config;
pub mod demo;
pub mod exec;
pub mod parse;
pub mod serve;
pub mod sim;
pub mod status;
