//! Rule lines: `  ^regex -> LineOp.RecordOp NewState`, with `${VALUE}` substitution.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::pyre::PyRegex;
use crate::pytext;

/// What happens to the input line after a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineOp {
    /// Take the next line and start again at the state's first rule (the default).
    Next,
    /// Keep the line and go on with the next rule.
    Continue,
    /// Stop parsing with an error.
    Error,
}

/// What happens to the record being built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordOp {
    /// Nothing (the default).
    NoRecord,
    /// Emit the record, then clear it (but Filldown Values).
    Record,
    /// Clear the record but Filldown Values.
    Clear,
    /// Clear everything, Filldown Values too.
    Clearall,
}

/// A parsed rule, before state names are resolved.
#[derive(Debug, Clone)]
pub struct RuleDef {
    /// The regex after substitution.
    pub regex: PyRegex,
    /// Template line.
    pub line: usize,
    /// Line action.
    pub line_op: LineOp,
    /// Record action.
    pub record_op: RecordOp,
    /// The new state, or the message of an `Error` action (as written, quotes kept).
    pub new_state: Option<String>,
}

// TextFSM's own patterns for the parts of a rule line, compiled by our Python-regex layer so
// they behave exactly as in Python.
const NEW_STATE: &str = r#"(?P<new_state>\w+|\".*\")"#;
const OPERATOR: &str =
    r"((?P<ln_op>Continue|Next|Error)(\.(?P<rec_op>Clear|Clearall|Record|NoRecord))?)";
static MATCH_ACTION: LazyLock<PyRegex> = LazyLock::new(|| py(r"(?P<match>.*)(\s->(?P<action>.*))"));
static ACTION: LazyLock<PyRegex> =
    LazyLock::new(|| py(&format!(r"\s+{OPERATOR}(\s+{NEW_STATE})?$")));
static ACTION2: LazyLock<PyRegex> = LazyLock::new(|| {
    py(&format!(
        r"\s+(?P<rec_op>Clear|Clearall|Record|NoRecord)(\s+{NEW_STATE})?$"
    ))
});
static ACTION3: LazyLock<PyRegex> = LazyLock::new(|| py(&format!(r"(\s+{NEW_STATE})?$")));
static WORD_START: LazyLock<PyRegex> = LazyLock::new(|| py(r"\w+"));

fn py(p: &str) -> PyRegex {
    match PyRegex::new(p) {
        Ok(r) => r,
        // A constant pattern: covered by the tests.
        Err(e) => panic!("built-in pattern {p:?}: {e}"),
    }
}

/// The text of named group `name` in a match of `re` on `text`, if it took part.
fn group<'t>(
    re: &PyRegex,
    slots: &[Option<(usize, usize)>],
    text: &'t str,
    name: &str,
) -> Option<&'t str> {
    let (a, b) = slots[re.group_index(name)?]?;
    Some(&text[a..b])
}

impl RuleDef {
    /// Parses a rule line (already known to start with ` ^`, `  ^` or a tab and `^`).
    /// `vars` maps Value names to their named regexes; substitution only happens when the
    /// template declares at least one Value, as in TextFSM.
    pub fn parse(
        raw: &str,
        line: usize,
        vars: &HashMap<String, String>,
    ) -> Result<RuleDef, String> {
        let text = pytext::strip(raw);
        if text.is_empty() {
            return Err(format!("Null data in FSMRule. Line: {line}"));
        }
        let split = MATCH_ACTION.match_start(text).map_err(|e| e.to_string())?;
        let (pattern, action) = match &split {
            Some(s) => (
                group(&MATCH_ACTION, s, text, "match").unwrap_or(""),
                group(&MATCH_ACTION, s, text, "action"),
            ),
            None => (text, None),
        };
        let regex_text = if vars.is_empty() {
            pattern.to_string()
        } else {
            substitute(pattern, vars).ok_or_else(|| {
                format!("Duplicate or invalid variable substitution: '{pattern}'. Line: {line}.")
            })?
        };
        let regex = PyRegex::new(&regex_text).map_err(|e| {
            format!("Invalid regular expression: '{regex_text}'. Line: {line}. ({e})")
        })?;
        let mut rule = RuleDef {
            regex,
            line,
            line_op: LineOp::Next,
            record_op: RecordOp::NoRecord,
            new_state: None,
        };
        if let Some(action) = action {
            rule.parse_action(action, text)?;
        }
        Ok(rule)
    }

    fn parse_action(&mut self, action: &str, whole: &str) -> Result<(), String> {
        let line = self.line;
        let found = [&*ACTION, &*ACTION2, &*ACTION3]
            .into_iter()
            .find_map(|re| re.match_start(action).ok().flatten().map(|s| (re, s)));
        let Some((re, slots)) = found else {
            return Err(format!("Badly formatted rule '{whole}'. Line: {line}."));
        };
        let get = |name| group(re, &slots, action, name).filter(|s| !s.is_empty());
        if let Some(op) = get("ln_op") {
            self.line_op = match op {
                "Continue" => LineOp::Continue,
                "Error" => LineOp::Error,
                _ => LineOp::Next,
            };
        }
        if let Some(op) = get("rec_op") {
            self.record_op = match op {
                "Record" => RecordOp::Record,
                "Clear" => RecordOp::Clear,
                "Clearall" => RecordOp::Clearall,
                _ => RecordOp::NoRecord,
            };
        }
        self.new_state = get("new_state").map(str::to_string);
        if let Some(state) = &self.new_state {
            if self.line_op == LineOp::Continue {
                return Err(format!(
                    "Action 'Continue' with new state {state} specified. Line: {line}."
                ));
            }
            if self.line_op != LineOp::Error && !WORD_START.is_match_start(state) {
                return Err(format!(
                    "Alphanumeric characters only in state names. Line: {line}."
                ));
            }
        }
        Ok(())
    }
}

/// Python's `string.Template(text).substitute(vars)`: `$$` is `$`, `$name` and `${name}` (ASCII
/// identifiers) are replaced; any other `$`, or an unknown name, is an error (`None`).
pub fn substitute(text: &str, vars: &HashMap<String, String>) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        let (name, after) = if let Some(r) = rest.strip_prefix('{') {
            let n = ident_len(r);
            if n == 0 || !r[n..].starts_with('}') {
                return None;
            }
            (&r[..n], &r[n + 1..])
        } else {
            let n = ident_len(rest);
            if n == 0 {
                return None;
            }
            (&rest[..n], &rest[n..])
        };
        out.push_str(vars.get(name)?);
        rest = after;
    }
    out.push_str(rest);
    Some(out)
}

/// Length of the ASCII identifier (`[_a-zA-Z][_a-zA-Z0-9]*`) at the start of `s`.
fn ident_len(s: &str) -> usize {
    let b = s.as_bytes();
    if b.first()
        .is_none_or(|c| !(c.is_ascii_alphabetic() || *c == b'_'))
    {
        return 0;
    }
    b.iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> HashMap<String, String> {
        [("A".to_string(), "(?P<A>\\d+)".to_string())]
            .into_iter()
            .collect()
    }

    #[test]
    fn substitution_is_string_template() {
        let v = vars();
        assert_eq!(
            substitute("^x ${A} $A$$", &v).unwrap(),
            "^x (?P<A>\\d+) (?P<A>\\d+)$"
        );
        assert_eq!(substitute("a$", &v), None);
        assert_eq!(substitute("${B}", &v), None);
        assert_eq!(substitute("$Ab", &v), None);
        assert_eq!(substitute("${A", &v), None);
    }

    #[test]
    fn actions() {
        let v = vars();
        let r = RuleDef::parse("  ^${A} -> Continue.Record", 3, &v).unwrap();
        assert_eq!(
            (r.line_op, r.record_op, r.new_state),
            (LineOp::Continue, RecordOp::Record, None)
        );
        let r = RuleDef::parse("  ^x -> Clearall Other", 3, &v).unwrap();
        assert_eq!(
            (r.record_op, r.new_state.as_deref()),
            (RecordOp::Clearall, Some("Other"))
        );
        let r = RuleDef::parse("  ^x -> NextState", 3, &v).unwrap();
        assert_eq!(
            (r.line_op, r.new_state.as_deref()),
            (LineOp::Next, Some("NextState"))
        );
        let r = RuleDef::parse("  ^x -> Error \"bad thing\"", 3, &v).unwrap();
        assert_eq!(
            (r.line_op, r.new_state.as_deref()),
            (LineOp::Error, Some("\"bad thing\""))
        );
        assert!(RuleDef::parse("  ^x -> Continue Other", 3, &v)
            .unwrap_err()
            .contains("Continue"));
        assert!(RuleDef::parse("  ^x -> Next \"q\"", 3, &v)
            .unwrap_err()
            .contains("Alphanumeric"));
        assert!(RuleDef::parse("  ^x -> Jump Over There", 3, &v)
            .unwrap_err()
            .contains("Badly formatted"));
        assert!(RuleDef::parse("  ^x ${B}", 3, &v)
            .unwrap_err()
            .contains("substitution"));
        assert!(RuleDef::parse("  ^x(", 3, &v)
            .unwrap_err()
            .contains("Invalid regular expression"));
    }
}
