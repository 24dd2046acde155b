//! Who is asking: how a connection reached the daemon ([`Peer`], from the kernel or the TLS
//! handshake) and the [`Identity`] a request runs under once authenticated — the name the
//! audit log records and the scope that decides what it may do.
//!
//! On the Unix socket the kernel tells the peer's uid and pid (`SO_PEERCRED`): they cannot be
//! forged by the client. On TCP the identity is the name of the token that authenticated the
//! request, or the subject of its verified client certificate.
//!
//! ```
//! use netkeep_keeper::identity::user_name;
//! let me = unsafe { libc::geteuid() };
//! assert!(!user_name(me).is_empty());
//! assert_eq!(user_name(4_000_000_000), "uid 4000000000"); // no such user
//! ```

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use crate::scopes::Scope;

/// How a connection reached the daemon; one per connection, stored in each of its requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    /// The Unix socket: the peer's credentials as the kernel gave them at connect time.
    Unix {
        /// User id.
        uid: u32,
        /// Process id (`None` where the kernel does not say).
        pid: Option<i32>,
    },
    /// TCP (plain on loopback, or TLS).
    Tcp {
        /// The client's address.
        remote: SocketAddr,
        /// The subject of the client certificate the TLS handshake verified, if any.
        certificate: Option<String>,
    },
}

/// How an identity was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMethod {
    /// Unix socket credentials (`SO_PEERCRED`).
    Unix,
    /// A bearer token (named in the tokens file, or the `--token-file` token).
    Token,
    /// A verified TLS client certificate.
    Certificate,
}

/// The caller of a request, as authorization and the audit log see it. Never holds a secret:
/// a token is known by its name only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Unix user name, token name, or client certificate subject.
    pub user: String,
    /// How `user` was established.
    pub auth: AuthMethod,
    /// The scope it holds.
    pub scope: Scope,
    /// Unix socket: the caller's uid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// Unix socket: the caller's pid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<i32>,
    /// TCP: the caller's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// TCP: the verified client certificate's subject, when a token named the caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
}

impl Identity {
    /// An identity for a Unix socket peer (its name looked up with [`user_name`]).
    pub fn unix(uid: u32, pid: Option<i32>, scope: Scope) -> Identity {
        Identity::unix_named(user_name(uid), uid, pid, scope)
    }

    /// An identity for a Unix socket peer whose user name is already known.
    pub fn unix_named(user: String, uid: u32, pid: Option<i32>, scope: Scope) -> Identity {
        Identity {
            user,
            auth: AuthMethod::Unix,
            scope,
            uid: Some(uid),
            pid,
            remote: None,
            certificate: None,
        }
    }

    /// An identity for a TCP caller named `user` (a token's name or a certificate's subject).
    pub fn tcp(user: &str, auth: AuthMethod, scope: Scope, peer: &Peer) -> Identity {
        let (remote, certificate) = match peer {
            Peer::Tcp {
                remote,
                certificate,
            } => (Some(remote.to_string()), certificate.clone()),
            Peer::Unix { .. } => (None, None),
        };
        Identity {
            user: user.to_string(),
            auth,
            scope,
            uid: None,
            pid: None,
            remote,
            certificate: certificate.filter(|c| auth != AuthMethod::Certificate || c != user),
        }
    }

    /// `alice (uid 1000, pid 4242)`, `ci-read (token, 127.0.0.1:50412)`: for log lines.
    pub fn describe(&self) -> String {
        match (self.auth, self.uid, &self.remote) {
            (AuthMethod::Unix, Some(uid), _) => match self.pid {
                Some(pid) => format!("{} (uid {uid}, pid {pid})", self.user),
                None => format!("{} (uid {uid})", self.user),
            },
            (auth, _, Some(r)) => format!("{} ({}, {r})", self.user, auth_name(auth)),
            (auth, _, None) => format!("{} ({})", self.user, auth_name(auth)),
        }
    }
}

fn auth_name(a: AuthMethod) -> &'static str {
    match a {
        AuthMethod::Unix => "unix",
        AuthMethod::Token => "token",
        AuthMethod::Certificate => "certificate",
    }
}

/// The user name of `uid` from the system's user database (`getpwuid_r`: /etc/passwd, NSS),
/// or `uid N` when it has none.
pub fn user_name(uid: u32) -> String {
    let mut buf = vec![0u8; 1024];
    loop {
        // SAFETY: an all-zero passwd is a valid value to pass as the output struct.
        let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
        let mut out: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: getpwuid_r writes at most buf.len() bytes into buf and fills pw, whose string
        // pointers point into buf; `out` is set to &pw on success, null when there is no entry.
        let rc =
            unsafe { libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr().cast(), buf.len(), &mut out) };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 4, 0);
            continue;
        }
        if rc != 0 || out.is_null() || pw.pw_name.is_null() {
            return format!("uid {uid}");
        }
        // SAFETY: on success pw_name is a NUL-terminated string inside buf, alive here.
        let name = unsafe { std::ffi::CStr::from_ptr(pw.pw_name) };
        return name.to_string_lossy().into_owned();
    }
}

/// The effective uid of this process (the daemon's own user).
pub fn own_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_named_and_identities_describe_themselves() {
        assert_eq!(user_name(0), "root");
        let id = Identity::unix(0, Some(42), Scope::Admin);
        assert_eq!(id.describe(), "root (uid 0, pid 42)");
        let peer = Peer::Tcp {
            remote: "127.0.0.1:5000".parse().unwrap(),
            certificate: Some("CN=bot".into()),
        };
        let id = Identity::tcp("ci", AuthMethod::Token, Scope::Read, &peer);
        assert_eq!(id.describe(), "ci (token, 127.0.0.1:5000)");
        assert_eq!(id.certificate.as_deref(), Some("CN=bot"));
        let id = Identity::tcp("CN=bot", AuthMethod::Certificate, Scope::Read, &peer);
        assert_eq!(id.certificate, None, "the subject is already the user");
    }
}
