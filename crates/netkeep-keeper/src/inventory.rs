//! The fleet inventory: which devices the keeper holds sessions to, and how.
//!
//! Two layouts are accepted:
//! * one YAML file with `defaults`, `groups` and `hosts` sections;
//! * a directory in Nornir's SimpleInventory layout: `hosts.yaml` (required), `groups.yaml` and
//!   `defaults.yaml` (optional), so existing Nornir inventories load unchanged.
//!
//! Every host, group and the defaults take Nornir's fields (`hostname`, `port`, `username`,
//! `password`, `platform`, `groups`, `data`, `connection_options` — of which netkeep reads
//! `netmiko: {extras: {secret, session_log}}` and says the rest is not used) plus netkeep's own
//! settings (`password_env`, `password_file`, `key_file`, `secret`/`secret_env`/`secret_file`
//! (the enable secret), `enable` (privileged mode at session preparation), `session_log` (a
//! transcript file per device, `{name}` in its path), `keepalive`, `idle_timeout`,
//! `max_sessions`, `max_age`, `warm`, `legacy_algorithms`, `host_key_policy`,
//! `known_hosts_file`, `connect_timeout`, `jump_host`, `ssh_config_file`). A value is taken from the host, else from its groups in
//! order (each group before its own parent groups, like Nornir), else from the defaults.
//!
//! `platform_dir` (in the defaults only: one directory for the whole inventory, relative to the
//! file that sets it) names a directory of user platform files, read exactly as
//! `netkeep exec --platform-dir` reads it: platform names are checked against the built-in
//! platforms plus these files, and every session loads its platform from there.
//! `netkeep serve --platform-dir` ([`LoadOptions::platform_dir`]) takes precedence over it.
//!
//! | file | job |
//! |---|---|
//! | `inventory/spec.rs` | the public types: [`Inventory`], [`DeviceSpec`], [`InventoryError`] |
//! | `inventory/raw.rs` | the YAML as written (serde shapes, durations) |
//! | `inventory/load.rs` | files, Nornir directories, YAML, errors located at file:line:column |
//! | `inventory/platforms.rs` | which platform names are known (built-in, user directory, NAPALM) |
//! | `inventory/resolve.rs` | merging: platform directory and names, groups, each host's chain |
//! | `inventory/host.rs` | one host's settings, one function per concern |
//! | `inventory/secrets.rs` | a host's login password and enable secret: plain, variable, file |
//! | `inventory/reach.rs` | the ssh_config a host is read with, and routes: `jump_host`, ProxyJump, ProxyCommand |
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

mod host;
mod load;
mod platforms;
mod raw;
mod reach;
mod resolve;
mod secrets;
mod spec;

use std::path::Path;

pub use self::platforms::{canonical_platform, is_shell_platform, textfsm_platform};
pub use self::reach::hop_options;
pub use self::spec::{
    Credential, DeviceSpec, HostKeyPolicy, Inventory, InventoryError, KeepaliveMode, KeepaliveSpec,
    LoadOptions, Secret, SshConfigSource, SshSettings,
};

impl Inventory {
    /// Loads a single inventory file, or a Nornir SimpleInventory directory.
    pub fn load(path: &Path) -> Result<Inventory, InventoryError> {
        Self::load_with(path, &LoadOptions::default())
    }

    /// [`Inventory::load`] with settings from the command line (a user platform directory).
    pub fn load_with(path: &Path, opts: &LoadOptions) -> Result<Inventory, InventoryError> {
        resolve::resolve(load::load(path)?, opts)
    }

    /// Parses a single-file inventory; `file` is only used in error messages and for relative
    /// `password_file` and `platform_dir` paths.
    #[allow(clippy::should_implement_trait)] // two arguments (text and file name): not FromStr
    pub fn from_str(text: &str, file: impl AsRef<Path>) -> Result<Inventory, InventoryError> {
        Self::from_str_with(text, file, &LoadOptions::default())
    }

    /// [`Inventory::from_str`] with settings from the command line.
    pub fn from_str_with(
        text: &str,
        file: impl AsRef<Path>,
        opts: &LoadOptions,
    ) -> Result<Inventory, InventoryError> {
        resolve::resolve(load::parse_single_file(text, file.as_ref())?, opts)
    }

    /// Loads Nornir's `hosts.yaml` / `groups.yaml` / `defaults.yaml` from a directory.
    pub fn load_nornir_dir(dir: &Path) -> Result<Inventory, InventoryError> {
        resolve::resolve(load::parse_nornir_dir(dir)?, &LoadOptions::default())
    }

    /// Device names of a group (direct and nested members), if the group exists.
    pub fn group_members(&self, group: &str) -> Option<&[String]> {
        self.groups.get(group).map(|v| v.as_slice())
    }
}
