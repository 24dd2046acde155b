//! Platform personalities: one YAML file per platform, parsed once and compiled for the engine.
//!
//! Everything vendor-specific (prompts, mode graph, paging, messages, outputs) lives in
//! `personalities/<platform>.yaml`; the engine in `engine.rs` only interprets it.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde::Deserialize;

use crate::template::Template;
use crate::SimError;

/// Embedded personality files, in the order `platforms()` lists them.
const SOURCES: &[(&str, &str)] = &[
    (
        "hp_comware",
        include_str!("../personalities/hp_comware.yaml"),
    ),
    ("huawei", include_str!("../personalities/huawei.yaml")),
    ("cisco_ios", include_str!("../personalities/cisco_ios.yaml")),
    (
        "cisco_nxos",
        include_str!("../personalities/cisco_nxos.yaml"),
    ),
    (
        "juniper_junos",
        include_str!("../personalities/juniper_junos.yaml"),
    ),
    (
        "arista_eos",
        include_str!("../personalities/arista_eos.yaml"),
    ),
    ("linux", include_str!("../personalities/linux.yaml")),
];

/// Aliases accepted for platform names (Netmiko spellings).
const ALIASES: &[(&str, &str)] = &[
    ("huawei_vrp", "huawei"),
    ("hp_comware7", "hp_comware"),
    ("h3c", "hp_comware"),
    ("cisco_xe", "cisco_ios"),
    ("juniper", "juniper_junos"),
];

/// What the device does with a received NUL byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NulMode {
    /// Echo the NUL byte back unchanged.
    EchoRaw,
    /// Echo it as the two characters `^@` (what a Unix PTY in echoctl mode does).
    Caret,
    /// Drop it silently.
    Swallow,
}

/// Which input restarts the idle timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// Any byte received in the session channel (NUL included).
    AnyByte,
    /// Only a complete line (Enter).
    Line,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPersonality {
    platform: String,
    default_hostname: String,
    nul: NulMode,
    activity: Activity,
    #[serde(with = "humantime_serde_opt")]
    default_idle_timeout: Option<Duration>,
    idle_timeout_message: String,
    vty_refused_message: String,
    vty_first: u32,
    vty_last: u32,
    #[serde(default)]
    banner: Option<String>,
    #[serde(default)]
    banner_confirm: bool,
    #[serde(default)]
    motd: String,
    ctrl_c: String,
    paging: RawPaging,
    initial_mode: String,
    #[serde(default)]
    candidate_config: bool,
    modes: Vec<RawMode>,
    errors: RawErrors,
    interface_types: Vec<RawIfType>,
    interfaces: RawInterfaces,
    vlan_name: String,
    arp: Vec<RawArp>,
    commands: Vec<RawCommand>,
    outputs: HashMap<String, String>,
}

mod humantime_serde_opt {
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPaging {
    length: usize,
    more: String,
    erase: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMode {
    name: String,
    prompt: String,
    #[serde(default)]
    parent: Option<String>,
    /// Commands of the ancestors work here too (Cisco and Comware sub-views).
    #[serde(default)]
    inherit: bool,
    /// Config changes made in this mode wait for `commit` (candidate configuration).
    #[serde(default)]
    config: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawErrors {
    unknown: String,
    incomplete: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIfType {
    name: String,
    short: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInterfaces {
    initial: Vec<RawInterface>,
    padding: String,
    #[serde(default = "default_ports")]
    ports_per_slot: u32,
}

fn default_ports() -> u32 {
    48
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawInterface {
    pub name: String,
    #[serde(default)]
    pub ip: String,
    #[serde(default)]
    pub mask: String,
    #[serde(default)]
    pub prefix: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_true")]
    pub up: bool,
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawArp {
    pub ip: String,
    pub mac: String,
    pub vlan: String,
    pub interface: String,
    pub age: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommand {
    cmd: String,
    #[serde(rename = "in", default)]
    modes: Vec<String>,
    #[serde(default)]
    output: Option<String>,
    #[serde(default)]
    enter: Option<String>,
    #[serde(default)]
    ctx: Option<String>,
    #[serde(default)]
    exit: Option<Exit>,
    #[serde(default)]
    set: Option<RawSet>,
    #[serde(default)]
    confirm: Vec<RawStep>,
    #[serde(default)]
    slow: Option<RawSlow>,
}

/// Leaving modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exit {
    /// One level up; at the initial mode this logs out.
    Up,
    /// Back to the initial mode.
    Root,
    /// Back to the highest mode that is not a config mode (Cisco `end` from any depth).
    EndConfig,
    /// Close the session.
    Logout,
}

/// One key per change; YAML maps (serde_norway wants tags for enums, which read badly).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSet {
    #[serde(default)]
    hostname: Option<String>,
    #[serde(default)]
    interface_description: Option<RawDesc>,
    #[serde(default)]
    undo_description: Option<RawIf>,
    #[serde(default)]
    vlan: Option<String>,
    #[serde(default)]
    idle_timeout: Option<RawIdle>,
    #[serde(default)]
    paging: Option<bool>,
    #[serde(default)]
    commit: Option<bool>,
    #[serde(default)]
    discard: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDesc {
    interface: String,
    text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIf {
    interface: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdle {
    minutes: String,
    #[serde(default)]
    seconds: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    prompt: String,
    kind: StepKind,
    #[serde(default)]
    default: Option<String>,
    #[serde(default)]
    abort: String,
    /// Only ask when there are uncommitted changes.
    #[serde(default)]
    if_uncommitted: bool,
}

/// How a dialog step reads its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// `y`/`yes` continues, `n`/`no` aborts.
    YesNo,
    /// Any line (e.g. a file name); accepted as is.
    Line,
    /// Not echoed; must equal the device password.
    Secret,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlow {
    head: String,
    line: String,
    count: u32,
    #[serde(with = "humantime_serde")]
    interval: Duration,
    tail: String,
    aborted: String,
    /// Lines are printed without a line break (Cisco's `!!!!!`).
    #[serde(default)]
    inline: bool,
}

mod humantime_serde {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s).map_err(serde::de::Error::custom)
    }
}

/// One token of a command pattern.
#[derive(Debug, Clone)]
pub enum Tok {
    /// A keyword; input matches when it is a case-insensitive prefix of at least `min` chars.
    Key { word: String, min: usize },
    /// One word bound to a variable.
    Arg {
        name: String,
        optional: bool,
        kind: ArgKind,
    },
    /// The rest of the line (at least one word), bound to a variable.
    Rest { name: String },
}

/// Validation of an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    Word,
    Num,
    Interface,
}

/// A config or session change a command makes (generic: the personality maps commands to these).
#[derive(Debug, Clone)]
pub enum SetOp {
    Hostname(Template),
    InterfaceDescription {
        interface: Template,
        text: Template,
    },
    UndoDescription {
        interface: Template,
    },
    Vlan(Template),
    IdleTimeout {
        minutes: Template,
        seconds: Template,
    },
    Paging(bool),
    Commit,
    Discard,
}

/// A compiled dialog step.
#[derive(Debug)]
pub struct Step {
    pub prompt: Template,
    pub kind: StepKind,
    pub default: Option<String>,
    pub abort: Template,
    pub if_uncommitted: bool,
}

/// A compiled slow (ping-like) command.
#[derive(Debug)]
pub struct Slow {
    pub head: Template,
    pub line: Template,
    pub count: u32,
    pub interval: Duration,
    pub tail: Template,
    pub aborted: Template,
    pub inline: bool,
}

/// A compiled command definition.
#[derive(Debug)]
pub struct Command {
    pub pattern: Vec<Tok>,
    /// Mode indexes the command is defined in (empty = every mode).
    pub modes: Vec<usize>,
    pub output: Option<Template>,
    pub enter: Option<usize>,
    pub ctx: Option<Template>,
    pub exit: Option<Exit>,
    pub set: Option<SetOp>,
    pub confirm: Vec<Step>,
    pub slow: Option<Slow>,
}

/// A compiled mode.
#[derive(Debug)]
pub struct Mode {
    /// The mode's name in the personality file (for diagnostics).
    #[allow(dead_code)]
    pub name: String,
    pub prompt: Template,
    pub parent: Option<usize>,
    pub inherit: bool,
    pub config: bool,
}

/// An interface type with its abbreviation (for `display interface brief` and name expansion).
#[derive(Debug, Clone)]
pub struct IfType {
    pub name: String,
    pub short: String,
}

/// A platform personality, compiled.
#[derive(Debug)]
pub struct Personality {
    pub platform: String,
    pub default_hostname: String,
    pub nul: NulMode,
    pub activity: Activity,
    pub default_idle_timeout: Option<Duration>,
    pub idle_timeout_message: Template,
    pub vty_refused_message: Template,
    pub vty_first: u32,
    pub vty_last: u32,
    pub banner: Option<Template>,
    pub banner_confirm: bool,
    pub motd: Template,
    pub ctrl_c: String,
    pub page_length: usize,
    pub more: String,
    pub more_erase: String,
    pub initial_mode: usize,
    pub candidate_config: bool,
    pub modes: Vec<Mode>,
    pub err_unknown: Template,
    pub err_incomplete: Template,
    pub if_types: Vec<IfType>,
    pub initial_interfaces: Vec<RawInterface>,
    pub padding_interface: Template,
    pub ports_per_slot: u32,
    pub vlan_name: Template,
    pub arp: Vec<RawArp>,
    pub commands: Vec<Command>,
    pub outputs: HashMap<String, Template>,
}

/// Names of the built-in platforms.
///
/// ```
/// assert!(netkeep_sim::platforms().contains(&"hp_comware"));
/// ```
pub fn platforms() -> Vec<&'static str> {
    SOURCES.iter().map(|(n, _)| *n).collect()
}

/// Look up a compiled personality by platform name (or alias); compiled once per process.
pub fn get(platform: &str) -> Result<Arc<Personality>, SimError> {
    static CACHE: OnceLock<std::sync::Mutex<HashMap<String, Arc<Personality>>>> = OnceLock::new();
    let name = ALIASES
        .iter()
        .find(|(a, _)| *a == platform)
        .map(|(_, n)| *n)
        .unwrap_or(platform);
    let Some((_, src)) = SOURCES.iter().find(|(n, _)| *n == name) else {
        return Err(SimError::UnknownPlatform {
            platform: platform.to_string(),
            known: platforms().join(", "),
        });
    };
    let cache = CACHE.get_or_init(Default::default);
    let mut guard = cache.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(p) = guard.get(name) {
        return Ok(p.clone());
    }
    let p = Arc::new(compile(name, src)?);
    guard.insert(name.to_string(), p.clone());
    Ok(p)
}

fn bad(platform: &str, what: String) -> SimError {
    SimError::Personality {
        platform: platform.to_string(),
        reason: what,
    }
}

fn compile(name: &str, src: &str) -> Result<Personality, SimError> {
    let raw: RawPersonality =
        serde_norway::from_str(src).map_err(|e| bad(name, format!("YAML: {e}")))?;
    let t = |s: &str| Template::parse(s).map_err(|e| bad(name, format!("template {s:?}: {e}")));
    let mode_index = |m: &str| -> Result<usize, SimError> {
        raw.modes
            .iter()
            .position(|x| x.name == m)
            .ok_or_else(|| bad(name, format!("unknown mode {m:?}")))
    };
    let mut modes = Vec::new();
    for m in &raw.modes {
        modes.push(Mode {
            name: m.name.clone(),
            prompt: t(&m.prompt)?,
            parent: m.parent.as_deref().map(mode_index).transpose()?,
            inherit: m.inherit,
            config: m.config,
        });
    }
    let mut commands = Vec::new();
    for c in &raw.commands {
        let set = match &c.set {
            None => None,
            Some(r) => {
                let mut ops = Vec::new();
                if let Some(v) = &r.hostname {
                    ops.push(SetOp::Hostname(t(v)?));
                }
                if let Some(d) = &r.interface_description {
                    ops.push(SetOp::InterfaceDescription {
                        interface: t(&d.interface)?,
                        text: t(&d.text)?,
                    });
                }
                if let Some(d) = &r.undo_description {
                    ops.push(SetOp::UndoDescription {
                        interface: t(&d.interface)?,
                    });
                }
                if let Some(v) = &r.vlan {
                    ops.push(SetOp::Vlan(t(v)?));
                }
                if let Some(i) = &r.idle_timeout {
                    ops.push(SetOp::IdleTimeout {
                        minutes: t(&i.minutes)?,
                        seconds: t(&i.seconds)?,
                    });
                }
                if let Some(b) = r.paging {
                    ops.push(SetOp::Paging(b));
                }
                if r.commit == Some(true) {
                    ops.push(SetOp::Commit);
                }
                if r.discard == Some(true) {
                    ops.push(SetOp::Discard);
                }
                if ops.len() != 1 {
                    return Err(bad(
                        name,
                        format!("command {:?}: `set` needs exactly one change", c.cmd),
                    ));
                }
                ops.pop()
            }
        };
        let mut confirm = Vec::new();
        for s in &c.confirm {
            confirm.push(Step {
                prompt: t(&s.prompt)?,
                kind: s.kind,
                default: s.default.clone(),
                abort: t(&s.abort)?,
                if_uncommitted: s.if_uncommitted,
            });
        }
        let slow = match &c.slow {
            None => None,
            Some(s) => Some(Slow {
                head: t(&s.head)?,
                line: t(&s.line)?,
                count: s.count,
                interval: s.interval,
                tail: t(&s.tail)?,
                aborted: t(&s.aborted)?,
                inline: s.inline,
            }),
        };
        let output = match &c.output {
            None => None,
            Some(o) if o.starts_with('@') => {
                let key = &o[1..];
                let src = raw
                    .outputs
                    .get(key)
                    .ok_or_else(|| bad(name, format!("command {:?}: no output {key:?}", c.cmd)))?;
                Some(t(src)?)
            }
            Some(o) => Some(t(o)?),
        };
        commands.push(Command {
            pattern: parse_pattern(&c.cmd).map_err(|e| bad(name, e))?,
            modes: c
                .modes
                .iter()
                .map(|m| mode_index(m))
                .collect::<Result<_, _>>()?,
            output,
            enter: c.enter.as_deref().map(mode_index).transpose()?,
            ctx: c.ctx.as_deref().map(t).transpose()?,
            exit: c.exit,
            set,
            confirm,
            slow,
        });
    }
    let mut outputs = HashMap::new();
    for (k, v) in &raw.outputs {
        outputs.insert(k.clone(), t(v)?);
    }
    Ok(Personality {
        platform: raw.platform.clone(),
        default_hostname: raw.default_hostname.clone(),
        nul: raw.nul,
        activity: raw.activity,
        default_idle_timeout: raw.default_idle_timeout,
        idle_timeout_message: t(&raw.idle_timeout_message)?,
        vty_refused_message: t(&raw.vty_refused_message)?,
        vty_first: raw.vty_first,
        vty_last: raw.vty_last,
        banner: raw.banner.as_deref().map(t).transpose()?,
        banner_confirm: raw.banner_confirm,
        motd: t(&raw.motd)?,
        ctrl_c: raw.ctrl_c.clone(),
        page_length: raw.paging.length.max(2),
        more: raw.paging.more.clone(),
        more_erase: raw.paging.erase.clone(),
        initial_mode: mode_index(&raw.initial_mode)?,
        candidate_config: raw.candidate_config,
        modes,
        err_unknown: t(&raw.errors.unknown)?,
        err_incomplete: t(&raw.errors.incomplete)?,
        if_types: raw
            .interface_types
            .iter()
            .map(|i| IfType {
                name: i.name.clone(),
                short: i.short.clone(),
            })
            .collect(),
        initial_interfaces: raw.interfaces.initial.clone(),
        padding_interface: t(&raw.interfaces.padding)?,
        ports_per_slot: raw.interfaces.ports_per_slot.max(1),
        vlan_name: t(&raw.vlan_name)?,
        arp: raw.arp.clone(),
        commands,
        outputs,
    })
}

/// Pattern syntax: `display version`, `sh[ow] ver[sion]`, `interface <if:interface>`,
/// `vlan <id:num>`, `idle-timeout <min:num> <sec:num?>`, `description <text...>`.
/// A keyword written `sh[ow]` may be shortened to `sh`; otherwise to its first letter.
fn parse_pattern(p: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    for w in p.split_whitespace() {
        if let Some(inner) = w.strip_prefix('<').and_then(|x| x.strip_suffix('>')) {
            if let Some(n) = inner.strip_suffix("...") {
                out.push(Tok::Rest {
                    name: n.to_string(),
                });
                continue;
            }
            let (inner, optional) = match inner.strip_suffix('?') {
                Some(x) => (x, true),
                None => (inner, false),
            };
            let (n, kind) = match inner.split_once(':') {
                None => (inner, ArgKind::Word),
                Some((n, "num")) => (n, ArgKind::Num),
                Some((n, "interface")) => (n, ArgKind::Interface),
                Some((_, k)) => return Err(format!("pattern {p:?}: unknown argument kind {k:?}")),
            };
            out.push(Tok::Arg {
                name: n.to_string(),
                optional,
                kind,
            });
        } else if let Some((head, rest)) = w.split_once('[') {
            let tail = rest
                .strip_suffix(']')
                .ok_or(format!("pattern {p:?}: bad [ in {w:?}"))?;
            out.push(Tok::Key {
                word: format!("{head}{tail}"),
                min: head.len().max(1),
            });
        } else {
            out.push(Tok::Key {
                word: w.to_string(),
                min: 1,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_personality_compiles() {
        for p in super::platforms() {
            let c = super::get(p).unwrap_or_else(|e| panic!("{p}: {e}"));
            assert_eq!(c.platform, p);
        }
    }
}
