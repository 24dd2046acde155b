//! The platform's modes, resolved once per session: a mode is a small index ([`ModeId`]), a
//! prompt maps to one, and the way between any two modes is looked up, not searched.

use netkeep_platform::Platform;
use regex::Regex;

use super::pattern::{compile, compile_answers, Answers};
use crate::error::Error;

/// A mode of the session's platform: its index in the platform file's mode list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ModeId(usize);

/// One transition: what to type, the questions it may ask, the mode it leads to.
#[derive(Debug)]
pub(crate) struct Step {
    pub send: String,
    pub to: ModeId,
    /// The transition's questions and answers, in order.
    pub answers: Answers,
    /// A password prompt (answered with the enable secret).
    pub password_prompt: Option<Regex>,
}

/// The mode graph of one platform.
#[derive(Debug)]
pub(crate) struct ModeMap {
    names: Vec<String>,
    prompts: Vec<Regex>,
    config: Vec<bool>,
    /// `paths[from][to]`: the transitions from one mode to another, if there is a way.
    paths: Vec<Vec<Option<Vec<Step>>>>,
    /// The non-configuration mode to return to from each mode.
    exec_of: Vec<ModeId>,
    /// The platform's configuration mode and what to answer when leaving it.
    config_mode: Option<(ModeId, Answers)>,
    enable_mode: Option<ModeId>,
}

impl ModeMap {
    /// Resolves the platform's modes (names, transitions) into indices once.
    pub fn new(device: &str, p: &Platform) -> Result<ModeMap, Error> {
        let n = p.modes().len();
        let id = |name: &str| p.modes().iter().position(|m| m.name == name).map(ModeId);
        let mut paths = Vec::with_capacity(n);
        for from in p.modes() {
            let mut row = Vec::with_capacity(n);
            for to in p.modes() {
                row.push(match p.path(&from.name, &to.name) {
                    None => None,
                    Some(chain) => Some(
                        chain
                            .into_iter()
                            .map(|t| {
                                Ok(Step {
                                    send: t.send.clone(),
                                    to: id(&t.to).unwrap_or(ModeId(0)),
                                    answers: compile_answers(device, &t.expect)?,
                                    password_prompt: t
                                        .password_prompt
                                        .as_deref()
                                        .map(|pp| compile(device, pp))
                                        .transpose()?,
                                })
                            })
                            .collect::<Result<Vec<_>, Error>>()?,
                    ),
                });
            }
            paths.push(row);
        }
        let config_mode = match &p.spec().config {
            Some(c) => id(&c.mode)
                .map(|m| Ok::<_, Error>((m, compile_answers(device, &c.exit_expect)?)))
                .transpose()?,
            None => None,
        };
        let mut map = ModeMap {
            names: p.modes().iter().map(|m| m.name.clone()).collect(),
            prompts: p.modes().iter().map(|m| m.prompt.clone()).collect(),
            config: p.modes().iter().map(|m| m.config).collect(),
            paths,
            exec_of: Vec::new(),
            config_mode,
            enable_mode: p.spec().enable.as_ref().and_then(|e| id(&e.mode)),
        };
        map.exec_of = (0..n).map(|m| map.find_exec(ModeId(m))).collect();
        Ok(map)
    }

    /// The latest non-configuration mode (in file order) reachable from `from`; `from` itself
    /// if it is not a configuration mode.
    fn find_exec(&self, from: ModeId) -> ModeId {
        if !self.is_config(from) {
            return from;
        }
        (0..self.names.len())
            .rev()
            .map(ModeId)
            .find(|&m| !self.is_config(m) && self.path(from, m).is_some())
            .unwrap_or(from)
    }

    /// The mode whose prompt matches `line` (a cleaned last line of output), if any.
    pub fn of_prompt(&self, line: &str) -> Option<ModeId> {
        self.prompts
            .iter()
            .position(|r| r.is_match(line))
            .map(ModeId)
    }

    /// The mode's name in the platform file.
    pub fn name(&self, m: ModeId) -> &str {
        &self.names[m.0]
    }

    /// True for a configuration mode.
    pub fn is_config(&self, m: ModeId) -> bool {
        self.config[m.0]
    }

    /// The transitions from `from` to `to` (empty if equal; `None` if there is no way).
    pub fn path(&self, from: ModeId, to: ModeId) -> Option<&[Step]> {
        self.paths[from.0][to.0].as_deref()
    }

    /// The non-configuration mode to return to from `m`.
    pub fn exec_of(&self, m: ModeId) -> ModeId {
        self.exec_of[m.0]
    }

    /// The configuration mode and the answers for leaving it, if the platform has one.
    pub fn config_mode(&self) -> Option<(ModeId, &Answers)> {
        self.config_mode.as_ref().map(|(m, a)| (*m, a))
    }

    /// The privileged mode `enable` leads to, if the platform has one.
    pub fn enable_mode(&self) -> Option<ModeId> {
        self.enable_mode
    }

    /// The first mode of the file (the session's mode until the first prompt says otherwise).
    pub fn first(&self) -> ModeId {
        ModeId(0)
    }
}
