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
pub fn textfsm(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match mode % 3 {
        0 => {
            let (template, input) = text.split_once('\0').unwrap_or((&text, &text));
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
