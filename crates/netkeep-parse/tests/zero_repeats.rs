//! A repeat that allows no iteration (`{0}`) matches nothing, but Python still counts the groups
//! inside it: they are reported, unset. Found by the `textfsm` fuzz target (a look-behind holding
//! a group, repeated `{0}`, lost its group; `fuzz/regressions/textfsm/zero-repeat-look-group`).

use netkeep_parse::pyre::PyRegex;

/// (pattern, line, Python 3.11's `re.match(pattern, line)`: span of the match, then each group).
type Case = (
    &'static str,
    &'static str,
    &'static [Option<(usize, usize)>],
);

const CASES: &[Case] = &[
    ("(?<!(a)){0}b", "b", &[Some((0, 1)), None]),
    ("(?=(a)){0}b", "b", &[Some((0, 1)), None]),
    ("(?<!x(a)(c)){0}b", "b", &[Some((0, 1)), None, None]),
    ("(?=(a)){0}(b)", "b", &[Some((0, 1)), None, Some((0, 1))]),
    ("(a){0}b", "b", &[Some((0, 1)), None]),
    ("(\\b){0}b", "b", &[Some((0, 1)), None]),
    ("x(?=(a)){0}", "xa", &[Some((0, 1)), None]),
];

#[test]
fn groups_inside_a_zero_repeat_are_counted_and_unset() {
    for &(pattern, line, want) in CASES {
        let re = PyRegex::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        assert_eq!(
            re.groups() as usize + 1,
            want.len(),
            "{pattern}: group count"
        );
        let got = re
            .match_start(line)
            .unwrap_or_else(|e| panic!("{pattern}: {e}"));
        assert_eq!(got.as_deref(), Some(want), "{pattern} on {line:?}");
    }
}
