//! `%` tokens (ssh_config(5) TOKENS), `~` and `${VAR}` in ssh_config values.

use std::path::PathBuf;

/// What the tokens of one connection stand for.
#[derive(Debug, Clone)]
pub(crate) struct Tokens {
    /// `%h`: the host name to connect to (after HostName).
    pub(crate) host: String,
    /// `%n`: the host name as given.
    pub(crate) original: String,
    /// `%p`: the port.
    pub(crate) port: u16,
    /// `%r`: the remote user name.
    pub(crate) user: String,
}

/// The tokens netkeep expands, for error messages.
pub(super) const KNOWN: &str = "%%, %h, %n, %p, %r, %u, %d";

pub(crate) fn local_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "root".into())
}

fn home() -> String {
    dirs::home_dir()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|| "~".into())
}

/// Expands `%` tokens; an unknown token is an error naming it.
pub(crate) fn expand(s: &str, t: &Tokens) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('h') => out.push_str(&t.host),
            Some('n') => out.push_str(&t.original),
            Some('p') => out.push_str(&t.port.to_string()),
            Some('r') => out.push_str(&t.user),
            Some('u') => out.push_str(&local_user()),
            Some('d') => out.push_str(&home()),
            Some(o) => return Err(format!("unknown token %{o} (netkeep knows {KNOWN})")),
            None => {
                return Err(format!(
                    "a lone % at the end (use %% for a %; tokens: {KNOWN})"
                ))
            }
        }
    }
    Ok(out)
}

/// Checks the tokens of a value without expanding it (at load time, for file:line errors).
pub(super) fn check(s: &str) -> Result<(), String> {
    let t = Tokens {
        host: String::new(),
        original: String::new(),
        port: 22,
        user: String::new(),
    };
    expand(s, &t).map(|_| ())
}

/// A file path from a value: tokens, then `${VAR}`, then a leading `~`.
pub(crate) fn path(s: &str, t: &Tokens) -> Result<PathBuf, String> {
    let s = env_vars(&expand(s, t)?)?;
    Ok(match s.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
            PathBuf::from(format!("{}{rest}", home()))
        }
        _ => PathBuf::from(s),
    })
}

/// `${VAR}` from the environment; an unset variable is an error, as in OpenSSH.
fn env_vars(s: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("unterminated ${{ in {s:?}: expected }}"))?;
        let name = &after[..end];
        let value = std::env::var(name)
            .map_err(|_| format!("environment variable {name} (in {s:?}) is not set"))?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Tokens {
        Tokens {
            host: "10.0.0.1".into(),
            original: "sw1".into(),
            port: 2222,
            user: "ops".into(),
        }
    }

    #[test]
    fn tokens_expand() {
        assert_eq!(
            expand("ssh -W %h:%p -l %r %n 100%%", &t()).unwrap(),
            "ssh -W 10.0.0.1:2222 -l ops sw1 100%"
        );
        assert!(expand("%x", &t()).unwrap_err().contains("unknown token %x"));
        assert!(expand("50%", &t()).is_err());
        assert!(check("ssh -W %h:%p bastion").is_ok());
    }

    #[test]
    fn paths_take_home_and_variables() {
        let home = dirs::home_dir().unwrap();
        assert_eq!(
            path("~/.ssh/id_%r", &t()).unwrap(),
            home.join(".ssh/id_ops")
        );
        assert_eq!(path("/etc/x", &t()).unwrap(), PathBuf::from("/etc/x"));
        assert!(path("${NETKEEP_SURELY_UNSET_VAR}/x", &t())
            .unwrap_err()
            .contains("not set"));
    }
}
