//! Logging in over telnet: the device asks for the user name and the password in the terminal,
//! so the session answers its prompts (the platform's `telnet_login:` patterns), answers
//! banners on the way ("Press any key", the platform's `on_open`), tells a refusal from a
//! success, and stops at the first CLI prompt — which may come at once, from a device that asks
//! nothing (a console server, BusyBox `telnetd -l /bin/sh`).
//!
//! The password is typed straight into the terminal, never through the exchange machinery, and
//! is scrubbed from any error built here (a device that echoes it must not put it in a
//! message). Telnet carries it in clear: a warning says so once per device.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use netkeep_channel::clean;
use netkeep_transport::{Event, Secret};
use tokio::time::Instant;

use super::state::{Core, Io};
use crate::error::Error;

/// What the login dialogue types.
pub(crate) struct Credentials<'a> {
    pub username: &'a str,
    /// `None` when the options hold a key file: a device that asks for a password is refused.
    pub password: Option<&'a Secret>,
}

/// Where the dialogue is.
#[derive(Default)]
struct Progress {
    user_sent: bool,
    password_sent: bool,
}

impl Progress {
    fn step(&self) -> &'static str {
        match (self.user_sent, self.password_sent) {
            (_, true) => "telnet login (waiting for the prompt after the password)",
            (true, false) => "telnet login (waiting for the password prompt)",
            (false, false) => "telnet login (waiting for the login prompt)",
        }
    }
}

/// Says once per device label that telnet sends the password in clear.
pub(crate) fn warn_cleartext(device: &str) {
    static WARNED: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let mut warned = WARNED
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if warned.insert(device.to_string()) {
        tracing::warn!(device = %device, "telnet sends the login password in clear text over the network; use SSH where the device offers it");
    }
}

/// `text` with the password replaced by `***` (for a device that echoed it).
fn scrub(text: String, password: Option<&Secret>) -> String {
    match password.map(Secret::expose) {
        Some(p) if !p.is_empty() && text.contains(p) => text.replace(p, "***"),
        _ => text,
    }
}

impl Core {
    /// Runs the telnet login dialogue up to the first CLI prompt (left in the buffer for the
    /// first-prompt step), within `deadline`.
    pub(crate) async fn telnet_login(
        &self,
        io: &mut Io,
        creds: &Credentials<'_>,
        deadline: Instant,
    ) -> Result<(), Error> {
        let mut progress = Progress::default();
        loop {
            if self.login_step(io, creds, &mut progress).await? {
                return Ok(());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, io.terminal.recv()).await {
                Ok(Event::Data(d)) => io.buf.push(&d),
                Ok(Event::End) => {
                    let e = self.mark_dead(io, progress.step());
                    return Err(self.scrubbed(e, creds));
                }
                Ok(_) => {}
                Err(_) => {
                    return Err(Error::PromptNotFound {
                        device: self.device.clone(),
                        platform: self.platform.name().to_string(),
                        step: progress.step().to_string(),
                        last_bytes: scrub(io.buf.tail(200), creds.password),
                    })
                }
            }
        }
    }

    /// Looks at what arrived: answers a prompt or a banner, or sees the CLI prompt (`true`).
    async fn login_step(
        &self,
        io: &mut Io,
        creds: &Credentials<'_>,
        progress: &mut Progress,
    ) -> Result<bool, Error> {
        let login = self.platform.telnet_login();
        if progress.password_sent {
            if let Some(line) = login.failure_in(&clean(io.buf.bytes())) {
                return Err(self.refused(creds, line.to_string()));
            }
        }
        let last = io.buf.last_line();
        if login.password.is_match(&last) {
            if progress.password_sent {
                return Err(self.refused(creds, format!("asked again: {}", last.trim())));
            }
            self.type_password(io, creds).await?;
            progress.password_sent = true;
            return Ok(false);
        }
        if login.username.is_match(&last) {
            if progress.user_sent {
                return Err(self.refused(creds, format!("asked again: {}", last.trim())));
            }
            io.buf.clear();
            self.write_line(io, creds.username, "telnet login (user name)")
                .await?;
            progress.user_sent = true;
            return Ok(false);
        }
        let banners = self.platform.on_open().iter().chain(&login.answers);
        for (question, answer) in banners {
            if io.buf.find_unconsumed(question) {
                io.buf.consume();
                self.write_line(io, answer, "telnet login (answering a banner)")
                    .await?;
                return Ok(false);
            }
        }
        Ok(self.modes.of_prompt(&last).is_some())
    }

    /// Types the password and the newline, straight into the terminal.
    async fn type_password(&self, io: &mut Io, creds: &Credentials<'_>) -> Result<(), Error> {
        let Some(password) = creds.password else {
            return Err(self.refused(
                creds,
                "it asks for a password, and the options hold a key file (telnet logs in with a password)"
                    .into(),
            ));
        };
        warn_cleartext(&self.device);
        io.buf.clear();
        let mut line = password.expose().as_bytes().to_vec();
        line.extend_from_slice(&self.settings.newline);
        let r = io.terminal.write(&line).await;
        line.fill(0);
        if let Err(e) = r {
            return Err(self.life.end(Error::ConnectionLost {
                device: self.device.clone(),
                step: "telnet login (password)".into(),
                message: scrub(e.to_string(), creds.password),
            }));
        }
        self.life.touch();
        Ok(())
    }

    fn refused(&self, creds: &Credentials<'_>, answer: String) -> Error {
        Error::LoginRejected {
            device: self.device.clone(),
            username: creds.username.to_string(),
            answer: scrub(answer, creds.password),
        }
    }

    /// An error of the dialogue without the password in it.
    fn scrubbed(&self, e: Error, creds: &Credentials<'_>) -> Error {
        match e {
            Error::ClosedByDevice {
                device,
                step,
                reason,
                last_words,
            } => Error::ClosedByDevice {
                device,
                step,
                reason,
                last_words: scrub(last_words, creds.password),
            },
            other => other,
        }
    }
}
