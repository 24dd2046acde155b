//! Connecting: TCP (with `TCP_NODELAY`), SSH handshake, authentication and the PTY shell, all
//! within one deadline.

use std::sync::Arc;
use std::time::Instant;

use russh::client::{self, Handle, Msg};
use russh::Channel;

use super::algorithm_list;
use super::algorithms::preferred;
use super::auth::authenticate;
use super::handler::{Client, Findings};
use super::hang_up::{self, HangUp};
use super::options::SshOptions;
use super::route::{carry, Carrier, Route, Stream};
use super::terminal::{SshLink, SshTerminal};
use crate::boundary::Transport;
use crate::error::TransportError;

/// Connects (along `opts.route`: directly, through jump hosts or a ProxyCommand), checks the
/// host key, authenticates and opens a PTY shell, all within `opts.connect_timeout`.
///
/// ```no_run
/// # async fn f() -> Result<(), netkeep_transport::TransportError> {
/// use netkeep_transport::{ssh, Auth, Secret};
/// let opts = ssh::SshOptions::new("127.0.0.1", 2222, "admin", Auth::Password(Secret::new("admin")));
/// let mut t = ssh::connect(&opts).await?;
/// t.terminal.write(b"display clock\n").await?;
/// # Ok(()) }
/// ```
pub async fn connect(opts: &SshOptions) -> Result<Transport, TransportError> {
    let deadline = Instant::now() + opts.connect_timeout;
    let Login {
        handle,
        findings,
        carrier,
        hang_up,
    } = login_until(opts, deadline).await?;
    let channel = bounded(
        opts,
        deadline,
        "opening the shell",
        open_shell(&handle, opts),
    )
    .await?;
    let device: Arc<str> = opts.device.as_str().into();
    Ok(Transport {
        device: opts.device.clone(),
        terminal: Box::new(SshTerminal {
            channel,
            device: device.clone(),
            ended: false,
        }),
        link: Box::new(SshLink {
            handle,
            device,
            findings,
            hang_up,
            _carrier: carrier,
        }),
    })
}

/// An authenticated connection without a channel yet, and what carries it.
pub(crate) struct Login {
    pub(crate) handle: Handle<Client>,
    pub(crate) findings: Findings,
    pub(crate) carrier: Carrier,
    /// Tells when the device has closed its side.
    pub(crate) hang_up: HangUp,
}

/// Reaches the host along its route, checks its key and authenticates, within
/// `opts.connect_timeout` (a jump host's own connect counts against it).
pub(crate) async fn login(opts: &SshOptions) -> Result<Login, TransportError> {
    login_until(opts, Instant::now() + opts.connect_timeout).await
}

async fn login_until(opts: &SshOptions, deadline: Instant) -> Result<Login, TransportError> {
    let step = match opts.route {
        Route::Direct => "TCP connect",
        Route::Jump(_) | Route::Shared(_) => "reaching it through the jump host",
        Route::Command(_) => "reaching it through the ProxyCommand",
    };
    let (stream, carrier) = bounded(opts, deadline, step, carry(opts)).await?;
    let (stream, hang_up) = hang_up::watch(stream);
    let findings = Findings::default();
    let mut handle = bounded(
        opts,
        deadline,
        "SSH handshake",
        handshake(opts, Box::new(stream), findings.clone()),
    )
    .await?;
    let auth = bounded(opts, deadline, "authentication", async {
        Ok(authenticate(&mut handle, opts).await)
    })
    .await?;
    if let Err(e) = auth {
        let _ = handle
            .disconnect(russh::Disconnect::ByApplication, "", "en")
            .await;
        return Err(e);
    }
    Ok(Login {
        handle,
        findings,
        carrier,
        hang_up,
    })
}

/// Runs one connect step until the deadline; running out is [`TransportError::ConnectTimeout`]
/// naming the step.
async fn bounded<T>(
    opts: &SshOptions,
    deadline: Instant,
    step: &'static str,
    f: impl std::future::Future<Output = Result<T, TransportError>>,
) -> Result<T, TransportError> {
    match tokio::time::timeout_at(deadline.into(), f).await {
        Ok(r) => r,
        Err(_) => Err(TransportError::ConnectTimeout {
            device: opts.device.clone(),
            addr: opts.addr(),
            step,
            timeout: opts.connect_timeout,
        }),
    }
}

pub(crate) fn refused_or(
    opts: &SshOptions,
    step: &'static str,
    e: std::io::Error,
) -> TransportError {
    if e.kind() == std::io::ErrorKind::ConnectionRefused {
        TransportError::ConnectRefused {
            device: opts.device.clone(),
            addr: opts.addr(),
            source: e,
        }
    } else {
        TransportError::Connect {
            device: opts.device.clone(),
            addr: opts.addr(),
            step,
            message: e.to_string(),
        }
    }
}

async fn handshake(
    opts: &SshOptions,
    stream: Box<dyn Stream>,
    findings: Findings,
) -> Result<Handle<Client>, TransportError> {
    let config = Arc::new(client::Config {
        nodelay: true,
        preferred: algorithm_list::apply(preferred(opts.legacy_algorithms), &opts.algorithms),
        keepalive_interval: opts.ssh_keepalive,
        keepalive_max: opts.ssh_keepalive_max,
        inactivity_timeout: None,
        ..Default::default()
    });
    let handler = Client::new(opts, findings.clone());
    client::connect_stream(config, stream, handler)
        .await
        .map_err(|e| {
            // A refused host key fails the handshake; the handler knows why.
            if let Some(v) = findings.take_verdict() {
                return v;
            }
            let step = "SSH handshake";
            match e {
                russh::Error::IO(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                    refused_or(opts, step, io)
                }
                other => TransportError::Connect {
                    device: opts.device.clone(),
                    addr: opts.addr(),
                    step,
                    message: other.to_string(),
                },
            }
        })
}

async fn open_shell(
    handle: &Handle<Client>,
    opts: &SshOptions,
) -> Result<Channel<Msg>, TransportError> {
    let chan_err = |step: &'static str, e: russh::Error| TransportError::Channel {
        device: opts.device.clone(),
        step,
        message: e.to_string(),
    };
    let channel = handle
        .channel_open_session()
        .await
        .map_err(|e| chan_err("opening the session channel", e))?;
    // Replies (Success/Failure) arrive later on the channel; the reader ignores them.
    channel
        .request_pty(true, &opts.term, opts.cols, opts.rows, 0, 0, &[])
        .await
        .map_err(|e| chan_err("requesting a PTY", e))?;
    channel
        .request_shell(true)
        .await
        .map_err(|e| chan_err("starting the shell", e))?;
    Ok(channel)
}
