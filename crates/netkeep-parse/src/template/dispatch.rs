//! Which rules of a state can match a line, told from its first bytes with two table lookups
//! instead of one quick test per rule: most lines of a table-like output are turned away by
//! most rules on their first byte (or the first after the indentation).
//!
//! Exact by construction: a rule is left out only when its own quick test
//! ([`PyRegex::start_test`](crate::pyre::PyRegex::start_test)) would turn the line away.

use crate::pyre::{Line, StartTest};

/// Index of "the line ends here" in the tables.
const END: usize = 128;

/// Candidate rules (bit `i` for the state's rule `i`) by the line's bytes.
#[derive(Debug, Clone)]
pub(crate) struct Dispatch {
    /// By the first byte (or `END`): rules tested on it, and rules with no test.
    at_start: [u64; 129],
    /// By the first byte after the leading whitespace: rules tested there.
    after_space: [u64; 129],
    /// Rules that need at least one byte of leading whitespace.
    need_space: u64,
}

impl Dispatch {
    /// The tables for a state's rules; `None` for states of more than 64 rules (every rule is
    /// then a candidate).
    pub fn new(tests: &[StartTest]) -> Option<Dispatch> {
        if tests.len() > 64 {
            return None;
        }
        let mut d = Dispatch {
            at_start: [0; 129],
            after_space: [0; 129],
            need_space: 0,
        };
        for (i, test) in tests.iter().enumerate() {
            let bit = 1u64 << i;
            let (table, bytes) = match *test {
                StartTest::First(first) => (&mut d.at_start, first),
                StartTest::AfterSpace { min, first } if min <= 1 => {
                    if min == 1 {
                        d.need_space |= bit;
                    }
                    (&mut d.after_space, first)
                }
                // No test, or one these tables do not express: always a candidate.
                _ => (&mut d.at_start, u128::MAX),
            };
            for (b, slot) in table.iter_mut().enumerate().take(END) {
                if bytes & (1u128 << b) != 0 {
                    *slot |= bit;
                }
            }
            if bytes == u128::MAX {
                table[END] |= bit;
            }
        }
        Some(d)
    }

    /// The rules that may match `line` (every rule for a non-ASCII line).
    pub fn candidates(&self, line: &Line) -> u64 {
        if !line.is_ascii() {
            return u64::MAX;
        }
        let bytes = line.text().as_bytes();
        let ws = line.leading_space();
        let at = |i: usize| bytes.get(i).map_or(END, |&b| usize::from(b));
        let mut m = self.at_start[at(0)] | self.after_space[at(ws)];
        if ws == 0 {
            m &= !self.need_space;
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pyre::PyRegex;

    #[test]
    fn rules_whose_quick_test_fails_are_left_out() {
        let rules = [
            r"^Interface\s+(\S+)",
            r"^\s+Vlan\s+(\d+)",
            r"^\s*$",
            r".*",
            r"^(?:x|)y?",
        ];
        let tests: Vec<StartTest> = rules
            .iter()
            .map(|r| PyRegex::new(r).unwrap().start_test())
            .collect();
        let d = Dispatch::new(&tests).unwrap();
        let c = |text: &str| d.candidates(&Line::new(text));
        // The last three can match empty text: no test, always candidates.
        assert_eq!(c("Interface Gi0/1"), 0b11101);
        assert_eq!(c("  Vlan 10"), 0b11110);
        assert_eq!(c(""), 0b11100);
        assert_eq!(c("   "), 0b11100);
        assert_eq!(c("Vlan 10"), 0b11100, "\\s+ needs a space");
        assert_eq!(c("Ïnterface"), u64::MAX);
        // Whatever the table says, a left-out rule really does not match.
        for text in [
            "Interface Gi0/1",
            "  Vlan 10",
            "",
            "   ",
            "Vlan 10",
            "x",
            " y",
        ] {
            let m = c(text);
            for (i, r) in rules.iter().enumerate() {
                if m & (1 << i) == 0 {
                    assert!(
                        !PyRegex::new(r).unwrap().is_match_start(text),
                        "{r} {text:?}"
                    );
                }
            }
        }
        assert!(Dispatch::new(&vec![StartTest::Any; 65]).is_none());
    }
}
