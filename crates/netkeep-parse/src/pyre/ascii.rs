//! The ASCII projection of a plain pattern, matched with the NFA engines of `regex-automata`
//! directly: a bounded backtracker for ordinary lines (patterns are anchored and lines short,
//! so it finds the match and its groups in one pass) and the PikeVM for lines too long for it.
//! No lazy DFA and no cache pool per pattern: each compiled pattern is just its NFA, and the
//! caller keeps the scratch space ([`AsciiScratch`]) per rule.

use regex_automata::nfa::thompson::{self, backtrack, pikevm, NFA};
use regex_automata::util::{captures::Captures, syntax};
use regex_automata::{Anchored, Input};

use super::{NEST_LIMIT, SIZE_LIMIT};

/// A compiled ASCII-projection pattern.
#[derive(Debug, Clone)]
pub(crate) struct AsciiNfa {
    bt: backtrack::BoundedBacktracker,
    pike: pikevm::PikeVM,
}

/// Scratch space for one pattern's searches, and the groups of its last match.
#[derive(Debug, Clone)]
pub(crate) struct AsciiScratch {
    caps: Captures,
    bt: backtrack::Cache,
    pike: Option<pikevm::Cache>,
}

impl AsciiScratch {
    /// Byte range of group `i` of the last match.
    pub fn group(&self, i: usize) -> Option<(usize, usize)> {
        self.caps.get_group(i).map(|s| (s.start, s.end))
    }
}

impl AsciiNfa {
    /// Compiles a pattern written for ASCII mode (`(?-u)...`).
    pub fn new(text: &str) -> Result<AsciiNfa, String> {
        let nfa = NFA::compiler()
            .syntax(syntax::Config::new().utf8(false).nest_limit(NEST_LIMIT))
            .configure(
                thompson::Config::new()
                    .utf8(false)
                    .nfa_size_limit(Some(SIZE_LIMIT)),
            )
            .build(text)
            .map_err(|e| e.to_string())?;
        let bt = backtrack::Builder::new()
            .build_from_nfa(nfa.clone())
            .map_err(|e| e.to_string())?;
        let pike = pikevm::Builder::new()
            .build_from_nfa(nfa)
            .map_err(|e| e.to_string())?;
        Ok(AsciiNfa { bt, pike })
    }

    /// Fresh scratch space for this pattern.
    pub fn scratch(&self) -> AsciiScratch {
        AsciiScratch {
            caps: self.bt.create_captures(),
            bt: self.bt.create_cache(),
            pike: None,
        }
    }

    /// Matches at the start of `hay`; the groups go into `s`.
    pub fn search(&self, hay: &[u8], s: &mut AsciiScratch) -> bool {
        let input = Input::new(hay).anchored(Anchored::Yes);
        if hay.len() <= self.bt.max_haystack_len()
            && self.bt.try_search(&mut s.bt, &input, &mut s.caps).is_ok()
        {
            return s.caps.is_match();
        }
        let cache = s.pike.get_or_insert_with(|| self.pike.create_cache());
        self.pike.search(cache, &input, &mut s.caps);
        s.caps.is_match()
    }
}
