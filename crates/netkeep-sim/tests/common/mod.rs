//! A small russh client for the simulator's tests (we do not depend on netkeep-session here).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use russh::client;
use russh::keys::PublicKeyOrCertificate;
use russh::ChannelMsg;
use tokio::time::{timeout, Instant};

pub struct Accept;

impl client::Handler for Accept {
    type Error = russh::Error;
    async fn check_server_key(
        &mut self,
        _key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

pub struct Cli {
    pub handle: client::Handle<Accept>,
    pub ch: russh::Channel<client::Msg>,
    pub buf: Vec<u8>,
    pub closed: bool,
}

pub async fn ssh(addr: SocketAddr, user: &str, pw: &str) -> Result<client::Handle<Accept>, String> {
    let cfg = Arc::new(client::Config {
        nodelay: true,
        inactivity_timeout: None,
        ..Default::default()
    });
    let mut h = timeout(Duration::from_secs(5), client::connect(cfg, addr, Accept))
        .await
        .map_err(|_| "connect timed out".to_string())?
        .map_err(|e| format!("connect: {e}"))?;
    let r = h
        .authenticate_password(user, pw)
        .await
        .map_err(|e| format!("auth: {e}"))?;
    if !r.success() {
        return Err("auth rejected".into());
    }
    Ok(h)
}

impl Cli {
    pub async fn connect(addr: SocketAddr) -> Cli {
        Self::try_connect(addr, "admin", "admin")
            .await
            .expect("login")
    }

    pub async fn try_connect(addr: SocketAddr, user: &str, pw: &str) -> Result<Cli, String> {
        Self::connect_cols(addr, user, pw, 200).await
    }

    /// Logs in with a PTY `cols` columns wide.
    pub async fn connect_cols(
        addr: SocketAddr,
        user: &str,
        pw: &str,
        cols: u32,
    ) -> Result<Cli, String> {
        let handle = ssh(addr, user, pw).await?;
        let ch = handle
            .channel_open_session()
            .await
            .map_err(|e| format!("open: {e}"))?;
        ch.request_pty(false, "vt100", cols, 24, 0, 0, &[])
            .await
            .map_err(|e| e.to_string())?;
        ch.request_shell(false).await.map_err(|e| e.to_string())?;
        Ok(Cli {
            handle,
            ch,
            buf: Vec::new(),
            closed: false,
        })
    }

    pub async fn send(&self, data: &[u8]) {
        self.ch.data_bytes(data.to_vec()).await.expect("send");
    }

    /// Read until `pat` appears; returns everything up to and including it (and consumes it).
    pub async fn read_until(&mut self, pat: &str, within: Duration) -> Result<String, String> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(i) = find(&self.buf, pat.as_bytes()) {
                let rest = self.buf.split_off(i + pat.len());
                let got = std::mem::replace(&mut self.buf, rest);
                return Ok(String::from_utf8_lossy(&got).into_owned());
            }
            if self.closed {
                return Err(format!(
                    "closed before {pat:?}; got {:?}",
                    String::from_utf8_lossy(&self.buf)
                ));
            }
            match tokio::time::timeout_at(deadline, self.ch.wait()).await {
                Err(_) => {
                    return Err(format!(
                        "timeout waiting for {pat:?}; got {:?}",
                        String::from_utf8_lossy(&self.buf)
                    ))
                }
                Ok(Some(ChannelMsg::Data { data })) => self.buf.extend_from_slice(&data),
                Ok(Some(ChannelMsg::Eof)) | Ok(Some(ChannelMsg::Close)) | Ok(None) => {
                    self.closed = true
                }
                Ok(Some(_)) => {}
            }
        }
    }

    /// Send a command line and read through the next `prompt`.
    pub async fn cmd(&mut self, line: &str, prompt: &str) -> String {
        self.send(format!("{line}\n").as_bytes()).await;
        self.read_until(prompt, Duration::from_secs(5))
            .await
            .unwrap_or_else(|e| panic!("{line:?}: {e}"))
    }

    /// Send a command line and return its output alone: without the echoed line and the
    /// `prompt` after it, LF line ends.
    pub async fn output(&mut self, line: &str, prompt: &str) -> String {
        let all = self.cmd(line, prompt).await;
        body(&all, prompt)
    }

    /// Wait until the server closes the channel; returns the bytes received meanwhile.
    pub async fn wait_closed(&mut self, within: Duration) -> Result<String, String> {
        let deadline = Instant::now() + within;
        while !self.closed {
            match tokio::time::timeout_at(deadline, self.ch.wait()).await {
                Err(_) => {
                    return Err(format!(
                        "still open; got {:?}",
                        String::from_utf8_lossy(&self.buf)
                    ))
                }
                Ok(Some(ChannelMsg::Data { data })) => self.buf.extend_from_slice(&data),
                Ok(Some(ChannelMsg::Eof)) | Ok(Some(ChannelMsg::Close)) | Ok(None) => {
                    self.closed = true
                }
                Ok(Some(_)) => {}
            }
        }
        Ok(String::from_utf8_lossy(&std::mem::take(&mut self.buf)).into_owned())
    }

    /// Sends `poke` every `every` (what a keepalive sends: it must not count as activity) until
    /// the device closes the session or `limit` passes. Returns when the close was seen (`None`:
    /// still open), the text received meanwhile, and how many pokes went out before the close.
    pub async fn poke_until_closed(
        &mut self,
        poke: Poke,
        every: Duration,
        limit: Duration,
    ) -> (Option<Instant>, String, u32) {
        let t0 = Instant::now();
        let mut text = String::new();
        let mut sent = 0;
        while t0.elapsed() < limit {
            let ok = match poke {
                Poke::SshKeepalive => self.handle.send_keepalive(true).await.is_ok(),
                Poke::Bytes(b) => self.ch.data_bytes(b.to_vec()).await.is_ok(),
            };
            sent += u32::from(ok);
            text.push_str(&self.drain(every).await);
            if self.closed {
                return (Some(Instant::now()), text, sent);
            }
        }
        (None, text, sent)
    }

    /// Collect whatever arrives within `d`.
    pub async fn drain(&mut self, d: Duration) -> String {
        let deadline = Instant::now() + d;
        while let Ok(m) = tokio::time::timeout_at(deadline, self.ch.wait()).await {
            match m {
                Some(ChannelMsg::Data { data }) => self.buf.extend_from_slice(&data),
                Some(ChannelMsg::Eof) | Some(ChannelMsg::Close) | None => {
                    self.closed = true;
                    break;
                }
                Some(_) => {}
            }
        }
        String::from_utf8_lossy(&std::mem::take(&mut self.buf)).into_owned()
    }
}

/// What [`Cli::poke_until_closed`] sends.
#[derive(Debug, Clone, Copy)]
pub enum Poke {
    /// An SSH-protocol keepalive (`keepalive@openssh.com`): nothing reaches the CLI.
    SshKeepalive,
    /// Bytes in the session channel (a NUL, say) that are not a line.
    Bytes(&'static [u8]),
}

/// A command's output from what `cmd` returned: the echo line and the prompt removed.
pub fn body(all: &str, prompt: &str) -> String {
    let rest = all.split_once("\r\n").map_or("", |x| x.1);
    let rest = rest.strip_suffix(prompt).unwrap_or(rest);
    rest.replace("\r\n", "\n")
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}
