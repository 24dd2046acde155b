//! Writes a [`Node`] tree as a pattern for the `regex` crate (or `fancy-regex`, which reads
//! the same syntax plus look-around and back-references) that matches what Python matches.
//!
//! Every construct is written out explicitly so nothing depends on the two syntaxes agreeing:
//! literals become `\x{..}` escapes, flags are scoped to the node they came with, and Python's
//! Unicode classes are spelled as the sets Python uses.

use std::fmt::Write;

use super::ast::{Node, Perl, Repeat, SetItem};

/// The pattern text for `node`, anchored at the start of the haystack like `re.match`.
pub fn anchored(node: &Node) -> String {
    let mut out = String::from(r"\A(?:");
    emit(node, &mut out);
    out.push(')');
    out
}

fn emit(node: &Node, out: &mut String) {
    match node {
        Node::Empty => out.push_str("(?:)"),
        Node::Char(c, ic) => {
            if *ic && has_case(*c) {
                out.push_str("(?i:");
                char_lit(*c, out);
                out.push(')');
            } else {
                char_lit(*c, out);
            }
        }
        Node::Any(dot_all) => out.push_str(if *dot_all { "(?s:.)" } else { "." }),
        Node::Set(items, negated, ic) => set(items, *negated, *ic, out),
        Node::Start(multi) => out.push_str(if *multi { "(?m:^)" } else { r"\A" }),
        // Haystacks are single lines (no `\n`), so Python's "end, or before a final newline"
        // is the end of the text.
        Node::End(multi) => out.push_str(if *multi { "(?m:$)" } else { r"\z" }),
        Node::StartText => out.push_str(r"\A"),
        Node::EndText => out.push_str(r"\z"),
        Node::WordBoundary(negated, ascii) => {
            let b = if *negated { r"\B" } else { r"\b" };
            if *ascii {
                let _ = write!(out, "(?-u:{b})");
            } else {
                out.push_str(b);
            }
        }
        Node::Group(_, body) => wrap("(", body, out),
        Node::NonCapture(body) => wrap("(?:", body, out),
        Node::Look(behind, negated, body) => {
            let open = match (behind, negated) {
                (false, false) => "(?=",
                (false, true) => "(?!",
                (true, false) => "(?<=",
                (true, true) => "(?<!",
            };
            wrap(open, body, out);
        }
        Node::Atomic(body) => wrap("(?>", body, out),
        Node::Backref(g) => {
            let _ = write!(out, r"\k<{g}>");
        }
        Node::Cond(g, yes, no) => {
            let _ = write!(out, "(?({g})");
            emit(yes, out);
            out.push('|');
            emit(no, out);
            out.push(')');
        }
        Node::Repeat(r) => repeat(r, out),
        Node::Concat(items) => items.iter().for_each(|n| emit(n, out)),
        Node::Alt(items) => {
            out.push_str("(?:");
            for (i, n) in items.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                emit(n, out);
            }
            out.push(')');
        }
    }
}

fn wrap(open: &str, body: &Node, out: &mut String) {
    out.push_str(open);
    emit(body, out);
    out.push(')');
}

fn repeat(r: &Repeat, out: &mut String) {
    // A repeated zero-width body (Python allows `(?<=x)+`; fancy-regex refuses to repeat a
    // look-around): once it matched, more iterations change nothing, so `+` is the body once
    // and `*`/`?` are "the body or nothing" (in the repeat's greedy/lazy order).
    if r.node.width(&[]) == (0, Some(0)) {
        match (r.min, r.greedy) {
            _ if r.max == Some(0) => out.push_str("(?:)"),
            (0, true) => wrap("(?:", &Node::Alt(vec![r.node.clone(), Node::Empty]), out),
            (0, false) => wrap("(?:", &Node::Alt(vec![Node::Empty, r.node.clone()]), out),
            _ => emit(&r.node, out),
        }
        return;
    }
    if r.possessive {
        out.push_str("(?>");
    }
    wrap("(?:", &r.node, out);
    match r.max {
        Some(max) => {
            let _ = write!(out, "{{{},{}}}", r.min, max);
        }
        None => {
            let _ = write!(out, "{{{},}}", r.min);
        }
    }
    if !r.greedy {
        out.push('?');
    }
    if r.possessive {
        out.push(')');
    }
}

fn has_case(c: char) -> bool {
    c.is_alphabetic() || !c.is_ascii()
}

fn char_lit(c: char, out: &mut String) {
    if c.is_ascii_alphanumeric() || c == '_' {
        out.push(c);
    } else {
        let _ = write!(out, r"\x{{{:x}}}", c as u32);
    }
}

fn set(items: &[SetItem], negated: bool, ic: bool, out: &mut String) {
    if ic {
        out.push_str("(?i:");
    }
    out.push('[');
    if negated {
        out.push('^');
    }
    for item in items {
        match item {
            SetItem::Char(c) => char_lit(*c, out),
            SetItem::Range(lo, hi) => {
                char_lit(*lo, out);
                out.push('-');
                char_lit(*hi, out);
            }
            SetItem::Perl(kind, neg, ascii) => perl(*kind, *neg, *ascii, out),
        }
    }
    out.push(']');
    if ic {
        out.push(')');
    }
}

/// Python's `\d`, `\w`, `\s` (negated: `\D`...), as members of a set.
fn perl(kind: Perl, negated: bool, ascii: bool, out: &mut String) {
    let members = match (kind, ascii) {
        // Python: Unicode decimal digits (category Nd), as the regex crate's `\d`.
        (Perl::Digit, false) => {
            out.push_str(if negated { r"\D" } else { r"\d" });
            return;
        }
        (Perl::Digit, true) => "0-9",
        // Python: `str.isalnum()` or `_`: letters and numbers of every kind.
        (Perl::Word, false) => r"\p{L}\p{N}_",
        (Perl::Word, true) => "0-9A-Za-z_",
        // Python: `str.isspace()`, which also counts the separators U+001C..U+001F.
        (Perl::Space, false) => r"\s\x{1c}-\x{1f}",
        (Perl::Space, true) => r"\x{20}\t\n\r\x{b}\x{c}",
    };
    if negated {
        let _ = write!(out, "[^{members}]");
    } else {
        out.push_str(members);
    }
}
