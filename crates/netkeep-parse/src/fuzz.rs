//! Fuzz target bodies (feature `fuzz`): the cargo-fuzz target in `fuzz/` and this crate's
//! replay test call them. Arbitrary bytes must never make compiling a template, compiling a
//! Python pattern, or parsing output panic, and what comes out must keep its promises.
//!
//! ```
//! netkeep_parse::fuzz::textfsm(b"\x00Value A (\\d+)\n\nStart\n  ^${A} -> Record\n\x001\n2\n");
//! ```

use std::sync::LazyLock;

use crate::pyre::PyRegex;
use crate::Template;

/// Small templates that use every option and action, for fuzzing the input side.
const TEMPLATES: &[&str] = &[
    "Value Filldown,Key IFACE (\\S+)\nValue Required STATUS (up|down)\nValue List VLANS (\\d+)\n\
     Value Fillup DESC (.*)\n\nStart\n  ^interface ${IFACE} -> Continue\n  ^.*status ${STATUS} -> Record\n\
     ^\\s+vlan ${VLANS}\n  ^\\s+desc ${DESC}\n  ^end -> End\n  ^error -> Error \"bad line\"\n  ^next -> Other\n\n\
     Other\n  ^back -> Start\n  ^x(?=y)${VLANS} -> Clearall\n",
    "Value List ITEMS ((?P<name>\\w+)=(?P<value>\\d*))\nValue NAME ([^:]+)\n\nStart\n  ^${NAME}: -> Clear\n\
     ^\\s*${ITEMS}\\s*$$\n  ^(?i:eof)\n\nEOF\n",
];

static COMPILED: LazyLock<Vec<Template>> = LazyLock::new(|| {
    TEMPLATES
        .iter()
        .map(
            |t| match Template::parse("fuzz", &t.replace("\n^", "\n  ^")) {
                Ok(t) => t,
                Err(e) => panic!("built-in fuzz template: {e}"),
            },
        )
        .collect()
});

/// First byte picks the mode: 0, a template and an input split at the first NUL; 1, the
/// built-in templates on the input; 2, a Python pattern and a line split at the first NUL.
/// Templates and patterns with a counted repeat above [`MAX_REPEAT`] are skipped.
pub fn textfsm(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match mode % 3 {
        0 => {
            let (template, input) = text.split_once('\0').unwrap_or((&text, &text));
            if has_big_repeat(template) {
                return;
            }
            if let Ok(t) = Template::parse("fuzz", template) {
                check(&t, input);
            }
        }
        1 => {
            for t in COMPILED.iter() {
                check(t, &text);
            }
        }
        _ => {
            let (pattern, line) = text.split_once('\0').unwrap_or((&text, ""));
            let line = line.split('\n').next().unwrap_or("");
            if has_big_repeat(pattern) {
                return;
            }
            if let Ok(re) = PyRegex::new(pattern) {
                if let Ok(Some(slots)) = re.match_start(line) {
                    assert_eq!(slots.len(), re.groups() as usize + 1);
                    assert_eq!(slots[0].map(|s| s.0), Some(0), "matches start at 0");
                    for (a, b) in slots.into_iter().flatten() {
                        assert!(a <= b && b <= line.len());
                        assert!(line.is_char_boundary(a) && line.is_char_boundary(b));
                    }
                }
            }
        }
    }
}

/// Counted repeats above this are not fuzzed. The `regex` crate unrolls `x{n}` into n copies, so
/// `\D{2,862}` takes ~100 ms to compile: in a campaign's corpus, 6 % of the pattern inputs had
/// such repeats and took 78 % of the time, all inside the regex crates (fuzzed upstream).
/// Real templates go to `{1,1500}` (SR OS), and the differential test compiles every one of them.
pub const MAX_REPEAT: u64 = 99;

/// Whether `text` has a `{m}`, `{m,}` or `{m,n}` with a bound above [`MAX_REPEAT`].
fn has_big_repeat(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'{' {
            let mut j = i + 1;
            let mut n: u64 = 0;
            let mut big = false;
            while j < b.len() && (b[j].is_ascii_digit() || b[j] == b',') {
                if b[j] == b',' {
                    n = 0;
                } else {
                    n = n.saturating_mul(10).saturating_add(u64::from(b[j] - b'0'));
                    big |= n > MAX_REPEAT;
                }
                j += 1;
            }
            if big && b.get(j) == Some(&b'}') {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// Parses and checks the records' shape: every record has exactly the template's lower-cased
/// columns, in order.
fn check(t: &Template, input: &str) {
    match t.parse_output(input) {
        Ok(records) => {
            let mut keys: Vec<String> = Vec::new();
            for h in t.header() {
                let k = h.to_lowercase();
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
            for r in records {
                assert!(
                    r.keys().map(|k| &**k).eq(keys.iter().map(String::as_str)),
                    "record keys {:?} vs header {keys:?}",
                    r.keys()
                );
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::has_big_repeat;

    #[test]
    fn big_repeats_are_told_apart() {
        for big in [
            "a{100}",
            "\\D{2,862}",
            "x{0000000000202435}",
            "(a{5,}){1,1500}",
            "{100,}",
        ] {
            assert!(has_big_repeat(big), "{big}");
        }
        for small in [
            "a{99}",
            "\\d{1,64}",
            "{not a repeat 1000}",
            "a{100",
            "${VALUE}",
            "a{,}",
        ] {
            assert!(!has_big_repeat(small), "{small}");
        }
    }
}
