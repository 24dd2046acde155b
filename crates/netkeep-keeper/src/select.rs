//! Which devices a request means: one device, a list, a group or the whole inventory, narrowed
//! by a filter on the inventory's `data` (`site=fra1`). One definition for the API and for
//! `netkeep exec --inventory` without a daemon.
//!
//! ```
//! use std::collections::BTreeMap;
//! use netkeep_keeper::inventory::Inventory;
//! use netkeep_keeper::select::{parse_filter, Target};
//! let inv = Inventory::from_str(
//!     "defaults: { username: u, password: p, platform: hp_comware }\n\
//!      hosts:\n  a: { data: { site: fra1 } }\n  b: { data: { site: ams1 } }\n",
//!     "inv.yaml",
//! )
//! .unwrap();
//! let filter: BTreeMap<String, String> = [parse_filter("site=fra1").unwrap()].into();
//! assert_eq!(inv.select(&Target::All, &filter).unwrap(), ["a"]);
//! assert!(inv.select(&Target::Device("c".into()), &BTreeMap::new()).is_err());
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use crate::inventory::{DeviceSpec, Inventory};

/// Which devices an exec targets, before the filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One device.
    Device(String),
    /// Several devices, in this order.
    Devices(Vec<String>),
    /// Every member of a group, sorted by name.
    Group(String),
    /// Every device, sorted by name (only sensible with a filter).
    All,
}

/// Why a selection names no device to run on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectError {
    /// Devices not in the inventory.
    UnknownDevices(Vec<String>),
    /// A group not in the inventory.
    UnknownGroup(String),
    /// The filter left no device.
    NoMatch(String),
}

impl fmt::Display for SelectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SelectError::UnknownDevices(d) => {
                let list: Vec<String> = d.iter().map(|s| format!("`{s}`")).collect();
                write!(f, "unknown device {}", list.join(", "))
            }
            SelectError::UnknownGroup(g) => write!(f, "unknown group `{g}`"),
            SelectError::NoMatch(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for SelectError {}

/// Parses one `key=value` filter term.
///
/// ```
/// assert_eq!(
///     netkeep_keeper::select::parse_filter("site=fra1").unwrap(),
///     ("site".to_string(), "fra1".to_string())
/// );
/// assert!(netkeep_keeper::select::parse_filter("site").is_err());
/// ```
pub fn parse_filter(term: &str) -> Result<(String, String), String> {
    match term.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!(
            "bad filter `{term}`: expected KEY=VALUE on the inventory's `data` (e.g. site=fra1)"
        )),
    }
}

/// True when every `key=value` of `filter` holds in `data`: a string equal to the value, or a
/// number or boolean written as it (`vlan=10`, `core=true`).
pub fn matches(data: &serde_json::Map<String, Value>, filter: &BTreeMap<String, String>) -> bool {
    filter.iter().all(|(k, want)| match data.get(k) {
        Some(Value::String(s)) => s == want,
        Some(Value::Number(n)) => n.to_string() == *want,
        Some(Value::Bool(b)) => (if *b { "true" } else { "false" }) == want,
        _ => false,
    })
}

/// The names `target` means in a fleet, in order, narrowed by `filter`. `spec` looks a device
/// up, `all` lists every device (sorted), `group` a group's members.
pub fn select<'a>(
    target: &Target,
    filter: &BTreeMap<String, String>,
    spec: impl Fn(&str) -> Option<&'a DeviceSpec>,
    all: impl FnOnce() -> Vec<String>,
    group: impl FnOnce(&str) -> Option<Vec<String>>,
) -> Result<Vec<String>, SelectError> {
    let names = match target {
        Target::Device(d) => vec![d.clone()],
        Target::Devices(ds) => ds.clone(),
        Target::Group(g) => group(g).ok_or_else(|| SelectError::UnknownGroup(g.clone()))?,
        Target::All => all(),
    };
    let unknown: Vec<String> = names
        .iter()
        .filter(|n| spec(n).is_none())
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(SelectError::UnknownDevices(unknown));
    }
    if filter.is_empty() {
        return Ok(names);
    }
    let total = names.len();
    let kept: Vec<String> = names
        .into_iter()
        .filter(|n| spec(n).is_some_and(|s| matches(&s.data, filter)))
        .collect();
    if kept.is_empty() {
        let terms: Vec<String> = filter.iter().map(|(k, v)| format!("{k}={v}")).collect();
        return Err(SelectError::NoMatch(format!(
            "no device matches the filter {} (of {total} selected; the filter compares the inventory's `data`)",
            terms.join(" ")
        )));
    }
    Ok(kept)
}

impl Inventory {
    /// The devices `target` names in this inventory, narrowed by `filter` (see [`select`]).
    pub fn select(
        &self,
        target: &Target,
        filter: &BTreeMap<String, String>,
    ) -> Result<Vec<String>, SelectError> {
        select(
            target,
            filter,
            |n| self.devices.get(n),
            || self.devices.keys().cloned().collect(),
            |g| self.groups.get(g).cloned(),
        )
    }
}
