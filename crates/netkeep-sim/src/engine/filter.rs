//! Output filters after a `|` (`| include logging`, Junos `| match archive | count`): which
//! filters a platform has, their words and regex semantics, come from its personality; this
//! parses a filter text against them and applies the result to a command's output.

use regex::{Regex, RegexBuilder};

use super::matcher::{match_pattern, tokenize};
use crate::model::display_set;
use crate::personality::{FilterOp, Personality};
use crate::template::{Pairs, Scope};

/// Longest regex a filter accepts (a device caps it too).
const MAX_REGEX: usize = 1024;

/// One parsed filter: its definition (index into the personality's filters) and its regex.
struct Applied {
    def: usize,
    op: FilterOp,
    re: Option<Regex>,
}

/// The filters of one command line, in order.
pub(super) struct Chain(Vec<Applied>);

/// Splits `line` at its first `|` word when the platform has filters: the command and the
/// filter text.
pub(super) fn split<'a>(p: &Personality, line: &'a str) -> Option<(&'a str, &'a str)> {
    if p.filters.ops.is_empty() {
        return None;
    }
    let (off, _) = tokenize(line)
        .into_iter()
        .find(|(_, t)| t.starts_with('|'))?;
    let cmd = line[..off].trim_end();
    (!cmd.is_empty()).then(|| (cmd, &line[off + 1..]))
}

/// Parses the filter text (after the first `|`); `None` if it is not a filter of this platform
/// or its regex is invalid.
pub(super) fn parse(p: &Personality, text: &str) -> Option<Chain> {
    let parts: Vec<&str> = if p.filters.chain {
        let mut parts = Vec::new();
        let mut start = 0;
        for (off, t) in tokenize(text) {
            if t == "|" {
                parts.push(&text[start..off]);
                start = off + 1;
            }
        }
        parts.push(&text[start..]);
        parts
    } else {
        vec![text]
    };
    parts
        .into_iter()
        .map(|t| one(p, t))
        .collect::<Option<_>>()
        .map(Chain)
}

fn one(p: &Personality, text: &str) -> Option<Applied> {
    let toks = tokenize(text);
    for (i, f) in p.filters.ops.iter().enumerate() {
        let Ok(vars) = match_pattern(p, &f.pattern, text, &toks) else {
            continue;
        };
        let re = match vars.0.first() {
            Some((_, r)) if !r.is_empty() => Some(
                RegexBuilder::new(r)
                    .case_insensitive(f.ignore_case)
                    .size_limit(1 << 20)
                    .build()
                    .ok()
                    .filter(|_| r.len() <= MAX_REGEX)?,
            ),
            _ => None,
        };
        return Some(Applied {
            def: i,
            op: f.op,
            re,
        });
    }
    None
}

impl Chain {
    /// The output goes out without the pager (`| no-more`).
    pub fn no_more(&self) -> bool {
        self.0.iter().any(|a| a.op == FilterOp::NoMore)
    }

    /// The output is to be replaced by the uncommitted changes (`| compare`).
    pub fn compare(&self) -> bool {
        self.0.iter().any(|a| a.op == FilterOp::Compare)
    }

    /// Runs `text` through the filters.
    pub fn apply(&self, p: &Personality, text: String) -> String {
        self.0.iter().fold(text, |t, a| a.apply(p, &t))
    }
}

impl Applied {
    fn hit(&self, line: &str) -> bool {
        self.re.as_ref().is_none_or(|r| r.is_match(line))
    }

    fn apply(&self, p: &Personality, text: &str) -> String {
        let keep = |lines: Vec<&str>| {
            let mut s = lines.join("\n");
            if !s.is_empty() {
                s.push('\n');
            }
            s
        };
        let lines = text.lines();
        match self.op {
            FilterOp::Include => keep(lines.filter(|l| self.hit(l)).collect()),
            FilterOp::Exclude => keep(lines.filter(|l| !self.hit(l)).collect()),
            FilterOp::Begin => keep(lines.skip_while(|l| !self.hit(l)).collect()),
            FilterOp::Section => keep(self.section(text)),
            FilterOp::Count => {
                let n = lines.filter(|l| self.hit(l)).count().to_string();
                match &p.filters.ops[self.def].output {
                    Some(t) => t.to_string(&Scope {
                        vars: &Pairs(&[("count", &n)]),
                        parent: None,
                    }),
                    None => n,
                }
            }
            FilterOp::DisplaySet => display_set(text),
            FilterOp::NoMore | FilterOp::Compare => text.to_string(),
        }
    }

    /// IOS `| section`: a matching top-level line with the indented lines below it; a matching
    /// indented line with its top-level line.
    fn section<'t>(&self, text: &'t str) -> Vec<&'t str> {
        let mut out = Vec::new();
        let mut head: Option<&str> = None;
        let mut taking = false;
        let mut head_shown = false;
        for l in text.lines() {
            let indented = l.starts_with(' ');
            if !indented {
                head = Some(l);
                taking = self.hit(l);
                head_shown = taking;
                if taking {
                    out.push(l);
                }
            } else if taking {
                out.push(l);
            } else if self.hit(l) {
                if let (false, Some(h)) = (head_shown, head) {
                    out.push(h);
                    head_shown = true;
                }
                out.push(l);
            }
        }
        out
    }
}
