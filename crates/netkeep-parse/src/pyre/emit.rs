//! Writes a [`Node`] tree as a pattern for the `regex` crate (or `fancy-regex`, which reads
//! the same syntax plus look-around and back-references) that matches what Python matches.
//!
//! Every construct is written out explicitly so nothing depends on the two syntaxes agreeing:
//! literals become `\x{..}` escapes, flags are scoped to the node they came with, and Python's
//! Unicode classes are spelled as the sets Python uses.
//!
//! Two forms: the full Unicode one, and an ASCII projection for `regex::bytes` in ASCII mode
//! that is exact on ASCII haystacks (most device output) and much smaller and faster: Python's
//! Unicode classes cut down to their ASCII members, non-ASCII literals that can never match.

use std::fmt::Write;

use super::ast::{Node, Perl, Repeat, SetItem};

/// The pattern text for `node`, anchored at the start of the haystack like `re.match`.
pub fn anchored(node: &Node) -> String {
    let mut e = Emitter {
        ascii: false,
        ascii_classes: false,
        superset: false,
        exact: true,
        out: String::from(r"\A(?:"),
    };
    e.emit(node);
    e.out.push(')');
    e.out
}

/// The ASCII projection in Unicode syntax, for fancy-regex on ASCII-only haystacks: only the
/// classes change (`\d` is `[0-9]`...), which keeps the engine small; non-ASCII literals stay
/// (they cannot match ASCII text anyway). `None` when not exact, as for [`anchored_ascii`].
pub fn anchored_ascii_text(node: &Node) -> Option<String> {
    ascii_projection(node, false, false)
}

/// The ASCII projection, for ASCII-only haystacks. `None` when it would not be exact: a
/// non-ASCII character under ignore-case can match an ASCII one (the Kelvin sign and `k`).
pub fn anchored_ascii(node: &Node) -> Option<String> {
    ascii_projection(node, true, false)
}

/// The ASCII projection for bytes mode, not anchored to the haystack's start: for a search
/// anchored where it begins (a look-around's body at its position). `None` when not exact.
pub fn ascii_at(node: &Node) -> Option<String> {
    let mut e = Emitter {
        ascii: true,
        ascii_classes: true,
        superset: false,
        exact: true,
        out: String::from("(?-u:"),
    };
    e.emit(node);
    e.out.push(')');
    e.exact.then_some(e.out)
}

/// The ASCII projection of a backtracking pattern made plain for the NFA engines, matching
/// wherever the pattern does (and maybe more): look-arounds become empty, back-references any
/// text, conditionals either branch, atomic groups and possessive repeats ordinary ones. A
/// quick "cannot match" test; `None` when the projection would not be exact.
pub fn anchored_ascii_superset(node: &Node) -> Option<String> {
    ascii_projection(node, true, true)
}

/// The ASCII-class projection anchored at the start: in bytes mode (`ascii`) or Unicode syntax,
/// exact or a superset; `None` when it would not be exact.
fn ascii_projection(node: &Node, ascii: bool, superset: bool) -> Option<String> {
    let mut e = Emitter {
        ascii,
        ascii_classes: true,
        superset,
        exact: true,
        out: String::from(if ascii { r"(?-u)\A(?:" } else { r"\A(?:" }),
    };
    e.emit(node);
    e.out.push(')');
    e.exact.then_some(e.out)
}

/// Never matches an ASCII haystack (in ASCII mode: the byte 0x80).
const NEVER: &str = r"\x80";

struct Emitter {
    /// Writing the ASCII projection.
    ascii: bool,
    /// Writing Python's classes cut down to ASCII (both ASCII forms).
    ascii_classes: bool,
    /// Writing a plain superset of a backtracking pattern ([`anchored_ascii_superset`]).
    superset: bool,
    /// The ASCII projection is still exact.
    exact: bool,
    out: String,
}

impl Emitter {
    fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn emit(&mut self, node: &Node) {
        match node {
            Node::Empty => self.push("(?:)"),
            Node::Char(c, ic) => self.char_node(*c, *ic),
            Node::Any(dot_all) => self.push(if *dot_all { "(?s:.)" } else { "." }),
            Node::Set(items, negated, ic) => self.set(items, *negated, *ic),
            Node::Start(multi) => self.push(if *multi { "(?m:^)" } else { r"\A" }),
            // Haystacks are single lines (no `\n`), so Python's "end, or before a final
            // newline" is the end of the text.
            Node::End(multi) => self.push(if *multi { "(?m:$)" } else { r"\z" }),
            Node::StartText => self.push(r"\A"),
            Node::EndText => self.push(r"\z"),
            Node::WordBoundary(negated, ascii) => {
                let b = if *negated { r"\B" } else { r"\b" };
                if *ascii && !self.ascii_classes {
                    let _ = write!(self.out, "(?-u:{b})");
                } else {
                    self.push(b);
                }
            }
            Node::Group(_, body) => self.wrap("(", body),
            Node::NonCapture(body) => self.wrap("(?:", body),
            Node::Look(..) if self.superset => self.push("(?:)"),
            Node::Atomic(body) if self.superset => self.wrap("(?:", body),
            Node::Backref(_) if self.superset => self.push("(?s:.*)"),
            Node::Cond(_, yes, no) if self.superset => {
                self.emit(&Node::Alt(vec![(**yes).clone(), (**no).clone()]))
            }
            Node::Look(behind, negated, body) => {
                let open = match (behind, negated) {
                    (false, false) => "(?=",
                    (false, true) => "(?!",
                    (true, false) => "(?<=",
                    (true, true) => "(?<!",
                };
                self.wrap(open, body);
            }
            Node::Atomic(body) => self.wrap("(?>", body),
            Node::Backref(g) => {
                let _ = write!(self.out, r"\k<{g}>");
            }
            Node::Cond(g, yes, no) => {
                let _ = write!(self.out, "(?({g})");
                self.emit(yes);
                self.push("|");
                self.emit(no);
                self.push(")");
            }
            Node::Repeat(r) => self.repeat(r),
            Node::Concat(items) => items.iter().for_each(|n| self.emit(n)),
            Node::Alt(items) => {
                self.push("(?:");
                for (i, n) in items.iter().enumerate() {
                    if i > 0 {
                        self.push("|");
                    }
                    self.emit(n);
                }
                self.push(")");
            }
        }
    }

    fn wrap(&mut self, open: &str, body: &Node) {
        self.push(open);
        self.emit(body);
        self.push(")");
    }

    fn char_node(&mut self, c: char, ic: bool) {
        if self.ascii_classes && !c.is_ascii() && ic {
            self.exact = false;
        }
        if self.ascii && !c.is_ascii() {
            self.push(NEVER);
        } else if ic && has_case(c) {
            self.push("(?i:");
            self.char_lit(c);
            self.push(")");
        } else {
            self.char_lit(c);
        }
    }

    fn repeat(&mut self, r: &Repeat) {
        // A repeated zero-width body (Python allows `(?<=x)+`; fancy-regex refuses to repeat a
        // look-around): once it matched, more iterations change nothing, so `+` is the body
        // once and `*`/`?` are "the body or nothing" (in the repeat's greedy/lazy order).
        if r.node.width(&[]) == (0, Some(0)) {
            match (r.min, r.greedy) {
                // `{0}` matches nothing, but the body's groups still count (unset, as in
                // Python): an alternative that can never be taken (`\b\B`) keeps them.
                _ if r.max == Some(0) => {
                    self.push(r"(?:|\b\B");
                    self.emit(&r.node);
                    self.push(")");
                }
                (0, true) => self.wrap("(?:", &Node::Alt(vec![r.node.clone(), Node::Empty])),
                (0, false) => self.wrap("(?:", &Node::Alt(vec![Node::Empty, r.node.clone()])),
                _ => self.emit(&r.node),
            }
            return;
        }
        let possessive = r.possessive && !self.superset;
        if possessive {
            self.push("(?>");
        }
        self.wrap("(?:", &r.node);
        let _ = match r.max {
            Some(max) => write!(self.out, "{{{},{}}}", r.min, max),
            None => write!(self.out, "{{{},}}", r.min),
        };
        if !r.greedy {
            self.push("?");
        }
        if possessive {
            self.push(")");
        }
    }

    fn char_lit(&mut self, c: char) {
        if c.is_ascii_alphanumeric() || c == '_' {
            self.out.push(c);
        } else {
            let _ = write!(self.out, r"\x{{{:x}}}", c as u32);
        }
    }

    fn set(&mut self, items: &[SetItem], negated: bool, ic: bool) {
        let start = self.out.len();
        self.push(if ic { "(?i:[" } else { "[" });
        if negated {
            self.push("^");
        }
        let body = self.out.len();
        for item in items {
            match *item {
                SetItem::Char(c) if self.ascii_classes && !c.is_ascii() && ic => self.exact = false,
                SetItem::Char(c) if self.ascii && !c.is_ascii() => {}
                SetItem::Char(c) => self.char_lit(c),
                SetItem::Range(_, hi) if self.ascii_classes && !hi.is_ascii() && ic => {
                    self.exact = false
                }
                SetItem::Range(lo, _) if self.ascii && !lo.is_ascii() => {}
                SetItem::Range(lo, hi) => {
                    let hi = if self.ascii && !hi.is_ascii() {
                        '\x7f'
                    } else {
                        hi
                    };
                    self.char_lit(lo);
                    self.push("-");
                    self.char_lit(hi);
                }
                SetItem::Perl(kind, neg, ascii) => self.perl(kind, neg, ascii),
            }
        }
        if self.out.len() == body {
            // Every member was non-ASCII: on ASCII text the set never matches (or, negated,
            // matches any character).
            self.out.truncate(start);
            self.push(if negated { "(?s:.)" } else { NEVER });
            return;
        }
        self.push(if ic { "])" } else { "]" });
    }

    /// Python's `\d`, `\w`, `\s` (negated: `\D`...), as members of a set.
    fn perl(&mut self, kind: Perl, negated: bool, ascii_flag: bool) {
        let members = match (kind, ascii_flag || self.ascii_classes) {
            // Python: Unicode decimal digits (category Nd), as the regex crate's `\d`.
            (Perl::Digit, false) => {
                self.push(if negated { r"\D" } else { r"\d" });
                return;
            }
            (Perl::Digit, true) => "0-9",
            // Python: `str.isalnum()` or `_`: letters and numbers of every kind.
            (Perl::Word, false) => r"\p{L}\p{N}_",
            (Perl::Word, true) => "0-9A-Za-z_",
            // Python: `str.isspace()`, which also counts the separators U+001C..U+001F.
            (Perl::Space, false) => r"\s\x{1c}-\x{1f}",
            // The ASCII members of Python's Unicode `\s`.
            (Perl::Space, true) if !ascii_flag => r"\t-\r\x1c-\x20",
            // The `(?a)` flag's `\s`: [ \t\n\r\f\v].
            (Perl::Space, true) => r"\t-\r\x20",
        };
        if negated {
            let _ = write!(self.out, "[^{members}]");
        } else {
            self.push(members);
        }
    }
}

fn has_case(c: char) -> bool {
    c.is_alphabetic() || !c.is_ascii()
}
