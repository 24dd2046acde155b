//! The one CLI engine: turns received bytes into echo, outputs, prompts and effects, driven
//! entirely by a [`Personality`]. No I/O here; `server.rs` moves the bytes.

use std::sync::Arc;
use std::time::Duration;

use crate::personality::{ArgKind, Command, Exit, NulMode, Personality, SetOp, StepKind, Tok};
use crate::server::Core;
use crate::state::{expand_interface, Clock, DeviceState, DeviceVars};
use crate::template::{OwnedVars, Scope, Template, Vars};

/// Longest input line kept; bytes past it are dropped (a device beeps; we stay bounded).
pub const MAX_LINE: usize = 64 * 1024;
/// Most bytes typed ahead while a slow command runs.
const MAX_QUEUED: usize = 4096;

/// What the server must do after feeding input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    None,
    /// Close the channel and the connection (logout, banner refused).
    Close,
    /// A slow command runs: call [`Engine::slow_tick`] after this interval, repeatedly.
    Slow(Duration),
    /// A slow command finished: send the output, then call [`Engine::finish_slow`].
    SlowDone,
}

/// A config change with its values resolved (kept until `commit` on candidate-config platforms).
#[derive(Debug, Clone)]
pub(crate) enum Change {
    Hostname(String),
    Description(String, String),
    UndoDescription(String),
    Vlan(u32),
    Idle(Duration),
}

struct Pager {
    text: String,
    pos: usize,
}

struct Dialog {
    cmd: usize,
    step: usize,
    vars: OwnedVars,
}

struct Busy {
    cmd: usize,
    vars: OwnedVars,
    seq: u32,
    aborted: bool,
}

/// State of one CLI session.
pub struct Engine {
    core: Arc<Core>,
    p: Arc<Personality>,
    user: String,
    stack: Vec<(usize, String)>,
    line: Vec<u8>,
    after_cr: bool,
    esc: u8,
    paging: bool,
    pager: Option<Pager>,
    dialog: Option<Dialog>,
    busy: Option<Busy>,
    queued: Vec<u8>,
    banner_wait: bool,
    /// The last output of a slow command is on its way; input waits so it cannot overtake it.
    draining: bool,
    closed: bool,
    /// Complete lines received (for line-based idle activity).
    pub lines_seen: u64,
}

fn crlf(s: &str, out: &mut Vec<u8>) {
    let mut prev = 0u8;
    for &b in s.as_bytes() {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
}

impl Engine {
    /// A new session at the personality's initial mode.
    pub fn new(core: Arc<Core>, user: &str) -> Engine {
        let p = core.p.clone();
        Engine {
            stack: vec![(p.initial_mode, String::new())],
            p,
            core,
            user: user.to_string(),
            line: Vec::new(),
            after_cr: false,
            esc: 0,
            paging: true,
            pager: None,
            dialog: None,
            busy: None,
            queued: Vec::new(),
            banner_wait: false,
            draining: false,
            closed: false,
            lines_seen: 0,
        }
    }

    fn with_vars<R>(&self, extra: &dyn Vars, f: impl FnOnce(&Scope<'_>) -> R) -> R {
        let st = self.core.state();
        let dv = DeviceVars {
            p: &self.p,
            st: &st,
            user: &self.user,
            uptime: self.core.started.elapsed()
                + Duration::from_secs(7 * 86_400 + 3 * 3600 + 25 * 60),
            clock: Clock::now(),
        };
        let ctx = self.stack.last().map(|(_, c)| c.as_str()).unwrap_or("");
        let sess = SessVars { ctx };
        let outer = Scope {
            vars: &dv,
            parent: None,
        };
        let mid = Scope {
            vars: &sess,
            parent: Some(&outer),
        };
        let inner = Scope {
            vars: extra,
            parent: Some(&mid),
        };
        f(&inner)
    }

    fn render(&self, t: &Template, extra: &dyn Vars) -> String {
        self.with_vars(extra, |s| t.to_string(s))
    }

    fn prompt_text(&self) -> String {
        let mode = self
            .stack
            .last()
            .map(|(m, _)| *m)
            .unwrap_or(self.p.initial_mode);
        self.render(&self.p.modes[mode].prompt, &OwnedVars::default())
    }

    fn prompt(&self, out: &mut Vec<u8>) {
        let t = self.prompt_text();
        crlf(&t, out);
    }

    /// Text the session starts with: optional banner, the login text, the first prompt.
    pub fn start(&mut self, banner: bool, out: &mut Vec<u8>) {
        if banner {
            if let Some(b) = &self.p.banner {
                let t = self.render(b, &OwnedVars::default());
                crlf(&t, out);
                if self.p.banner_confirm {
                    self.banner_wait = true;
                    return;
                }
                out.extend_from_slice(b"\r\n");
            }
        }
        let motd = self.render(&self.p.motd, &OwnedVars::default());
        crlf(&motd, out);
        self.prompt(out);
    }

    /// The vendor's idle-timeout message.
    pub fn idle_message(&mut self) -> Vec<u8> {
        self.closed = true;
        let mut out = Vec::new();
        let t = self.render(&self.p.idle_timeout_message, &OwnedVars::default());
        crlf(&t, &mut out);
        out
    }

    /// The vendor's refusal when all VTY lines are busy.
    pub fn vty_refused_message(&mut self) -> Vec<u8> {
        self.closed = true;
        let mut out = Vec::new();
        let t = self.render(&self.p.vty_refused_message, &OwnedVars::default());
        crlf(&t, &mut out);
        out
    }

    /// True while a slow command runs.
    pub fn is_busy(&self) -> bool {
        self.busy.is_some() || self.draining
    }

    /// Feed received bytes; echo and outputs are appended to `out`.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Effect {
        let mut effect = Effect::None;
        for (i, &b) in input.iter().enumerate() {
            if self.closed {
                return Effect::Close;
            }
            if self.draining {
                if self.queued.len() < MAX_QUEUED {
                    self.queued.push(b);
                }
                continue;
            }
            if self.busy.is_some() {
                if b == 3 {
                    if let Some(bz) = self.busy.as_mut() {
                        bz.aborted = true;
                    }
                } else if self.queued.len() < MAX_QUEUED {
                    self.queued.push(b);
                }
                continue;
            }
            let e = self.byte(b, out);
            if e != Effect::None {
                effect = e;
                if let Effect::Slow(_) = e {
                    let rest = &input[i + 1..];
                    let room = MAX_QUEUED.saturating_sub(self.queued.len());
                    self.queued.extend_from_slice(&rest[..rest.len().min(room)]);
                }
                return effect;
            }
        }
        effect
    }

    fn byte(&mut self, b: u8, out: &mut Vec<u8>) -> Effect {
        if self.esc > 0 {
            // Skip ANSI escape sequences (arrow keys etc.): ESC [ params final.
            if self.esc == 1 && (b == b'[' || b == b'O') {
                self.esc = 2;
                return Effect::None;
            }
            if self.esc == 2 && !(0x40..=0x7e).contains(&b) {
                return Effect::None;
            }
            self.esc = 0;
            return Effect::None;
        }
        if self.banner_wait {
            match b {
                b'y' | b'Y' | b'\r' | b'\n' => {
                    self.banner_wait = false;
                    self.after_cr = b == b'\r';
                    out.extend_from_slice(b"\r\n");
                    let motd = self.render(&self.p.motd, &OwnedVars::default());
                    crlf(&motd, out);
                    self.prompt(out);
                }
                b'n' | b'N' => {
                    out.extend_from_slice(b"\r\n");
                    self.closed = true;
                    return Effect::Close;
                }
                _ => {}
            }
            return Effect::None;
        }
        if b == b'\n' && self.after_cr {
            self.after_cr = false;
            return Effect::None;
        }
        self.after_cr = b == b'\r';
        if self.pager.is_some() {
            return self.pager_key(b, out);
        }
        match b {
            0 => {
                match self.p.nul {
                    NulMode::EchoRaw => out.push(0),
                    NulMode::Caret => out.extend_from_slice(b"^@"),
                    NulMode::Swallow => {}
                }
                Effect::None
            }
            b'\r' | b'\n' => self.enter(out),
            3 => {
                out.extend_from_slice(self.p.ctrl_c.as_bytes());
                out.extend_from_slice(b"\r\n");
                self.line.clear();
                self.dialog = None;
                self.prompt(out);
                Effect::None
            }
            8 | 0x7f => {
                if self.line.pop().is_some() && !self.secret_input() {
                    out.extend_from_slice(b"\x08 \x08");
                }
                Effect::None
            }
            0x15 => {
                // Ctrl-U: kill the line.
                for _ in 0..self.line.len().min(256) {
                    out.extend_from_slice(b"\x08 \x08");
                }
                self.line.clear();
                Effect::None
            }
            0x1b => {
                self.esc = 1;
                Effect::None
            }
            b if b < 0x20 => Effect::None,
            _ => {
                if self.line.len() < MAX_LINE {
                    self.line.push(b);
                    if !self.secret_input() {
                        out.push(b);
                    }
                }
                Effect::None
            }
        }
    }

    fn secret_input(&self) -> bool {
        self.dialog
            .as_ref()
            .is_some_and(|d| self.p.commands[d.cmd].confirm[d.step].kind == StepKind::Secret)
    }

    fn pager_key(&mut self, b: u8, out: &mut Vec<u8>) -> Effect {
        out.extend_from_slice(self.p.more_erase.as_bytes());
        match b {
            b' ' => self.page(self.p.page_length - 1, out),
            b'\r' | b'\n' => self.page(1, out),
            _ => {
                self.pager = None;
                self.prompt(out);
            }
        }
        Effect::None
    }

    /// Emit up to `n` more lines of the paged output; the pager line or the prompt after.
    fn page(&mut self, n: usize, out: &mut Vec<u8>) {
        let Some(pg) = self.pager.as_mut() else {
            return;
        };
        let rest = &pg.text.as_bytes()[pg.pos..];
        let mut end = 0;
        let mut lines = 0;
        for (i, &c) in rest.iter().enumerate() {
            if c == b'\n' {
                lines += 1;
                if lines == n {
                    end = i + 1;
                    break;
                }
            }
        }
        if lines < n || end == rest.len() {
            out.extend_from_slice(rest);
            self.pager = None;
            self.prompt(out);
        } else {
            out.extend_from_slice(&rest[..end]);
            pg.pos += end;
            out.extend_from_slice(self.p.more.as_bytes());
        }
    }

    /// Write command output, through the pager when paging is on and it is long.
    fn output(&mut self, text: &str, out: &mut Vec<u8>) -> bool {
        if text.is_empty() {
            return false;
        }
        let mut buf = Vec::with_capacity(text.len() + text.len() / 16 + 2);
        crlf(text, &mut buf);
        if !buf.ends_with(b"\n") {
            buf.extend_from_slice(b"\r\n");
        }
        let page = self.p.page_length - 1;
        if self.paging && memchr_count(&buf) > page {
            // Lossless: the CRLF text is ASCII/UTF-8 from our templates.
            let text = String::from_utf8_lossy(&buf).into_owned();
            self.pager = Some(Pager { text, pos: 0 });
            self.page(page, out);
            return true;
        }
        out.extend_from_slice(&buf);
        false
    }

    fn enter(&mut self, out: &mut Vec<u8>) -> Effect {
        out.extend_from_slice(b"\r\n");
        self.lines_seen += 1;
        let raw = std::mem::take(&mut self.line);
        let line = String::from_utf8_lossy(&raw).into_owned();
        if self.dialog.is_some() {
            return self.answer(line.trim(), out);
        }
        if line.trim().is_empty() {
            self.prompt(out);
            return Effect::None;
        }
        self.core.counters.add_command();
        self.run(&line, out)
    }

    fn run(&mut self, line: &str, out: &mut Vec<u8>) -> Effect {
        let toks = tokenize(line);
        let mode = self
            .stack
            .last()
            .map(|(m, _)| *m)
            .unwrap_or(self.p.initial_mode);
        // Levels: the current mode, then its ancestors when the mode inherits their commands.
        let mut levels = vec![mode];
        let mut m = mode;
        while self.p.modes[m].inherit {
            match self.p.modes[m].parent {
                Some(par) => {
                    levels.push(par);
                    m = par;
                }
                None => break,
            }
        }
        let mut best: Option<(usize, bool)> = None;
        for (depth, &lvl) in levels.iter().enumerate() {
            for (ci, c) in self.p.commands.iter().enumerate() {
                let visible = if c.modes.is_empty() {
                    depth == 0
                } else {
                    c.modes.contains(&lvl)
                };
                if !visible {
                    continue;
                }
                match self.matches(c, line, &toks) {
                    Ok(vars) => {
                        // Commands from an ancestor view leave the sub-views first.
                        if depth > 0 {
                            let keep = self.stack.len().saturating_sub(depth).max(1);
                            self.stack.truncate(keep);
                        }
                        return self.begin(ci, vars, out);
                    }
                    Err((n, incomplete)) => {
                        if best.is_none_or(|(bn, _)| n > bn) {
                            best = Some((n, incomplete));
                        }
                    }
                }
            }
        }
        let (n, incomplete) = best.unwrap_or((0, false));
        let prompt = self.prompt_text();
        let prompt_col = prompt.rsplit('\n').next().map_or(0, |l| l.chars().count());
        let col = if incomplete || n >= toks.len() {
            line.trim_end().chars().count() + 1
        } else {
            line[..toks[n].0].chars().count()
        };
        let caret = format!("{}^", " ".repeat(prompt_col + col));
        let t = if incomplete {
            &self.p.err_incomplete
        } else {
            &self.p.err_unknown
        };
        let bad = toks.get(n).map(|x| x.1).unwrap_or("");
        let msg = self.render(
            t,
            &OwnedVars(vec![
                ("caret".into(), caret),
                ("input".into(), line.trim().into()),
                ("tok".into(), bad.into()),
                ("tok_index".into(), n.to_string()),
            ]),
        );
        if !self.output(&msg, out) {
            self.prompt(out);
        }
        Effect::None
    }

    /// Match a command pattern; Err gives how many tokens matched and whether input ran out.
    fn matches(
        &self,
        c: &Command,
        line: &str,
        toks: &[(usize, &str)],
    ) -> Result<OwnedVars, (usize, bool)> {
        let mut vars = OwnedVars::default();
        let mut i = 0;
        for tok in &c.pattern {
            match tok {
                Tok::Key { word, min } => {
                    let Some((_, t)) = toks.get(i) else {
                        return Err((i, true));
                    };
                    let tl = t.to_ascii_lowercase();
                    if tl.len() < *min || !word.starts_with(&tl) {
                        return Err((i, false));
                    }
                    i += 1;
                }
                Tok::Arg {
                    name,
                    optional,
                    kind,
                } => {
                    let Some((_, t)) = toks.get(i) else {
                        if *optional {
                            vars.0.push((name.clone(), String::new()));
                            continue;
                        }
                        return Err((i, true));
                    };
                    let v = match kind {
                        ArgKind::Word => unquote(t).to_string(),
                        ArgKind::Num => {
                            if !t.bytes().all(|b| b.is_ascii_digit()) || t.len() > 9 {
                                return Err((i, false));
                            }
                            t.to_string()
                        }
                        ArgKind::Interface => match expand_interface(&self.p.if_types, t) {
                            Some(n) => {
                                let short = crate::state::short_name(&self.p.if_types, &n);
                                vars.0.push((format!("{name}_short"), short));
                                n
                            }
                            None => return Err((i, false)),
                        },
                    };
                    vars.0.push((name.clone(), v));
                    i += 1;
                }
                Tok::Rest { name } => {
                    let Some((off, _)) = toks.get(i) else {
                        return Err((i, true));
                    };
                    vars.0
                        .push((name.clone(), unquote(line[*off..].trim_end()).to_string()));
                    i = toks.len();
                }
            }
        }
        if i < toks.len() {
            return Err((i, false));
        }
        Ok(vars)
    }

    /// Junos-style shared candidate configuration has changes not yet committed.
    fn uncommitted(&self) -> bool {
        !self.core.state().pending.is_empty()
    }

    fn begin(&mut self, ci: usize, vars: OwnedVars, out: &mut Vec<u8>) -> Effect {
        let p = self.p.clone();
        let c = &p.commands[ci];
        if !c.confirm.is_empty() {
            self.dialog = Some(Dialog {
                cmd: ci,
                step: 0,
                vars,
            });
            return self.next_step(out);
        }
        self.finish(ci, vars, out)
    }

    /// Show the next dialog step that applies, or run the command when none is left.
    fn next_step(&mut self, out: &mut Vec<u8>) -> Effect {
        let p = self.p.clone();
        loop {
            let Some(d) = self.dialog.as_ref() else {
                return Effect::None;
            };
            let c = &p.commands[d.cmd];
            if d.step >= c.confirm.len() {
                let Some(d) = self.dialog.take() else {
                    return Effect::None;
                };
                return self.finish(d.cmd, d.vars, out);
            }
            let s = &c.confirm[d.step];
            if s.if_uncommitted && !self.uncommitted() {
                if let Some(d) = self.dialog.as_mut() {
                    d.step += 1;
                }
                continue;
            }
            let t = self.render(&s.prompt, &d.vars);
            crlf(&t, out);
            return Effect::None;
        }
    }

    fn answer(&mut self, ans: &str, out: &mut Vec<u8>) -> Effect {
        let p = self.p.clone();
        let Some(d) = self.dialog.as_ref() else {
            return Effect::None;
        };
        let s = &p.commands[d.cmd].confirm[d.step];
        let ans = if ans.is_empty() {
            s.default.clone().unwrap_or_default()
        } else {
            ans.to_string()
        };
        let ok = match s.kind {
            StepKind::YesNo => match ans.to_ascii_lowercase().as_str() {
                "y" | "yes" => Some(true),
                "n" | "no" => Some(false),
                _ => None,
            },
            StepKind::Line => Some(true),
            StepKind::Secret => Some(ans == self.core.cfg.password),
        };
        match ok {
            None => {
                let t = self.render(&s.prompt, &d.vars);
                crlf(&t, out);
            }
            Some(true) => {
                if let Some(d) = self.dialog.as_mut() {
                    d.vars.0.push(("answer".into(), ans));
                    d.step += 1;
                }
                return self.next_step(out);
            }
            Some(false) => {
                let msg = self.render(&s.abort, &d.vars);
                self.dialog = None;
                if !self.output(&msg, out) {
                    self.prompt(out);
                }
            }
        }
        Effect::None
    }

    fn apply(&mut self, op: &SetOp, vars: &OwnedVars) {
        let r = |t: &Template| self.render(t, vars);
        let change = match op {
            SetOp::Paging(on) => {
                self.paging = *on;
                return;
            }
            SetOp::Commit => {
                let mut st = self.core.state();
                let pend = std::mem::take(&mut st.pending);
                for c in pend {
                    apply_change(&self.p, &mut st, c);
                }
                return;
            }
            SetOp::Discard => {
                self.core.state().pending.clear();
                return;
            }
            SetOp::Hostname(t) => Change::Hostname(r(t)),
            SetOp::InterfaceDescription { interface, text } => {
                Change::Description(r(interface), r(text))
            }
            SetOp::UndoDescription { interface } => Change::UndoDescription(r(interface)),
            SetOp::Vlan(t) => match r(t).parse::<u32>() {
                Ok(v) if (1..=4094).contains(&v) => Change::Vlan(v),
                _ => return,
            },
            SetOp::IdleTimeout { minutes, seconds } => {
                let m: u64 = r(minutes).parse().unwrap_or(0);
                let s: u64 = r(seconds).parse().unwrap_or(0);
                Change::Idle(Duration::from_secs(m.saturating_mul(60).saturating_add(s)))
            }
        };
        let mode = self
            .stack
            .last()
            .map(|(m, _)| *m)
            .unwrap_or(self.p.initial_mode);
        if self.p.candidate_config && self.p.modes[mode].config {
            // Bounded: a runaway script must not grow the candidate forever.
            let mut st = self.core.state();
            if st.pending.len() < 100_000 {
                st.pending.push(change);
            }
        } else {
            let mut st = self.core.state();
            apply_change(&self.p, &mut st, change);
        }
    }

    fn finish(&mut self, ci: usize, vars: OwnedVars, out: &mut Vec<u8>) -> Effect {
        let p = self.p.clone();
        let c = &p.commands[ci];
        if let Some(op) = &c.set {
            self.apply(op, &vars);
        }
        if let Some(slow) = &c.slow {
            let head = self.render(&slow.head, &vars);
            crlf(&head, out);
            if !head.is_empty() && !head.ends_with('\n') {
                out.extend_from_slice(b"\r\n");
            }
            self.busy = Some(Busy {
                cmd: ci,
                vars,
                seq: 0,
                aborted: false,
            });
            return Effect::Slow(slow.interval);
        }
        let mut paged = false;
        if let Some(o) = &c.output {
            let text = self.render(o, &vars);
            paged = self.output(&text, out);
        }
        if let Some(m) = c.enter {
            let ctx = c
                .ctx
                .as_ref()
                .map(|t| self.render(t, &vars))
                .unwrap_or_default();
            self.stack.push((m, ctx));
        }
        if let Some(x) = c.exit {
            match x {
                Exit::Up => {
                    if self.stack.len() <= 1 {
                        self.closed = true;
                        return Effect::Close;
                    }
                    self.stack.pop();
                }
                Exit::Root => self.stack.truncate(1),
                Exit::EndConfig => {
                    while self.stack.len() > 1
                        && self.stack.last().is_some_and(|(m, _)| p.modes[*m].config)
                    {
                        self.stack.pop();
                    }
                }
                Exit::Logout => {
                    self.closed = true;
                    return Effect::Close;
                }
            }
        }
        if !paged {
            self.prompt(out);
        }
        Effect::None
    }

    /// Advance a slow command by one line; returns the next effect (Slow again while running).
    pub fn slow_tick(&mut self, out: &mut Vec<u8>) -> Effect {
        let p = self.p.clone();
        let Some(bz) = self.busy.as_mut() else {
            return Effect::None;
        };
        let Some(slow) = p.commands[bz.cmd].slow.as_ref() else {
            self.busy = None;
            return Effect::None;
        };
        let done = if bz.aborted {
            true
        } else {
            bz.seq += 1;
            let seq = bz.seq.to_string();
            let mut vars = bz.vars.clone();
            vars.0.push(("seq".into(), seq));
            let line = self.render(&slow.line, &vars);
            crlf(&line, out);
            if !slow.inline {
                out.extend_from_slice(b"\r\n");
            }
            self.busy.as_ref().is_some_and(|b| b.seq >= slow.count)
        };
        if !done {
            return Effect::Slow(slow.interval);
        }
        let Some(bz) = self.busy.take() else {
            return Effect::None;
        };
        let mut vars = bz.vars;
        vars.0.push(("sent".into(), bz.seq.to_string()));
        let tail = if bz.aborted {
            &slow.aborted
        } else {
            &slow.tail
        };
        let text = self.render(tail, &vars);
        if !self.output(&text, out) {
            self.prompt(out);
        }
        self.draining = true;
        Effect::SlowDone
    }

    /// After the slow command's last output was handed to the transport: run typed-ahead input.
    pub fn finish_slow(&mut self, out: &mut Vec<u8>) -> Effect {
        self.draining = false;
        let queued = std::mem::take(&mut self.queued);
        self.feed(&queued, out)
    }
}

fn apply_change(p: &Personality, st: &mut DeviceState, c: Change) {
    st.saved = false;
    match c {
        Change::Hostname(h) => {
            if !h.is_empty() {
                st.hostname = h;
            }
        }
        Change::Description(i, t) => {
            if !i.is_empty() {
                let idx = st.ensure_interface(p, &i);
                st.interfaces[idx].description = t;
            }
        }
        Change::UndoDescription(i) => {
            let idx = st.ensure_interface(p, &i);
            st.interfaces[idx].description.clear();
        }
        Change::Vlan(v) => {
            st.vlans.insert(v, ());
        }
        Change::Idle(d) => {
            st.idle = if d.is_zero() { None } else { Some(d) };
            st.idle_configured = true;
        }
    }
}

struct SessVars<'a> {
    ctx: &'a str,
}

impl Vars for SessVars<'_> {
    fn get(&self, key: &str) -> Option<std::borrow::Cow<'_, str>> {
        (key == "ctx").then_some(std::borrow::Cow::Borrowed(self.ctx))
    }
}

fn unquote(s: &str) -> &str {
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

fn memchr_count(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

/// Split on whitespace, keeping byte offsets.
fn tokenize(line: &str) -> Vec<(usize, &str)> {
    let mut v = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                v.push((s, &line[s..i]));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        v.push((s, &line[s..]));
    }
    v
}
