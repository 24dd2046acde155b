//! The one CLI engine: turns received bytes into echo, outputs, prompts and [`Effect`]s, driven
//! entirely by a [`Personality`] over a device [`Model`]. No I/O here: a front end (the SSH
//! handler; a telnet one can sit beside it) feeds it the bytes it received, sends what it
//! writes, and acts on the effect (close the session, tick a slow command, reboot).
//!
//! Its parts, each on its own: `editor.rs` (line editing and echo wrapping), `screen.rs` (CRLF
//! and the pager), `modes.rs` (the mode stack and the configuration block being edited),
//! `matcher.rs` (which command a line is), `filter.rs` (`| include` and friends), `dialog.rs`
//! (questions a command asks), `config_edit.rs` (configuration lines into tree changes),
//! `candidate.rs` (uncommitted changes), `slow.rs` (ping-like commands), `sess_vars.rs`
//! (session variables of templates). This file wires them: input → command → change/output.

mod candidate;
mod config_edit;
mod dialog;
mod editor;
mod filter;
mod matcher;
mod modes;
mod screen;
mod sess_vars;
mod slow;
mod slow_run;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use candidate::Candidate;
use config_edit::{accepting_level, changes, edit, line_change};
use dialog::{judge, Dialog, Verdict};
use editor::LineEditor;
use matcher::{error_vars, lookup, tokenize, Lookup};
use modes::ModeStack;
use screen::{emit, Pager, Shown};
use sess_vars::SessVars;
use slow::SlowState;

use crate::model::{compare, render, render_section, Change, DeviceVars, Model};
use crate::personality::{
    BannerKeys, Command, NoSecret, NulMode, Personality, SetOp, Slow, StepKind,
};
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
    /// The device reboots (a confirmed `reload`): send the output, then reboot it.
    Reboot,
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
    /// Output filters of the command being run.
    filter: Option<filter::Chain>,
    /// Terminal width in columns (0: unlimited).
    width: usize,
    /// The command line being run (for error messages).
    line: String,
    /// Session variables: login options, what commands set.
    vars: Vec<(String, String)>,
    /// Complete lines received (for line-based idle activity).
    pub lines_seen: u64,
    /// Command lines this session ran (shared: the device's counters list it per session).
    commands: Arc<AtomicU64>,
}

const NO_VARS: OwnedVars = OwnedVars(Vec::new());

/// Width assumed when the client asked for no PTY size.
const DEFAULT_WIDTH: usize = 80;

impl Engine {
    /// A new session of `user` at the personality's initial mode. Where the personality has
    /// login options (`admin+ct`), they are split off the name into `opt_<letter>` variables.
    pub fn new(model: Arc<Model>, user: &str) -> Engine {
        let p = model.p.clone();
        let (user, vars) = login_options(p.login_options, user);
        let mut editor = LineEditor::default();
        editor.set_wrap(p.echo_wrap, DEFAULT_WIDTH);
        let mut modes = ModeStack::new(&p);
        if model.privileged_login() {
            modes.privileged(&p);
        }
        Engine {
            modes,
            candidate: Candidate::new(p.candidate),
            p,
            model,
            user,
            editor,
            phase: Phase::Cli,
            paging: true,
            pager: None,
            dialog: None,
            slow: SlowState::default(),
            filter: None,
            width: DEFAULT_WIDTH,
            line: String::new(),
            vars,
            lines_seen: 0,
            commands: Arc::default(),
        }
    }

    /// A session variable the front end knows, e.g. `{{protocol}}` (`SSH` or `telnet`:
    /// FastIron's `SSH@ICX7150#`).
    pub fn set_var(&mut self, key: &str, value: &str) {
        self.vars.retain(|(k, _)| k != key);
        self.vars.push((key.to_string(), value.to_string()));
    }

    /// This session's command count, live (for the device's per-session counters).
    pub fn commands_counter(&self) -> Arc<AtomicU64> {
        self.commands.clone()
    }

    /// The terminal width the client asked for (PTY request, window change, `terminal width`).
    pub fn set_width(&mut self, cols: usize) {
        self.width = cols;
        self.editor.set_wrap(self.p.echo_wrap, cols);
    }

    fn with_vars<R>(&self, extra: &dyn Vars, f: impl FnOnce(&Scope<'_>) -> R) -> R {
        let st = self.model.state();
        let selected = extra.get("if").unwrap_or_default();
        let vrf = extra.get("vrf").unwrap_or_default();
        let dv = DeviceVars::new(&self.p, &st, &self.user, self.model.uptime())
            .select(&selected)
            .vrf(&vrf);
        let candidate = || render(&self.p.config, &self.candidate.tree(&self.p, &st));
        let sess = SessVars {
            ctx: self.modes.ctx(),
            uncommitted: self.candidate.is_dirty(&st),
            privilege: self.modes.privilege(&self.p),
            width: self.width,
            candidate: &candidate,
            ctx_path: self.modes.ctx_path(),
            command_number: self.commands.load(Ordering::Relaxed) + 1,
            vars: &self.vars,
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

    fn prompt(&mut self, out: &mut Vec<u8>) {
        let text = self.prompt_text();
        let col = text.rsplit('\n').next().map_or(0, |l| l.chars().count());
        self.editor.set_start_col(col);
        crlf(&text, out);
    }

    fn motd_and_prompt(&mut self, out: &mut Vec<u8>) {
        crlf(&self.render(&self.p.messages.motd, &NO_VARS), out);
        self.prompt(out);
    }

    /// Text the session starts with: optional banner, the login text, the first prompt.
    pub fn start(&mut self, banner: bool, out: &mut Vec<u8>) {
        let p = self.p.clone();
        let banner = banner || p.messages.banner_always;
        if let (true, Some(b)) = (banner, &p.messages.banner) {
            crlf(&self.render(b, &NO_VARS), out);
            if p.messages.banner_confirm != BannerKeys::None {
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
        if self.step_kind() == Some(StepKind::Confirm) && (b >= 0x20 || b == b'\r' || b == b'\n') {
            return self.confirm_key(b, out);
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

    /// "Press Y or ENTER to continue, N to exit." (or "Press any key to continue").
    fn banner_key(&mut self, b: u8, out: &mut Vec<u8>) -> Effect {
        let any = self.p.messages.banner_confirm == BannerKeys::Any;
        match b {
            _ if any || matches!(b, b'y' | b'Y' | b'\r' | b'\n') => {
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

    /// `[confirm]`: one key answers, no Enter needed.
    fn confirm_key(&mut self, b: u8, out: &mut Vec<u8>) -> Effect {
        self.editor.set_after_cr(b == b'\r');
        out.extend_from_slice(b"\r\n");
        let key = match b {
            b'\r' | b'\n' => String::new(),
            b => char::from(b).to_string(),
        };
        self.answer(&key, out)
    }

    /// Ctrl-C at the prompt: drop the line and any question.
    fn interrupt(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.p.terminal.ctrl_c.as_bytes());
        out.extend_from_slice(b"\r\n");
        self.editor.clear();
        self.dialog = None;
        self.prompt(out);
    }

    fn step_kind(&self) -> Option<StepKind> {
        let d = self.dialog.as_ref()?;
        Some(self.p.commands[d.cmd].confirm.get(d.step)?.kind)
    }

    fn has_var(&self, name: &str) -> bool {
        self.vars.iter().any(|(k, _)| k == name)
    }

    fn secret_input(&self) -> bool {
        self.step_kind() == Some(StepKind::Secret)
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
    fn output(&mut self, text: &str, paging: bool, out: &mut Vec<u8>) -> bool {
        match emit(text, self.paging && paging, &self.p.terminal, out) {
            Shown::All => false,
            Shown::Paged(pager) => {
                self.pager = Some(pager);
                true
            }
        }
    }

    /// Output followed by the prompt (unless the pager holds the rest).
    fn output_then_prompt(&mut self, text: &str, out: &mut Vec<u8>) {
        if !self.output(text, true, out) {
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
        self.commands.fetch_add(1, Ordering::Relaxed);
        let levels = self.modes.levels(&self.p);
        self.line.clone_from(&line);
        self.run(&line, &levels, out)
    }

    /// Runs a command line with the commands of `levels` (the current mode and the modes it
    /// inherits from, or the mode a `run`/`do` names).
    fn run(&mut self, line: &str, levels: &[usize], out: &mut Vec<u8>) -> Effect {
        if let Some(e) = self.run_filtered(line, levels, out) {
            return e;
        }
        let toks = tokenize(line);
        let (matched, incomplete) = match lookup(&self.p, levels, line, &toks) {
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
        if let Some(change) = self.negated_block(line, levels) {
            self.record(change);
            self.prompt(out);
            return Effect::None;
        }
        if let Some(depth) = accepting_level(&self.p, levels, line) {
            self.modes.pop_levels(depth);
            let change = line_change(&self.p.config, self.modes.path(), line);
            self.record(change);
            self.prompt(out);
            return Effect::None;
        }
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

    /// `no interface Loopback9`: the negation of a command that opens a block removes the block
    /// (named as the command names it).
    fn negated_block(&mut self, line: &str, levels: &[usize]) -> Option<Change> {
        let (first, rest) = line.trim().split_once(char::is_whitespace)?;
        if !self
            .p
            .config
            .negate
            .iter()
            .any(|n| n.eq_ignore_ascii_case(first))
        {
            return None;
        }
        let toks = tokenize(rest);
        let Lookup::Found { cmd, vars, depth } = lookup(&self.p, levels, rest, &toks) else {
            return None;
        };
        let block = self.p.commands[cmd].block.as_ref()?;
        let line = self.render(block, &vars);
        self.modes.pop_levels(depth);
        Some(Change::Remove {
            path: self.modes.path(),
            line,
        })
    }

    /// `show … | filter`: runs the command with its filters if the line is one.
    fn run_filtered(&mut self, line: &str, levels: &[usize], out: &mut Vec<u8>) -> Option<Effect> {
        let (cmd_line, text) = filter::split(&self.p, line)?;
        let chain = filter::parse(&self.p, text)?;
        let toks = tokenize(cmd_line);
        let Lookup::Found { cmd, vars, depth } = lookup(&self.p, levels, cmd_line, &toks) else {
            return None;
        };
        if !filterable(&self.p.commands[cmd]) {
            return None;
        }
        self.modes.pop_levels(depth);
        self.filter = Some(chain);
        Some(self.begin(cmd, vars, out))
    }

    fn begin(&mut self, cmd: usize, vars: OwnedVars, out: &mut Vec<u8>) -> Effect {
        if let Some(mode) = self.p.commands[cmd].run_in {
            let line = vars.get("cmd").unwrap_or_default().into_owned();
            return self.run(&line, &[mode], out);
        }
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
            let no_secret = s.kind == StepKind::Secret && !self.model.has_secret();
            let skip = {
                let st = self.model.state();
                (s.if_uncommitted && !self.candidate.is_dirty(&st))
                    || (s.if_unsaved && st.saved)
                    || s.unless.as_ref().is_some_and(|v| self.has_var(v))
                    || (no_secret && s.if_no_secret == NoSecret::Skip)
            };
            if skip {
                if let Some(d) = self.dialog.as_mut() {
                    d.step += 1;
                }
                continue;
            }
            if no_secret && s.if_no_secret == NoSecret::Refuse {
                let msg = self.render(&s.refusal, &d.vars);
                self.dialog = None;
                self.output_then_prompt(&msg, out);
                return Effect::None;
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
                    let _ = self.apply(op, &vars);
                }
                if let Some(d) = self.dialog.as_mut() {
                    let name = step.var.clone().unwrap_or_else(|| "answer".into());
                    d.vars.0.insert(0, (name, answer));
                    d.step += 1;
                }
                return self.next_step(out);
            }
        }
        Effect::None
    }

    /// Records a configuration change made in the current mode.
    fn record(&mut self, c: Change) {
        let in_config = self.p.modes[self.modes.current()].config;
        let mut st = self.model.state();
        self.candidate.change(&self.p, &mut st, in_config, c);
    }

    /// Makes the change an operation names; `Effect::Reboot` for a reload; `None` if the
    /// device refuses it.
    fn apply(&mut self, op: &SetOp, vars: &OwnedVars) -> Option<Effect> {
        let p = self.p.clone();
        let num = |t: &Template, default: u64| self.render(t, vars).parse().unwrap_or(default);
        match op {
            SetOp::Paging(on) => self.paging = *on,
            SetOp::Width(t) => self.set_width(num(t, 0) as usize),
            SetOp::Reload => return Some(Effect::Reboot),
            SetOp::CommitCheck => {}
            SetOp::CommitConfirmed(t) => {
                let minutes = num(t, 10).min(65_535) as u32;
                let deadline = Instant::now() + self.model.minute() * minutes;
                self.candidate
                    .commit_confirmed(&p, &mut self.model.state(), deadline);
            }
            SetOp::Rollback(t) => {
                let n = num(t, 0) as usize;
                let mut st = self.model.state();
                match (n, st.rollback_tree(n)) {
                    (0, _) => self.candidate.discard(&mut st),
                    (_, Some(tree)) => self.candidate.load(&mut st, tree),
                    _ => {}
                }
            }
            SetOp::Save => self.model.state().save(),
            SetOp::Many(ops) => {
                let mut effect = Effect::None;
                for op in ops {
                    match self.apply(op, vars)? {
                        Effect::None => {}
                        e => effect = e,
                    }
                }
                return Some(effect);
            }
            SetOp::Session(set) => {
                for (k, t) in set {
                    let v = self.render(t, vars);
                    self.vars.retain(|(name, _)| name != k);
                    if !v.is_empty() {
                        self.vars.push((k.clone(), v));
                    }
                }
            }
            SetOp::Commit => self.candidate.commit(&p, &mut self.model.state()),
            SetOp::Discard => self.candidate.discard(&mut self.model.state()),
            _ => {
                let Some(edit) = edit(op, &|t| self.render(t, vars)) else {
                    return Some(Effect::None);
                };
                let list = changes(&p, &self.model.state(), self.modes.path(), edit)?;
                for c in list {
                    self.record(c);
                }
            }
        }
        Some(Effect::None)
    }

    /// The text a command shows: its output template (with `{{section}}` when it names a
    /// configuration path), the uncommitted changes for `| compare`, then its filters; and
    /// whether it may go through the pager.
    fn command_output(&mut self, c: &Command, o: &Template, mut vars: OwnedVars) -> (String, bool) {
        if let Some(sec) = &c.section {
            let path: Vec<String> = self
                .render(sec, &vars)
                .split(" / ")
                .map(|s| s.trim().to_string())
                .collect();
            let text = render_section(&self.p.config, &self.model.state().running, &path);
            vars.0.push(("section".into(), text.unwrap_or_default()));
        }
        let Some(chain) = self.filter.take() else {
            return (self.render(o, &vars), true);
        };
        let text = if chain.compare() {
            let st = self.model.state();
            compare(&st.running, &self.candidate.tree(&self.p, &st))
        } else {
            self.render(o, &vars)
        };
        (chain.apply(&self.p, text), !chain.no_more())
    }

    /// Enters the mode a command leads to, opening its configuration block.
    fn enter_mode(&mut self, c: &Command, mode: usize, vars: &OwnedVars) {
        let ctx = c.ctx.as_ref().map(|t| self.render(t, vars));
        let block = c.block.as_ref().map(|t| self.render(t, vars));
        if let Some(b) = &block {
            let mut path = self.modes.path();
            path.push(b.clone());
            if !self.candidate.has_block(&self.model.state(), &path) {
                self.record(Change::Block { path });
            }
        }
        self.modes.push(mode, ctx.unwrap_or_default(), block);
    }

    /// The device's error for the line being run (a `set` path it has no statement for),
    /// the caret under the first argument.
    fn refuse(&mut self, out: &mut Vec<u8>) -> Effect {
        let line = std::mem::take(&mut self.line);
        let toks = tokenize(&line);
        let prompt = self.prompt_text();
        let col = prompt.rsplit('\n').next().map_or(0, |l| l.chars().count());
        let vars = error_vars(col, &line, &toks, 1.min(toks.len()), false);
        let msg = self.render(&self.p.messages.err_unknown, &vars);
        self.output_then_prompt(&msg, out);
        Effect::None
    }

    fn finish(&mut self, ci: usize, vars: OwnedVars, out: &mut Vec<u8>) -> Effect {
        let p = self.p.clone();
        let c = &p.commands[ci];
        let mut effect = Effect::None;
        if let Some(op) = &c.set {
            match self.apply(op, &vars) {
                Some(e) => effect = e,
                None => return self.refuse(out),
            }
        }
        if let Some(slow) = &c.slow {
            return self.start_slow(ci, slow, vars, out);
        }
        let mut paged = false;
        if let Some(o) = &c.output {
            let (text, paging) = self.command_output(c, o, vars.clone());
            paged = self.output(&text, paging, out);
        }
        if let Some(m) = c.enter {
            self.enter_mode(c, m, &vars);
        }
        if let Some(x) = c.exit {
            if !self.modes.leave(x, &p) {
                self.phase = Phase::Closed;
                return Effect::Close;
            }
        }
        if !paged && effect != Effect::Reboot {
            self.prompt(out);
        }
        effect
    }
}

/// The user name without its login options, and the options as `opt_<letter>` variables
/// (`admin+ct511w4098h` → `admin`, `opt_c`, `opt_t`, `opt_w`, `opt_h`).
fn login_options(sep: Option<char>, user: &str) -> (String, Vec<(String, String)>) {
    let Some((name, opts)) = sep.and_then(|c| user.split_once(c)) else {
        return (user.to_string(), Vec::new());
    };
    let vars = opts
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| (format!("opt_{c}"), "1".to_string()))
        .collect();
    (name.to_string(), vars)
}

/// A command whose output a filter may follow: it shows something and changes nothing.
fn filterable(c: &Command) -> bool {
    c.output.is_some()
        && c.enter.is_none()
        && c.exit.is_none()
        && c.slow.is_none()
        && c.confirm.is_empty()
        && c.set.as_ref().is_none_or(|s| matches!(s, SetOp::Paging(_)))
}
