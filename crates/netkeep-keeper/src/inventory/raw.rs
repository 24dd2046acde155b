//! The inventory as written: one host, group or the defaults ([`RawEntity`]) before anything
//! is merged or checked, and the YAML shapes of a single-file inventory. Durations are read with
//! humantime (`3s`, `500ms`, `10m`) or as a number of seconds.

use std::collections::BTreeMap;
use std::fmt;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::spec::{HostKeyPolicy, KeepaliveMode, Secret};

/// Reads an optional plain `password:` into a [`Secret`].
fn optional_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(Secret::new))
}

/// A duration: `"3s"`, `"500ms"`, `"10m"`, or a number of seconds.
#[derive(Debug, Clone, Copy)]
pub(super) struct Dur(pub(super) Duration);

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

/// A `keepalive:` mapping.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawKeepalive {
    pub(super) mode: Option<KeepaliveMode>,
    pub(super) interval: Option<Dur>,
    pub(super) command: Option<String>,
    pub(super) probe_timeout: Option<Dur>,
}

/// `session_log: PATH`, or `{ path: PATH, max_bytes: N, keep: N }`.
#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "a file path, or a mapping with `path` and optionally `max_bytes` and `keep`"
)]
pub(super) enum RawSessionLog {
    Path(PathBuf),
    Full(RawSessionLogFull),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSessionLogFull {
    pub(super) path: PathBuf,
    pub(super) max_bytes: Option<u64>,
    pub(super) keep: Option<usize>,
}

/// One host, group or the defaults, as written.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEntity {
    pub(super) hostname: Option<String>,
    pub(super) port: Option<u16>,
    /// `ssh` (default) or `telnet`; a `<platform>_telnet` name sets it too.
    pub(super) protocol: Option<netkeep::Protocol>,
    pub(super) username: Option<String>,
    #[serde(default, deserialize_with = "optional_secret")]
    pub(super) password: Option<Secret>,
    /// As written; checked and made canonical against the known platforms after parsing (the
    /// user platform directory is only known then).
    pub(super) platform: Option<String>,
    pub(super) groups: Option<Vec<String>>,
    pub(super) data: Option<Map<String, Value>>,
    /// Nornir's per-plugin options: of `netmiko: {extras: …}`, `secret` (the enable secret)
    /// and `session_log` are read; everything else (other plugins, other extras such as
    /// `fast_cli`) is accepted and not used.
    pub(super) connection_options: Option<Value>,
    pub(super) password_env: Option<String>,
    pub(super) password_file: Option<PathBuf>,
    /// The enable secret (Netmiko's `secret`), plain.
    #[serde(default, deserialize_with = "optional_secret")]
    pub(super) secret: Option<Secret>,
    pub(super) secret_env: Option<String>,
    pub(super) secret_file: Option<PathBuf>,
    /// Enter privileged mode at session preparation.
    pub(super) enable: Option<bool>,
    pub(super) session_log: Option<RawSessionLog>,
    pub(super) key_file: Option<PathBuf>,
    pub(super) keepalive: Option<RawKeepalive>,
    pub(super) idle_timeout: Option<Dur>,
    pub(super) max_sessions: Option<NonZeroU32>,
    pub(super) max_age: Option<Dur>,
    pub(super) warm: Option<bool>,
    pub(super) legacy_algorithms: Option<bool>,
    pub(super) host_key_policy: Option<HostKeyPolicy>,
    pub(super) known_hosts_file: Option<PathBuf>,
    pub(super) connect_timeout: Option<Dur>,
    /// Directory of user platform files; only allowed in the defaults.
    pub(super) platform_dir: Option<PathBuf>,
    /// The OpenSSH client configuration to read for this host (`none`: none).
    pub(super) ssh_config_file: Option<PathBuf>,
    /// Jump hosts: an inventory host, or `[user@]host[:port][,...]`, or `none`.
    pub(super) jump_host: Option<String>,
}

impl RawEntity {
    /// `connection_options.netmiko.extras.KEY`, as Nornir's netmiko plugin passes it on.
    pub(super) fn netmiko_extra(&self, key: &str) -> Option<&Value> {
        self.connection_options
            .as_ref()?
            .get("netmiko")?
            .get("extras")?
            .get(key)
    }
}

/// The `hosts` or `groups` mapping: names to entities, each name once.
pub(super) type Section = Unique<Option<RawEntity>>;

/// A single-file inventory.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSingleFile {
    #[serde(default)]
    pub(super) defaults: Option<RawEntity>,
    #[serde(default)]
    pub(super) groups: Option<Section>,
    pub(super) hosts: Section,
}

/// A mapping whose keys must be unique. YAML parsers (serde_norway among them) let a repeated
/// key replace the earlier one silently; for hosts and groups that would drop a device without
/// a word, so a repeated name is an error, located at the repetition.
pub(super) struct Unique<V>(pub(super) BTreeMap<String, V>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Unique<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct M<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for M<V> {
            type Value = Unique<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping of names")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Unique<V>, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(k) = map.next_key::<String>()? {
                    if out.contains_key(&k) {
                        return Err(de::Error::custom(format!(
                            "`{k}` is defined twice (the second would silently replace the first); give each host and group a unique name"
                        )));
                    }
                    let v = map.next_value()?;
                    out.insert(k, v);
                }
                Ok(Unique(out))
            }
        }
        d.deserialize_map(M(std::marker::PhantomData))
    }
}
