//! The platform file format: what a `platforms/NAME.yaml` file may say, as written (no regexes
//! compiled yet; [`crate::Platform`] compiles and validates it).

use serde::{Deserialize, Serialize};

pub use crate::telnet_login::TelnetLoginSpec;

/// An expected prompt and the answer to give, e.g. `[Y/N]` → `Y`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// Regex searched in the output received so far.
    pub expect: String,
    /// Sent followed by the platform's newline.
    pub answer: String,
}

/// One CLI mode and the prompt that identifies it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModeSpec {
    /// The mode's name, used by transitions, `config.mode` and `enable.mode`.
    pub name: String,
    /// Regex matched against the last line of output (ANSI and NUL removed), anchored by the author.
    pub prompt: String,
    /// True for configuration modes.
    #[serde(default)]
    pub config: bool,
}

/// A command that moves the CLI from one mode to another.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// Mode the command is sent in.
    pub from: String,
    /// Mode the CLI is in afterwards.
    pub to: String,
    /// The command.
    pub send: String,
    /// Confirmation prompts on the way.
    #[serde(default)]
    pub expect: Vec<Answer>,
    /// Regex of a password prompt answered with the enable secret.
    #[serde(default)]
    pub password_prompt: Option<String>,
}

/// A session preparation command.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrepareCommand {
    /// The command, sent once after login.
    pub command: String,
    /// If true, a failure indicator in its output is logged, not fatal.
    #[serde(default)]
    pub optional: bool,
}

/// The pager ("---- More ----") and how to page on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerSpec {
    /// Regex of the pager line.
    pub pattern: String,
    /// What to send to see the next page (sent without a newline).
    pub answer: String,
}

/// Configuration mode.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigSpec {
    /// Name of the configuration mode (reached through `transitions`).
    pub mode: String,
    /// Leave configuration mode after `send_config_set`. False on two-stage platforms, where the
    /// caller commits.
    #[serde(default = "yes")]
    pub exit_after_set: bool,
    /// Prompts when leaving configuration mode.
    #[serde(default)]
    pub exit_expect: Vec<Answer>,
}

fn yes() -> bool {
    true
}

/// Save or commit.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionSpec {
    /// The command (`save force`, `commit`, ...).
    pub command: String,
    /// Confirmation prompts it may ask, with their answers.
    #[serde(default)]
    pub expect: Vec<Answer>,
    /// For commit: leave configuration mode afterwards.
    #[serde(default)]
    pub exit_after: bool,
    /// Read timeout (humantime, e.g. `2m`).
    #[serde(default)]
    pub timeout: Option<String>,
}

/// Enable (privilege escalation): the mode to reach.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnableSpec {
    /// The privileged mode's name.
    pub mode: String,
}

/// Which bytes keep the session alive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum KeepaliveKind {
    /// Write a NUL byte (Netmiko's `is_alive`).
    #[default]
    Nul,
    /// Write a newline and read the prompt back.
    Newline,
    /// Run a harmless command and read the prompt back.
    Command,
    /// SSH protocol keepalive only (does not restart a device's idle timer).
    Ssh,
    /// Nothing.
    Off,
}

/// Keepalive strategy in a platform file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeepaliveSpec {
    /// Which bytes to send.
    pub mode: KeepaliveKind,
    /// For `mode: command`.
    #[serde(default)]
    pub command: Option<String>,
    /// What input restarts this platform's idle timer (documentation for users).
    #[serde(default)]
    pub restarts_idle_timer: String,
}

/// Messages a device prints when it closes a session, by reason.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CloseReasons {
    /// Regexes of the idle-timeout farewell.
    #[serde(default)]
    pub idle_timeout: Vec<String>,
    /// Regexes of the "all VTY lines busy" refusal.
    #[serde(default)]
    pub vty_limit: Vec<String>,
}

/// A platform file, as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformSpec {
    /// Canonical name (Netmiko's `device_type`).
    pub name: String,
    /// Other names that select this platform: Netmiko spellings, NAPALM names (`ios`, `junos`).
    /// The only place aliases are written.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// One line for humans.
    #[serde(default)]
    pub description: String,
    /// CLI modes, in the order prompts are tried.
    pub modes: Vec<ModeSpec>,
    /// Commands between modes.
    #[serde(default)]
    pub transitions: Vec<Transition>,
    /// Prompts that may appear before the first CLI prompt (banners).
    #[serde(default)]
    pub on_open: Vec<Answer>,
    /// Commands sent once after login (paging off, width).
    #[serde(default)]
    pub prepare: Vec<PrepareCommand>,
    /// The pager, if the platform pages.
    #[serde(default)]
    pub pager: Option<PagerSpec>,
    /// Regexes that mark a command as failed.
    #[serde(default)]
    pub failure_indicators: Vec<String>,
    /// Configuration mode.
    #[serde(default)]
    pub config: Option<ConfigSpec>,
    /// Save the running configuration.
    #[serde(default)]
    pub save: Option<ActionSpec>,
    /// Commit the candidate configuration (two-stage platforms).
    #[serde(default)]
    pub commit: Option<ActionSpec>,
    /// Privilege escalation.
    #[serde(default)]
    pub enable: Option<EnableSpec>,
    /// How to keep the session alive.
    pub keepalive: KeepaliveSpec,
    /// The device's usual idle timeout (humantime; `0s` = none by default).
    #[serde(default)]
    pub default_idle_timeout: Option<String>,
    /// How the device words closing a session.
    #[serde(default)]
    pub close_reasons: CloseReasons,
    /// Line ending sent after each command.
    #[serde(default = "lf")]
    pub newline: String,
    /// The login dialogue over telnet (defaults fit most devices).
    #[serde(default)]
    pub telnet_login: TelnetLoginSpec,
}

fn lf() -> String {
    "\n".into()
}
