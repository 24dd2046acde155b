//! Authentication: turns a connection's [`Peer`] and a request's `Authorization` header into the
//! [`Identity`] it runs under, by the policy in force ([`Access`]: named tokens, Unix users,
//! client certificates). Authorization (what that identity may do) is [`crate::scopes`].
//!
//! - Unix socket: the peer's uid from the kernel, mapped to its user name, then to a scope by
//!   the access file's `users`; unlisted, the daemon's own user and root are `admin` (root can
//!   read the daemon's memory anyway) and anyone else is refused (403).
//! - TCP: a bearer token (compared by its SHA-256, in constant time, against every token) names
//!   the caller; without one, a verified client certificate does, by its subject. Neither: 401.
//!
//! The token's text is never stored, logged or recorded: only its name.
//!
//! ```
//! use netkeep_keeper::auth::{Access, Denied};
//! use netkeep_keeper::identity::Peer;
//! let access = Access::new(&Default::default(), Some("0123456789abcdef-token"));
//! let peer = Peer::Tcp { remote: "127.0.0.1:5000".parse().unwrap(), certificate: None };
//! let id = access.authenticate(&peer, Some("Bearer 0123456789abcdef-token")).unwrap();
//! assert_eq!((id.user.as_str(), id.scope.as_str()), ("token-file", "admin"));
//! assert!(matches!(access.authenticate(&peer, None), Err(Denied::Unauthenticated(_))));
//! ```

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use subtle::ConstantTimeEq;

use crate::access_file::AccessFile;
use crate::identity::{own_uid, AuthMethod, Identity, Peer};
use crate::scopes::Scope;

/// The name of the `--token-file` token in the audit log.
pub const TOKEN_FILE_NAME: &str = "token-file";

/// A token known by its hash.
struct Token {
    name: String,
    scope: Scope,
    sha256: [u8; 32],
}

/// The access policy in force.
pub struct Access {
    tokens: Vec<Token>,
    users: BTreeMap<String, Scope>,
    certificates: BTreeMap<String, Scope>,
    own_uid: u32,
    /// User names by uid, looked up once per policy (the lookup may go to NSS; a reload
    /// forgets them, so a renamed user is seen after SIGHUP).
    names: Mutex<HashMap<u32, String>>,
}

/// Why a request is not let in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// No usable credentials (401).
    Unauthenticated(String),
    /// Known caller without any scope on this daemon (403).
    NoScope(String),
}

impl Access {
    /// The policy of an access file, plus the `--token-file` token (scope `admin`, recorded as
    /// [`TOKEN_FILE_NAME`]).
    pub fn new(file: &AccessFile, token_file: Option<&str>) -> Access {
        let mut tokens: Vec<Token> = file
            .tokens
            .iter()
            .filter_map(|t| {
                Some(Token {
                    name: t.name.clone(),
                    scope: t.scope,
                    sha256: parse_hex32(&t.sha256)?,
                })
            })
            .collect();
        if let Some(t) = token_file {
            tokens.push(Token {
                name: TOKEN_FILE_NAME.into(),
                scope: Scope::Admin,
                sha256: sha256(t.as_bytes()),
            });
        }
        Access {
            tokens,
            users: file.users.clone(),
            certificates: file.certificates.clone(),
            own_uid: own_uid(),
            names: Mutex::new(HashMap::new()),
        }
    }

    /// True when some token or certificate can authenticate a TCP caller.
    pub fn has_tcp_credentials(&self) -> bool {
        !self.tokens.is_empty() || !self.certificates.is_empty()
    }

    /// The identity of a request from `peer` with this `Authorization` header value.
    pub fn authenticate(
        &self,
        peer: &Peer,
        authorization: Option<&str>,
    ) -> Result<Identity, Denied> {
        match peer {
            Peer::Unix { uid, pid } => self.unix(*uid, *pid),
            Peer::Tcp { certificate, .. } => match authorization.and_then(bearer_token) {
                Some(token) => self.token(token, peer),
                None if authorization.is_some() => Err(Denied::Unauthenticated(
                    "the Authorization header is not `Bearer <token>`".into(),
                )),
                None => match certificate {
                    Some(subject) => self.certificate(subject, peer),
                    None => Err(Denied::Unauthenticated(
                        "missing bearer token (Authorization: Bearer <token>) or client certificate".into(),
                    )),
                },
            },
        }
    }

    fn unix(&self, uid: u32, pid: Option<i32>) -> Result<Identity, Denied> {
        let name = self
            .names
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(uid)
            .or_insert_with(|| crate::identity::user_name(uid))
            .clone();
        let scope = match self.users.get(&name) {
            Some(s) => *s,
            None if uid == self.own_uid || uid == 0 => Scope::Admin,
            None => {
                return Err(Denied::NoScope(format!(
                    "user {name} (uid {uid}) has no scope on this daemon; list it under `users:` in the access file (--access)"
                )))
            }
        };
        Ok(Identity::unix_named(name, uid, pid, scope))
    }

    fn token(&self, token: &str, peer: &Peer) -> Result<Identity, Denied> {
        let digest = sha256(token.as_bytes());
        // Compare against every token, so the time taken does not tell which one nearly matched.
        let mut found: Option<&Token> = None;
        for t in &self.tokens {
            if bool::from(t.sha256.ct_eq(&digest)) {
                found = Some(t);
            }
        }
        match found {
            Some(t) => Ok(Identity::tcp(&t.name, AuthMethod::Token, t.scope, peer)),
            None => Err(Denied::Unauthenticated(
                "wrong bearer token (Authorization: Bearer <token from --token-file>)".into(),
            )),
        }
    }

    fn certificate(&self, subject: &str, peer: &Peer) -> Result<Identity, Denied> {
        match self.certificates.get(subject) {
            Some(s) => Ok(Identity::tcp(subject, AuthMethod::Certificate, *s, peer)),
            None => Err(Denied::NoScope(format!(
                "client certificate `{subject}` has no scope on this daemon; list it under `certificates:` in the access file (--access)"
            ))),
        }
    }
}

/// The policy in force, swapped whole by a reload (requests in flight keep the one they began
/// with).
#[derive(Clone)]
pub struct AccessHandle(Arc<RwLock<Arc<Access>>>);

impl AccessHandle {
    /// A handle on `access`.
    pub fn new(access: Access) -> AccessHandle {
        AccessHandle(Arc::new(RwLock::new(Arc::new(access))))
    }

    /// The policy now.
    pub fn current(&self) -> Arc<Access> {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Puts `access` in force.
    pub fn replace(&self, access: Access) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(access);
    }
}

/// The token of an `Authorization: Bearer <token>` value; the scheme is case-insensitive
/// (RFC 9110), as curl's and Python's clients may write it either way.
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// The SHA-256 of a token as the access file writes it (64 lowercase hex digits).
///
/// ```
/// assert_eq!(
///     netkeep_keeper::auth::sha256_hex("1"),
///     "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b"
/// );
/// ```
pub fn sha256_hex(token: &str) -> String {
    sha256(token.trim().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn parse_hex32(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if s.len() != 64 {
        return None;
    }
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access_file::TokenEntry;

    fn tcp(cert: Option<&str>) -> Peer {
        Peer::Tcp {
            remote: "127.0.0.1:4000".parse().unwrap(),
            certificate: cert.map(Into::into),
        }
    }

    #[test]
    fn named_tokens_certificates_and_unix_users_get_their_scopes() {
        let mut f = AccessFile::default();
        f.tokens.push(TokenEntry {
            name: "ci".into(),
            scope: Scope::Read,
            sha256: sha256_hex("ci-token-0123456789"),
        });
        f.certificates.insert("CN=bot".into(), Scope::Config);
        f.users.insert("root".into(), Scope::Read);
        let a = Access::new(&f, None);
        let id = a
            .authenticate(&tcp(None), Some("bearer ci-token-0123456789"))
            .unwrap();
        assert_eq!((id.user.as_str(), id.scope), ("ci", Scope::Read));
        assert!(matches!(
            a.authenticate(&tcp(Some("CN=bot")), Some("Bearer nope")),
            Err(Denied::Unauthenticated(_))
        ));
        let id = a.authenticate(&tcp(Some("CN=bot")), None).unwrap();
        assert_eq!(
            (id.auth, id.scope),
            (AuthMethod::Certificate, Scope::Config)
        );
        assert!(matches!(
            a.authenticate(&tcp(Some("CN=other")), None),
            Err(Denied::NoScope(m)) if m.contains("CN=other")
        ));
        assert!(matches!(
            a.authenticate(&tcp(None), Some("Basic x")),
            Err(Denied::Unauthenticated(_))
        ));
        // root is listed: its entry wins over the default admin.
        let id = a
            .authenticate(
                &Peer::Unix {
                    uid: 0,
                    pid: Some(1),
                },
                None,
            )
            .unwrap();
        assert_eq!((id.user.as_str(), id.scope), ("root", Scope::Read));
    }

    #[test]
    fn unlisted_unix_users_other_than_the_daemons_own_are_refused() {
        let a = Access::new(&AccessFile::default(), None);
        let me = own_uid();
        assert_eq!(
            a.authenticate(&Peer::Unix { uid: me, pid: None }, None)
                .unwrap()
                .scope,
            Scope::Admin
        );
        let other = if me == 65534 { 65533 } else { 65534 };
        match a.authenticate(
            &Peer::Unix {
                uid: other,
                pid: None,
            },
            None,
        ) {
            Err(Denied::NoScope(m)) => assert!(m.contains("users:"), "{m}"),
            r => panic!("{r:?}"),
        }
    }
}
