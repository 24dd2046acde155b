//! The ASCII projection of a plain pattern, matched with the NFA engines of `regex-automata`
//! directly: a bounded backtracker for ordinary lines (patterns are anchored and lines short,
//! so it finds the match and its groups in one pass) and the PikeVM for lines too long for it.
//!
//! Each compiled pattern is just its NFA; the caller keeps the groups of each pattern's last
//! match ([`AsciiScratch`]) and one backtracker cache for every pattern of a parse
//! ([`BtCache`]: its visited set and stack stay warm in the CPU cache instead of one cold set
//! per rule). A pattern that mostly fails where its quick test let the line through (a table
//! row rule such as `(?:\S+\s+){24}\d+` on every row of another table) gets a lazy DFA in
//! front of the backtracker: it says "no" in one pass over the line, where backtracking tries
//! every split of the row. The DFA and its cache exist only for such patterns, once they show it.

use std::sync::OnceLock;

use regex_automata::hybrid;
use regex_automata::nfa::thompson::{self, backtrack, pikevm, NFA};
use regex_automata::util::{captures::Captures, syntax};
use regex_automata::{Anchored, Input};

use super::{NEST_LIMIT, SIZE_LIMIT};

/// Searches a pattern makes before it may get its lazy DFA, and the share of them (in
/// quarters) that must have failed.
const TRIAL: u32 = 32;
const FAILING_QUARTERS: u32 = 3;

/// A compiled ASCII-projection pattern.
#[derive(Debug, Clone)]
pub(crate) struct AsciiNfa {
    bt: backtrack::BoundedBacktracker,
    pike: pikevm::PikeVM,
    /// The lazy DFA, built when a scratch space first asks for it (`None`: cannot be built).
    dfa: OnceLock<Option<hybrid::dfa::DFA>>,
}

/// Scratch space for one pattern's searches, and the groups of its last match.
#[derive(Debug, Clone)]
pub(crate) struct AsciiScratch {
    caps: Captures,
    pike: Option<pikevm::Cache>,
    /// Searches so far and how many failed, until the trial is over.
    searches: u32,
    failed: u32,
    /// The lazy DFA's cache, once the pattern has shown it mostly fails.
    dfa: Option<hybrid::dfa::Cache>,
}

/// The bounded backtracker's working space (stack, visited set). Any pattern may use it: each
/// search sizes and clears it for its own NFA and haystack.
#[derive(Debug, Clone, Default)]
pub(crate) struct BtCache(Option<backtrack::Cache>);

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
        Ok(AsciiNfa {
            bt,
            pike,
            dfa: OnceLock::new(),
        })
    }

    /// Fresh scratch space for this pattern.
    pub fn scratch(&self) -> AsciiScratch {
        AsciiScratch {
            caps: self.bt.create_captures(),
            pike: None,
            searches: 0,
            failed: 0,
            dfa: None,
        }
    }

    /// Matches at the start of `hay`; the groups go into `s`.
    pub fn search(&self, hay: &[u8], s: &mut AsciiScratch, bt: &mut BtCache) -> bool {
        let input = Input::new(hay).anchored(Anchored::Yes);
        if let (Some(cache), Some(Some(dfa))) = (&mut s.dfa, self.dfa.get()) {
            // `Ok(None)`: surely no match. A DFA that gives up says nothing.
            if let Ok(None) = dfa.try_search_fwd(cache, &input.clone().earliest(true)) {
                s.caps.set_pattern(None);
                return false;
            }
        }
        let matched = self.captures(&input, s, bt);
        if s.searches < TRIAL {
            s.searches += 1;
            s.failed += u32::from(!matched);
            if s.searches == TRIAL && s.failed * 4 >= TRIAL * FAILING_QUARTERS {
                s.dfa = self.lazy_dfa().map(|d| d.create_cache());
            }
        }
        matched
    }

    fn captures(&self, input: &Input<'_>, s: &mut AsciiScratch, bt: &mut BtCache) -> bool {
        if input.haystack().len() <= self.bt.max_haystack_len() {
            let cache = bt.0.get_or_insert_with(|| self.bt.create_cache());
            if self.bt.try_search(cache, input, &mut s.caps).is_ok() {
                return s.caps.is_match();
            }
        }
        let cache = s.pike.get_or_insert_with(|| self.pike.create_cache());
        self.pike.search(cache, input, &mut s.caps);
        s.caps.is_match()
    }

    fn lazy_dfa(&self) -> Option<&hybrid::dfa::DFA> {
        self.dfa
            .get_or_init(|| {
                hybrid::dfa::Builder::new()
                    .build_from_nfa(self.bt.get_nfa().clone())
                    .ok()
            })
            .as_ref()
    }

    /// True if the pattern matches `hay` starting at byte `at` (anchored there; what comes
    /// before counts for `\b`).
    pub fn is_match_at(&self, hay: &[u8], at: usize, bt: &mut BtCache) -> bool {
        let input = Input::new(hay)
            .range(at..)
            .anchored(Anchored::Yes)
            .earliest(true);
        if hay.len() - at <= self.bt.max_haystack_len() {
            let cache = bt.0.get_or_insert_with(|| self.bt.create_cache());
            if let Ok(m) = self.bt.try_search_slots(cache, &input, &mut []) {
                return m.is_some();
            }
        }
        let mut cache = self.pike.create_cache();
        self.pike
            .search_slots(&mut cache, &input, &mut [])
            .is_some()
    }

    /// True if the pattern matches at the start of `hay` (no groups: the backtracker tracks
    /// no positions, and gives up no sooner).
    pub fn is_match(&self, hay: &[u8], bt: &mut BtCache) -> bool {
        let input = Input::new(hay).anchored(Anchored::Yes).earliest(true);
        if hay.len() <= self.bt.max_haystack_len() {
            let cache = bt.0.get_or_insert_with(|| self.bt.create_cache());
            if let Ok(m) = self.bt.try_search_slots(cache, &input, &mut []) {
                return m.is_some();
            }
        }
        let mut cache = self.pike.create_cache();
        self.pike
            .search_slots(&mut cache, &input, &mut [])
            .is_some()
    }
}
