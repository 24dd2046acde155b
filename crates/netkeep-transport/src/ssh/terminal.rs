//! The SSH implementation of the transport boundary: the PTY shell channel as a [`Terminal`],
//! the connection handle as a [`Link`].

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use russh::client::{Handle, Msg};
use russh::{Channel, ChannelMsg};

use super::handler::{Client, Findings};
use super::hang_up::HangUp;
use crate::boundary::{BoxFuture, Event, Link, Terminal};
use crate::error::TransportError;

/// The interactive shell channel.
pub(crate) struct SshTerminal {
    pub(crate) channel: Channel<Msg>,
    pub(crate) device: Arc<str>,
    /// Set once the channel said it ended: later polls answer [`Event::End`] at once.
    pub(crate) ended: bool,
}

impl Terminal for SshTerminal {
    fn write<'a>(&'a mut self, data: &'a [u8]) -> BoxFuture<'a, Result<(), TransportError>> {
        Box::pin(async move {
            self.channel
                .data_bytes(Bytes::copy_from_slice(data))
                .await
                .map_err(|e| TransportError::Closed {
                    device: self.device.to_string(),
                    step: "writing to the shell",
                    reason: Some(e.to_string()),
                })
        })
    }

    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Event> {
        if self.ended {
            return Poll::Ready(Event::End);
        }
        loop {
            // `wait` is a receive on a channel queue: a fresh future per poll loses nothing.
            let msg = match std::pin::pin!(self.channel.wait()).poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(m) => m,
            };
            match msg {
                Some(ChannelMsg::Data { data }) => return Poll::Ready(Event::Data(data)),
                // Devices mix stderr into the terminal anyway; treat it as output.
                Some(ChannelMsg::ExtendedData { data, .. }) => {
                    return Poll::Ready(Event::Data(data))
                }
                Some(ChannelMsg::Eof | ChannelMsg::Close | ChannelMsg::ExitStatus { .. })
                | None => {
                    self.ended = true;
                    return Poll::Ready(Event::End);
                }
                // The PTY/shell requests' replies arrive late (see the russh notes).
                Some(ChannelMsg::Failure) => {
                    tracing::warn!(device = %self.device, "device refused a PTY/shell request")
                }
                // Window adjustments, request successes.
                Some(_) => {}
            }
        }
    }

    fn close(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let _ = self.channel.eof().await;
            let _ = self.channel.close().await;
        })
    }
}

/// One SSH connection to a device.
pub(crate) struct SshLink {
    pub(crate) handle: Handle<Client>,
    pub(crate) device: Arc<str>,
    pub(crate) findings: Findings,
    /// Tells when the device has closed its side (its VTY line is free then).
    pub(crate) hang_up: HangUp,
    /// What carries the connection (a jump host, a ProxyCommand): kept while it lives.
    pub(crate) _carrier: super::route::Carrier,
}

impl Link for SshLink {
    /// `keepalive@openssh.com` with reply: does not touch the shell.
    fn probe(&self) -> BoxFuture<'_, Result<(), TransportError>> {
        Box::pin(async move {
            let closed = |reason: Option<String>| TransportError::Closed {
                device: self.device.to_string(),
                step: "SSH ping",
                reason,
            };
            self.handle
                .send_ping()
                .await
                .map_err(|e| closed(Some(e.to_string())))?;
            // russh answers Ok when the reply channel is dropped by a dying session: check.
            if self.handle.is_closed() {
                return Err(closed(self.disconnect_reason()));
            }
            Ok(())
        })
    }

    fn is_closed(&self) -> bool {
        self.handle.is_closed()
    }

    fn disconnect_reason(&self) -> Option<String> {
        self.findings.disconnect_reason()
    }

    fn disconnect(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let _ = self
                .handle
                .disconnect(russh::Disconnect::ByApplication, "netkeep disconnect", "en")
                .await;
            // Only queued so far: done once the device has closed its side (bounded).
            self.hang_up.wait().await;
        })
    }
}
