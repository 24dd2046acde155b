//! Which shard a device is in, and which live node should own a shard: a stable hash of the
//! device name, and rendezvous (highest random weight) hashing over the live nodes, so that when
//! a node joins or leaves only the shards it wins or held move.
//!
//! The hash is FNV-1a with a SplitMix64 finaliser, written here so it can never change under
//! the cluster with a library upgrade: every node of every version must agree on it.
//!
//! ```
//! use netkeep_keeper::cluster::shard::{owner_of, shard_of};
//! assert_eq!(shard_of("core-sw1", 256), shard_of("core-sw1", 256));
//! assert!(shard_of("core-sw1", 256) < 256);
//! let nodes = ["k1", "k2", "k3"];
//! let o = owner_of(nodes.iter().copied(), 7).unwrap();
//! // Removing a node that does not own shard 7 does not move it.
//! let others: Vec<&str> = nodes.iter().copied().filter(|n| *n != o).collect();
//! let rest: Vec<&str> = nodes.iter().copied().filter(|n| *n != others[0]).collect();
//! assert_eq!(owner_of(rest.into_iter(), 7), Some(o));
//! ```

/// Shards the fleet is split into (recorded in the bucket: every node must use the same).
pub const SHARDS: u32 = 256;

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The shard of a device.
pub fn shard_of(device: &str, shards: u32) -> u32 {
    (mix(fnv1a(device.as_bytes())) % u64::from(shards.max(1))) as u32
}

/// The node that should own `shard` among `nodes`: the highest weight of (node, shard); ties
/// (practically impossible) go to the smaller name.
pub fn owner_of<'a>(nodes: impl Iterator<Item = &'a str>, shard: u32) -> Option<&'a str> {
    nodes
        .map(|n| {
            let w = mix(fnv1a(n.as_bytes()) ^ mix(u64::from(shard) + 1));
            (w, std::cmp::Reverse(n), n)
        })
        .max()
        .map(|(_, _, n)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_spread_over_shards_and_shards_over_nodes() {
        let mut per_shard = vec![0u32; SHARDS as usize];
        for i in 0..25_600 {
            per_shard[shard_of(&format!("d{i}"), SHARDS) as usize] += 1;
        }
        // 100 per shard on average; a usable spread stays well within 2x.
        assert!(
            per_shard.iter().all(|n| (40..=180).contains(n)),
            "{per_shard:?}"
        );
        let nodes = ["k1", "k2", "k3"];
        let mut per_node = [0u32; 3];
        for s in 0..SHARDS {
            let o = owner_of(nodes.iter().copied(), s).unwrap();
            per_node[nodes.iter().position(|n| *n == o).unwrap()] += 1;
        }
        assert!(
            per_node.iter().all(|n| (50..=120).contains(n)),
            "{per_node:?}"
        );
    }

    #[test]
    fn a_joining_node_takes_shards_only_from_others_to_itself() {
        let before = ["k1", "k2", "k3"];
        let after = ["k1", "k2", "k3", "k4"];
        let mut moved = 0;
        for s in 0..SHARDS {
            let a = owner_of(before.iter().copied(), s).unwrap();
            let b = owner_of(after.iter().copied(), s).unwrap();
            if a != b {
                assert_eq!(b, "k4", "shard {s} moved between old nodes");
                moved += 1;
            }
        }
        assert!((40..=100).contains(&moved), "{moved} shards moved");
    }
}
