//! From ssh_config to connection options for jump hosts: each hop looked up in the file like
//! any host (its own HostName, User, keys, host-key settings, and its own ProxyJump or
//! ProxyCommand when it is the first hop), chained into a [`Route`]; a chain that comes back to
//! a host it already passed is refused.

use std::path::PathBuf;
use std::time::Duration;

use super::{HostConfig, JumpTarget, Proxy, Query, SshConfig};
use crate::hostkeys::HostKeyPolicy;
use crate::secret::Secret;
use crate::ssh::{AgentSocket, Auth, Identities, Route, SshOptions};

/// What a jump host gets where ssh_config says nothing: the command line's or the inventory's
/// settings.
#[derive(Debug, Clone)]
pub struct HopDefaults {
    /// Host-key policy.
    pub host_key_policy: HostKeyPolicy,
    /// netkeep's known_hosts file (`None`: the default one).
    pub known_hosts_file: Option<PathBuf>,
    /// Connect timeout of each hop.
    pub connect_timeout: Duration,
    /// Offer legacy algorithms.
    pub legacy_algorithms: bool,
    /// SSH keepalive on the hop's connection.
    pub ssh_keepalive: Option<Duration>,
    /// The agent to ask.
    pub agent: AgentSocket,
    /// Passphrase of encrypted key files.
    pub passphrase: Option<Secret>,
    /// Ask on the terminal for a key's passphrase.
    pub ask_passphrase: bool,
    /// The jump hosts' password: when set, each hop logs in with it (password, or
    /// keyboard-interactive where that is all the hop offers) instead of keys.
    pub password: Option<Secret>,
}

impl Default for HopDefaults {
    fn default() -> Self {
        HopDefaults {
            host_key_policy: HostKeyPolicy::AcceptNew,
            known_hosts_file: None,
            connect_timeout: Duration::from_secs(10),
            legacy_algorithms: false,
            ssh_keepalive: None,
            agent: AgentSocket::FromEnv,
            passphrase: None,
            ask_passphrase: false,
            password: None,
        }
    }
}

/// A route that cannot be built: a jump loop, a value that does not expand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RouteError(pub String);

impl SshConfig {
    /// The route through `hops` (first hop first) to a host: `--jump a,b` or a ProxyJump. The
    /// last hop is reached through the ones before it (its own ProxyJump is not used, as with
    /// `ssh -J`); the first follows its own ssh_config. `chain` is the device: its name first
    /// (shown in a loop error), then the `host:port` addresses it is known by, to refuse a jump
    /// host that leads back to it or to another hop.
    ///
    /// ```
    /// use netkeep_transport::ssh_config::{HopDefaults, JumpTarget, SshConfig};
    /// let cfg = SshConfig::parse_str("Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n", "inline").unwrap();
    /// let e = cfg.jump_route(&JumpTarget::parse_list("a").unwrap(), &HopDefaults::default(), &["sw1".into()]).unwrap_err();
    /// assert!(e.to_string().starts_with("jump loop: sw1 -> a -> b -> a"), "{e}");
    /// ```
    pub fn jump_route(
        &self,
        hops: &[JumpTarget],
        d: &HopDefaults,
        chain: &[String],
    ) -> Result<Route, RouteError> {
        let mut way = Way {
            names: chain.iter().take(1).cloned().collect(),
            keys: chain.to_vec(),
        };
        self.route_through(hops, d, &mut way)
    }

    /// The route a host's ProxyJump or ProxyCommand gives (`proxy`, as [`HostConfig::proxy`]
    /// or a `--jump`/`jump_host` override): hops through [`SshConfig::jump_route`], a command
    /// as [`Route::Command`], `none` or nothing as [`Route::Direct`]. `chain` as for
    /// `jump_route`.
    ///
    /// ```
    /// use netkeep_transport::ssh::Route;
    /// use netkeep_transport::ssh_config::{HopDefaults, Query, SshConfig};
    /// let cfg = SshConfig::parse_str("Host sw1\n  ProxyCommand nc %h %p\n", "inline").unwrap();
    /// let h = cfg.lookup(&Query::host("sw1")).unwrap();
    /// let r = cfg.proxy_route(h.proxy.as_ref(), &HopDefaults::default(), &["sw1".into()]).unwrap();
    /// assert!(matches!(r, Route::Command(c) if c == "nc sw1 22"));
    /// ```
    pub fn proxy_route(
        &self,
        proxy: Option<&Proxy>,
        d: &HopDefaults,
        chain: &[String],
    ) -> Result<Route, RouteError> {
        match proxy {
            Some(Proxy::Jump(hops)) => self.jump_route(hops, d, chain),
            Some(Proxy::Command(c)) => Ok(Route::Command(c.clone())),
            Some(Proxy::None) | None => Ok(Route::Direct),
        }
    }

    fn route_through(
        &self,
        hops: &[JumpTarget],
        d: &HopDefaults,
        way: &mut Way,
    ) -> Result<Route, RouteError> {
        let Some((last, before)) = hops.split_last() else {
            return Ok(Route::Direct);
        };
        let mut opts = self.hop_options(last, d, way, before.is_empty())?;
        if !before.is_empty() {
            opts.route = self.route_through(before, d, way)?;
        }
        Ok(Route::Jump(Box::new(opts)))
    }

    /// Options for one jump host; with `own_route`, its route from its own ssh_config.
    fn hop_options(
        &self,
        t: &JumpTarget,
        d: &HopDefaults,
        way: &mut Way,
        own_route: bool,
    ) -> Result<SshOptions, RouteError> {
        let q = Query {
            host: &t.host,
            user: t.user.as_deref(),
            port: t.port,
        };
        let h = self.lookup(&q).map_err(|e| RouteError(e.to_string()))?;
        let host = h.hostname.clone().unwrap_or_else(|| t.host.clone());
        let port = t.port.or(h.port).unwrap_or(22);
        way.pass(&t.host, &format!("{host}:{port}"))?;
        let user = t
            .user
            .clone()
            .or_else(|| h.user.clone())
            .unwrap_or_else(super::tokens::local_user);
        let auth = match &d.password {
            Some(p) => Auth::Password(p.clone()),
            None => Auth::Identities(identities(&h, d)),
        };
        let mut o = SshOptions::new(host, port, user, auth);
        o.device = t.to_string();
        apply_host(&mut o, &h, d);
        if own_route {
            o.route = match &h.proxy {
                Some(Proxy::Jump(hops)) => self.route_through(hops, d, way)?,
                Some(Proxy::Command(c)) => Route::Command(c.clone()),
                Some(Proxy::None) | None => Route::Direct,
            };
        }
        Ok(o)
    }
}

/// The hosts passed so far: names to show, `host:port` addresses to compare. Names alone are
/// not compared: a jump host may share a name with the device on another port (`ssh -J gw
/// gw:2222`), and a true loop comes back to the same address.
struct Way {
    names: Vec<String>,
    keys: Vec<String>,
}

impl Way {
    fn pass(&mut self, name: &str, addr: &str) -> Result<(), RouteError> {
        let again = self.keys.iter().any(|k| k == addr);
        self.names.push(name.to_string());
        if again {
            return Err(RouteError(format!(
                "jump loop: {} (a jump host leads back to a host already on the way)",
                self.names.join(" -> ")
            )));
        }
        self.keys.push(addr.to_string());
        Ok(())
    }
}

/// Keys for a host: its IdentityFiles (else OpenSSH's default files), its agent setting.
pub fn identities(h: &HostConfig, d: &HopDefaults) -> Identities {
    let files = if h.identity_files.is_empty() {
        Identities::default_files()
    } else {
        h.identity_files.clone()
    };
    Identities {
        agent: h.identity_agent.clone().unwrap_or_else(|| d.agent.clone()),
        files,
        identities_only: h.identities_only.unwrap_or(false),
        passphrase: d.passphrase.clone(),
        ask_passphrase: d.ask_passphrase,
    }
}

/// The host-key, timeout, keepalive and algorithm settings of `h` over the defaults.
fn apply_host(o: &mut SshOptions, h: &HostConfig, d: &HopDefaults) {
    o.host_key_policy = h.host_key_policy.unwrap_or(d.host_key_policy);
    o.known_hosts_file = h
        .known_hosts_files
        .first()
        .cloned()
        .or_else(|| d.known_hosts_file.clone());
    o.connect_timeout = h.connect_timeout.unwrap_or(d.connect_timeout);
    o.legacy_algorithms = d.legacy_algorithms;
    o.ssh_keepalive = match h.server_alive_interval {
        Some(z) if z.is_zero() => None,
        Some(i) => Some(i),
        None => d.ssh_keepalive,
    };
    if let Some(n) = h.server_alive_count_max {
        o.ssh_keepalive_max = n as usize;
    }
    o.algorithms = h.algorithms.clone();
}
