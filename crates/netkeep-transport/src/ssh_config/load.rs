//! Reading ssh_config files into blocks (Host, Match) and settings, following Include: an
//! included file's lines apply only where the Include line applies, and its own Host/Match
//! blocks narrow them further (as OpenSSH reads them).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::lexer;
use super::settings::{self, Parsed, Setting};
use super::ConfigError;

/// Where a line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Loc {
    pub(super) file: Arc<Path>,
    pub(super) line: usize,
}

impl Loc {
    fn err(&self, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: self.file.to_path_buf(),
            line: Some(self.line),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// A Match criterion (`!` negates).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Criterion {
    pub(super) negate: bool,
    pub(super) kind: CritKind,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum CritKind {
    All,
    Host(Vec<String>),
    OriginalHost(Vec<String>),
    User(Vec<String>),
    LocalUser(Vec<String>),
    /// `exec`, `canonical`, `final`, `localnetwork`, ...: the block never applies.
    Unsupported,
}

/// What a block applies to.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cond {
    Host(Vec<String>),
    Match(Vec<Criterion>),
}

/// The config in file order: a block opens (evaluated there, with what is known by then), or a
/// setting applies if every enclosing block (`conds`: include nesting, then its own) applies.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Item {
    Open(usize),
    Set {
        conds: Vec<usize>,
        setting: Setting,
        at: Loc,
    },
}

/// Everything read.
#[derive(Debug, Default)]
pub(super) struct Loaded {
    pub(super) blocks: Vec<Cond>,
    pub(super) items: Vec<Item>,
    pub(super) warnings: Vec<String>,
}

const MAX_INCLUDE_DEPTH: usize = 16;

/// Reads `path` (and what it includes).
pub(super) fn load(path: &Path) -> Result<Loaded, ConfigError> {
    let mut l = Loaded::default();
    read_file(&mut l, path, &[], 0)?;
    Ok(l)
}

/// Reads text as if it were `file` (tests, inline configs).
pub(super) fn load_str(text: &str, file: &Path) -> Result<Loaded, ConfigError> {
    let mut l = Loaded::default();
    read_text(&mut l, text, Arc::from(file), &[], 0)?;
    Ok(l)
}

fn read_file(
    l: &mut Loaded,
    path: &Path,
    outer: &[usize],
    depth: usize,
) -> Result<(), ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.to_path_buf(),
        line: None,
        message: format!("cannot read the ssh_config file: {e}"),
    })?;
    read_text(l, &text, Arc::from(path), outer, depth)
}

fn read_text(
    l: &mut Loaded,
    text: &str,
    file: Arc<Path>,
    outer: &[usize],
    depth: usize,
) -> Result<(), ConfigError> {
    let mut current: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let at = Loc {
            file: file.clone(),
            line: i + 1,
        };
        let Some(line) = lexer::split(raw).map_err(|m| at.err(m))? else {
            continue;
        };
        let kw = line.keyword.to_ascii_lowercase();
        let conds = || outer.iter().copied().chain(current).collect::<Vec<_>>();
        match kw.as_str() {
            "host" => {
                if line.args.is_empty() {
                    return Err(at.err("Host: expected one or more host patterns"));
                }
                current = Some(open(l, Cond::Host(line.args.clone())));
            }
            "match" => {
                let crit = criteria(&line.args, &at, &mut l.warnings)?;
                current = Some(open(l, Cond::Match(crit)));
            }
            "include" => include(l, &line.args, &at, &conds(), depth)?,
            _ => match settings::parse(&kw, &line) {
                Ok(Parsed::Set(setting, warnings)) => {
                    l.warnings
                        .extend(warnings.into_iter().map(|w| format!("{at}: {w}")));
                    l.items.push(Item::Set {
                        conds: conds(),
                        setting,
                        at,
                    });
                }
                Ok(Parsed::Ignored) => {
                    tracing::debug!(at = %at, keyword = %line.keyword, "ssh_config keyword not used by netkeep: ignored");
                }
                Err(m) => return Err(at.err(format!("{}: {m}", line.keyword))),
            },
        }
    }
    Ok(())
}

/// Records a new block; its conditions are checked (in file order) where it opens.
fn open(l: &mut Loaded, cond: Cond) -> usize {
    l.blocks.push(cond);
    let id = l.blocks.len() - 1;
    l.items.push(Item::Open(id));
    id
}

/// `Match` criteria: `all`, `[!]host|originalhost|user|localuser PATTERNS`; others are
/// accepted, warned about once, and make the block never apply.
fn criteria(
    args: &[String],
    at: &Loc,
    warnings: &mut Vec<String>,
) -> Result<Vec<Criterion>, ConfigError> {
    if args.is_empty() {
        return Err(at.err("Match: expected criteria (all, host, originalhost, user, localuser)"));
    }
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(word) = it.next() {
        let (negate, name) = match word.strip_prefix('!') {
            Some(n) => (true, n.to_ascii_lowercase()),
            None => (false, word.to_ascii_lowercase()),
        };
        let mut list = || -> Result<Vec<String>, ConfigError> {
            let v = it
                .next()
                .ok_or_else(|| at.err(format!("Match {name}: expected a pattern list")))?;
            Ok(v.split(',').map(str::to_string).collect())
        };
        let kind = match name.as_str() {
            "all" => CritKind::All,
            "host" => CritKind::Host(list()?),
            "originalhost" => CritKind::OriginalHost(list()?),
            "user" => CritKind::User(list()?),
            "localuser" => CritKind::LocalUser(list()?),
            "canonical" | "final" => unsupported(&name, at, warnings),
            "exec" | "localnetwork" | "tagged" | "command" | "version" | "sessiontype" => {
                let _ = list()?;
                unsupported(&name, at, warnings)
            }
            other => {
                return Err(at.err(format!(
                    "Match: unknown criterion {other:?}, expected all, host, originalhost, user or localuser"
                )))
            }
        };
        out.push(Criterion { negate, kind });
    }
    Ok(out)
}

fn unsupported(name: &str, at: &Loc, warnings: &mut Vec<String>) -> CritKind {
    warnings.push(format!(
        "{at}: Match {name} is not supported by netkeep: the block is skipped (netkeep supports Match all, host, originalhost, user, localuser)"
    ));
    CritKind::Unsupported
}

/// `Include`: each argument a file or glob, relative ones under `~/.ssh`; missing files are
/// skipped as OpenSSH skips them; an unreadable one is an error at the Include line.
fn include(
    l: &mut Loaded,
    args: &[String],
    at: &Loc,
    conds: &[usize],
    depth: usize,
) -> Result<(), ConfigError> {
    if args.is_empty() {
        return Err(at.err("Include: expected one or more file names"));
    }
    if depth + 1 > MAX_INCLUDE_DEPTH {
        return Err(at.err(format!(
            "Include: nested more than {MAX_INCLUDE_DEPTH} deep (an Include loop?)"
        )));
    }
    for a in args {
        let expanded = super::tokens::path(
            a,
            &super::tokens::Tokens {
                host: String::new(),
                original: String::new(),
                port: 22,
                user: String::new(),
            },
        )
        .map_err(|m| at.err(format!("Include: {m}")))?;
        let full = if expanded.is_absolute() {
            expanded
        } else {
            dirs::home_dir()
                .unwrap_or_default()
                .join(".ssh")
                .join(expanded)
        };
        for f in glob(&full) {
            read_file(l, &f, conds, depth + 1).map_err(|e| {
                if e.line.is_none() {
                    at.err(format!("Include {}: {}", f.display(), e.message))
                } else {
                    e
                }
            })?;
        }
    }
    Ok(())
}

/// Files matching a path whose components may hold `*` and `?`, sorted (as glob(3) sorts).
fn glob(path: &Path) -> Vec<PathBuf> {
    let mut found = vec![PathBuf::new()];
    for comp in path.components() {
        let name = comp.as_os_str().to_string_lossy();
        let wild = name.contains(['*', '?']);
        let mut next = Vec::new();
        for base in &found {
            if !wild {
                next.push(base.join(comp));
                continue;
            }
            let Ok(rd) = std::fs::read_dir(if base.as_os_str().is_empty() {
                Path::new(".")
            } else {
                base
            }) else {
                continue;
            };
            let mut names: Vec<String> = rd
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.') && super::pattern::wildcard_exact(&name, n))
                .collect();
            names.sort();
            next.extend(names.into_iter().map(|n| base.join(n)));
        }
        found = next;
    }
    found.retain(|p| p.is_file());
    found
}
