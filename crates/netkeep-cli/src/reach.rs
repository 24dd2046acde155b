//! How a direct session reaches its device, the way OpenSSH would: the ssh_config file
//! (`--ssh-config FILE|none`, default `~/.ssh/config` when it exists), jump hosts (`--jump`, else
//! the file's ProxyJump or ProxyCommand), and keys from the ssh-agent and key files. Flags win
//! over the file, the file over netkeep's defaults.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use netkeep::{HostKeyPolicy, Secret};
use netkeep_keeper::inventory::SshConfigSource;
use netkeep_transport::ssh::{AgentSocket, Identities, Route};
use netkeep_transport::ssh_config::{
    identities, HopDefaults, HostConfig, JumpTarget, Proxy, Query, SshConfig,
};

/// The flags that say how to reach the device.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ReachArgs {
    /// OpenSSH client configuration to read (Host/Match, HostName, Port, User, IdentityFile,
    /// IdentityAgent, ProxyJump, ProxyCommand, StrictHostKeyChecking, ConnectTimeout,
    /// ServerAlive*, algorithms, Include); `none` reads none [default: ~/.ssh/config when it
    /// exists].
    #[arg(long, value_name = "FILE|none", env = "NETKEEP_SSH_CONFIG")]
    pub ssh_config: Option<String>,
    /// Jump hosts, first hop first, as `ssh -J`: [user@]host[:port][,...] (each looked up in the
    /// ssh_config; keys from the agent and IdentityFile). `none`: ignore the file's ProxyJump.
    #[arg(long, value_name = "[USER@]HOST[:PORT],...")]
    pub jump: Option<String>,
    /// File whose first line is the jump hosts' password (also NETKEEP_JUMP_PASSWORD); with
    /// it, jump hosts log in with the password instead of keys.
    #[arg(long, value_name = "FILE")]
    pub jump_password_file: Option<PathBuf>,
}

/// What the file and the flags say about reaching one host.
pub struct Reach {
    /// The host's settings from the file.
    pub host: HostConfig,
    /// The route to it.
    pub route: Route,
}

impl ReachArgs {
    /// The ssh_config an inventory is read with: `--ssh-config`, else the inventory's
    /// `ssh_config_file`, else `~/.ssh/config` when it exists.
    pub fn inventory_source(&self) -> SshConfigSource {
        source(self.ssh_config.as_deref())
    }

    /// The ssh_config in effect, its warnings logged; a usage message when it cannot be read.
    pub fn config(&self) -> Result<SshConfig, String> {
        let cfg = match self.ssh_config.as_deref() {
            Some("none") => return Ok(SshConfig::empty()),
            Some(f) => SshConfig::load(&PathBuf::from(f)),
            None => match SshConfig::default_file() {
                Some(f) => SshConfig::load(&f),
                None => return Ok(SshConfig::empty()),
            },
        }
        .map_err(|e| format!("ssh_config: {e}"))?;
        for w in cfg.warnings() {
            tracing::warn!("ssh_config: {w}");
        }
        Ok(cfg)
    }

    /// The jump hosts' password: `--jump-password-file`, else NETKEEP_JUMP_PASSWORD.
    pub fn jump_password(&self) -> Result<Option<Secret>, String> {
        if let Some(f) = &self.jump_password_file {
            let text = std::fs::read_to_string(f)
                .map_err(|e| format!("cannot read --jump-password-file {}: {e}", f.display()))?;
            return Ok(Some(Secret::new(text.lines().next().unwrap_or(""))));
        }
        Ok(std::env::var("NETKEEP_JUMP_PASSWORD").ok().map(Secret::new))
    }

    /// Looks `host` up (with the user and port given on the command line) and works out the
    /// route: `--jump`, else the file's ProxyJump or ProxyCommand.
    pub fn resolve(
        &self,
        host: &str,
        user: Option<&str>,
        port: Option<u16>,
        hops: &HopDefaults,
    ) -> Result<Reach, String> {
        let cfg = self.config()?;
        let q = Query { host, user, port };
        let h = cfg.lookup(&q).map_err(|e| format!("ssh_config: {e}"))?;
        let addr = format!(
            "{}:{}",
            h.hostname.as_deref().unwrap_or(host),
            port.or(h.port).unwrap_or(22)
        );
        let chain = [host.to_string(), addr];
        let jump = match self.jump.as_deref() {
            Some("none") => Some(Proxy::None),
            Some(list) => Some(Proxy::Jump(
                JumpTarget::parse_list(list).map_err(|e| format!("--jump: {e}"))?,
            )),
            None => h.proxy.clone(),
        };
        let route = cfg
            .proxy_route(jump.as_ref(), hops, &chain)
            .map_err(|e| e.to_string())?;
        Ok(Reach { host: h, route })
    }
}

/// Whether a person can be asked (a passphrase, a password).
pub fn on_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// `NETKEEP_KEY_PASSPHRASE`, for encrypted key files.
pub fn key_passphrase() -> Option<Secret> {
    std::env::var("NETKEEP_KEY_PASSPHRASE")
        .ok()
        .map(Secret::new)
}

/// Jump hosts' defaults: the command line's host-key settings and timeout, keys from the agent.
pub fn hop_defaults(
    policy: Option<HostKeyPolicy>,
    known_hosts: Option<PathBuf>,
    connect_timeout: Option<Duration>,
    legacy: bool,
) -> HopDefaults {
    HopDefaults {
        host_key_policy: policy.unwrap_or_default(),
        known_hosts_file: known_hosts,
        connect_timeout: connect_timeout.unwrap_or(Duration::from_secs(10)),
        legacy_algorithms: legacy,
        ssh_keepalive: None,
        agent: AgentSocket::FromEnv,
        passphrase: key_passphrase(),
        ask_passphrase: on_terminal(),
        password: None,
    }
}

/// Keys for the device when no password is given: `Some` when the file names keys or an agent
/// for it, or when nobody could be asked for a password and an agent is there.
pub fn device_keys(h: &HostConfig, d: &HopDefaults) -> Option<Identities> {
    let ids = identities(h, d);
    let configured = !h.identity_files.is_empty()
        || matches!(
            h.identity_agent,
            Some(AgentSocket::Path(_) | AgentSocket::FromEnv)
        );
    let agent = ids.agent_path().is_some();
    (configured || (agent && !on_terminal())).then_some(ids)
}

/// `--ssh-config` for an inventory: a file, `none`, or (not given) the inventory's, else
/// `~/.ssh/config`.
pub fn source(flag: Option<&str>) -> SshConfigSource {
    match flag {
        Some("none") => SshConfigSource::Off,
        Some(f) => SshConfigSource::File(PathBuf::from(f)),
        None => SshConfigSource::InventoryOrHome,
    }
}
