//! A compiled personality: what the engine reads (templates parsed, modes as indexes).

use std::collections::HashMap;
use std::time::Duration;

use super::config::{ConfigModel, Filters};
use super::kinds::{
    Activity, BannerKeys, CandidateScope, EchoWrap, Exit, NoSecret, NulMode, SecretDefault,
    StepKind,
};
use super::pattern::Tok;
use super::raw::{RawArp, RawInterface};
use super::telnet::TelnetPersonality;
use crate::template::{Pairs, Template, Vars};

/// A config or session change a command makes (generic: the personality maps commands to these).
#[derive(Debug, Clone)]
pub enum SetOp {
    /// Set the hostname.
    Hostname(Template),
    /// Set an interface description.
    InterfaceDescription {
        /// Interface name.
        interface: Template,
        /// Description text.
        text: Template,
    },
    /// Remove an interface description.
    UndoDescription {
        /// Interface name.
        interface: Template,
    },
    /// Create a VLAN.
    Vlan(Template),
    /// Set the VTY idle timeout.
    IdleTimeout {
        /// Minutes.
        minutes: Template,
        /// Seconds.
        seconds: Template,
    },
    /// Paging on or off for this session.
    Paging(bool),
    /// Apply the candidate configuration.
    Commit,
    /// Drop the candidate configuration.
    Discard,
    /// A configuration line at the current block.
    Config(Template),
    /// A `{ }`-style `set` path.
    ConfigSet(Template),
    /// A `{ }`-style `delete` path.
    ConfigDelete(Template),
    /// Check the candidate (nothing changes).
    CommitCheck,
    /// Commit, rolled back unless confirmed within this many minutes.
    CommitConfirmed(Template),
    /// Load commit number N into the candidate.
    Rollback(Template),
    /// Running configuration → startup configuration.
    Save,
    /// Reboot the device.
    Reload,
    /// This session's terminal width.
    Width(Template),
    /// Session variables (an empty value unsets one).
    Session(Vec<(String, Template)>),
    /// Several changes, in the order the file's keys are listed in this enum (FortiOS
    /// `set output standard`: a configuration line and paging off).
    Many(Vec<SetOp>),
}

/// One answer group of a [`StepKind::Choice`] step.
#[derive(Debug)]
pub struct Choice {
    /// Accepted answers, lower case.
    pub answers: Vec<String>,
    /// The change this answer makes before the command goes on.
    pub set: Option<SetOp>,
    /// This answer stops the command.
    pub abort: bool,
}

/// A compiled dialog step.
#[derive(Debug)]
pub struct Step {
    /// The question.
    pub prompt: Template,
    /// How the answer is read.
    pub kind: StepKind,
    /// Answer assumed for an empty line.
    pub default: Option<String>,
    /// Printed when the answer stops the command.
    pub abort: Template,
    /// Only asked when there are uncommitted changes.
    pub if_uncommitted: bool,
    /// Only asked when the running configuration is not saved.
    pub if_unsaved: bool,
    /// Skipped while this session variable is set.
    pub unless: Option<String>,
    /// For [`StepKind::Choice`].
    pub choices: Vec<Choice>,
    /// The answer's variable name.
    pub var: Option<String>,
    /// For [`StepKind::Secret`]: without an enable secret.
    pub if_no_secret: NoSecret,
    /// Printed when the step refuses for want of a secret.
    pub refusal: Template,
}

/// A compiled slow (ping-like) command.
#[derive(Debug)]
pub struct Slow {
    /// Printed first.
    pub head: Template,
    /// Printed every `interval` (`{{seq}}` counts).
    pub line: Template,
    /// Lines in a full run (rendered with the command's variables).
    pub count: Template,
    /// Time between lines.
    pub interval: Duration,
    /// Printed after the last line.
    pub tail: Template,
    /// Printed instead of `tail` after Ctrl-C.
    pub aborted: Template,
    /// Lines are printed without a line break (Cisco's `!!!!!`).
    pub inline: bool,
    /// With `inline`: a line break after this many (0: never).
    pub per_line: usize,
}

/// A compiled command definition.
#[derive(Debug)]
pub struct Command {
    /// The pattern the input line must match.
    pub pattern: Vec<Tok>,
    /// Mode indexes the command is defined in (empty = every mode).
    pub modes: Vec<usize>,
    /// Output template.
    pub output: Option<Template>,
    /// Mode entered afterwards.
    pub enter: Option<usize>,
    /// Context of the entered mode (`{{ctx}}` in its prompt and commands).
    pub ctx: Option<Template>,
    /// Modes left afterwards.
    pub exit: Option<Exit>,
    /// The change it makes.
    pub set: Option<SetOp>,
    /// Questions asked before it runs.
    pub confirm: Vec<Step>,
    /// Ping-like output over time.
    pub slow: Option<Slow>,
    /// The configuration block a mode-entering command opens.
    pub block: Option<Template>,
    /// A configuration path shown as `{{section}}`.
    pub section: Option<Template>,
    /// Runs its `cmd` argument as a command of this mode.
    pub run_in: Option<usize>,
}

/// A compiled mode.
#[derive(Debug)]
pub struct Mode {
    /// Its prompt.
    pub prompt: Template,
    /// The mode `exit` returns to.
    pub parent: Option<usize>,
    /// Commands of the ancestors work here too.
    pub inherit: bool,
    /// A configuration mode.
    pub config: bool,
    /// First words of configuration lines kept as they are typed (lower case).
    pub config_words: Vec<String>,
    /// Privilege level, where the vendor has levels.
    pub privilege: Option<u8>,
}

/// An interface type with its abbreviation (for `display interface brief` and name expansion).
#[derive(Debug, Clone)]
pub struct IfType {
    /// Long name (`GigabitEthernet`).
    pub name: String,
    /// Short name (`GE`).
    pub short: String,
}

/// How the terminal behaves: NUL, idle activity, Ctrl-C, paging.
#[derive(Debug)]
pub struct Terminal {
    /// What a received NUL does.
    pub nul: NulMode,
    /// Which input restarts the idle timer.
    pub activity: Activity,
    /// The VTY idle timeout out of the box.
    pub default_idle_timeout: Option<Duration>,
    /// Echo of Ctrl-C.
    pub ctrl_c: String,
    /// Lines per page (at least 2).
    pub page_length: usize,
    /// The pager line.
    pub more: String,
    /// What erases the pager line.
    pub more_erase: String,
}

/// What the device says outside command outputs.
#[derive(Debug)]
pub struct Messages {
    /// Printed when the idle timer closes the session.
    pub idle_timeout: Template,
    /// Printed when all VTY lines are busy.
    pub vty_refused: Template,
    /// The vendor's unsolicited log line (`Fault::UnsolicitedLines`).
    pub unsolicited: Template,
    /// Login banner (with `DeviceConfig::banner`).
    pub banner: Option<Template>,
    /// Which keys get past the banner (it does not wait with `BannerKeys::None`).
    pub banner_confirm: BannerKeys,
    /// The banner is shown at every login.
    pub banner_always: bool,
    /// Text before the first prompt.
    pub motd: Template,
    /// Unknown command.
    pub err_unknown: Template,
    /// Incomplete command.
    pub err_incomplete: Template,
}

/// What the device is made of: interfaces, VLAN naming, ARP entries, VTY lines.
#[derive(Debug)]
pub struct Inventory {
    /// Interface types and their short names.
    pub if_types: Vec<IfType>,
    /// Interfaces at start.
    pub initial_interfaces: Vec<RawInterface>,
    /// Name of padding interfaces (`{{slot}}`, `{{port}}`).
    pub padding_interface: Template,
    /// Ports per slot for padding.
    pub ports_per_slot: u32,
    /// VLAN name template (`{{id}}`).
    pub vlan_name: Template,
    /// ARP entries.
    pub arp: Vec<RawArp>,
    /// First VTY line number.
    pub vty_first: u32,
    /// Last VTY line number.
    pub vty_last: u32,
}

/// A platform personality, compiled.
#[derive(Debug)]
pub struct Personality {
    /// Platform name (the file's `platform`).
    pub platform: String,
    /// Hostname out of the box.
    pub default_hostname: String,
    /// Terminal behaviour.
    pub terminal: Terminal,
    /// Messages.
    pub messages: Messages,
    /// Interfaces, VLANs, ARP, VTY lines.
    pub inventory: Inventory,
    /// Mode index sessions start in.
    pub initial_mode: usize,
    /// The character after which the user name (SSH or telnet) carries login options.
    pub login_options: Option<char>,
    /// Where uncommitted changes wait, on two-stage platforms.
    pub candidate: Option<CandidateScope>,
    /// Modes.
    pub modes: Vec<Mode>,
    /// Commands.
    pub commands: Vec<Command>,
    /// Named output templates (`@name` in commands; `running_config` sizes padding).
    pub outputs: HashMap<String, Template>,
    /// How the configuration is kept, shown and edited.
    pub config: ConfigModel,
    /// Output filters after `|`.
    pub filters: Filters,
    /// More lists for templates.
    pub tables: HashMap<String, Vec<Vec<(String, String)>>>,
    /// What an unset enable secret means.
    pub enable_secret: SecretDefault,
    /// How a long typed line's echo wraps.
    pub echo_wrap: EchoWrap,
    /// Negotiation and login over telnet.
    pub telnet: TelnetPersonality,
}

impl Personality {
    /// The account a login name logs in as: MikroTik-style options after the name
    /// (`admin+ct`) are the engine's business, not part of the account.
    pub fn account_name<'a>(&self, user: &'a str) -> &'a str {
        match self.login_options {
            Some(c) => user.split_once(c).map_or(user, |(n, _)| n),
            None => user,
        }
    }

    /// Calls `f` with each row of table `key` as template variables; false if there is no
    /// such table.
    pub fn each_table_row(&self, key: &str, f: &mut dyn FnMut(&dyn Vars)) -> bool {
        let Some(rows) = self.tables.get(key) else {
            return false;
        };
        for row in rows {
            let pairs: Vec<(&str, &str)> =
                row.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            f(&Pairs(&pairs));
        }
        true
    }
}
