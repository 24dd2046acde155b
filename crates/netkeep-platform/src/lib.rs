//! Network device platforms as data.
//!
//! Each platform is a YAML file (`platforms/<name>.yaml`, embedded at build time): prompt patterns
//! per mode, transitions between modes, session preparation (paging off, width, banner answers),
//! failure indicators, configuration mode, save/commit with their confirmation prompts, the
//! keepalive strategy that restarts the device's idle timer, and the messages a device prints when
//! it closes a session. Platform quirks live in these files, not in code. Users can add or override
//! platforms from a directory of `*.yaml` files ([`Registry::with_dir`]).
//!
//! Names are Netmiko's `device_type` names.
//!
//! ```
//! let p = netkeep_platform::builtin("cisco_xe").unwrap();   // alias of cisco_ios
//! assert_eq!(p.name(), "cisco_ios");
//! assert_eq!(p.mode_of("R1(config-if)#").map(|m| m.name.as_str()), Some("config"));
//! assert!(p.failure_in("% Invalid input detected at '^' marker.").is_some());
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

/// Built-in platform files, embedded at build time.
const BUILTIN: &[(&str, &str)] = &[
    ("hp_comware", include_str!("../platforms/hp_comware.yaml")),
    ("huawei", include_str!("../platforms/huawei.yaml")),
    (
        "huawei_vrpv8",
        include_str!("../platforms/huawei_vrpv8.yaml"),
    ),
    ("cisco_ios", include_str!("../platforms/cisco_ios.yaml")),
    ("cisco_nxos", include_str!("../platforms/cisco_nxos.yaml")),
    ("cisco_xr", include_str!("../platforms/cisco_xr.yaml")),
    (
        "juniper_junos",
        include_str!("../platforms/juniper_junos.yaml"),
    ),
    ("arista_eos", include_str!("../platforms/arista_eos.yaml")),
    ("linux", include_str!("../platforms/linux.yaml")),
    ("generic", include_str!("../platforms/generic.yaml")),
];

/// Errors loading or looking up platforms.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// No platform (or alias) by that name.
    #[error("unknown platform {name:?}; known: {}", known.join(", "))]
    Unknown { name: String, known: Vec<String> },
    /// A platform file does not parse or has a bad regex.
    #[error("platform file {source_name}: {message}")]
    Invalid {
        source_name: String,
        message: String,
    },
    /// A platform directory could not be read.
    #[error("cannot read platform directory {}: {message}", dir.display())]
    Dir { dir: PathBuf, message: String },
}

/// An expected prompt and the answer to give, e.g. `[Y/N]` → `Y`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// Regex searched in the output received so far.
    pub expect: String,
    /// Sent followed by the platform's newline.
    pub answer: String,
}

/// One CLI mode and the prompt that identifies it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModeSpec {
    pub name: String,
    /// Regex matched against the last line of output (ANSI and NUL removed), anchored by the author.
    pub prompt: String,
    /// True for configuration modes.
    #[serde(default)]
    pub config: bool,
}

/// A command that moves the CLI from one mode to another.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    pub from: String,
    pub to: String,
    pub send: String,
    /// Confirmation prompts on the way.
    #[serde(default)]
    pub expect: Vec<Answer>,
    /// Regex of a password prompt answered with the enable secret.
    #[serde(default)]
    pub password_prompt: Option<String>,
}

/// A session preparation command.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrepareCommand {
    pub command: String,
    /// If true, a failure indicator in its output is logged, not fatal.
    #[serde(default)]
    pub optional: bool,
}

/// The pager ("---- More ----") and how to page on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerSpec {
    pub pattern: String,
    pub answer: String,
}

/// Configuration mode.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigSpec {
    /// Name of the configuration mode (reached through `transitions`).
    pub mode: String,
    /// Leave configuration mode after `send_config_set`. False on two-stage platforms, where the
    /// caller commits.
    #[serde(default = "yes")]
    pub exit_after_set: bool,
    /// Prompts when leaving configuration mode.
    #[serde(default)]
    pub exit_expect: Vec<Answer>,
}

fn yes() -> bool {
    true
}

/// Save or commit.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionSpec {
    pub command: String,
    #[serde(default)]
    pub expect: Vec<Answer>,
    /// For commit: leave configuration mode afterwards.
    #[serde(default)]
    pub exit_after: bool,
    /// Read timeout (humantime, e.g. `2m`).
    #[serde(default)]
    pub timeout: Option<String>,
}

/// Enable (privilege escalation): the mode to reach.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnableSpec {
    pub mode: String,
}

/// Which bytes keep the session alive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum KeepaliveKind {
    /// Write a NUL byte (Netmiko's `is_alive`).
    #[default]
    Nul,
    /// Write a newline and read the prompt back.
    Newline,
    /// Run a harmless command and read the prompt back.
    Command,
    /// SSH protocol keepalive only (does not restart a device's idle timer).
    Ssh,
    /// Nothing.
    Off,
}

/// Keepalive strategy in a platform file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeepaliveSpec {
    pub mode: KeepaliveKind,
    /// For `mode: command`.
    #[serde(default)]
    pub command: Option<String>,
    /// What input restarts this platform's idle timer (documentation for users).
    #[serde(default)]
    pub restarts_idle_timer: String,
}

/// Messages a device prints when it closes a session, by reason.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CloseReasons {
    #[serde(default)]
    pub idle_timeout: Vec<String>,
    #[serde(default)]
    pub vty_limit: Vec<String>,
}

/// A platform file, as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformSpec {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub description: String,
    pub modes: Vec<ModeSpec>,
    #[serde(default)]
    pub transitions: Vec<Transition>,
    /// Prompts that may appear before the first CLI prompt (banners).
    #[serde(default)]
    pub on_open: Vec<Answer>,
    #[serde(default)]
    pub prepare: Vec<PrepareCommand>,
    #[serde(default)]
    pub pager: Option<PagerSpec>,
    #[serde(default)]
    pub failure_indicators: Vec<String>,
    #[serde(default)]
    pub config: Option<ConfigSpec>,
    #[serde(default)]
    pub save: Option<ActionSpec>,
    #[serde(default)]
    pub commit: Option<ActionSpec>,
    #[serde(default)]
    pub enable: Option<EnableSpec>,
    pub keepalive: KeepaliveSpec,
    /// The device's usual idle timeout (humantime; `0s` = none by default).
    #[serde(default)]
    pub default_idle_timeout: Option<String>,
    #[serde(default)]
    pub close_reasons: CloseReasons,
    /// Line ending sent after each command.
    #[serde(default = "lf")]
    pub newline: String,
}

fn lf() -> String {
    "\n".into()
}

/// A compiled mode.
#[derive(Debug, Clone)]
pub struct Mode {
    pub name: String,
    pub prompt: Regex,
    pub config: bool,
}

/// Why a device closed a session, judged from its last words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The device's idle timer (or the session closed silently after at least that long idle).
    IdleTimeout,
    /// No free VTY line / session limit reached.
    VtyLimit,
    /// The device did not say.
    Unknown,
}

/// A compiled platform: the spec plus its regexes. Cheap to share (`Arc`).
#[derive(Debug)]
pub struct Platform {
    spec: PlatformSpec,
    modes: Vec<Mode>,
    pager: Option<Regex>,
    failures: Vec<Regex>,
    idle_reasons: Vec<Regex>,
    vty_reasons: Vec<Regex>,
    on_open: Vec<(Regex, String)>,
    default_idle_timeout: Option<Duration>,
}

fn compile(src: &str, what: &str, pattern: &str) -> Result<Regex, PlatformError> {
    RegexBuilder::new(pattern)
        .multi_line(true)
        .build()
        .map_err(|e| PlatformError::Invalid {
            source_name: src.to_string(),
            message: format!("{what}: bad regex {pattern:?}: {e}"),
        })
}

fn parse_duration(src: &str, what: &str, s: &str) -> Result<Duration, PlatformError> {
    humantime::parse_duration(s).map_err(|e| PlatformError::Invalid {
        source_name: src.to_string(),
        message: format!("{what}: bad duration {s:?}: {e}"),
    })
}

impl Platform {
    /// Parses and validates a platform file. `source_name` is used in error messages.
    pub fn from_yaml(source_name: &str, text: &str) -> Result<Platform, PlatformError> {
        let spec: PlatformSpec =
            serde_norway::from_str(text).map_err(|e| PlatformError::Invalid {
                source_name: source_name.to_string(),
                message: e.to_string(),
            })?;
        Platform::from_spec(source_name, spec)
    }

    /// Compiles and validates a spec.
    pub fn from_spec(src: &str, spec: PlatformSpec) -> Result<Platform, PlatformError> {
        let invalid = |message: String| PlatformError::Invalid {
            source_name: src.to_string(),
            message,
        };
        if spec.modes.is_empty() {
            return Err(invalid("no modes".into()));
        }
        let modes = spec
            .modes
            .iter()
            .map(|m| {
                Ok(Mode {
                    name: m.name.clone(),
                    prompt: compile(src, &format!("mode {}", m.name), &m.prompt)?,
                    config: m.config,
                })
            })
            .collect::<Result<Vec<_>, PlatformError>>()?;
        let has_mode = |n: &str| modes.iter().any(|m| m.name == n);
        for t in &spec.transitions {
            if !has_mode(&t.from) || !has_mode(&t.to) {
                return Err(invalid(format!(
                    "transition {} -> {} names an unknown mode",
                    t.from, t.to
                )));
            }
            for a in &t.expect {
                compile(src, "transition expect", &a.expect)?;
            }
            if let Some(p) = &t.password_prompt {
                compile(src, "password_prompt", p)?;
            }
        }
        if let Some(c) = &spec.config {
            if !has_mode(&c.mode) {
                return Err(invalid(format!("config mode {:?} is not a mode", c.mode)));
            }
            for a in &c.exit_expect {
                compile(src, "config exit_expect", &a.expect)?;
            }
        }
        if let Some(e) = &spec.enable {
            if !has_mode(&e.mode) {
                return Err(invalid(format!("enable mode {:?} is not a mode", e.mode)));
            }
        }
        for (what, a) in [("save", &spec.save), ("commit", &spec.commit)] {
            if let Some(a) = a {
                for x in &a.expect {
                    compile(src, what, &x.expect)?;
                }
                if let Some(t) = &a.timeout {
                    parse_duration(src, what, t)?;
                }
            }
        }
        if spec.keepalive.mode == KeepaliveKind::Command && spec.keepalive.command.is_none() {
            return Err(invalid("keepalive mode command needs `command:`".into()));
        }
        let pager = spec
            .pager
            .as_ref()
            .map(|p| compile(src, "pager", &p.pattern))
            .transpose()?;
        let failures = spec
            .failure_indicators
            .iter()
            .map(|f| compile(src, "failure indicator", f))
            .collect::<Result<_, _>>()?;
        let idle_reasons = spec
            .close_reasons
            .idle_timeout
            .iter()
            .map(|f| compile(src, "close_reasons.idle_timeout", f))
            .collect::<Result<_, _>>()?;
        let vty_reasons = spec
            .close_reasons
            .vty_limit
            .iter()
            .map(|f| compile(src, "close_reasons.vty_limit", f))
            .collect::<Result<_, _>>()?;
        let on_open = spec
            .on_open
            .iter()
            .map(|a| Ok((compile(src, "on_open", &a.expect)?, a.answer.clone())))
            .collect::<Result<_, PlatformError>>()?;
        let default_idle_timeout = match &spec.default_idle_timeout {
            None => None,
            Some(s) => {
                let d = parse_duration(src, "default_idle_timeout", s)?;
                (!d.is_zero()).then_some(d)
            }
        };
        Ok(Platform {
            spec,
            modes,
            pager,
            failures,
            idle_reasons,
            vty_reasons,
            on_open,
            default_idle_timeout,
        })
    }

    /// Canonical name (Netmiko's device_type).
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The file as written.
    pub fn spec(&self) -> &PlatformSpec {
        &self.spec
    }

    /// Modes in file order.
    pub fn modes(&self) -> &[Mode] {
        &self.modes
    }

    /// The mode whose prompt matches `line` (a cleaned last line of output), if any.
    pub fn mode_of(&self, line: &str) -> Option<&Mode> {
        self.modes.iter().find(|m| m.prompt.is_match(line))
    }

    /// A mode by name.
    pub fn mode(&self, name: &str) -> Option<&Mode> {
        self.modes.iter().find(|m| m.name == name)
    }

    /// The pager regex, if the platform pages.
    pub fn pager(&self) -> Option<(&Regex, &str)> {
        match (&self.pager, &self.spec.pager) {
            (Some(r), Some(s)) => Some((r, s.answer.as_str())),
            _ => None,
        }
    }

    /// The first failure indicator found in `output`, with the matching line.
    pub fn failure_in<'a>(&self, output: &'a str) -> Option<(&str, &'a str)> {
        for (re, src) in self.failures.iter().zip(&self.spec.failure_indicators) {
            if let Some(m) = re.find(output) {
                let start = output[..m.start()].rfind('\n').map_or(0, |i| i + 1);
                let end = output[m.end()..]
                    .find('\n')
                    .map_or(output.len(), |i| m.end() + i);
                return Some((src.as_str(), output[start..end].trim_end_matches('\r')));
            }
        }
        None
    }

    /// Banner prompts answered before the first CLI prompt.
    pub fn on_open(&self) -> &[(Regex, String)] {
        &self.on_open
    }

    /// Judges the device's last words.
    pub fn close_reason(&self, last_words: &str) -> CloseReason {
        if self.vty_reasons.iter().any(|r| r.is_match(last_words)) {
            CloseReason::VtyLimit
        } else if self.idle_reasons.iter().any(|r| r.is_match(last_words)) {
            CloseReason::IdleTimeout
        } else {
            CloseReason::Unknown
        }
    }

    /// The platform's usual idle timeout, if it has one by default.
    pub fn default_idle_timeout(&self) -> Option<Duration> {
        self.default_idle_timeout
    }

    /// Read timeout for save/commit (defaults to `fallback`).
    pub fn action_timeout(&self, action: &ActionSpec, fallback: Duration) -> Duration {
        action
            .timeout
            .as_deref()
            .and_then(|t| humantime::parse_duration(t).ok())
            .unwrap_or(fallback)
    }

    /// Shortest chain of transitions from `from` to `to` (empty if equal; `None` if unreachable).
    pub fn path(&self, from: &str, to: &str) -> Option<Vec<&Transition>> {
        if from == to {
            return Some(Vec::new());
        }
        // Breadth-first over a handful of modes.
        let mut prev: HashMap<&str, &Transition> = HashMap::new();
        let mut queue = std::collections::VecDeque::from([from]);
        while let Some(m) = queue.pop_front() {
            for t in self.spec.transitions.iter().filter(|t| t.from == m) {
                if t.to != from && !prev.contains_key(t.to.as_str()) {
                    prev.insert(t.to.as_str(), t);
                    if t.to == to {
                        let mut chain = vec![t];
                        let mut cur = t.from.as_str();
                        while cur != from {
                            let p = prev[cur];
                            chain.push(p);
                            cur = p.from.as_str();
                        }
                        chain.reverse();
                        return Some(chain);
                    }
                    queue.push_back(t.to.as_str());
                }
            }
        }
        None
    }
}

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
        let entries = std::fs::read_dir(dir).map_err(|e| PlatformError::Dir {
            dir: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
            .collect();
        files.sort();
        for f in files {
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
        for a in &p.spec.aliases {
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

/// A built-in platform by name or alias.
pub fn builtin(name: &str) -> Result<Arc<Platform>, PlatformError> {
    Registry::builtin().get(name)
}

/// Canonical names of the built-in platforms.
pub fn builtin_names() -> Vec<String> {
    Registry::builtin().names()
}

#[cfg(test)]
mod tests;
