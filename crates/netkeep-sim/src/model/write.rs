//! Writing state into the configuration through the personality's records: the changes that
//! set a hostname, an interface description, a VLAN or the idle timeout where the device keeps
//! them (for personalities whose commands name those changes rather than config lines).

use super::tree::{Change, Node, Tree};
use crate::personality::{match_line, render_line, LinePath, Record, Tok};

/// Variable lookup for writing patterns out.
pub type VarFn<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The lines of a path written out with `var`'s values.
fn render_path(path: &[Vec<Tok>], var: VarFn) -> Option<Vec<String>> {
    path.iter().map(|p| render_line(p, var)).collect()
}

/// The lines of the first existing path matching `path`.
fn existing(nodes: &[Node], path: &[Vec<Tok>]) -> Option<Vec<String>> {
    let (head, rest) = path.split_first()?;
    for n in nodes.iter().filter(|n| !n.layout) {
        if match_line(head, &n.line).is_none() {
            continue;
        }
        if rest.is_empty() {
            return Some(vec![n.line.clone()]);
        }
        if let Some(mut tail) = existing(&n.children, rest) {
            tail.insert(0, n.line.clone());
            return Some(tail);
        }
    }
    None
}

/// Sets the line at the end of `path` (its parents created as needed).
pub fn write_line(path: &LinePath, var: VarFn) -> Option<Change> {
    let mut lines = render_path(path, var)?;
    let line = lines.pop()?;
    Some(Change::Set { path: lines, line })
}

/// Writes a record: its block (an existing one matching the pattern when `var` cannot fill
/// it), then each of `fields` that `var` can fill.
pub fn write_record(tree: &Tree, r: &Record, var: VarFn, fields: &[&str]) -> Option<Vec<Change>> {
    let block = render_path(&r.block, var).or_else(|| existing(&tree.top, &r.block))?;
    let mut changes = vec![Change::Block {
        path: block.clone(),
    }];
    for (_, path) in r
        .fields
        .iter()
        .filter(|(n, _)| fields.contains(&n.as_str()))
    {
        let Some(mut lines) = render_path(path, var) else {
            continue;
        };
        let Some(line) = lines.pop() else {
            continue;
        };
        let mut full = block.clone();
        full.extend(lines);
        changes.push(Change::Set { path: full, line });
    }
    Some(changes)
}

/// Removes a field of a record (`undo description`), if the record's block exists.
pub fn remove_field(tree: &Tree, r: &Record, var: VarFn, field: &str) -> Option<Change> {
    let block = render_path(&r.block, var).or_else(|| existing(&tree.top, &r.block))?;
    let (_, path) = r.fields.iter().find(|(n, _)| n == field)?;
    let (last, parents) = path.split_last()?;
    let mut full = block;
    full.extend(render_path(parents, var)?);
    let words: Vec<&str> = last
        .iter()
        .map_while(|t| match t {
            Tok::Key { word, .. } => Some(word.as_str()),
            _ => None,
        })
        .collect();
    Some(Change::Remove {
        path: full,
        line: words.join(" "),
    })
}
