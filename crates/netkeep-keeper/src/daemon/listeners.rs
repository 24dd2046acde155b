//! What the daemon listens on: the Unix socket (private by default), and with `--listen` a TCP
//! port — TLS with `--tls-cert`/`--tls-key`, plain HTTP on loopback only. A non-loopback
//! address without TLS is refused before anything is bound.

use std::net::SocketAddr;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{DaemonConfig, DaemonError};
use crate::listen::Listener;
use crate::tls::ServerTls;

/// Binds a Unix socket readable only by the owner: parent directory created 0700 when we
/// create it, socket 0600 (created under umask 0177, so there is no window where it is open).
/// A stale socket file is replaced; a live one (another daemon) is an error.
pub fn bind_unix_socket(path: &Path) -> Result<tokio::net::UnixListener, DaemonError> {
    bind_unix_socket_with_mode(path, 0o600)
}

/// [`bind_unix_socket`] with the socket's permission bits `mode` (`0o660` lets a group connect;
/// each caller still needs a scope, by its user name). A parent directory we create is `0711`
/// when the mode lets others in (they may pass through it, not list it), else `0700`.
pub fn bind_unix_socket_with_mode(
    path: &Path,
    mode: u32,
) -> Result<tokio::net::UnixListener, DaemonError> {
    let bind_err = |source| DaemonError::Bind {
        what: path.display().to_string(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.exists() {
            std::fs::create_dir_all(parent).map_err(bind_err)?;
            let dir_mode = if mode & 0o077 != 0 { 0o711 } else { 0o700 };
            std::fs::set_permissions(parent, std::fs::Permissions::from_mode(dir_mode))
                .map_err(bind_err)?;
        }
    }
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(bind_err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "a file that is not a socket is in the way; not removing it",
            )));
        }
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(DaemonError::AlreadyRunning(path.to_path_buf()));
        }
        std::fs::remove_file(path).map_err(bind_err)?;
    }
    // SAFETY: umask only changes this process's file creation mask; restored right after.
    let old = unsafe { libc::umask(0o177) };
    let r = tokio::net::UnixListener::bind(path);
    // SAFETY: as above.
    unsafe { libc::umask(old) };
    let l = r.map_err(bind_err)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o777))
        .map_err(bind_err)?;
    Ok(l)
}

/// Reads the `--token-file` token (at least 16 characters; a warning when others may read it).
pub(super) fn read_token(path: &Path) -> Result<String, DaemonError> {
    let terr = |message: String| DaemonError::Token {
        path: path.to_path_buf(),
        message,
    };
    let t = std::fs::read_to_string(path).map_err(|e| terr(format!("cannot read: {e}")))?;
    let t = t.trim().to_string();
    if t.len() < 16 {
        return Err(terr("the token must be at least 16 characters".into()));
    }
    if let Ok(m) = std::fs::metadata(path) {
        if m.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                "token file {} is readable by other users; chmod 600 it",
                path.display()
            );
        }
    }
    Ok(t)
}

/// Refuses a TCP address that would carry tokens in clear text: plain HTTP is for loopback.
pub(super) fn check_tcp(addr: SocketAddr, tls: bool) -> Result<(), DaemonError> {
    if !tls && !addr.ip().is_loopback() {
        return Err(DaemonError::PlainTcpNotLoopback(addr));
    }
    Ok(())
}

/// Binds the Unix socket and, with `--listen`, the TCP listener (TLS when `tls` is given).
/// Returns the socket path with both listeners.
pub(super) async fn bind_listeners(
    cfg: &DaemonConfig,
    tls: Option<Arc<ServerTls>>,
) -> Result<(PathBuf, Listener, Option<(Listener, SocketAddr)>), DaemonError> {
    let socket = crate::client::socket_path(cfg.socket.as_deref());
    let unix = bind_unix_socket_with_mode(&socket, cfg.socket_mode)?;
    let Some(addr) = cfg.listen else {
        return Ok((socket, Listener::Unix(unix), None));
    };
    let tcp = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| DaemonError::Bind {
            what: addr.to_string(),
            source,
        })?;
    let bound = tcp.local_addr().unwrap_or(addr);
    let l = match tls {
        Some(t) => Listener::Tls(tcp, t),
        None => Listener::Tcp(tcp),
    };
    Ok((socket, Listener::Unix(unix), Some((l, bound))))
}
