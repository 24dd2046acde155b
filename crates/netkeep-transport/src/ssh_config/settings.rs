//! The keywords netkeep acts on, each value checked when the file is read (as OpenSSH checks
//! every line, matching or not), so a mistake is reported at its file:line.

use std::time::Duration;

use super::jump_target::JumpTarget;
use super::lexer::Line;
use super::tokens;
use crate::ssh::{AlgorithmKind, AlgorithmList};

/// `StrictHostKeyChecking` as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Strict {
    Yes,
    AcceptNew,
    No,
    Ask,
}

/// One setting line, its value checked (tokens are expanded at lookup, when known).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Setting {
    HostName(String),
    Port(u16),
    User(String),
    IdentityFile(String),
    IdentitiesOnly(bool),
    IdentityAgent(String),
    /// `None`: `ProxyJump none`.
    ProxyJump(Option<Vec<JumpTarget>>),
    /// `None`: `ProxyCommand none`.
    ProxyCommand(Option<String>),
    StrictHostKeyChecking(Strict),
    UserKnownHostsFile(Vec<String>),
    ConnectTimeout(Duration),
    ServerAliveInterval(Duration),
    ServerAliveCountMax(u32),
    Algorithms(AlgorithmKind, AlgorithmList),
}

/// Where a setting's first value is kept: later lines for the same slot are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Slot {
    HostName,
    Port,
    User,
    IdentitiesOnly,
    IdentityAgent,
    /// ProxyJump and ProxyCommand: whichever comes first wins (ssh_config(5)).
    Proxy,
    Strict,
    KnownHosts,
    ConnectTimeout,
    AliveInterval,
    AliveCount,
    Algorithms(AlgorithmKind),
}

impl Setting {
    /// The slot, `None` for keywords that add up (IdentityFile).
    pub(super) fn slot(&self) -> Option<Slot> {
        Some(match self {
            Setting::HostName(_) => Slot::HostName,
            Setting::Port(_) => Slot::Port,
            Setting::User(_) => Slot::User,
            Setting::IdentityFile(_) => return None,
            Setting::IdentitiesOnly(_) => Slot::IdentitiesOnly,
            Setting::IdentityAgent(_) => Slot::IdentityAgent,
            Setting::ProxyJump(_) | Setting::ProxyCommand(_) => Slot::Proxy,
            Setting::StrictHostKeyChecking(_) => Slot::Strict,
            Setting::UserKnownHostsFile(_) => Slot::KnownHosts,
            Setting::ConnectTimeout(_) => Slot::ConnectTimeout,
            Setting::ServerAliveInterval(_) => Slot::AliveInterval,
            Setting::ServerAliveCountMax(_) => Slot::AliveCount,
            Setting::Algorithms(k, _) => Slot::Algorithms(*k),
        })
    }
}

/// A parsed line: a setting, a keyword netkeep does not use, or (from [`parse`]) an error.
pub(super) enum Parsed {
    Set(Setting, Vec<String>),
    Ignored,
}

/// Reads a setting line (not Host, Match or Include); warnings (dropped algorithms...) come
/// with it.
pub(super) fn parse(keyword: &str, line: &Line) -> Result<Parsed, String> {
    let one = || one_arg(keyword, line);
    let set = |s| Ok(Parsed::Set(s, Vec::new()));
    match keyword {
        "hostname" => {
            let h = one()?;
            tokens::check(&h)?;
            set(Setting::HostName(h))
        }
        "port" => set(Setting::Port(port(&one()?)?)),
        "user" => set(Setting::User(one()?)),
        "identityfile" => {
            let f = one()?;
            tokens::check(&f)?;
            set(Setting::IdentityFile(f))
        }
        "identitiesonly" => set(Setting::IdentitiesOnly(yes_no(&one()?)?)),
        "identityagent" => set(Setting::IdentityAgent(one()?)),
        "proxyjump" => set(Setting::ProxyJump(proxy_jump(&one()?)?)),
        "proxycommand" => set(Setting::ProxyCommand(proxy_command(line)?)),
        "stricthostkeychecking" => set(Setting::StrictHostKeyChecking(strict(&one()?)?)),
        "userknownhostsfile" => {
            if line.args.is_empty() {
                return Err("expected one or more file names".into());
            }
            for f in &line.args {
                tokens::check(f)?;
            }
            set(Setting::UserKnownHostsFile(line.args.clone()))
        }
        "connecttimeout" => set(Setting::ConnectTimeout(time(&one()?)?)),
        "serveraliveinterval" => set(Setting::ServerAliveInterval(time(&one()?)?)),
        "serveralivecountmax" => {
            let v = one()?;
            let n = v
                .parse::<u32>()
                .map_err(|_| format!("expected a count (0 or more), got {v:?}"))?;
            set(Setting::ServerAliveCountMax(n))
        }
        "kexalgorithms" => algorithms(AlgorithmKind::Kex, &one()?),
        "hostkeyalgorithms" => algorithms(AlgorithmKind::HostKey, &one()?),
        "ciphers" => algorithms(AlgorithmKind::Cipher, &one()?),
        "macs" => algorithms(AlgorithmKind::Mac, &one()?),
        _ => Ok(Parsed::Ignored),
    }
}

fn one_arg(keyword: &str, line: &Line) -> Result<String, String> {
    match line.args.as_slice() {
        [v] => Ok(v.clone()),
        [] => Err("expected a value".into()),
        [_, extra, ..] => Err(format!(
            "{keyword} takes one value; unexpected {extra:?} (quote a value with spaces)"
        )),
    }
}

fn port(v: &str) -> Result<u16, String> {
    v.parse::<u16>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("expected a port number 1-65535, got {v:?}"))
}

fn yes_no(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        _ => Err(format!("expected yes or no, got {v:?}")),
    }
}

fn strict(v: &str) -> Result<Strict, String> {
    match v.to_ascii_lowercase().as_str() {
        "yes" | "true" => Ok(Strict::Yes),
        "accept-new" => Ok(Strict::AcceptNew),
        "no" | "off" | "false" => Ok(Strict::No),
        "ask" => Ok(Strict::Ask),
        _ => Err(format!(
            "expected yes, accept-new, no, off or ask, got {v:?}"
        )),
    }
}

fn proxy_jump(v: &str) -> Result<Option<Vec<JumpTarget>>, String> {
    if v.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    JumpTarget::parse_list(v).map(Some)
}

fn proxy_command(line: &Line) -> Result<Option<String>, String> {
    let cmd = line.rest.trim();
    if cmd.is_empty() {
        return Err("expected a command (or none)".into());
    }
    if cmd.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    tokens::check(cmd)?;
    Ok(Some(cmd.to_string()))
}

fn algorithms(kind: AlgorithmKind, v: &str) -> Result<Parsed, String> {
    let (list, dropped) = AlgorithmList::parse(kind, v)?;
    let warnings = dropped
        .into_iter()
        .map(|d| format!("{d} is not implemented by netkeep's SSH library (russh): left out"))
        .collect();
    Ok(Parsed::Set(Setting::Algorithms(kind, list), warnings))
}

/// An OpenSSH time: seconds, or numbers with s/m/h/d/w units run together (`1m30s`).
pub(super) fn time(v: &str) -> Result<Duration, String> {
    let bad = || format!("expected a time like 10, 30s or 1m30s, got {v:?}");
    if v.is_empty() {
        return Err(bad());
    }
    let mut total: u64 = 0;
    let mut num = String::new();
    for c in v.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            'w' => 604800,
            _ => return Err(bad()),
        };
        let n: u64 = num.parse().map_err(|_| bad())?;
        total = total.saturating_add(n.saturating_mul(unit));
        num.clear();
    }
    if !num.is_empty() {
        total = total.saturating_add(num.parse::<u64>().map_err(|_| bad())?);
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssh_config::lexer::split;

    fn p(text: &str) -> Result<Setting, String> {
        let line = split(text).unwrap().unwrap();
        match parse(&line.keyword.to_ascii_lowercase(), &line)? {
            Parsed::Set(s, _) => Ok(s),
            Parsed::Ignored => Err("ignored".into()),
        }
    }

    #[test]
    fn values_are_checked() {
        assert_eq!(p("Port 2222").unwrap(), Setting::Port(2222));
        assert!(p("Port abc").unwrap_err().contains("1-65535"));
        assert!(p("Port").unwrap_err().contains("expected a value"));
        assert!(p("User a b").unwrap_err().contains("unexpected"));
        assert!(p("IdentitiesOnly maybe").unwrap_err().contains("yes or no"));
        assert_eq!(
            p("ConnectTimeout 1m30s").unwrap(),
            Setting::ConnectTimeout(Duration::from_secs(90))
        );
        assert!(p("ConnectTimeout soon").is_err());
        assert_eq!(p("ProxyJump none").unwrap(), Setting::ProxyJump(None));
        assert!(p("ProxyJump a,@b").is_err());
        assert_eq!(
            p("ProxyCommand ssh -W %h:%p gw").unwrap(),
            Setting::ProxyCommand(Some("ssh -W %h:%p gw".into()))
        );
        assert!(p("ProxyCommand nc %z").unwrap_err().contains("%z"));
        assert_eq!(p("ForwardAgent yes").unwrap_err(), "ignored");
    }
}
