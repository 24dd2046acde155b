//! The fleet inventory: which devices the keeper holds sessions to, and how.
//!
//! Two layouts are accepted:
//! * one YAML file with `defaults`, `groups` and `hosts` sections;
//! * a directory in Nornir's SimpleInventory layout: `hosts.yaml` (required), `groups.yaml` and
//!   `defaults.yaml` (optional), so existing Nornir inventories load unchanged.
//!
//! Every host, group and the defaults take Nornir's fields (`hostname`, `port`, `username`,
//! `password`, `platform`, `groups`, `data`, `connection_options` — the latter ignored) plus
//! netkeep's own settings (`password_env`, `password_file`, `key_file`, `keepalive`,
//! `idle_timeout`, `max_sessions`, `max_age`, `warm`, `legacy_algorithms`, `host_key_policy`,
//! `known_hosts_file`, `connect_timeout`). A value is taken from the host, else from its groups in
//! order (each group before its own parent groups, like Nornir), else from the defaults.
//!
//! ```
//! use netkeep_keeper::inventory::Inventory;
//! let yaml = r#"
//! defaults:
//!   username: admin
//!   password_env: HOME          # any variable that is set, for the example
//!   platform: hp_comware
//! groups:
//!   core: { max_sessions: 2, keepalive: { mode: nul, interval: 3s } }
//! hosts:
//!   sw1: { hostname: 127.0.0.1, port: 2222, groups: [core] }
//! "#;
//! let inv = Inventory::from_str(yaml, "netkeep.yaml").unwrap();
//! let sw1 = &inv.devices["sw1"];
//! assert_eq!(sw1.max_sessions, 2);
//! assert_eq!(sw1.port, 2222);
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

/// A secret string (password, passphrase): the transport's own type, whose `Debug` and
/// `Display` never show the value.
///
/// ```
/// let s = netkeep_keeper::inventory::Secret::new("hunter2");
/// assert!(!format!("{s:?} {s}").contains("hunter2"));
/// assert_eq!(s.expose(), "hunter2");
/// ```
pub use netkeep::Secret;

/// Reads an optional plain `password:` into a [`Secret`].
fn optional_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(Secret::new))
}

/// How the keeper authenticates to a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// Password (also used for keyboard-interactive).
    Password(Secret),
    /// Private key file, with an optional passphrase.
    KeyFile {
        /// Path of the private key.
        path: PathBuf,
        /// Passphrase of the key, from `password_env` / `password_file` when given.
        passphrase: Option<Secret>,
    },
}

/// What the keeper writes to keep a session alive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeepaliveModeSpec {
    /// A NUL byte in the session channel (restarts the VTY idle timer, prints nothing).
    Nul,
    /// A newline (prints a fresh prompt).
    Newline,
    /// A harmless command, given in `command`.
    Command,
    /// SSH-level keepalive only: detects dead peers, does NOT restart a VTY idle timer.
    Ssh,
    /// No keepalive: the device may drop the session when idle; it reconnects on next use.
    Off,
}

/// Keepalive settings; `None` fields mean "the platform's default".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeepaliveSpec {
    /// Strategy; `None` = the platform's.
    pub mode: Option<KeepaliveModeSpec>,
    /// Interval; `None` = a third of the idle timeout.
    pub interval: Option<Duration>,
    /// The command for `mode: command`.
    pub command: Option<String>,
    /// How long a keepalive waits for the device's answer before declaring the session dead;
    /// `None` = the session library's default (5 s). Raise it for slow devices or busy hosts.
    pub probe_timeout: Option<Duration>,
}

impl KeepaliveSpec {
    /// True when keepalive is switched off.
    pub fn is_off(&self) -> bool {
        self.mode == Some(KeepaliveModeSpec::Off)
    }
}

/// Host key checking.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostKeyPolicySpec {
    /// Trust a key on first use, refuse a changed one (default).
    #[default]
    AcceptNew,
    /// Only keys already in known_hosts.
    Strict,
    /// No checking (labs only).
    Insecure,
}

/// One device, fully resolved (host > groups > defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceSpec {
    /// Inventory name (the key under `hosts`).
    pub name: String,
    /// Address to connect to (defaults to the name).
    pub hostname: String,
    /// SSH port (default 22).
    pub port: u16,
    /// Login user.
    pub username: String,
    /// Netmiko-style platform name (`hp_comware`, `huawei`, `cisco_ios`, ...).
    pub platform: String,
    /// Every group the host is in, directly or through parent groups, in resolution order.
    pub groups: Vec<String>,
    /// Merged `data` (host keys over groups over defaults).
    pub data: Map<String, Value>,
    /// How to log in.
    pub credential: Credential,
    /// Keepalive settings.
    pub keepalive: KeepaliveSpec,
    /// The device's idle timeout; `None` = the platform's default, zero = none.
    pub idle_timeout: Option<Duration>,
    /// Sessions the keeper may hold to this device (VTY lines it may use), at least 1.
    pub max_sessions: usize,
    /// Recycle a session older than this (before a device's absolute timeout).
    pub max_age: Option<Duration>,
    /// Connect at start (`true`, default) or on first use.
    pub warm: bool,
    /// Offer legacy SSH algorithms (old gear).
    pub legacy_algorithms: bool,
    /// Host key checking.
    pub host_key_policy: HostKeyPolicySpec,
    /// known_hosts file; `None` = netkeep's own.
    pub known_hosts_file: Option<PathBuf>,
    /// TCP + SSH handshake + login time limit.
    pub connect_timeout: Duration,
}

/// A loaded, validated inventory.
#[derive(Debug, Clone)]
pub struct Inventory {
    /// Devices by name.
    pub devices: BTreeMap<String, DeviceSpec>,
    /// Members of each group (direct or through nested groups), by group name.
    pub groups: BTreeMap<String, Vec<String>>,
    /// Things that load but deserve attention (plain passwords, keepalive slower than the
    /// idle timeout...). Never contain a secret.
    pub warnings: Vec<String>,
    /// Where it was loaded from.
    pub source: PathBuf,
}

/// A bad inventory: where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InventoryError {
    /// The file at fault.
    pub file: PathBuf,
    /// 1-based line and column, when known.
    pub location: Option<(usize, usize)>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for InventoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some((l, c)) => write!(f, "{}:{l}:{c}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// NAPALM-style names Nornir inventories use, mapped to the platform files' names. The Netmiko
/// names and their aliases come from the platform data itself (netkeep-platform).
const PLATFORM_ALIASES: &[(&str, &str)] = &[
    ("ios", "cisco_ios"),
    ("iosxe", "cisco_xe"),
    ("nxos", "cisco_nxos"),
    ("nxos_ssh", "cisco_nxos"),
    ("iosxr", "cisco_xr"),
    ("junos", "juniper_junos"),
    ("eos", "arista_eos"),
    ("comware", "hp_comware"),
    ("vrp", "huawei"),
];

/// Maps a platform or alias to the canonical name, or `None` when unknown.
pub fn canonical_platform(name: &str) -> Option<String> {
    let name = PLATFORM_ALIASES
        .iter()
        .find(|(a, _)| *a == name)
        .map_or(name, |(_, p)| *p);
    netkeep_platform::builtin(name)
        .ok()
        .map(|p| p.name().to_string())
}

fn known_platforms() -> String {
    netkeep_platform::builtin_names().join(", ")
}

#[derive(Debug, Clone)]
struct Platform(String);

impl<'de> Deserialize<'de> for Platform {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        canonical_platform(&s).map(Platform).ok_or_else(|| {
            de::Error::custom(format!(
                "unknown platform `{s}`, expected one of: {}",
                known_platforms()
            ))
        })
    }
}

/// A duration: `"3s"`, `"500ms"`, `"10m"`, or a number of seconds.
#[derive(Debug, Clone, Copy)]
struct Dur(Duration);

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        const EXPECT: &str = "a duration like `3s`, `500ms` or `10m`, or a number of seconds";
        impl Visitor<'_> for V {
            type Value = Dur;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(EXPECT)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dur, E> {
                Ok(Dur(Duration::from_secs(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dur, E> {
                u64::try_from(v)
                    .map(|v| Dur(Duration::from_secs(v)))
                    .map_err(|_| E::custom(format!("negative duration {v}, expected {EXPECT}")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Dur, E> {
                Duration::try_from_secs_f64(v)
                    .map(Dur)
                    .map_err(|_| E::custom(format!("bad duration {v}, expected {EXPECT}")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Dur, E> {
                humantime::parse_duration(v.trim())
                    .map(Dur)
                    .map_err(|e| E::custom(format!("bad duration `{v}` ({e}), expected {EXPECT}")))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeepalive {
    mode: Option<KeepaliveModeSpec>,
    interval: Option<Dur>,
    command: Option<String>,
    probe_timeout: Option<Dur>,
}

/// One host, group or the defaults, as written.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntity {
    hostname: Option<String>,
    port: Option<u16>,
    username: Option<String>,
    #[serde(default, deserialize_with = "optional_secret")]
    password: Option<Secret>,
    platform: Option<Platform>,
    groups: Option<Vec<String>>,
    data: Option<Map<String, Value>>,
    /// Nornir's per-plugin options: accepted, not used.
    #[allow(dead_code)]
    connection_options: Option<Value>,
    password_env: Option<String>,
    password_file: Option<PathBuf>,
    key_file: Option<PathBuf>,
    keepalive: Option<RawKeepalive>,
    idle_timeout: Option<Dur>,
    max_sessions: Option<NonZeroU32>,
    max_age: Option<Dur>,
    warm: Option<bool>,
    legacy_algorithms: Option<bool>,
    host_key_policy: Option<HostKeyPolicySpec>,
    known_hosts_file: Option<PathBuf>,
    connect_timeout: Option<Dur>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSingleFile {
    #[serde(default)]
    defaults: Option<RawEntity>,
    #[serde(default)]
    groups: Option<BTreeMap<String, Option<RawEntity>>>,
    hosts: BTreeMap<String, Option<RawEntity>>,
}

/// Where an entity came from, to point errors at it.
struct Origin<'a> {
    file: &'a Path,
    text: &'a str,
    /// Section key in a single file (`hosts`/`groups`), `None` in a Nornir directory file.
    section: Option<&'a str>,
    /// Entity name (`None` for defaults in a Nornir `defaults.yaml`).
    name: Option<&'a str>,
}

impl Origin<'_> {
    /// Best-effort location of `field` inside this entity (a textual scan: serde gives no spans
    /// for semantic checks done after parsing).
    fn locate(&self, field: &str) -> Option<(usize, usize)> {
        let lines: Vec<&str> = self.text.lines().collect();
        let mut start = 0;
        let mut found = None;
        for key in [self.section, self.name].into_iter().flatten() {
            let pos = (start..lines.len()).find(|&i| key_at(lines[i], key).is_some())?;
            found = Some((pos + 1, key_at(lines[pos], key).unwrap_or(0) + 1));
            start = pos + 1;
        }
        let entity_indent = found.map(|(l, _)| indent(lines[l - 1]));
        for (i, line) in lines.iter().enumerate().skip(start) {
            if let Some(ind) = entity_indent {
                // Left the entity's block: a key at the same or a shallower indentation.
                if !line.trim().is_empty()
                    && !line.trim_start().starts_with('#')
                    && indent(line) <= ind
                {
                    break;
                }
            }
            if let Some(col) = line.find(field) {
                return Some((i + 1, col + 1));
            }
        }
        found
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

fn yaml_error(file: &Path, e: serde_norway::Error) -> InventoryError {
    let mut message = e.to_string();
    // The location is reported separately; drop serde's " at line N column M" suffix.
    if let Some(i) = message.rfind(" at line ") {
        message.truncate(i);
    }
    InventoryError {
        file: file.to_path_buf(),
        location: e.location().map(|l| (l.line(), l.column())),
        message,
    }
}

fn read(path: &Path) -> Result<String, InventoryError> {
    std::fs::read_to_string(path).map_err(|e| InventoryError {
        file: path.to_path_buf(),
        location: None,
        message: format!("cannot read the inventory: {e}"),
    })
}

/// An entity with its origin.
struct Entry<'a> {
    raw: RawEntity,
    origin: Origin<'a>,
}

impl Inventory {
    /// Loads a single inventory file, or a Nornir SimpleInventory directory.
    pub fn load(path: &Path) -> Result<Inventory, InventoryError> {
        if path.is_dir() {
            return Self::load_nornir_dir(path);
        }
        let text = read(path)?;
        Self::from_str(&text, path)
    }

    /// Parses a single-file inventory; `file` is only used in error messages and for relative
    /// `password_file` paths.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str, file: impl AsRef<Path>) -> Result<Inventory, InventoryError> {
        let file = file.as_ref();
        let raw: RawSingleFile = serde_norway::from_str(text).map_err(|e| yaml_error(file, e))?;
        let defaults = Entry {
            raw: raw.defaults.unwrap_or_default(),
            origin: Origin {
                file,
                text,
                section: Some("defaults"),
                name: None,
            },
        };
        let origin = |section| Origin {
            file,
            text,
            section: Some(section),
            name: None,
        };
        let group_entries: BTreeMap<String, Entry> = raw
            .groups
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    Entry {
                        raw: v.unwrap_or_default(),
                        origin: origin("groups"),
                    },
                )
            })
            .collect();
        let host_entries: Vec<(String, Entry)> = raw
            .hosts
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    Entry {
                        raw: v.unwrap_or_default(),
                        origin: origin("hosts"),
                    },
                )
            })
            .collect();
        resolve(file, defaults, group_entries, host_entries)
    }

    /// Loads Nornir's `hosts.yaml` / `groups.yaml` / `defaults.yaml` from a directory.
    pub fn load_nornir_dir(dir: &Path) -> Result<Inventory, InventoryError> {
        let hosts_path = dir.join("hosts.yaml");
        let groups_path = dir.join("groups.yaml");
        let defaults_path = dir.join("defaults.yaml");
        let hosts_text = read(&hosts_path)?;
        let groups_text = if groups_path.exists() {
            read(&groups_path)?
        } else {
            String::new()
        };
        let defaults_text = if defaults_path.exists() {
            read(&defaults_path)?
        } else {
            String::new()
        };
        let hosts: Option<BTreeMap<String, Option<RawEntity>>> =
            serde_norway::from_str(&hosts_text).map_err(|e| yaml_error(&hosts_path, e))?;
        let groups: Option<BTreeMap<String, Option<RawEntity>>> = if groups_text.trim().is_empty() {
            None
        } else {
            serde_norway::from_str(&groups_text).map_err(|e| yaml_error(&groups_path, e))?
        };
        let defaults: Option<RawEntity> = if defaults_text.trim().is_empty() {
            None
        } else {
            serde_norway::from_str(&defaults_text).map_err(|e| yaml_error(&defaults_path, e))?
        };
        let defaults = Entry {
            raw: defaults.unwrap_or_default(),
            origin: Origin {
                file: &defaults_path,
                text: &defaults_text,
                section: None,
                name: None,
            },
        };
        let group_entries = groups
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| {
                let origin = Origin {
                    file: &groups_path,
                    text: &groups_text,
                    section: None,
                    name: None,
                };
                (
                    k,
                    Entry {
                        raw: v.unwrap_or_default(),
                        origin,
                    },
                )
            })
            .collect();
        let host_entries = hosts
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| {
                let origin = Origin {
                    file: &hosts_path,
                    text: &hosts_text,
                    section: None,
                    name: None,
                };
                (
                    k,
                    Entry {
                        raw: v.unwrap_or_default(),
                        origin,
                    },
                )
            })
            .collect();
        resolve(dir, defaults, group_entries, host_entries)
    }

    /// Device names of a group (direct and nested members), if the group exists.
    pub fn group_members(&self, group: &str) -> Option<&[String]> {
        self.groups.get(group).map(|v| v.as_slice())
    }
}

fn err_at(entry: &Entry, name: &str, field: &str, message: String) -> InventoryError {
    let origin = Origin {
        name: Some(name),
        ..entry_origin(entry)
    };
    InventoryError {
        file: entry.origin.file.to_path_buf(),
        location: origin.locate(field),
        message,
    }
}

fn entry_origin<'a>(entry: &'a Entry<'a>) -> Origin<'a> {
    Origin {
        file: entry.origin.file,
        text: entry.origin.text,
        section: entry.origin.section,
        name: entry.origin.name,
    }
}

/// Depth-first group order of an entity (Nornir: each group, then that group's own groups).
fn group_chain(
    start: &[String],
    groups: &BTreeMap<String, Entry>,
    out: &mut Vec<String>,
    stack: &mut Vec<String>,
) -> Result<(), String> {
    for g in start {
        if stack.contains(g) {
            return Err(format!("group cycle: {} -> {g}", stack.join(" -> ")));
        }
        if out.contains(g) {
            continue;
        }
        let Some(entry) = groups.get(g) else { continue };
        out.push(g.clone());
        stack.push(g.clone());
        group_chain(
            entry.raw.groups.as_deref().unwrap_or(&[]),
            groups,
            out,
            stack,
        )?;
        stack.pop();
    }
    Ok(())
}

fn resolve(
    source: &Path,
    defaults: Entry,
    groups: BTreeMap<String, Entry>,
    hosts: Vec<(String, Entry)>,
) -> Result<Inventory, InventoryError> {
    let mut warnings = Vec::new();
    // Unknown group references, in groups and hosts.
    let known: BTreeSet<&str> = groups.keys().map(|s| s.as_str()).collect();
    let check_refs = |name: &str, entry: &Entry, what: &str| -> Result<(), InventoryError> {
        for g in entry.raw.groups.as_deref().unwrap_or(&[]) {
            if !known.contains(g.as_str()) {
                let list = if known.is_empty() {
                    "none are defined".to_string()
                } else {
                    format!(
                        "defined groups: {}",
                        known.iter().copied().collect::<Vec<_>>().join(", ")
                    )
                };
                return Err(err_at(
                    entry,
                    name,
                    g,
                    format!("{what} `{name}` is in unknown group `{g}` ({list})"),
                ));
            }
        }
        Ok(())
    };
    for (name, entry) in &groups {
        check_refs(name, entry, "group")?;
    }
    for (name, entry) in &hosts {
        check_refs(name, entry, "host")?;
    }
    if hosts.is_empty() {
        warnings.push(format!("{}: the inventory has no hosts", source.display()));
    }

    let mut devices = BTreeMap::new();
    let mut members: BTreeMap<String, Vec<String>> =
        groups.keys().map(|g| (g.clone(), Vec::new())).collect();
    for (name, host) in &hosts {
        let mut chain_names = Vec::new();
        group_chain(
            host.raw.groups.as_deref().unwrap_or(&[]),
            &groups,
            &mut chain_names,
            &mut Vec::new(),
        )
        .map_err(|m| err_at(host, name, "groups", format!("host `{name}`: {m}")))?;
        // Resolution chain: host, its groups in order, defaults; each with its display name.
        let mut chain: Vec<(&Entry, String)> = vec![(host, name.clone())];
        for g in &chain_names {
            chain.push((&groups[g], g.clone()));
        }
        chain.push((&defaults, "defaults".into()));
        for g in &chain_names {
            if let Some(m) = members.get_mut(g) {
                m.push(name.clone());
            }
        }
        let spec = resolve_host(name, &chain, &chain_names, &mut warnings)?;
        devices.insert(name.clone(), spec);
    }
    Ok(Inventory {
        devices,
        groups: members,
        warnings,
        source: source.to_path_buf(),
    })
}

/// First value of a field along the chain, with the entity that gave it.
fn pick<'a, T>(
    chain: &'a [(&'a Entry<'a>, String)],
    f: impl Fn(&'a RawEntity) -> Option<&'a T>,
) -> Option<(&'a T, &'a Entry<'a>, &'a str)> {
    chain
        .iter()
        .find_map(|(e, n)| f(&e.raw).map(|v| (v, *e, n.as_str())))
}

fn resolve_host(
    name: &str,
    chain: &[(&Entry, String)],
    group_names: &[String],
    warnings: &mut Vec<String>,
) -> Result<DeviceSpec, InventoryError> {
    let host = chain[0].0;
    let missing = |field: &str, hint: &str| {
        InventoryError {
        file: host.origin.file.to_path_buf(),
        location: Origin { name: Some(name), ..entry_origin(host) }.locate(name),
        message: format!("host `{name}` has no `{field}` (set it on the host, one of its groups or the defaults){hint}"),
    }
    };
    let hostname = pick(chain, |r| r.hostname.as_ref())
        .map(|(v, _, _)| v.clone())
        .unwrap_or_else(|| name.to_string());
    let port = pick(chain, |r| r.port.as_ref())
        .map(|(v, _, _)| *v)
        .unwrap_or(22);
    if port == 0 {
        let (_, e, n) = pick(chain, |r| r.port.as_ref()).expect("port was set");
        return Err(err_at(
            e,
            n,
            "port",
            format!("`{n}`: port 0 is not valid, expected 1-65535"),
        ));
    }
    let username = pick(chain, |r| r.username.as_ref())
        .map(|(v, _, _)| v.clone())
        .ok_or_else(|| missing("username", ""))?;
    let platform = pick(chain, |r| r.platform.as_ref())
        .map(|(v, _, _)| v.0.clone())
        .ok_or_else(|| {
            missing(
                "platform",
                &format!(", expected one of: {}", known_platforms()),
            )
        })?;

    // Data: per key, host over groups over defaults (Nornir semantics).
    let mut data = Map::new();
    for (e, _) in chain.iter().rev() {
        if let Some(d) = &e.raw.data {
            for (k, v) in d {
                data.insert(k.clone(), v.clone());
            }
        }
    }

    // Secrets: the first entity in the chain that sets any password source wins.
    let secret_src = chain.iter().find(|(e, _)| {
        e.raw.password.is_some() || e.raw.password_env.is_some() || e.raw.password_file.is_some()
    });
    let secret = match secret_src {
        None => None,
        Some((e, n)) => {
            let set = [
                e.raw.password.is_some(),
                e.raw.password_env.is_some(),
                e.raw.password_file.is_some(),
            ]
            .iter()
            .filter(|b| **b)
            .count();
            if set > 1 {
                return Err(err_at(
                    e,
                    n,
                    "password",
                    format!("`{n}` sets more than one of password, password_env, password_file; expected one"),
                ));
            }
            if let Some(p) = &e.raw.password {
                let w = format!(
                    "{}: `{n}` has a plain `password`; prefer password_env or password_file",
                    e.origin.file.display()
                );
                if !warnings.contains(&w) {
                    warnings.push(w);
                }
                Some(p.clone())
            } else if let Some(var) = &e.raw.password_env {
                match std::env::var(var) {
                    Ok(v) => Some(Secret::new(v)),
                    Err(_) => {
                        return Err(err_at(
                            e,
                            n,
                            "password_env",
                            format!(
                                "`{n}`: environment variable `{var}` (password_env) is not set"
                            ),
                        ))
                    }
                }
            } else if let Some(path) = &e.raw.password_file {
                let full = if path.is_relative() {
                    e.origin.file.parent().unwrap_or(Path::new(".")).join(path)
                } else {
                    path.clone()
                };
                match std::fs::read_to_string(&full) {
                    Ok(v) => Some(Secret::new(v.trim_end_matches(['\r', '\n']))),
                    Err(err) => {
                        return Err(err_at(
                            e,
                            n,
                            "password_file",
                            format!("`{n}`: cannot read password_file {}: {err}", full.display()),
                        ))
                    }
                }
            } else {
                None
            }
        }
    };
    let credential = match pick(chain, |r| r.key_file.as_ref()) {
        Some((path, _, _)) => Credential::KeyFile {
            path: path.clone(),
            passphrase: secret,
        },
        None => match secret {
            Some(s) => Credential::Password(s),
            None => {
                return Err(missing(
                    "password_env",
                    " — or password_file, key_file, or a plain password",
                ))
            }
        },
    };

    let mode = pick(chain, |r| {
        r.keepalive.as_ref().and_then(|k| k.mode.as_ref())
    });
    let interval = pick(chain, |r| {
        r.keepalive.as_ref().and_then(|k| k.interval.as_ref())
    });
    let probe_timeout = pick(chain, |r| {
        r.keepalive.as_ref().and_then(|k| k.probe_timeout.as_ref())
    });
    let keepalive = KeepaliveSpec {
        mode: mode.map(|(v, _, _)| *v),
        interval: interval.map(|(v, _, _)| v.0),
        command: pick(chain, |r| {
            r.keepalive.as_ref().and_then(|k| k.command.as_ref())
        })
        .map(|(v, _, _)| v.clone()),
        probe_timeout: probe_timeout.map(|(v, _, _)| v.0),
    };
    if let Some((_, e, n)) = probe_timeout.filter(|(v, _, _)| v.0.is_zero()) {
        return Err(err_at(
            e,
            n,
            "probe_timeout",
            format!("`{n}`: keepalive probe_timeout 0, expected a positive duration"),
        ));
    }
    if let Some((_, e, n)) =
        mode.filter(|(m, _, _)| **m == KeepaliveModeSpec::Command && keepalive.command.is_none())
    {
        return Err(err_at(
            e,
            n,
            "mode",
            format!("`{n}`: keepalive mode `command` needs `command: \"...\"`"),
        ));
    }
    if let Some((_, e, n)) = interval.filter(|(v, _, _)| v.0.is_zero()) {
        return Err(err_at(
            e,
            n,
            "interval",
            format!("`{n}`: keepalive interval 0, expected a positive duration (or mode: off)"),
        ));
    }
    let idle_timeout = pick(chain, |r| r.idle_timeout.as_ref()).map(|(v, _, _)| v.0);
    if let (Some(i), Some(t)) = (keepalive.interval, idle_timeout) {
        if !t.is_zero() && i >= t && !keepalive.is_off() {
            warnings.push(format!(
                "host `{name}`: keepalive interval {} is not shorter than idle_timeout {}; the device will drop the session",
                humantime::format_duration(i),
                humantime::format_duration(t)
            ));
        }
    }
    let max_sessions = pick(chain, |r| r.max_sessions.as_ref())
        .map(|(v, _, _)| v.get() as usize)
        .unwrap_or(1);
    let max_age = pick(chain, |r| r.max_age.as_ref()).map(|(v, _, _)| v.0);
    if max_age == Some(Duration::ZERO) {
        let (_, e, n) = pick(chain, |r| r.max_age.as_ref()).expect("set");
        return Err(err_at(
            e,
            n,
            "max_age",
            format!("`{n}`: max_age 0, expected a positive duration"),
        ));
    }
    let connect_timeout = pick(chain, |r| r.connect_timeout.as_ref())
        .map(|(v, _, _)| v.0)
        .unwrap_or(Duration::from_secs(10));
    if connect_timeout.is_zero() {
        let (_, e, n) = pick(chain, |r| r.connect_timeout.as_ref()).expect("set");
        return Err(err_at(
            e,
            n,
            "connect_timeout",
            format!("`{n}`: connect_timeout 0, expected a positive duration"),
        ));
    }
    Ok(DeviceSpec {
        name: name.to_string(),
        hostname,
        port,
        username,
        platform,
        groups: group_names.to_vec(),
        data,
        credential,
        keepalive,
        idle_timeout,
        max_sessions,
        max_age,
        warm: pick(chain, |r| r.warm.as_ref())
            .map(|(v, _, _)| *v)
            .unwrap_or(true),
        legacy_algorithms: pick(chain, |r| r.legacy_algorithms.as_ref())
            .map(|(v, _, _)| *v)
            .unwrap_or(false),
        host_key_policy: pick(chain, |r| r.host_key_policy.as_ref())
            .map(|(v, _, _)| *v)
            .unwrap_or_default(),
        known_hosts_file: pick(chain, |r| r.known_hosts_file.as_ref()).map(|(v, _, _)| v.clone()),
        connect_timeout,
    })
}
