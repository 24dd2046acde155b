//! Python `re` patterns on Rust engines: [`PyRegex`] reads Python syntax, rejects what Python
//! rejects, and matches with the `regex` crate (or `fancy-regex` when the pattern needs
//! look-around, back-references, atomic groups or conditionals).

mod ascii;
mod ast;
mod emit;
mod look_check;
mod parse;
mod tail_look;

pub use parse::is_identifier;

use std::fmt;
use std::sync::OnceLock;

/// Compiled-program size limit per pattern (the `regex` crate's default is 10 MiB; Unicode
/// classes under large counted repeats need more).
const SIZE_LIMIT: usize = 64 << 20;

/// Why a pattern does not compile or a match could not finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegexError {
    /// What is wrong (Python's wording where Python rejects the pattern too).
    pub message: String,
    /// Character offset in the pattern, when known.
    pub position: Option<usize>,
}

impl fmt::Display for RegexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(p) => write!(f, "{} at position {p}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for RegexError {}

/// Byte ranges of a match: index 0 is the whole match, then one per group.
pub type Slots = Vec<Option<(usize, usize)>>;

/// A haystack line and what every pattern's quick test needs to know about it, computed once.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    text: &'a str,
    ascii: bool,
    /// Leading run of ASCII whitespace bytes.
    ws: usize,
}

impl<'a> Line<'a> {
    /// Looks at `text` once.
    pub fn new(text: &'a str) -> Line<'a> {
        let ascii = text.is_ascii();
        let ws = ast::run_len(text.as_bytes(), ast::space_bits());
        Line { text, ascii, ws }
    }

    /// The text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// True for an ASCII line (the quick tests apply only to these).
    pub fn is_ascii(&self) -> bool {
        self.ascii
    }

    /// The length of the leading run of ASCII whitespace.
    pub fn leading_space(&self) -> usize {
        self.ws
    }
}

/// What a pattern's quick test says about the first bytes of an ASCII line it can match, in a
/// form several patterns can share (see [`PyRegex::start_test`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartTest {
    /// No test on the first bytes.
    Any,
    /// The first byte is one of these (bit `b` for byte `b`).
    First(u128),
    /// After the leading whitespace (at least `min` bytes of it), the next byte is one of these.
    AfterSpace {
        /// Fewest whitespace bytes.
        min: u32,
        /// The bytes that may follow it.
        first: u128,
    },
}

/// Working space every pattern of a parse shares ([`PyRegex::captures_into`] runs one pattern
/// at a time): reusing one keeps it warm in the CPU cache. Keep one per parse (per thread).
#[derive(Debug, Default)]
pub struct SharedScratch {
    bt: ascii::BtCache,
}

/// Reusable space for the positions of one pattern's matches ([`PyRegex::captures_into`]);
/// keep one per pattern so a match allocates nothing.
#[derive(Debug, Default)]
pub struct Captures {
    bytes: Option<ascii::AsciiScratch>,
    text: Option<regex::CaptureLocations>,
    fancy: Slots,
    last: Last,
    /// Where a tail look-ahead began in the last match: groups end there at the latest.
    cut: Option<usize>,
}

#[derive(Debug, Default, Clone, Copy)]
enum Last {
    #[default]
    Bytes,
    Text,
    Fancy,
}

impl Captures {
    /// Byte range of group `i` (0: the whole match) of the last successful match.
    pub fn get(&self, i: usize) -> Option<(usize, usize)> {
        let (a, b) = match self.last {
            Last::Bytes => self.bytes.as_ref()?.group(i),
            Last::Text => self.text.as_ref()?.get(i),
            Last::Fancy => self.fancy.get(i).copied().flatten(),
        }?;
        Some(match self.cut {
            Some(c) => (a.min(c), b.min(c)),
            None => (a, b),
        })
    }
}

/// A Python pattern, matched at the start of a single-line haystack like `re.match`.
///
/// Haystacks must not contain `\n` (TextFSM lines never do): Python's `$` is written as
/// "end of text".
///
/// ```
/// use netkeep_parse::pyre::PyRegex;
/// let re = PyRegex::new(r"(?P<intf>\S+)\s+(?P<ip>\d+\.\d+\.\d+\.\d+|unassigned)").unwrap();
/// let slots = re.match_start("Gi0/1  10.0.0.1  up").unwrap().unwrap();
/// assert_eq!(slots[re.group_index("ip").unwrap()], Some((7, 15)));
/// ```
#[derive(Debug, Clone)]
pub struct PyRegex {
    pattern: String,
    /// Rejects most ASCII lines that cannot match without running the regex.
    prefilter: ast::Prefilter,
    engine: Engine,
    groups: u32,
    names: Vec<(String, u32)>,
    /// Hidden groups after the pattern's own: its tail look-aheads, matched for real by the
    /// plain engines ([`tail_look`]).
    hidden: u32,
}

#[derive(Debug, Clone)]
enum Engine {
    /// Look-around, back-references, atomic groups or conditionals: fancy-regex.
    Fancy(Box<Fancy>),
    /// Everything else: the `regex` crate.
    Plain(Box<Plain>),
}

/// A pattern for the `regex` crate: the ASCII projection, used on ASCII lines, and the Unicode
/// form, compiled on the first non-ASCII line (most outputs never need it; it is the large one).
#[derive(Debug, Clone)]
struct Plain {
    ascii: Option<ascii::AsciiNfa>,
    unicode_text: String,
    unicode: OnceLock<Result<regex::Regex, RegexError>>,
}

/// A backtracking pattern: the ASCII form (Python's classes cut down to ASCII, so its
/// delegated automata stay small) used on ASCII lines, and the Unicode form, built on the first
/// non-ASCII line.
#[derive(Debug, Clone)]
struct Fancy {
    /// On ASCII lines, a plain pattern that matches wherever this one does (its look-arounds
    /// dropped, back-references as any text, atomic groups and possessive repeats as ordinary
    /// ones): most lines it rejects never reach the slower backtracking VM.
    check: Option<ascii::AsciiNfa>,
    /// On ASCII lines, the plain form with the look-arounds tested on the match's path: most
    /// lines never reach the backtracking VM, matching or not ([`look_check`]).
    looks: Option<look_check::LookCheck>,
    ascii: Option<fancy_regex::Regex>,
    unicode_text: String,
    unicode: OnceLock<Result<fancy_regex::Regex, RegexError>>,
}

impl Fancy {
    fn for_line(&self, ascii: bool) -> Result<&fancy_regex::Regex, RegexError> {
        match (&self.ascii, ascii) {
            (Some(re), true) => Ok(re),
            _ => self
                .unicode
                .get_or_init(|| fancy(&self.unicode_text))
                .as_ref()
                .map_err(Clone::clone),
        }
    }
}

fn fancy(text: &str) -> Result<fancy_regex::Regex, RegexError> {
    fancy_regex::RegexBuilder::new(text)
        .delegate_size_limit(SIZE_LIMIT)
        .build()
        .map_err(|e| unsupported(&e))
}

/// Nesting limit for the `regex` crate's parser (its default is 250; our emitted patterns nest
/// about three levels per Python group).
const NEST_LIMIT: u32 = 800;

fn unsupported(e: &dyn fmt::Display) -> RegexError {
    RegexError {
        message: format!("pattern is valid Python but this engine cannot compile it: {e}"),
        position: None,
    }
}

impl PyRegex {
    /// Compiles a Python pattern.
    pub fn new(pattern: &str) -> Result<Self, RegexError> {
        let parsed = parse::parse(pattern)?;
        let tail = parsed
            .node
            .needs_backtracking()
            .then(|| tail_look::plain_with_tail_lookaheads(&parsed.node, parsed.groups))
            .flatten();
        let (node, hidden) = match &tail {
            Some((node, hidden)) => (node, *hidden),
            None => (&parsed.node, 0),
        };
        let unicode_text = emit::anchored(node);
        let engine = if node.needs_backtracking() {
            let looks = look_check::LookCheck::new(&parsed.node, parsed.groups);
            let f = Fancy {
                // Only a speed-up (not needed when the look-arounds are checked): a superset
                // too large for the NFA compiler is just not used.
                check: emit::anchored_ascii_superset(&parsed.node)
                    .filter(|_| looks.is_none())
                    .and_then(|t| ascii::AsciiNfa::new(&t).ok()),
                looks,
                ascii: emit::anchored_ascii_text(&parsed.node)
                    .map(|t| fancy(&t))
                    .transpose()?,
                unicode_text,
                unicode: OnceLock::new(),
            };
            if f.ascii.is_none() {
                // Nothing built yet: build the Unicode form now to report errors at compile.
                f.for_line(false)?;
            }
            Engine::Fancy(Box::new(f))
        } else {
            // Check the Unicode form now (cheap: no automaton), build it when first needed.
            regex_syntax::ast::parse::ParserBuilder::new()
                .nest_limit(NEST_LIMIT)
                .build()
                .parse(&unicode_text)
                .map_err(|e| unsupported(&e))?;
            let ascii = match emit::anchored_ascii(node) {
                Some(text) => {
                    let re = ascii::AsciiNfa::new(&text).map_err(|e| unsupported(&e))?;
                    Some(re)
                }
                None => None,
            };
            Engine::Plain(Box::new(Plain {
                ascii,
                unicode_text,
                unicode: OnceLock::new(),
            }))
        };
        let prefilter = parsed.node.prefilter();
        Ok(PyRegex {
            pattern: pattern.to_string(),
            prefilter,
            engine,
            groups: parsed.groups,
            names: parsed.names,
            hidden,
        })
    }

    /// The part of the quick test that looks at the line's first bytes: a line whose bytes fail
    /// it cannot match (and [`PyRegex::captures_into`] turns it away itself).
    pub fn start_test(&self) -> StartTest {
        let p = &self.prefilter;
        match (p.lead, p.first) {
            (None, None) => StartTest::Any,
            (None, Some(first)) => StartTest::First(first),
            (Some((class, min)), Some(first)) if class == ast::space_bits() => {
                StartTest::AfterSpace { min, first }
            }
            _ => StartTest::Any,
        }
    }

    /// Checks a pattern as Python's `re.compile` would, without building an engine; returns
    /// its number of capturing groups.
    pub fn check(pattern: &str) -> Result<u32, RegexError> {
        parse::parse(pattern).map(|p| p.groups)
    }

    /// The pattern as written (Python syntax).
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Number of capturing groups (Python's `.groups`).
    pub fn groups(&self) -> u32 {
        self.groups
    }

    /// Named groups in pattern order (Python's `.groupindex`, ordered).
    pub fn names(&self) -> &[(String, u32)] {
        &self.names
    }

    /// The slot index of a named group.
    pub fn group_index(&self, name: &str) -> Option<usize> {
        self.names
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, g)| *g as usize)
    }

    /// Matches at the start of `text`: `Ok(None)` if it does not match, else the byte range
    /// of the match and of each group. An error only when a backtracking pattern gives up, or
    /// the Unicode form (built on the first non-ASCII line) is too large.
    pub fn match_start(&self, text: &str) -> Result<Option<Slots>, RegexError> {
        match &self.engine {
            Engine::Plain(p) => match (&p.ascii, text.is_ascii()) {
                (Some(re), true) => {
                    let mut s = re.scratch();
                    Ok(re
                        .search(text.as_bytes(), &mut s, &mut ascii::BtCache::default())
                        .then(|| self.slots(|i| s.group(i))))
                }
                _ => {
                    let re = p.unicode()?;
                    let mut locs = re.capture_locations();
                    Ok(re
                        .captures_read(&mut locs, text)
                        .map(|_| self.slots(|i| locs.get(i))))
                }
            },
            Engine::Fancy(f) => {
                let caps = f
                    .for_line(text.is_ascii())?
                    .captures(text)
                    .map_err(|e| RegexError {
                        message: format!("matching gave up: {e}"),
                        position: None,
                    })?;
                Ok(caps.map(|c| slots(c.len(), |i| c.get(i).map(|m| (m.start(), m.end())))))
            }
        }
    }

    /// Like [`PyRegex::match_start`] without allocating: positions go into `caps` (reused
    /// across calls with this pattern). Most lines that cannot match are turned away by a
    /// quick test before the regex runs.
    pub fn captures_into(
        &self,
        line: &Line,
        caps: &mut Captures,
        shared: &mut SharedScratch,
    ) -> Result<bool, RegexError> {
        let (text, ascii) = (line.text, line.ascii);
        if !self.prefilter.may_match(text.as_bytes(), line.ws) {
            return Ok(false);
        }
        match &self.engine {
            Engine::Plain(p) => match (&p.ascii, ascii) {
                (Some(re), true) => {
                    caps.last = Last::Bytes;
                    let s = caps.bytes.get_or_insert_with(|| re.scratch());
                    let matched = re.search(text.as_bytes(), s, &mut shared.bt);
                    caps.cut = self.cut(|i| s.group(i));
                    Ok(matched)
                }
                _ => {
                    let re = p.unicode()?;
                    caps.last = Last::Text;
                    let locs = caps.text.get_or_insert_with(|| re.capture_locations());
                    let matched = re.captures_read(locs, text).is_some();
                    caps.cut = self.cut(|i| locs.get(i));
                    Ok(matched)
                }
            },
            Engine::Fancy(f) => {
                caps.last = Last::Fancy;
                caps.cut = None;
                if let (Some(looks), true) = (&f.looks, ascii) {
                    let s = caps.bytes.get_or_insert_with(|| looks.scratch());
                    match looks.run(text.as_bytes(), s, &mut shared.bt) {
                        look_check::Verdict::No => return Ok(false),
                        look_check::Verdict::Yes => {
                            looks.slots(s, &mut caps.fancy);
                            return Ok(true);
                        }
                        look_check::Verdict::Unsure => {}
                    }
                } else if let (Some(check), true) = (&f.check, ascii) {
                    if !check.is_match(text.as_bytes(), &mut shared.bt) {
                        return Ok(false);
                    }
                }
                match self.match_start(text)? {
                    Some(s) => {
                        caps.fancy = s;
                        Ok(true)
                    }
                    None => Ok(false),
                }
            }
        }
    }

    /// True if the pattern matches at the start of `text` (errors count as no match).
    pub fn is_match_start(&self, text: &str) -> bool {
        match &self.engine {
            Engine::Plain(p) => match (&p.ascii, text.is_ascii()) {
                (Some(re), true) => re.is_match(text.as_bytes(), &mut ascii::BtCache::default()),
                _ => p.unicode().is_ok_and(|re| re.is_match(text)),
            },
            Engine::Fancy(f) => f
                .for_line(text.is_ascii())
                .is_ok_and(|re| re.is_match(text).unwrap_or(false)),
        }
    }
}

fn slots(n: usize, get: impl Fn(usize) -> Option<(usize, usize)>) -> Slots {
    (0..n).map(get).collect()
}

impl PyRegex {
    /// Where the tail look-ahead of a plain match began, if the pattern has any.
    fn cut(&self, get: impl Fn(usize) -> Option<(usize, usize)>) -> Option<usize> {
        (self.hidden > 0)
            .then(|| tail_look::cut(self.groups as usize + 1, self.hidden as usize, get))
    }

    /// The match's slots (the pattern's own groups, cut back to a tail look-ahead).
    fn slots(&self, get: impl Fn(usize) -> Option<(usize, usize)>) -> Slots {
        let cut = self.cut(&get).unwrap_or(usize::MAX);
        slots(self.groups as usize + 1, |i| {
            get(i).map(|(a, b)| (a.min(cut), b.min(cut)))
        })
    }
}

impl Plain {
    fn unicode(&self) -> Result<&regex::Regex, RegexError> {
        self.unicode
            .get_or_init(|| {
                regex::RegexBuilder::new(&self.unicode_text)
                    .size_limit(SIZE_LIMIT)
                    .nest_limit(NEST_LIMIT)
                    .build()
                    .map_err(|e| unsupported(&e))
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}
