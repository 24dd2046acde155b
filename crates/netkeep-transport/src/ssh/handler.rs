//! The russh client handler: judges the device's host key against the policy and records why
//! the connection ended.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use russh::client;

use super::options::SshOptions;
use crate::error::TransportError;
use crate::hostkeys::{self, fingerprint, HostKeyPolicy, Lookup};

/// Serialises "look up, then learn" so two first connections to one host write one line.
static KNOWN_HOSTS_LOCK: Mutex<()> = Mutex::new(());

/// What the handler found out, read by the connect steps and the link.
#[derive(Clone, Default)]
pub(crate) struct Findings {
    /// Why the host key was refused (the handshake error alone does not say).
    pub verdict: Arc<Mutex<Option<TransportError>>>,
    /// Why the connection ended (the device's disconnect message, or the error).
    pub disconnect: Arc<Mutex<Option<String>>>,
}

impl Findings {
    pub(crate) fn take_verdict(&self) -> Option<TransportError> {
        self.verdict
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    pub(crate) fn disconnect_reason(&self) -> Option<String> {
        self.disconnect
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

pub(crate) struct Client {
    device: String,
    host: String,
    port: u16,
    policy: HostKeyPolicy,
    own_file: PathBuf,
    openssh_file: Option<PathBuf>,
    findings: Findings,
}

impl Client {
    pub(crate) fn new(opts: &SshOptions, findings: Findings) -> Client {
        Client {
            device: opts.device.clone(),
            host: opts.host.clone(),
            port: opts.port,
            policy: opts.host_key_policy,
            own_file: opts
                .known_hosts_file
                .clone()
                .unwrap_or_else(hostkeys::default_known_hosts_file),
            openssh_file: if opts.use_openssh_known_hosts {
                hostkeys::openssh_known_hosts_file()
            } else {
                None
            },
            findings,
        }
    }

    fn judge(&self, key: &russh::keys::PublicKey) -> Result<(), TransportError> {
        let host = hostkeys::host_pattern(&self.host, self.port);
        let changed = |known_fingerprint: String, file: PathBuf, line: usize| {
            TransportError::HostKeyChanged {
                device: self.device.clone(),
                host: host.clone(),
                known_fingerprint,
                offered_fingerprint: fingerprint(key),
                file: file.into_boxed_path(),
                line,
            }
        };
        match self.policy {
            HostKeyPolicy::Insecure => Ok(()),
            HostKeyPolicy::AcceptNew => {
                let _g = KNOWN_HOSTS_LOCK.lock().unwrap_or_else(|e| e.into_inner());
                match hostkeys::lookup(&self.own_file, &self.host, self.port, key) {
                    Lookup::Known => Ok(()),
                    Lookup::Changed {
                        known_fingerprint,
                        file,
                        line,
                    } => Err(changed(known_fingerprint, file, line)),
                    Lookup::NotFound => {
                        hostkeys::learn(&self.own_file, &self.host, self.port, key).map_err(
                            |e| TransportError::KnownHostsWrite {
                                device: self.device.clone(),
                                host: host.clone(),
                                file: self.own_file.clone(),
                                message: e.to_string(),
                            },
                        )?;
                        tracing::info!(device = %self.device, fingerprint = %fingerprint(key), file = %self.own_file.display(), "remembered new host key");
                        Ok(())
                    }
                }
            }
            HostKeyPolicy::Strict => {
                let mut files = vec![self.own_file.clone()];
                files.extend(self.openssh_file.clone());
                for f in &files {
                    match hostkeys::lookup(f, &self.host, self.port, key) {
                        Lookup::Known => return Ok(()),
                        Lookup::Changed {
                            known_fingerprint,
                            file,
                            line,
                        } => return Err(changed(known_fingerprint, file, line)),
                        Lookup::NotFound => {}
                    }
                }
                Err(TransportError::HostKeyUnknown {
                    device: self.device.clone(),
                    host,
                    fingerprint: fingerprint(key),
                    files,
                })
            }
        }
    }
}

impl client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        server_public_key: &russh::keys::PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let russh::keys::PublicKeyOrCertificate::PublicKey { key, .. } = server_public_key else {
            // We never advertise certificate algorithms, so a certificate here is unexpected.
            return Ok(false);
        };
        match self.judge(key) {
            Ok(()) => Ok(true),
            Err(e) => {
                *self
                    .findings
                    .verdict
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = Some(e);
                Ok(false)
            }
        }
    }

    async fn disconnected(
        &mut self,
        reason: client::DisconnectReason<Self::Error>,
    ) -> Result<(), Self::Error> {
        let (msg, res) = match reason {
            client::DisconnectReason::ReceivedDisconnect(info) => (
                format!("device sent disconnect: {}", info.message.trim()),
                Ok(()),
            ),
            client::DisconnectReason::Error(e) => (e.to_string(), Err(e)),
        };
        *self
            .findings
            .disconnect
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(msg);
        res
    }
}
