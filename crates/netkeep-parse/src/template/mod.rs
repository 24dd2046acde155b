//! A compiled TextFSM template: Values, states and rules, read with TextFSM's rules and
//! errors located by template line.

mod dispatch;
mod rule;
mod value;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{LazyLock, Mutex, OnceLock};

pub use rule::{LineOp, RecordOp};
pub use value::Opt;

use crate::engine;
use crate::error::Error;
use crate::pyre::{Captures, Line, PyRegex, SharedScratch};
use crate::pytext;
use crate::record::{Records, Shape};
use dispatch::Dispatch;
use rule::RuleDef;
use value::ValueDef;

/// Longest state name TextFSM accepts.
const MAX_STATE_LEN: usize = 48;

static COMMENT: LazyLock<PyRegex> = LazyLock::new(|| py(r"^\s*#"));
static STATE_NAME: LazyLock<PyRegex> = LazyLock::new(|| py(r"^(\w+)$"));

fn py(p: &str) -> PyRegex {
    match PyRegex::new(p) {
        Ok(r) => r,
        Err(e) => panic!("built-in pattern {p:?}: {e}"),
    }
}

/// Where a rule sends the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// Stay in the current state.
    Stay,
    /// Go to the state with this index.
    State(usize),
    /// `End`: stop, no implicit record at the end.
    End,
    /// `EOF`: stop; the implicit record still happens unless the template declares `EOF`.
    Eof,
}

/// A rule ready to run.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub regex: PyRegex,
    pub line: usize,
    pub line_op: LineOp,
    pub record_op: RecordOp,
    pub target: Target,
    /// The `Error` action's message.
    pub message: Option<String>,
    /// (capture slot, Value index) for each named group that is a Value, in group order.
    pub assign: Vec<(usize, usize)>,
    /// Index of this rule among all the template's rules (its capture space in a run).
    pub id: usize,
}

/// A state and its rules.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub name: String,
    pub rules: Vec<Rule>,
    /// The rules' first-byte tables, built on the state's first line.
    dispatch: OnceLock<Option<Box<Dispatch>>>,
}

impl State {
    /// The rules (bit `i` for rule `i`) that may match `line`; rules past the 64th always may.
    pub fn candidates(&self, line: &Line) -> u64 {
        let d = self.dispatch.get_or_init(|| {
            let tests: Vec<_> = self.rules.iter().map(|r| r.regex.start_test()).collect();
            Dispatch::new(&tests).map(Box::new)
        });
        d.as_ref().map_or(u64::MAX, |d| d.candidates(line))
    }
}

/// A compiled TextFSM template.
///
/// ```
/// use netkeep_parse::Template;
/// let t = Template::parse("demo", "Value NAME (\\S+)\n\nStart\n  ^name ${NAME} -> Record\n").unwrap();
/// assert_eq!(t.header(), ["NAME"]);
/// ```
#[derive(Debug, Clone)]
pub struct Template {
    name: String,
    pub(crate) values: Vec<ValueDef>,
    /// States in declaration order; `Start` is `states[start]`.
    pub(crate) states: Vec<State>,
    pub(crate) start: usize,
    /// The template declares an (empty) `EOF` state: no implicit record at the end.
    pub(crate) declares_eof: bool,
    /// Number of rules in all states.
    pub(crate) rule_count: usize,
    /// Match scratch space of finished parses, reused by the next ones.
    pub(crate) scratch: ScratchPool,
    /// How rows become records, made on the first parse.
    shape: OnceLock<Shape>,
}

/// One parse's match scratch space: per rule, and shared by the rules.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    pub caps: Vec<Captures>,
    pub shared: SharedScratch,
}

/// Match scratch space kept between parses (a parse takes one set, gives it back).
#[derive(Debug, Default)]
pub(crate) struct ScratchPool(Mutex<Vec<Scratch>>);

impl Clone for ScratchPool {
    fn clone(&self) -> Self {
        ScratchPool::default()
    }
}

impl ScratchPool {
    /// A set of `n` scratch spaces (reused when one is free).
    pub fn take(&self, n: usize) -> Scratch {
        let reused = self.0.lock().ok().and_then(|mut v| v.pop());
        reused.unwrap_or_else(|| Scratch {
            caps: (0..n).map(|_| Captures::default()).collect(),
            shared: SharedScratch::default(),
        })
    }

    /// Gives a set back (a few are kept: one per thread parsing at once, roughly).
    pub fn put(&self, caps: Scratch) {
        if let Ok(mut v) = self.0.lock() {
            if v.len() < 8 {
                v.push(caps);
            }
        }
    }
}

impl Template {
    /// Compiles template text. `name` (usually the file name) locates errors.
    pub fn parse(name: &str, text: &str) -> Result<Template, Error> {
        let err = |line: usize, message: String| Error::Template {
            template: name.to_string(),
            line,
            message,
        };
        let lines = pytext::file_lines(text);
        let mut reader = Lines {
            lines: &lines,
            next: 0,
        };
        let values = read_values(&mut reader).map_err(|(l, m)| err(l, m))?;
        let vars: HashMap<String, String> = values
            .iter()
            .map(|v| (v.name.clone(), v.template.clone()))
            .collect();
        let mut raw_states: Vec<(String, Vec<RuleDef>)> = Vec::new();
        while let Some(state) =
            read_state(&mut reader, &vars, &raw_states).map_err(|(l, m)| err(l, m))?
        {
            raw_states.push(state);
        }
        resolve(name.to_string(), values, raw_states).map_err(|m| err(0, m))
    }

    /// Reads and compiles a template file.
    pub fn from_file(path: &Path) -> Result<Template, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Template::parse(&path.display().to_string(), &text)
    }

    /// The name errors use (the file path for [`Template::from_file`]).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Value names in order: the record columns, as written (records lower-case them).
    pub fn header(&self) -> Vec<&str> {
        self.values.iter().map(|v| v.name.as_str()).collect()
    }

    /// Names of the Values with option `opt` (e.g. the `Key` columns).
    pub fn values_with(&self, opt: Opt) -> Vec<&str> {
        self.values
            .iter()
            .filter(|v| v.has(opt))
            .map(|v| v.name.as_str())
            .collect()
    }

    /// Parses command output into records (keys lower-cased, as Netmiko returns them).
    pub fn parse_output(&self, output: &str) -> Result<Records, Error> {
        let rows = engine::run(self, output)?;
        let shape = self.shape.get_or_init(|| Shape::new(&self.header_owned()));
        Ok(shape.records(rows))
    }

    /// Parses command output into rows of fields in [`Template::header`] order.
    pub fn parse_rows(&self, output: &str) -> Result<Vec<Vec<crate::Field>>, Error> {
        engine::run(self, output)
    }

    pub(crate) fn header_owned(&self) -> Vec<String> {
        self.values.iter().map(|v| v.name.clone()).collect()
    }
}

/// The template's lines with a cursor and TextFSM's line count (1-based).
struct Lines<'a> {
    lines: &'a [&'a str],
    next: usize,
}

impl<'a> Lines<'a> {
    /// The next line, right-stripped, with its number.
    fn next(&mut self) -> Option<(usize, &'a str)> {
        let l = self.lines.get(self.next)?;
        self.next += 1;
        Some((self.next, pytext::rstrip(l)))
    }
}

type Located = (usize, String);

/// The `Value` block: up to the first blank line.
fn read_values(r: &mut Lines) -> Result<Vec<ValueDef>, Located> {
    let mut values: Vec<ValueDef> = Vec::new();
    while let Some((n, line)) = r.next() {
        if line.is_empty() {
            break;
        }
        if COMMENT.is_match_start(line) {
            continue;
        }
        if line.starts_with("Value ") {
            let v = ValueDef::parse(line).map_err(|m| (n, format!("{m} Line {n}.")))?;
            if values.iter().any(|o| o.name == v.name) {
                return Err((
                    n,
                    format!("Duplicate declarations for Value '{}'. Line: {n}.", v.name),
                ));
            }
            values.push(v);
        } else if values.is_empty() {
            return Err((n, "No Value definitions found.".into()));
        } else {
            return Err((
                n,
                format!("Expected blank line after last Value entry. Line: {n}."),
            ));
        }
    }
    Ok(values)
}

/// One state: its name line, then rules up to a blank line. `None` at the end of the file.
fn read_state(
    r: &mut Lines,
    vars: &HashMap<String, String>,
    seen: &[(String, Vec<RuleDef>)],
) -> Result<Option<(String, Vec<RuleDef>)>, Located> {
    let mut name = None;
    while let Some((n, line)) = r.next() {
        if line.is_empty() || COMMENT.is_match_start(line) {
            continue;
        }
        let reserved = [
            "Continue", "Next", "Error", "Clear", "Clearall", "Record", "NoRecord",
        ]
        .contains(&line);
        if !STATE_NAME.is_match_start(line) || line.chars().count() > MAX_STATE_LEN || reserved {
            return Err((n, format!("Invalid state name: '{line}'. Line: {n}")));
        }
        if seen.iter().any(|(s, _)| s == line) {
            return Err((n, format!("Duplicate state name: '{line}'. Line: {n}")));
        }
        name = Some(line.to_string());
        break;
    }
    let Some(name) = name else { return Ok(None) };
    let mut rules = Vec::new();
    while let Some((n, line)) = r.next() {
        if line.is_empty() {
            break;
        }
        if COMMENT.is_match_start(line) {
            continue;
        }
        if !(line.starts_with(" ^") || line.starts_with("  ^") || line.starts_with("\t^")) {
            return Err((
                n,
                format!("Missing white space or carat ('^') before rule. Line: {n}"),
            ));
        }
        rules.push(RuleDef::parse(line, n, vars).map_err(|m| (n, m))?);
    }
    Ok(Some((name, rules)))
}

/// TextFSM's checks on the whole machine, then state names turned into indexes.
fn resolve(
    name: String,
    values: Vec<ValueDef>,
    mut raw: Vec<(String, Vec<RuleDef>)>,
) -> Result<Template, String> {
    let find = |raw: &[(String, Vec<RuleDef>)], s: &str| raw.iter().position(|(n, _)| n == s);
    if find(&raw, "Start").is_none() {
        return Err("Missing state 'Start'.".into());
    }
    for reserved in ["End", "EOF"] {
        if find(&raw, reserved).is_some_and(|i| !raw[i].1.is_empty()) {
            return Err(format!("Non-Empty '{reserved}' state."));
        }
    }
    if let Some(i) = find(&raw, "End") {
        raw.remove(i);
    }
    let declares_eof = find(&raw, "EOF").is_some();
    let mut states = Vec::with_capacity(raw.len());
    let mut id = 0;
    for (state_name, defs) in &raw {
        let mut rules = Vec::with_capacity(defs.len());
        for d in defs {
            let target = match (d.line_op, d.new_state.as_deref()) {
                (LineOp::Error, _) | (_, None) => Target::Stay,
                (_, Some("End")) => Target::End,
                (_, Some("EOF")) => Target::Eof,
                (_, Some(s)) => match find(&raw, s) {
                    Some(i) => Target::State(i),
                    None => {
                        return Err(format!(
                            "State '{s}' not found, referenced in state '{state_name}'"
                        ))
                    }
                },
            };
            let message = (d.line_op == LineOp::Error)
                .then(|| d.new_state.clone())
                .flatten();
            let assign = d
                .regex
                .names()
                .iter()
                .filter_map(|(g, slot)| {
                    values
                        .iter()
                        .position(|v| v.name == *g)
                        .map(|vi| (*slot as usize, vi))
                })
                .collect();
            rules.push(Rule {
                regex: d.regex.clone(),
                line: d.line,
                line_op: d.line_op,
                record_op: d.record_op,
                target,
                message,
                assign,
                id,
            });
            id += 1;
        }
        states.push(State {
            name: state_name.clone(),
            rules,
            dispatch: OnceLock::new(),
        });
    }
    let start = find(&raw, "Start").unwrap_or(0);
    Ok(Template {
        name,
        values,
        states,
        start,
        declares_eof,
        rule_count: id,
        scratch: ScratchPool::default(),
        shape: OnceLock::new(),
    })
}
