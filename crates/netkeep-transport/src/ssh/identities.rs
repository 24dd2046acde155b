//! Public-key authentication the way OpenSSH tries keys: the configured key files that the
//! agent holds (signed by the agent, in the agent's order), then the agent's other keys (unless
//! `IdentitiesOnly`), then the remaining key files in configuration order — an encrypted file
//! asking for its passphrase (given, or on the terminal) only when its turn comes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use russh::client::{self, Handle};
use russh::keys::agent::client::AgentClient;
use russh::keys::agent::AgentIdentity;
use russh::keys::{HashAlg, PrivateKey, PrivateKeyWithHashAlg, PublicKey};
use russh::{MethodKind, MethodSet};

use super::handler::Client;
use super::options::SshOptions;
use crate::error::TransportError;
use crate::secret::Secret;

/// Where the ssh-agent listens.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AgentSocket {
    /// `SSH_AUTH_SOCK` (no agent when it is unset).
    #[default]
    FromEnv,
    /// This socket (`IdentityAgent PATH`).
    Path(PathBuf),
    /// No agent (`IdentityAgent none`).
    Off,
}

/// Keys to try, as OpenSSH gathers them.
///
/// ```
/// use netkeep_transport::{ssh::{AgentSocket, Identities}, Auth};
/// let auth = Auth::Identities(Identities {
///     files: vec!["/home/me/.ssh/id_ed25519".into()],
///     ..Identities::default()
/// });
/// # let _ = auth;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identities {
    /// The agent to ask.
    pub agent: AgentSocket,
    /// Key files (`IdentityFile`, `--key-file`), in order.
    pub files: Vec<PathBuf>,
    /// Only the files' keys, even from the agent (`IdentitiesOnly yes`).
    pub identities_only: bool,
    /// The passphrase of encrypted key files (`NETKEEP_KEY_PASSPHRASE`).
    pub passphrase: Option<Secret>,
    /// Ask on the terminal for an encrypted key's passphrase when none is given.
    pub ask_passphrase: bool,
}

impl Identities {
    /// OpenSSH's default key files that exist (`~/.ssh/id_rsa`, `id_ecdsa`, `id_ecdsa_sk`,
    /// `id_ed25519`, `id_ed25519_sk`), for when no file is configured.
    pub fn default_files() -> Vec<PathBuf> {
        let Some(home) = dirs::home_dir() else {
            return Vec::new();
        };
        [
            "id_rsa",
            "id_ecdsa",
            "id_ecdsa_sk",
            "id_ed25519",
            "id_ed25519_sk",
        ]
        .iter()
        .map(|n| home.join(".ssh").join(n))
        .filter(|p| p.is_file())
        .collect()
    }

    /// The agent's socket path, if one is to be used.
    pub fn agent_path(&self) -> Option<PathBuf> {
        match &self.agent {
            AgentSocket::FromEnv => std::env::var_os("SSH_AUTH_SOCK")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            AgentSocket::Path(p) => Some(p.clone()),
            AgentSocket::Off => None,
        }
    }
}

type Agent = AgentClient<tokio::net::UnixStream>;

/// One key to offer: through the agent, or from a file.
enum Candidate {
    Agent(PublicKey),
    File(PathBuf),
}

/// Tries the keys in OpenSSH's order until one is accepted.
pub(crate) async fn authenticate(
    handle: &mut Handle<Client>,
    opts: &SshOptions,
    ids: &Identities,
) -> Result<(), TransportError> {
    let (mut agent, agent_keys, agent_error) = connect_agent(opts, ids).await;
    let order = order(ids, &agent_keys);
    if order.is_empty() {
        return Err(match agent_error {
            Some(e) => e,
            None => TransportError::KeyFile {
                device: opts.device.clone(),
                path: PathBuf::from("(none)"),
                message: "no key to offer: the agent holds none and no key file is configured (give --key-file, IdentityFile, or load a key with ssh-add)".into(),
            },
        });
    }
    let mut offered = MethodSet::empty();
    for c in &order {
        let r = match c {
            Candidate::Agent(key) => match agent.as_mut() {
                Some(a) => with_agent(handle, opts, a, key).await?,
                None => continue,
            },
            Candidate::File(path) => with_file(handle, opts, ids, path).await?,
        };
        match r {
            Ok(()) => return Ok(()),
            Err(m) => offered = m,
        }
        if !offered.contains(&MethodKind::PublicKey) {
            break;
        }
    }
    let agent_note = agent_error.map(|e| format!("; {e}")).unwrap_or_default();
    Err(TransportError::AuthFailed {
        device: opts.device.clone(),
        username: opts.username.clone(),
        method: "publickey",
        offered: format!(
            "{}; tried {} key(s){agent_note}",
            super::auth::method_names(&offered),
            order.len()
        ),
    })
}

/// The agent and its keys; an agent that cannot be reached is an error only when nothing
/// else can be tried (the caller decides), so it is returned, not raised.
async fn connect_agent(
    opts: &SshOptions,
    ids: &Identities,
) -> (Option<Agent>, Vec<PublicKey>, Option<TransportError>) {
    let Some(path) = ids.agent_path() else {
        return (None, Vec::new(), None);
    };
    let fail = |message: String| TransportError::Agent {
        device: opts.device.clone(),
        socket: path.clone(),
        message,
    };
    let mut agent = match AgentClient::connect_uds(&path).await {
        Ok(a) => a,
        Err(e) => {
            let e = fail(format!("{e} (is ssh-agent running? start it with `eval $(ssh-agent)` and add keys with ssh-add)"));
            tracing::debug!(device = %opts.device, "{e}");
            return (None, Vec::new(), Some(e));
        }
    };
    match agent.request_identities().await {
        Ok(ids) => {
            let keys = ids
                .iter()
                .filter_map(|i| match i {
                    AgentIdentity::PublicKey { key, .. } => Some(key.clone()),
                    // Certificates are not offered (no certificate authentication yet).
                    AgentIdentity::Certificate { .. } => None,
                })
                .collect();
            (Some(agent), keys, None)
        }
        Err(e) => (
            None,
            Vec::new(),
            Some(fail(format!("listing its keys failed: {e}"))),
        ),
    }
}

/// OpenSSH's order: files the agent holds (agent order), other agent keys unless
/// identities-only, then the remaining files.
fn order(ids: &Identities, agent_keys: &[PublicKey]) -> Vec<Candidate> {
    let file_keys: Vec<(PathBuf, Option<PublicKey>)> = ids
        .files
        .iter()
        .map(|f| (f.clone(), public_of(f)))
        .collect();
    let held = |k: &PublicKey| {
        file_keys
            .iter()
            .any(|(_, p)| p.as_ref().is_some_and(|p| p.key_data() == k.key_data()))
    };
    let mut out = Vec::new();
    for k in agent_keys.iter().filter(|k| held(k)) {
        out.push(Candidate::Agent(k.clone()));
    }
    if !ids.identities_only {
        for k in agent_keys.iter().filter(|k| !held(k)) {
            out.push(Candidate::Agent(k.clone()));
        }
    }
    for (f, p) in &file_keys {
        let in_agent = p
            .as_ref()
            .is_some_and(|p| agent_keys.iter().any(|k| k.key_data() == p.key_data()));
        if !in_agent {
            out.push(Candidate::File(f.clone()));
        }
    }
    out
}

/// A key file's public key: its `.pub`, else the file itself when it is not encrypted.
fn public_of(path: &Path) -> Option<PublicKey> {
    let mut pubfile = path.as_os_str().to_owned();
    pubfile.push(".pub");
    if let Ok(text) = std::fs::read_to_string(PathBuf::from(pubfile)) {
        if let Ok(k) = PublicKey::from_openssh(text.trim()) {
            return Some(k);
        }
    }
    russh::keys::load_secret_key(path, None)
        .ok()
        .map(|k| k.public_key().clone())
}

/// RSA keys: strongest hash first (server-sig-algs is sometimes wrong); others: one try.
fn hashes(rsa: bool) -> &'static [Option<HashAlg>] {
    if rsa {
        &[Some(HashAlg::Sha512), Some(HashAlg::Sha256), None]
    } else {
        &[None]
    }
}

type Attempt = Result<Result<(), MethodSet>, TransportError>;

async fn with_agent(
    handle: &mut Handle<Client>,
    opts: &SshOptions,
    agent: &mut Agent,
    key: &PublicKey,
) -> Attempt {
    let mut offered = MethodSet::empty();
    for h in hashes(key.algorithm().is_rsa()) {
        let r = handle
            .authenticate_publickey_with(&opts.username, key.clone(), *h, agent)
            .await
            .map_err(|e| TransportError::Agent {
                device: opts.device.clone(),
                socket: PathBuf::from("(agent)"),
                message: format!("signing with {} failed: {e}", key.algorithm()),
            })?;
        match r {
            client::AuthResult::Success => return Ok(Ok(())),
            client::AuthResult::Failure {
                remaining_methods, ..
            } => offered = remaining_methods,
        }
        if !offered.contains(&MethodKind::PublicKey) {
            break;
        }
    }
    Ok(Err(offered))
}

async fn with_file(
    handle: &mut Handle<Client>,
    opts: &SshOptions,
    ids: &Identities,
    path: &Path,
) -> Attempt {
    if !path.exists() {
        tracing::debug!(device = %opts.device, key = %path.display(), "key file not found: skipped");
        return Ok(Err(MethodSet::from(&[MethodKind::PublicKey][..])));
    }
    let key = Arc::new(load_key(opts, ids, path).await?);
    let mut offered = MethodSet::empty();
    for h in hashes(key.algorithm().is_rsa()) {
        let r = handle
            .authenticate_publickey(&opts.username, PrivateKeyWithHashAlg::new(key.clone(), *h))
            .await
            .map_err(|e| TransportError::Closed {
                device: opts.device.clone(),
                step: "authentication",
                reason: Some(e.to_string()),
            })?;
        match r {
            client::AuthResult::Success => return Ok(Ok(())),
            client::AuthResult::Failure {
                remaining_methods, ..
            } => offered = remaining_methods,
        }
        if !offered.contains(&MethodKind::PublicKey) {
            break;
        }
    }
    Ok(Err(offered))
}

/// Loads a private key; an encrypted one takes the given passphrase, else asks on the terminal
/// when allowed.
pub(crate) async fn load_key(
    opts: &SshOptions,
    ids: &Identities,
    path: &Path,
) -> Result<PrivateKey, TransportError> {
    let err = |message: String| TransportError::KeyFile {
        device: opts.device.clone(),
        path: path.to_path_buf(),
        message,
    };
    let given = ids.passphrase.as_ref().map(|s| s.expose());
    match russh::keys::load_secret_key(path, given) {
        Ok(k) => return Ok(k),
        Err(e) if given.is_some() || !is_encrypted_error(&e) => return Err(err(e.to_string())),
        Err(_) => {}
    }
    if !ids.ask_passphrase {
        return Err(err(
            "the key is encrypted: set NETKEEP_KEY_PASSPHRASE, or run on a terminal to be asked"
                .into(),
        ));
    }
    let prompt = format!("Enter passphrase for key '{}': ", path.display());
    let pass = tokio::task::spawn_blocking(move || Secret::prompt_tty(&prompt))
        .await
        .map_err(|e| err(e.to_string()))?
        .map_err(|e| err(format!("the key is encrypted and no passphrase could be read from the terminal ({e}): set NETKEEP_KEY_PASSPHRASE")))?;
    russh::keys::load_secret_key(path, Some(pass.expose())).map_err(|e| err(e.to_string()))
}

fn is_encrypted_error(e: &russh::keys::Error) -> bool {
    let m = e.to_string().to_lowercase();
    m.contains("encrypt") || m.contains("passphrase")
}

#[cfg(test)]
mod tests {
    use super::*;
    use russh::keys::ssh_key::private::Ed25519Keypair;
    use russh::keys::PrivateKey;

    fn key(seed: u8) -> PublicKey {
        PrivateKey::from(Ed25519Keypair::from_seed(&[seed; 32]))
            .public_key()
            .clone()
    }

    /// A key file known by its `.pub` beside it (the private file need not parse).
    fn file(dir: &Path, name: &str, k: &PublicKey) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, "not read").unwrap();
        std::fs::write(dir.join(format!("{name}.pub")), k.to_openssh().unwrap()).unwrap();
        p
    }

    fn show(c: &[Candidate], agent: &[PublicKey]) -> Vec<String> {
        c.iter()
            .map(|c| match c {
                Candidate::Agent(k) => {
                    let i = agent.iter().position(|a| a == k).unwrap();
                    format!("agent#{i}")
                }
                Candidate::File(p) => p.file_name().unwrap().to_string_lossy().into_owned(),
            })
            .collect()
    }

    /// OpenSSH's order: configured files the agent holds (signed by the agent, in the agent's
    /// order), the agent's other keys unless IdentitiesOnly, then files the agent lacks.
    #[test]
    fn keys_are_tried_in_openssh_order() {
        let dir = tempfile::tempdir().unwrap();
        let agent = [key(1), key(2), key(3)];
        let ids = Identities {
            agent: AgentSocket::Off,
            files: vec![
                file(dir.path(), "id_d", &key(4)),
                file(dir.path(), "id_c", &key(3)),
                file(dir.path(), "id_a", &key(1)),
            ],
            identities_only: false,
            passphrase: None,
            ask_passphrase: false,
        };
        assert_eq!(
            show(&order(&ids, &agent), &agent),
            ["agent#0", "agent#2", "agent#1", "id_d"]
        );
        let only = Identities {
            identities_only: true,
            ..ids
        };
        assert_eq!(
            show(&order(&only, &agent), &agent),
            ["agent#0", "agent#2", "id_d"]
        );
        assert_eq!(order(&only, &[]).len(), 3);
    }
}
