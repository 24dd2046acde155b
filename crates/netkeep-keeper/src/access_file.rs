//! The access file (`netkeep serve --access FILE`): who may use the daemon and how it is
//! recorded — named tokens with their scope, Unix users and client certificates with theirs,
//! and the audit log's settings. Read at start and again on SIGHUP (tokens, users and
//! certificates take effect at once; the `audit` section needs a restart).
//!
//! ```yaml
//! tokens:                              # TCP callers: `Authorization: Bearer <token>`
//!   - { name: ci-read, scope: read,   sha256: 6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b }
//!   - { name: deploy,  scope: config, sha256: d4735e3a265e16eee03f59718b9b5d03019c07d8b6c51f90da3a666eec13ab35 }
//! users:                               # Unix socket callers, by user name (SO_PEERCRED)
//!   alice: config
//!   bob: read
//! certificates:                        # TLS client certificates, by subject
//!   "O=Example,CN=automation": config   # as the 403 for an unlisted certificate spells it
//! audit:
//!   file: /var/log/netkeep/audit.jsonl
//!   required: true                     # no audit record, no command
//! ```
//!
//! A token is stored as the SHA-256 of its text (hex), never the token itself: the file can be
//! kept in configuration management and read by the people who review it without handing
//! anyone a credential. Tokens are random strings of at least 16 characters (`head -c 32
//! /dev/urandom | base64`), so a plain hash cannot be reversed by guessing; a slow salted hash
//! protects low-entropy passwords, which these are not.
//!
//! ```
//! let f = netkeep_keeper::access_file::AccessFile::from_str(
//!     "tokens:\n  - { name: ci, scope: read, sha256: 6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b }\n",
//!     "access.yaml",
//! ).unwrap();
//! assert_eq!(f.tokens[0].name, "ci");
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::audit::AuditSettings;
use crate::scopes::Scope;

/// One named token.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenEntry {
    /// The name requests made with it are recorded under.
    pub name: String,
    /// What it may do.
    pub scope: Scope,
    /// SHA-256 of the token's text (64 hex digits): `tr -d '\n' < token | sha256sum`.
    pub sha256: String,
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessFile {
    /// Named tokens for TCP callers.
    #[serde(default)]
    pub tokens: Vec<TokenEntry>,
    /// Unix user name → scope for socket callers. Unlisted: the daemon's own user and root
    /// are `admin`, anyone else is refused.
    #[serde(default)]
    pub users: BTreeMap<String, Scope>,
    /// TLS client certificate subject (`O=Example,CN=automation`: its attributes in the
    /// certificate's order, as a 403 for an unlisted certificate spells it) → scope.
    #[serde(default)]
    pub certificates: BTreeMap<String, Scope>,
    /// The audit log.
    #[serde(default)]
    pub audit: AuditSettings,
}

/// An access file that cannot be used: the daemon does not start (or, on SIGHUP, keeps the
/// previous one).
#[derive(Debug, thiserror::Error)]
#[error("access file {}: {message}", file.display())]
pub struct AccessFileError {
    /// The file.
    pub file: PathBuf,
    /// What is wrong, with the line and column when the YAML says.
    pub message: String,
}

impl AccessFile {
    /// Reads and checks `path`; warns when others may read it.
    pub fn load(path: &Path) -> Result<AccessFile, AccessFileError> {
        let text = std::fs::read_to_string(path).map_err(|e| AccessFileError {
            file: path.to_path_buf(),
            message: format!("cannot read: {e}"),
        })?;
        warn_if_readable_by_others(path);
        let mut f = Self::from_str(&text, path)?;
        if let Some(dir) = path.parent() {
            f.audit = f.audit.relative_to(dir);
        }
        Ok(f)
    }

    /// Parses and checks the text of an access file named `file`.
    #[allow(clippy::should_implement_trait)] // two arguments: the name is for messages
    pub fn from_str(text: &str, file: impl AsRef<Path>) -> Result<AccessFile, AccessFileError> {
        let fail = |message: String| AccessFileError {
            file: file.as_ref().to_path_buf(),
            message,
        };
        if text.trim().is_empty() {
            return Ok(AccessFile::default());
        }
        let f: AccessFile = serde_norway::from_str(text).map_err(|e| {
            fail(match e.location() {
                Some(l) => format!("{}:{}: {e}", l.line(), l.column()),
                None => e.to_string(),
            })
        })?;
        f.check().map_err(fail)?;
        Ok(f)
    }

    fn check(&self) -> Result<(), String> {
        let mut names = std::collections::BTreeSet::new();
        let mut hashes = std::collections::BTreeSet::new();
        for t in &self.tokens {
            if t.name.trim().is_empty() {
                return Err("a token has an empty `name`".into());
            }
            if !names.insert(t.name.as_str()) {
                return Err(format!(
                    "token `{}` is defined twice; give each token its own name",
                    t.name
                ));
            }
            if t.sha256.len() != 64 || !t.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!(
                    "token `{}`: `sha256` must be 64 hex digits (the SHA-256 of the token: `tr -d '\\n' < token | sha256sum`), not the token itself",
                    t.name
                ));
            }
            if !hashes.insert(t.sha256.to_ascii_lowercase()) {
                return Err(format!(
                    "token `{}` has the same hash as another token: one token, one name",
                    t.name
                ));
            }
        }
        self.audit.check()
    }
}

/// The file holds token hashes and the policy: warn when it is readable by other users.
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(m) = std::fs::metadata(path) {
        if m.permissions().mode() & 0o007 != 0 {
            tracing::warn!(
                "access file {} is readable by every user; chmod o-rwx it",
                path.display()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b";

    #[test]
    fn tokens_users_and_certificates_are_read_and_checked() {
        let f = AccessFile::from_str(
            &format!("tokens:\n  - {{ name: ci, scope: read, sha256: {H} }}\nusers:\n  alice: config\ncertificates:\n  \"CN=bot\": admin\n"),
            "a.yaml",
        )
        .unwrap();
        assert_eq!(f.tokens[0].scope, Scope::Read);
        assert_eq!(f.users["alice"], Scope::Config);
        assert_eq!(f.certificates["CN=bot"], Scope::Admin);
        for (bad, says) in [
            (format!("tokens:\n  - {{ name: ci, scope: read, sha256: {H} }}\n  - {{ name: ci, scope: read, sha256: {H} }}\n"), "twice"),
            ("tokens:\n  - { name: ci, scope: read, sha256: my-secret-token }\n".to_string(), "64 hex digits"),
            (format!("tokens:\n  - {{ name: ci, scope: root, sha256: {H} }}\n"), "unknown variant"),
            ("users:\n  alice: write\n".to_string(), "unknown variant"),
            ("tokenz: []\n".to_string(), "unknown field"),
        ] {
            let e = AccessFile::from_str(&bad, "a.yaml").unwrap_err().to_string();
            assert!(e.contains(says) && e.contains("a.yaml"), "{bad} => {e}");
        }
    }
}
