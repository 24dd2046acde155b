//! Opening a session: resolve the platform, reach the device (SSH or telnet options from the
//! connect options), and run the login dialogue over the transport — over telnet the user name
//! and password typed at the device's prompts, then the first prompt (answering the platform's
//! banners), the preparation commands (paging off, width) — then start the keepalive.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use netkeep_platform::{Platform, PlatformError, Registry};
use netkeep_transport::ssh::{Route, SshOptions};
use netkeep_transport::telnet::TelnetOptions;
use netkeep_transport::{Auth, Protocol, Secret, Terminal, Transport};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::io::{Exchange, ReadSpec};
use super::keepalive::Keepalive;
use super::modemap::ModeMap;
use super::modes::Asked;
use super::state::{Core, Io, Life, Settings};
use super::telnet_login::{warn_cleartext, Credentials};
use super::transcript::Transcript;
use crate::error::Error;
use crate::options::ConnectOptions;
use crate::session_log::SessionLog;

/// The platform named in the options (a `<platform>_telnet` name as its platform), from the
/// user's directory if one is given.
pub(crate) fn resolve_platform(
    opts: &ConnectOptions,
    device: &str,
) -> Result<Arc<Platform>, Error> {
    let (_, name) = opts.resolved_protocol();
    let found = match &opts.platform_dir {
        Some(dir) => Registry::with_dir(dir)
            .map_err(|e| Error::Platform {
                device: device.to_string(),
                message: e.to_string(),
            })?
            .get(name),
        None => netkeep_platform::builtin(name),
    };
    found.map_err(|e| match e {
        PlatformError::Unknown { name, known } => Error::UnknownPlatform {
            device: device.to_string(),
            name,
            known,
        },
        other => Error::Platform {
            device: device.to_string(),
            message: other.to_string(),
        },
    })
}

/// The SSH transport's options from the session's.
pub(crate) fn ssh_options(opts: &ConnectOptions, device: &str) -> SshOptions {
    let mut o = SshOptions::new(
        opts.host.clone(),
        opts.port,
        opts.username.clone(),
        opts.auth.clone(),
    );
    o.device = device.to_string();
    o.host_key_policy = opts.host_key_policy;
    o.known_hosts_file = opts.known_hosts_file.clone();
    o.connect_timeout = opts.connect_timeout;
    o.legacy_algorithms = opts.legacy_algorithms;
    o.ssh_keepalive = opts.ssh_keepalive;
    o.ssh_keepalive_max = opts.ssh_keepalive_max;
    o.route = opts.route.clone();
    o.algorithms = opts.algorithms.clone();
    o
}

/// The telnet transport's options from the session's; says once per device that telnet sends
/// the password in clear. A route (jump hosts, ProxyCommand) is refused: it carries SSH only.
pub(crate) fn telnet_options(opts: &ConnectOptions, device: &str) -> Result<TelnetOptions, Error> {
    if !matches!(opts.route, Route::Direct) {
        return Err(Error::InvalidOption {
            device: device.to_string(),
            message: format!(
                "telnet cannot take the route `{}`: jump hosts and ProxyCommand carry SSH only; reach the device directly, or over SSH",
                opts.route.describe()
            ),
        });
    }
    warn_cleartext(device);
    let mut o = TelnetOptions::new(opts.host.clone(), opts.port);
    o.device = device.to_string();
    o.connect_timeout = opts.connect_timeout;
    Ok(o)
}

/// Runs the login dialogue over a connected transport within what is left of
/// `opts.connect_timeout` since `started`, then starts the keepalive task.
pub(crate) async fn open(
    transport: Transport,
    platform: Arc<Platform>,
    opts: &ConnectOptions,
    device: String,
    started: Instant,
) -> Result<(Arc<Core>, Arc<Keepalive>), Error> {
    let idle_timeout = match opts.idle_timeout {
        Some(t) if t.is_zero() => None,
        Some(t) => Some(t),
        None => platform.default_idle_timeout(),
    };
    let keepalive = Keepalive::new(&opts.keepalive, &platform, idle_timeout, &device)?;
    let keepalive = Arc::new(keepalive);
    let modes = ModeMap::new(platform.clone());
    let first = modes.first();
    let terminal = match &opts.session_log {
        Some(log) => session_log(transport.terminal, log, opts, &device)?,
        None => transport.terminal,
    };
    let core = Arc::new(Core {
        io: Mutex::new(Io::new(terminal, first)),
        link: transport.link,
        settings: Settings {
            idle_timeout,
            read_timeout: opts.read_timeout,
            probe_timeout: opts.probe_timeout,
            enable_secret: opts.enable_secret.clone(),
            login_password: match &opts.auth {
                Auth::Password(s) | Auth::KeyboardInteractive(s) => Some(s.clone()),
                _ => None,
            },
            newline: platform.spec().newline.clone().into_bytes(),
        },
        modes,
        life: Life::new(),
        device,
        platform,
    });
    {
        let mut io = core.io.lock().await;
        let deadline = started + opts.connect_timeout;
        if opts.resolved_protocol().0 == Protocol::Telnet {
            let password = match &opts.auth {
                Auth::Password(s) | Auth::KeyboardInteractive(s) => Some(s),
                _ => None,
            };
            let creds = Credentials {
                username: &opts.username,
                password,
            };
            core.telnet_login(&mut io, &creds, deadline).await?;
        }
        first_prompt(&core, &mut io, deadline, opts.connect_timeout).await?;
        prepare(&core, &mut io, deadline).await?;
        enable_at_login(&core, &mut io, opts).await?;
        io.base = io.mode;
    }
    keepalive.start(&core);
    Ok((core, keepalive))
}

/// The terminal wrapped so its traffic goes to the session log, the session's secrets masked.
fn session_log(
    terminal: Box<dyn Terminal>,
    log: &SessionLog,
    opts: &ConnectOptions,
    device: &str,
) -> Result<Box<dyn Terminal>, Error> {
    let file = crate::session_log::open(log).map_err(|e| Error::InvalidOption {
        device: device.to_string(),
        message: format!("cannot open the session log {}: {e}", log.path.display()),
    })?;
    static SESSIONS: AtomicU64 = AtomicU64::new(1);
    let label = format!("{device}[{}]", SESSIONS.fetch_add(1, Ordering::Relaxed));
    let mut secrets: Vec<&Secret> = opts.enable_secret.iter().collect();
    match &opts.auth {
        Auth::Password(s) | Auth::KeyboardInteractive(s) => secrets.push(s),
        Auth::PublicKey {
            passphrase: Some(s),
            ..
        } => secrets.push(s),
        _ => {}
    }
    Ok(Box::new(Transcript::wrap(terminal, file, label, &secrets)))
}

/// Enters privileged mode when asked (the options' `enable`, else the platform's
/// `enable.at_login`), answering its password prompt as an explicit request does.
async fn enable_at_login(core: &Core, io: &mut Io, opts: &ConnectOptions) -> Result<(), Error> {
    let platform_says = core
        .platform
        .spec()
        .enable
        .as_ref()
        .is_some_and(|e| e.at_login);
    let Some(target) = core.modes.enable_mode() else {
        return Ok(());
    };
    if opts.enable.unwrap_or(platform_says) && io.mode != target {
        core.goto_mode(io, target, Asked::Explicitly).await?;
    }
    Ok(())
}

/// Reads up to the first prompt, answering the platform's banner questions.
async fn first_prompt(
    core: &Core,
    io: &mut Io,
    deadline: Instant,
    timeout: Duration,
) -> Result<(), Error> {
    let on_open = core.platform.on_open();
    let spec = ReadSpec {
        step: "login (waiting for the first prompt)",
        command: "",
        deadline,
        timeout,
        expect: None,
        answers: on_open,
        require_newline: false,
        quiet: None,
        prompt_not_found: true,
    };
    core.read(io, spec).await.map(|_| ())
}

/// Runs the platform's preparation commands (paging off, terminal width); a refused optional
/// one is only logged.
async fn prepare(core: &Core, io: &mut Io, deadline: Instant) -> Result<(), Error> {
    for p in &core.platform.spec().prepare {
        let left = deadline.saturating_duration_since(Instant::now());
        let x = Exchange::new(
            &p.command,
            "session preparation",
            left.max(Duration::from_millis(1)),
        );
        let out = core
            .exchange(io, x)
            .await
            .map_err(|e| match e {
                Error::ReadTimeout { partial, .. } => Error::PromptNotFound {
                    device: core.device.clone(),
                    platform: core.platform.name().to_string(),
                    step: format!("session preparation ({:?})", p.command),
                    last_bytes: partial,
                },
                other => other,
            })?
            .0;
        if let Some(e) = core.rejected(&p.command, &out) {
            if p.optional {
                tracing::info!(device = %core.device, error = %e, "optional preparation refused");
            } else {
                return Err(e);
            }
        }
    }
    Ok(())
}
