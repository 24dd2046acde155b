//! Positive look-aheads at the very end of a pattern (`\d+(?=\s+msec)` as the last thing
//! `cisco_ios traceroute` matches), made plain so the NFA engines run the pattern instead of
//! the backtracking VM.
//!
//! `re.match` does not anchor the end, so when nothing follows a look-ahead `(?=X)`, matching
//! `X` for real finds the same groups: backtracking tries the same choices in the same order
//! and stops at the first one after which `X` matches. Only the groups that enclose the
//! look-ahead differ: they now end after `X`. `X` becomes a hidden capture group numbered after
//! the pattern's own, and a group's end past the hidden group's start is cut back to it
//! ([`cut`]).

use super::ast::Node;
use super::look_check::group_order;

/// The pattern with each positive look-ahead in tail position matched for real as a hidden
/// group (numbered `groups + 1`, ...), and the number of hidden groups; `None` when there is
/// none, when the pattern still needs backtracking, or when a hidden group would not be the
/// last in the order the engines number groups (the order parentheses open).
pub(super) fn plain_with_tail_lookaheads(node: &Node, groups: u32) -> Option<(Node, u32)> {
    let mut next = groups + 1;
    let rewritten = rewrite(node, true, &mut next);
    let hidden = next - groups - 1;
    if hidden == 0 || rewritten.needs_backtracking() {
        return None;
    }
    let mut order = Vec::new();
    group_order(&rewritten, &mut order);
    order
        .iter()
        .copied()
        .eq(1..=groups + hidden)
        .then_some((rewritten, hidden))
}

fn rewrite(node: &Node, tail: bool, next: &mut u32) -> Node {
    match node {
        Node::Look(false, false, body)
            if tail && !body.needs_backtracking() && !has_group(body) =>
        {
            let g = *next;
            *next += 1;
            Node::Group(g, body.clone())
        }
        Node::Group(i, body) => Node::Group(*i, Box::new(rewrite(body, tail, next))),
        Node::NonCapture(body) => Node::NonCapture(Box::new(rewrite(body, tail, next))),
        Node::Alt(v) => Node::Alt(v.iter().map(|n| rewrite(n, tail, next)).collect()),
        Node::Concat(v) => {
            let last = v.len().saturating_sub(1);
            Node::Concat(
                v.iter()
                    .enumerate()
                    .map(|(i, n)| rewrite(n, tail && i == last, next))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

fn has_group(node: &Node) -> bool {
    let mut order = Vec::new();
    group_order(node, &mut order);
    !order.is_empty()
}

/// Where the look-ahead began in a match whose hidden groups `first..first + n` are read with
/// `get` (`usize::MAX`: no look-ahead took part). At most one takes part: each ends a
/// different branch.
pub(super) fn cut(first: usize, n: usize, get: impl Fn(usize) -> Option<(usize, usize)>) -> usize {
    (first..first + n)
        .find_map(|i| get(i).map(|(a, _)| a))
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pyre::parse::parse;

    fn plain(p: &str) -> Option<u32> {
        let parsed = parse(p).unwrap();
        plain_with_tail_lookaheads(&parsed.node, parsed.groups).map(|(_, n)| n)
    }

    #[test]
    fn only_look_aheads_with_nothing_after_them() {
        assert_eq!(plain(r"^.*?(\d+(?=\s+msec)|![A-Z]|\*|\?)"), Some(1));
        assert_eq!(plain(r"(a(?=x)|b(?=y))"), Some(2));
        assert_eq!(plain(r"(\S+(?=,))"), Some(1));
        // Something follows, a negative or a look-behind, a repeat, a group inside, a later
        // group: left to the backtracking engine.
        assert_eq!(plain(r"(\d+(?=\s))\s+x"), None);
        assert_eq!(plain(r"(\d+(?!\s))"), None);
        assert_eq!(plain(r"(\d+(?<=\s))"), None);
        assert_eq!(plain(r"(?:\d(?=\d))+"), None);
        assert_eq!(plain(r"(\d+(?=(\s)))"), None);
        assert_eq!(plain(r"(?:(\d+(?=\s))|(x))"), None);
        assert_eq!(plain(r"(?<!a)b(?=c)"), None);
        assert_eq!(plain(r"(\d+)"), None);
    }
}
