//! The floor: the least a client can do over russh — write the command, read until the buffer ends
//! with the literal prompt, cut the echo line and the prompt. No prompt regex, no cleaning, no
//! locking, no timeouts beyond a generous safety net. netkeep's target is within 1.5x of this.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use russh::client::{self, Handle, Msg};
use russh::keys::PublicKeyOrCertificate;
use russh::{Channel, ChannelMsg};

use crate::runner::{Client, Target};

const SAFETY: Duration = Duration::from_secs(60);
/// How long [`Floor`]'s liveness check waits for the ping's answer.
const PROBE: Duration = Duration::from_secs(2);

/// Accepts any host key: the simulator's key is generated per run on 127.0.0.1.
pub struct AnyKey;

impl client::Handler for AnyKey {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// One bare russh shell session.
pub struct Floor {
    handle: Handle<AnyKey>,
    ch: Channel<Msg>,
    prompt: Vec<u8>,
    buf: Vec<u8>,
}

impl Floor {
    async fn read_until_prompt(&mut self) -> anyhow::Result<()> {
        let p = std::mem::take(&mut self.prompt);
        let r = self.read_until(&p).await;
        self.prompt = p;
        r
    }

    async fn read_until(&mut self, prompt: &[u8]) -> anyhow::Result<()> {
        self.buf.clear();
        let fut = async {
            loop {
                match self.ch.wait().await {
                    Some(ChannelMsg::Data { data }) => {
                        self.buf.extend_from_slice(&data);
                        if self.buf.ends_with(prompt) {
                            return Ok(());
                        }
                    }
                    Some(ChannelMsg::ExtendedData { data, .. }) => {
                        self.buf.extend_from_slice(&data)
                    }
                    Some(ChannelMsg::Eof) | Some(ChannelMsg::Close) | None => {
                        bail!(
                            "channel closed; last bytes {:?}",
                            String::from_utf8_lossy(&self.buf[self.buf.len().saturating_sub(80)..])
                        )
                    }
                    Some(_) => {}
                }
            }
        };
        tokio::time::timeout(SAFETY, fut)
            .await
            .map_err(|_| anyhow!("no prompt within {SAFETY:?}"))?
    }
}

impl Client for Floor {
    async fn connect(t: Target) -> anyhow::Result<Self> {
        let cfg = Arc::new(client::Config {
            nodelay: true,
            ..Default::default()
        });
        let mut handle = tokio::time::timeout(
            SAFETY,
            client::connect(cfg, (t.host.as_str(), t.port), AnyKey),
        )
        .await
        .map_err(|_| anyhow!("connect timed out"))?
        .with_context(|| format!("ssh to {}:{}", t.host, t.port))?;
        let auth = handle
            .authenticate_password(t.username.clone(), t.password.clone())
            .await?;
        if !auth.success() {
            bail!("password refused by {}:{}", t.host, t.port);
        }
        let ch = handle.channel_open_session().await?;
        ch.request_pty(false, "vt100", 511, 24, 0, 0, &[]).await?;
        ch.request_shell(false).await?;
        let mut f = Floor {
            handle,
            ch,
            prompt: t.prompt.clone().into_bytes(),
            buf: Vec::with_capacity(4096),
        };
        f.read_until(t.login_prompt.as_bytes())
            .await
            .context("first prompt")?;
        if t.enable {
            f.ch.data_bytes(&b"enable\n"[..]).await?;
            f.read_until(b"Password: ")
                .await
                .context("enable password prompt")?;
            f.ch.data_bytes(format!("{}\n", t.password).into_bytes())
                .await?;
            f.read_until_prompt().await.context("enable")?;
        }
        if !t.paging_cmd.is_empty() {
            f.cmd(&t.paging_cmd).await.context("paging off")?;
        }
        Ok(f)
    }

    async fn cmd(&mut self, cmd: &str) -> anyhow::Result<String> {
        let mut line = Vec::with_capacity(cmd.len() + 1);
        line.extend_from_slice(cmd.as_bytes());
        line.push(b'\n');
        self.ch.data_bytes(line).await?;
        self.read_until_prompt().await?;
        // Cut the echoed command line and the trailing prompt.
        let body = &self.buf[..self.buf.len() - self.prompt.len()];
        let start = match memchr_nl(body) {
            Some(i) if body.starts_with(cmd.as_bytes()) => i + 1,
            _ => 0,
        };
        Ok(String::from_utf8_lossy(&body[start..]).replace("\r\n", "\n"))
    }

    /// An SSH ping answered within [`PROBE`]. russh answers `Ok` when a dying session drops
    /// the ping's reply channel, so the session must also still be open.
    async fn alive(&mut self) -> anyhow::Result<bool> {
        let answered = tokio::time::timeout(PROBE, self.handle.send_ping()).await;
        Ok(matches!(answered, Ok(Ok(()))) && !self.handle.is_closed())
    }

    async fn close(self) {
        let _ = self
            .handle
            .disconnect(russh::Disconnect::ByApplication, "", "en")
            .await;
    }
}

fn memchr_nl(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;
    use netkeep_sim::{DeviceConfig, SimDevice};

    fn target(
        dev: &SimDevice,
        platform: &str,
        prompt: &str,
        login: &str,
        enable: bool,
        paging: &str,
    ) -> Target {
        Target {
            host: "127.0.0.1".into(),
            port: dev.addr().port(),
            platform: platform.into(),
            username: "admin".into(),
            password: "admin".into(),
            prompt: prompt.into(),
            login_prompt: login.into(),
            enable,
            paging_cmd: paging.into(),
        }
    }

    #[tokio::test]
    async fn floor_runs_commands_on_the_simulator() {
        let dev = SimDevice::start(
            DeviceConfig::new("hp_comware"),
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .unwrap();
        let mut f = Floor::connect(target(
            &dev,
            "hp_comware",
            "<H3C>",
            "<H3C>",
            false,
            "screen-length disable",
        ))
        .await
        .unwrap();
        let out = f.cmd("display clock").await.unwrap();
        assert!(out.contains(" UTC "), "{out:?}");
        assert!(
            !out.contains("<H3C>") && !out.contains("display clock"),
            "{out:?}"
        );
        assert!(f.alive().await.unwrap());
        f.close().await;
        dev.stop().await;
    }

    /// The liveness check can say no: on a stalled device (half-open) within the probe bound,
    /// and on a reset connection.
    #[tokio::test]
    async fn floor_alive_is_false_on_a_stalled_or_reset_device() {
        let dev = SimDevice::start(
            DeviceConfig::new("hp_comware"),
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .unwrap();
        let t = |dev: &SimDevice| target(dev, "hp_comware", "<H3C>", "<H3C>", false, "");
        let mut f = Floor::connect(t(&dev)).await.unwrap();
        assert!(f.alive().await.unwrap(), "live session");
        dev.set_fault(netkeep_sim::Fault::Stall);
        let alive = tokio::time::timeout(PROBE * 2, f.alive()).await;
        assert!(matches!(alive, Ok(Ok(false))), "stalled device: {alive:?}");
        dev.clear_faults();
        let mut f = Floor::connect(t(&dev)).await.unwrap();
        dev.set_fault(netkeep_sim::Fault::Reset);
        tokio::time::sleep(Duration::from_millis(100)).await;
        let alive = tokio::time::timeout(PROBE * 2, f.alive()).await;
        assert!(
            matches!(alive, Ok(Ok(false))),
            "reset connection: {alive:?}"
        );
        dev.stop().await;
    }

    #[tokio::test]
    async fn floor_enters_enable_mode_on_cisco() {
        let dev = SimDevice::start(
            DeviceConfig::new("cisco_ios"),
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .unwrap();
        let mut f = Floor::connect(target(
            &dev,
            "cisco_ios",
            "R1#",
            "R1>",
            true,
            "terminal length 0",
        ))
        .await
        .unwrap();
        let out = f.cmd("show running-config").await.unwrap();
        assert!(out.trim_end().ends_with("end"), "{out:?}");
        f.close().await;
        dev.stop().await;
    }
}
