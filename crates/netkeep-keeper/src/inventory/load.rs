//! Reading an inventory: the file or the Nornir directory, YAML into [`RawEntity`]s that remember
//! where they were written, and errors located at a file, line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::raw::{RawEntity, RawSingleFile, Section};
use super::spec::InventoryError;

/// Where an entity was written, to point errors at it.
#[derive(Clone)]
pub(super) struct Origin {
    pub(super) file: Rc<Path>,
    text: Rc<str>,
    /// Section key in a single file (`defaults`/`groups`/`hosts`); `None` in a Nornir directory
    /// file, where each file is one section.
    section: Option<&'static str>,
    /// The entity's key in its section (`None` for the defaults).
    key: Option<String>,
}

/// One host, group or the defaults, as written, with where.
pub(super) struct Entry {
    pub(super) raw: RawEntity,
    pub(super) origin: Origin,
}

/// A host's resolution chain (the host, its groups in order, the defaults): each entity with
/// the name errors call it by.
pub(super) type Chain<'a> = [(&'a Entry, String)];

/// An inventory as read, before merging.
pub(super) struct Parsed {
    /// The file or directory given.
    pub(super) source: PathBuf,
    pub(super) defaults: Entry,
    pub(super) groups: BTreeMap<String, Entry>,
    pub(super) hosts: Vec<(String, Entry)>,
}

impl Origin {
    fn new(file: &Rc<Path>, text: &Rc<str>, section: Option<&'static str>) -> Origin {
        Origin {
            file: file.clone(),
            text: text.clone(),
            section,
            key: None,
        }
    }

    /// The 1-based line and column of `field` inside this entity, else of the entity itself (a
    /// textual scan: serde gives no spans for checks done after parsing). A key `field:` is
    /// preferred over any other mention (`platform:` over `platform_dir:`).
    fn locate(&self, field: &str) -> Option<(usize, usize)> {
        let lines: Vec<&str> = self.text.lines().collect();
        let b = self.block(&lines)?;
        let in_block = || lines.iter().enumerate().take(b.end).skip(b.start);
        // A flow mapping on the entity's own key line (`r1: { port: 0 }`) comes first.
        let on_key_line = b.key_at.and_then(|(l, c)| {
            let line = lines[l - 1];
            let after = c - 1 + line.get(c - 1..)?.find(':')? + 1;
            key_in(&line[after..], field).map(|x| (l - 1, after + x))
        });
        let as_key =
            on_key_line.or_else(|| in_block().find_map(|(i, l)| key_in(l, field).map(|c| (i, c))));
        let anywhere = || in_block().find_map(|(i, l)| l.find(field).map(|c| (i, c)));
        as_key
            .or_else(anywhere)
            .map(|(i, c)| (i + 1, c + 1))
            .or(b.key_at)
    }

    /// Where the entity is written in the text; `None` when its section or key is not found.
    fn block(&self, lines: &[&str]) -> Option<Block> {
        let mut start = 0;
        let mut found = None;
        for key in [self.section, self.key.as_deref()].into_iter().flatten() {
            let pos = (start..lines.len()).find(|&i| key_at(lines[i], key).is_some())?;
            found = Some((pos + 1, key_at(lines[pos], key).unwrap_or(0) + 1));
            start = pos + 1;
        }
        let end = match found {
            // Left the entity's block: a key at the same or a shallower indentation.
            Some((l, _)) => {
                let ind = indent(lines[l - 1]);
                (start..lines.len())
                    .find(|&i| {
                        let t = lines[i].trim();
                        !t.is_empty() && !t.starts_with('#') && indent(lines[i]) <= ind
                    })
                    .unwrap_or(lines.len())
            }
            None => lines.len(),
        };
        Some(Block {
            key_at: found,
            start,
            end,
        })
    }
}

/// An entity's place in its file.
struct Block {
    /// 1-based line and column of the entity's key (`None` for a whole-file entity).
    key_at: Option<(usize, usize)>,
    /// 0-based lines of its body: `start..end`.
    start: usize,
    end: usize,
}

impl Entry {
    fn new(raw: Option<RawEntity>, origin: &Origin, key: Option<&str>) -> Entry {
        Entry {
            raw: raw.unwrap_or_default(),
            origin: Origin {
                key: key.map(str::to_string),
                ..origin.clone()
            },
        }
    }

    /// An error about `field` of this entity, located at it (or at the entity).
    pub(super) fn err_at(&self, field: &str, message: String) -> InventoryError {
        InventoryError {
            file: self.origin.file.to_path_buf(),
            location: self.origin.locate(field),
            message,
        }
    }

    /// An error about the entity as a whole (a setting it lacks), located at its key.
    pub(super) fn err_here(&self, message: String) -> InventoryError {
        let lines: Vec<&str> = self.origin.text.lines().collect();
        InventoryError {
            file: self.origin.file.to_path_buf(),
            location: self.origin.block(&lines).and_then(|b| b.key_at),
            message,
        }
    }
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Column (0-based) of `key:` when the line is a mapping key `key`.
fn key_at(line: &str, key: &str) -> Option<usize> {
    let t = line.trim_start();
    let t2 = t.trim_start_matches("- ");
    let rest = t2
        .strip_prefix(key)
        .or_else(|| t2.strip_prefix(&format!("\"{key}\"")))
        .or_else(|| t2.strip_prefix(&format!("'{key}'")))?;
    rest.trim_start()
        .starts_with(':')
        .then(|| line.len() - t2.len())
}

/// Column (0-based) of `field:` anywhere on the line as a whole key (also inside a flow mapping
/// such as `{ port: 0 }`).
fn key_in(line: &str, field: &str) -> Option<usize> {
    line.match_indices(field).map(|(i, _)| i).find(|&i| {
        let before = line[..i].chars().next_back();
        let starts_key = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        starts_key && line[i + field.len()..].trim_start().starts_with(':')
    })
}

fn yaml_error(file: &Path, text: &str, e: serde_norway::Error) -> InventoryError {
    let mut message = e.to_string();
    // The location is reported separately; drop serde's " at line N column M" suffix.
    if let Some(i) = message.rfind(" at line ") {
        message.truncate(i);
    }
    let mut location = e.location().map(|l| (l.line(), l.column()));
    if let Some(at) = location.and_then(|l| duplicate_at(text, l, &message)) {
        location = Some(at);
    }
    if let Some((line, tab)) = location.and_then(|l| tab_at(text, l).map(|t| (l.0, t))) {
        message = format!(
            "a tab character: YAML indents with spaces only, replace it with spaces (the YAML parser says: {message})"
        );
        location = Some((line, tab));
    }
    InventoryError {
        file: file.to_path_buf(),
        location,
        message,
    }
}

/// serde reports a repeated name ([`super::raw::Unique`]) at the start of its mapping; this is
/// where the name is repeated: its second key line at the mapping's indentation.
fn duplicate_at(text: &str, (line, col): (usize, usize), message: &str) -> Option<(usize, usize)> {
    if !message.contains("is defined twice") {
        return None;
    }
    let key = message.split('`').nth(1)?;
    let indent = col.checked_sub(1)?;
    text.lines()
        .enumerate()
        .skip(line.checked_sub(1)?)
        .filter(|(_, l)| key_at(l, key) == Some(indent))
        .nth(1)
        .map(|(i, _)| (i + 1, col))
}

/// The 1-based column of a tab on the reported line at or before the reported column: YAML's
/// own message ("found character that cannot start any token") does not say it is a tab.
fn tab_at(text: &str, (line, col): (usize, usize)) -> Option<usize> {
    let l = text.lines().nth(line.checked_sub(1)?)?;
    let upto: String = l.chars().take(col.max(1)).collect();
    upto.find('\t').map(|i| upto[..i].chars().count() + 1)
}

fn read(path: &Path) -> Result<String, InventoryError> {
    std::fs::read_to_string(path).map_err(|e| InventoryError {
        file: path.to_path_buf(),
        location: None,
        message: format!("cannot read the inventory: {e}"),
    })
}

/// Reads an inventory file or a Nornir directory.
pub(super) fn load(path: &Path) -> Result<Parsed, InventoryError> {
    if path.is_dir() {
        return parse_nornir_dir(path);
    }
    parse_single_file(&read(path)?, path)
}

/// Parses a single-file inventory (`defaults`, `groups`, `hosts`).
pub(super) fn parse_single_file(text: &str, file: &Path) -> Result<Parsed, InventoryError> {
    let raw: RawSingleFile = serde_norway::from_str(text).map_err(|e| yaml_error(file, text, e))?;
    let (file, text): (Rc<Path>, Rc<str>) = (file.into(), text.into());
    let groups = Origin::new(&file, &text, Some("groups"));
    let hosts = Origin::new(&file, &text, Some("hosts"));
    Ok(Parsed {
        source: file.to_path_buf(),
        defaults: Entry::new(
            raw.defaults,
            &Origin::new(&file, &text, Some("defaults")),
            None,
        ),
        groups: raw
            .groups
            .map(|g| g.0)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k.clone(), Entry::new(v, &groups, Some(&k))))
            .collect(),
        hosts: raw
            .hosts
            .0
            .into_iter()
            .map(|(k, v)| (k.clone(), Entry::new(v, &hosts, Some(&k))))
            .collect(),
    })
}

/// One YAML file of a Nornir directory: its text and origin (empty when `optional` and absent).
fn nornir_file(
    dir: &Path,
    name: &str,
    optional: bool,
) -> Result<(Rc<str>, Origin), InventoryError> {
    let path: Rc<Path> = dir.join(name).into();
    let text: Rc<str> = if optional && !path.exists() {
        "".into()
    } else {
        read(&path)?.into()
    };
    let origin = Origin::new(&path, &text, None);
    Ok((text, origin))
}

/// Parses one Nornir file, treating an empty one as absent.
fn parse_nornir<T: serde::de::DeserializeOwned>(
    text: &str,
    origin: &Origin,
) -> Result<Option<T>, InventoryError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    serde_norway::from_str(text).map_err(|e| yaml_error(&origin.file, text, e))
}

/// Parses Nornir's `hosts.yaml` (required), `groups.yaml` and `defaults.yaml` (optional).
pub(super) fn parse_nornir_dir(dir: &Path) -> Result<Parsed, InventoryError> {
    let (hosts_text, hosts_at) = nornir_file(dir, "hosts.yaml", false)?;
    let (groups_text, groups_at) = nornir_file(dir, "groups.yaml", true)?;
    let (defaults_text, defaults_at) = nornir_file(dir, "defaults.yaml", true)?;
    let hosts: Option<Section> = parse_nornir(&hosts_text, &hosts_at)?;
    let groups: Option<Section> = parse_nornir(&groups_text, &groups_at)?;
    let defaults: Option<RawEntity> = parse_nornir(&defaults_text, &defaults_at)?;
    Ok(Parsed {
        source: dir.to_path_buf(),
        defaults: Entry::new(defaults, &defaults_at, None),
        groups: groups
            .map(|g| g.0)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k.clone(), Entry::new(v, &groups_at, Some(&k))))
            .collect(),
        hosts: hosts
            .map(|h| h.0)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k.clone(), Entry::new(v, &hosts_at, Some(&k))))
            .collect(),
    })
}
