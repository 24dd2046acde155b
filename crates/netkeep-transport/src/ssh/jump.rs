//! A jump host (bastion): one authenticated SSH connection, no shell, whose `direct-tcpip`
//! channels carry the SSH connections of the devices behind it. Cloning shares the connection,
//! so a fleet behind one bastion costs one bastion login; it ends when the last clone (and
//! every connection it carries) is gone.

use std::sync::Arc;

use russh::client::{Handle, Msg};
use russh::ChannelStream;

use super::connect::{login, Login};
use super::handler::Client;
use super::options::SshOptions;
use super::route::{via, Carrier};
use crate::error::TransportError;

/// A connected jump host; see the [module](self) docs.
///
/// ```no_run
/// # async fn f() -> Result<(), netkeep_transport::TransportError> {
/// use netkeep_transport::{ssh::{self, JumpHost, Route, SshOptions}, Auth, Secret};
/// let bastion = JumpHost::connect(&SshOptions::new("198.51.100.1", 22, "ops",
///     Auth::Password(Secret::new("x")))).await?;
/// for ip in ["10.0.0.1", "10.0.0.2"] {
///     let mut o = SshOptions::new(ip, 22, "admin", Auth::Password(Secret::new("y")));
///     o.route = Route::Shared(bastion.clone()); // one bastion login for both
///     let _t = ssh::connect(&o).await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct JumpHost {
    inner: Arc<Inner>,
}

struct Inner {
    handle: Handle<Client>,
    label: String,
    findings: super::handler::Findings,
    /// What carries the jump host's own stream (a hop before it, a ProxyCommand).
    _carrier: Carrier,
}

impl std::fmt::Debug for JumpHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JumpHost")
            .field("label", &self.inner.label)
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl JumpHost {
    /// Connects (along `opts.route`), checks the host key and logs in, within
    /// `opts.connect_timeout`; opens no shell.
    pub async fn connect(opts: &SshOptions) -> Result<JumpHost, TransportError> {
        let Login {
            handle,
            findings,
            carrier,
            ..
        } = login(opts).await?;
        Ok(JumpHost {
            inner: Arc::new(Inner {
                handle,
                label: format!("{}@{}", opts.username, opts.addr()),
                findings,
                _carrier: carrier,
            }),
        })
    }

    /// True when both are the same connection.
    pub fn same(&self, other: &JumpHost) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// `user@host:port` of the jump host.
    pub fn label(&self) -> &str {
        &self.inner.label
    }

    /// True once its connection has ended (every tunnel through it ends too).
    pub fn is_closed(&self) -> bool {
        self.inner.handle.is_closed()
    }

    /// Why the connection ended, if known.
    pub fn disconnect_reason(&self) -> Option<String> {
        self.inner.findings.disconnect_reason()
    }

    /// An SSH ping round trip to the jump host.
    pub async fn probe(&self) -> Result<(), TransportError> {
        let closed = |reason| TransportError::Closed {
            device: self.inner.label.clone(),
            step: "SSH ping to the jump host",
            reason,
        };
        self.inner
            .handle
            .send_ping()
            .await
            .map_err(|e| closed(Some(e.to_string())))?;
        if self.is_closed() {
            return Err(closed(self.disconnect_reason()));
        }
        Ok(())
    }

    /// Opens a `direct-tcpip` channel to `opts.host:opts.port` (resolved by the jump host).
    pub(crate) async fn tunnel(
        &self,
        opts: &SshOptions,
    ) -> Result<ChannelStream<Msg>, TransportError> {
        if self.is_closed() {
            let reason = self
                .disconnect_reason()
                .unwrap_or_else(|| "its connection has ended".into());
            let e = TransportError::Closed {
                device: self.inner.label.clone(),
                step: "opening a tunnel",
                reason: Some(reason),
            };
            return Err(via(opts, &self.inner.label, e));
        }
        let ch = self
            .inner
            .handle
            .channel_open_direct_tcpip(opts.host.clone(), u32::from(opts.port), "127.0.0.1", 0)
            .await
            .map_err(|e| TransportError::Connect {
                device: opts.device.clone(),
                addr: opts.addr(),
                step: "opening a tunnel through the jump host",
                message: format!(
                    "{} could not open a connection to {}: {e} (is the device reachable from the jump host, and does it allow TCP forwarding?)",
                    self.inner.label,
                    opts.addr()
                ),
            })?;
        Ok(ch.into_stream())
    }
}
