//! Moving the CLI between modes along the platform's transitions: into configuration mode and
//! back, and into the privileged (`enable`) mode.

use super::io::Exchange;
use super::modemap::ModeId;
use super::pattern::{compile, compile_answers};
use super::state::{Core, Io};
use crate::error::Error;

impl Core {
    /// Moves the CLI to `target` along the platform's transitions; returns their output.
    pub(crate) async fn goto_mode(&self, io: &mut Io, target: ModeId) -> Result<String, Error> {
        let Some(path) = self.modes.path(io.mode, target) else {
            let target = self.modes.name(target);
            return Err(Error::CommandRejected {
                device: self.device.clone(),
                command: format!("change to mode {target}"),
                indicator: format!(
                    "no transition from mode {} to {target} in the platform file",
                    self.modes.name(io.mode)
                ),
                output: String::new(),
            });
        };
        let mut transcript = String::new();
        for (t, to) in path {
            let mut answers = compile_answers(&self.device, &t.expect)?;
            if let Some(p) = &t.password_prompt {
                let secret = self.settings.enable_secret.as_ref();
                answers.push((
                    compile(&self.device, p)?,
                    secret.map(|s| s.expose().to_string()).unwrap_or_default(),
                ));
            }
            let x = Exchange {
                answers: &answers,
                ..Exchange::new(&t.send, "changing mode", self.settings.read_timeout)
            };
            let (out, _) = self.exchange(io, x).await?;
            transcript.push_str(&out);
            if io.mode != to {
                return Err(Error::CommandRejected {
                    device: self.device.clone(),
                    command: t.send.clone(),
                    indicator: format!(
                        "expected mode {}, prompt is {:?}",
                        self.modes.name(to),
                        io.prompt
                    ),
                    output: out,
                });
            }
        }
        Ok(transcript)
    }

    /// Leaves configuration mode for `to` (answering the platform's exit questions, such as
    /// Junos's uncommitted-changes prompt); nothing if the CLI is not in configuration mode.
    pub(crate) async fn leave_config(&self, io: &mut Io, to: ModeId) -> Result<String, Error> {
        let Some(cfg) = &self.platform.spec().config else {
            return Ok(String::new());
        };
        if !self.modes.is_config(io.mode) {
            return Ok(String::new());
        }
        let mut transcript = String::new();
        let Some(path) = self.modes.path(io.mode, to) else {
            return Ok(transcript);
        };
        for (t, _) in path {
            let mut answers = compile_answers(&self.device, &t.expect)?;
            answers.extend(compile_answers(&self.device, &cfg.exit_expect)?);
            let x = Exchange {
                answers: &answers,
                ..Exchange::new(
                    &t.send,
                    "leaving configuration mode",
                    self.settings.read_timeout,
                )
            };
            let (out, _) = self.exchange(io, x).await?;
            transcript.push_str(&out);
        }
        Ok(transcript)
    }
}
