//! The russh client: connect, authenticate, open a PTY shell.

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;
use russh::client::{self, Handle, KeyboardInteractiveAuthResponse, Msg};
use russh::keys::{HashAlg, PrivateKeyWithHashAlg};
use russh::{cipher, kex, mac, Channel, ChannelMsg, MethodKind, MethodSet, Preferred};

use crate::error::TransportError;
use crate::hostkeys::{self, fingerprint, HostKeyPolicy, Lookup};
use crate::secret::Secret;

/// How to prove who we are.
///
/// ```
/// use netkeep_transport::{Auth, Secret};
/// let a = Auth::PublicKey { path: "/home/me/.ssh/id_ed25519".into(), passphrase: None };
/// let b = Auth::Password(Secret::new("admin"));
/// # let _ = (a, b);
/// ```
#[derive(Debug, Clone)]
pub enum Auth {
    /// Password auth; uses keyboard-interactive with the same password instead when the device
    /// offers only that (many network devices do). The password is sent once per login.
    Password(Secret),
    /// Keyboard-interactive, answering every hidden prompt with the secret.
    KeyboardInteractive(Secret),
    /// A private key file (OpenSSH or PEM format), optionally encrypted with a passphrase.
    PublicKey {
        path: PathBuf,
        passphrase: Option<Secret>,
    },
}

impl Auth {
    fn name(&self) -> &'static str {
        match self {
            Auth::Password(_) => "password",
            Auth::KeyboardInteractive(_) => "keyboard-interactive",
            Auth::PublicKey { .. } => "publickey",
        }
    }
}

/// Everything the transport needs to reach one device.
///
/// ```
/// use netkeep_transport::{Auth, HostKeyPolicy, Secret, TransportOptions};
/// let mut o = TransportOptions::new("10.0.0.1", 22, "admin", Auth::Password(Secret::new("x")));
/// o.host_key_policy = HostKeyPolicy::Strict;
/// o.legacy_algorithms = true;
/// ```
#[derive(Debug, Clone)]
pub struct TransportOptions {
    pub host: String,
    pub port: u16,
    pub username: String,
    pub auth: Auth,
    /// Label used in errors and logs; defaults to `host:port`.
    pub device: String,
    pub host_key_policy: HostKeyPolicy,
    /// netkeep's own known_hosts file; `None` = [`hostkeys::default_known_hosts_file`].
    pub known_hosts_file: Option<PathBuf>,
    /// Also consult OpenSSH's `~/.ssh/known_hosts` under the strict policy.
    pub use_openssh_known_hosts: bool,
    /// Bound on TCP connect + SSH handshake + authentication + shell.
    pub connect_timeout: Duration,
    /// Offer old algorithms (group14/group1-sha1, gex-sha1, aes-cbc, 3des-cbc, hmac-sha1) after
    /// the modern ones, for old gear.
    pub legacy_algorithms: bool,
    /// SSH-level keepalive (detects dead peers; does not restart a device's idle timer).
    pub ssh_keepalive: Option<Duration>,
    /// Terminal type and size requested for the PTY. Wide, so devices do not wrap long lines.
    pub term: String,
    pub cols: u32,
    pub rows: u32,
}

impl TransportOptions {
    /// Options with defaults: accept-new host keys, 10 s connect timeout, modern algorithms.
    pub fn new(
        host: impl Into<String>,
        port: u16,
        username: impl Into<String>,
        auth: Auth,
    ) -> Self {
        let host = host.into();
        TransportOptions {
            device: format!("{host}:{port}"),
            host,
            port,
            username: username.into(),
            auth,
            host_key_policy: HostKeyPolicy::AcceptNew,
            known_hosts_file: None,
            use_openssh_known_hosts: true,
            connect_timeout: Duration::from_secs(10),
            legacy_algorithms: false,
            ssh_keepalive: None,
            term: "vt100".into(),
            cols: 511,
            rows: 24,
        }
    }

    fn addr(&self) -> String {
        if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Algorithm lists: russh's modern defaults, then (opt-in) the legacy ones old devices need.
fn preferred(legacy: bool) -> Preferred {
    let mut p = Preferred::default();
    if !legacy {
        return p;
    }
    let mut kexes: Vec<kex::Name> = Vec::new();
    let legacy_kex = [kex::DH_G14_SHA1, kex::DH_G1_SHA1, kex::DH_GEX_SHA1];
    let mut inserted = false;
    for k in p.kex.iter() {
        // Extension markers (ext-info-c, strict kex) stay after every real algorithm.
        let marker = k.as_ref().starts_with("ext-info") || k.as_ref().starts_with("kex-strict");
        if marker && !inserted {
            kexes.extend(legacy_kex);
            inserted = true;
        }
        kexes.push(*k);
    }
    if !inserted {
        kexes.extend(legacy_kex);
    }
    p.kex = kexes.into();
    let mut ciphers: Vec<cipher::Name> = p.cipher.to_vec();
    ciphers.extend([
        cipher::AES_128_CBC,
        cipher::AES_192_CBC,
        cipher::AES_256_CBC,
        cipher::TRIPLE_DES_CBC,
    ]);
    p.cipher = ciphers.into();
    let mut macs: Vec<mac::Name> = p.mac.to_vec();
    for m in [mac::HMAC_SHA1_ETM, mac::HMAC_SHA1] {
        if !macs.contains(&m) {
            macs.push(m);
        }
    }
    p.mac = macs.into();
    p
}

/// Serialises "look up, then learn" so two first connections to one host write one line.
static KNOWN_HOSTS_LOCK: Mutex<()> = Mutex::new(());

struct Client {
    device: String,
    host: String,
    port: u16,
    policy: HostKeyPolicy,
    own_file: PathBuf,
    openssh_file: Option<PathBuf>,
    verdict: Arc<Mutex<Option<TransportError>>>,
    disconnect: Arc<Mutex<Option<String>>>,
}

impl Client {
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
                *self.verdict.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
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
        *self.disconnect.lock().unwrap_or_else(|e| e.into_inner()) = Some(msg);
        res
    }
}

/// One SSH connection to a device.
pub struct Transport {
    handle: Handle<Client>,
    device: Arc<str>,
    disconnect: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("device", &self.device)
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// Something that arrived on the shell channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellEvent {
    /// Terminal output.
    Data(Bytes),
    /// The device will send no more data.
    Eof,
    /// The device closed the channel.
    Close,
    /// The remote shell exited.
    ExitStatus(u32),
    /// A PTY/shell request was refused (arrives late, after the request).
    RequestFailed,
    /// Anything else (window adjustments, request successes).
    Other,
}

/// The interactive shell channel: write bytes, receive [`ShellEvent`]s.
pub struct Shell {
    channel: Channel<Msg>,
    device: Arc<str>,
}

impl std::fmt::Debug for Shell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shell")
            .field("device", &self.device)
            .finish()
    }
}

fn map_msg(m: ChannelMsg) -> ShellEvent {
    match m {
        ChannelMsg::Data { data } => ShellEvent::Data(data),
        // Devices mix stderr into the terminal anyway; treat it as output.
        ChannelMsg::ExtendedData { data, .. } => ShellEvent::Data(data),
        ChannelMsg::Eof => ShellEvent::Eof,
        ChannelMsg::Close => ShellEvent::Close,
        ChannelMsg::ExitStatus { exit_status } => ShellEvent::ExitStatus(exit_status),
        ChannelMsg::Failure => ShellEvent::RequestFailed,
        _ => ShellEvent::Other,
    }
}

impl Shell {
    /// Writes bytes into the session (as if typed).
    pub async fn write(&self, data: &[u8]) -> Result<(), TransportError> {
        self.channel
            .data_bytes(Bytes::copy_from_slice(data))
            .await
            .map_err(|e| TransportError::Closed {
                device: self.device.to_string(),
                step: "writing to the shell",
                reason: Some(e.to_string()),
            })
    }

    /// Waits for the next event; `None` once the channel is gone.
    pub async fn recv(&mut self) -> Option<ShellEvent> {
        self.channel.wait().await.map(map_msg)
    }

    /// Returns an event that is already queued, without waiting: `None` if nothing is queued,
    /// `Some(None)` if the channel is gone.
    pub fn try_recv(&mut self) -> Option<Option<ShellEvent>> {
        let mut cx = Context::from_waker(Waker::noop());
        let fut = std::pin::pin!(self.channel.wait());
        match fut.poll(&mut cx) {
            Poll::Ready(m) => Some(m.map(map_msg)),
            Poll::Pending => None,
        }
    }

    /// Sends EOF and closes the channel (best effort).
    pub async fn close(&self) {
        let _ = self.channel.eof().await;
        let _ = self.channel.close().await;
    }
}

impl Transport {
    /// Connects, checks the host key, authenticates and opens a PTY shell, all within
    /// `opts.connect_timeout`.
    pub async fn connect(opts: &TransportOptions) -> Result<(Transport, Shell), TransportError> {
        let device = opts.device.clone();
        let addr = opts.addr();
        let deadline = Instant::now() + opts.connect_timeout;
        let timeout_err = |step: &'static str| TransportError::ConnectTimeout {
            device: device.clone(),
            addr: addr.clone(),
            step,
            timeout: opts.connect_timeout,
        };

        let stream = match tokio::time::timeout_at(
            deadline.into(),
            tokio::net::TcpStream::connect((opts.host.as_str(), opts.port)),
        )
        .await
        {
            Err(_) => return Err(timeout_err("TCP connect")),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                return Err(TransportError::ConnectRefused {
                    device,
                    addr,
                    source: e,
                })
            }
            Ok(Err(e)) => {
                return Err(TransportError::Connect {
                    device,
                    addr,
                    step: "TCP connect",
                    message: e.to_string(),
                })
            }
            Ok(Ok(s)) => s,
        };
        // One small packet per keystroke/command: never wait for Nagle.
        let _ = stream.set_nodelay(true);

        let config = Arc::new(client::Config {
            nodelay: true,
            preferred: preferred(opts.legacy_algorithms),
            keepalive_interval: opts.ssh_keepalive,
            keepalive_max: 2,
            inactivity_timeout: None,
            ..Default::default()
        });
        let verdict = Arc::new(Mutex::new(None));
        let disconnect = Arc::new(Mutex::new(None));
        let handler = Client {
            device: device.clone(),
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
            verdict: verdict.clone(),
            disconnect: disconnect.clone(),
        };
        let hs = tokio::time::timeout_at(
            deadline.into(),
            client::connect_stream(config, stream, handler),
        )
        .await;
        let mut handle = match hs {
            Err(_) => return Err(timeout_err("SSH handshake")),
            Ok(Ok(h)) => h,
            Ok(Err(e)) => {
                if let Some(v) = verdict.lock().unwrap_or_else(|e| e.into_inner()).take() {
                    return Err(v);
                }
                let step = "SSH handshake";
                return Err(match e {
                    russh::Error::IO(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                        TransportError::ConnectRefused {
                            device,
                            addr,
                            source: io,
                        }
                    }
                    other => TransportError::Connect {
                        device,
                        addr,
                        step,
                        message: other.to_string(),
                    },
                });
            }
        };

        match tokio::time::timeout_at(deadline.into(), authenticate(&mut handle, opts)).await {
            Err(_) => return Err(timeout_err("authentication")),
            Ok(Err(e)) => {
                let _ = handle
                    .disconnect(russh::Disconnect::ByApplication, "", "en")
                    .await;
                return Err(e);
            }
            Ok(Ok(())) => {}
        }

        let device_arc: Arc<str> = device.clone().into();
        let chan_err = |step: &'static str, e: russh::Error| TransportError::Channel {
            device: device.clone(),
            step,
            message: e.to_string(),
        };
        let open = async {
            let channel = handle
                .channel_open_session()
                .await
                .map_err(|e| chan_err("opening the session channel", e))?;
            // Replies (Success/Failure) arrive later on the channel; the reader ignores them.
            channel
                .request_pty(true, &opts.term, opts.cols, opts.rows, 0, 0, &[])
                .await
                .map_err(|e| chan_err("requesting a PTY", e))?;
            channel
                .request_shell(true)
                .await
                .map_err(|e| chan_err("starting the shell", e))?;
            Ok::<_, TransportError>(channel)
        };
        let channel = match tokio::time::timeout_at(deadline.into(), open).await {
            Err(_) => return Err(timeout_err("opening the shell")),
            Ok(r) => r?,
        };
        Ok((
            Transport {
                handle,
                device: device_arc.clone(),
                disconnect,
            },
            Shell {
                channel,
                device: device_arc,
            },
        ))
    }

    /// The label of the device.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// SSH-level round trip (`keepalive@openssh.com` with reply). Does not touch the shell, so it
    /// does not restart a device's idle timer. Unbounded: wrap it in a timeout.
    pub async fn ping(&self) -> Result<(), TransportError> {
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
    }

    /// True once the connection task has ended.
    pub fn is_closed(&self) -> bool {
        self.handle.is_closed()
    }

    /// Why the connection ended, if the device said so or an error ended it.
    pub fn disconnect_reason(&self) -> Option<String> {
        self.disconnect
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Polite SSH disconnect (best effort, does not wait).
    pub async fn disconnect(&self) {
        let _ = self
            .handle
            .disconnect(russh::Disconnect::ByApplication, "netkeep disconnect", "en")
            .await;
    }
}

fn method_names(m: &MethodSet) -> String {
    if m.is_empty() {
        return "nothing more".into();
    }
    m.iter()
        .map(<&'static str>::from)
        .collect::<Vec<_>>()
        .join(", ")
}

async fn authenticate(
    handle: &mut Handle<Client>,
    opts: &TransportOptions,
) -> Result<(), TransportError> {
    let device = &opts.device;
    let user = opts.username.as_str();
    let lost = |e: russh::Error| TransportError::Closed {
        device: device.clone(),
        step: "authentication",
        reason: Some(e.to_string()),
    };
    let failed = |method: &'static str, offered: &MethodSet| TransportError::AuthFailed {
        device: device.clone(),
        username: user.to_string(),
        method,
        offered: method_names(offered),
    };
    match &opts.auth {
        Auth::Password(p) => {
            // Ask which methods the device offers first (a `none` attempt costs no failure on
            // the device's AAA server), then spend the password on exactly one method: trying
            // password and then keyboard-interactive would count two failures against accounts
            // that TACACS+/RADIUS lock after a few.
            let offered = match handle.authenticate_none(user).await.map_err(lost)? {
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
                    .map_err(lost)?
                    .map_err(|m| {
                        failed("keyboard-interactive (the device offers no password)", &m)
                    });
            }
            match handle
                .authenticate_password(user, p.expose())
                .await
                .map_err(lost)?
            {
                client::AuthResult::Success => Ok(()),
                client::AuthResult::Failure {
                    remaining_methods, ..
                } => Err(failed(opts.auth.name(), &remaining_methods)),
            }
        }
        Auth::KeyboardInteractive(p) => keyboard_interactive(handle, user, p)
            .await
            .map_err(lost)?
            .map_err(|m| failed(opts.auth.name(), &m)),
        Auth::PublicKey { path, passphrase } => {
            let key = russh::keys::load_secret_key(path, passphrase.as_ref().map(|s| s.expose()))
                .map_err(|e| {
                let mut message = e.to_string();
                if passphrase.is_none() && message.to_lowercase().contains("encrypt") {
                    message.push_str(" (the key is encrypted: give its passphrase)");
                }
                TransportError::KeyFile {
                    device: device.clone(),
                    path: path.clone(),
                    message,
                }
            })?;
            let key = Arc::new(key);
            // server-sig-algs is sometimes wrong; try the RSA hashes strongest first.
            let hashes: &[Option<HashAlg>] = if key.algorithm().is_rsa() {
                &[Some(HashAlg::Sha512), Some(HashAlg::Sha256), None]
            } else {
                &[None]
            };
            let mut offered = MethodSet::empty();
            for h in hashes {
                match handle
                    .authenticate_publickey(user, PrivateKeyWithHashAlg::new(key.clone(), *h))
                    .await
                    .map_err(lost)?
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
            Err(failed("publickey", &offered))
        }
    }
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
