//! `netkeep sim`: run simulated network devices over SSH (or telnet) until Ctrl-C or SIGTERM.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use netkeep_sim::{DeviceConfig, Fault, Protocol, SimDevice, SimError};

/// Run simulated network devices (SSH or telnet servers with a vendor CLI personality).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Platform (or alias): hp_comware, huawei, huawei_vrpv8, cisco_ios, cisco_nxos, cisco_xr,
    /// juniper_junos, arista_eos, linux, or one of --personality-dir. A `_telnet` name
    /// (hp_comware_telnet) means --protocol telnet.
    #[arg(long, default_value = "hp_comware")]
    platform: String,
    /// Serve ssh, or telnet (the vendor's telnet login dialogue, then the same CLI).
    #[arg(long, default_value = "ssh", value_parser = parse_protocol)]
    protocol: Protocol,
    /// Over telnet, let IAC NOP and DO TIMING-MARK restart the idle timer (the default model:
    /// they do not, the telnet layer consumes them; no vendor documents which is true).
    #[arg(long)]
    telnet_nop_restarts_idle: bool,
    /// Directory of personality files (NAME.yaml, as crates/netkeep-sim/personalities/): new
    /// simulated platforms, or replacements for built-in ones of the same name.
    #[arg(long)]
    personality_dir: Option<PathBuf>,
    /// Directory of platform files (as `netkeep exec --platform-dir`): their aliases name
    /// personalities too.
    #[arg(long)]
    platform_dir: Option<PathBuf>,
    /// Number of devices; they take ports PORT..PORT+N-1 and hostnames NAME-1..NAME-N.
    #[arg(long, default_value_t = 1)]
    count: usize,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    listen: IpAddr,
    /// First port (0 = any free port for every device).
    #[arg(long, default_value_t = 2222)]
    port: u16,
    /// Hostname (default: the platform's, e.g. H3C, R1, router1).
    #[arg(long)]
    hostname: Option<String>,
    /// Login user name.
    #[arg(long, default_value = "admin")]
    username: String,
    /// File holding the simulated devices' login password. Without it: NETKEEP_SIM_PASSWORD,
    /// else "admin". (No --password flag: passwords never go on a command line.)
    #[arg(long)]
    password_file: Option<PathBuf>,
    /// File holding the enable secret (`enable` asks for it on IOS, EOS, ...). Without it the
    /// platform's default: IOS and IOS-XR take the login password, EOS has none.
    #[arg(long, conflicts_with = "no_enable_secret")]
    enable_secret_file: Option<PathBuf>,
    /// Configure no enable secret (EOS `enable` goes straight in; IOS says "% No password set").
    #[arg(long)]
    no_enable_secret: bool,
    /// Sessions start in privileged exec mode (`R1#`), as IOS does for a user with privilege 15.
    #[arg(long)]
    privileged_login: bool,
    /// How long a confirmed `reload`/`reboot` keeps the device down, e.g. 5s.
    #[arg(long, value_parser = netkeep_sim::parse_duration, default_value = "3s")]
    reload_time: Duration,
    /// How long a minute of the CLI's own timers lasts (`commit confirmed 1`), e.g. 2s for
    /// demos.
    #[arg(long, value_parser = netkeep_sim::parse_duration, default_value = "60s")]
    cli_minute: Duration,
    /// VTY idle timeout for new sessions, e.g. 10s, 1m30s; 0 = off (default: the platform's).
    #[arg(long, value_parser = crate::duration::parse_duration)]
    idle_timeout: Option<Duration>,
    /// Concurrent sessions per device; past it logins are refused with the vendor's message.
    #[arg(long)]
    vty_limit: Option<usize>,
    /// Delay before a correct password is accepted, e.g. 1500ms.
    #[arg(long, value_parser = crate::duration::parse_duration, default_value = "0s")]
    login_delay: Duration,
    /// Show the platform's login banner (Comware: "Press Y or ENTER to continue, N to exit.").
    #[arg(long)]
    banner: bool,
    /// Pad the running configuration to about this many lines (large outputs, paging).
    #[arg(long, default_value_t = 0)]
    config_lines: usize,
    /// OpenSSH private host key file (default: a fresh ed25519 key per device).
    #[arg(long)]
    host_key: Option<PathBuf>,
    /// Fault to inject: stall, reset, reboot, slow-drip, garbage, unsolicited, prompt-in-output,
    /// auth-failing. Repeatable. Without --fault-rate, lasting faults are on from the start.
    #[arg(long)]
    fault: Vec<String>,
    /// Chance per device per second to inject one of the --fault faults (lasting ones for 5 s).
    #[arg(long)]
    fault_rate: Option<f64>,
}

/// Why `netkeep sim` stops before serving: the message and the exit code.
struct Stop {
    code: u8,
    message: String,
}

impl Stop {
    /// Bad input from the command line (exit 2).
    fn usage(message: String) -> Stop {
        Stop { code: 2, message }
    }

    fn report(self) -> ExitCode {
        eprintln!("netkeep sim: {}", self.message);
        ExitCode::from(self.code)
    }
}

fn parse_protocol(s: &str) -> Result<Protocol, String> {
    s.parse()
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (protocol, platform) = match netkeep::telnet_platform(&args.platform) {
        Some(base) => (Protocol::Telnet, base),
        None => (args.protocol, args.platform.as_str()),
    };
    let base = DeviceConfig::with_dirs(
        platform,
        args.personality_dir.clone(),
        args.platform_dir.clone(),
    )
    .map_err(|e| Stop::usage(e.to_string()));
    let checked = base.and_then(|base| Ok((base, parse_faults(&args.fault)?)));
    let (base, faults) = match checked {
        Ok(x) => x,
        Err(stop) => return Ok(stop.report()),
    };
    if args.count == 0 {
        return Ok(Stop::usage("--count must be at least 1".into()).report());
    }
    let password = read_password(args.password_file.as_deref())?;
    let base = DeviceConfig {
        enable_secret: read_enable_secret(&args)?,
        protocol,
        telnet_nop_restarts_idle: args.telnet_nop_restarts_idle,
        ..base
    };
    let devices = match start_devices(&args, &base, &password).await {
        Ok(d) => d,
        Err(stop) => return Ok(stop.report()),
    };
    for d in &devices {
        println!("{}\t{}\t{}", d.platform(), d.hostname(), d.addr());
    }
    inject_faults(&devices, faults, args.fault_rate);
    wait_for_shutdown(&devices).await;
    stop_all(&devices).await;
    print_counters(&devices);
    Ok(ExitCode::SUCCESS)
}

fn parse_faults(names: &[String]) -> Result<Vec<Fault>, Stop> {
    names
        .iter()
        .map(|f| {
            Fault::from_name(f).ok_or_else(|| {
                Stop::usage(format!("unknown fault {f:?}; known: stall, reset, reboot, slow-drip, garbage, unsolicited, prompt-in-output, auth-failing"))
            })
        })
        .collect()
}

/// The devices' password: from the file, else NETKEEP_SIM_PASSWORD, else "admin".
fn read_password(file: Option<&Path>) -> anyhow::Result<String> {
    Ok(match file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read --password-file {}: {e}", path.display()))?
            .trim_end_matches(['\r', '\n'])
            .to_string(),
        None => std::env::var("NETKEEP_SIM_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "admin".to_string()),
    })
}

/// The enable secret from `--enable-secret-file` (`Some("")` with `--no-enable-secret`,
/// `None` for the platform's default).
fn read_enable_secret(args: &Args) -> anyhow::Result<Option<String>> {
    if args.no_enable_secret {
        return Ok(Some(String::new()));
    }
    let Some(path) = args.enable_secret_file.as_deref() else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read --enable-secret-file {}: {e}", path.display()))?;
    Ok(Some(text.trim_end_matches(['\r', '\n']).to_string()))
}

/// Device `i` (0-based) of `--count`: its hostname and the flags' settings.
fn device_config(args: &Args, base: &DeviceConfig, password: &str, i: usize) -> DeviceConfig {
    let mut cfg = base.clone();
    let name = args.hostname.as_deref().unwrap_or(&base.hostname);
    cfg.hostname = if args.count > 1 {
        format!("{name}-{}", i + 1)
    } else {
        name.to_string()
    };
    cfg.username = args.username.clone();
    cfg.password = password.to_string();
    cfg.idle_timeout = args.idle_timeout;
    cfg.vty_limit = args.vty_limit;
    cfg.login_delay = args.login_delay;
    cfg.banner = args.banner;
    cfg.config_lines = args.config_lines;
    cfg.host_key = args.host_key.clone();
    cfg.reload_time = args.reload_time;
    cfg.privileged_login = args.privileged_login;
    cfg.minute = args.cli_minute;
    cfg
}

/// Device `i`'s port: `--port + i`, or 0 (any) for all with `--port 0`.
fn device_port(args: &Args, i: usize) -> Result<u16, Stop> {
    if args.port == 0 {
        return Ok(0);
    }
    u16::try_from(u32::from(args.port) + i as u32).map_err(|_| {
        Stop::usage(format!(
            "--port {} with --count {} runs past port 65535",
            args.port, args.count
        ))
    })
}

/// Starts `--count` devices; on a failure, stops the ones started.
async fn start_devices(
    args: &Args,
    base: &DeviceConfig,
    password: &str,
) -> Result<Vec<Arc<SimDevice>>, Stop> {
    let mut devices = Vec::with_capacity(args.count);
    for i in 0..args.count {
        let cfg = device_config(args, base, password, i);
        let started = match device_port(args, i) {
            Ok(port) => SimDevice::start(cfg, SocketAddr::new(args.listen, port))
                .await
                .map_err(|e| match e {
                    SimError::Bind { .. } | SimError::HostKey { .. } => Stop {
                        code: 1,
                        message: format!("device {}: {e}", i + 1),
                    },
                    other => Stop::usage(other.to_string()),
                }),
            Err(stop) => Err(stop),
        };
        match started {
            Ok(d) => devices.push(Arc::new(d)),
            Err(stop) => {
                stop_all(&devices).await;
                return Err(stop);
            }
        }
    }
    Ok(devices)
}

/// Lasting faults on from the start, or injected at random with `--fault-rate`.
fn inject_faults(devices: &[Arc<SimDevice>], faults: Vec<Fault>, rate: Option<f64>) {
    match rate {
        None => {
            for d in devices {
                for f in &faults {
                    d.set_fault(f.clone());
                }
            }
        }
        Some(rate) => {
            netkeep_sim::spawn_random_faults(
                devices.to_vec(),
                faults,
                rate,
                Duration::from_secs(5),
            );
        }
    }
}

async fn stop_all(devices: &[Arc<SimDevice>]) {
    for d in devices {
        d.stop().await;
    }
}

fn print_counters(devices: &[Arc<SimDevice>]) {
    for d in devices {
        let c = d.counters();
        eprintln!(
            "{} {}: connections {} opened {} closed {} active {} idle_timeouts {} vty_refused {} commands {} auth_failures {}",
            d.hostname(),
            d.addr(),
            c.connections,
            c.sessions_opened,
            c.sessions_closed,
            d.active_sessions(),
            c.idle_timeouts,
            c.vty_refused,
            c.commands,
            c.auth_failures
        );
    }
}

#[cfg(unix)]
async fn wait_for_shutdown(devices: &[Arc<SimDevice>]) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut usr1)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::user_defined1()),
    ) else {
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return,
            _ = term.recv() => return,
            _ = usr1.recv() => print_counters(devices),
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_shutdown(_devices: &[Arc<SimDevice>]) {
    let _ = tokio::signal::ctrl_c().await;
}
