//! Platform personalities: one YAML file per platform (`personalities/NAME.yaml`, embedded by
//! the build script; more from a user directory), compiled once for the engine.
//!
//! Everything vendor-specific (prompts, mode graph, paging, messages, outputs) lives in the
//! file; the engine only interprets it. `raw.rs` is the file format (with `kinds.rs`, the enums
//! it names, and `raw_config.rs`, its `config:`/`filters:` sections), `pattern.rs` parses command
//! patterns, `config.rs` compiles the configuration model and filters, `telnet.rs` is the
//! `telnet:` section (negotiation and login over telnet), `compile.rs` turns a file
//! into the types of `types.rs`, `catalog.rs` finds a personality by name or alias.

mod catalog;
mod compile;
mod config;
mod kinds;
mod pattern;
mod raw;
mod raw_config;
mod telnet;
mod types;

pub(crate) use catalog::builtin as catalog_builtin;
pub use catalog::{platforms, Catalog};
pub use config::{ConfigModel, LinePath, Record, RuleTail};
pub use kinds::{
    Activity, BannerKeys, CandidateScope, EchoWrap, Exit, FilterOp, KeyRule, NoSecret, NulMode,
    SecretDefault, StepKind, TreeStyle,
};
pub use pattern::{match_line, named_value, render_line, ArgKind, Tok};
pub use types::{Command, IfType, Mode, Personality, SetOp, Slow, Step, Terminal};
