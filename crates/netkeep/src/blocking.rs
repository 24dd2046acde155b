//! A blocking wrapper for simple scripts: the same session, driven by a private runtime with one
//! worker thread (which also runs the keepalive task between your calls).
//!
//! ```no_run
//! use netkeep::{blocking, Auth, ConnectOptions, Secret};
//! let s = blocking::Session::connect(
//!     ConnectOptions::new("127.0.0.1", 2222, "hp_comware").username("admin")
//!         .auth(Auth::Password(Secret::new("admin"))),
//! )?;
//! println!("{}", s.send_command("display clock")?);
//! # Ok::<(), netkeep::Error>(())
//! ```

use std::time::Duration;

use crate::{
    Command, CommandOptions, ConfigOutcome, ConfigSetOptions, ConnectOptions, Error, KeepaliveStats,
};

/// Blocking counterpart of [`crate::Session`]. Do not use it from inside an async runtime.
pub struct Session {
    rt: tokio::runtime::Runtime,
    inner: crate::Session,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl Session {
    /// Connects (see [`crate::Session::connect`]).
    pub fn connect(opts: ConnectOptions) -> Result<Session, Error> {
        let device = opts.device();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| Error::ConnectionLost {
                device,
                step: "starting the runtime".into(),
                message: e.to_string(),
            })?;
        let inner = rt.block_on(crate::Session::connect(opts))?;
        Ok(Session { rt, inner })
    }

    /// The async session, for mixing styles.
    pub fn as_async(&self) -> &crate::Session {
        &self.inner
    }

    /// See [`crate::Session::send_command`].
    pub fn send_command(&self, cmd: &str) -> Result<String, Error> {
        self.rt.block_on(self.inner.send_command(cmd))
    }

    /// See [`crate::Session::send_command_with`].
    pub fn send_command_with(&self, cmd: &str, opts: &CommandOptions) -> Result<String, Error> {
        self.rt.block_on(self.inner.send_command_with(cmd, opts))
    }

    /// See [`crate::Session::send_command_timing`].
    pub fn send_command_timing(
        &self,
        cmd: &str,
        quiet: Duration,
        max: Duration,
    ) -> Result<String, Error> {
        self.rt
            .block_on(self.inner.send_command_timing(cmd, quiet, max))
    }

    /// See [`crate::Session::send`].
    pub fn send(&self, cmd: &Command) -> Result<String, Error> {
        self.rt.block_on(self.inner.send(cmd))
    }

    /// [`crate::Session::send_command_parsed`]: the output as records (TextFSM, ntc-templates).
    pub fn send_command_parsed(&self, cmd: &str) -> Result<crate::Records, Error> {
        self.rt.block_on(self.inner.send_command_parsed(cmd))
    }

    /// [`crate::Session::send_parsed`]: a command parsed with the templates given.
    pub fn send_parsed(
        &self,
        cmd: &Command,
        templates: &crate::Templates,
    ) -> Result<crate::Records, Error> {
        self.rt.block_on(self.inner.send_parsed(cmd, templates))
    }

    /// See [`crate::Session::configure`].
    pub fn configure(
        &self,
        lines: &[&str],
        opts: &ConfigSetOptions,
    ) -> Result<ConfigOutcome, Error> {
        self.rt.block_on(self.inner.configure(lines, opts))
    }

    /// See [`crate::Session::send_interactive`].
    pub fn send_interactive(&self, cmd: &str, steps: &[(&str, &str)]) -> Result<String, Error> {
        self.rt.block_on(self.inner.send_interactive(cmd, steps))
    }

    /// See [`crate::Session::send_config_set`].
    pub fn send_config_set(&self, lines: &[&str]) -> Result<String, Error> {
        self.rt.block_on(self.inner.send_config_set(lines))
    }

    /// See [`crate::Session::save_config`].
    pub fn save_config(&self) -> Result<String, Error> {
        self.rt.block_on(self.inner.save_config())
    }

    /// See [`crate::Session::commit`].
    pub fn commit(&self) -> Result<String, Error> {
        self.rt.block_on(self.inner.commit())
    }

    /// See [`crate::Session::enable`].
    pub fn enable(&self) -> Result<(), Error> {
        self.rt.block_on(self.inner.enable())
    }

    /// See [`crate::Session::find_prompt`].
    pub fn find_prompt(&self) -> Result<String, Error> {
        self.rt.block_on(self.inner.find_prompt())
    }

    /// See [`crate::Session::is_alive`].
    pub fn is_alive(&self) -> bool {
        self.rt.block_on(self.inner.is_alive())
    }

    /// See [`crate::Session::probe`].
    pub fn probe(&self, timeout: Duration) -> Result<Duration, Error> {
        self.rt.block_on(self.inner.probe(timeout))
    }

    /// See [`crate::Session::keepalive_stats`].
    pub fn keepalive_stats(&self) -> KeepaliveStats {
        self.inner.keepalive_stats()
    }

    /// See [`crate::Session::is_closed`].
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// Polite close (see [`crate::Session::disconnect`]).
    pub fn disconnect(self) {
        self.rt.block_on(self.inner.disconnect());
    }
}
