//! The `config:` and `filters:` sections of a personality file, as written. Compiled by
//! `config.rs`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::kinds::{FilterOp, KeyRule, TreeStyle};

/// How the device keeps and shows its configuration (every key optional; Cisco-like defaults).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    #[serde(default)]
    pub style: TreeStyle,
    /// Indentation of each level below the top (IOS " ", NX-OS "  ", EOS "   ").
    #[serde(default = "one_space")]
    pub indent: String,
    /// Written before top-level statements that are not blocks (Comware's " sysname H3C").
    #[serde(default)]
    pub leaf_prefix: String,
    /// Indented style: the line that closes a block, written after its lines and skipped when
    /// reading a configuration: one for every block (ProCurve's `exit`), or one per first word
    /// of the block (FortiOS: `{config: end, edit: next}`).
    #[serde(default)]
    pub block_end: Option<BlockEnd>,
    /// The block end goes at the block's own indentation (FortiOS), not its lines' (ProCurve).
    #[serde(default)]
    pub block_end_outdent: bool,
    /// `{ }` style: written after a statement (Junos `;`, the default; VyOS and SR OS MD-CLI
    /// write nothing).
    #[serde(default)]
    pub leaf_end: Option<String>,
    /// Lines starting with one of these (and blank lines) are layout: kept where they are.
    #[serde(default)]
    pub comments: Vec<String>,
    /// Written around a new top-level entry (`!`, `#`).
    #[serde(default)]
    pub separator: Option<String>,
    /// Words that make a line remove what follows (`no`, `undo`).
    #[serde(default = "default_negate")]
    pub negate: Vec<String>,
    /// Settings whose negation is itself a line of the configuration (NX-OS `no shutdown`).
    #[serde(default)]
    pub negated_settings: Vec<String>,
    #[serde(default)]
    pub key: KeyRule,
    /// Setting rules: `description ...` (rest is the value), `username * ...` (one word of the
    /// key is free), `ip route +` (the whole line is the key: a list).
    #[serde(default)]
    pub settings: Vec<String>,
    /// Order of lines inside a block, by leading words (unlisted lines go after listed ones).
    #[serde(default)]
    pub order: Vec<String>,
    /// `{ }` style: which `set` words open containers (`system/syslog`, `interfaces/*`).
    #[serde(default)]
    pub containers: Vec<String>,
    /// `{ }` style: the statements a `set`/`delete` path may start with (empty: any).
    #[serde(default)]
    pub roots: Vec<String>,
    /// The configuration the device starts with (template or `@output`), without header and
    /// footer.
    #[serde(default)]
    pub initial: Option<String>,
    /// Where the hostname is (`hostname <name>`, `system / host-name <name>`).
    #[serde(default)]
    pub hostname: Option<String>,
    /// Interface blocks and their fields.
    #[serde(default)]
    pub interface: Option<RawRecord>,
    /// VLANs.
    #[serde(default)]
    pub vlan: Option<RawRecord>,
    /// The VTY idle timeout (`timeout` field: `<min>`, `<sec>`).
    #[serde(default)]
    pub idle: Option<RawRecord>,
    /// Static routes (`<dest>`, `<mask>` or a `/prefix` in `<dest>`, `<via>`).
    #[serde(default)]
    pub route: Option<RawRecord>,
}

fn one_space() -> String {
    " ".into()
}

fn default_negate() -> Vec<String> {
    vec!["no".into()]
}

/// `block_end:` as written: one line for every block, or one per first word.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum BlockEnd {
    /// Every block.
    All(String),
    /// By the block's first word.
    ByWord(BTreeMap<String, String>),
}

/// Records kept in the configuration: a block path (`a / b / <name>`) and fields below it.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRecord {
    pub block: String,
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// Output filters after `|`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFilters {
    /// Several filters may follow each other (`| match a | except b`).
    #[serde(default)]
    pub chain: bool,
    pub ops: Vec<RawFilter>,
}

/// One filter: its words after the `|`, what it does, how its regex matches.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFilter {
    pub cmd: String,
    pub op: FilterOp,
    #[serde(default)]
    pub ignore_case: bool,
    /// For `count`: the text (`{{count}}`).
    #[serde(default)]
    pub output: Option<String>,
}
