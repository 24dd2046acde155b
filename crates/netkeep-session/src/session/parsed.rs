//! Structured output: a command's answer parsed into records with TextFSM templates (the
//! ntc-templates index, as Netmiko's `use_textfsm=True`, or the user's own files).
//!
//! The platform's name in the index is its `textfsm_platform` (`huawei_vrp` for `huawei`). The
//! parse runs once the command is done and the session is free again, on the runtime's blocking
//! threads: the next command on the session never waits for it.

use netkeep_parse::{Records, Templates};

use super::api::Session;
use crate::command::Command;
use crate::error::Error;

impl Session {
    /// Runs a command and parses its output into records with the template the ntc-templates
    /// index gives for this platform and command (Netmiko's `send_command(cmd,
    /// use_textfsm=True)`). Templates come from `NET_TEXTFSM`, else the installed ntc-templates
    /// package; they are loaded once per process.
    ///
    /// A command without a template, or output the template refuses, is [`Error::Parse`]
    /// (kind `Parse`), which keeps the output.
    ///
    /// ```no_run
    /// # async fn f(s: netkeep_session::Session) -> Result<(), netkeep_session::Error> {
    /// for intf in s.send_command_parsed("display interface brief").await? {
    ///     println!("{:?} {:?}", intf["interface"], intf["link"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send_command_parsed(&self, cmd: &str) -> Result<Records, Error> {
        self.send_parsed(&Command::new(cmd), &Templates::Index)
            .await
    }

    /// Runs a [`Command`] (with its read options) and parses its output with `templates`: the
    /// index, another index directory, or template files of your own (Netmiko's
    /// `textfsm_template`).
    ///
    /// ```no_run
    /// # async fn f(s: netkeep_session::Session) -> Result<(), netkeep_session::Error> {
    /// use netkeep_parse::Templates;
    /// use netkeep_session::Command;
    /// let mine = Templates::file("templates/show_clock.textfsm");
    /// let records = s.send_parsed(&Command::new("show clock"), &mine).await?;
    /// # let _ = records; Ok(()) }
    /// ```
    pub async fn send_parsed(
        &self,
        cmd: &Command,
        templates: &Templates,
    ) -> Result<Records, Error> {
        let output = if cmd.is_plain() && cmd.read_timeout.is_none() {
            self.send_command(&cmd.line).await?
        } else {
            self.send(cmd).await?
        };
        self.parse_output(&cmd.line, output, templates).await
    }

    /// Parses output this session's device gave for `command` (its platform's name in the
    /// index), on the runtime's blocking threads.
    pub async fn parse_output(
        &self,
        command: &str,
        output: String,
        templates: &Templates,
    ) -> Result<Records, Error> {
        let platform = self.platform().textfsm_platform().to_string();
        let (cmd, t) = (command.to_string(), templates.clone());
        let parsed = tokio::task::spawn_blocking(move || {
            let r = t.parse(&platform, &cmd, &output);
            (output, r)
        })
        .await;
        let (output, result) = match parsed {
            Ok(done) => done,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => {
                return Err(Error::ConnectionLost {
                    device: self.device().to_string(),
                    step: format!("parsing the output of {command:?}"),
                    message: "the runtime is shutting down".into(),
                })
            }
        };
        result.map_err(|source| Error::Parse {
            device: self.device().to_string(),
            command: command.to_string(),
            output,
            source: Box::new(source),
        })
    }
}
