//! Moving the CLI between modes along the platform's transitions: into configuration mode and
//! back, and into the privileged (`enable`) mode.

use super::io::Exchange;
use super::modemap::ModeId;
use super::pattern::Answers;
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
        for step in path {
            let mut answers: Answers = step.answers.clone();
            if let Some(p) = &step.password_prompt {
                let secret = self.settings.enable_secret.as_ref();
                answers.push((
                    p.clone(),
                    secret.map(|s| s.expose().to_string()).unwrap_or_default(),
                ));
            }
            let x = Exchange {
                answers: &answers,
                ..Exchange::new(&step.send, "changing mode", self.settings.read_timeout)
            };
            let (out, _) = self.exchange(io, x).await?;
            transcript.push_str(&out);
            if io.mode != step.to {
                return Err(Error::CommandRejected {
                    device: self.device.clone(),
                    command: step.send.clone(),
                    indicator: format!(
                        "expected mode {}, prompt is {:?}",
                        self.modes.name(step.to),
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
        let Some((_, exit_answers)) = self.modes.config_mode() else {
            return Ok(String::new());
        };
        if !self.modes.is_config(io.mode) {
            return Ok(String::new());
        }
        let mut transcript = String::new();
        for step in self.modes.path(io.mode, to).unwrap_or_default() {
            let mut answers: Answers = step.answers.clone();
            answers.extend(exit_answers.iter().cloned());
            let x = Exchange {
                answers: &answers,
                ..Exchange::new(
                    &step.send,
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
