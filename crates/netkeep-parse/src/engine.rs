//! Running a template over text: the state machine and the record being built, with the Value
//! options' effects applied in the order each Value lists them (as TextFSM does).

use crate::error::Error;
use crate::pyre::Line;
use crate::pytext;
use crate::record::{Field, Item};
use crate::template::{LineOp, Opt, RecordOp, Rule, Scratch, Target, Template};

/// A Value's current content (TextFSM's `value.value`).
#[derive(Debug, Clone)]
enum Cur {
    None,
    Text(String),
    List(Vec<Item>),
}

impl Cur {
    fn is_set(&self) -> bool {
        match self {
            Cur::None => false,
            Cur::Text(s) => !s.is_empty(),
            Cur::List(l) => !l.is_empty(),
        }
    }
}

/// The indices of a state's rules that may match a line, in order: the set bits of the dispatch
/// mask for the first 64 rules (skipped without looking at the others), then every later one.
struct Candidates {
    bits: u64,
    next: usize,
    len: usize,
}

impl Iterator for Candidates {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.next < 64 {
            let rest = self.bits.checked_shr(self.next as u32).unwrap_or(0);
            if rest != 0 {
                let i = self.next + rest.trailing_zeros() as usize;
                self.next = i + 1;
                return (i < self.len).then_some(i);
            }
            self.next = 64;
        }
        let i = self.next;
        self.next += 1;
        (i < self.len).then_some(i)
    }
}

/// A record dropped by `Required`.
struct Skip;

/// One parse: the record being built and the records so far.
struct Run<'t> {
    t: &'t Template,
    cur: Vec<Cur>,
    /// Filldown's remembered value per Value.
    kept: Vec<Option<String>>,
    /// List's collected items per Value.
    lists: Vec<Vec<Item>>,
    rows: Vec<Vec<Field>>,
    /// Match positions, one reusable space per rule, and the rules' shared space.
    scratch: Scratch,
}

/// Parses `text` with `t`: rows of fields in header order.
pub(crate) fn run(t: &Template, text: &str) -> Result<Vec<Vec<Field>>, Error> {
    let n = t.values.len();
    let mut run = Run {
        t,
        cur: vec![Cur::None; n],
        kept: vec![None; n],
        lists: vec![Vec::new(); n],
        rows: Vec::new(),
        scratch: t.scratch.take(t.rule_count),
    };
    let mut state = t.start;
    let mut stopped = None;
    for (i, line) in pytext::lines(text).enumerate() {
        match run.line(state, line, i + 1)? {
            Target::Stay => {}
            Target::State(s) => state = s,
            stop => {
                stopped = Some(stop);
                break;
            }
        }
    }
    if stopped != Some(Target::End) && !t.declares_eof {
        run.append_record()?;
    }
    t.scratch.put(std::mem::take(&mut run.scratch));
    Ok(run.rows)
}

impl Run<'_> {
    /// Passes one line through the state's rules; returns where the machine goes.
    fn line(&mut self, state: usize, line: &str, number: usize) -> Result<Target, Error> {
        let t = self.t;
        let text = Line::new(line);
        let rules = &t.states[state].rules;
        let candidates = Candidates {
            bits: t.states[state].candidates(&text),
            next: 0,
            len: rules.len(),
        };
        for i in candidates {
            if let Some(target) = self.rule(&rules[i], state, &text, number)? {
                return Ok(target);
            }
        }
        Ok(Target::Stay)
    }

    /// Tries one rule on the line: `Some(target)` when the machine leaves the line.
    fn rule(
        &mut self,
        rule: &Rule,
        state: usize,
        text: &Line,
        number: usize,
    ) -> Result<Option<Target>, Error> {
        let t = self.t;
        let Scratch { caps, shared } = &mut self.scratch;
        let matched = rule
            .regex
            .captures_into(text, &mut caps[rule.id], shared)
            .map_err(|e| Error::Match {
                template: t.name().to_string(),
                rule_line: rule.line,
                input_line: number,
                message: e.to_string(),
            })?;
        if !matched {
            return Ok(None);
        }
        let line = text.text();
        for &(slot, v) in &rule.assign {
            let text = self.scratch.caps[rule.id]
                .get(slot)
                .map(|(a, b)| &line[a..b]);
            self.assign(v, text)?;
        }
        match rule.record_op {
            RecordOp::Record => self.append_record()?,
            RecordOp::Clear => self.clear(),
            RecordOp::Clearall => self.clear_all(),
            RecordOp::NoRecord => {}
        }
        match rule.line_op {
            LineOp::Error => Err(self.error_action(rule, state, line, number)),
            LineOp::Continue => Ok(None),
            LineOp::Next => Ok(Some(rule.target)),
        }
    }

    fn error_action(&self, rule: &Rule, state: usize, line: &str, number: usize) -> Error {
        Error::ErrorAction {
            template: self.t.name().to_string(),
            state: self.t.states[state].name.clone(),
            rule_line: rule.line,
            message: rule.message.clone(),
            input_line: number,
            line: line.to_string(),
        }
    }

    /// A rule set Value `v` (`None`: its group did not take part).
    fn assign(&mut self, v: usize, text: Option<&str>) -> Result<(), Error> {
        let def = &self.t.values[v];
        for opt in &def.options {
            match opt {
                Opt::Filldown => self.kept[v] = text.map(str::to_string),
                Opt::Fillup => self.fill_up(v, text),
                Opt::List => {
                    let item = self.list_item(v, text)?;
                    self.lists[v].push(item);
                }
                Opt::Required | Opt::Key => {}
            }
        }
        // The options above do not read the current value: set it last, reusing its buffer.
        match (&mut self.cur[v], text) {
            (Cur::Text(s), Some(t)) => {
                s.clear();
                s.push_str(t);
            }
            (cur, t) => *cur = t.map_or(Cur::None, |t| Cur::Text(t.to_string())),
        }
        Ok(())
    }

    /// Fillup: the value goes into the same column of earlier records until one is set.
    fn fill_up(&mut self, v: usize, text: Option<&str>) {
        let Some(text) = text.filter(|s| !s.is_empty()) else {
            return;
        };
        for row in self.rows.iter_mut().rev() {
            if row[v].is_set() {
                break;
            }
            row[v] = Field::Text(text.to_string());
        }
    }

    /// List: the text, or the nested named groups of the Value's own regex matched on it.
    fn list_item(&self, v: usize, text: Option<&str>) -> Result<Item, Error> {
        let def = &self.t.values[v];
        let Some(re) = &def.list_regex else {
            return Ok(text.map_or(Item::Missing, |s| Item::Text(s.to_string())));
        };
        let Some(text) = text else {
            // Python raises a TypeError here (re.match on None).
            return Err(Error::Template {
                template: self.t.name().to_string(),
                line: 0,
                message: format!(
                    "List Value '{}' with nested groups did not take part in a match",
                    def.name
                ),
            });
        };
        let slots = re.match_start(text).map_err(|e| Error::Match {
            template: self.t.name().to_string(),
            rule_line: 0,
            input_line: 0,
            message: e.to_string(),
        })?;
        match slots {
            Some(slots) if !re.names().is_empty() => Ok(Item::Groups(
                re.names()
                    .iter()
                    .map(|(name, g)| {
                        (
                            name.clone(),
                            slots[*g as usize].map(|(a, b)| text[a..b].to_string()),
                        )
                    })
                    .collect(),
            )),
            _ => Ok(Item::Text(text.to_string())),
        }
    }

    /// Record: save the current values as a row (unless `Required` skips it or every value is
    /// empty), then clear.
    fn append_record(&mut self) -> Result<(), Error> {
        if self.t.values.is_empty() {
            return Ok(());
        }
        for v in 0..self.t.values.len() {
            if self.save(v).is_err() {
                self.clear();
                return Ok(());
            }
        }
        if self
            .cur
            .iter()
            .all(|c| matches!(c, Cur::None) || matches!(c, Cur::List(l) if l.is_empty()))
        {
            return Ok(());
        }
        // The values move into the row: `clear` sets every one afresh right after.
        let fields = self
            .cur
            .iter_mut()
            .map(|c| match std::mem::replace(c, Cur::None) {
                Cur::None => Field::Text(String::new()),
                Cur::Text(s) => Field::Text(s),
                Cur::List(l) => Field::List(l),
            })
            .collect();
        self.rows.push(fields);
        self.clear();
        Ok(())
    }

    /// The options' checks and conversions just before a record is saved.
    fn save(&mut self, v: usize) -> Result<(), Skip> {
        for opt in &self.t.values[v].options {
            match opt {
                Opt::Required if !self.cur[v].is_set() => return Err(Skip),
                Opt::List => self.cur[v] = Cur::List(self.lists[v].clone()),
                _ => {}
            }
        }
        Ok(())
    }

    /// Clear: every Value but Filldown ones (and Lists that are also Filldown).
    fn clear(&mut self) {
        for (v, def) in self.t.values.iter().enumerate() {
            self.cur[v] = Cur::None;
            for opt in &def.options {
                match opt {
                    Opt::Filldown => {
                        self.cur[v] = self.kept[v].clone().map_or(Cur::None, Cur::Text)
                    }
                    Opt::List if !def.has(Opt::Filldown) => self.lists[v].clear(),
                    _ => {}
                }
            }
        }
    }

    /// Clearall: every Value, Filldown ones too.
    fn clear_all(&mut self) {
        for v in 0..self.t.values.len() {
            self.cur[v] = Cur::None;
            self.kept[v] = None;
            self.lists[v].clear();
        }
    }
}
