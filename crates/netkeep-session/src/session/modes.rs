//! Moving the CLI between modes along the platform's transitions: into configuration mode and
//! back, and into the privileged (`enable`) mode.

use netkeep_transport::Secret;

use super::io::{Ended, Exchange};
use super::modemap::ModeId;
use super::pattern::{compile, compile_answers};
use super::state::{Core, Io};
use crate::error::Error;

/// Who asked for a mode change: decides what is typed at an enable password prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asked {
    /// The caller asked for privileged mode (`enable()`, `enable: true`): the enable secret
    /// given, else the login password.
    Explicitly,
    /// On the way to another mode (configuration): only an enable secret the caller gave.
    OnTheWay,
}

impl Core {
    /// The secret to type at an enable password prompt, if there is one to type.
    fn enable_secret(&self, asked: Asked) -> Option<&Secret> {
        let s = &self.settings;
        match asked {
            Asked::Explicitly => s.enable_secret.as_ref().or(s.login_password.as_ref()),
            Asked::OnTheWay => s.enable_secret.as_ref(),
        }
    }

    /// Moves the CLI to `target` along the platform's transitions; returns their output.
    pub(crate) async fn goto_mode(
        &self,
        io: &mut Io,
        target: ModeId,
        asked: Asked,
    ) -> Result<String, Error> {
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
            // A password prompt is answered once at most: asked again, the secret was refused,
            // and guessing on would count against the account.
            let password = t
                .password_prompt
                .as_deref()
                .map(|p| compile(&self.device, p))
                .transpose()?;
            let secret = password.as_ref().and(self.enable_secret(asked));
            if let (Some(p), Some(s)) = (&password, secret) {
                answers.push((p.clone(), s.expose().to_string()));
            }
            let x = Exchange {
                answers: &answers,
                expect: password.as_ref(),
                ..Exchange::new(&t.send, "changing mode", self.settings.read_timeout)
            };
            let (out, ended) = self.exchange(io, x).await?;
            if !transcript.is_empty() && !out.is_empty() {
                transcript.push('\n');
            }
            transcript.push_str(&out);
            if ended == Ended::Expect {
                return Err(self.privilege_refused(io, &t.send, secret.is_some()).await);
            }
            if io.mode != to {
                if password.is_some() {
                    return Err(Error::PrivilegeRefused {
                        device: self.device.clone(),
                        message: format!(
                            "`{}` did not reach mode {} (the device answered {:?}, prompt {:?}); check the enable secret",
                            t.send,
                            self.modes.name(to),
                            out.trim(),
                            io.prompt
                        ),
                    });
                }
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

    /// The device waits at a password prompt we will not (or no longer) answer: the session is
    /// closed — the device frees the line — rather than typing a guess.
    async fn privilege_refused(&self, io: &mut Io, send: &str, typed: bool) -> Error {
        let message = if typed {
            format!("`{send}`: the enable secret was refused (the device asked for it again); the session was closed rather than try again")
        } else {
            format!("`{send}` asks for an enable secret and none was given: set one (inventory `secret_env`/`secret_file`, or Netmiko's `secret` in connection_options; NETKEEP_SECRET or --secret-file for a direct session; ConnectOptions::enable_secret) — the login password is typed only when privileged mode is asked for explicitly; the session was closed without typing anything")
        };
        let e = self.life.end(Error::PrivilegeRefused {
            device: self.device.clone(),
            message,
        });
        io.terminal.close().await;
        self.link.disconnect().await;
        e
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
