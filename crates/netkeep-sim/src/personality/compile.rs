//! Raw personality file → compiled [`Personality`]: templates parsed, mode names resolved to
//! indexes, `@output` references looked up, command patterns parsed.

use std::collections::HashMap;

use super::config::{compile_config, compile_filters};
use super::kinds::StepKind;
use super::pattern::parse_pattern;
use super::raw::{RawCommand, RawPersonality, RawSet, RawSlow, RawStep};
use super::telnet::compile_telnet;
use super::types::{
    Choice, Command, IfType, Inventory, Messages, Mode, Personality, SetOp, Slow, Step, Terminal,
};
use crate::error::SimError;
use crate::template::Template;

/// Parses and compiles a personality file; `source` names it in errors.
pub(super) fn compile(source: &str, text: &str) -> Result<Personality, SimError> {
    let raw: RawPersonality =
        serde_norway::from_str(text).map_err(|e| bad(source, format!("YAML: {e}")))?;
    let c = Compiler { source, raw: &raw };
    let modes = raw
        .modes
        .iter()
        .map(|m| c.mode(m))
        .collect::<Result<_, _>>()?;
    let commands = raw
        .commands
        .iter()
        .map(|x| c.command(x))
        .collect::<Result<_, _>>()?;
    let mut outputs = HashMap::new();
    for (k, v) in &raw.outputs {
        outputs.insert(k.clone(), c.t(v)?);
    }
    let tmpl = |s: &str| c.output("config", s).map_err(|e| e.to_string());
    let config = compile_config(raw.config.as_ref(), &tmpl).map_err(|e| c.bad(e))?;
    let filters = compile_filters(raw.filters.as_ref(), &tmpl).map_err(|e| c.bad(e))?;
    let plain = |s: &str| c.t(s).map_err(|e| e.to_string());
    let telnet = compile_telnet(&raw.telnet, &plain).map_err(|e| c.bad(e))?;
    let tables = raw
        .tables
        .iter()
        .map(|(k, rows)| {
            let rows = rows
                .iter()
                .map(|r| r.iter().map(|(a, b)| (a.clone(), b.clone())).collect())
                .collect();
            (k.clone(), rows)
        })
        .collect();
    Ok(Personality {
        platform: raw.platform.clone(),
        default_hostname: raw.default_hostname.clone(),
        terminal: c.terminal(),
        messages: c.messages()?,
        inventory: c.inventory()?,
        initial_mode: c.mode_index(&raw.initial_mode)?,
        login_options: raw.login_options,
        candidate: raw.candidate_config,
        modes,
        commands,
        outputs,
        config,
        filters,
        tables,
        enable_secret: raw.enable_secret,
        echo_wrap: raw.echo_wrap,
        telnet,
    })
}

fn bad(source: &str, reason: String) -> SimError {
    SimError::Personality {
        platform: source.to_string(),
        reason,
    }
}

struct Compiler<'a> {
    source: &'a str,
    raw: &'a RawPersonality,
}

impl Compiler<'_> {
    fn bad(&self, reason: String) -> SimError {
        bad(self.source, reason)
    }

    fn t(&self, s: &str) -> Result<Template, SimError> {
        Template::parse(s).map_err(|e| self.bad(format!("template {s:?}: {e}")))
    }

    fn mode_index(&self, m: &str) -> Result<usize, SimError> {
        self.raw
            .modes
            .iter()
            .position(|x| x.name == m)
            .ok_or_else(|| self.bad(format!("unknown mode {m:?}")))
    }

    fn mode(&self, m: &super::raw::RawMode) -> Result<Mode, SimError> {
        Ok(Mode {
            prompt: self.t(&m.prompt)?,
            parent: m
                .parent
                .as_deref()
                .map(|p| self.mode_index(p))
                .transpose()?,
            inherit: m.inherit,
            config: m.config,
            config_words: m
                .config_words
                .iter()
                .map(|w| w.to_ascii_lowercase())
                .collect(),
            privilege: m.privilege,
        })
    }

    fn terminal(&self) -> Terminal {
        let r = self.raw;
        Terminal {
            nul: r.nul,
            activity: r.activity,
            default_idle_timeout: r.default_idle_timeout,
            ctrl_c: r.ctrl_c.clone(),
            page_length: r.paging.length.max(2),
            more: r.paging.more.clone(),
            more_erase: r.paging.erase.clone(),
        }
    }

    fn messages(&self) -> Result<Messages, SimError> {
        let r = self.raw;
        Ok(Messages {
            idle_timeout: self.t(&r.idle_timeout_message)?,
            vty_refused: self.t(&r.vty_refused_message)?,
            unsolicited: self.t(&r.unsolicited_line)?,
            banner: r.banner.as_deref().map(|b| self.t(b)).transpose()?,
            banner_confirm: r.banner_confirm,
            banner_always: r.banner_always,
            motd: self.t(&r.motd)?,
            err_unknown: self.t(&r.errors.unknown)?,
            err_incomplete: self.t(&r.errors.incomplete)?,
        })
    }

    fn inventory(&self) -> Result<Inventory, SimError> {
        let r = self.raw;
        Ok(Inventory {
            if_types: r
                .interface_types
                .iter()
                .map(|i| IfType {
                    name: i.name.clone(),
                    short: i.short.clone(),
                })
                .collect(),
            initial_interfaces: r.interfaces.initial.clone(),
            padding_interface: self.t(&r.interfaces.padding)?,
            ports_per_slot: r.interfaces.ports_per_slot.max(1),
            vlan_name: self.t(&r.vlan_name)?,
            arp: r.arp.clone(),
            vty_first: r.vty_first,
            vty_last: r.vty_last,
        })
    }

    fn command(&self, c: &RawCommand) -> Result<Command, SimError> {
        let what = format!("command {:?}", c.cmd);
        Ok(Command {
            pattern: parse_pattern(&c.cmd).map_err(|e| self.bad(e))?,
            modes: c
                .modes
                .iter()
                .map(|m| self.mode_index(m))
                .collect::<Result<_, _>>()?,
            output: c
                .output
                .as_deref()
                .map(|o| self.output(&what, o))
                .transpose()?,
            enter: c.enter.as_deref().map(|m| self.mode_index(m)).transpose()?,
            ctx: c.ctx.as_deref().map(|t| self.t(t)).transpose()?,
            exit: c.exit,
            set: c.set.as_ref().map(|s| self.set(&what, s)).transpose()?,
            confirm: c
                .confirm
                .iter()
                .map(|s| self.step(&what, s))
                .collect::<Result<_, _>>()?,
            slow: c.slow.as_ref().map(|s| self.slow(s)).transpose()?,
            block: c.block.as_deref().map(|t| self.t(t)).transpose()?,
            section: c.section.as_deref().map(|t| self.t(t)).transpose()?,
            run_in: c
                .run_in
                .as_deref()
                .map(|m| self.mode_index(m))
                .transpose()?,
        })
    }

    /// An output template, or `@name` for one of the file's `outputs`.
    fn output(&self, what: &str, o: &str) -> Result<Template, SimError> {
        let Some(key) = o.strip_prefix('@') else {
            return self.t(o);
        };
        let src = self
            .raw
            .outputs
            .get(key)
            .ok_or_else(|| self.bad(format!("{what}: no output {key:?}")))?;
        self.t(src)
    }

    /// The changes of a `set`: one, or several made in order.
    fn set(&self, what: &str, r: &RawSet) -> Result<SetOp, SimError> {
        let mut ops = self.state_ops(r)?;
        ops.extend(self.session_ops(r)?);
        match ops.len() {
            0 => Err(self.bad(format!("{what}: `set` names no change"))),
            1 => Ok(ops.remove(0)),
            _ => Ok(SetOp::Many(ops)),
        }
    }

    /// The named state changes (hostname, description, VLAN, idle timeout).
    fn state_ops(&self, r: &RawSet) -> Result<Vec<SetOp>, SimError> {
        let mut ops = Vec::new();
        if let Some(v) = &r.hostname {
            ops.push(SetOp::Hostname(self.t(v)?));
        }
        if let Some(d) = &r.interface_description {
            ops.push(SetOp::InterfaceDescription {
                interface: self.t(&d.interface)?,
                text: self.t(&d.text)?,
            });
        }
        if let Some(d) = &r.undo_description {
            ops.push(SetOp::UndoDescription {
                interface: self.t(&d.interface)?,
            });
        }
        if let Some(v) = &r.vlan {
            ops.push(SetOp::Vlan(self.t(v)?));
        }
        if let Some(i) = &r.idle_timeout {
            ops.push(SetOp::IdleTimeout {
                minutes: self.t(&i.minutes)?,
                seconds: self.t(&i.seconds)?,
            });
        }
        Ok(ops)
    }

    /// Configuration lines, the candidate's operations, paging, width, save, reload.
    fn session_ops(&self, r: &RawSet) -> Result<Vec<SetOp>, SimError> {
        let mut ops = Vec::new();
        let templated = [
            (&r.config, SetOp::Config as fn(Template) -> SetOp),
            (&r.config_set, SetOp::ConfigSet),
            (&r.config_delete, SetOp::ConfigDelete),
            (&r.commit_confirmed, SetOp::CommitConfirmed),
            (&r.rollback, SetOp::Rollback),
            (&r.width, SetOp::Width),
        ];
        for (v, op) in templated {
            if let Some(v) = v {
                ops.push(op(self.t(v)?));
            }
        }
        if let Some(b) = r.paging {
            ops.push(SetOp::Paging(b));
        }
        if let Some(vars) = &r.session {
            let vars = vars
                .iter()
                .map(|(k, v)| Ok((k.clone(), self.t(v)?)))
                .collect::<Result<_, SimError>>()?;
            ops.push(SetOp::Session(vars));
        }
        let flags = [
            (r.commit, SetOp::Commit),
            (r.discard, SetOp::Discard),
            (r.commit_check, SetOp::CommitCheck),
            (r.save, SetOp::Save),
            (r.reload, SetOp::Reload),
        ];
        ops.extend(
            flags
                .into_iter()
                .filter(|(f, _)| *f == Some(true))
                .map(|(_, op)| op),
        );
        Ok(ops)
    }

    fn step(&self, what: &str, s: &RawStep) -> Result<Step, SimError> {
        let choices = s
            .choices
            .iter()
            .map(|c| {
                Ok(Choice {
                    answers: c.answers.iter().map(|a| a.to_ascii_lowercase()).collect(),
                    set: c.set.as_ref().map(|x| self.set(what, x)).transpose()?,
                    abort: c.abort,
                })
            })
            .collect::<Result<Vec<_>, SimError>>()?;
        if (s.kind == StepKind::Choice) == choices.is_empty() {
            return Err(self.bad(format!(
                "{what}: `choices` go with `kind: choice`, and only with it"
            )));
        }
        Ok(Step {
            prompt: self.t(&s.prompt)?,
            kind: s.kind,
            default: s.default.clone(),
            abort: self.t(&s.abort)?,
            if_uncommitted: s.if_uncommitted,
            if_unsaved: s.if_unsaved,
            unless: s.unless.clone(),
            choices,
            var: s.var.clone(),
            if_no_secret: s.if_no_secret,
            refusal: self.t(&s.refusal)?,
        })
    }

    fn slow(&self, s: &RawSlow) -> Result<Slow, SimError> {
        Ok(Slow {
            head: self.t(&s.head)?,
            line: self.t(&s.line)?,
            count: self.t(&s.count)?,
            interval: s.interval,
            tail: self.t(&s.tail)?,
            aborted: self.t(&s.aborted)?,
            inline: s.inline,
            per_line: s.per_line,
        })
    }
}
