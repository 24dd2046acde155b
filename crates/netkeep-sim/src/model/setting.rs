//! What a configuration line sets: its setting key (a later line with the same key replaces
//! it; a negation removes it), and for `{ }`-style configurations, which words of a `set` path
//! are containers and which the statement.

use crate::personality::{ConfigModel, KeyRule, RuleTail};

/// A word that is a value rather than a keyword: starts with a digit or a quote.
fn is_value(w: &str) -> bool {
    w.starts_with(|c: char| c.is_ascii_digit() || c == '"')
}

/// The words of `line`, lower case, without a leading negation of a setting whose negation is
/// itself a line (`no shutdown` → `shutdown`).
fn key_words(cm: &ConfigModel, line: &str) -> Vec<String> {
    let mut words: Vec<String> = line
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    if words.len() > 1
        && cm.negate.contains(&words[0])
        && cm
            .negated_settings
            .iter()
            .any(|s| line_starts(&words[1..], s))
    {
        words.remove(0);
    }
    words
}

fn line_starts(words: &[String], prefix: &str) -> bool {
    let p: Vec<&str> = prefix.split_whitespace().collect();
    p.len() <= words.len() && p.iter().zip(words).all(|(a, b)| a == b)
}

/// The setting a line sets, as lower-case words joined by one space.
///
/// `logging buffered 20010` → `logging buffered`; with a rule `ip route +` every route is its
/// own setting; with `key: first_word` (Junos) `archive size 120k files 3` → `archive`.
pub fn setting_key(cm: &ConfigModel, line: &str) -> String {
    let words = key_words(cm, line);
    for rule in &cm.settings {
        let fits = rule.words.len() <= words.len()
            && rule
                .words
                .iter()
                .zip(&words)
                .all(|(r, w)| r == "*" || r == w);
        if fits {
            return match rule.tail {
                RuleTail::Value => words[..rule.words.len()].join(" "),
                RuleTail::Whole => words.join(" "),
            };
        }
    }
    let n = match cm.key {
        KeyRule::FirstWord => 1,
        KeyRule::LeadingKeywords => words
            .iter()
            .rposition(|w| !is_value(w))
            .map_or(words.len(), |i| i + 1),
    };
    words[..n.min(words.len())].join(" ")
}

/// True if `line` starts with the words of `prefix` (case-insensitive, whole words).
pub fn starts_with_words(line: &str, prefix: &str) -> bool {
    let mut l = line.split_whitespace();
    prefix
        .split_whitespace()
        .all(|p| l.next().is_some_and(|w| w.eq_ignore_ascii_case(p)))
}

/// Splits a `{ }`-style `set` path into its containers and the statement below them
/// (`None` when the path names a container). The first word is always a container; further
/// words open containers where the personality's `containers` say so (`*` = a named one,
/// `unit *` = a keyword and its name as one container).
///
/// `system syslog archive size 120k` → (`[system, syslog]`, `archive size 120k`).
pub fn resolve_set(cm: &ConfigModel, words: &[&str]) -> (Vec<String>, Option<String>) {
    let Some((first, rest)) = words.split_first() else {
        return (Vec::new(), None);
    };
    let mut path = vec![first.to_string()];
    let mut schema: Vec<&str> = vec![first];
    let mut i = 0;
    'walk: while i < rest.len() {
        for c in &cm.containers {
            if c.len() != schema.len() + 1 || !c.iter().zip(&schema).all(|(a, b)| a == b) {
                continue;
            }
            let elem = c[schema.len()].as_str();
            let elem_words: Vec<&str> = elem.split_whitespace().collect();
            let n = elem_words.len();
            if i + n > rest.len() {
                continue;
            }
            let fits = elem_words
                .iter()
                .zip(&rest[i..i + n])
                .all(|(e, w)| *e == "*" || e.eq_ignore_ascii_case(w));
            if fits {
                path.push(rest[i..i + n].join(" "));
                schema.push(elem);
                i += n;
                continue 'walk;
            }
        }
        break;
    }
    let leaf = (i < rest.len()).then(|| rest[i..].join(" "));
    (path, leaf)
}
