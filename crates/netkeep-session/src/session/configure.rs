//! Configuration sets: into configuration mode, the lines in order (stopping at the first the
//! device refuses), then what the caller asked — commit, check, nothing — and back out, dropping
//! what was not committed; save if asked. Also the way back to the session's base mode, and
//! save on its own.
//!
//! Everything the platform cannot do (commit on Comware, a confirmed commit without the
//! platform's words for it) is refused before a byte is sent.

use std::time::Duration;

use netkeep_platform::{ActionSpec, CommitSpec};

use super::io::Exchange;
use super::modemap::ModeId;
use super::modes::Asked;
use super::pattern::compile_answers;
use super::state::{Core, Io};
use crate::config::{CandidateState, ConfigLine, ConfigOutcome, ConfigSetOptions, Finish};
use crate::error::Error;

/// A configuration set checked against the platform before anything is sent.
struct Plan<'a> {
    config_mode: ModeId,
    /// The platform's commit (two-stage platforms).
    commit: Option<&'a CommitSpec>,
    /// The steps after the lines: (command, what it is).
    steps: Vec<(String, &'static str)>,
    /// Leave configuration mode at the end.
    exit: bool,
    save: Option<&'a ActionSpec>,
}

impl Core {
    fn unsupported(&self, what: &'static str) -> Error {
        Error::Unsupported {
            device: self.device.clone(),
            platform: self.platform.name().to_string(),
            what,
        }
    }

    /// The set's plan, or why the platform cannot do what was asked.
    fn plan(&self, opts: &ConfigSetOptions) -> Result<Plan<'_>, Error> {
        let spec = self.platform.spec();
        let config_mode = self
            .modes
            .config_mode()
            .ok_or_else(|| self.unsupported("configuration mode"))?;
        let commit = spec.commit.as_ref();
        let set_exit = spec.config.as_ref().is_some_and(|c| c.exit_after_set);
        let (steps, exit) = match &opts.finish {
            Finish::Nothing => (Vec::new(), opts.exit.unwrap_or(set_exit)),
            Finish::Commit { confirm, comment } => {
                let c = commit.ok_or_else(|| {
                    self.unsupported("commit (changes apply as they are typed; save them instead)")
                })?;
                if confirm.is_some() && c.confirmed.is_none() {
                    return Err(self.unsupported("commit that rolls back unless confirmed"));
                }
                if comment.is_some() && c.comment.is_none() {
                    return Err(self.unsupported("commit comment"));
                }
                let line = c.line(*confirm, comment.as_deref()).map_err(|message| {
                    Error::InvalidOption {
                        device: self.device.clone(),
                        message,
                    }
                })?;
                (vec![(line, "commit")], opts.exit.unwrap_or(c.exit_after))
            }
            Finish::Check => {
                let c = commit.filter(|c| c.check.is_some() || c.compare.is_some());
                let c = c.ok_or_else(|| self.unsupported("check (dry run) of a configuration"))?;
                let steps = [(&c.check, "check"), (&c.compare, "compare")]
                    .into_iter()
                    .filter_map(|(cmd, what)| cmd.clone().map(|cmd| (cmd, what)))
                    .collect();
                (steps, true)
            }
        };
        let save =
            match opts.save {
                true => Some(spec.save.as_ref().ok_or_else(|| {
                    self.unsupported("save command (changes are kept by commit)")
                })?),
                false => None,
            };
        Ok(Plan {
            config_mode,
            commit,
            steps,
            exit,
            save,
        })
    }

    /// Runs a configuration set (see [`crate::Session::configure`]).
    pub(crate) async fn configure(
        &self,
        io: &mut Io,
        lines: &[&str],
        opts: &ConfigSetOptions,
    ) -> Result<ConfigOutcome, Error> {
        let plan = self.plan(opts)?;
        self.drain(io, "configuration")?;
        let back_to = self.modes.exec_of(io.mode);
        let mut transcript = String::new();
        push_output(
            &mut transcript,
            &self
                .goto_mode(io, plan.config_mode, Asked::OnTheWay)
                .await?,
        );
        let finishing = opts.finish != Finish::Nothing;
        let mut done = Vec::with_capacity(lines.len());
        for line in lines {
            let prompt = io.prompt.clone();
            let out = self.command(io, line, opts.read_timeout).await?;
            push_line(&mut transcript, &prompt, line, &out);
            if let Some((indicator, bad)) = self.platform.failure_in(&out) {
                let err = Error::ConfigRejected {
                    device: self.device.clone(),
                    line: line.to_string(),
                    indicator: format!("{indicator} → {bad}"),
                    output: out,
                };
                if plan.exit || finishing {
                    self.leave(io, back_to, true).await?;
                }
                return Err(err);
            }
            done.push(ConfigLine {
                line: line.to_string(),
                output: out,
            });
        }
        let mut after = Vec::new();
        for (cmd, what) in &plan.steps {
            let prompt = io.prompt.clone();
            match self.step(io, cmd, what, plan.commit).await {
                Ok(l) => {
                    push_line(&mut transcript, &prompt, cmd, &l.output);
                    after.push(l);
                }
                Err(e) => {
                    if e.kind() == crate::ErrorKind::Rejected {
                        self.leave(io, back_to, true).await?;
                    }
                    return Err(e);
                }
            }
        }
        let committed = matches!(opts.finish, Finish::Commit { .. });
        let leaving = plan.exit || plan.save.is_some();
        if leaving {
            push_output(&mut transcript, &self.leave(io, back_to, !committed).await?);
        }
        let candidate = match &opts.finish {
            Finish::Commit { confirm, .. } => CandidateState::Committed { confirm: *confirm },
            Finish::Check => CandidateState::Checked,
            Finish::Nothing if plan.commit.is_none() => CandidateState::Applied,
            Finish::Nothing if leaving => CandidateState::Discarded,
            Finish::Nothing => CandidateState::Pending,
        };
        if let Some(save) = plan.save {
            let prompt = io.prompt.clone();
            let l = self.save(io, save).await?;
            push_line(&mut transcript, &prompt, &l.line, &l.output);
            after.push(l);
        }
        Ok(ConfigOutcome {
            lines: done,
            after,
            candidate,
            transcript,
        })
    }

    /// One command after the lines (commit, check, compare); a failure indicator in its
    /// answer is [`Error::CommandRejected`].
    async fn step(
        &self,
        io: &mut Io,
        cmd: &str,
        what: &str,
        commit: Option<&CommitSpec>,
    ) -> Result<ConfigLine, Error> {
        let (answers, timeout) = match commit.filter(|_| what == "commit") {
            Some(c) => (
                compile_answers(&self.device, &c.expect)?,
                self.platform
                    .action_timeout(c.timeout.as_deref(), Duration::from_secs(120)),
            ),
            None => (Vec::new(), self.settings.read_timeout),
        };
        let x = Exchange {
            answers: &answers,
            ..Exchange::new(cmd, what, timeout)
        };
        let (out, _) = self.exchange(io, x).await?;
        match self.rejected(cmd, &out) {
            Some(e) => Err(e),
            None => Ok(ConfigLine {
                line: cmd.to_string(),
                output: out,
            }),
        }
    }

    /// Saves the running configuration from a non-configuration mode (answering the save
    /// command's questions).
    pub(crate) async fn save(&self, io: &mut Io, save: &ActionSpec) -> Result<ConfigLine, Error> {
        let answers = compile_answers(&self.device, &save.expect)?;
        let timeout = self
            .platform
            .action_timeout(save.timeout.as_deref(), Duration::from_secs(120));
        let exec = self.modes.exec_of(io.mode);
        let config = match (save.in_config, self.modes.config_mode()) {
            (false, _) => None,
            (true, Some(c)) => Some(c),
            (true, None) => return Err(self.unsupported("configuration mode to save in")),
        };
        match config {
            Some(c) => drop(self.goto_mode(io, c, Asked::OnTheWay).await?),
            None if exec != io.mode => drop(self.leave(io, exec, true).await?),
            None => {}
        }
        let x = Exchange {
            answers: &answers,
            ..Exchange::new(&save.command, "save", timeout)
        };
        let (out, _) = self.exchange(io, x).await?;
        if config.is_some() {
            self.leave_config(io, exec).await?;
        }
        match self.rejected(&save.command, &out) {
            Some(e) => Err(e),
            None => Ok(ConfigLine {
                line: save.command.clone(),
                output: out,
            }),
        }
    }

    /// Leaves configuration mode for `to`. With `drop` on a two-stage platform, the uncommitted
    /// changes are dropped first by the platform's discard command (Junos `rollback 0`: leaving
    /// would keep them in the shared candidate); without one, leaving drops them (the exit
    /// question's answer). Nothing to do outside configuration mode.
    pub(crate) async fn leave(&self, io: &mut Io, to: ModeId, drop: bool) -> Result<String, Error> {
        let mut transcript = String::new();
        let discard = self
            .platform
            .spec()
            .commit
            .as_ref()
            .and_then(|c| c.discard.as_deref());
        if let (true, Some(cmd)) = (drop && self.modes.is_config(io.mode), discard) {
            let prompt = io.prompt.clone();
            let out = self.command(io, cmd, self.settings.read_timeout).await?;
            if let Some(e) = self.rejected(cmd, &out) {
                return Err(e);
            }
            push_line(&mut transcript, &prompt, cmd, &out);
        }
        push_output(&mut transcript, &self.leave_config(io, to).await?);
        Ok(transcript)
    }

    /// Brings the session back to its base mode (see [`crate::Session::restore_base_mode`]).
    pub(crate) async fn restore_base(&self, io: &mut Io) -> Result<bool, Error> {
        self.finish_unfinished(io).await?;
        self.drain(io, "returning to the base mode")?;
        if io.mode == io.base {
            return Ok(false);
        }
        let base = io.base;
        if self.modes.is_config(io.mode) {
            self.leave(io, base, true).await?;
        }
        if io.mode != base {
            self.goto_mode(io, base, Asked::Explicitly).await?;
        }
        Ok(true)
    }
}

/// Appends a mode change's or a step's own output, on its own line.
fn push_output(transcript: &mut String, out: &str) {
    if !out.is_empty() {
        transcript.push_str(out);
        transcript.push('\n');
    }
}

/// Appends `prompt` + `line` and the device's answer.
fn push_line(transcript: &mut String, prompt: &str, line: &str, out: &str) {
    transcript.push_str(prompt);
    transcript.push_str(line);
    transcript.push('\n');
    push_output(transcript, out);
}
