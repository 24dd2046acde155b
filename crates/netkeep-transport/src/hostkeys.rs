//! Host-key policy and known_hosts files.
//!
//! We parse known_hosts ourselves for netkeep's own file (one bad line must not hide the rest, see
//! the russh notes) and fall back to russh's reader for hashed entries in OpenSSH's file.

use std::io::Write;
use std::path::{Path, PathBuf};

use russh::keys::{HashAlg, PublicKey};

/// What to do with the device's host key.
///
/// ```
/// use netkeep_transport::HostKeyPolicy;
/// let p: HostKeyPolicy = "accept-new".parse().unwrap();
/// assert_eq!(p, HostKeyPolicy::AcceptNew);
/// ```
///
/// With the `serde` feature it (de)serialises as `accept_new` (also read: `accept-new`), `strict`
/// or `insecure`, the inventory's spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum HostKeyPolicy {
    /// Trust on first use: remember an unknown key in netkeep's known_hosts file, refuse a changed one.
    #[default]
    #[cfg_attr(feature = "serde", serde(alias = "accept-new"))]
    AcceptNew,
    /// The key must already be known (netkeep's file or OpenSSH's `~/.ssh/known_hosts`).
    Strict,
    /// Accept any key. Explicit opt-out for labs; never the default.
    Insecure,
}

impl std::str::FromStr for HostKeyPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "accept-new" | "accept_new" | "tofu" => Ok(HostKeyPolicy::AcceptNew),
            "strict" => Ok(HostKeyPolicy::Strict),
            "insecure" | "none" => Ok(HostKeyPolicy::Insecure),
            other => Err(format!(
                "unknown host key policy {other:?}: use accept-new, strict or insecure"
            )),
        }
    }
}

impl std::fmt::Display for HostKeyPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HostKeyPolicy::AcceptNew => "accept-new",
            HostKeyPolicy::Strict => "strict",
            HostKeyPolicy::Insecure => "insecure",
        })
    }
}

/// netkeep's own known_hosts file: `<data dir>/netkeep/known_hosts`
/// (e.g. `~/.local/share/netkeep/known_hosts`).
pub fn default_known_hosts_file() -> PathBuf {
    dirs::data_dir()
        .or_else(dirs::home_dir)
        .unwrap_or_else(|| PathBuf::from("."))
        .join("netkeep")
        .join("known_hosts")
}

/// OpenSSH's per-user file, read (never written) under [`HostKeyPolicy::Strict`].
pub fn openssh_known_hosts_file() -> Option<PathBuf> {
    dirs::home_dir().map(|h| h.join(".ssh").join("known_hosts"))
}

/// SHA-256 fingerprint as OpenSSH prints it (`SHA256:...`).
pub(crate) fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// Result of looking a key up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lookup {
    Known,
    NotFound,
    Changed {
        known_fingerprint: String,
        file: PathBuf,
        line: usize,
    },
}

/// The name under which a host is stored: `host` for port 22, `[host]:port` otherwise.
pub(crate) fn host_pattern(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_string()
    } else {
        format!("[{host}]:{port}")
    }
}

fn key_fields(key: &PublicKey) -> Option<(String, String)> {
    let line = key.to_openssh().ok()?;
    let mut it = line.split_whitespace();
    Some((it.next()?.to_string(), it.next()?.to_string()))
}

/// Looks `key` up in one file. A missing file is simply "not found".
pub(crate) fn lookup(path: &Path, host: &str, port: u16, key: &PublicKey) -> Lookup {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Lookup::NotFound;
    };
    let Some((ktype, kdata)) = key_fields(key) else {
        return Lookup::NotFound;
    };
    let wanted = host_pattern(host, port);
    let mut changed = None;
    let mut saw_hashed = false;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('@') {
            continue;
        }
        let mut f = line.split_whitespace();
        let (Some(hosts), Some(t), Some(d)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        if hosts.starts_with("|1|") {
            saw_hashed = true;
            continue;
        }
        if !hosts.split(',').any(|h| h == wanted) {
            continue;
        }
        if t == ktype && d == kdata {
            return Lookup::Known;
        }
        if changed.is_none() {
            let fp = PublicKey::from_openssh(&format!("{t} {d}"))
                .map(|k| fingerprint(&k))
                .unwrap_or_else(|_| format!("{t} (unparseable)"));
            changed = Some(Lookup::Changed {
                known_fingerprint: fp,
                file: path.to_path_buf(),
                line: i + 1,
            });
        }
    }
    if let Some(c) = changed {
        return c;
    }
    if saw_hashed {
        match russh::keys::check_known_hosts_path(host, port, key, path) {
            Ok(true) => return Lookup::Known,
            Err(russh::keys::Error::KeyChanged { line }) => {
                return Lookup::Changed {
                    known_fingerprint: "(hashed entry)".into(),
                    file: path.to_path_buf(),
                    line,
                }
            }
            _ => {}
        }
    }
    Lookup::NotFound
}

/// Appends the key to `path`, creating the file (and its directory) if needed.
pub(crate) fn learn(path: &Path, host: &str, port: u16, key: &PublicKey) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    let (t, d) = key_fields(key)
        .ok_or_else(|| std::io::Error::other("cannot encode the host key in OpenSSH format"))?;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    writeln!(f, "{} {t} {d}", host_pattern(host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ";
    const K2: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA6rWI3G1sz07DnfFlrouTcysQlj2P+jpNSOEWD9OJ3X";

    #[test]
    fn learn_then_known_then_changed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub").join("known_hosts");
        let k1 = PublicKey::from_openssh(K1).unwrap();
        let k2 = PublicKey::from_openssh(K2).unwrap();
        assert_eq!(lookup(&file, "10.0.0.1", 2222, &k1), Lookup::NotFound);
        learn(&file, "10.0.0.1", 2222, &k1).unwrap();
        assert_eq!(lookup(&file, "10.0.0.1", 2222, &k1), Lookup::Known);
        // Same host, other port: a different entry.
        assert_eq!(lookup(&file, "10.0.0.1", 22, &k1), Lookup::NotFound);
        match lookup(&file, "10.0.0.1", 2222, &k2) {
            Lookup::Changed {
                known_fingerprint,
                line,
                ..
            } => {
                assert_eq!(known_fingerprint, fingerprint(&k1));
                assert_eq!(line, 1);
            }
            other => panic!("expected Changed, got {other:?}"),
        }
    }

    #[test]
    fn garbage_lines_do_not_hide_good_ones() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("known_hosts");
        std::fs::write(
            &file,
            format!("# comment\nthis is not a key line\n\n@revoked * {K2}\nrouter1,[10.0.0.2]:830 {K1}\n"),
        )
        .unwrap();
        let k1 = PublicKey::from_openssh(K1).unwrap();
        assert_eq!(lookup(&file, "10.0.0.2", 830, &k1), Lookup::Known);
        assert_eq!(lookup(&file, "router1", 22, &k1), Lookup::Known);
    }
}
