//! A jump host as `ProxyJump` and `--jump` write it: `[user@]host[:port]` or
//! `ssh://[user@]host[:port]`, an IPv6 address in brackets.

use std::fmt;
use std::str::FromStr;

/// One hop of a jump chain.
///
/// ```
/// use netkeep_transport::ssh_config::JumpTarget;
/// let t: JumpTarget = "ops@bastion.example.net:2222".parse().unwrap();
/// assert_eq!((t.user.as_deref(), t.host.as_str(), t.port), (Some("ops"), "bastion.example.net", Some(2222)));
/// let v6: JumpTarget = "ssh://[2001:db8::1]:22".parse().unwrap();
/// assert_eq!(v6.host, "2001:db8::1");
/// assert_eq!(JumpTarget::parse_list("a,b").unwrap().len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JumpTarget {
    /// The login user, if given (else the hop's ssh_config `User`, else the local user).
    pub user: Option<String>,
    /// Host name or address (looked up in ssh_config like any host).
    pub host: String,
    /// The port, if given (else the hop's ssh_config `Port`, else 22).
    pub port: Option<u16>,
}

impl JumpTarget {
    /// A comma-separated chain, first hop first.
    pub fn parse_list(s: &str) -> Result<Vec<JumpTarget>, String> {
        s.split(',').map(str::parse).collect()
    }
}

impl FromStr for JumpTarget {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const EXPECT: &str = "expected [user@]host[:port] or ssh://[user@]host[:port]";
        let t = s.trim();
        let body = t.strip_prefix("ssh://").unwrap_or(t);
        let body = body.strip_suffix('/').unwrap_or(body);
        let (user, hostport) = match body.rsplit_once('@') {
            Some((u, h)) if !u.is_empty() => (Some(u.to_string()), h),
            Some(_) => return Err(format!("jump host {s:?}: empty user name, {EXPECT}")),
            None => (None, body),
        };
        let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
            let (h, after) = rest
                .split_once(']')
                .ok_or_else(|| format!("jump host {s:?}: unclosed [, {EXPECT}"))?;
            match after.strip_prefix(':') {
                Some(p) => (h, Some(p)),
                None if after.is_empty() => (h, None),
                None => return Err(format!("jump host {s:?}: {EXPECT}")),
            }
        } else if hostport.matches(':').count() > 1 {
            // A bare IPv6 address: no port.
            (hostport, None)
        } else {
            match hostport.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            }
        };
        if host.is_empty() || host.contains(char::is_whitespace) || host.contains('/') {
            return Err(format!("jump host {s:?}: no host name, {EXPECT}"));
        }
        let port = match port {
            Some(p) => Some(
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| format!("jump host {s:?}: port {p:?} is not 1-65535"))?,
            ),
            None => None,
        };
        Ok(JumpTarget {
            user,
            host: host.to_string(),
            port,
        })
    }
}

impl fmt::Display for JumpTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(u) = &self.user {
            write!(f, "{u}@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_errors() {
        let t: JumpTarget = "bastion".parse().unwrap();
        assert_eq!((t.user, t.port), (None, None));
        let t: JumpTarget = "a@b@host:22".parse().unwrap();
        assert_eq!(t.user.as_deref(), Some("a@b"));
        let t: JumpTarget = "::1".parse().unwrap();
        assert_eq!((t.host.as_str(), t.port), ("::1", None));
        assert_eq!(t.to_string(), "[::1]");
        for bad in ["", "@h", "h:0", "h:x", "[::1", "ssh://", "a b"] {
            assert!(bad.parse::<JumpTarget>().is_err(), "{bad}");
        }
        assert_eq!(
            "ssh://ops@h:2222"
                .parse::<JumpTarget>()
                .unwrap()
                .to_string(),
            "ops@h:2222"
        );
    }
}
