//! The CliTable index: a CSV file (`Template, Hostname, Platform, Command`) mapping a platform
//! and a command to one or more templates, read as Python's `clitable` reads it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::error::Error;
use crate::merge;
use crate::pyre::PyRegex;
use crate::pytext;
use crate::record::Records;
use crate::template::Template;

/// One row of the index.
#[derive(Debug, Clone)]
pub struct IndexRow {
    /// 1-based line in the index file.
    pub line: usize,
    /// The `Template` column: file names separated by `:`.
    pub templates: String,
    /// Every other column as written, and its compiled pattern (`None` when empty).
    columns: Vec<(String, String, Option<PyRegex>)>,
}

impl IndexRow {
    /// The template file names of this row, in order.
    pub fn template_names(&self) -> impl Iterator<Item = &str> {
        self.templates.split(':')
    }

    /// The value of a column as written in the index (after `[[...]]` expansion for `Command`).
    pub fn column(&self, name: &str) -> Option<&str> {
        self.columns
            .iter()
            .find(|(c, _, _)| c == name)
            .map(|(_, v, _)| v.as_str())
    }
}

/// A loaded index and the templates compiled from it so far (each compiled once, on first use).
///
/// ```no_run
/// use netkeep_parse::Index;
/// let index = Index::discover().unwrap();
/// let records = index.parse_output("cisco_ios", "show version", "Cisco IOS Software, ...").unwrap();
/// println!("{}", serde_json::to_string_pretty(&records).unwrap());
/// ```
#[derive(Debug)]
pub struct Index {
    path: PathBuf,
    dir: PathBuf,
    rows: Vec<IndexRow>,
    cache: Mutex<HashMap<String, Arc<Template>>>,
    /// (platform, trimmed command) → row, as [`Index::lookup`] found it: a lookup tries every
    /// row's patterns in turn (about 1,500 rows in ntc-templates).
    lookups: Mutex<HashMap<(String, String), Option<usize>>>,
}

/// Lookups remembered per index; past this the memory starts afresh (commands come from
/// users, so the set is unbounded in a long-running daemon).
const LOOKUPS_KEPT: usize = 4096;

impl Index {
    /// Loads `DIR/index` from the template directory found by [`crate::template_dir`].
    pub fn discover() -> Result<Index, Error> {
        Index::load(&crate::discover::template_dir()?)
    }

    /// Loads `dir/index`; templates are read from `dir`.
    pub fn load(dir: &Path) -> Result<Index, Error> {
        let path = dir.join("index");
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        Index::from_text(dir, &path, &text)
    }

    /// Reads index text (`path` locates errors; templates are read from `dir`).
    pub fn from_text(dir: &Path, path: &Path, text: &str) -> Result<Index, Error> {
        let err = |line, message: String| Error::Index {
            path: path.to_path_buf(),
            line,
            message,
        };
        let lines = pytext::file_lines(text);
        let mut it = lines.iter().enumerate();
        let header: Vec<String> = loop {
            let Some((_, line)) = it.next() else {
                return Err(err(
                    0,
                    "no header line (Template, Hostname, Platform, Command)".into(),
                ));
            };
            let h = pytext::strip(line.split('#').next().unwrap_or(""));
            if !h.is_empty() {
                break h.split(',').map(|e| pytext::strip(e).to_string()).collect();
            }
        };
        for (i, h) in header.iter().enumerate() {
            if header[..i].contains(h) {
                return Err(err(0, format!("Duplicate header entry '{h}'.")));
            }
        }
        let Some(template_col) = header.iter().position(|h| h == "Template") else {
            return Err(err(0, "Index file does not have 'Template' column.".into()));
        };
        let mut rows = Vec::new();
        for (i, line) in it {
            if line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split(',').map(pytext::strip).collect();
            // clitable skips rows whose field count differs from the header's (blank lines too).
            if fields.len() != header.len() {
                continue;
            }
            let mut columns = Vec::new();
            for (col, field) in header.iter().zip(&fields) {
                if *col == "Template" {
                    continue;
                }
                let value = if col == "Command" {
                    expand_completion(field)
                } else {
                    field.to_string()
                };
                let re = if value.is_empty() {
                    None
                } else {
                    Some(
                        PyRegex::new(&value)
                            .map_err(|e| err(i + 1, format!("column {col}: {e}")))?,
                    )
                };
                columns.push((col.clone(), value, re));
            }
            rows.push(IndexRow {
                line: i + 1,
                templates: fields[template_col].to_string(),
                columns,
            });
        }
        Ok(Index {
            path: path.to_path_buf(),
            dir: dir.to_path_buf(),
            rows,
            cache: Mutex::new(HashMap::new()),
            lookups: Mutex::new(HashMap::new()),
        })
    }

    /// The index file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The template directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every row, in file order.
    pub fn rows(&self) -> &[IndexRow] {
        &self.rows
    }

    /// The first row whose patterns match every given `(column, value)` (columns the index does
    /// not have, and empty cells, match anything). Patterns match at the start of the value,
    /// as `re.match` does.
    pub fn lookup_attrs(&self, attrs: &[(&str, &str)]) -> Option<&IndexRow> {
        self.position(attrs).map(|i| &self.rows[i])
    }

    /// The index of the first row matching `attrs`.
    fn position(&self, attrs: &[(&str, &str)]) -> Option<usize> {
        self.rows.iter().position(|row| {
            attrs.iter().all(
                |(col, value)| match row.columns.iter().find(|(c, _, _)| c == col) {
                    Some((_, _, Some(re))) => re.is_match_start(value),
                    _ => true,
                },
            )
        })
    }

    /// The row for a platform and a command (the command is trimmed, as Netmiko sends it).
    /// Answers are remembered: the same question again costs a hash lookup.
    pub fn lookup(&self, platform: &str, command: &str) -> Option<&IndexRow> {
        let command = command.trim();
        let key = (platform.to_string(), command.to_string());
        let known = relock(&self.lookups).get(&key).copied();
        let found = match known {
            Some(found) => found,
            None => {
                let found = self.position(&[("Command", command), ("Platform", platform)]);
                let mut memo = relock(&self.lookups);
                if memo.len() >= LOOKUPS_KEPT {
                    memo.clear();
                }
                memo.insert(key, found);
                found
            }
        };
        found.map(|i| &self.rows[i])
    }

    /// A template of this index's directory, compiled once and shared.
    pub fn template(&self, file: &str) -> Result<Arc<Template>, Error> {
        if let Some(t) = self.lock().get(file) {
            return Ok(t.clone());
        }
        let t = Arc::new(Template::from_file(&self.dir.join(file))?);
        self.lock().insert(file.to_string(), t.clone());
        Ok(t)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Template>>> {
        relock(&self.cache)
    }

    /// The compiled templates of a row.
    pub fn templates_of(&self, row: &IndexRow) -> Result<Vec<Arc<Template>>, Error> {
        row.template_names().map(|f| self.template(f)).collect()
    }

    /// Parses a command's output with the templates the index gives for the platform and
    /// command, merging several templates' records on their Key values as clitable does.
    pub fn parse_output(
        &self,
        platform: &str,
        command: &str,
        output: &str,
    ) -> Result<Records, Error> {
        let row = self
            .lookup(platform, command)
            .ok_or_else(|| Error::NoTemplate {
                platform: platform.to_string(),
                command: command.to_string(),
                index: self.path.clone(),
            })?;
        let templates = self.templates_of(row)?;
        merge::parse_merged(&templates, output)
    }
}

/// Locks a map: a panic while holding the lock cannot leave a map half-written, so keep using it.
fn relock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// clitable's command completion: `sh[[ow]]` becomes `sh(o(w)?)?`.
pub fn expand_completion(command: &str) -> String {
    let mut out = String::with_capacity(command.len() * 2);
    let mut rest = command;
    while let Some(i) = rest.find("[[") {
        let after = &rest[i + 2..];
        // `.+?` then `]]`: at least one character, the first `]]` after it; no newline.
        let first_len = after.chars().next().map_or(0, char::len_utf8);
        let close = after
            .get(first_len..)
            .and_then(|s| s.find("]]"))
            .map(|j| j + first_len);
        match close.filter(|&j| !after[..j].contains('\n')) {
            Some(j) => {
                out.push_str(&rest[..i]);
                let word: Vec<char> = after[..j].chars().collect();
                out.push('(');
                out.push_str(
                    &word
                        .iter()
                        .map(char::to_string)
                        .collect::<Vec<_>>()
                        .join("("),
                );
                out.push_str(&")?".repeat(word.len()));
                rest = &after[j + 2..];
            }
            None => {
                out.push_str(&rest[..i + 1]);
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion() {
        assert_eq!(
            expand_completion("sh[[ow]] ver[[sion]]"),
            "sh(o(w)?)? ver(s(i(o(n)?)?)?)?"
        );
        assert_eq!(expand_completion("a[[]]]"), "a(])?");
        assert_eq!(expand_completion("x[[y"), "x[[y");
    }

    #[test]
    fn lookup_first_match_wins() {
        let text = "# c\nTemplate, Hostname, Platform, Command\n\n\
                    a.textfsm:b.textfsm, .*, cisco_ios, sh[[ow]] ver[[sion]]\n\
                    c.textfsm, .*, cisco_ios, sh[[ow]] v[[lan]]\n";
        let idx = Index::from_text(Path::new("/t"), Path::new("/t/index"), text).unwrap();
        assert_eq!(
            idx.lookup("cisco_ios", "sh ver").unwrap().templates,
            "a.textfsm:b.textfsm"
        );
        assert_eq!(
            idx.lookup("cisco_ios", " show vlan brief ").unwrap().line,
            5
        );
        assert!(idx.lookup("cisco_ios", "show clock").is_none());
        assert!(idx.lookup("cisco_nxos", "show version").is_none());
    }
}
