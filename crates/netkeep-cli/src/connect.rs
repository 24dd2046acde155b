//! Direct sessions (no daemon) for `exec` and `config`: the connection flags, the password
//! (from `NETKEEP_PASSWORD`, `--password-file` or a terminal prompt — never from a flag, so it
//! stays out of shell history and `ps`), the enable secret (`NETKEEP_SECRET`, `--secret-file`),
//! the session log, and the session options from the flags or from an inventory entry. How the
//! device is reached (ssh_config, jump hosts, the ssh-agent) is [`crate::reach`]'s.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use netkeep::{Auth, ConnectOptions, HostKeyPolicy, KeepaliveMode, Protocol, Secret, SessionLog};
use netkeep_keeper::inventory::{DeviceSpec, Inventory, LoadOptions};

use crate::exit;

use crate::reach::{self, ReachArgs};

/// Flags of a direct session.
#[derive(clap::Args, Debug, Clone)]
pub struct ConnArgs {
    /// Connect directly to this host (no daemon).
    #[arg(long)]
    pub host: Option<String>,
    /// Port [default: the ssh_config's Port, else 22; 23 over telnet].
    #[arg(long, short = 'p')]
    pub port: Option<u16>,
    /// ssh, or telnet for devices without SSH (the password then crosses the network in clear;
    /// netkeep never falls back to telnet on its own). Jump hosts and the ssh_config are SSH's.
    #[arg(long, default_value = "ssh", value_parser = parse_protocol)]
    pub protocol: Protocol,
    /// Platform (Netmiko device_type): hp_comware, huawei, huawei_vrpv8, cisco_ios, cisco_xe,
    /// cisco_nxos, cisco_xr, juniper_junos, arista_eos, linux, generic; a `_telnet` name
    /// (hp_comware_telnet, cisco_ios_telnet, ...) means --protocol telnet.
    #[arg(long, requires = "host")]
    pub platform: Option<String>,
    /// Directory of extra or overriding platform files (`*.yaml`).
    #[arg(long, env = "NETKEEP_PLATFORM_DIR")]
    pub platform_dir: Option<PathBuf>,
    /// Login user name.
    #[arg(long, short = 'u', env = "NETKEEP_USERNAME")]
    pub username: Option<String>,
    /// Private key file (signed by the ssh-agent when it holds the key; an encrypted file takes
    /// its passphrase from NETKEEP_KEY_PASSPHRASE, else asks on the terminal). Without it or a
    /// password, keys come from the ssh_config's IdentityFile and the agent (SSH_AUTH_SOCK).
    #[arg(long)]
    pub key_file: Option<PathBuf>,
    /// File whose first line is the password.
    #[arg(long, conflicts_with = "key_file")]
    pub password_file: Option<PathBuf>,
    /// Use keyboard-interactive authentication instead of password.
    #[arg(long)]
    pub keyboard_interactive: bool,
    /// Enter privileged mode at login (Cisco/Arista `enable`), typing the enable secret
    /// (NETKEEP_SECRET or --secret-file), else the login password (asked for explicitly here).
    /// Without it the login password is never typed at an enable prompt.
    #[arg(long)]
    pub enable: bool,
    /// File whose first line is the enable secret (Netmiko's `secret`; also NETKEEP_SECRET).
    #[arg(long)]
    pub secret_file: Option<PathBuf>,
    /// Record the session in FILE (timestamped lines both ways; passwords, the enable secret
    /// and anything typed at a password prompt appear as ********; rotated at 10 MiB). For a
    /// direct session: with an inventory device, it connects directly instead of through the
    /// daemon.
    #[arg(long, value_name = "FILE")]
    pub session_log: Option<PathBuf>,
    /// accept-new (remember unknown keys, refuse changed ones), strict, or insecure [default:
    /// the ssh_config's StrictHostKeyChecking, else accept-new]. Jump hosts get it too.
    #[arg(long, value_parser = parse_policy)]
    pub host_key_policy: Option<HostKeyPolicy>,
    /// netkeep's known_hosts file [default: under the user's data directory].
    #[arg(long)]
    pub known_hosts: Option<PathBuf>,
    /// Offer old algorithms (group14/group1-sha1, aes-cbc, 3des-cbc, hmac-sha1) for old gear.
    #[arg(long)]
    pub legacy_algorithms: bool,
    /// Time allowed for connect, login and session preparation (e.g. 10s, 500ms; a plain
    /// number is seconds) [default: the ssh_config's ConnectTimeout, else 10s].
    #[arg(long, value_parser = crate::duration::parse_timeout)]
    pub connect_timeout: Option<Duration>,
    /// Time allowed per command (e.g. 30s, 2m; a plain number is seconds). Through the daemon
    /// it is sent with the request.
    #[arg(long, default_value = "30s", value_parser = crate::duration::parse_timeout)]
    pub read_timeout: Duration,
    #[command(flatten)]
    pub reach: ReachArgs,
}

fn parse_policy(s: &str) -> Result<HostKeyPolicy, String> {
    s.parse()
}

fn parse_protocol(s: &str) -> Result<Protocol, String> {
    s.parse()
}

/// One-shot sessions run no keepalive task.
const NO_KEEPALIVE: KeepaliveMode = KeepaliveMode::Off;

/// Connect + login + preparation bound when neither the flag nor the ssh_config sets one.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl ConnArgs {
    /// Session options from the flags (`--host`) and the ssh_config, or a usage message naming
    /// what is missing.
    pub fn direct_options(&self) -> anyhow::Result<Result<ConnectOptions, String>> {
        let Some(host) = self.host.clone() else {
            return Ok(Err("give --host HOST for a direct session".into()));
        };
        let Some(platform) = self.platform.clone() else {
            return Ok(Err(
                "--platform is required with --host (e.g. hp_comware, cisco_ios, linux)".into(),
            ));
        };
        let probe = ConnectOptions::new(host.clone(), 0, platform.clone()).protocol(self.protocol);
        if probe.resolved_protocol().0 == Protocol::Telnet {
            return self.telnet_options(probe);
        }
        let mut hops = reach::hop_defaults(
            self.host_key_policy,
            self.known_hosts.clone(),
            self.connect_timeout,
            self.legacy_algorithms,
        );
        hops.password = match self.reach.jump_password() {
            Ok(p) => p,
            Err(message) => return Ok(Err(message)),
        };
        let r = match self
            .reach
            .resolve(&host, self.username.as_deref(), self.port, &hops)
        {
            Ok(r) => r,
            Err(message) => return Ok(Err(message)),
        };
        let h = &r.host;
        let Some(user) = self.username.clone().or_else(|| h.user.clone()) else {
            return Ok(Err(
                "--username (or NETKEEP_USERNAME, or User in the ssh_config) is required".into(),
            ));
        };
        let auth = self.auth(&user, &host, h, &hops)?;
        let address = h.hostname.clone().unwrap_or_else(|| host.clone());
        let port = self.port.or(h.port).unwrap_or(22);
        let timeout = self.connect_timeout.or(h.connect_timeout);
        let mut opts = ConnectOptions::new(address, port, platform)
            .username(user)
            .auth(auth)
            .host_key_policy(
                self.host_key_policy
                    .or(h.host_key_policy)
                    .unwrap_or_default(),
            )
            .connect_timeout(timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
            .read_timeout(self.read_timeout)
            .legacy_algorithms(self.legacy_algorithms)
            .keepalive(NO_KEEPALIVE)
            .route(r.route);
        if host != opts.host || port != 22 {
            opts = opts.device_name(if port == 22 {
                host
            } else {
                format!("{host}:{port}")
            });
        }
        opts.algorithms = h.algorithms.clone();
        opts.ssh_keepalive = h.server_alive_interval.filter(|d| !d.is_zero());
        if let Some(n) = h.server_alive_count_max {
            opts.ssh_keepalive_max = n as usize;
        }
        if let Some(k) = self
            .known_hosts
            .clone()
            .or_else(|| h.known_hosts_files.first().cloned())
        {
            opts = opts.known_hosts_file(k);
        }
        if let Some(d) = &self.platform_dir {
            opts = opts.platform_dir(d);
        }
        Ok(Ok(self.privilege_and_log(opts)?))
    }

    /// A telnet session from the flags: the password typed at the device's prompts. The
    /// ssh_config is not read (it describes SSH) and jump hosts are refused: they forward SSH.
    fn telnet_options(
        &self,
        opts: ConnectOptions,
    ) -> anyhow::Result<Result<ConnectOptions, String>> {
        if self.key_file.is_some() {
            return Ok(Err(
                "--key-file is for SSH; telnet logs in with a password".into()
            ));
        }
        if self.reach.jump.as_deref().is_some_and(|j| j != "none") {
            return Ok(Err(
                "--jump forwards SSH only: a telnet device cannot be reached through a jump host (reach it directly, or use SSH)".into(),
            ));
        }
        let Some(user) = self.username.clone() else {
            return Ok(Err("--username (or NETKEEP_USERNAME) is required".into()));
        };
        let pw = self.password(&user, &opts.host)?;
        let mut opts = ConnectOptions {
            port: self.port.unwrap_or(Protocol::Telnet.default_port()),
            ..opts
        }
        .username(user)
        .auth(Auth::Password(pw))
        .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
        .read_timeout(self.read_timeout)
        .keepalive(NO_KEEPALIVE);
        if let Some(d) = &self.platform_dir {
            opts = opts.platform_dir(d);
        }
        Ok(Ok(self.privilege_and_log(opts)?))
    }

    /// `--key-file` (through the agent when it holds the key), a password (`--password-file`,
    /// NETKEEP_PASSWORD), the ssh_config's keys or the agent, else a password asked for.
    fn auth(
        &self,
        user: &str,
        host: &str,
        h: &netkeep_transport::ssh_config::HostConfig,
        hops: &netkeep_transport::ssh_config::HopDefaults,
    ) -> anyhow::Result<Auth> {
        if let Some(path) = &self.key_file {
            let mut ids = netkeep_transport::ssh_config::identities(h, hops);
            ids.files = vec![path.clone()];
            ids.identities_only = true;
            return Ok(Auth::Identities(ids));
        }
        let keys = (self.password_file.is_none() && std::env::var_os("NETKEEP_PASSWORD").is_none())
            .then(|| reach::device_keys(h, hops))
            .flatten();
        if let Some(ids) = keys {
            return Ok(Auth::Identities(ids));
        }
        let pw = self.password(user, host)?;
        Ok(if self.keyboard_interactive {
            Auth::KeyboardInteractive(pw)
        } else {
            Auth::Password(pw)
        })
    }

    /// The inventory for direct sessions when no daemon answers: `inventory` loaded with
    /// `--platform-dir` and the ssh_config (`--ssh-config`, else the inventory's
    /// `ssh_config_file`, else `~/.ssh/config`). Without one, says how to reach devices and
    /// returns the usage exit code; an inventory that does not load is a usage error worded by
    /// `usage`.
    pub fn direct_inventory(
        &self,
        inventory: Option<&Path>,
        usage: impl Fn(&str) -> ExitCode,
    ) -> Result<Inventory, ExitCode> {
        let Some(path) = inventory else {
            if self.session_log.is_some() {
                return Err(usage(
                    "--session-log records a direct session: give --inventory FILE (or --host); the daemon's sessions are logged per the inventory's `session_log`",
                ));
            }
            eprintln!("netkeep: {}", netkeep_keeper::client::no_daemon_message());
            eprintln!(
                "netkeep: or give --inventory FILE to connect directly, or --host HOST --platform P"
            );
            return Err(exit::code(exit::USAGE));
        };
        let load = LoadOptions {
            platform_dir: self.platform_dir.clone(),
            ssh_config: self.reach.inventory_source(),
        };
        Inventory::load_with(path, &load).map_err(|e| usage(&format!("inventory: {e}")))
    }

    /// Session options for an inventory device, with this command's read timeout (and its
    /// `--enable`, `--secret-file`, `--session-log`, over the inventory's).
    pub fn inventory_options(&self, spec: &DeviceSpec) -> anyhow::Result<ConnectOptions> {
        let opts = netkeep_keeper::connector::ssh::connect_options(spec)
            .read_timeout(self.read_timeout)
            .keepalive(NO_KEEPALIVE);
        self.privilege_and_log(opts)
    }

    /// `--enable`, the enable secret (`--secret-file`, else NETKEEP_SECRET) and `--session-log`.
    fn privilege_and_log(&self, mut opts: ConnectOptions) -> anyhow::Result<ConnectOptions> {
        if self.enable {
            opts = opts.enable(true);
        }
        if let Some(f) = &self.secret_file {
            let text = std::fs::read_to_string(f)
                .map_err(|e| anyhow::anyhow!("cannot read --secret-file {}: {e}", f.display()))?;
            opts = opts.enable_secret(Secret::new(text.lines().next().unwrap_or("")));
        } else if let Ok(s) = std::env::var("NETKEEP_SECRET") {
            opts = opts.enable_secret(Secret::new(s));
        }
        if let Some(f) = &self.session_log {
            opts = opts.session_log(SessionLog::new(f));
        }
        Ok(opts)
    }

    fn password(&self, user: &str, host: &str) -> anyhow::Result<Secret> {
        if let Some(f) = &self.password_file {
            let text = std::fs::read_to_string(f)
                .map_err(|e| anyhow::anyhow!("cannot read --password-file {}: {e}", f.display()))?;
            let line = text.lines().next().unwrap_or("");
            return Ok(Secret::new(line));
        }
        if let Ok(p) = std::env::var("NETKEEP_PASSWORD") {
            return Ok(Secret::new(p));
        }
        use std::io::IsTerminal;
        if std::io::stdin().is_terminal() {
            return Secret::prompt_tty(&format!("Password for {user}@{host}: "))
                .map_err(|e| anyhow::anyhow!("cannot read the password from the terminal: {e}"));
        }
        anyhow::bail!(
            "no password: set NETKEEP_PASSWORD, give --password-file, use --key-file or an ssh-agent (SSH_AUTH_SOCK), or run on a terminal"
        )
    }
}
