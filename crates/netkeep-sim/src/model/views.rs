//! What the configuration says, read through the personality's records: the hostname, the idle
//! timeout, each interface's description, address and state, VLANs and static routes. Show
//! commands are generated from these, so a description set by config shows in the listings.

use std::net::Ipv4Addr;
use std::time::Duration;

use super::tree::{Node, Tree};
use crate::personality::{match_line, LinePath, Record, Tok};

/// What a record's patterns bound: name → value.
pub type Values = Vec<(String, String)>;

/// The value bound to `key`.
pub fn get<'a>(v: &'a Values, key: &str) -> Option<&'a str> {
    v.iter().find(|(k, _)| k == key).map(|(_, x)| x.as_str())
}

/// Every node below `nodes` reached through `path`, with what the path bound on the way.
pub fn find_all<'a>(
    nodes: &'a [Node],
    path: &[Vec<Tok>],
    vals: &Values,
    out: &mut Vec<(&'a Node, Values)>,
) {
    let Some((head, rest)) = path.split_first() else {
        return;
    };
    for n in nodes.iter().filter(|n| !n.layout) {
        let Some(bound) = match_line(head, &n.line) else {
            continue;
        };
        let mut v = vals.clone();
        v.extend(bound);
        if rest.is_empty() {
            out.push((n, v));
        } else {
            find_all(&n.children, rest, &v, out);
        }
    }
}

/// The first line reached through `path`, and what it bound.
pub fn first(nodes: &[Node], path: &LinePath) -> Option<Values> {
    let mut out = Vec::new();
    find_all(nodes, path, &Vec::new(), &mut out);
    out.into_iter().next().map(|(_, v)| v)
}

/// Every record: what its block and its fields bound (a field without arguments binds its name
/// to "1" when present).
pub fn records(tree: &Tree, r: &Record) -> Vec<Values> {
    let mut blocks = Vec::new();
    find_all(&tree.top, &r.block, &Vec::new(), &mut blocks);
    blocks
        .into_iter()
        .map(|(node, mut v)| {
            for (name, path) in &r.fields {
                if let Some(f) = first(&node.children, path) {
                    if f.is_empty() {
                        v.push((name.clone(), "1".into()));
                    } else {
                        v.extend(f);
                    }
                }
            }
            v
        })
        .collect()
}

/// A quoted configuration value without its quotes.
pub fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(s)
}

/// The idle timeout a record says: `None` when none is configured, `Some(None)` when it is off.
pub fn idle_of(v: &Values) -> Option<Option<Duration>> {
    let min: u64 = get(v, "min")?.parse().ok()?;
    let sec: u64 = get(v, "sec").and_then(|s| s.parse().ok()).unwrap_or(0);
    let d = Duration::from_secs(min.saturating_mul(60).saturating_add(sec));
    Some((!d.is_zero()).then_some(d))
}

/// An IPv4 address with its mask and prefix length, from `a.b.c.d/len`, or an address and a
/// dotted mask or a length.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Addr {
    /// The address.
    pub ip: String,
    /// Dotted mask.
    pub mask: String,
    /// Prefix length.
    pub prefix: String,
}

impl Addr {
    /// Reads `ip` (maybe `a.b.c.d/len`) and `mask` (dotted, a length, or empty).
    pub fn parse(ip: &str, mask: &str) -> Addr {
        let (ip, len) = match ip.split_once('/') {
            Some((a, l)) => (a, l.parse::<u32>().ok()),
            None => (ip, None),
        };
        let len = len.or_else(|| match mask.parse::<Ipv4Addr>() {
            Ok(m) => Some(u32::from(m).count_ones()),
            Err(_) => mask.parse::<u32>().ok(),
        });
        let Some(len) = len.filter(|l| *l <= 32) else {
            return Addr {
                ip: ip.to_string(),
                ..Addr::default()
            };
        };
        Addr {
            ip: ip.to_string(),
            mask: Ipv4Addr::from(mask_bits(len)).to_string(),
            prefix: len.to_string(),
        }
    }

    /// True if `ip` is in this address's network.
    pub fn contains(&self, ip: &str) -> bool {
        let (Ok(a), Ok(b), Ok(len)) = (
            self.ip.parse::<Ipv4Addr>(),
            ip.parse::<Ipv4Addr>(),
            self.prefix.parse::<u32>(),
        ) else {
            return false;
        };
        u32::from(a) & mask_bits(len) == u32::from(b) & mask_bits(len)
    }

    /// The network the address is in (`192.168.1.0`), if it is an IPv4 address.
    pub fn network(&self) -> Option<String> {
        let ip: Ipv4Addr = self.ip.parse().ok()?;
        let len: u32 = self.prefix.parse().ok()?;
        Some(Ipv4Addr::from(u32::from(ip) & mask_bits(len)).to_string())
    }
}

fn mask_bits(len: u32) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - len.min(32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_from_every_notation() {
        let a = Addr::parse("10.1.2.3/24", "");
        assert_eq!(
            (a.mask.as_str(), a.prefix.as_str()),
            ("255.255.255.0", "24")
        );
        assert_eq!(a.network().as_deref(), Some("10.1.2.0"));
        let b = Addr::parse("10.1.2.3", "255.255.0.0");
        assert_eq!(b.prefix, "16");
        let c = Addr::parse("0.0.0.0", "0");
        assert_eq!(
            (c.mask.as_str(), c.network().as_deref()),
            ("0.0.0.0", Some("0.0.0.0"))
        );
        assert_eq!(Addr::parse("dhcp", "").prefix, "");
    }
}
