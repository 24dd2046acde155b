//! The parsed form of a Python `re` pattern: what the parser produces and the emitter reads.

/// Python's inline flags that change matching (verbose `x` is applied while parsing).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// `i`: case-insensitive.
    pub ignore_case: bool,
    /// `m`: `^`/`$` at line breaks.
    pub multi_line: bool,
    /// `s`: `.` matches a newline.
    pub dot_all: bool,
    /// `a`: `\w`, `\d`, `\s`, `\b` are ASCII-only.
    pub ascii: bool,
}

/// A character class escape (`\d`, `\w`, `\s`), possibly negated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Perl {
    /// `\d`
    Digit,
    /// `\w`
    Word,
    /// `\s`
    Space,
}

/// One member of a `[...]` set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetItem {
    /// A single character.
    Char(char),
    /// `a-z`.
    Range(char, char),
    /// `\d`, `\W`, ... (negated when the bool is true), under the ASCII flag or not.
    Perl(Perl, bool, bool),
}

/// A node of the pattern tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// Matches the empty string.
    Empty,
    /// A literal character, case-insensitive when the bool is true.
    Char(char, bool),
    /// `.`; matches `\n` too when the bool (DOTALL) is true.
    Any(bool),
    /// `[...]`: items, negated, case-insensitive.
    Set(Vec<SetItem>, bool, bool),
    /// `^` (multi-line when true).
    Start(bool),
    /// `$` (multi-line when true).
    End(bool),
    /// `\A`.
    StartText,
    /// `\Z`.
    EndText,
    /// `\b` (negated `\B` when the first bool is true; ASCII when the second is).
    WordBoundary(bool, bool),
    /// A capturing group with its 1-based number.
    Group(u32, Box<Node>),
    /// `(?:...)`.
    NonCapture(Box<Node>),
    /// A look-around: behind?, negated?, body.
    Look(bool, bool, Box<Node>),
    /// `(?>...)`.
    Atomic(Box<Node>),
    /// `\1`, `(?P=name)`.
    Backref(u32),
    /// `(?(1)yes|no)`.
    Cond(u32, Box<Node>, Box<Node>),
    /// A repetition.
    Repeat(Box<Repeat>),
    /// A sequence.
    Concat(Vec<Node>),
    /// Alternatives, tried left to right.
    Alt(Vec<Node>),
}

/// `x*`, `x{m,n}?`, `x++`, ...
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repeat {
    /// What repeats.
    pub node: Node,
    /// Fewest repetitions.
    pub min: u32,
    /// Most repetitions (`None`: unbounded).
    pub max: Option<u32>,
    /// Greedy (`*`) rather than lazy (`*?`).
    pub greedy: bool,
    /// Possessive (`*+`): never gives back.
    pub possessive: bool,
}

impl Node {
    /// True if matching this needs a backtracking engine (look-around, back-references,
    /// atomic groups, possessive repeats, conditionals).
    pub fn needs_backtracking(&self) -> bool {
        match self {
            Node::Look(..) | Node::Atomic(_) | Node::Backref(_) | Node::Cond(..) => true,
            Node::Group(_, n) | Node::NonCapture(n) => n.needs_backtracking(),
            Node::Repeat(r) => r.possessive || r.node.needs_backtracking(),
            Node::Concat(v) | Node::Alt(v) => v.iter().any(Node::needs_backtracking),
            _ => false,
        }
    }

    /// The (fewest, most) characters this can match, as Python computes it for look-behind
    /// (`None`: unbounded). `groups[n]` is the width of group `n` (for back-references).
    pub fn width(&self, groups: &[Width]) -> Width {
        match self {
            Node::Char(..) | Node::Any(_) | Node::Set(..) => (1, Some(1)),
            Node::Group(_, n) | Node::NonCapture(n) | Node::Atomic(n) => n.width(groups),
            Node::Backref(g) => groups.get(*g as usize).copied().unwrap_or((0, None)),
            Node::Cond(_, yes, no) => {
                let (a, b) = (yes.width(groups), no.width(groups));
                (a.0.min(b.0), max_opt(a.1, b.1))
            }
            Node::Repeat(r) => {
                let (lo, hi) = r.node.width(groups);
                let min = lo.saturating_mul(u64::from(r.min));
                let max = match (hi, r.max) {
                    (Some(0), _) | (_, Some(0)) => Some(0),
                    (Some(h), Some(m)) => Some(h.saturating_mul(u64::from(m))),
                    _ => None,
                };
                (min, max)
            }
            Node::Concat(v) => v.iter().fold((0, Some(0)), |(lo, hi), n| {
                let (l, h) = n.width(groups);
                (
                    lo.saturating_add(l),
                    hi.zip(h).map(|(a, b)| a.saturating_add(b)),
                )
            }),
            Node::Alt(v) => {
                let mut it = v.iter().map(|n| n.width(groups));
                let first = it.next().unwrap_or((0, Some(0)));
                it.fold(first, |(lo, hi), (l, h)| (lo.min(l), max_opt(hi, h)))
            }
            _ => (0, Some(0)),
        }
    }
}

/// (fewest, most) characters; `None`: unbounded.
pub type Width = (u64, Option<u64>);

fn max_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    Some(a?.max(b?))
}
