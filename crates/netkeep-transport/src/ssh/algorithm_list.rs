//! Algorithm lists as ssh_config writes them (`KexAlgorithms`, `HostKeyAlgorithms`, `Ciphers`,
//! `MACs`): a list replaces netkeep's, `+list` appends to it, `-patterns` removes from it,
//! `^list` puts first — always relative to what netkeep offers (russh's modern defaults, plus
//! the legacy ones with `legacy_algorithms`), and only with algorithms russh implements.

use russh::keys::Algorithm;
use russh::{cipher, kex, mac, Preferred};

use crate::ssh_config::pattern::list_matches;

/// Which list an ssh_config line changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlgorithmKind {
    /// `KexAlgorithms`.
    Kex,
    /// `HostKeyAlgorithms`.
    HostKey,
    /// `Ciphers`.
    Cipher,
    /// `MACs`.
    Mac,
}

/// How a list changes netkeep's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlgorithmOp {
    /// Exactly these, in this order.
    Replace,
    /// `+`: these after netkeep's.
    Append,
    /// `-`: netkeep's without those matching these patterns.
    Remove,
    /// `^`: these first, then the rest of netkeep's.
    Prepend,
}

/// One algorithm line, its names already limited to what russh implements.
///
/// ```
/// use netkeep_transport::ssh::{AlgorithmKind, AlgorithmList, AlgorithmOp};
/// let (l, dropped) = AlgorithmList::parse(AlgorithmKind::Kex, "+diffie-hellman-group14-sha1,sntrup761x25519-sha512").unwrap();
/// assert_eq!(l.op, AlgorithmOp::Append);
/// assert_eq!(l.names, ["diffie-hellman-group14-sha1"]);
/// assert_eq!(dropped, ["sntrup761x25519-sha512"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlgorithmList {
    /// Replace, append, remove or prepend.
    pub op: AlgorithmOp,
    /// Algorithm names (patterns for [`AlgorithmOp::Remove`]).
    pub names: Vec<String>,
}

/// The algorithm lines that apply to one connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Algorithms {
    /// `KexAlgorithms`.
    pub kex: Option<AlgorithmList>,
    /// `HostKeyAlgorithms`.
    pub host_key: Option<AlgorithmList>,
    /// `Ciphers`.
    pub cipher: Option<AlgorithmList>,
    /// `MACs`.
    pub mac: Option<AlgorithmList>,
}

/// Host-key algorithms russh verifies (no `ssh-dss`: not built).
const HOST_KEY: &[&str] = &[
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "rsa-sha2-512",
    "rsa-sha2-256",
    "ssh-rsa",
];

/// Every name russh implements for a kind (`none` and `clear` left out: never by configuration).
pub fn supported(kind: AlgorithmKind) -> Vec<&'static str> {
    let real = |n: &&'static str| !matches!(*n, "none" | "clear");
    match kind {
        AlgorithmKind::Kex => kex::ALL_KEX_ALGORITHMS
            .iter()
            .map(|n| n.as_ref())
            .filter(real)
            .collect(),
        AlgorithmKind::HostKey => HOST_KEY.to_vec(),
        AlgorithmKind::Cipher => cipher::ALL_CIPHERS
            .iter()
            .map(|n| n.as_ref())
            .filter(real)
            .collect(),
        AlgorithmKind::Mac => mac::ALL_MAC_ALGORITHMS
            .iter()
            .map(|n| n.as_ref())
            .filter(real)
            .collect(),
    }
}

impl AlgorithmList {
    /// Reads an ssh_config value; also returns the names russh does not implement (dropped).
    /// Errs when a list that names algorithms (not `-`) keeps none russh implements.
    pub fn parse(kind: AlgorithmKind, value: &str) -> Result<(AlgorithmList, Vec<String>), String> {
        let (op, list) = match value.chars().next() {
            Some('+') => (AlgorithmOp::Append, &value[1..]),
            Some('-') => (AlgorithmOp::Remove, &value[1..]),
            Some('^') => (AlgorithmOp::Prepend, &value[1..]),
            _ => (AlgorithmOp::Replace, value),
        };
        let names: Vec<&str> = list.split(',').filter(|n| !n.is_empty()).collect();
        if names.is_empty() {
            return Err("expected a comma-separated list of algorithms".into());
        }
        if op == AlgorithmOp::Remove {
            let names = names.into_iter().map(str::to_string).collect();
            return Ok((AlgorithmList { op, names }, Vec::new()));
        }
        let ok = supported(kind);
        let (keep, dropped): (Vec<&str>, Vec<&str>) =
            names.into_iter().partition(|n| ok.contains(n));
        if keep.is_empty() {
            return Err(format!(
                "none of {} is implemented by netkeep's SSH library (russh); it has: {}",
                dropped.join(","),
                ok.join(",")
            ));
        }
        let list = AlgorithmList {
            op,
            names: keep.into_iter().map(str::to_string).collect(),
        };
        Ok((list, dropped.into_iter().map(str::to_string).collect()))
    }

    /// Applies the line to `base` (netkeep's list for this kind).
    fn apply(&self, base: Vec<String>) -> Vec<String> {
        let mut out = match self.op {
            AlgorithmOp::Replace => self.names.clone(),
            AlgorithmOp::Append => base.into_iter().chain(self.names.clone()).collect(),
            AlgorithmOp::Prepend => self.names.iter().cloned().chain(base).collect(),
            AlgorithmOp::Remove => base
                .into_iter()
                .filter(|n| !list_matches(self.names.iter().map(String::as_str), n))
                .collect(),
        };
        let mut seen = std::collections::HashSet::new();
        out.retain(|n| seen.insert(n.clone()));
        out
    }
}

/// `p` with the lines of `a` applied.
pub(crate) fn apply(mut p: Preferred, a: &Algorithms) -> Preferred {
    if let Some(l) = &a.kex {
        let is_marker = |n: &str| n.starts_with("ext-info") || n.starts_with("kex-strict");
        let (markers, algos): (Vec<kex::Name>, Vec<kex::Name>) =
            p.kex.iter().partition(|k| is_marker(k.as_ref()));
        let names = l.apply(algos.iter().map(|k| k.as_ref().to_string()).collect());
        let mut kexes: Vec<kex::Name> = names
            .iter()
            .filter_map(|n| kex::Name::try_from(n.as_str()).ok())
            .collect();
        // The extension markers stay after every real algorithm, as russh puts them.
        kexes.extend(markers);
        p.kex = kexes.into();
    }
    if let Some(l) = &a.host_key {
        let names = l.apply(p.key.iter().map(|k| k.as_str().to_string()).collect());
        let keys: Vec<Algorithm> = names
            .iter()
            .filter_map(|n| Algorithm::new(n).ok())
            .collect();
        p.key = keys.into();
    }
    if let Some(l) = &a.cipher {
        let names = l.apply(p.cipher.iter().map(|c| c.as_ref().to_string()).collect());
        let c: Vec<cipher::Name> = names
            .iter()
            .filter_map(|n| cipher::Name::try_from(n.as_str()).ok())
            .collect();
        p.cipher = c.into();
    }
    if let Some(l) = &a.mac {
        let names = l.apply(p.mac.iter().map(|m| m.as_ref().to_string()).collect());
        let m: Vec<mac::Name> = names
            .iter()
            .filter_map(|n| mac::Name::try_from(n.as_str()).ok())
            .collect();
        p.mac = m.into();
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names<T: AsRef<str>>(v: &[T]) -> Vec<&str> {
        v.iter().map(|n| n.as_ref()).collect()
    }

    #[test]
    fn plus_minus_caret_and_replace() {
        let base = Preferred::default();
        let a = Algorithms {
            kex: Some(
                AlgorithmList::parse(AlgorithmKind::Kex, "+diffie-hellman-group14-sha1")
                    .unwrap()
                    .0,
            ),
            cipher: Some(
                AlgorithmList::parse(AlgorithmKind::Cipher, "^aes128-cbc")
                    .unwrap()
                    .0,
            ),
            mac: Some(
                AlgorithmList::parse(AlgorithmKind::Mac, "-*-etm@openssh.com")
                    .unwrap()
                    .0,
            ),
            host_key: Some(
                AlgorithmList::parse(AlgorithmKind::HostKey, "ssh-rsa,ssh-ed25519")
                    .unwrap()
                    .0,
            ),
        };
        let p = apply(base.clone(), &a);
        let kex = names(&p.kex);
        let g14 = kex
            .iter()
            .position(|n| *n == "diffie-hellman-group14-sha1")
            .unwrap();
        let marker = kex.iter().position(|n| n.starts_with("ext-info")).unwrap();
        assert!(g14 < marker, "{kex:?}");
        assert_eq!(kex[0], "mlkem768x25519-sha256");
        assert_eq!(names(&p.cipher)[0], "aes128-cbc");
        assert_eq!(p.cipher.len(), base.cipher.len() + 1);
        assert_eq!(names(&p.mac), ["hmac-sha2-512", "hmac-sha2-256"]);
        let keys: Vec<&str> = p.key.iter().map(|k| k.as_str()).collect();
        assert_eq!(keys, ["ssh-rsa", "ssh-ed25519"]);
    }

    #[test]
    fn names_russh_lacks_are_dropped_or_refused() {
        let (l, dropped) =
            AlgorithmList::parse(AlgorithmKind::Mac, "umac-64-etm@openssh.com,hmac-sha1").unwrap();
        assert_eq!(l.names, ["hmac-sha1"]);
        assert_eq!(dropped, ["umac-64-etm@openssh.com"]);
        let e = AlgorithmList::parse(AlgorithmKind::Mac, "umac-64@openssh.com").unwrap_err();
        assert!(e.contains("hmac-sha2-256"), "{e}");
        assert!(AlgorithmList::parse(AlgorithmKind::Kex, "+").is_err());
    }
}
