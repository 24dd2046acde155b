//! Authentication: password (or keyboard-interactive when that is all the device offers),
//! keyboard-interactive, private key with the RSA hash retry. One attempt per login, so an
//! account is never locked by netkeep.

use std::sync::Arc;

use russh::client::{self, Handle, KeyboardInteractiveAuthResponse};
use russh::keys::{HashAlg, PrivateKeyWithHashAlg};
use russh::{MethodKind, MethodSet};

use super::handler::Client;
use super::options::{Auth, SshOptions};
use crate::error::TransportError;
use crate::secret::Secret;

pub(crate) fn method_names(m: &MethodSet) -> String {
    if m.is_empty() {
        return "nothing more".into();
    }
    m.iter()
        .map(<&'static str>::from)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Authenticates with the one method `opts.auth` names.
pub(crate) async fn authenticate(
    handle: &mut Handle<Client>,
    opts: &SshOptions,
) -> Result<(), TransportError> {
    match &opts.auth {
        Auth::Password(p) => password(handle, opts, p).await,
        Auth::KeyboardInteractive(p) => keyboard_interactive(handle, &opts.username, p)
            .await
            .map_err(lost(opts))?
            .map_err(|m| failed(opts, opts.auth.name(), &m)),
        Auth::PublicKey { path, passphrase } => {
            public_key(handle, opts, path, passphrase.as_ref()).await
        }
        Auth::Identities(ids) => super::identities::authenticate(handle, opts, ids).await,
    }
}

fn failed(opts: &SshOptions, method: &'static str, offered: &MethodSet) -> TransportError {
    TransportError::AuthFailed {
        device: opts.device.clone(),
        username: opts.username.clone(),
        method,
        offered: method_names(offered),
    }
}

fn lost(opts: &SshOptions) -> impl Fn(russh::Error) -> TransportError + '_ {
    |e| TransportError::Closed {
        device: opts.device.clone(),
        step: "authentication",
        reason: Some(e.to_string()),
    }
}

/// Password auth. Asks which methods the device offers first (a `none` attempt costs no failure
/// on the device's AAA server), then spends the password on exactly one method: trying password
/// and then keyboard-interactive would count two failures against accounts that TACACS+/RADIUS
/// lock after a few.
async fn password(
    handle: &mut Handle<Client>,
    opts: &SshOptions,
    p: &Secret,
) -> Result<(), TransportError> {
    let user = opts.username.as_str();
    let offered = match handle.authenticate_none(user).await.map_err(lost(opts))? {
        client::AuthResult::Success => return Ok(()),
        client::AuthResult::Failure {
            remaining_methods, ..
        } => remaining_methods,
    };
    if !offered.contains(&MethodKind::Password)
        && offered.contains(&MethodKind::KeyboardInteractive)
    {
        return keyboard_interactive(handle, user, p)
            .await
            .map_err(lost(opts))?
            .map_err(|m| {
                failed(
                    opts,
                    "keyboard-interactive (the device offers no password)",
                    &m,
                )
            });
    }
    match handle
        .authenticate_password(user, p.expose())
        .await
        .map_err(lost(opts))?
    {
        client::AuthResult::Success => Ok(()),
        client::AuthResult::Failure {
            remaining_methods, ..
        } => Err(failed(opts, opts.auth.name(), &remaining_methods)),
    }
}

/// Private-key auth; for RSA keys the hashes are tried strongest first, because
/// server-sig-algs is sometimes wrong.
async fn public_key(
    handle: &mut Handle<Client>,
    opts: &SshOptions,
    path: &std::path::Path,
    passphrase: Option<&Secret>,
) -> Result<(), TransportError> {
    let key = russh::keys::load_secret_key(path, passphrase.map(|s| s.expose())).map_err(|e| {
        let mut message = e.to_string();
        if passphrase.is_none() && message.to_lowercase().contains("encrypt") {
            message.push_str(" (the key is encrypted: give its passphrase)");
        }
        TransportError::KeyFile {
            device: opts.device.clone(),
            path: path.to_path_buf(),
            message,
        }
    })?;
    let key = Arc::new(key);
    let hashes: &[Option<HashAlg>] = if key.algorithm().is_rsa() {
        &[Some(HashAlg::Sha512), Some(HashAlg::Sha256), None]
    } else {
        &[None]
    };
    let mut offered = MethodSet::empty();
    for h in hashes {
        match handle
            .authenticate_publickey(&opts.username, PrivateKeyWithHashAlg::new(key.clone(), *h))
            .await
            .map_err(lost(opts))?
        {
            client::AuthResult::Success => return Ok(()),
            client::AuthResult::Failure {
                remaining_methods, ..
            } => {
                offered = remaining_methods;
                if !offered.contains(&MethodKind::PublicKey) {
                    break;
                }
            }
        }
    }
    Err(failed(opts, "publickey", &offered))
}

/// Runs keyboard-interactive; `Ok(Err(methods))` on rejection.
async fn keyboard_interactive(
    handle: &mut Handle<Client>,
    user: &str,
    secret: &Secret,
) -> Result<Result<(), MethodSet>, russh::Error> {
    let mut resp = handle
        .authenticate_keyboard_interactive_start(user, None)
        .await?;
    // A few rounds at most: some servers send an empty info request first.
    for _ in 0..6 {
        match resp {
            KeyboardInteractiveAuthResponse::Success => return Ok(Ok(())),
            KeyboardInteractiveAuthResponse::Failure {
                remaining_methods, ..
            } => return Ok(Err(remaining_methods)),
            KeyboardInteractiveAuthResponse::InfoRequest { prompts, .. } => {
                let answers = prompts
                    .iter()
                    .map(|p| {
                        if p.echo {
                            user.to_string()
                        } else {
                            secret.expose().to_string()
                        }
                    })
                    .collect();
                resp = handle
                    .authenticate_keyboard_interactive_respond(answers)
                    .await?;
            }
        }
    }
    Ok(Err(MethodSet::empty()))
}
