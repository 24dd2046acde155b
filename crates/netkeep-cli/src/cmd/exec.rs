//! `netkeep exec`: run commands on a device over one session and print each output.
//!
//! Direct mode (`--host`): connect, run, disconnect ([`run_direct`]). Without `--host` the first
//! positional argument names a device of the daemon's inventory (or `--group` a group); that path
//! goes through `netkeep serve` ([`run_daemon`]).
//!
//! The password comes from `NETKEEP_PASSWORD`, `--password-file`, or a prompt on the terminal —
//! never from a flag, so it does not end up in shell history or `ps`.
//!
//! Exit codes: 0 all commands ran; 1 a command failed; 2 usage; 3 authentication failed;
//! 4 host key refused; 5 device unreachable or session lost.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use netkeep::{
    Auth, ConnectOptions, Error, ErrorKind, HostKeyPolicy, KeepaliveConfig, KeepaliveMode, Secret,
    Session,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// With --host: the commands to run, in order. Without: DEVICE (from the daemon's inventory)
    /// followed by the commands.
    #[arg(value_name = "[DEVICE] COMMAND", required = true)]
    args: Vec<String>,
    /// Run on every device of this inventory group (through the daemon).
    #[arg(long, conflicts_with = "host")]
    group: Option<String>,
    /// Connect directly to this host (no daemon).
    #[arg(long)]
    host: Option<String>,
    /// SSH port.
    #[arg(long, short = 'p', default_value_t = 22)]
    port: u16,
    /// Platform (Netmiko device_type): hp_comware, huawei, huawei_vrpv8, cisco_ios, cisco_xe,
    /// cisco_nxos, cisco_xr, juniper_junos, arista_eos, linux, generic.
    #[arg(long, requires = "host")]
    platform: Option<String>,
    /// Directory of extra or overriding platform files (`*.yaml`).
    #[arg(long, env = "NETKEEP_PLATFORM_DIR")]
    platform_dir: Option<PathBuf>,
    /// Login user name.
    #[arg(long, short = 'u', env = "NETKEEP_USERNAME")]
    username: Option<String>,
    /// Private key file (passphrase from NETKEEP_KEY_PASSPHRASE if it is encrypted).
    #[arg(long)]
    key_file: Option<PathBuf>,
    /// File whose first line is the password.
    #[arg(long, conflicts_with = "key_file")]
    password_file: Option<PathBuf>,
    /// Use keyboard-interactive authentication instead of password.
    #[arg(long)]
    keyboard_interactive: bool,
    /// Run `enable` first (Cisco/Arista), answering with the password.
    #[arg(long)]
    enable: bool,
    /// accept-new (remember unknown keys, refuse changed ones), strict, or insecure.
    #[arg(long, default_value = "accept-new", value_parser = parse_policy)]
    host_key_policy: HostKeyPolicy,
    /// netkeep's known_hosts file [default: under the user's data directory].
    #[arg(long)]
    known_hosts: Option<PathBuf>,
    /// Offer old algorithms (group14/group1-sha1, aes-cbc, 3des-cbc, hmac-sha1) for old gear.
    #[arg(long)]
    legacy_algorithms: bool,
    /// Seconds allowed for connect, login and session preparation.
    #[arg(long, default_value_t = 10.0)]
    connect_timeout: f64,
    /// Seconds allowed per command.
    #[arg(long, default_value_t = 30.0)]
    read_timeout: f64,
    /// Print one JSON document with outputs and timings.
    #[arg(long)]
    json: bool,
    /// The daemon's Unix socket [default: NETKEEP_SOCKET, else the default path].
    #[arg(long)]
    socket: Option<PathBuf>,
    /// Inventory to connect directly from when no daemon is running (DEVICE or --group).
    #[arg(long, short = 'i', env = "NETKEEP_INVENTORY")]
    inventory: Option<PathBuf>,
}

fn parse_policy(s: &str) -> Result<HostKeyPolicy, String> {
    s.parse()
}

fn secs(s: f64, what: &str) -> anyhow::Result<Duration> {
    if !(s.is_finite() && s > 0.0) {
        anyhow::bail!("--{what} must be a positive number of seconds");
    }
    Ok(Duration::from_secs_f64(s))
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.host.is_some() {
        let commands = args.args.clone();
        return run_direct(&args, &commands).await;
    }
    if let Some(group) = args.group.clone() {
        return run_daemon(Target::Group(group), &args.args, &args).await;
    }
    let (device, commands) = args
        .args
        .split_first()
        .map(|(d, c)| (d.clone(), c.to_vec()))
        .unwrap_or_default();
    if commands.is_empty() {
        eprintln!("netkeep: exec: give --host HOST (direct) or DEVICE (daemon), then at least one command");
        return Ok(ExitCode::from(2));
    }
    run_daemon(Target::Device(device), &commands, &args).await
}

/// Where a daemon request goes.
pub enum Target {
    Device(String),
    Group(String),
}

/// Through the daemon (`netkeep serve`), using its warm sessions; without a running daemon,
/// straight to the device(s) as described by `--inventory`.
pub async fn run_daemon(
    target: Target,
    commands: &[String],
    args: &Args,
) -> anyhow::Result<ExitCode> {
    use netkeep_keeper::client::{DaemonClient, Target as DaemonTarget};
    let read_timeout = secs(args.read_timeout, "read-timeout")?;
    let Some(daemon) = DaemonClient::discover(args.socket.as_deref()).await? else {
        return run_from_inventory(target, commands, args).await;
    };
    let daemon_target = match target {
        Target::Device(d) => DaemonTarget::Device(d),
        Target::Group(g) => DaemonTarget::Group(g),
    };
    let resp = daemon
        .exec(daemon_target, commands, Some(read_timeout))
        .await?;
    if args.json {
        print_out(&serde_json::to_string_pretty(&resp)?);
    } else {
        let many = resp.results.len() > 1;
        for r in &resp.results {
            if many {
                print_out(&format!("=== {}", r.device));
            }
            for c in &r.outputs {
                if commands.len() > 1 {
                    print_out(&format!("--- {}", c.command));
                }
                if c.ok {
                    print_out(&c.output);
                } else if let Some(p) = c.partial_output.as_deref().filter(|p| !p.is_empty()) {
                    print_out(p);
                }
                if let Some(e) = &c.error {
                    eprintln!("netkeep: {}: {:?}: {e}", r.device, c.command);
                }
            }
            if let Some(e) = &r.error {
                eprintln!("netkeep: {}: {e}", r.device);
            }
        }
        if many {
            let failed = resp.results.iter().filter(|r| !r.ok).count();
            eprintln!(
                "netkeep: {} device(s), {failed} failed, {:.1} ms",
                resp.results.len(),
                resp.elapsed_ms
            );
        }
    }
    Ok(if resp.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// No daemon: one direct session per device of the inventory, one device after another.
async fn run_from_inventory(
    target: Target,
    commands: &[String],
    args: &Args,
) -> anyhow::Result<ExitCode> {
    let Some(path) = &args.inventory else {
        eprintln!("netkeep: {}", netkeep_keeper::client::no_daemon_message());
        eprintln!(
            "netkeep: or give --inventory FILE to connect directly, or --host HOST --platform P"
        );
        return Ok(ExitCode::from(2));
    };
    let inv =
        netkeep_keeper::inventory::Inventory::load(path).map_err(|e| anyhow::anyhow!("{e}"))?;
    let names: Vec<String> = match &target {
        Target::Device(d) => vec![d.clone()],
        Target::Group(g) => match inv.group_members(g) {
            Some(m) => m.to_vec(),
            None => anyhow::bail!("group {g:?} is not in {}", path.display()),
        },
    };
    let read_timeout = secs(args.read_timeout, "read-timeout")?;
    let mut worst = ExitCode::SUCCESS;
    for name in &names {
        let Some(spec) = inv.devices.get(name) else {
            anyhow::bail!("device {name:?} is not in {}", path.display());
        };
        if names.len() > 1 && !args.json {
            print_out(&format!("=== {name}"));
        }
        let opts = netkeep_keeper::netkeep_conn::connect_options(spec)
            .read_timeout(read_timeout)
            .keepalive(KeepaliveConfig {
                mode: KeepaliveMode::Off,
                interval: None,
            });
        let code = run_session(args, opts, &spec.platform, commands).await?;
        if code != ExitCode::SUCCESS {
            worst = code;
        }
    }
    Ok(worst)
}

fn password(args: &Args, user: &str, host: &str) -> anyhow::Result<Secret> {
    if let Some(f) = &args.password_file {
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

fn exit_code(e: &Error) -> u8 {
    match e.kind() {
        ErrorKind::Auth => 3,
        ErrorKind::HostKey => 4,
        ErrorKind::Unreachable | ErrorKind::ConnectionLost => 5,
        ErrorKind::BadInput => 2,
        _ => 1,
    }
}

/// Prints a line to stdout; a closed pipe (`| head`) ends the output quietly.
fn print_out(text: &str) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    if writeln!(o, "{text}").is_err() {
        std::process::exit(0);
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// Connects straight to `--host`, runs `commands` in order over one session, prints each
/// output, and disconnects. Stops at the first failing command.
pub async fn run_direct(args: &Args, commands: &[String]) -> anyhow::Result<ExitCode> {
    let Some(host) = args.host.clone() else {
        anyhow::bail!("run_direct needs --host");
    };
    let Some(platform) = args.platform.clone() else {
        eprintln!(
            "netkeep: exec: --platform is required with --host (e.g. hp_comware, cisco_ios, linux)"
        );
        return Ok(ExitCode::from(2));
    };
    let Some(user) = args.username.clone() else {
        eprintln!("netkeep: exec: --username (or NETKEEP_USERNAME) is required");
        return Ok(ExitCode::from(2));
    };
    let auth = match &args.key_file {
        Some(path) => Auth::PublicKey {
            path: path.clone(),
            passphrase: std::env::var("NETKEEP_KEY_PASSPHRASE")
                .ok()
                .map(Secret::new),
        },
        None => {
            let pw = password(args, &user, &host)?;
            if args.keyboard_interactive {
                Auth::KeyboardInteractive(pw)
            } else {
                Auth::Password(pw)
            }
        }
    };
    let mut opts = ConnectOptions::new(host.clone(), args.port, platform.clone())
        .username(user)
        .auth(auth)
        .host_key_policy(args.host_key_policy)
        .connect_timeout(secs(args.connect_timeout, "connect-timeout")?)
        .read_timeout(secs(args.read_timeout, "read-timeout")?)
        .legacy_algorithms(args.legacy_algorithms)
        // One-shot: no keepalive task.
        .keepalive(KeepaliveConfig {
            mode: KeepaliveMode::Off,
            interval: None,
        });
    if let Some(k) = &args.known_hosts {
        opts = opts.known_hosts_file(k);
    }
    if let Some(d) = &args.platform_dir {
        opts = opts.platform_dir(d);
    }
    run_session(args, opts, &platform, commands).await
}

/// Opens one session with `opts`, runs `commands` in order, prints, disconnects.
async fn run_session(
    args: &Args,
    opts: ConnectOptions,
    platform: &str,
    commands: &[String],
) -> anyhow::Result<ExitCode> {
    let platform = platform.to_string();
    let device = opts.device();

    let started = Instant::now();
    let session = match Session::connect(opts).await {
        Ok(s) => s,
        Err(e) => return Ok(fail(args, &device, &platform, None, &[], &e)),
    };
    let connect_time = started.elapsed();
    if args.enable {
        if let Err(e) = session.enable().await {
            session.disconnect().await;
            return Ok(fail(args, &device, &platform, Some(connect_time), &[], &e));
        }
    }
    let mut results: Vec<serde_json::Value> = Vec::with_capacity(commands.len());
    let mut failure = None;
    let mut rejected = 0;
    for cmd in commands {
        let t = Instant::now();
        match session.send_command(cmd).await {
            Ok(out) => {
                let took = t.elapsed();
                // The device answered, but with its own error ("% Unrecognized command").
                let refusal = session
                    .platform()
                    .failure_in(&out)
                    .map(|(_, line)| line.trim().to_string());
                if !args.json {
                    if commands.len() > 1 {
                        print_out(&format!("--- {cmd}"));
                    }
                    print_out(&out);
                }
                if let Some(line) = &refusal {
                    rejected += 1;
                    eprintln!("netkeep: {device}: {cmd:?} was rejected by the device: {line}");
                }
                results.push(serde_json::json!({
                    "command": cmd, "ok": refusal.is_none(), "output": out,
                    "rejected": refusal, "elapsed_ms": ms(took),
                }));
            }
            Err(e) => {
                results.push(serde_json::json!({
                    "command": cmd, "ok": false, "error": e.to_string(),
                    "partial_output": e.partial_output(), "elapsed_ms": ms(t.elapsed()),
                }));
                failure = Some(e);
                break;
            }
        }
    }
    session.disconnect().await;
    match failure {
        Some(e) => Ok(fail(
            args,
            &device,
            &platform,
            Some(connect_time),
            &results,
            &e,
        )),
        None => {
            if args.json {
                let doc = serde_json::json!({
                    "device": device, "platform": platform, "ok": rejected == 0,
                    "connect_ms": ms(connect_time), "total_ms": ms(started.elapsed()),
                    "results": results,
                });
                print_out(&serde_json::to_string_pretty(&doc)?);
            }
            Ok(if rejected == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

fn fail(
    args: &Args,
    device: &str,
    platform: &str,
    connect_time: Option<Duration>,
    results: &[serde_json::Value],
    e: &Error,
) -> ExitCode {
    if args.json {
        let doc = serde_json::json!({
            "device": device, "platform": platform, "ok": false,
            "connect_ms": connect_time.map(ms), "error": e.to_string(),
            "auth_failure": e.is_auth_failure(), "connection_lost": e.is_connection_lost(),
            "results": results,
        });
        print_out(&serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else if let Some(p) = e.partial_output().filter(|p| !p.is_empty()) {
        if matches!(e, Error::ReadTimeout { .. }) {
            print_out(p);
        }
    }
    eprintln!("netkeep: {e}");
    ExitCode::from(exit_code(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use netkeep_sim::{DeviceConfig, SimDevice};

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn parse(v: &[&str]) -> Args {
        Cli::parse_from(std::iter::once("exec").chain(v.iter().copied())).args
    }

    #[tokio::test]
    async fn direct_exec_against_the_simulator() {
        let dev = SimDevice::start(
            DeviceConfig::new("hp_comware"),
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .unwrap();
        let dir = std::env::temp_dir().join(format!("netkeep-exec-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (good, bad, kh) = (dir.join("good"), dir.join("bad"), dir.join("known_hosts"));
        std::fs::write(&good, "admin\n").unwrap();
        std::fs::write(&bad, "nope\n").unwrap();
        let port = dev.addr().port().to_string();
        let run_with = |pw: &std::path::Path, cmds: &[&str]| {
            let mut v = vec![
                "--host",
                "127.0.0.1",
                "--port",
                &port,
                "--platform",
                "hp_comware",
                "--username",
                "admin",
                "--known-hosts",
                kh.to_str().unwrap(),
                "--password-file",
                pw.to_str().unwrap(),
                "--json",
            ]
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>();
            v.extend(cmds.iter().map(|c| c.to_string()));
            v
        };
        let a = run_with(&good, &["display clock", "display version"]);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        assert_eq!(run(parse(&a)).await.unwrap(), ExitCode::SUCCESS);
        assert!(std::fs::read_to_string(&kh)
            .unwrap()
            .contains("ssh-ed25519"));
        // A command the device rejects: exit 1.
        let a = run_with(&good, &["display nonsense"]);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        assert_eq!(run(parse(&a)).await.unwrap(), ExitCode::from(1));
        // Wrong password: exit 3.
        let a = run_with(&bad, &["display clock"]);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        assert_eq!(run(parse(&a)).await.unwrap(), ExitCode::from(3));
        // Nothing listening: exit 5.
        dev.stop().await;
        let a = run_with(&good, &["display clock"]);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        assert_eq!(run(parse(&a)).await.unwrap(), ExitCode::from(5));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
