//! Reads a Python `re` pattern (3.11 syntax) into a [`Node`] tree, accepting what Python
//! accepts and rejecting what it rejects, with Python's messages and the position.

use super::ast::{Flags, Node, Perl, Repeat, SetItem, Width};
use super::RegexError;

/// Python's `MAXREPEAT`: a repeat count at or above it is an error.
const MAX_REPEAT: u64 = 4_294_967_295;
/// Nesting deeper than this is refused (Python would hit its recursion limit).
const MAX_DEPTH: usize = 200;

/// A parsed pattern: the tree, the number of capturing groups and the named ones.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The pattern tree.
    pub node: Node,
    /// Capturing groups (numbered 1..=groups).
    pub groups: u32,
    /// `(?P<name>...)` groups in the order they open.
    pub names: Vec<(String, u32)>,
}

/// Parses `pattern` as Python's `re.compile` would.
pub fn parse(pattern: &str) -> Result<Parsed, RegexError> {
    let mut p = Parser {
        src: pattern.chars().collect(),
        pos: 0,
        flags: Flags::default(),
        verbose_global: false,
        groups: 1,
        names: Vec::new(),
        widths: vec![Some((0, Some(0)))],
        lookbehind_from: None,
        cond_refs: Vec::new(),
        depth: 0,
    };
    let node = p.alternation(false, true)?;
    if p.pos < p.src.len() {
        return Err(p.err("unbalanced parenthesis", p.pos));
    }
    if let Some(&(g, at)) = p.cond_refs.iter().find(|(g, _)| *g >= p.groups) {
        return Err(p.err(&format!("invalid group reference {g}"), at));
    }
    Ok(Parsed {
        node,
        groups: p.groups - 1,
        names: p.names,
    })
}

struct Parser {
    src: Vec<char>,
    pos: usize,
    /// The flags in force (global flags plus enclosing scoped ones).
    flags: Flags,
    verbose_global: bool,
    /// Next group number (Python's `state.groups`).
    groups: u32,
    names: Vec<(String, u32)>,
    /// Width of each closed group; `None` while it is open.
    widths: Vec<Option<Width>>,
    /// Inside a look-behind: the first group number that belongs to it.
    lookbehind_from: Option<u32>,
    /// Conditional references to check once every group is known: (group, position).
    cond_refs: Vec<(u32, usize)>,
    depth: usize,
}

fn is_repeat_char(c: char) -> bool {
    matches!(c, '*' | '+' | '?' | '{')
}

impl Parser {
    fn err(&self, msg: &str, pos: usize) -> RegexError {
        RegexError {
            message: msg.to_string(),
            position: Some(pos),
        }
    }

    fn peek(&self) -> Option<char> {
        self.src.get(self.pos).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    /// `a|b|c` up to the end or an unmatched `)`.
    fn alternation(&mut self, mut verbose: bool, top: bool) -> Result<Node, RegexError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("pattern nested too deeply (limit 200 groups)", self.pos));
        }
        let mut items = Vec::new();
        loop {
            let first = top && items.is_empty();
            items.push(self.sequence(&mut verbose, first)?);
            if !self.eat('|') {
                break;
            }
            if top {
                verbose = self.verbose_global;
            }
        }
        self.depth -= 1;
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(items)
        })
    }

    /// Items up to `|`, `)` or the end.
    fn sequence(&mut self, verbose: &mut bool, first: bool) -> Result<Node, RegexError> {
        let mut items: Vec<Node> = Vec::new();
        // Whether the last item is one a repeat may follow (Python's "item" checks).
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let here = self.pos;
            self.pos += 1;
            if *verbose {
                if matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c') {
                    continue;
                }
                if c == '#' {
                    while let Some(c) = self.next() {
                        if c == '\n' {
                            break;
                        }
                    }
                    continue;
                }
            }
            if is_repeat_char(c) {
                self.repeat(c, here, &mut items)?;
                continue;
            }
            match c {
                '\\' => items.push(self.escape(here)?),
                '[' => items.push(self.set(here)?),
                '.' => items.push(Node::Any(self.flags.dot_all)),
                '^' => items.push(Node::Start(self.flags.multi_line)),
                '$' => items.push(Node::End(self.flags.multi_line)),
                '(' => {
                    if let Some(node) = self.group(here, verbose, first && items.is_empty())? {
                        items.push(node);
                    }
                }
                _ => items.push(self.literal(c)),
            }
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }

    fn literal(&self, c: char) -> Node {
        let ic = self.flags.ignore_case && (!self.flags.ascii || c.is_ascii());
        Node::Char(c, ic)
    }

    /// Applies `*`, `+`, `?` or `{m,n}` (with a trailing `?` or `+`) to the last item.
    fn repeat(&mut self, c: char, here: usize, items: &mut Vec<Node>) -> Result<(), RegexError> {
        let (min, max) = match c {
            '?' => (0, Some(1)),
            '*' => (0, None),
            '+' => (1, None),
            _ => match self.braces()? {
                Some(mm) => mm,
                None => {
                    items.push(self.literal('{'));
                    return Ok(());
                }
            },
        };
        let item = match items.pop() {
            None
            | Some(
                Node::Start(_)
                | Node::End(_)
                | Node::StartText
                | Node::EndText
                | Node::WordBoundary(..),
            ) => return Err(self.err("nothing to repeat", here)),
            Some(Node::Repeat(_)) => return Err(self.err("multiple repeat", here)),
            Some(n) => n,
        };
        let greedy = !self.eat('?');
        let possessive = greedy && self.eat('+');
        items.push(Node::Repeat(Box::new(Repeat {
            node: item,
            min,
            max,
            greedy,
            possessive,
        })));
        Ok(())
    }

    /// After `{`: `m}`, `m,}`, `,n}`, `m,n}` or `None` (a literal `{`, position restored).
    fn braces(&mut self) -> Result<Option<(u32, Option<u32>)>, RegexError> {
        let start = self.pos;
        if self.peek() == Some('}') {
            return Ok(None);
        }
        let lo = self.digits();
        let hi = if self.eat(',') {
            self.digits()
        } else {
            lo.clone()
        };
        if !self.eat('}') {
            self.pos = start;
            return Ok(None);
        }
        let num = |s: &str| -> Result<u32, RegexError> {
            match s.parse::<u64>() {
                Ok(n) if n < MAX_REPEAT => Ok(n as u32),
                _ => Err(self.err("the repetition number is too large", start)),
            }
        };
        let min = if lo.is_empty() { 0 } else { num(&lo)? };
        let max = if hi.is_empty() { None } else { Some(num(&hi)?) };
        if max.is_some_and(|m| m < min) {
            return Err(self.err("min repeat greater than max repeat", start));
        }
        Ok(Some((min, max)))
    }

    fn digits(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek().filter(char::is_ascii_digit) {
            s.push(c);
            self.pos += 1;
        }
        s
    }

    fn perl(&self, kind: Perl, negated: bool) -> Node {
        Node::Set(
            vec![SetItem::Perl(kind, negated, self.flags.ascii)],
            false,
            false,
        )
    }

    /// An escape outside a set; `here` is the position of the backslash.
    fn escape(&mut self, here: usize) -> Result<Node, RegexError> {
        let Some(c) = self.next() else {
            return Err(self.err("bad escape (end of pattern)", here));
        };
        let ascii = self.flags.ascii;
        Ok(match c {
            'A' => Node::StartText,
            'Z' => Node::EndText,
            'b' => Node::WordBoundary(false, ascii),
            'B' => Node::WordBoundary(true, ascii),
            'd' => self.perl(Perl::Digit, false),
            'D' => self.perl(Perl::Digit, true),
            's' => self.perl(Perl::Space, false),
            'S' => self.perl(Perl::Space, true),
            'w' => self.perl(Perl::Word, false),
            'W' => self.perl(Perl::Word, true),
            '0' => {
                let v = self.octal(2, 0);
                self.literal(self.code_point(v, here)?)
            }
            '1'..='9' => return self.backref_or_octal(c, here),
            _ => {
                let ch = self.common_escape(c, here)?;
                self.literal(ch)
            }
        })
    }

    /// Escapes shared by sets and the rest: `\n`, `\x41`, `\u0041`, `\.`, ...
    fn common_escape(&mut self, c: char, here: usize) -> Result<char, RegexError> {
        Ok(match c {
            'a' => '\x07',
            'f' => '\x0c',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\x0b',
            'x' => self.hex(2, here)?,
            'u' => self.hex(4, here)?,
            'U' => self.hex(8, here)?,
            'N' => return Err(self.err("named Unicode escapes (\\N{...}) are not supported", here)),
            c if c.is_ascii_alphabetic() => {
                return Err(self.err(&format!("bad escape \\{c}"), here));
            }
            c => c,
        })
    }

    fn hex(&mut self, n: usize, here: usize) -> Result<char, RegexError> {
        let start = self.pos;
        while self.pos - start < n && self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
            self.pos += 1;
        }
        let text: String = self.src[start..self.pos].iter().collect();
        let esc = self.src[here + 1];
        if text.len() != n {
            return Err(self.err(&format!("incomplete escape \\{esc}{text}"), here));
        }
        let v = u32::from_str_radix(&text, 16).unwrap_or(u32::MAX);
        self.code_point(v, here)
    }

    fn code_point(&self, v: u32, here: usize) -> Result<char, RegexError> {
        char::from_u32(v).ok_or_else(|| {
            self.err(
                &format!("escape to U+{v:04X} (a surrogate or out of range) is not supported"),
                here,
            )
        })
    }

    /// Up to `more` further octal digits after an initial value.
    fn octal(&mut self, more: usize, mut v: u32) -> u32 {
        for _ in 0..more {
            match self.peek().and_then(|c| c.to_digit(8)) {
                Some(d) => {
                    v = v * 8 + d;
                    self.pos += 1;
                }
                None => break,
            }
        }
        v
    }

    /// `\1`..`\99` is a back-reference, `\123` (three octal digits) a character.
    fn backref_or_octal(&mut self, c: char, here: usize) -> Result<Node, RegexError> {
        let mut digits = c.to_string();
        if let Some(d) = self.peek().filter(char::is_ascii_digit) {
            self.pos += 1;
            digits.push(d);
            let third = self.peek().filter(|c| c.is_digit(8));
            if c.is_digit(8) && d.is_digit(8) && third.is_some() {
                self.pos += 1;
                digits.extend(third);
                let v = u32::from_str_radix(&digits, 8).unwrap_or(u32::MAX);
                if v > 0o377 {
                    let m = format!("octal escape value \\{digits} outside of range 0-0o377");
                    return Err(self.err(&m, here));
                }
                return Ok(self.literal(self.code_point(v, here)?));
            }
        }
        let group: u32 = digits.parse().unwrap_or(u32::MAX);
        if group < self.groups {
            self.check_ref(group, here)?;
            return Ok(Node::Backref(group));
        }
        Err(self.err(&format!("invalid group reference {group}"), here + 1))
    }

    fn check_ref(&self, group: u32, here: usize) -> Result<(), RegexError> {
        if self.widths.get(group as usize).is_none_or(Option::is_none) {
            return Err(self.err("cannot refer to an open group", here));
        }
        if self.lookbehind_from.is_some_and(|from| group >= from) {
            let m = "cannot refer to group defined in the same lookbehind subpattern";
            return Err(self.err(m, here));
        }
        Ok(())
    }

    /// A `[...]` set; `here` is the position of `[`.
    fn set(&mut self, here: usize) -> Result<Node, RegexError> {
        let negated = self.eat('^');
        let mut items: Vec<SetItem> = Vec::new();
        let unterminated = |p: &Self| p.err("unterminated character set", here);
        loop {
            let Some(c) = self.next() else {
                return Err(unterminated(self));
            };
            if c == ']' && !items.is_empty() {
                break;
            }
            let item_pos = self.pos - 1;
            let first = if c == '\\' {
                self.set_escape(item_pos)?
            } else {
                SetItem::Char(c)
            };
            if !self.eat('-') {
                items.push(first);
                continue;
            }
            let Some(c2) = self.next() else {
                return Err(unterminated(self));
            };
            if c2 == ']' {
                items.push(first);
                items.push(SetItem::Char('-'));
                break;
            }
            let second = if c2 == '\\' {
                self.set_escape(self.pos - 1)?
            } else {
                SetItem::Char(c2)
            };
            match (first, second) {
                (SetItem::Char(lo), SetItem::Char(hi)) if lo <= hi => {
                    items.push(SetItem::Range(lo, hi))
                }
                _ => {
                    let text: String = self.src[item_pos..self.pos].iter().collect();
                    return Err(self.err(&format!("bad character range {text}"), item_pos));
                }
            }
        }
        let ic = self.flags.ignore_case;
        Ok(Node::Set(items, negated, ic))
    }

    fn set_escape(&mut self, here: usize) -> Result<SetItem, RegexError> {
        let Some(c) = self.next() else {
            return Err(unterminated_at(self, here));
        };
        let ascii = self.flags.ascii;
        Ok(match c {
            'b' => SetItem::Char('\x08'),
            'd' => SetItem::Perl(Perl::Digit, false, ascii),
            'D' => SetItem::Perl(Perl::Digit, true, ascii),
            's' => SetItem::Perl(Perl::Space, false, ascii),
            'S' => SetItem::Perl(Perl::Space, true, ascii),
            'w' => SetItem::Perl(Perl::Word, false, ascii),
            'W' => SetItem::Perl(Perl::Word, true, ascii),
            '0'..='7' => {
                let v = self.octal(2, c.to_digit(8).unwrap_or(0));
                if v > 0o377 {
                    let m = "octal escape value outside of range 0-0o377";
                    return Err(self.err(m, here));
                }
                SetItem::Char(self.code_point(v, here)?)
            }
            '8' | '9' => return Err(self.err(&format!("bad escape \\{c}"), here)),
            _ => SetItem::Char(self.common_escape(c, here)?),
        })
    }

    /// After `(`: a group, an extension, or `None` for what adds no item (comments, global
    /// flags).
    fn group(
        &mut self,
        here: usize,
        verbose: &mut bool,
        first: bool,
    ) -> Result<Option<Node>, RegexError> {
        if !self.eat('?') {
            return self.capture(here, None, *verbose).map(Some);
        }
        let Some(c) = self.next() else {
            return Err(self.err("unexpected end of pattern", self.pos));
        };
        match c {
            'P' => self.python_extension(here, *verbose),
            ':' => self
                .body(here, *verbose)
                .map(|n| Some(Node::NonCapture(Box::new(n)))),
            '>' => self
                .body(here, *verbose)
                .map(|n| Some(Node::Atomic(Box::new(n)))),
            '#' => {
                loop {
                    match self.next() {
                        None => return Err(self.err("missing ), unterminated comment", here)),
                        Some(')') => break,
                        Some(_) => {}
                    }
                }
                Ok(None)
            }
            '=' | '!' => self.look(here, false, c == '!', *verbose).map(Some),
            '<' => match self.next() {
                Some(d @ ('=' | '!')) => self.look(here, true, d == '!', *verbose).map(Some),
                Some(d) => Err(self.err(&format!("unknown extension ?<{d}"), here + 1)),
                None => Err(self.err("unexpected end of pattern", self.pos)),
            },
            '(' => self.conditional(here, *verbose).map(Some),
            c if "aiLmsux-".contains(c) => self.flag_group(here, c, verbose, first),
            c => Err(self.err(&format!("unknown extension ?{c}"), here + 1)),
        }
    }

    /// The body of a group up to its `)`.
    fn body(&mut self, here: usize, verbose: bool) -> Result<Node, RegexError> {
        let node = self.alternation(verbose, false)?;
        if !self.eat(')') {
            return Err(self.err("missing ), unterminated subpattern", here));
        }
        Ok(node)
    }

    fn capture(
        &mut self,
        here: usize,
        name: Option<String>,
        verbose: bool,
    ) -> Result<Node, RegexError> {
        let gid = self.groups;
        self.groups += 1;
        self.widths.push(None);
        if let Some(name) = name {
            if let Some((_, old)) = self.names.iter().find(|(n, _)| *n == name) {
                let m =
                    format!("redefinition of group name '{name}' as group {gid}; was group {old}");
                return Err(self.err(&m, here));
            }
            self.names.push((name, gid));
        }
        let node = self.body(here, verbose)?;
        let w = node.width(&self.closed_widths());
        self.widths[gid as usize] = Some(w);
        Ok(Node::Group(gid, Box::new(node)))
    }

    fn closed_widths(&self) -> Vec<Width> {
        self.widths.iter().map(|w| w.unwrap_or((0, None))).collect()
    }

    /// `(?P<name>...)` or `(?P=name)`.
    fn python_extension(&mut self, here: usize, verbose: bool) -> Result<Option<Node>, RegexError> {
        if self.eat('<') {
            let name = self.name_until('>')?;
            return self.capture(here, Some(name), verbose).map(Some);
        }
        if self.eat('=') {
            let at = self.pos;
            let name = self.name_until(')')?;
            let Some(&(_, gid)) = self.names.iter().find(|(n, _)| *n == name) else {
                return Err(self.err(&format!("unknown group name '{name}'"), at));
            };
            self.check_ref(gid, at)?;
            return Ok(Some(Node::Backref(gid)));
        }
        match self.next() {
            Some(c) => Err(self.err(&format!("unknown extension ?P{c}"), here + 1)),
            None => Err(self.err("unexpected end of pattern", self.pos)),
        }
    }

    fn name_until(&mut self, end: char) -> Result<String, RegexError> {
        let at = self.pos;
        let mut name = String::new();
        loop {
            match self.next() {
                None if name.is_empty() => return Err(self.err("missing group name", at)),
                None => return Err(self.err(&format!("missing {end}, unterminated name"), at)),
                Some(c) if c == end => break,
                Some(c) => name.push(c),
            }
        }
        if name.is_empty() {
            return Err(self.err("missing group name", at));
        }
        if !is_identifier(&name) {
            return Err(self.err(&format!("bad character in group name '{name}'"), at));
        }
        Ok(name)
    }

    fn look(
        &mut self,
        here: usize,
        behind: bool,
        negated: bool,
        verbose: bool,
    ) -> Result<Node, RegexError> {
        let outer = self.lookbehind_from;
        if behind && outer.is_none() {
            self.lookbehind_from = Some(self.groups);
        }
        let node = self.body(here, verbose);
        self.lookbehind_from = outer;
        let node = node?;
        if behind {
            let (lo, hi) = node.width(&self.closed_widths());
            if Some(lo) != hi {
                return Err(self.err("look-behind requires fixed-width pattern", here));
            }
        }
        Ok(Node::Look(behind, negated, Box::new(node)))
    }

    /// `(?(1)yes|no)` or `(?(name)yes|no)`.
    fn conditional(&mut self, here: usize, verbose: bool) -> Result<Node, RegexError> {
        let at = self.pos;
        let mut cond = String::new();
        loop {
            match self.next() {
                None => return Err(self.err("missing ), unterminated name", at)),
                Some(')') => break,
                Some(c) => cond.push(c),
            }
        }
        if cond.is_empty() {
            return Err(self.err("missing group name", at));
        }
        let gid = if is_identifier(&cond) {
            match self.names.iter().find(|(n, _)| *n == cond) {
                Some(&(_, g)) => g,
                None => return Err(self.err(&format!("unknown group name '{cond}'"), at)),
            }
        } else {
            match cond.parse::<u32>() {
                Ok(0) => return Err(self.err("bad group number", at)),
                Ok(g) if cond.chars().all(|c| c.is_ascii_digit()) => {
                    self.cond_refs.push((g, at));
                    g
                }
                _ => return Err(self.err(&format!("bad character in group name '{cond}'"), at)),
            }
        };
        if self.lookbehind_from.is_some() {
            self.check_ref(gid, at)?;
        }
        let mut v = verbose;
        let yes = self.sequence(&mut v, false)?;
        let no = if self.eat('|') {
            let mut v = verbose;
            let no = self.sequence(&mut v, false)?;
            if self.peek() == Some('|') {
                let m = "conditional backref with more than two branches";
                return Err(self.err(m, self.pos));
            }
            no
        } else {
            Node::Empty
        };
        if !self.eat(')') {
            return Err(self.err("missing ), unterminated subpattern", here));
        }
        Ok(Node::Cond(gid, Box::new(yes), Box::new(no)))
    }

    /// `(?i)` (global, only at the very start) or `(?i-m:...)` (scoped).
    fn flag_group(
        &mut self,
        here: usize,
        c: char,
        verbose: &mut bool,
        first: bool,
    ) -> Result<Option<Node>, RegexError> {
        let (on, off, scoped) = self.read_flags(c)?;
        if !scoped {
            if !first {
                let m = "global flags not at the start of the expression";
                return Err(self.err(m, here));
            }
            if on.contains('x') {
                self.verbose_global = true;
                *verbose = true;
            }
            apply(&mut self.flags, &on, true);
            return Ok(None);
        }
        let saved = self.flags;
        apply(&mut self.flags, &on, true);
        apply(&mut self.flags, &off, false);
        let v = (*verbose || on.contains('x')) && !off.contains('x');
        let node = self.body(here, v);
        self.flags = saved;
        Ok(Some(Node::NonCapture(Box::new(node?))))
    }

    /// Flag letters after `(?`: (turned on, turned off, scoped with `:`).
    fn read_flags(&mut self, mut c: char) -> Result<(String, String, bool), RegexError> {
        let mut on = String::new();
        let mut off = String::new();
        if c != '-' {
            loop {
                match c {
                    'L' => {
                        let m = "bad inline flags: cannot use 'L' flag with a str pattern";
                        return Err(self.err(m, self.pos));
                    }
                    _ => on.push(c),
                }
                if on.contains('a') && on.contains('u') {
                    let m = "bad inline flags: flags 'a', 'u' and 'L' are incompatible";
                    return Err(self.err(m, self.pos));
                }
                c = self
                    .next()
                    .ok_or_else(|| self.err("missing -, : or )", self.pos))?;
                if ")-:".contains(c) {
                    break;
                }
                if !"aimsux".contains(c) {
                    let m = if c.is_alphabetic() {
                        "unknown flag"
                    } else {
                        "missing -, : or )"
                    };
                    return Err(self.err(m, self.pos - 1));
                }
            }
        }
        if c == ')' {
            return Ok((on, off, false));
        }
        if c == '-' {
            c = self
                .next()
                .ok_or_else(|| self.err("missing flag", self.pos))?;
            loop {
                if !"aimsuxL".contains(c) {
                    let m = if c.is_alphabetic() {
                        "unknown flag"
                    } else {
                        "missing flag"
                    };
                    return Err(self.err(m, self.pos - 1));
                }
                if "auL".contains(c) {
                    let m = "bad inline flags: cannot turn off flags 'a', 'u' and 'L'";
                    return Err(self.err(m, self.pos - 1));
                }
                off.push(c);
                c = self.next().ok_or_else(|| self.err("missing :", self.pos))?;
                if c == ':' {
                    break;
                }
                if !"aimsuxL".contains(c) {
                    let m = if c.is_alphabetic() {
                        "unknown flag"
                    } else {
                        "missing :"
                    };
                    return Err(self.err(m, self.pos - 1));
                }
            }
        }
        if on.chars().any(|f| off.contains(f)) {
            return Err(self.err("bad inline flags: flag turned on and off", self.pos));
        }
        Ok((on, off, true))
    }
}

fn unterminated_at(p: &Parser, here: usize) -> RegexError {
    p.err("unterminated character set", here)
}

fn apply(flags: &mut Flags, letters: &str, on: bool) {
    for c in letters.chars() {
        match c {
            'i' => flags.ignore_case = on,
            'm' => flags.multi_line = on,
            's' => flags.dot_all = on,
            'a' => flags.ascii = on,
            _ => {}
        }
    }
}

/// Python's `str.isidentifier()`, close enough for group names: a letter or `_`, then
/// letters, digits or `_`.
pub fn is_identifier(s: &str) -> bool {
    let mut it = s.chars();
    it.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && it.all(|c| c == '_' || c.is_alphanumeric())
}
