//! A configuration tree as text and back, in the vendor's layout: indented blocks (Cisco,
//! Comware, VRP, EOS, NX-OS) or `{ }` blocks (Junos); Junos `| display set` and `| compare`.

use std::fmt::Write as _;

use super::tree::{Node, Tree};
use crate::personality::{ConfigModel, TreeStyle};

/// Reads configuration text written in the personality's layout.
pub fn parse(cm: &ConfigModel, text: &str) -> Tree {
    match cm.style {
        TreeStyle::Indent => parse_indent(cm, text),
        TreeStyle::Braces => parse_braces(text),
    }
}

fn is_layout(cm: &ConfigModel, trimmed: &str) -> bool {
    trimmed.is_empty() || cm.comments.iter().any(|c| trimmed.starts_with(c.as_str()))
}

/// Each line belongs to the nearest line above it that is indented less; a layout line at the
/// left margin closes every block.
fn parse_indent(cm: &ConfigModel, text: &str) -> Tree {
    let mut tree = Tree::default();
    // Indices of the open blocks (the path to the current one) and their indentation.
    let mut open: Vec<(usize, usize)> = Vec::new();
    for raw in text.lines() {
        let trimmed = raw.trim();
        let indent = raw.len() - raw.trim_start().len();
        if is_layout(cm, trimmed) {
            if indent == 0 || open.is_empty() {
                open.clear();
                tree.top.push(Node::layout(raw.trim_end()));
            } else {
                nodes_at(&mut tree.top, &open).push(Node::layout(raw.trim_end()));
            }
            continue;
        }
        while open.last().is_some_and(|&(_, ind)| ind >= indent) {
            open.pop();
        }
        if cm.is_block_end(trimmed) {
            continue;
        }
        let nodes = nodes_at(&mut tree.top, &open);
        // A word prefix marks a statement (AireOS `config sysname WLC1`); at the margin, where
        // statements are written indented (Comware), a line is a block.
        let word = cm.leaf_prefix.trim();
        let stmt = (open.is_empty() && !word.is_empty())
            .then(|| trimmed.strip_prefix(word))
            .flatten()
            .filter(|r| r.starts_with(' '));
        let mut node = Node::leaf(stmt.map_or(trimmed, str::trim_start));
        node.block = stmt.is_none() && open.is_empty() && indent == 0 && !cm.leaf_prefix.is_empty();
        nodes.push(node);
        let i = nodes.len() - 1;
        mark_parent_block(&mut tree.top, &open);
        open.push((i, indent));
    }
    tree
}

fn nodes_at<'a>(top: &'a mut Vec<Node>, open: &[(usize, usize)]) -> &'a mut Vec<Node> {
    let mut nodes = top;
    for &(i, _) in open {
        nodes = &mut nodes[i].children;
    }
    nodes
}

fn mark_parent_block(top: &mut [Node], open: &[(usize, usize)]) {
    let Some((&(last, _), rest)) = open.split_last() else {
        return;
    };
    let mut nodes = top;
    for &(i, _) in rest {
        nodes = &mut nodes[i].children;
    }
    nodes[last].block = true;
}

fn parse_braces(text: &str) -> Tree {
    let mut tree = Tree::default();
    let mut open: Vec<(usize, usize)> = Vec::new();
    for raw in text.lines() {
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with("/*") {
            if open.is_empty() {
                tree.top.push(Node::layout(t));
            }
            continue;
        }
        if t == "}" {
            open.pop();
            continue;
        }
        let nodes = nodes_at(&mut tree.top, &open);
        if let Some(head) = t.strip_suffix('{') {
            nodes.push(Node::block(head.trim()));
            open.push((nodes.len() - 1, 0));
        } else {
            nodes.push(Node::leaf(t.trim_end_matches(';').trim_end()));
        }
    }
    tree
}

/// Writes the tree in the personality's layout (no header, no footer).
pub fn render(cm: &ConfigModel, tree: &Tree) -> String {
    let mut out = String::with_capacity(tree.top.len() * 24);
    match cm.style {
        TreeStyle::Indent => {
            let mut last_sep = false;
            for n in &tree.top {
                let sep = n.layout && Some(n.line.as_str()) == cm.separator.as_deref();
                if sep && last_sep {
                    continue;
                }
                last_sep = sep;
                if n.layout {
                    out.push_str(&n.line);
                    out.push('\n');
                    continue;
                }
                if !n.block {
                    out.push_str(&cm.leaf_prefix);
                }
                out.push_str(&n.line);
                out.push('\n');
                indent_children(cm, &n.children, 1, &mut out);
                close_block(cm, n, 1, &mut out);
            }
        }
        TreeStyle::Braces => braces(&tree.top, 0, ("", &cm.leaf_end), &mut out),
    }
    out
}

/// The block at `path` with its lines, as the device shows one section; `None` if missing.
pub fn render_section(cm: &ConfigModel, tree: &Tree, path: &[String]) -> Option<String> {
    let (last, parents) = path.split_last()?;
    let node = tree
        .children(parents)?
        .iter()
        .find(|n| !n.layout && n.line == *last)?;
    let one = Tree {
        top: vec![node.clone()],
    };
    Some(render(cm, &one))
}

fn indent_children(cm: &ConfigModel, nodes: &[Node], depth: usize, out: &mut String) {
    for n in nodes {
        if n.layout {
            out.push_str(&n.line);
        } else {
            out.push_str(&cm.indent.repeat(depth));
            out.push_str(&n.line);
        }
        out.push('\n');
        indent_children(cm, &n.children, depth + 1, out);
        close_block(cm, n, depth + 1, out);
    }
}

/// The personality's block end (`exit`) after a block's lines, at their indentation.
fn close_block(cm: &ConfigModel, n: &Node, depth: usize, out: &mut String) {
    if let Some(end) = cm.block_end(&n.line).filter(|_| !n.children.is_empty()) {
        let depth = if cm.block_end_outdent {
            depth - 1
        } else {
            depth
        };
        out.push_str(&cm.indent.repeat(depth));
        out.push_str(end);
        out.push('\n');
    }
}

/// `{ }` layout, every line after `mark` (`+`/`-` in a comparison, else nothing), statements
/// ended by `end` (`;`).
fn braces(nodes: &[Node], depth: usize, (mark, end): (&str, &str), out: &mut String) {
    for n in nodes {
        if n.layout {
            if depth == 0 && mark.is_empty() {
                out.push_str(&n.line);
                out.push('\n');
            }
            continue;
        }
        out.push_str(mark);
        out.push_str(&"    ".repeat(depth));
        out.push_str(&n.line);
        if n.block || !n.children.is_empty() {
            out.push_str(" {\n");
            braces(&n.children, depth + 1, (mark, end), out);
            out.push_str(mark);
            out.push_str(&"    ".repeat(depth));
            out.push_str("}\n");
        } else {
            out.push_str(end);
            out.push('\n');
        }
    }
}

/// `{ }` configuration text as `set` commands (`| display set`).
pub fn display_set(text: &str) -> String {
    let tree = parse_braces(text);
    let mut out = String::new();
    set_lines(&tree.top, &mut Vec::new(), &mut out);
    out
}

fn set_lines(nodes: &[Node], path: &mut Vec<String>, out: &mut String) {
    for n in nodes.iter().filter(|n| !n.layout) {
        path.push(n.line.clone());
        if n.children.is_empty() {
            let _ = writeln!(out, "set {}", path.join(" "));
        } else {
            set_lines(&n.children, path, out);
        }
        path.pop();
    }
}

/// The difference between two `{ }` configurations as Junos shows it (`show | compare`):
/// `[edit path]` headers, `-` for lines that go, `+` for lines that come.
pub fn compare(old: &Tree, new: &Tree) -> String {
    let mut out = String::new();
    diff(&old.top, &new.top, &mut Vec::new(), &mut out);
    out
}

fn diff(old: &[Node], new: &[Node], path: &mut Vec<String>, out: &mut String) {
    let is_block = |n: &Node| n.block || !n.children.is_empty();
    let same = |a: &Node, b: &Node| a.line == b.line && is_block(a) == is_block(b);
    let gone: Vec<&Node> = old
        .iter()
        .filter(|o| !o.layout && !new.iter().any(|n| same(o, n)))
        .collect();
    let came: Vec<&Node> = new
        .iter()
        .filter(|n| !n.layout && !old.iter().any(|o| same(o, n)))
        .collect();
    if !gone.is_empty() || !came.is_empty() {
        let _ = writeln!(
            out,
            "[edit{}]",
            path.iter().fold(String::new(), |s, p| s + " " + p)
        );
        for n in gone {
            braces(std::slice::from_ref(n), 1, ("-", ";"), out);
        }
        for n in came {
            braces(std::slice::from_ref(n), 1, ("+", ";"), out);
        }
    }
    for o in old.iter().filter(|o| !o.layout && is_block(o)) {
        if let Some(n) = new.iter().find(|n| same(o, n)) {
            if n.children != o.children {
                path.push(o.line.clone());
                diff(&o.children, &n.children, path, out);
                path.pop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_round_trip_display_set_and_compare() {
        let text = "version 1.0;\nsystem {\n    host-name r1;\n    syslog {\n        archive size 110k files 3;\n    }\n}\n";
        let t = parse_braces(text);
        assert_eq!(t.top.len(), 2);
        let set = display_set(text);
        assert!(
            set.contains("set system syslog archive size 110k files 3\n"),
            "{set}"
        );
        assert!(set.starts_with("set version 1.0\n"), "{set}");
        let mut t2 = t.clone();
        t2.top[1].children[1].children[0].line = "archive size 120k files 3".into();
        let d = compare(&t, &t2);
        assert_eq!(
            d,
            "[edit system syslog]\n-    archive size 110k files 3;\n+    archive size 120k files 3;\n"
        );
    }
}
