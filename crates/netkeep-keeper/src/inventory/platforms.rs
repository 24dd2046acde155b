//! Which platform names an inventory may use: the built-in platforms, the files of a user
//! platform directory, and their aliases (NAPALM names included: they are `aliases` in the
//! platform files).

use std::borrow::Cow;
use std::path::Path;

use netkeep_platform::Registry;

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

/// True when the device's platform has no configuration mode (a Unix shell, `generic`): there
/// the words of a command do not tell whether it only reads (`sh` is a shell), so the `read`
/// scope runs nothing on it. An unknown platform or unreadable platform directory counts as a
/// shell (refuse rather than guess).
pub fn is_shell_platform(spec: &super::DeviceSpec) -> bool {
    let registry = match &spec.platform_dir {
        Some(d) => match Registry::with_dir(d) {
            Ok(r) => Cow::Owned(r),
            Err(_) => return true,
        },
        None => Cow::Borrowed(Registry::builtin()),
    };
    registry
        .get(&spec.platform)
        .map(|p| p.spec().config.is_none())
        .unwrap_or(true)
}

/// The device's platform as TextFSM template indexes name it (`huawei_vrp` for `huawei`), or
/// `None` when the platform (or its platform directory) cannot be read.
pub fn textfsm_platform(spec: &super::DeviceSpec) -> Option<String> {
    let registry = match &spec.platform_dir {
        Some(d) => Cow::Owned(Registry::with_dir(d).ok()?),
        None => Cow::Borrowed(Registry::builtin()),
    };
    registry
        .get(&spec.platform)
        .ok()
        .map(|p| p.textfsm_platform().to_string())
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
        self.0.canonical_name(name).map(str::to_string)
    }

    /// The canonical names, for "expected one of" messages.
    pub(super) fn list(&self) -> String {
        self.0.names().join(", ")
    }
}
