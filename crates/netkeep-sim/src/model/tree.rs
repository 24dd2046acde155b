//! The configuration as a tree of lines: a block (`interface GigabitEthernet1/0/1`, Junos
//! `system`) holds its lines; a line replaces an earlier one of the same setting; a negation
//! removes what it names. Layout lines (`!`, `#`, blank) stay where they are.

use super::setting::{setting_key, starts_with_words};
use crate::personality::{ConfigModel, TreeStyle};

/// One line of the configuration and the lines below it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Node {
    /// The line, without indentation (layout lines: as written).
    pub line: String,
    /// Lines below it.
    pub children: Vec<Node>,
    /// A block (shown as one even when empty).
    pub block: bool,
    /// A layout line: separator, comment or blank.
    pub layout: bool,
}

impl Node {
    /// A statement.
    pub fn leaf(line: &str) -> Node {
        Node {
            line: line.to_string(),
            ..Node::default()
        }
    }

    /// A block without lines yet.
    pub fn block(line: &str) -> Node {
        Node {
            line: line.to_string(),
            block: true,
            ..Node::default()
        }
    }

    /// A layout line.
    pub fn layout(line: &str) -> Node {
        Node {
            line: line.to_string(),
            layout: true,
            ..Node::default()
        }
    }
}

/// A whole configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tree {
    /// The top-level lines.
    pub top: Vec<Node>,
}

/// A configuration edit, values resolved (kept until `commit` on two-stage platforms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Set `line` in the block at `path` (created if missing), replacing its setting.
    Set {
        /// Block lines from the top.
        path: Vec<String>,
        /// The line.
        line: String,
    },
    /// Remove what `line` names in the block at `path`.
    Remove {
        /// Block lines from the top.
        path: Vec<String>,
        /// The words naming what goes.
        line: String,
    },
    /// Make sure the block at `path` exists.
    Block {
        /// Block lines from the top, the block itself last.
        path: Vec<String>,
    },
    /// Replace the whole configuration (`rollback N`).
    Replace(Box<Tree>),
}

/// Which part of the configuration a change touched (to refresh what is derived from it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Touched {
    /// Nothing changed.
    Nothing,
    /// The top-level entry with this line.
    Top(String),
    /// Everything may have changed.
    All,
}

fn find_line<'a>(nodes: &'a [Node], line: &str) -> Option<&'a Node> {
    nodes.iter().find(|n| !n.layout && n.line == line)
}

impl Tree {
    /// The lines of the block at `path` (the top for an empty path).
    pub fn children(&self, path: &[String]) -> Option<&[Node]> {
        let mut nodes: &[Node] = &self.top;
        for p in path {
            nodes = &find_line(nodes, p)?.children;
        }
        Some(nodes)
    }

    /// True if the block at `path` exists.
    pub fn has(&self, path: &[String]) -> bool {
        self.children(path).is_some()
    }

    /// Applies a change; says what it touched.
    pub fn apply(&mut self, cm: &ConfigModel, c: &Change) -> Touched {
        let top = |path: &[String], line: &str| {
            Touched::Top(path.first().map_or(line, String::as_str).to_string())
        };
        match c {
            Change::Set { path, line } => {
                let kids = self.ensure(cm, path);
                if set_line(cm, kids, line, path.is_empty()) {
                    top(path, line)
                } else {
                    Touched::Nothing
                }
            }
            Change::Remove { path, line } => {
                let removed = self.remove(cm, path, line);
                if removed {
                    top(path, line)
                } else {
                    Touched::Nothing
                }
            }
            Change::Block { path } => {
                if self.has(path) {
                    return Touched::Nothing;
                }
                self.ensure(cm, path);
                top(path, "")
            }
            Change::Replace(t) => {
                *self = (**t).clone();
                Touched::All
            }
        }
    }

    /// The lines of the block at `path`, creating missing blocks on the way.
    fn ensure(&mut self, cm: &ConfigModel, path: &[String]) -> &mut Vec<Node> {
        let mut nodes = &mut self.top;
        for (depth, p) in path.iter().enumerate() {
            let i = match nodes.iter().position(|n| !n.layout && n.line == *p) {
                Some(i) => i,
                None => insert(cm, nodes, Node::block(p), depth == 0),
            };
            nodes[i].block = true;
            nodes = &mut nodes[i].children;
        }
        nodes
    }

    /// Removes what `line` names from the block at `path`: lines starting with its words, else
    /// lines of the same setting. `{ }` containers left empty go too.
    fn remove(&mut self, cm: &ConfigModel, path: &[String], line: &str) -> bool {
        let Some(kids) = children_mut(&mut self.top, path) else {
            return false;
        };
        let before = kids.len();
        kids.retain(|n| n.layout || !starts_with_words(&n.line, line));
        if kids.len() == before {
            let key = setting_key(cm, line);
            kids.retain(|n| n.layout || setting_key(cm, &n.line) != key);
        }
        let removed = kids.len() != before;
        if removed && cm.style == TreeStyle::Braces {
            prune_empty(&mut self.top, path);
        }
        removed
    }
}

fn children_mut<'a>(mut nodes: &'a mut Vec<Node>, path: &[String]) -> Option<&'a mut Vec<Node>> {
    for p in path {
        let i = nodes.iter().position(|n| !n.layout && n.line == *p)?;
        nodes = &mut nodes[i].children;
    }
    Some(nodes)
}

/// Drops containers along `path` that are left empty, innermost first.
fn prune_empty(top: &mut Vec<Node>, path: &[String]) {
    for depth in (0..path.len()).rev() {
        let Some(parent) = children_mut(top, &path[..depth]) else {
            return;
        };
        parent.retain(|n| n.layout || n.line != path[depth] || !n.children.is_empty());
    }
}

/// Sets `line` among `kids`: replaces the line of the same setting, else inserts it. False if
/// the line was already there.
fn set_line(cm: &ConfigModel, kids: &mut Vec<Node>, line: &str, at_top: bool) -> bool {
    let key = setting_key(cm, line);
    let first = key.split(' ').next().unwrap_or("");
    // Cheap test first: the key's first word, or a negation, must lead the line.
    let same = |n: &Node| {
        !n.layout
            && n.line.split_whitespace().next().is_some_and(|w| {
                w.eq_ignore_ascii_case(first) || cm.negate.iter().any(|x| x.eq_ignore_ascii_case(w))
            })
            && setting_key(cm, &n.line) == key
    };
    match kids.iter().position(same) {
        Some(i) => {
            let changed = kids[i].line != line;
            kids[i].line = line.to_string();
            let mut seen = 0;
            kids.retain(|n| {
                !same(n) || {
                    seen += 1;
                    seen == 1
                }
            });
            changed
        }
        None => {
            insert(cm, kids, Node::leaf(line), at_top);
            true
        }
    }
}

/// The rank of a line in the personality's `order` (unlisted: after all listed).
fn rank(cm: &ConfigModel, line: &str) -> usize {
    cm.order
        .iter()
        .position(|o| starts_with_words(line, o))
        .unwrap_or(cm.order.len())
}

fn number_after_first(line: &str) -> Option<u64> {
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Inserts `node` where the device would show it: with the lines that start with the same word
/// (in number order when they are numbered: `vlan 10`, `vlan 120`), else by the `order` rule,
/// else last. At the top, separated from its neighbours. Returns its index.
fn insert(cm: &ConfigModel, kids: &mut Vec<Node>, node: Node, at_top: bool) -> usize {
    let first = node
        .line
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string();
    let num = number_after_first(&node.line);
    let group: Vec<usize> = (0..kids.len())
        .filter(|&i| !kids[i].layout && kids[i].line.split_whitespace().next() == Some(&first))
        .collect();
    let sep = at_top.then_some(cm.separator.as_deref()).flatten();
    let pos = if let Some(&last) = group.last() {
        let before = num.and_then(|n| {
            group
                .iter()
                .find(|&&i| number_after_first(&kids[i].line).is_some_and(|m| m > n))
        });
        match before {
            Some(&i) => i,
            None => skip_separator(kids, last + 1, sep),
        }
    } else {
        let r = rank(cm, &node.line);
        let later = (r < cm.order.len())
            .then(|| kids.iter().position(|n| !n.layout && rank(cm, &n.line) > r))
            .flatten();
        match later {
            Some(i) => i,
            None => kids.len(),
        }
    };
    place(kids, pos, node, sep)
}

/// Past a separator line right after an entry (it belongs to that entry).
fn skip_separator(kids: &[Node], pos: usize, sep: Option<&str>) -> usize {
    match (kids.get(pos), sep) {
        (Some(n), Some(s)) if n.layout && n.line == s => pos + 1,
        _ => pos,
    }
}

/// Puts `node` at `pos`; with a separator, makes sure one comes before and after it.
fn place(kids: &mut Vec<Node>, pos: usize, node: Node, sep: Option<&str>) -> usize {
    let Some(s) = sep else {
        kids.insert(pos, node);
        return pos;
    };
    let is_sep = |n: Option<&Node>| n.is_some_and(|n| n.layout && n.line == s);
    let mut pos = pos;
    if pos > 0 && !is_sep(kids.get(pos - 1)) {
        kids.insert(pos, Node::layout(s));
        pos += 1;
    }
    kids.insert(pos, node);
    if !is_sep(kids.get(pos + 1)) {
        kids.insert(pos + 1, Node::layout(s));
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tree_text::{parse, render};
    use crate::personality::catalog_builtin;

    fn ios() -> std::sync::Arc<crate::personality::Personality> {
        catalog_builtin("cisco_ios").unwrap()
    }

    #[test]
    fn set_replaces_the_same_setting_and_negation_removes_it() {
        let p = ios();
        let cm = &p.config;
        let mut t = parse(cm, "hostname R1\n!\ninterface Gi0/1\n no ip address\n!\n");
        let set = |l: &str| Change::Set {
            path: vec![],
            line: l.into(),
        };
        t.apply(cm, &set("logging buffered 20000"));
        t.apply(cm, &set("logging buffered 20010"));
        let text = render(cm, &t);
        assert!(
            text.contains("logging buffered 20010") && !text.contains("20000"),
            "{text}"
        );
        let gone = t.apply(
            cm,
            &Change::Remove {
                path: vec![],
                line: "logging buffered 4096".into(),
            },
        );
        assert_eq!(gone, Touched::Top("logging buffered 4096".into()));
        assert!(!render(cm, &t).contains("logging"));
        t.apply(
            cm,
            &Change::Set {
                path: vec!["interface Gi0/1".into()],
                line: "description uplink".into(),
            },
        );
        let text = render(cm, &t);
        assert!(
            text.contains("interface Gi0/1\n description uplink\n no ip address\n"),
            "{text}"
        );
    }
}
