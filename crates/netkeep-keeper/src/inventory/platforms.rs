//! Which platform names an inventory may use: the built-in platforms, the files of a user
//! platform directory, their aliases, and the NAPALM names Nornir inventories use.

use std::borrow::Cow;
use std::path::Path;

use netkeep_platform::Registry;

/// NAPALM-style names Nornir inventories use, mapped to the platform files' names. The Netmiko
/// names and their aliases come from the platform data itself (netkeep-platform).
const NAPALM_NAMES: &[(&str, &str)] = &[
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

/// Maps a built-in platform, alias or NAPALM name to the canonical name, or `None` when unknown.
///
/// ```
/// use netkeep_keeper::inventory::canonical_platform;
/// assert_eq!(canonical_platform("ios").as_deref(), Some("cisco_ios"));
/// assert_eq!(canonical_platform("cisco_iox"), None);
/// ```
pub fn canonical_platform(name: &str) -> Option<String> {
    KnownPlatforms::builtin().canonical(name)
}

/// The platforms an inventory may name.
pub(super) struct KnownPlatforms(Cow<'static, Registry>);

impl KnownPlatforms {
    /// The built-in platforms only.
    pub(super) fn builtin() -> Self {
        KnownPlatforms(Cow::Borrowed(Registry::builtin()))
    }

    /// The built-in platforms plus (or overridden by) the `*.yaml` files of `dir`, read the same
    /// way a session reads them at connect time.
    pub(super) fn with_dir(dir: &Path) -> Result<Self, String> {
        Registry::with_dir(dir)
            .map(|r| KnownPlatforms(Cow::Owned(r)))
            .map_err(|e| e.to_string())
    }

    /// The canonical name of a platform, alias or NAPALM name, or `None` when unknown.
    pub(super) fn canonical(&self, name: &str) -> Option<String> {
        let name = NAPALM_NAMES
            .iter()
            .find(|(a, _)| *a == name)
            .map_or(name, |(_, p)| *p);
        self.0.get(name).ok().map(|p| p.name().to_string())
    }

    /// The canonical names, for "expected one of" messages.
    pub(super) fn list(&self) -> String {
        self.0.names().join(", ")
    }
}
