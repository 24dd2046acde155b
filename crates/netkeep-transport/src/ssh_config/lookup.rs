//! Looking one host up: the blocks that apply, in file order, the first value of each keyword
//! kept (IdentityFile adds up), then `%` tokens expanded with the final host, port and user.

use std::collections::HashSet;
use std::path::PathBuf;

use super::load::{Cond, CritKind, Item, Loaded};
use super::pattern::list_matches;
use super::settings::{Setting, Slot, Strict};
use super::tokens::{self, Tokens};
use super::{HostConfig, Proxy, Query};
use crate::hostkeys::HostKeyPolicy;
use crate::ssh::{AgentSocket, AlgorithmKind};

/// Values as found, before tokens are expanded.
#[derive(Default)]
struct Found {
    hostname: Option<String>,
    port: Option<u16>,
    user: Option<String>,
    identity_files: Vec<String>,
    identities_only: Option<bool>,
    identity_agent: Option<String>,
    proxy: Option<Setting>,
    strict: Option<Strict>,
    known_hosts: Option<Vec<String>>,
    settings: Vec<Setting>,
}

pub(super) fn lookup(l: &Loaded, q: &Query<'_>) -> Result<HostConfig, String> {
    let mut f = Found::default();
    let mut taken: HashSet<Slot> = HashSet::new();
    let mut applies: Vec<bool> = vec![false; l.blocks.len()];
    for item in &l.items {
        match item {
            Item::Open(b) => applies[*b] = block_applies(&l.blocks[*b], q, &f),
            Item::Set { conds, setting, .. } => {
                if !conds.iter().all(|c| applies[*c]) {
                    continue;
                }
                if let Some(slot) = setting.slot() {
                    if !taken.insert(slot) {
                        continue;
                    }
                }
                keep(&mut f, setting.clone());
            }
        }
    }
    finish(f, q)
}

fn keep(f: &mut Found, s: Setting) {
    match s {
        Setting::HostName(h) => f.hostname = Some(h),
        Setting::Port(p) => f.port = Some(p),
        Setting::User(u) => f.user = Some(u),
        Setting::IdentityFile(i) => f.identity_files.push(i),
        Setting::IdentitiesOnly(b) => f.identities_only = Some(b),
        Setting::IdentityAgent(a) => f.identity_agent = Some(a),
        Setting::StrictHostKeyChecking(s) => f.strict = Some(s),
        Setting::UserKnownHostsFile(k) => f.known_hosts = Some(k),
        p @ (Setting::ProxyJump(_) | Setting::ProxyCommand(_)) => f.proxy = Some(p),
        other => f.settings.push(other),
    }
}

/// The host a `Match host` sees: the HostName found so far (`%h` being the original), else the
/// host as given.
fn current_host(q: &Query<'_>, f: &Found) -> String {
    match &f.hostname {
        Some(h) => h.replace("%h", q.host).replace("%%", "%"),
        None => q.host.to_string(),
    }
}

fn block_applies(cond: &Cond, q: &Query<'_>, f: &Found) -> bool {
    match cond {
        Cond::Host(patterns) => list_matches(patterns.iter().map(String::as_str), q.host),
        Cond::Match(criteria) => criteria.iter().all(|c| {
            let m = |pats: &Vec<String>, text: &str| {
                list_matches(pats.iter().map(String::as_str), text)
            };
            let hit = match &c.kind {
                CritKind::All => true,
                CritKind::Host(p) => m(p, &current_host(q, f)),
                CritKind::OriginalHost(p) => m(p, q.host),
                CritKind::User(p) => {
                    let user = q.user.map(str::to_string).or_else(|| f.user.clone());
                    m(p, &user.unwrap_or_else(tokens::local_user))
                }
                CritKind::LocalUser(p) => m(p, &tokens::local_user()),
                CritKind::Unsupported => return false,
            };
            hit != c.negate
        }),
    }
}

/// Final values: the command line's user and port over the file's, tokens expanded.
fn finish(f: Found, q: &Query<'_>) -> Result<HostConfig, String> {
    let hostname = f.hostname.as_ref().map(|_| current_host(q, &f));
    let t = Tokens {
        host: hostname.clone().unwrap_or_else(|| q.host.to_string()),
        original: q.host.to_string(),
        port: q.port.or(f.port).unwrap_or(22),
        user: q
            .user
            .map(str::to_string)
            .or_else(|| f.user.clone())
            .unwrap_or_else(tokens::local_user),
    };
    let path = |s: &String| tokens::path(s, &t);
    let mut out = HostConfig {
        hostname,
        port: f.port,
        user: f.user.clone(),
        identity_files: f
            .identity_files
            .iter()
            .map(path)
            .collect::<Result<_, _>>()?,
        identities_only: f.identities_only,
        identity_agent: f
            .identity_agent
            .as_deref()
            .map(|a| agent(a, &t))
            .transpose()?,
        proxy: match f.proxy {
            Some(Setting::ProxyJump(Some(hops))) => Some(Proxy::Jump(hops)),
            Some(Setting::ProxyCommand(Some(cmd))) => {
                Some(Proxy::Command(tokens::expand(&cmd, &t)?))
            }
            Some(_) => Some(Proxy::None),
            None => None,
        },
        host_key_policy: f.strict.and_then(|s| match s {
            Strict::Yes => Some(HostKeyPolicy::Strict),
            Strict::AcceptNew | Strict::No => Some(HostKeyPolicy::AcceptNew),
            Strict::Ask => None,
        }),
        known_hosts_files: match &f.known_hosts {
            Some(k) => k.iter().map(path).collect::<Result<Vec<PathBuf>, _>>()?,
            None => Vec::new(),
        },
        ..HostConfig::default()
    };
    for s in f.settings {
        match s {
            Setting::ConnectTimeout(d) => out.connect_timeout = Some(d),
            Setting::ServerAliveInterval(d) => out.server_alive_interval = Some(d),
            Setting::ServerAliveCountMax(n) => out.server_alive_count_max = Some(n),
            Setting::Algorithms(kind, list) => {
                let a = &mut out.algorithms;
                let slot = match kind {
                    AlgorithmKind::Kex => &mut a.kex,
                    AlgorithmKind::HostKey => &mut a.host_key,
                    AlgorithmKind::Cipher => &mut a.cipher,
                    AlgorithmKind::Mac => &mut a.mac,
                };
                *slot = Some(list);
            }
            _ => {}
        }
    }
    Ok(out)
}

/// `IdentityAgent`: `none`, `SSH_AUTH_SOCK` (the variable), `$VAR`, or a socket path.
fn agent(v: &str, t: &Tokens) -> Result<AgentSocket, String> {
    if v.eq_ignore_ascii_case("none") {
        return Ok(AgentSocket::Off);
    }
    if v == "SSH_AUTH_SOCK" {
        return Ok(AgentSocket::FromEnv);
    }
    if let Some(var) = v.strip_prefix('$') {
        let path = std::env::var(var)
            .map_err(|_| format!("IdentityAgent ${var}: the variable is not set"))?;
        return Ok(AgentSocket::Path(PathBuf::from(path)));
    }
    tokens::path(v, t).map(AgentSocket::Path)
}
