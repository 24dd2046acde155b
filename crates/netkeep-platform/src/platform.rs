//! A compiled platform: a [`PlatformSpec`] checked and with its regexes built, and the questions
//! the session asks of it (which mode is this prompt, is this output a failure, how do I get from
//! one mode to another).

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use regex::{Regex, RegexBuilder};

use crate::error::PlatformError;
use crate::keepalive::KeepaliveMode;
use crate::spec::{PlatformSpec, Transition};
use crate::telnet_login::TelnetLogin;

/// A compiled mode.
#[derive(Debug, Clone)]
pub struct Mode {
    /// The mode's name in the platform file.
    pub name: String,
    /// Its prompt regex.
    pub prompt: Regex,
    /// True for configuration modes.
    pub config: bool,
    /// The regex the line above the prompt must match, if the prompt alone is ambiguous.
    pub above: Option<Regex>,
}

/// Why a device closed a session, judged from its last words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The device's idle timer (or the session closed silently after at least that long idle).
    IdleTimeout,
    /// No free VTY line / session limit reached.
    VtyLimit,
    /// The device did not say.
    Unknown,
}

/// A compiled platform: the spec plus its regexes. Cheap to share (`Arc`).
#[derive(Debug)]
pub struct Platform {
    spec: PlatformSpec,
    modes: Vec<Mode>,
    pager: Option<Regex>,
    failures: Vec<Regex>,
    prompt_context: Vec<Regex>,
    idle_reasons: Vec<Regex>,
    vty_reasons: Vec<Regex>,
    on_open: Vec<(Regex, String)>,
    default_idle_timeout: Option<Duration>,
    telnet_login: TelnetLogin,
}

/// Compiles the regexes and durations of one file, naming the file in every error.
struct Compiler<'a> {
    src: &'a str,
}

impl Compiler<'_> {
    fn invalid(&self, message: String) -> PlatformError {
        PlatformError::Invalid {
            source_name: self.src.to_string(),
            message,
        }
    }

    fn regex(&self, what: &str, pattern: &str) -> Result<Regex, PlatformError> {
        RegexBuilder::new(pattern)
            .multi_line(true)
            .build()
            .map_err(|e| self.invalid(format!("{what}: bad regex {pattern:?}: {e}")))
    }

    fn regexes(&self, what: &str, patterns: &[String]) -> Result<Vec<Regex>, PlatformError> {
        patterns.iter().map(|p| self.regex(what, p)).collect()
    }

    fn duration(&self, what: &str, s: &str) -> Result<Duration, PlatformError> {
        humantime::parse_duration(s)
            .map_err(|e| self.invalid(format!("{what}: bad duration {s:?}: {e}")))
    }

    fn modes(&self, spec: &PlatformSpec) -> Result<Vec<Mode>, PlatformError> {
        if spec.modes.is_empty() {
            return Err(self.invalid("no modes".into()));
        }
        spec.modes
            .iter()
            .map(|m| {
                Ok(Mode {
                    name: m.name.clone(),
                    prompt: self.regex(&format!("mode {}", m.name), &m.prompt)?,
                    config: m.config,
                    above: m
                        .above
                        .as_ref()
                        .map(|a| self.regex(&format!("mode {} above", m.name), a))
                        .transpose()?,
                })
            })
            .collect()
    }

    /// Every mode a transition, `config` or `enable` names exists; their regexes compile.
    fn check_references(&self, spec: &PlatformSpec, modes: &[Mode]) -> Result<(), PlatformError> {
        let has_mode = |n: &str| modes.iter().any(|m| m.name == n);
        for t in &spec.transitions {
            if !has_mode(&t.from) || !has_mode(&t.to) {
                return Err(self.invalid(format!(
                    "transition {} -> {} names an unknown mode",
                    t.from, t.to
                )));
            }
            for a in &t.expect {
                self.regex("transition expect", &a.expect)?;
            }
            if let Some(p) = &t.password_prompt {
                self.regex("password_prompt", p)?;
            }
        }
        if let Some(c) = &spec.config {
            if !has_mode(&c.mode) {
                return Err(self.invalid(format!("config mode {:?} is not a mode", c.mode)));
            }
            for a in &c.exit_expect {
                self.regex("config exit_expect", &a.expect)?;
            }
        }
        if let Some(e) = &spec.enable {
            if !has_mode(&e.mode) {
                return Err(self.invalid(format!("enable mode {:?} is not a mode", e.mode)));
            }
        }
        Ok(())
    }

    /// Save/commit prompts and timeouts, the commit's word templates; the keepalive command.
    fn check_actions(&self, spec: &PlatformSpec) -> Result<(), PlatformError> {
        let save = spec.save.as_ref().map(|a| (&a.expect, &a.timeout));
        let commit = spec.commit.as_ref().map(|c| (&c.expect, &c.timeout));
        for (what, action) in [("save", save), ("commit", commit)] {
            if let Some((expect, timeout)) = action {
                for x in expect {
                    self.regex(what, &x.expect)?;
                }
                if let Some(t) = timeout {
                    self.duration(what, t)?;
                }
            }
        }
        if let Some(c) = &spec.commit {
            let holes = [
                (
                    "commit.confirmed",
                    &c.confirmed,
                    &["{minutes}", "{seconds}"][..],
                ),
                ("commit.comment", &c.comment, &["{comment}"][..]),
            ];
            for (what, words, names) in holes {
                if let Some(w) = words {
                    if !names.iter().any(|n| w.contains(n)) {
                        return Err(self
                            .invalid(format!("{what} {w:?} must contain {}", names.join(" or "))));
                    }
                }
            }
        }
        match spec.keepalive.mode {
            KeepaliveMode::Command if spec.keepalive.command.is_none() => {
                return Err(self.invalid("keepalive mode command needs `command:`".into()));
            }
            KeepaliveMode::Auto => {
                return Err(self.invalid(
                    "keepalive mode auto means \"the platform's\": a platform file names one \
                     (nul, newline, command, ssh or off)"
                        .into(),
                ));
            }
            _ => {}
        }
        Ok(())
    }

    fn telnet_login(&self, spec: &PlatformSpec) -> Result<TelnetLogin, PlatformError> {
        let t = &spec.telnet_login;
        Ok(TelnetLogin {
            username: self.regex("telnet_login.username", &t.username)?,
            password: self.regex("telnet_login.password", &t.password)?,
            failures: self.regexes("telnet_login.failure", &t.failure)?,
            answers: t
                .answers
                .iter()
                .map(|a| {
                    Ok((
                        self.regex("telnet_login.answers", &a.expect)?,
                        a.answer.clone(),
                    ))
                })
                .collect::<Result<_, PlatformError>>()?,
        })
    }

    fn default_idle_timeout(&self, spec: &PlatformSpec) -> Result<Option<Duration>, PlatformError> {
        let Some(s) = &spec.default_idle_timeout else {
            return Ok(None);
        };
        let d = self.duration("default_idle_timeout", s)?;
        Ok((!d.is_zero()).then_some(d))
    }
}

impl Platform {
    /// Parses and validates a platform file. `source_name` is used in error messages.
    pub fn from_yaml(source_name: &str, text: &str) -> Result<Platform, PlatformError> {
        let spec: PlatformSpec =
            serde_norway::from_str(text).map_err(|e| PlatformError::Invalid {
                source_name: source_name.to_string(),
                message: e.to_string(),
            })?;
        Platform::from_spec(source_name, spec)
    }

    /// Compiles and validates a spec.
    pub fn from_spec(src: &str, spec: PlatformSpec) -> Result<Platform, PlatformError> {
        let c = Compiler { src };
        let modes = c.modes(&spec)?;
        c.check_references(&spec, &modes)?;
        c.check_actions(&spec)?;
        let pager = spec
            .pager
            .as_ref()
            .map(|p| c.regex("pager", &p.pattern))
            .transpose()?;
        let on_open = spec
            .on_open
            .iter()
            .map(|a| Ok((c.regex("on_open", &a.expect)?, a.answer.clone())))
            .collect::<Result<_, PlatformError>>()?;
        Ok(Platform {
            failures: c.regexes("failure indicator", &spec.failure_indicators)?,
            prompt_context: c.regexes("prompt_context", &spec.prompt_context)?,
            idle_reasons: c.regexes(
                "close_reasons.idle_timeout",
                &spec.close_reasons.idle_timeout,
            )?,
            vty_reasons: c.regexes("close_reasons.vty_limit", &spec.close_reasons.vty_limit)?,
            default_idle_timeout: c.default_idle_timeout(&spec)?,
            telnet_login: c.telnet_login(&spec)?,
            spec,
            modes,
            pager,
            on_open,
        })
    }

    /// Canonical name (Netmiko's device_type).
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The platform's name in a TextFSM template index (ntc-templates): the file's
    /// `textfsm_platform`, else its name.
    ///
    /// ```
    /// assert_eq!(netkeep_platform::builtin("huawei").unwrap().textfsm_platform(), "huawei_vrp");
    /// assert_eq!(netkeep_platform::builtin("ios").unwrap().textfsm_platform(), "cisco_ios");
    /// ```
    pub fn textfsm_platform(&self) -> &str {
        self.spec
            .textfsm_platform
            .as_deref()
            .unwrap_or(&self.spec.name)
    }

    /// The file as written.
    pub fn spec(&self) -> &PlatformSpec {
        &self.spec
    }

    /// Modes in file order.
    pub fn modes(&self) -> &[Mode] {
        &self.modes
    }

    /// The mode whose prompt matches `line` (a cleaned last line of output), if any. Modes'
    /// `above` conditions are not checked: use [`Platform::mode_at`] where the line above the
    /// prompt is known.
    pub fn mode_of(&self, line: &str) -> Option<&Mode> {
        self.mode_at(None, line)
    }

    /// The mode whose prompt matches `line` and, where the mode says what the line above its
    /// prompt looks like, whose `above` regex matches `above` (`None`: not known, not checked).
    ///
    /// ```
    /// let p = netkeep_platform::builtin("alcatel_sros").unwrap();
    /// let mode = |above, line| p.mode_at(above, line).map(|m| m.name.as_str());
    /// assert_eq!(mode(Some("[/]"), "A:admin@pe1# "), Some("operational"));
    /// assert_eq!(mode(Some("*(ex)[/configure]"), "A:admin@pe1# "), Some("configuration"));
    /// assert_eq!(mode(None, "A:pe1# "), Some("classic"));
    /// ```
    pub fn mode_at(&self, above: Option<&str>, line: &str) -> Option<&Mode> {
        self.modes.iter().find(|m| {
            m.prompt.is_match(line)
                && match (&m.above, above) {
                    (Some(re), Some(a)) => re.is_match(a.trim_end()),
                    _ => true,
                }
        })
    }

    /// A mode by name.
    pub fn mode(&self, name: &str) -> Option<&Mode> {
        self.modes.iter().find(|m| m.name == name)
    }

    /// The pager regex, if the platform pages.
    pub fn pager(&self) -> Option<(&Regex, &str)> {
        match (&self.pager, &self.spec.pager) {
            (Some(r), Some(s)) => Some((r, s.answer.as_str())),
            _ => None,
        }
    }

    /// The first failure indicator found in `output`, with the matching line.
    pub fn failure_in<'a>(&self, output: &'a str) -> Option<(&str, &'a str)> {
        for (re, src) in self.failures.iter().zip(&self.spec.failure_indicators) {
            if let Some(m) = re.find(output) {
                let start = output[..m.start()].rfind('\n').map_or(0, |i| i + 1);
                let end = output[m.end()..]
                    .find('\n')
                    .map_or(output.len(), |i| m.end() + i);
                return Some((src.as_str(), output[start..end].trim_end_matches('\r')));
            }
        }
        None
    }

    /// `output` without the prompt's context lines at its end (Junos `[edit]`), nor the blank
    /// lines before them.
    ///
    /// ```
    /// let p = netkeep_platform::builtin("juniper_junos").unwrap();
    /// assert_eq!(p.strip_prompt_context("commit complete\n\n[edit]"), "commit complete");
    /// assert_eq!(p.strip_prompt_context("[edit interfaces]\nx"), "[edit interfaces]\nx");
    /// ```
    pub fn strip_prompt_context<'a>(&self, output: &'a str) -> &'a str {
        if self.prompt_context.is_empty() {
            return output;
        }
        let mut body = output;
        loop {
            let (head, last) = match body.rfind('\n') {
                Some(i) => (&body[..i], &body[i + 1..]),
                None => ("", body),
            };
            if self
                .prompt_context
                .iter()
                .any(|r| r.is_match(last.trim_end()))
            {
                body = head.trim_end_matches('\n');
            } else {
                return body;
            }
        }
    }

    /// Banner prompts answered before the first CLI prompt.
    pub fn on_open(&self) -> &[(Regex, String)] {
        &self.on_open
    }

    /// The login dialogue over telnet.
    pub fn telnet_login(&self) -> &TelnetLogin {
        &self.telnet_login
    }

    /// Judges the device's last words.
    pub fn close_reason(&self, last_words: &str) -> CloseReason {
        if self.vty_reasons.iter().any(|r| r.is_match(last_words)) {
            CloseReason::VtyLimit
        } else if self.idle_reasons.iter().any(|r| r.is_match(last_words)) {
            CloseReason::IdleTimeout
        } else {
            CloseReason::Unknown
        }
    }

    /// The platform's usual idle timeout, if it has one by default.
    pub fn default_idle_timeout(&self) -> Option<Duration> {
        self.default_idle_timeout
    }

    /// Read timeout of save or commit: its `timeout` (checked when the file loaded), else
    /// `fallback`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = netkeep_platform::builtin("juniper_junos").unwrap();
    /// let commit = p.spec().commit.as_ref().unwrap();
    /// assert_eq!(p.action_timeout(commit.timeout.as_deref(), Duration::ZERO), Duration::from_secs(300));
    /// ```
    pub fn action_timeout(&self, timeout: Option<&str>, fallback: Duration) -> Duration {
        timeout
            .and_then(|t| humantime::parse_duration(t).ok())
            .unwrap_or(fallback)
    }

    /// Shortest chain of transitions from `from` to `to` (empty if equal; `None` if unreachable).
    pub fn path(&self, from: &str, to: &str) -> Option<Vec<&Transition>> {
        if from == to {
            return Some(Vec::new());
        }
        // Breadth-first over a handful of modes.
        let mut prev: HashMap<&str, &Transition> = HashMap::new();
        let mut queue = VecDeque::from([from]);
        while let Some(m) = queue.pop_front() {
            for t in self.spec.transitions.iter().filter(|t| t.from == m) {
                if t.to == from || prev.contains_key(t.to.as_str()) {
                    continue;
                }
                prev.insert(t.to.as_str(), t);
                if t.to == to {
                    return Some(chain_back(&prev, from, t));
                }
                queue.push_back(t.to.as_str());
            }
        }
        None
    }
}

/// The transitions that led to `last`, first one first.
fn chain_back<'a>(
    prev: &HashMap<&str, &'a Transition>,
    from: &str,
    last: &'a Transition,
) -> Vec<&'a Transition> {
    let mut chain = vec![last];
    let mut cur = last.from.as_str();
    while cur != from {
        let p = prev[cur];
        chain.push(p);
        cur = p.from.as_str();
    }
    chain.reverse();
    chain
}
