//! The compiled `config:` and `filters:` sections: how a device keeps its configuration tree
//! (layout, setting keys, negation, `{ }` containers), where state lives in it (hostname,
//! interfaces, VLANs, idle timeout, routes), and which output filters follow a `|`.

use super::kinds::{FilterOp, KeyRule, TreeStyle};
use super::pattern::{parse_pattern, Tok};
use super::raw_config::{BlockEnd, RawConfig, RawFilters, RawRecord};
use crate::template::Template;

/// A path in the configuration tree: one pattern per level, the last one for the line itself
/// (`system / host-name <name>`).
pub type LinePath = Vec<Vec<Tok>>;

/// Records kept in the configuration (interfaces, VLANs, routes): the block each one is, and
/// fields found below it. The arguments the patterns bind are the record's variables; a field
/// without arguments binds its own name to "1" when present.
#[derive(Debug, Clone)]
pub struct Record {
    /// Path of the record's line from the top of the configuration.
    pub block: LinePath,
    /// Named fields, paths relative to the block.
    pub fields: Vec<(String, LinePath)>,
}

/// How the rest of a line after a setting rule's words is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleTail {
    /// `...`: the rest is the value (a later line with the same words replaces it).
    Value,
    /// `+`: the whole line is the key (a list: lines differing anywhere coexist).
    Whole,
}

/// A setting rule (`username * ...`): words (`*` = any one word) and what follows.
#[derive(Debug, Clone)]
pub struct SettingRule {
    /// Leading words; `*` matches any word.
    pub words: Vec<String>,
    /// The rest of the line.
    pub tail: RuleTail,
}

impl ConfigModel {
    /// The line that closes a block starting with `line`, if the personality writes one.
    pub fn block_end(&self, line: &str) -> Option<&str> {
        let word = line.split_whitespace().next().unwrap_or("");
        self.block_ends
            .iter()
            .find(|(w, _)| w == word || w == "*")
            .map(|(_, e)| e.as_str())
    }

    /// True for a line that only closes a block.
    pub fn is_block_end(&self, trimmed: &str) -> bool {
        self.block_ends.iter().any(|(_, e)| e == trimmed)
    }
}

/// How a device keeps, shows and edits its configuration.
#[derive(Debug)]
pub struct ConfigModel {
    /// Indented or `{ }` blocks.
    pub style: TreeStyle,
    /// Indentation per level.
    pub indent: String,
    /// Before top-level statements that are not blocks.
    pub leaf_prefix: String,
    /// `{ }` style: after a statement (`;`).
    pub leaf_end: String,
    /// Indented style: the line closing a block, by the block's first word (`*`: any block).
    pub block_ends: Vec<(String, String)>,
    /// The block end goes at the block's own indentation.
    pub block_end_outdent: bool,
    /// Layout lines (kept in place).
    pub comments: Vec<String>,
    /// Written around a new top-level entry.
    pub separator: Option<String>,
    /// Words that negate a line.
    pub negate: Vec<String>,
    /// Settings whose negation is itself a configuration line.
    pub negated_settings: Vec<String>,
    /// Default setting-key rule.
    pub key: KeyRule,
    /// Setting rules, first match wins.
    pub settings: Vec<SettingRule>,
    /// Order of lines inside a block, by leading words.
    pub order: Vec<String>,
    /// `{ }` style: container paths (`*` = a named container).
    pub containers: Vec<Vec<String>>,
    /// `{ }` style: the statements a path may start with (empty: any).
    pub roots: Vec<String>,
    /// The configuration the device starts with.
    pub initial: Option<Template>,
    /// Where the hostname is.
    pub hostname: Option<LinePath>,
    /// Interface blocks (`<name>`; fields `description`, `address` (`<ip>` `<mask>`),
    /// `shutdown`, `vlan`).
    pub interface: Record,
    /// VLANs (`<id>`, `<name>`).
    pub vlan: Option<Record>,
    /// The VTY idle timeout (field `timeout`: `<min>`, `<sec>`).
    pub idle: Option<Record>,
    /// Static routes (`<dest>`, `<mask>`, `<via>`).
    pub route: Option<Record>,
}

/// One compiled output filter.
#[derive(Debug)]
pub struct Filter {
    /// Its words after the `|`.
    pub pattern: Vec<Tok>,
    /// What it does.
    pub op: FilterOp,
    /// The regex ignores case.
    pub ignore_case: bool,
    /// Text of `count` (`{{count}}`).
    pub output: Option<Template>,
}

/// The output filters of a platform (none: a `|` is just a character).
#[derive(Debug, Default)]
pub struct Filters {
    /// Filters may follow each other.
    pub chain: bool,
    /// The filters.
    pub ops: Vec<Filter>,
}

type TemplateFn<'a> = &'a dyn Fn(&str) -> Result<Template, String>;

/// A ` / `-separated path of patterns.
fn line_path(s: &str) -> Result<LinePath, String> {
    s.split(" / ").map(|p| parse_pattern(p.trim())).collect()
}

fn record(r: &RawRecord) -> Result<Record, String> {
    Ok(Record {
        block: line_path(&r.block)?,
        fields: r
            .fields
            .iter()
            .map(|(k, v)| Ok((k.clone(), line_path(v)?)))
            .collect::<Result<_, String>>()?,
    })
}

fn default_interface() -> Result<Record, String> {
    record(&RawRecord {
        block: "interface <name>".into(),
        fields: [
            ("description", "description <description...>"),
            ("address", "ip address <ip> <mask?>"),
            ("shutdown", "shutdown"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect(),
    })
}

fn setting_rule(s: &str) -> SettingRule {
    let mut words: Vec<String> = s.split_whitespace().map(str::to_ascii_lowercase).collect();
    let tail = match words.last().map(String::as_str) {
        Some("+") => RuleTail::Whole,
        _ => RuleTail::Value,
    };
    if matches!(words.last().map(String::as_str), Some("+" | "...")) {
        words.pop();
    }
    SettingRule { words, tail }
}

/// Compiles the `config:` section (defaults when absent); `t` parses templates (`@name` too).
pub(super) fn compile_config(
    raw: Option<&RawConfig>,
    t: TemplateFn,
) -> Result<ConfigModel, String> {
    let default = RawConfig {
        indent: " ".into(),
        negate: vec!["no".into()],
        ..RawConfig::default()
    };
    let r = raw.unwrap_or(&default);
    let lower = |v: &[String]| v.iter().map(|x| x.to_ascii_lowercase()).collect::<Vec<_>>();
    Ok(ConfigModel {
        style: r.style,
        indent: r.indent.clone(),
        leaf_prefix: r.leaf_prefix.clone(),
        leaf_end: r.leaf_end.clone().unwrap_or_else(|| ";".into()),
        block_ends: match &r.block_end {
            None => Vec::new(),
            Some(BlockEnd::All(e)) => vec![("*".into(), e.clone())],
            Some(BlockEnd::ByWord(m)) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        },
        block_end_outdent: r.block_end_outdent,
        comments: r.comments.clone(),
        separator: r.separator.clone(),
        negate: lower(&r.negate),
        negated_settings: lower(&r.negated_settings),
        key: r.key,
        settings: r.settings.iter().map(|s| setting_rule(s)).collect(),
        order: lower(&r.order),
        containers: r
            .containers
            .iter()
            .map(|c| c.split('/').map(|x| x.trim().to_string()).collect())
            .collect(),
        roots: lower(&r.roots),
        initial: r.initial.as_deref().map(t).transpose()?,
        hostname: line_path(r.hostname.as_deref().unwrap_or("hostname <name>")).map(Some)?,
        interface: match &r.interface {
            Some(i) => record(i)?,
            None => default_interface()?,
        },
        vlan: match &r.vlan {
            Some(v) => Some(record(v)?),
            None => Some(record(&RawRecord {
                block: "vlan <id:num>".into(),
                fields: [("name".to_string(), "name <name...>".to_string())].into(),
            })?),
        },
        idle: r.idle.as_ref().map(record).transpose()?,
        route: r.route.as_ref().map(record).transpose()?,
    })
}

/// Compiles the `filters:` section.
pub(super) fn compile_filters(raw: Option<&RawFilters>, t: TemplateFn) -> Result<Filters, String> {
    let Some(r) = raw else {
        return Ok(Filters::default());
    };
    let ops = r
        .ops
        .iter()
        .map(|f| {
            Ok(Filter {
                pattern: parse_pattern(&f.cmd)?,
                op: f.op,
                ignore_case: f.ignore_case,
                output: f.output.as_deref().map(t).transpose()?,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(Filters {
        chain: r.chain,
        ops,
    })
}
