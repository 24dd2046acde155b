//! Platform personalities: one YAML file per platform (`personalities/NAME.yaml`, embedded by
//! the build script; more from a user directory), compiled once for the engine.
//!
//! Everything vendor-specific (prompts, mode graph, paging, messages, outputs) lives in the
//! file; the engine only interprets it. `raw.rs` is the file format (with `kinds.rs`, the enums
//! it names), `pattern.rs` parses command patterns, `compile.rs` turns a file into the types of
//! `types.rs`, `catalog.rs` finds a personality by name or alias.

mod catalog;
mod compile;
mod kinds;
mod pattern;
mod raw;
mod types;

pub(crate) use catalog::builtin as catalog_builtin;
pub use catalog::{platforms, Catalog};
pub use kinds::{Activity, CandidateScope, Exit, NulMode, StepKind};
pub use pattern::{ArgKind, Tok};
pub use types::{Command, IfType, Personality, SetOp, Slow, Step, Terminal};
