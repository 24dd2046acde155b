//! The fuzz target body on its seeds, its saved regressions, and a short deterministic
//! mutation run (the long runs are `fuzz/`'s cargo-fuzz target `textfsm`).

use std::path::Path;

fn files(dir: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(dir);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    out.sort();
    out.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

#[test]
fn seeds_and_regressions_run_clean() {
    let seeds = files("fuzz/seeds/textfsm");
    assert!(seeds.len() >= 3, "fuzz/seeds/textfsm has the seed inputs");
    // A moved folder would replay nothing and pass.
    let regressions = files("fuzz/regressions/textfsm");
    assert!(
        !regressions.is_empty(),
        "fuzz/regressions/textfsm has the crash inputs"
    );
    for input in seeds.iter().chain(&regressions) {
        netkeep_parse::fuzz::textfsm(input);
    }
}

/// A few thousand mutated seeds (bytes flipped, inserted, deleted, spliced; every mode).
#[test]
fn mutated_seeds_run_clean() {
    let seeds = files("fuzz/seeds/textfsm");
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    const TOKENS: &[&[u8]] = &[
        b"(",
        b")",
        b"(?P<",
        b">",
        b"${A}",
        b"$$",
        b"\\",
        b"[",
        b"]",
        b"*",
        b"+?",
        b"{2,}",
        b" -> ",
        b"Record",
        b"Continue",
        b"\n",
        b"\n\n",
        b"Value ",
        b"List ",
        b"(?=",
        b"(?<=a)",
        b"|",
        b"\x00",
        b"\xff",
    ];
    for _ in 0..3000 {
        let mut data = seeds[(next() % seeds.len() as u64) as usize].clone();
        for _ in 0..(1 + next() % 6) {
            let at = (next() as usize) % (data.len() + 1);
            match next() % 4 {
                0 if at < data.len() => data[at] = next() as u8,
                1 => data
                    .splice(
                        at..at,
                        TOKENS[(next() % TOKENS.len() as u64) as usize]
                            .iter()
                            .copied(),
                    )
                    .for_each(drop),
                2 if at < data.len() => {
                    data.remove(at);
                }
                _ => data.insert(at, next() as u8),
            }
        }
        netkeep_parse::fuzz::textfsm(&data);
    }
}
