//! The platform file format: what a `platforms/NAME.yaml` file may say, as written (no regexes
//! compiled yet; [`crate::Platform`] compiles and validates it).

use serde::{Deserialize, Serialize};

use crate::keepalive::KeepaliveMode;
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
    /// Regex the line right above the prompt must match, for modes whose prompt line alone
    /// does not tell them apart (SR OS MD-CLI: `[/]` above `A:admin@router#` in operational
    /// mode, `(ex)[/]` above the same line in configuration mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above: Option<String>,
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

/// Save the running configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionSpec {
    /// The command (`save force`, `write memory`, ...).
    pub command: String,
    /// Confirmation prompts it may ask, with their answers.
    #[serde(default)]
    pub expect: Vec<Answer>,
    /// Unused for save (kept so older platform files still load).
    #[serde(default)]
    pub exit_after: bool,
    /// Save runs in the configuration mode, which is left afterwards (VyOS and EdgeOS `save`
    /// is a configuration-mode command); default: the exec mode.
    #[serde(default)]
    pub in_config: bool,
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
    /// Enter it at session preparation (after the preparation commands), as a user who asked
    /// for privileged mode would. Off by default: a connection option or inventory `enable:`
    /// overrides it either way.
    #[serde(default)]
    pub at_login: bool,
}

/// Commit on a two-stage platform (Junos, IOS-XR, VRP 8), and what else can be done with the
/// uncommitted candidate: check it, show it, drop it.
///
/// The optional words are appended to `command` in a fixed order — `confirmed`, then `comment`
/// (last, because some CLIs take the rest of the line as the comment) — with `{minutes}`,
/// `{seconds}` and `{comment}` replaced.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitSpec {
    /// The command (`commit`).
    pub command: String,
    /// Confirmation prompts it may ask, with their answers.
    #[serde(default)]
    pub expect: Vec<Answer>,
    /// Leave configuration mode after a commit.
    #[serde(default)]
    pub exit_after: bool,
    /// Read timeout (humantime, e.g. `5m`).
    #[serde(default)]
    pub timeout: Option<String>,
    /// Words for a commit that rolls back unless confirmed in time: Junos `confirmed {minutes}`,
    /// IOS-XR `confirmed minutes {minutes}`, VRP 8 `trial {seconds}`.
    #[serde(default)]
    pub confirmed: Option<String>,
    /// Words for a commit comment: Junos `comment "{comment}"`, VRP 8 `description {comment}`.
    #[serde(default)]
    pub comment: Option<String>,
    /// Validates the candidate without applying it (Junos `commit check`).
    #[serde(default)]
    pub check: Option<String>,
    /// Shows the uncommitted changes (Junos `show | compare`, IOS-XR `show configuration`).
    #[serde(default)]
    pub compare: Option<String>,
    /// Drops the uncommitted changes in configuration mode (Junos `rollback 0`, IOS-XR
    /// `abort`). Without it, leaving configuration mode must drop them (the exit question of
    /// `config.exit_expect` answered "no").
    #[serde(default)]
    pub discard: Option<String>,
}

impl CommitSpec {
    /// The commit command with its confirmed and comment words.
    ///
    /// ```
    /// let junos = netkeep_platform::builtin("juniper_junos").unwrap();
    /// let c = junos.spec().commit.as_ref().unwrap();
    /// let ten = std::time::Duration::from_secs(600);
    /// assert_eq!(c.line(Some(ten), Some("change 42")).unwrap(), r#"commit confirmed 10 comment "change 42""#);
    /// assert!(c.line(Some(std::time::Duration::from_secs(90)), None).is_err()); // not whole minutes
    /// ```
    pub fn line(
        &self,
        confirm: Option<std::time::Duration>,
        comment: Option<&str>,
    ) -> Result<String, String> {
        let mut line = self.command.clone();
        if let Some(t) = confirm {
            let words = self.confirmed.as_deref().ok_or(
                "no commit that rolls back unless confirmed (no `commit.confirmed` in its platform file)",
            )?;
            let secs = t.as_secs();
            if words.contains("{minutes}") && (secs == 0 || secs % 60 != 0 || t.subsec_nanos() != 0)
            {
                return Err(format!(
                    "a confirmed commit here is given in whole minutes, not {}",
                    humantime::format_duration(t)
                ));
            }
            let words = words
                .replace("{minutes}", &(secs / 60).to_string())
                .replace("{seconds}", &secs.to_string());
            line.push(' ');
            line.push_str(&words);
        }
        if let Some(text) = comment {
            let words = self
                .comment
                .as_deref()
                .ok_or("no commit comment (no `commit.comment` in its platform file)")?;
            if let Some(c) = text.chars().find(|c| c.is_control() || *c == '"') {
                return Err(format!(
                    "a commit comment cannot contain {c:?} (one line of text without double quotes)"
                ));
            }
            line.push(' ');
            line.push_str(&words.replace("{comment}", text));
        }
        Ok(line)
    }
}

/// Keepalive strategy in a platform file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeepaliveSpec {
    /// Which bytes to send (any mode but `auto`).
    pub mode: KeepaliveMode,
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
    /// The platform's name in a TextFSM template index (ntc-templates' `Platform` column), when
    /// it differs from `name`: `huawei_vrp` for `huawei`. Default: `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub textfsm_platform: Option<String>,
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
    /// Regexes of lines a device prints right above its prompt, as part of it (Junos
    /// `[edit interfaces]`, `{master:0}`): removed from the end of outputs with the prompt.
    #[serde(default)]
    pub prompt_context: Vec<String>,
    /// Appended to the user name at login (SSH and telnet): login options the device reads from the name
    /// (MikroTik `+ct511w4098h`: no colours, no terminal detection, 511 columns, 4098 rows).
    /// Users write their plain name; the session adds this.
    #[serde(default)]
    pub username_suffix: String,
    /// Configuration mode.
    #[serde(default)]
    pub config: Option<ConfigSpec>,
    /// Save the running configuration.
    #[serde(default)]
    pub save: Option<ActionSpec>,
    /// Commit the candidate configuration, and check, compare or discard it (two-stage
    /// platforms).
    #[serde(default)]
    pub commit: Option<CommitSpec>,
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
    /// Whether the device has a telnet server at all (default yes). `telnet: false` marks an
    /// SSH-only platform (AOS-CX): a telnet session to it is refused before connecting.
    #[serde(default = "yes")]
    pub telnet: bool,
}

fn yes() -> bool {
    true
}

fn lf() -> String {
    "\n".into()
}
