//! Configuration edits, their values rendered, turned into changes of the tree: a typed line at
//! the current block (a negation removes), a `{ }`-style `set`/`delete` path, or a named change
//! (hostname, description, VLAN, idle timeout) written where the personality keeps it.

use crate::model::{remove_field, resolve_set, write_line, write_record, Change, DeviceState};
use crate::personality::{ConfigModel, Mode, Personality, SetOp};
use crate::template::{Pairs, Scope, Template};

/// An edit with its values rendered.
pub(super) enum Edit {
    /// A line typed at the current block.
    Line(String),
    /// `{ }`-style `set` words.
    SetPath(String),
    /// `{ }`-style `delete` words.
    DeletePath(String),
    /// New hostname.
    Hostname(String),
    /// Interface, description.
    Description(String, String),
    /// Interface whose description goes.
    UndoDescription(String),
    /// New VLAN.
    Vlan(String),
    /// Idle timeout minutes, seconds.
    Idle(String, String),
}

/// The edit an operation makes, its templates rendered by `r`; `None` if it is not one or its
/// value is out of range.
pub(super) fn edit(op: &SetOp, r: &dyn Fn(&Template) -> String) -> Option<Edit> {
    Some(match op {
        SetOp::Hostname(t) => Edit::Hostname(Some(r(t)).filter(|h| !h.is_empty())?),
        SetOp::InterfaceDescription { interface, text } => Edit::Description(r(interface), r(text)),
        SetOp::UndoDescription { interface } => Edit::UndoDescription(r(interface)),
        SetOp::Vlan(t) => match r(t).parse::<u32>() {
            Ok(v) if (1..=4094).contains(&v) => Edit::Vlan(v.to_string()),
            _ => return None,
        },
        SetOp::IdleTimeout { minutes, seconds } => Edit::Idle(r(minutes), r(seconds)),
        SetOp::Config(t) => Edit::Line(r(t)),
        SetOp::ConfigSet(t) => Edit::SetPath(r(t)),
        SetOp::ConfigDelete(t) => Edit::DeletePath(r(t)),
        _ => return None,
    })
}

/// Normalises a typed line: single spaces between words.
fn words(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The change a typed line makes in the block at `path`: a negation removes what follows it
/// (unless the negated setting is itself a line, NX-OS `no shutdown`); anything else sets.
pub(super) fn line_change(cm: &ConfigModel, path: Vec<String>, line: &str) -> Change {
    let line = words(line);
    let (first, rest) = line.split_once(' ').unwrap_or((&line, ""));
    let negated = cm.negate.iter().any(|n| n.eq_ignore_ascii_case(first)) && !rest.is_empty();
    let kept = cm
        .negated_settings
        .iter()
        .any(|s| crate::model::starts_with_words(rest, s));
    if negated && !kept {
        return Change::Remove {
            path,
            line: rest.to_string(),
        };
    }
    Change::Set { path, line }
}

/// The level (0 = current mode) whose configuration words take `line`, if any. A word entry
/// of several words (`ip address`) takes only lines starting with all of them, so that
/// `ip route` typed in interface mode goes to the global level as on the device.
pub(super) fn accepting_level(p: &Personality, levels: &[usize], line: &str) -> Option<usize> {
    let mut words: Vec<String> = line
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    if words.len() > 1 && p.config.negate.contains(&words[0]) {
        words.remove(0);
    }
    if words.is_empty() {
        return None;
    }
    levels.iter().position(|&m| takes(&p.modes[m], &words))
}

fn takes(m: &Mode, words: &[String]) -> bool {
    m.config_words.iter().any(|w| {
        w == "*" || {
            let need: Vec<&str> = w.split_whitespace().collect();
            need.len() <= words.len() && need.iter().zip(words).all(|(a, b)| a == b)
        }
    })
}

/// True if a `{ }`-style path starts with a statement the platform has.
fn rooted(cm: &ConfigModel, words: &str) -> bool {
    let first = words.split_whitespace().next().unwrap_or("");
    cm.roots.is_empty() || cm.roots.iter().any(|r| r.eq_ignore_ascii_case(first))
}

/// The changes an edit makes in the block at `path`; `None` if the device would refuse it (a
/// `set` path that starts with no statement it has).
pub(super) fn changes(
    p: &Personality,
    st: &DeviceState,
    path: Vec<String>,
    e: Edit,
) -> Option<Vec<Change>> {
    if let Edit::SetPath(w) | Edit::DeletePath(w) = &e {
        if !rooted(&p.config, w) {
            return None;
        }
    }
    Some(named_changes(p, st, path, e))
}

fn named_changes(p: &Personality, st: &DeviceState, path: Vec<String>, e: Edit) -> Vec<Change> {
    let cm = &p.config;
    match e {
        Edit::Line(l) => vec![line_change(cm, path, &l)],
        Edit::SetPath(s) => {
            let w: Vec<&str> = s.split_whitespace().collect();
            match resolve_set(cm, &w) {
                (path, Some(line)) => vec![Change::Set { path, line }],
                (path, None) if !path.is_empty() => vec![Change::Block { path }],
                _ => Vec::new(),
            }
        }
        Edit::DeletePath(s) => {
            let w: Vec<&str> = s.split_whitespace().collect();
            match resolve_set(cm, &w) {
                (path, Some(line)) => vec![Change::Remove { path, line }],
                (mut path, None) => match path.pop() {
                    Some(line) => vec![Change::Remove { path, line }],
                    None => Vec::new(),
                },
            }
        }
        named => state_changes(p, st, named),
    }
}

/// The named state edits (hostname, description, VLAN, idle timeout), written where the
/// personality's records keep them.
fn state_changes(p: &Personality, st: &DeviceState, e: Edit) -> Vec<Change> {
    let cm = &p.config;
    match e {
        Edit::Hostname(h) => cm
            .hostname
            .as_ref()
            .and_then(|hp| write_line(hp, &|k| (k == "name").then(|| h.clone())))
            .into_iter()
            .collect(),
        Edit::Description(i, t) => {
            let var = |k: &str| match k {
                "name" => Some(i.clone()),
                "description" => Some(t.clone()),
                _ => None,
            };
            write_record(&st.running, &cm.interface, &var, &["description"]).unwrap_or_default()
        }
        Edit::UndoDescription(i) => {
            let var = |k: &str| (k == "name").then(|| i.clone());
            remove_field(&st.running, &cm.interface, &var, "description")
                .into_iter()
                .collect()
        }
        Edit::Vlan(id) => {
            let name = p.inventory.vlan_name.to_string(&Scope {
                vars: &Pairs(&[("id", &id)]),
                parent: None,
            });
            let var = |k: &str| match k {
                "id" => Some(id.clone()),
                "name" => Some(name.clone()),
                _ => None,
            };
            match &cm.vlan {
                Some(r) => write_record(&st.running, r, &var, &["id"]).unwrap_or_default(),
                None => Vec::new(),
            }
        }
        Edit::Idle(min, sec) => {
            let inv = &p.inventory;
            let var = |k: &str| match k {
                "min" => Some(min.clone()),
                "sec" => Some(sec.clone()),
                "a" => Some(inv.vty_first.to_string()),
                "b" => Some(inv.vty_last.to_string()),
                _ => None,
            };
            match &cm.idle {
                Some(r) => write_record(&st.running, r, &var, &["timeout"]).unwrap_or_default(),
                None => Vec::new(),
            }
        }
        Edit::Line(_) | Edit::SetPath(_) | Edit::DeletePath(_) => Vec::new(),
    }
}
