//! Templates shared by a whole process: each index loaded once (and its templates compiled
//! once), each user template file compiled once until the file changes, and [`Templates`], the
//! one way callers (sessions, the daemon, the CLI) say where a parse's templates come from.
//!
//! Everything here is thread-safe and lazy: nothing is read before the first parse asks.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use crate::error::Error;
use crate::index::Index;
use crate::merge;
use crate::record::Records;
use crate::template::Template;

/// Where the templates of a parse come from.
///
/// ```no_run
/// use netkeep_parse::Templates;
/// // The ntc-templates index, as Netmiko's use_textfsm=True finds it.
/// let records = Templates::Index.parse("cisco_ios", "show clock", "*10:01:02.345 UTC Mon Mar 1 2021").unwrap();
/// // A template of your own (Netmiko's textfsm_template): platform and command are not used.
/// let records = Templates::file("my_show_clock.textfsm").parse("", "show clock", "...").unwrap();
/// # let _ = records;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Templates {
    /// The index [`crate::template_dir`] finds (`NET_TEXTFSM`, else the ntc-templates Python
    /// package), looked for on the first parse and then kept for the life of the process.
    #[default]
    Index,
    /// The index in this directory (a directory with an `index` file).
    IndexDir(PathBuf),
    /// These template files, in order; several are merged on their Key values as an index row
    /// `a.textfsm:b.textfsm` is (Netmiko's `textfsm_template` is one file).
    Files(Vec<PathBuf>),
}

impl Templates {
    /// One template file of the user's.
    pub fn file(path: impl Into<PathBuf>) -> Templates {
        Templates::Files(vec![path.into()])
    }

    /// Parses the `output` of `command` on `platform` (the index's name for it, e.g.
    /// `huawei_vrp`): with the index row for them, or with the files.
    pub fn parse(&self, platform: &str, command: &str, output: &str) -> Result<Records, Error> {
        match self {
            Templates::Index => shared_index(None)?.parse_output(platform, command, output),
            Templates::IndexDir(d) => {
                shared_index(Some(d))?.parse_output(platform, command, output)
            }
            Templates::Files(files) => {
                let templates = files
                    .iter()
                    .map(|f| template_file(f))
                    .collect::<Result<Vec<_>, _>>()?;
                merge::parse_merged(&templates, output)
            }
        }
    }
}

/// The index of `dir` (or, with `None`, of the directory [`crate::template_dir`] finds), loaded
/// once per process and shared, with the templates it has compiled so far. A failed discovery
/// is not remembered: a later call looks again (after `pip install ntc-templates`, say).
pub fn shared_index(dir: Option<&Path>) -> Result<Arc<Index>, Error> {
    static FOUND: OnceLock<Arc<Index>> = OnceLock::new();
    let Some(dir) = dir else {
        if let Some(i) = FOUND.get() {
            return Ok(i.clone());
        }
        let i = load_shared(&crate::discover::template_dir()?)?;
        return Ok(FOUND.get_or_init(|| i).clone());
    };
    load_shared(dir)
}

/// The shared index of `dir`, loaded on first use (under the lock: callers that ask at once
/// wait for one load rather than each doing it).
fn load_shared(dir: &Path) -> Result<Arc<Index>, Error> {
    static BY_DIR: Mutex<Vec<(PathBuf, Arc<Index>)>> = Mutex::new(Vec::new());
    let mut loaded = relock(&BY_DIR);
    if let Some((_, i)) = loaded.iter().find(|(d, _)| d == dir) {
        return Ok(i.clone());
    }
    let i = Arc::new(Index::load(dir)?);
    loaded.push((dir.to_path_buf(), i.clone()));
    Ok(i)
}

/// A user's template file, compiled once and shared until the file changes (its modification
/// time or size).
pub fn template_file(path: &Path) -> Result<Arc<Template>, Error> {
    type Compiled = (Option<SystemTime>, u64, Arc<Template>);
    static FILES: Mutex<Option<HashMap<PathBuf, Compiled>>> = Mutex::new(None);
    /// Past this many files the memory starts afresh.
    const KEPT: usize = 256;
    let meta = std::fs::metadata(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let stamp = (meta.modified().ok(), meta.len());
    if let Some((m, l, t)) = relock(&FILES).get_or_insert_with(HashMap::new).get(path) {
        if (*m, *l) == stamp {
            return Ok(t.clone());
        }
    }
    let t = Arc::new(Template::from_file(path)?);
    let mut files = relock(&FILES);
    let files = files.get_or_insert_with(HashMap::new);
    if files.len() >= KEPT {
        files.clear();
    }
    files.insert(path.to_path_buf(), (stamp.0, stamp.1, t.clone()));
    Ok(t)
}

fn relock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
