//! The one CLI engine: turns received bytes into echo, outputs, prompts and [`Effect`]s, driven
//! entirely by a [`Personality`] over a device [`Model`]. No I/O here: a front end (the SSH
//! handler; a telnet one can sit beside it) feeds it the bytes it received, sends what it
//! writes, and acts on the effect (close the session, tick a slow command).
//!
//! Its parts, each on its own: `editor.rs` (line editing), `screen.rs` (CRLF and the pager),
//! `modes.rs` (the mode stack), `matcher.rs` (which command a line is), `dialog.rs` (questions a
//! command asks), `candidate.rs` (uncommitted changes), `slow.rs` (ping-like commands).

mod candidate;
mod dialog;
mod editor;
mod matcher;
mod modes;
mod screen;
mod slow;

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use candidate::Candidate;
use dialog::{judge, Dialog, Verdict};
use editor::LineEditor;
use matcher::{error_vars, lookup, tokenize, Lookup};
use modes::ModeStack;
use screen::{emit, Pager, Shown};
use slow::{Busy, SlowState};

use crate::model::{Change, Clock, DeviceVars, Model};
use crate::personality::{NulMode, Personality, SetOp, Slow, StepKind};
use crate::template::{OwnedVars, Scope, Template, Vars};
use crate::text::crlf;

/// What the front end must do after feeding input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Nothing more.
    None,
    /// Close the channel and the connection (logout, banner refused).
    Close,
    /// A slow command runs: call [`Engine::slow_tick`] after this interval, repeatedly.
    Slow(Duration),
    /// A slow command finished: send the output, then call [`Engine::finish_slow`].
    SlowDone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The login banner waits for Y/Enter.
    Banner,
    /// At the CLI.
    Cli,
    /// The session is over.
    Closed,
}

/// State of one CLI session.
pub struct Engine {
    model: Arc<Model>,
    p: Arc<Personality>,
    user: String,
    modes: ModeStack,
    editor: LineEditor,
    phase: Phase,
    paging: bool,
    pager: Option<Pager>,
    dialog: Option<Dialog>,
    slow: SlowState,
    candidate: Candidate,
    /// Complete lines received (for line-based idle activity).
    pub lines_seen: u64,
}

const NO_VARS: OwnedVars = OwnedVars(Vec::new());

impl Engine {
    /// A new session of `user` at the personality's initial mode.
    pub fn new(model: Arc<Model>, user: &str) -> Engine {
        let p = model.p.clone();
        Engine {
            modes: ModeStack::new(&p),
            candidate: Candidate::new(p.candidate),
            p,
            model,
            user: user.to_string(),
            editor: LineEditor::default(),
            phase: Phase::Cli,
            paging: true,
            pager: None,
            dialog: None,
            slow: SlowState::default(),
            lines_seen: 0,
        }
    }

    fn with_vars<R>(&self, extra: &dyn Vars, f: impl FnOnce(&Scope<'_>) -> R) -> R {
        let st = self.model.state();
        let dv = DeviceVars {
            p: &self.p,
            st: &st,
            user: &self.user,
            uptime: self.model.uptime(),
            clock: Clock::now(),
        };
        let sess = SessVars {
            ctx: self.modes.ctx(),
            uncommitted: self.candidate.is_dirty(&st),
        };
        let outer = Scope {
            vars: &dv,
            parent: None,
        };
        let mid = Scope {
            vars: &sess,
            parent: Some(&outer),
        };
        f(&Scope {
            vars: extra,
            parent: Some(&mid),
        })
    }

    fn render(&self, t: &Template, extra: &dyn Vars) -> String {
        self.with_vars(extra, |s| t.to_string(s))
    }

    fn prompt_text(&self) -> String {
        self.render(&self.p.modes[self.modes.current()].prompt, &NO_VARS)
    }

    fn prompt(&self, out: &mut Vec<u8>) {
        crlf(&self.prompt_text(), out);
    }

    fn motd_and_prompt(&self, out: &mut Vec<u8>) {
        crlf(&self.render(&self.p.messages.motd, &NO_VARS), out);
        self.prompt(out);
    }

    /// Text the session starts with: optional banner, the login text, the first prompt.
    pub fn start(&mut self, banner: bool, out: &mut Vec<u8>) {
        if let (true, Some(b)) = (banner, &self.p.messages.banner) {
            crlf(&self.render(b, &NO_VARS), out);
            if self.p.messages.banner_confirm {
                self.phase = Phase::Banner;
                return;
            }
            out.extend_from_slice(b"\r\n");
        }
        self.motd_and_prompt(out);
    }

    /// A last message before the device closes the session.
    fn farewell(&mut self, t: &Template) -> Vec<u8> {
        self.phase = Phase::Closed;
        let mut out = Vec::new();
        crlf(&self.render(t, &NO_VARS), &mut out);
        out
    }

    /// The vendor's idle-timeout message.
    pub fn idle_message(&mut self) -> Vec<u8> {
        let p = self.p.clone();
        self.farewell(&p.messages.idle_timeout)
    }

    /// The vendor's refusal when all VTY lines are busy.
    pub fn vty_refused_message(&mut self) -> Vec<u8> {
        let p = self.p.clone();
        self.farewell(&p.messages.vty_refused)
    }

    /// True while a slow command runs.
    pub fn is_busy(&self) -> bool {
        self.slow.is_busy()
    }

    /// Feed received bytes; echo and outputs are appended to `out`.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Effect {
        for (i, &b) in input.iter().enumerate() {
            if self.phase == Phase::Closed {
                return Effect::Close;
            }
            if self.slow.absorb(b) {
                continue;
            }
            let e = self.byte(b, out);
            if e != Effect::None {
                if let Effect::Slow(_) = e {
                    self.slow.queue(&input[i + 1..]);
                }
                return e;
            }
        }
        Effect::None
    }

    fn byte(&mut self, b: u8, out: &mut Vec<u8>) -> Effect {
        if self.editor.in_escape(b) {
            return Effect::None;
        }
        if self.phase == Phase::Banner {
            return self.banner_key(b, out);
        }
        if self.editor.lf_after_cr(b) {
            return Effect::None;
        }
        if self.pager.is_some() {
            return self.pager_key(b, out);
        }
        match b {
            0 => match self.p.terminal.nul {
                NulMode::EchoRaw => out.push(0),
                NulMode::Caret => out.extend_from_slice(b"^@"),
                NulMode::Swallow => {}
            },
            b'\r' | b'\n' => return self.enter(out),
            3 => self.interrupt(out),
            8 | 0x7f => self.editor.backspace(self.secret_input(), out),
            0x15 => self.editor.kill(out),
            0x1b => self.editor.start_escape(),
            b if b < 0x20 => {}
            _ => self.editor.push(b, self.secret_input(), out),
        }
        Effect::None
    }

    /// "Press Y or ENTER to continue, N to exit."
    fn banner_key(&mut self, b: u8, out: &mut Vec<u8>) -> Effect {
        match b {
            b'y' | b'Y' | b'\r' | b'\n' => {
                self.phase = Phase::Cli;
                self.editor.set_after_cr(b == b'\r');
                out.extend_from_slice(b"\r\n");
                self.motd_and_prompt(out);
            }
            b'n' | b'N' => {
                out.extend_from_slice(b"\r\n");
                self.phase = Phase::Closed;
                return Effect::Close;
            }
            _ => {}
        }
        Effect::None
    }

    /// Ctrl-C at the prompt: drop the line and any question.
    fn interrupt(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.p.terminal.ctrl_c.as_bytes());
        out.extend_from_slice(b"\r\n");
        self.editor.clear();
        self.dialog = None;
        self.prompt(out);
    }

    fn secret_input(&self) -> bool {
        self.dialog
            .as_ref()
            .is_some_and(|d| self.p.commands[d.cmd].confirm[d.step].kind == StepKind::Secret)
    }

    fn pager_key(&mut self, b: u8, out: &mut Vec<u8>) -> Effect {
        let t = &self.p.terminal;
        out.extend_from_slice(t.more_erase.as_bytes());
        let lines = match b {
            b' ' => Some(t.page_length - 1),
            b'\r' | b'\n' => Some(1),
            _ => None,
        };
        let done = match (lines, self.pager.as_mut()) {
            (Some(n), Some(pager)) => pager.page(n, &t.more, out),
            _ => true,
        };
        if done {
            self.pager = None;
            self.prompt(out);
        }
        Effect::None
    }

    /// Write command output, through the pager when paging is on and it is long; true if the
    /// pager now holds the rest (the prompt comes after the last page, not now).
    fn output(&mut self, text: &str, out: &mut Vec<u8>) -> bool {
        match emit(text, self.paging, &self.p.terminal, out) {
            Shown::All => false,
            Shown::Paged(pager) => {
                self.pager = Some(pager);
                true
            }
        }
    }

    /// Output followed by the prompt (unless the pager holds the rest).
    fn output_then_prompt(&mut self, text: &str, out: &mut Vec<u8>) {
        if !self.output(text, out) {
            self.prompt(out);
        }
    }

    fn enter(&mut self, out: &mut Vec<u8>) -> Effect {
        out.extend_from_slice(b"\r\n");
        self.lines_seen += 1;
        let line = self.editor.take();
        if self.dialog.is_some() {
            return self.answer(line.trim(), out);
        }
        if line.trim().is_empty() {
            self.prompt(out);
            return Effect::None;
        }
        self.model.count_command();
        self.run(&line, out)
    }

    fn run(&mut self, line: &str, out: &mut Vec<u8>) -> Effect {
        let toks = tokenize(line);
        let levels = self.modes.levels(&self.p);
        let (matched, incomplete) = match lookup(&self.p, &levels, line, &toks) {
            Lookup::Found { cmd, vars, depth } => {
                // Commands from an ancestor view leave the sub-views first.
                self.modes.pop_levels(depth);
                return self.begin(cmd, vars, out);
            }
            Lookup::NotFound {
                matched,
                incomplete,
            } => (matched, incomplete),
        };
        let prompt = self.prompt_text();
        let prompt_col = prompt.rsplit('\n').next().map_or(0, |l| l.chars().count());
        let vars = error_vars(prompt_col, line, &toks, matched, incomplete);
        let m = &self.p.messages;
        let t = if incomplete {
            &m.err_incomplete
        } else {
            &m.err_unknown
        };
        let msg = self.render(t, &vars);
        self.output_then_prompt(&msg, out);
        Effect::None
    }

    fn begin(&mut self, cmd: usize, vars: OwnedVars, out: &mut Vec<u8>) -> Effect {
        if self.p.commands[cmd].confirm.is_empty() {
            return self.finish(cmd, vars, out);
        }
        self.dialog = Some(Dialog { cmd, step: 0, vars });
        self.next_step(out)
    }

    /// Show the next dialog step that applies, or run the command when none is left.
    fn next_step(&mut self, out: &mut Vec<u8>) -> Effect {
        let p = self.p.clone();
        loop {
            let Some(d) = self.dialog.as_ref() else {
                return Effect::None;
            };
            let c = &p.commands[d.cmd];
            let Some(s) = c.confirm.get(d.step) else {
                let Some(d) = self.dialog.take() else {
                    return Effect::None;
                };
                return self.finish(d.cmd, d.vars, out);
            };
            if s.if_uncommitted && !self.candidate.is_dirty(&self.model.state()) {
                if let Some(d) = self.dialog.as_mut() {
                    d.step += 1;
                }
                continue;
            }
            crlf(&self.render(&s.prompt, &d.vars), out);
            return Effect::None;
        }
    }

    fn answer(&mut self, typed: &str, out: &mut Vec<u8>) -> Effect {
        let p = self.p.clone();
        let Some(d) = self.dialog.as_ref() else {
            return Effect::None;
        };
        let step = &p.commands[d.cmd].confirm[d.step];
        match judge(step, typed, |a| self.model.secret_matches(a)) {
            Verdict::AskAgain => crlf(&self.render(&step.prompt, &d.vars), out),
            Verdict::Abort => {
                let msg = self.render(&step.abort, &d.vars);
                self.dialog = None;
                self.output_then_prompt(&msg, out);
            }
            Verdict::Continue { answer, set } => {
                if let Some(op) = set {
                    let vars = d.vars.clone();
                    self.apply(op, &vars);
                }
                if let Some(d) = self.dialog.as_mut() {
                    d.vars.0.push(("answer".into(), answer));
                    d.step += 1;
                }
                return self.next_step(out);
            }
        }
        Effect::None
    }

    /// The change an operation makes, with its templates rendered; `None` if it is not a
    /// configuration change or its value is out of range.
    fn change(&self, op: &SetOp, vars: &OwnedVars) -> Option<Change> {
        let r = |t: &Template| self.render(t, vars);
        Some(match op {
            SetOp::Hostname(t) => Change::Hostname(r(t)),
            SetOp::InterfaceDescription { interface, text } => {
                Change::Description(r(interface), r(text))
            }
            SetOp::UndoDescription { interface } => Change::UndoDescription(r(interface)),
            SetOp::Vlan(t) => match r(t).parse::<u32>() {
                Ok(v) if (1..=4094).contains(&v) => Change::Vlan(v),
                _ => return None,
            },
            SetOp::IdleTimeout { minutes, seconds } => {
                let m: u64 = r(minutes).parse().unwrap_or(0);
                let s: u64 = r(seconds).parse().unwrap_or(0);
                Change::Idle(Duration::from_secs(m.saturating_mul(60).saturating_add(s)))
            }
            SetOp::Paging(_) | SetOp::Commit | SetOp::Discard => return None,
        })
    }

    fn apply(&mut self, op: &SetOp, vars: &OwnedVars) {
        match op {
            SetOp::Paging(on) => self.paging = *on,
            SetOp::Commit => self.candidate.commit(&self.p, &mut self.model.state()),
            SetOp::Discard => self.candidate.discard(&mut self.model.state()),
            _ => {
                let Some(change) = self.change(op, vars) else {
                    return;
                };
                let in_config = self.p.modes[self.modes.current()].config;
                let mut st = self.model.state();
                self.candidate.change(&self.p, &mut st, in_config, change);
            }
        }
    }

    fn finish(&mut self, ci: usize, vars: OwnedVars, out: &mut Vec<u8>) -> Effect {
        let p = self.p.clone();
        let c = &p.commands[ci];
        if let Some(op) = &c.set {
            self.apply(op, &vars);
        }
        if let Some(slow) = &c.slow {
            return self.start_slow(ci, slow, vars, out);
        }
        let mut paged = false;
        if let Some(o) = &c.output {
            let text = self.render(o, &vars);
            paged = self.output(&text, out);
        }
        if let Some(m) = c.enter {
            let ctx = c.ctx.as_ref().map(|t| self.render(t, &vars));
            self.modes.push(m, ctx.unwrap_or_default());
        }
        if let Some(x) = c.exit {
            if !self.modes.leave(x, &p) {
                self.phase = Phase::Closed;
                return Effect::Close;
            }
        }
        if !paged {
            self.prompt(out);
        }
        Effect::None
    }

    fn start_slow(
        &mut self,
        cmd: usize,
        slow: &Slow,
        vars: OwnedVars,
        out: &mut Vec<u8>,
    ) -> Effect {
        let head = self.render(&slow.head, &vars);
        crlf(&head, out);
        if !head.is_empty() && !head.ends_with('\n') {
            out.extend_from_slice(b"\r\n");
        }
        self.slow.busy = Some(Busy {
            cmd,
            vars,
            seq: 0,
            aborted: false,
        });
        Effect::Slow(slow.interval)
    }

    /// Advance a slow command by one line; returns the next effect (Slow again while running).
    pub fn slow_tick(&mut self, out: &mut Vec<u8>) -> Effect {
        let p = self.p.clone();
        let Some(bz) = self.slow.busy.as_mut() else {
            return Effect::None;
        };
        let Some(slow) = p.commands[bz.cmd].slow.as_ref() else {
            self.slow.busy = None;
            return Effect::None;
        };
        if !bz.aborted {
            bz.seq += 1;
            let mut vars = bz.vars.clone();
            vars.0.push(("seq".into(), bz.seq.to_string()));
            let done = bz.seq >= slow.count;
            crlf(&self.render(&slow.line, &vars), out);
            if !slow.inline {
                out.extend_from_slice(b"\r\n");
            }
            if !done {
                return Effect::Slow(slow.interval);
            }
        }
        let Some(bz) = self.slow.busy.take() else {
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
        self.output_then_prompt(&text, out);
        self.slow.draining = true;
        Effect::SlowDone
    }

    /// After the slow command's last output was handed to the transport: run typed-ahead input.
    pub fn finish_slow(&mut self, out: &mut Vec<u8>) -> Effect {
        self.slow.draining = false;
        let queued = self.slow.take_queued();
        self.feed(&queued, out)
    }
}

/// Session-level template variables: the mode context and whether changes are uncommitted.
struct SessVars<'a> {
    ctx: &'a str,
    uncommitted: bool,
}

impl Vars for SessVars<'_> {
    fn get(&self, key: &str) -> Option<Cow<'_, str>> {
        match key {
            "ctx" => Some(Cow::Borrowed(self.ctx)),
            "uncommitted" => Some(Cow::Borrowed(if self.uncommitted { "1" } else { "" })),
            _ => None,
        }
    }
}
