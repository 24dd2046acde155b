//! Mode changes a caller asks for by name (Netmiko's `config_mode`, `exit_config_mode`,
//! `check_config_mode`, `check_enable_mode`, `exit_enable_mode`), on the platform's transitions.
//! Configuration sets and `enable` move between modes on their own; these are for scripts that
//! drive the modes themselves.

use super::api::Session;
use super::io::Exchange;
use super::modemap::ModeId;
use super::modes::Asked;
use crate::error::Error;

impl Session {
    /// Enters configuration mode (through `enable` where the platform needs it, typing only an
    /// enable secret that was given); returns what the device showed on the way. Until
    /// [`Session::exit_config_mode`], commands run in configuration mode.
    ///
    /// ```no_run
    /// # async fn f(s: netkeep_session::Session) -> Result<(), netkeep_session::Error> {
    /// s.config_mode().await?;
    /// assert!(s.check_config_mode().await?);
    /// s.exit_config_mode().await?;
    /// # Ok(()) }
    /// ```
    pub async fn config_mode(&self) -> Result<String, Error> {
        let core = &self.core;
        let Some(target) = core.modes.config_mode() else {
            return Err(self.unsupported("configuration mode"));
        };
        let mut io = core.io.lock().await;
        let io = &mut *io;
        core.drain(io, "entering configuration mode")?;
        if io.mode == target {
            return Ok(String::new());
        }
        core.goto_mode(io, target, Asked::OnTheWay).await
    }

    /// Leaves configuration mode for the mode it was entered from (answering the platform's
    /// exit questions; a two-stage platform drops what was not committed). Nothing if the CLI
    /// is not in configuration mode.
    pub async fn exit_config_mode(&self) -> Result<String, Error> {
        let core = &self.core;
        let mut io = core.io.lock().await;
        let io = &mut *io;
        core.drain(io, "leaving configuration mode")?;
        let to = core.modes.exec_of(io.mode);
        core.leave_config(io, to).await
    }

    /// True if the CLI is in configuration mode, judged from the prompt the device shows now
    /// (an empty line is sent and its prompt read).
    pub async fn check_config_mode(&self) -> Result<bool, Error> {
        let mode = self.current_mode().await?;
        Ok(self.core.modes.is_config(mode))
    }

    /// True if the CLI is in the platform's privileged mode (or a configuration mode under it),
    /// judged from the prompt shown now; true where the platform has no privileged mode.
    pub async fn check_enable_mode(&self) -> Result<bool, Error> {
        let mode = self.current_mode().await?;
        Ok(match self.core.modes.enable_mode() {
            None => true,
            Some(enable) => mode == enable || self.core.modes.is_config(mode),
        })
    }

    /// Leaves privileged mode (Cisco `disable`) for the unprivileged mode; the session's base
    /// mode is that mode from then on. Nothing where the platform has no privileged mode.
    pub async fn exit_enable_mode(&self) -> Result<String, Error> {
        let core = &self.core;
        let Some(enable) = core.modes.enable_mode() else {
            return Ok(String::new());
        };
        let Some(user) = self.unprivileged_mode(enable) else {
            return Ok(String::new());
        };
        let mut io = core.io.lock().await;
        let io = &mut *io;
        core.drain(io, "leaving privileged mode")?;
        let out = if io.mode == user {
            String::new()
        } else {
            core.goto_mode(io, user, Asked::OnTheWay).await?
        };
        io.base = user;
        Ok(out)
    }

    /// The mode the prompt shown now belongs to (an empty line is sent and its prompt read).
    async fn current_mode(&self) -> Result<ModeId, Error> {
        let core = &self.core;
        let x = Exchange::new("", "checking the mode", core.settings.read_timeout);
        let mut io = core.io.lock().await;
        core.exchange(&mut io, x).await?;
        Ok(io.mode)
    }

    /// The first non-configuration mode, other than privileged mode, that privileged mode leads
    /// to (IOS `user`).
    fn unprivileged_mode(&self, enable: ModeId) -> Option<ModeId> {
        let modes = &self.core.modes;
        (0..self.core.platform.modes().len())
            .map(ModeId::at)
            .find(|&m| m != enable && !modes.is_config(m) && modes.path(enable, m).is_some())
    }
}
