//! How the SSH stream reaches the device's port: TCP, a `direct-tcpip` channel through a jump
//! host (one of our own, or one shared with other sessions), or a ProxyCommand's stdin/stdout.
//! Whatever carries the stream is kept alive as long as the connection on top of it.

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::process::{Child, ChildStdin, ChildStdout};

use super::jump::JumpHost;
use super::options::SshOptions;
use crate::error::TransportError;

/// How to reach the device's SSH port.
///
/// ```
/// use netkeep_transport::{ssh::{Route, SshOptions}, Auth, Secret};
/// let bastion = SshOptions::new("198.51.100.1", 22, "ops", Auth::Password(Secret::new("x")));
/// let mut device = SshOptions::new("10.0.0.1", 22, "admin", Auth::Password(Secret::new("y")));
/// device.route = Route::Jump(Box::new(bastion)); // `ssh -J ops@198.51.100.1 admin@10.0.0.1`
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum Route {
    /// TCP straight to `host:port`.
    #[default]
    Direct,
    /// Through a jump host of its own, reached as its options say (its own route included);
    /// closed with the connection.
    Jump(Box<SshOptions>),
    /// Through a connected jump host shared with other sessions ([`JumpHost`]).
    Shared(JumpHost),
    /// Through a command's stdin/stdout (ssh_config `ProxyCommand`, tokens expanded), run with
    /// `sh -c`.
    Command(String),
}

impl PartialEq for Route {
    /// Shared jump hosts are equal when they are the same connection.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Route::Direct, Route::Direct) => true,
            (Route::Jump(a), Route::Jump(b)) => a == b,
            (Route::Shared(a), Route::Shared(b)) => a.same(b),
            (Route::Command(a), Route::Command(b)) => a == b,
            _ => false,
        }
    }
}

impl Route {
    /// How the route reads in logs and status: `direct`, `via ops@bastion:22`, `proxy: CMD`.
    pub fn describe(&self) -> String {
        match self {
            Route::Direct => "direct".into(),
            Route::Jump(hop) => {
                let below = match &hop.route {
                    Route::Direct => String::new(),
                    other => format!(" {}", other.describe()),
                };
                format!("via {}@{}{below}", hop.username, hop.addr())
            }
            Route::Shared(j) => format!("via {} (shared)", j.label()),
            Route::Command(c) => format!("proxy: {c}"),
        }
    }
}

/// A byte stream an SSH connection runs over.
pub(crate) trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// What carries a connection's stream, kept as long as the connection lives (held, never
/// read: dropping it closes the tunnel or kills the command).
#[allow(dead_code)]
pub(crate) enum Carrier {
    Tcp,
    Jump(JumpHost),
    Command(Child),
}

/// Opens the stream to `opts.host:opts.port` along `opts.route`.
pub(crate) async fn carry(opts: &SshOptions) -> Result<(Box<dyn Stream>, Carrier), TransportError> {
    match &opts.route {
        Route::Direct => Ok((Box::new(tcp(opts).await?), Carrier::Tcp)),
        Route::Jump(hop) => {
            // A jump host of our own: it lives as long as this connection.
            let jump = Box::pin(JumpHost::connect(hop))
                .await
                .map_err(|e| via(opts, &hop.device, e))?;
            let s = jump.tunnel(opts).await?;
            Ok((Box::new(s), Carrier::Jump(jump)))
        }
        Route::Shared(jump) => {
            let s = jump.tunnel(opts).await?;
            Ok((Box::new(s), Carrier::Jump(jump.clone())))
        }
        Route::Command(cmd) => {
            let (child, s) = command(opts, cmd)?;
            Ok((Box::new(s), Carrier::Command(child)))
        }
    }
}

/// A failure at a jump host, said as such (its kind stays the hop's: a refused bastion key is
/// a host-key error).
pub(crate) fn via(opts: &SshOptions, hop: &str, e: TransportError) -> TransportError {
    TransportError::Via {
        device: opts.device.clone(),
        hop: hop.to_string(),
        source: Box::new(e),
    }
}

async fn tcp(opts: &SshOptions) -> Result<TcpStream, TransportError> {
    let stream = TcpStream::connect((opts.host.as_str(), opts.port))
        .await
        .map_err(|e| super::connect::refused_or(opts, "TCP connect", e))?;
    // One small packet per keystroke/command: never wait for Nagle.
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// Starts the ProxyCommand (`exec`ed by `sh -c`, as OpenSSH runs it); its stderr goes to ours.
fn command(opts: &SshOptions, cmd: &str) -> Result<(Child, ChildIo), TransportError> {
    let mut child = tokio::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("exec {cmd}"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| TransportError::Connect {
            device: opts.device.clone(),
            addr: opts.addr(),
            step: "starting the ProxyCommand",
            message: format!("{cmd}: {e}"),
        })?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(TransportError::Connect {
            device: opts.device.clone(),
            addr: opts.addr(),
            step: "starting the ProxyCommand",
            message: "no pipes to the command".into(),
        });
    };
    Ok((child, ChildIo { stdin, stdout }))
}

/// A child's stdout (read) and stdin (write) as one stream.
pub(crate) struct ChildIo {
    stdin: ChildStdin,
    stdout: ChildStdout,
}

impl AsyncRead for ChildIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stdout).poll_read(cx, buf)
    }
}

impl AsyncWrite for ChildIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stdin).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stdin).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stdin).poll_shutdown(cx)
    }
}
