//! Look-arounds checked after a plain match, for ASCII lines: the pattern with each look-around
//! replaced by an empty marker group runs on the NFA engines, then each look-around on the
//! match's path is tested where its marker matched. When all hold, that match is the one
//! Python finds; otherwise the backtracking VM decides (`cisco_ios show ip access-lists`:
//! `(?<!range\s).+?` deep in a long rule, which fancy-regex runs as slowly as Python).
//!
//! Why it is exact: markers add no choices, so both engines try the same paths in the same
//! order, and the plain one accepts every path Python accepts (it skips the assertions). Every
//! path before the plain engine's first match is one Python rejects too; if the assertions on
//! that match's path hold, Python accepts it, so it is Python's first match. Look-arounds
//! inside a repeat are not handled (a marker group keeps only its last position), nor bodies
//! that have groups or need backtracking themselves.

use super::ascii::{AsciiNfa, AsciiScratch, BtCache};
use super::ast::Node;
use super::emit;
use super::Slots;

/// A backtracking pattern's plain form and its look-arounds (see the module documentation).
#[derive(Debug, Clone)]
pub(crate) struct LookCheck {
    nfa: AsciiNfa,
    /// The engine's group for each of the pattern's groups (index: Python's group number).
    map: Vec<usize>,
    looks: Vec<Look>,
}

#[derive(Debug, Clone)]
struct Look {
    /// The engine's marker group.
    group: usize,
    behind: bool,
    negated: bool,
    /// Characters a look-behind's body matches (always the same number: Python's rule).
    width: usize,
    body: AsciiNfa,
}

/// What the plain match says.
pub(crate) enum Verdict {
    /// No match (nor in Python).
    No,
    /// Python's match: the groups are in the scratch space ([`LookCheck::slots`]).
    Yes,
    /// A look-around on the path failed: the backtracking VM must decide.
    Unsure,
}

/// Marker group numbers start here in the rewritten tree (emit ignores the numbers; only the
/// order of groups counts).
const MARK: u32 = u32::MAX / 2;

impl LookCheck {
    /// `None` when the pattern has a construct this does not handle (see the module docs).
    pub fn new(node: &Node, groups: u32) -> Option<LookCheck> {
        let mut bodies = Vec::new();
        let plain = rewrite(node, &mut bodies)?;
        if bodies.is_empty() || plain.needs_backtracking() {
            return None;
        }
        let mut order = Vec::new();
        group_order(&plain, &mut order);
        let engine_group = |g: u32| order.iter().position(|&x| x == g).map(|p| p + 1);
        let map = std::iter::once(Some(0))
            .chain((1..=groups).map(engine_group))
            .collect::<Option<Vec<usize>>>()?;
        let looks = bodies
            .into_iter()
            .enumerate()
            .map(|(k, (behind, negated, body))| {
                let width = match body.width(&[]) {
                    (lo, Some(hi)) if lo == hi => usize::try_from(lo).ok()?,
                    _ if behind => return None,
                    _ => 0,
                };
                Some(Look {
                    group: engine_group(MARK + k as u32)?,
                    behind,
                    negated,
                    width,
                    body: AsciiNfa::new(&emit::ascii_at(&body)?).ok()?,
                })
            })
            .collect::<Option<Vec<Look>>>()?;
        Some(LookCheck {
            nfa: AsciiNfa::new(&emit::anchored_ascii(&plain)?).ok()?,
            map,
            looks,
        })
    }

    /// Fresh scratch space for the plain pattern.
    pub fn scratch(&self) -> AsciiScratch {
        self.nfa.scratch()
    }

    /// Matches the plain pattern at the start of the ASCII line `hay`, then the look-arounds on
    /// its path.
    pub fn run(&self, hay: &[u8], s: &mut AsciiScratch, bt: &mut BtCache) -> Verdict {
        if !self.nfa.search(hay, s, bt) {
            return Verdict::No;
        }
        for look in &self.looks {
            let Some((at, _)) = s.group(look.group) else {
                continue;
            };
            let matched = if look.behind {
                at >= look.width && look.body.is_match_at(hay, at - look.width, bt)
            } else {
                look.body.is_match_at(hay, at, bt)
            };
            if matched == look.negated {
                return Verdict::Unsure;
            }
        }
        Verdict::Yes
    }

    /// The pattern's groups of the last [`Verdict::Yes`] match, into `out` (reused).
    pub fn slots(&self, s: &AsciiScratch, out: &mut Slots) {
        out.clear();
        out.extend(self.map.iter().map(|&g| s.group(g)));
    }
}

/// The tree with each look-around outside repeats replaced by a marker group (numbered
/// `MARK + k` for the k-th, whose body goes into `bodies`); `None` for a look-around body with
/// groups or that needs backtracking.
fn rewrite(node: &Node, bodies: &mut Vec<(bool, bool, Node)>) -> Option<Node> {
    let each = |v: &[Node], bodies: &mut Vec<_>| -> Option<Vec<Node>> {
        v.iter().map(|n| rewrite(n, bodies)).collect()
    };
    Some(match node {
        Node::Look(behind, negated, body) => {
            let mut inner = Vec::new();
            group_order(body, &mut inner);
            if !inner.is_empty() || body.needs_backtracking() {
                return None;
            }
            let mark = MARK + bodies.len() as u32;
            bodies.push((*behind, *negated, (**body).clone()));
            Node::Group(mark, Box::new(Node::Empty))
        }
        Node::Group(i, body) => Node::Group(*i, Box::new(rewrite(body, bodies)?)),
        Node::NonCapture(body) => Node::NonCapture(Box::new(rewrite(body, bodies)?)),
        Node::Concat(v) => Node::Concat(each(v, bodies)?),
        Node::Alt(v) => Node::Alt(each(v, bodies)?),
        other => other.clone(),
    })
}

/// Capture group numbers in the order their parentheses open (the engines' numbering).
pub(super) fn group_order(node: &Node, out: &mut Vec<u32>) {
    match node {
        Node::Group(i, body) => {
            out.push(*i);
            group_order(body, out);
        }
        Node::NonCapture(b) | Node::Look(_, _, b) | Node::Atomic(b) => group_order(b, out),
        Node::Repeat(r) => group_order(&r.node, out),
        Node::Cond(_, yes, no) => {
            group_order(yes, out);
            group_order(no, out);
        }
        Node::Concat(v) | Node::Alt(v) => v.iter().for_each(|n| group_order(n, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pyre::parse::parse;

    fn check(p: &str) -> Option<LookCheck> {
        let parsed = parse(p).unwrap();
        LookCheck::new(&parsed.node, parsed.groups)
    }

    fn run(p: &str, line: &str) -> (&'static str, Slots) {
        let c = check(p).unwrap();
        let mut s = c.scratch();
        let mut out = Slots::new();
        let v = match c.run(line.as_bytes(), &mut s, &mut BtCache::default()) {
            Verdict::No => "no",
            Verdict::Unsure => "unsure",
            Verdict::Yes => {
                c.slots(&s, &mut out);
                "yes"
            }
        };
        (v, out)
    }

    #[test]
    fn handles_look_arounds_outside_repeats_with_plain_bodies() {
        assert!(check(r"(a)(?<!range\s)(.+?)\s").is_some());
        assert!(check(r"(?:a(?=b))+").is_none(), "inside a repeat");
        assert!(check(r"a(?=(b))").is_none(), "a group in the body");
        assert!(check(r"a(?=b(?!c))").is_none(), "a body that backtracks");
        assert!(check(r"(a)\1(?=b)").is_none(), "a back-reference elsewhere");
        assert!(check(r"(a)b").is_none(), "nothing to check");
    }

    #[test]
    fn groups_are_python_s_when_the_checks_hold() {
        let p = r"(\w+) (?:(?<=range\s)(\S+)\s+(\S+)|(?<!range\s)(.+?))\s+(\d+)$";
        let (v, s) = run(p, "range 10 20 5");
        assert_eq!(v, "yes");
        assert_eq!(
            s,
            [
                Some((0, 13)),
                Some((0, 5)),
                Some((6, 8)),
                Some((9, 11)),
                None,
                Some((12, 13))
            ]
        );
        // The plain first path takes the range branch after "eq": a failed look-behind.
        assert_eq!(run(p, "eq 10 20 5").0, "unsure");
        assert_eq!(run(p, "eq 10 x").0, "no");
        // A look-behind before the start of the line fails (the negative one holds).
        assert_eq!(run(r"(?<!a)(b)", "b").0, "yes");
        assert_eq!(run(r"(?<=a)(b)", "b").0, "unsure");
        // A look-ahead sees the text after its position; `\b` sees the text before.
        assert_eq!(run(r"(\d+)(?=\s+msec)", "12 msec").0, "yes");
        assert_eq!(run(r"(\d+)(?!\s+msec)", "12 msec").0, "unsure");
        assert_eq!(run(r"(a)(?=\bb)", "ab").0, "unsure");
    }
}
