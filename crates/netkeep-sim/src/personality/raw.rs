//! The personality file format, as written (`personalities/NAME.yaml`). Compiled by
//! `compile.rs` into [`super::Personality`].

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde::Deserialize;

use super::kinds::{
    Activity, BannerKeys, CandidateScope, EchoWrap, Exit, NoSecret, NulMode, SecretDefault,
    StepKind,
};
use super::raw_config::{RawConfig, RawFilters};
use super::telnet::RawTelnet;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPersonality {
    pub platform: String,
    pub default_hostname: String,
    pub nul: NulMode,
    pub activity: Activity,
    #[serde(with = "humantime_opt")]
    pub default_idle_timeout: Option<Duration>,
    pub idle_timeout_message: String,
    pub vty_refused_message: String,
    /// The vendor's log line for `Fault::UnsolicitedLines` (template; `{{hostname}}`).
    #[serde(default = "default_unsolicited")]
    pub unsolicited_line: String,
    pub vty_first: u32,
    pub vty_last: u32,
    #[serde(default)]
    pub banner: Option<String>,
    #[serde(default)]
    pub banner_confirm: BannerKeys,
    /// The banner is part of every login (ProCurve's "Press any key to continue"), not only
    /// with `DeviceConfig::banner`.
    #[serde(default)]
    pub banner_always: bool,
    /// The SSH user name may carry login options after this character (MikroTik's
    /// `admin+ct511w4098h`): the name is the part before it, each option letter is the session
    /// variable `opt_<letter>`.
    #[serde(default)]
    pub login_options: Option<char>,
    #[serde(default)]
    pub motd: String,
    pub ctrl_c: String,
    pub paging: RawPaging,
    pub initial_mode: String,
    /// Changes made in config modes wait for `commit`: `shared` (one candidate per device,
    /// Junos) or `session` (one per session, IOS-XR, VRP 8).
    #[serde(default)]
    pub candidate_config: Option<CandidateScope>,
    pub modes: Vec<RawMode>,
    pub errors: RawErrors,
    pub interface_types: Vec<RawIfType>,
    pub interfaces: RawInterfaces,
    pub vlan_name: String,
    pub arp: Vec<RawArp>,
    pub commands: Vec<RawCommand>,
    pub outputs: HashMap<String, String>,
    /// How the configuration is kept, shown and edited.
    #[serde(default)]
    pub config: Option<RawConfig>,
    /// Output filters after `|`.
    #[serde(default)]
    pub filters: Option<RawFilters>,
    /// More lists for templates (`{{#mac}}`, `{{#neighbors}}`): records of named text fields.
    #[serde(default)]
    pub tables: HashMap<String, Vec<BTreeMap<String, String>>>,
    /// What an unset `DeviceConfig::enable_secret` means here.
    #[serde(default)]
    pub enable_secret: SecretDefault,
    /// How the echo of a long typed line wraps at the terminal width.
    #[serde(default)]
    pub echo_wrap: EchoWrap,
    /// Negotiation and login over telnet.
    #[serde(default)]
    pub telnet: RawTelnet,
}

fn default_unsolicited() -> String {
    "\n%{{hostname}} SYSLOG/5/NOTICE: unsolicited message from the simulator\n".into()
}

mod humantime_opt {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        match s {
            None => Ok(None),
            Some(s) if s == "0" || s == "off" => Ok(None),
            Some(s) => humantime::parse_duration(&s)
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}

mod humantime_req {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s).map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPaging {
    pub length: usize,
    pub more: String,
    pub erase: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMode {
    pub name: String,
    pub prompt: String,
    #[serde(default)]
    pub parent: Option<String>,
    /// Commands of the ancestors work here too (Cisco and Comware sub-views).
    #[serde(default)]
    pub inherit: bool,
    /// Config changes made in this mode wait for `commit` (candidate configuration).
    #[serde(default)]
    pub config: bool,
    /// Any line starting with one of these words (after a negation) is a configuration line
    /// of this mode, kept in the configuration tree.
    #[serde(default)]
    pub config_words: Vec<String>,
    /// The privilege level of the mode (`{{privilege}}`), where the vendor has levels.
    #[serde(default)]
    pub privilege: Option<u8>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawErrors {
    pub unknown: String,
    pub incomplete: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIfType {
    pub name: String,
    pub short: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInterfaces {
    pub initial: Vec<RawInterface>,
    pub padding: String,
    #[serde(default = "default_ports")]
    pub ports_per_slot: u32,
}

fn default_ports() -> u32 {
    48
}

/// An interface the device starts with.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawInterface {
    /// Full name (`GigabitEthernet1/0/1`).
    pub name: String,
    /// IPv4 address, if any.
    #[serde(default)]
    pub ip: String,
    /// Dotted netmask.
    #[serde(default)]
    pub mask: String,
    /// Prefix length.
    #[serde(default)]
    pub prefix: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Administratively up.
    #[serde(default = "default_true")]
    pub up: bool,
    /// More settings for the first configuration's template (`{{nameif}}`: ASA `nameif`).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

fn default_true() -> bool {
    true
}

/// An ARP entry shown by the ARP outputs.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawArp {
    /// IPv4 address.
    pub ip: String,
    /// MAC address in the vendor's notation.
    pub mac: String,
    /// VLAN, if the vendor shows one.
    pub vlan: String,
    /// Interface.
    pub interface: String,
    /// Age in the vendor's unit.
    pub age: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCommand {
    pub cmd: String,
    #[serde(rename = "in", default)]
    pub modes: Vec<String>,
    #[serde(default)]
    pub output: Option<String>,
    #[serde(default)]
    pub enter: Option<String>,
    #[serde(default)]
    pub ctx: Option<String>,
    #[serde(default)]
    pub exit: Option<Exit>,
    #[serde(default)]
    pub set: Option<RawSet>,
    #[serde(default)]
    pub confirm: Vec<RawStep>,
    #[serde(default)]
    pub slow: Option<RawSlow>,
    /// The configuration block a mode-entering command opens (`interface {{if}}`).
    #[serde(default)]
    pub block: Option<String>,
    /// A configuration path whose text the output shows as `{{section}}`.
    #[serde(default)]
    pub section: Option<String>,
    /// Runs its `<cmd...>` argument as a command of this mode (Junos `run`, IOS `do`).
    #[serde(default)]
    pub run_in: Option<String>,
}

/// One key per change; YAML maps (serde_norway wants tags for enums, which read badly).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSet {
    #[serde(default)]
    pub hostname: Option<String>,
    #[serde(default)]
    pub interface_description: Option<RawDesc>,
    #[serde(default)]
    pub undo_description: Option<RawIf>,
    #[serde(default)]
    pub vlan: Option<String>,
    #[serde(default)]
    pub idle_timeout: Option<RawIdle>,
    #[serde(default)]
    pub paging: Option<bool>,
    #[serde(default)]
    pub commit: Option<bool>,
    #[serde(default)]
    pub discard: Option<bool>,
    /// A configuration line (template) at the current block.
    #[serde(default)]
    pub config: Option<String>,
    /// A `{ }`-style `set` path (Junos `set system host-name R2`).
    #[serde(default)]
    pub config_set: Option<String>,
    /// A `{ }`-style `delete` path.
    #[serde(default)]
    pub config_delete: Option<String>,
    /// Check the candidate without applying it.
    #[serde(default)]
    pub commit_check: Option<bool>,
    /// Commit, rolled back unless confirmed within this many minutes (template).
    #[serde(default)]
    pub commit_confirmed: Option<String>,
    /// Load commit number N (template) into the candidate.
    #[serde(default)]
    pub rollback: Option<String>,
    /// The running configuration becomes the startup configuration.
    #[serde(default)]
    pub save: Option<bool>,
    /// Reboot the device (sessions end; it comes back with its startup configuration).
    #[serde(default)]
    pub reload: Option<bool>,
    /// The terminal width of this session (template, columns).
    #[serde(default)]
    pub width: Option<String>,
    /// Session variables (templates) for later prompts and outputs (ASA `changeto context`;
    /// an empty value unsets one).
    #[serde(default)]
    pub session: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDesc {
    pub interface: String,
    pub text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIf {
    pub interface: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIdle {
    pub minutes: String,
    #[serde(default)]
    pub seconds: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    pub prompt: String,
    pub kind: StepKind,
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub abort: String,
    /// Only ask when there are uncommitted changes.
    #[serde(default)]
    pub if_uncommitted: bool,
    /// Only ask when the running configuration was changed since the last save.
    #[serde(default)]
    pub if_unsaved: bool,
    /// Skip the step while this session variable is set (SmartAX's `{ <cr> }` prompts after
    /// `undo smart`).
    #[serde(default)]
    pub unless: Option<String>,
    /// For `kind: choice`: the accepted answers and what each does.
    #[serde(default)]
    pub choices: Vec<RawChoice>,
    /// The answer is kept as this variable for later steps and the output.
    #[serde(default)]
    pub var: Option<String>,
    /// For `kind: secret`: what happens when the device has no enable secret.
    #[serde(default)]
    pub if_no_secret: NoSecret,
    /// Printed by `if_no_secret: refuse`.
    #[serde(default)]
    pub refusal: String,
}

/// One answer group of a `choice` step (`yes`/`y` → commit, `no`/`n` → discard, `cancel`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChoice {
    pub answers: Vec<String>,
    #[serde(default)]
    pub set: Option<RawSet>,
    /// Stop the command here (print the step's `abort` text).
    #[serde(default)]
    pub abort: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSlow {
    pub head: String,
    pub line: String,
    /// Lines in a full run: a number or a template (`{{repeat}}`).
    #[serde(with = "num_or_text")]
    pub count: String,
    #[serde(with = "humantime_req")]
    pub interval: Duration,
    pub tail: String,
    pub aborted: String,
    /// Lines are printed without a line break (Cisco's `!!!!!`).
    #[serde(default)]
    pub inline: bool,
    /// With `inline`: a line break after this many (IOS: 70 `!` per line).
    #[serde(default)]
    pub per_line: usize,
}

mod num_or_text {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrText {
        Num(u64),
        Text(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Ok(match NumOrText::deserialize(d)? {
            NumOrText::Num(n) => n.to_string(),
            NumOrText::Text(t) => t,
        })
    }
}
