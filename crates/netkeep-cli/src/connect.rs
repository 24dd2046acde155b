//! Direct sessions (no daemon) for `exec` and `config`: the connection flags, the password
//! (from `NETKEEP_PASSWORD`, `--password-file` or a terminal prompt — never from a flag, so it
//! stays out of shell history and `ps`), the enable secret (`NETKEEP_SECRET`, `--secret-file`),
//! the session log, and the session options from the flags or from an inventory entry.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use netkeep::{Auth, ConnectOptions, HostKeyPolicy, KeepaliveMode, Protocol, Secret, SessionLog};
use netkeep_keeper::inventory::{DeviceSpec, Inventory, LoadOptions};

use crate::exit;

/// Flags of a direct session.
#[derive(clap::Args, Debug, Clone)]
pub struct ConnArgs {
    /// Connect directly to this host (no daemon).
    #[arg(long)]
    pub host: Option<String>,
    /// Port [default: 22, or 23 over telnet].
    #[arg(long, short = 'p')]
    pub port: Option<u16>,
    /// ssh, or telnet for devices without SSH (the password then crosses the network in clear;
    /// netkeep never falls back to telnet on its own).
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
    /// Private key file (passphrase from NETKEEP_KEY_PASSPHRASE if it is encrypted).
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
    /// accept-new (remember unknown keys, refuse changed ones), strict, or insecure.
    #[arg(long, default_value = "accept-new", value_parser = parse_policy)]
    pub host_key_policy: HostKeyPolicy,
    /// netkeep's known_hosts file [default: under the user's data directory].
    #[arg(long)]
    pub known_hosts: Option<PathBuf>,
    /// Offer old algorithms (group14/group1-sha1, aes-cbc, 3des-cbc, hmac-sha1) for old gear.
    #[arg(long)]
    pub legacy_algorithms: bool,
    /// Time allowed for connect, login and session preparation (e.g. 10s, 500ms; a plain
    /// number is seconds).
    #[arg(long, default_value = "10s", value_parser = crate::duration::parse_timeout)]
    pub connect_timeout: Duration,
    /// Time allowed per command (e.g. 30s, 2m; a plain number is seconds). Through the daemon
    /// it is sent with the request.
    #[arg(long, default_value = "30s", value_parser = crate::duration::parse_timeout)]
    pub read_timeout: Duration,
}

fn parse_policy(s: &str) -> Result<HostKeyPolicy, String> {
    s.parse()
}

fn parse_protocol(s: &str) -> Result<Protocol, String> {
    s.parse()
}

/// One-shot sessions run no keepalive task.
const NO_KEEPALIVE: KeepaliveMode = KeepaliveMode::Off;

impl ConnArgs {
    /// Session options from the flags (`--host`), or a usage message naming what is missing.
    pub fn direct_options(&self) -> anyhow::Result<Result<ConnectOptions, String>> {
        let Some(host) = self.host.clone() else {
            return Ok(Err("give --host HOST for a direct session".into()));
        };
        let Some(platform) = self.platform.clone() else {
            return Ok(Err(
                "--platform is required with --host (e.g. hp_comware, cisco_ios, linux)".into(),
            ));
        };
        let Some(user) = self.username.clone() else {
            return Ok(Err("--username (or NETKEEP_USERNAME) is required".into()));
        };
        let opts = ConnectOptions::new(host.clone(), 0, platform).protocol(self.protocol);
        let protocol = opts.resolved_protocol().0;
        if protocol == Protocol::Telnet && self.key_file.is_some() {
            return Ok(Err(
                "--key-file is for SSH; telnet logs in with a password".into()
            ));
        }
        let auth = match &self.key_file {
            Some(path) => Auth::PublicKey {
                path: path.clone(),
                passphrase: std::env::var("NETKEEP_KEY_PASSPHRASE")
                    .ok()
                    .map(Secret::new),
            },
            None => {
                let pw = self.password(&user, &host)?;
                if self.keyboard_interactive {
                    Auth::KeyboardInteractive(pw)
                } else {
                    Auth::Password(pw)
                }
            }
        };
        let mut opts = ConnectOptions {
            port: self.port.unwrap_or(protocol.default_port()),
            ..opts
        }
        .username(user)
        .auth(auth)
        .host_key_policy(self.host_key_policy)
        .connect_timeout(self.connect_timeout)
        .read_timeout(self.read_timeout)
        .legacy_algorithms(self.legacy_algorithms)
        .keepalive(NO_KEEPALIVE);
        if let Some(k) = &self.known_hosts {
            opts = opts.known_hosts_file(k);
        }
        if let Some(d) = &self.platform_dir {
            opts = opts.platform_dir(d);
        }
        Ok(Ok(self.privilege_and_log(opts)?))
    }

    /// The inventory for direct sessions when no daemon answers: `inventory` loaded with
    /// `--platform-dir`. Without one, says how to reach devices and returns the usage exit
    /// code; an inventory that does not load is a usage error worded by `usage`.
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
            "no password: set NETKEEP_PASSWORD, give --password-file, use --key-file, or run on a terminal"
        )
    }
}
