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
            Node::Set(items, negated, ic) => {
                let mut bits = 0;
                for item in items {
                    bits |= match *item {
                        SetItem::Char(c) => range_bits(c as u32, c as u32),
                        SetItem::Range(lo, hi) => range_bits(lo as u32, hi as u32),
                        SetItem::Perl(kind, neg, _) => perl_bits(kind, neg),
                    };
                    let non_ascii =
                        matches!(*item, SetItem::Char(c) | SetItem::Range(_, c) if !c.is_ascii());
                    if *ic && non_ascii {
                        return First::ANY;
                    }
                }
                if *ic {
                    bits = fold_case(bits);
                }
                // A negated set: everything not surely in it (Perl members are approximate).
                First::byte_set(if *negated {
                    !bits | perl_fuzz(items)
                } else {
                    bits
                })
            }
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
            Node::Concat(items) => {
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

/// Bytes whose membership in a set's Perl classes is uncertain (the `\s` separators).
fn perl_fuzz(items: &[SetItem]) -> u128 {
    if items.iter().any(|i| matches!(i, SetItem::Perl(..))) {
        range_bits(0x1c, 0x1f)
    } else {
        0
    }
}
