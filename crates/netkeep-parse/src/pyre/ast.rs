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

/// The bytes an ASCII haystack can start with for a match, and whether a match can be empty.
/// An over-approximation (assertions and look-arounds are ignored), so a line whose first byte
/// is not in the set cannot match a pattern that cannot match empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct First {
    /// Bit `b` set: a match may start with byte `b` (ASCII only).
    pub bytes: u128,
    /// The pattern can match the empty string (then `bytes` says nothing).
    pub nullable: bool,
}

impl First {
    const ANY: First = First {
        bytes: u128::MAX,
        nullable: true,
    };
    const EMPTY: First = First {
        bytes: 0,
        nullable: true,
    };

    fn byte_set(bytes: u128) -> First {
        First {
            bytes,
            nullable: false,
        }
    }
}

fn bit(c: u8) -> u128 {
    1u128 << (c & 0x7f)
}

fn range_bits(lo: u32, hi: u32) -> u128 {
    (lo.min(128)..=hi.min(127)).fold(0, |acc, c| acc | bit(c as u8))
}

fn perl_bits(kind: Perl, negated: bool) -> u128 {
    // Over-approximate: Python's Unicode and ASCII `\s` differ on 0x1c..0x1f; take both.
    let set = match kind {
        Perl::Digit => range_bits(b'0'.into(), b'9'.into()),
        Perl::Word => {
            range_bits(b'0'.into(), b'9'.into())
                | range_bits(b'A'.into(), b'Z'.into())
                | range_bits(b'a'.into(), b'z'.into())
                | bit(b'_')
        }
        Perl::Space => range_bits(9, 13) | range_bits(0x1c, 0x20),
    };
    if negated {
        !set | range_bits(0x1c, 0x1f)
    } else {
        set
    }
}

/// Adds the other case of every ASCII letter in `bits`.
fn fold_case(bits: u128) -> u128 {
    let mut out = bits;
    for c in b'a'..=b'z' {
        if bits & (bit(c) | bit(c - 32)) != 0 {
            out |= bit(c) | bit(c - 32);
        }
    }
    out
}

impl Node {
    /// See [`First`].
    pub fn first(&self) -> First {
        match self {
            Node::Empty
            | Node::Start(_)
            | Node::End(_)
            | Node::StartText
            | Node::EndText
            | Node::WordBoundary(..)
            | Node::Look(..) => First::EMPTY,
            Node::Char(c, ic) => {
                let b = if c.is_ascii() { bit(*c as u8) } else { 0 };
                // A non-ASCII letter under ignore-case may match an ASCII one (Kelvin sign).
                if *ic && !c.is_ascii() {
                    return First::ANY;
                }
                First::byte_set(if *ic { fold_case(b) } else { b })
            }
            Node::Any(_) => First::byte_set(u128::MAX),
            Node::Set(items, negated, ic) => set_first(items, *negated, *ic),
            Node::Group(_, n) | Node::NonCapture(n) | Node::Atomic(n) => n.first(),
            Node::Backref(_) => First::ANY,
            Node::Cond(_, yes, no) => {
                let (a, b) = (yes.first(), no.first());
                First {
                    bytes: a.bytes | b.bytes,
                    nullable: a.nullable || b.nullable,
                }
            }
            Node::Repeat(r) => {
                if r.max == Some(0) {
                    return First::EMPTY;
                }
                let f = r.node.first();
                First {
                    bytes: f.bytes,
                    nullable: f.nullable || r.min == 0,
                }
            }
            Node::Concat(items) => concat_first(items),
            Node::Alt(items) => items.iter().fold(
                First {
                    bytes: 0,
                    nullable: false,
                },
                |acc, n| {
                    let f = n.first();
                    First {
                        bytes: acc.bytes | f.bytes,
                        nullable: acc.nullable || f.nullable,
                    }
                },
            ),
        }
    }
}

/// [`Node::first`] of a character set.
fn set_first(items: &[SetItem], negated: bool, ic: bool) -> First {
    let mut bits = 0;
    for item in items {
        bits |= match *item {
            SetItem::Char(c) => range_bits(c as u32, c as u32),
            SetItem::Range(lo, hi) => range_bits(lo as u32, hi as u32),
            SetItem::Perl(kind, neg, _) => perl_bits(kind, neg),
        };
        let non_ascii = matches!(*item, SetItem::Char(c) | SetItem::Range(_, c) if !c.is_ascii());
        if ic && non_ascii {
            return First::ANY;
        }
    }
    if ic {
        bits = fold_case(bits);
    }
    // A negated set: everything not surely in it (Perl members are approximate).
    First::byte_set(if negated {
        !bits | perl_fuzz(items)
    } else {
        bits
    })
}

/// [`Node::first`] of a sequence: the first items' bytes up to the first that cannot be empty.
fn concat_first(items: &[Node]) -> First {
    let mut acc = First::EMPTY;
    for n in items {
        let f = n.first();
        acc.bytes |= f.bytes;
        if !f.nullable {
            acc.nullable = false;
            break;
        }
    }
    acc
}

/// Bytes whose membership in a set's Perl classes is uncertain (the `\s` separators).
fn perl_fuzz(items: &[SetItem]) -> u128 {
    if items.iter().any(|i| matches!(i, SetItem::Perl(..))) {
        range_bits(0x1c, 0x1f)
    } else {
        0
    }
}

/// A cheap test that rejects most lines a pattern cannot match, before the regex runs: the
/// fewest characters, an optional leading run of one class (`^\s+` in most templates), then the
/// first byte and the literal text the rest must start with, and a text every match contains.
/// On a line with non-ASCII text the tests that look at one byte are made only where that byte
/// is ASCII (a non-ASCII character there could be in a Unicode class).
#[derive(Clone, Debug, Default)]
pub struct Prefilter {
    /// The leading repeat's class and its fewest repetitions. Only set when the rest cannot
    /// start with a byte of the class: the rest then starts right after the line's run.
    pub lead: Option<(u128, u32)>,
    /// Bytes the rest may start with (`None`: it can match empty; no test).
    pub first: Option<u128>,
    /// Text the rest surely starts with (case-sensitive).
    pub literal: Vec<u8>,
    /// The longest text every match contains somewhere (case-sensitive).
    pub needle: Option<memchr::memmem::Finder<'static>>,
    /// The fewest characters a match has: a pattern such as `(?:\S+\s+){24}` cannot match a
    /// shorter line (a line has at least as many bytes as characters).
    pub min_len: usize,
}

impl Prefilter {
    /// False when `line` surely cannot match. `ws` is the length of the line's leading run of
    /// [`space_bits`] bytes (computed once per line).
    pub fn may_match(&self, line: &[u8], ws: usize) -> bool {
        if line.len() < self.min_len {
            return false;
        }
        let mut pos = 0;
        let settled = |pos: usize| line.get(pos).is_none_or(|&b| b < 128);
        if let Some((class, min)) = self.lead {
            pos = if class == space_bits() {
                ws
            } else {
                run_len(line, class)
            };
            if !settled(pos) {
                return self.contains_needle(line);
            }
            if pos < min as usize {
                return false;
            }
        }
        if let Some(first) = self.first {
            let rest = &line[pos..];
            let starts = match rest.first() {
                Some(&b) if b >= 128 => return self.contains_needle(line),
                Some(&b) => first & (1u128 << b) != 0,
                None => false,
            };
            // A plain loop: these literals are short, a memcmp call costs more.
            if !starts
                || rest.len() < self.literal.len()
                || !rest.iter().zip(&self.literal).all(|(a, b)| a == b)
            {
                return false;
            }
        }
        self.contains_needle(&line[pos..])
    }

    fn contains_needle(&self, text: &[u8]) -> bool {
        self.needle.as_ref().is_none_or(|n| n.find(text).is_some())
    }
}

/// The bytes of Python's `\s` (both its Unicode and ASCII forms) on ASCII text.
pub fn space_bits() -> u128 {
    perl_bits(Perl::Space, false)
}

/// Length of the leading run of bytes in `class`.
pub fn run_len(line: &[u8], class: u128) -> usize {
    line.iter()
        .take_while(|&&b| b < 128 && class & (1u128 << b) != 0)
        .count()
}

impl Node {
    /// See [`Prefilter`].
    pub fn prefilter(&self) -> Prefilter {
        let mut p = self.prefilter_start();
        let mut runs = Vec::new();
        self.required_runs(&mut runs);
        p.needle = runs
            .into_iter()
            .filter(|r| r.len() >= 2 && *r != p.literal)
            .max_by_key(Vec::len)
            .map(|r| memchr::memmem::Finder::new(&r).into_owned());
        p.min_len = usize::try_from(self.width(&[]).0).unwrap_or(usize::MAX);
        p
    }

    /// Runs of literal ASCII text that every match contains (each run contiguous).
    fn required_runs(&self, out: &mut Vec<Vec<u8>>) {
        match self {
            Node::Group(_, n) | Node::NonCapture(n) | Node::Atomic(n) => n.required_runs(out),
            Node::Repeat(r) if r.min >= 1 => r.node.required_runs(out),
            Node::Concat(v) => {
                let mut run: Vec<u8> = Vec::new();
                for n in v {
                    match n {
                        Node::Char(c, false) if c.is_ascii() => run.push(*c as u8),
                        other => {
                            if !run.is_empty() {
                                out.push(std::mem::take(&mut run));
                            }
                            other.required_runs(out);
                        }
                    }
                }
                if !run.is_empty() {
                    out.push(run);
                }
            }
            Node::Char(c, false) if c.is_ascii() => out.push(vec![*c as u8]),
            _ => {}
        }
    }

    fn prefilter_start(&self) -> Prefilter {
        let items: &[Node] = match self {
            Node::Concat(v) => v,
            other => std::slice::from_ref(other),
        };
        // Zero-width nodes at the start consume nothing: skip them.
        let start = items
            .iter()
            .take_while(|n| n.first() == First::EMPTY && n.width(&[]) == (0, Some(0)))
            .count();
        let items = &items[start..];
        let seq = |nodes: &[Node]| Node::Concat(nodes.to_vec());
        if let Some(Node::Repeat(r)) = items.first() {
            if matches!(r.node, Node::Set(..) | Node::Char(..)) && r.max.is_none() && !r.possessive
            {
                let class = r.node.first().bytes;
                let rest = seq(&items[1..]);
                let f = rest.first();
                if !f.nullable && f.bytes & class == 0 {
                    return Prefilter {
                        lead: Some((class, r.min)),
                        first: Some(f.bytes),
                        literal: rest.literal_prefix().0,
                        needle: None,
                        min_len: 0,
                    };
                }
            }
        }
        let whole = seq(items);
        let f = whole.first();
        if f.nullable {
            return Prefilter::default();
        }
        Prefilter {
            lead: None,
            first: Some(f.bytes),
            literal: whole.literal_prefix().0,
            needle: None,
            min_len: 0,
        }
    }

    /// The ASCII text every match starts with, and whether that text is all the node matches.
    fn literal_prefix(&self) -> (Vec<u8>, bool) {
        match self {
            Node::Char(c, false) if c.is_ascii() => (vec![*c as u8], true),
            Node::Group(_, n) | Node::NonCapture(n) => n.literal_prefix(),
            Node::Empty
            | Node::Start(_)
            | Node::StartText
            | Node::WordBoundary(..)
            | Node::Look(..) => (Vec::new(), true),
            Node::Concat(v) => {
                let mut out = Vec::new();
                for n in v {
                    let (lit, complete) = n.literal_prefix();
                    out.extend(lit);
                    if !complete {
                        return (out, false);
                    }
                }
                (out, true)
            }
            _ => (Vec::new(), false),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pyre::parse::parse;

    fn may(pattern: &str, line: &str) -> bool {
        let ws = super::run_len(line.as_bytes(), super::space_bits());
        parse(pattern)
            .unwrap()
            .node
            .prefilter()
            .may_match(line.as_bytes(), ws)
    }

    #[test]
    fn prefilter_rejects_only_what_cannot_match() {
        let p = r"^\s+Encapsulation\s+(?P<E>\S+),\s+Vlan\s+ID";
        assert!(may(p, "  Encapsulation 802.1Q Virtual LAN, Vlan ID  10."));
        assert!(
            !may(p, "  Encapsulation ARPA, loopback not set"),
            "needle Vlan"
        );
        assert!(
            !may(p, "Encapsulation 802.1Q Virtual LAN, Vlan ID  10."),
            "lead \\s+"
        );
        assert!(!may(p, "  Hardware is Gigabit Ethernet"), "literal");
        assert!(may(r"^\s*$", ""));
        assert!(!may(r"^\S+\s+is", ""));
        assert!(may(r"(?i)^x", "X"));
        assert!(may(r"^(?i:\u212a)", "k"), "Kelvin sign folds to k");
        assert!(may(r"^\s*(?=a)\w", " a"));
        assert!(!may(r"^(?:\S+\s+){3}x", "a b c"), "too short");
        assert!(may(r"^(?:\S+\s+){3}x", "a b c x"));
        assert!(may(r"^(a)\1\1", "a"), "back-references count as empty");
        // Non-ASCII lines: only ASCII bytes settle a test.
        assert!(may(r"^\s+\w+\s+Vlan", "\u{a0}é x Vlan"));
        assert!(!may(r"^\s+\w+\s+Vlan", "\u{a0}é x VLAN"), "needle");
        assert!(may(r"^\w+ is", "é is"));
        assert!(!may(r"^Gi\S+", "Te1/0/1 é"), "first byte T is ASCII");
        assert!(!may(r"^\s+x", "x é"), "no leading space");
        assert!(may(r"^\s+x", "\u{2003}x"), "a Unicode space");
        assert!(
            !may(r"^(?:\S+\s+){3}x", "éé"),
            "too short: 2 characters, 4 bytes"
        );
    }
}
