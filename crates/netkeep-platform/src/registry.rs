//! The set of known platforms: the built-in files (every `platforms/*.yaml`, embedded by the
//! build script) plus a user directory, looked up by canonical name or alias.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::error::PlatformError;
use crate::platform::Platform;

/// Built-in platform files as `(file stem, contents)`, generated from `platforms/` by `build.rs`.
const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_platforms.rs"));

/// A set of platforms by name and alias.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    by_name: HashMap<String, Arc<Platform>>,
}

impl Registry {
    /// The built-in platforms.
    pub fn builtin() -> &'static Registry {
        static REG: OnceLock<Registry> = OnceLock::new();
        REG.get_or_init(|| {
            let mut r = Registry::default();
            for (name, text) in BUILTIN {
                // Built-in files are tested; a broken one is a build defect.
                let p = Platform::from_yaml(&format!("builtin {name}.yaml"), text)
                    .unwrap_or_else(|e| panic!("built-in platform {name} is invalid: {e}"));
                r.insert(p);
            }
            r
        })
    }

    /// The built-in platforms plus every `*.yaml`/`*.yml` in `dir`; a file whose `name` matches a
    /// built-in replaces it.
    pub fn with_dir(dir: &Path) -> Result<Registry, PlatformError> {
        let mut r = Registry::builtin().clone();
        for f in yaml_files(dir)? {
            let text = std::fs::read_to_string(&f).map_err(|e| PlatformError::Invalid {
                source_name: f.display().to_string(),
                message: e.to_string(),
            })?;
            r.insert(Platform::from_yaml(&f.display().to_string(), &text)?);
        }
        Ok(r)
    }

    /// Adds (or replaces) a platform under its name and aliases.
    pub fn insert(&mut self, p: Platform) {
        let p = Arc::new(p);
        // Drop stale aliases of a replaced platform.
        self.by_name.retain(|_, v| v.name() != p.name());
        self.by_name.insert(p.name().to_string(), p.clone());
        for a in &p.spec().aliases {
            self.by_name.insert(a.clone(), p.clone());
        }
    }

    /// Looks a platform up by name or alias.
    pub fn get(&self, name: &str) -> Result<Arc<Platform>, PlatformError> {
        self.by_name
            .get(name)
            .cloned()
            .ok_or_else(|| PlatformError::Unknown {
                name: name.to_string(),
                known: self.names(),
            })
    }

    /// The canonical name for a name or alias (`ios` → `cisco_ios`), or `None` when unknown.
    ///
    /// ```
    /// let r = netkeep_platform::Registry::builtin();
    /// assert_eq!(r.canonical_name("junos"), Some("juniper_junos"));
    /// assert_eq!(r.canonical_name("cisco_ios"), Some("cisco_ios"));
    /// assert_eq!(r.canonical_name("zte_zxros"), None);
    /// ```
    pub fn canonical_name(&self, name: &str) -> Option<&str> {
        self.by_name.get(name).map(|p| p.name())
    }

    /// Canonical names, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .by_name
            .values()
            .map(|p| p.name().to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// The platform files of a user directory, sorted by name.
fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, PlatformError> {
    let files = netkeep_embed::yaml_files(dir).map_err(|e| PlatformError::Dir {
        dir: dir.to_path_buf(),
        message: e.to_string(),
    })?;
    Ok(files.into_iter().map(|(_, path)| path).collect())
}

/// The built-in file stems (for tests: each file is named after its platform).
#[cfg(test)]
pub(crate) fn builtin_files() -> &'static [(&'static str, &'static str)] {
    BUILTIN
}
