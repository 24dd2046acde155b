//! `netkeep exec --jump` to a bastion that takes a password (`NETKEEP_JUMP_PASSWORD`,
//! `--jump-password-file`): the bastion is a small russh server on loopback that accepts only
//! password logins and forwards `direct-tcpip` channels, so the test sees which password it was
//! given and that the device's connection went through it. (The OpenSSH bastion of
//! `tests/reach` takes keys: a password login there would need a system account's password.)

use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::PrivateKey;
use russh::server::{Auth, ChannelOpenHandle, Msg, Session};
use russh::{Channel, MethodKind, MethodSet};
use tokio::net::{TcpListener, TcpStream};

const BIN: &str = env!("CARGO_BIN_EXE_netkeep");
const BASTION_PASSWORD: &str = "bastion-pw";

/// What the bastion saw.
#[derive(Default)]
struct Seen {
    passwords: Mutex<Vec<String>>,
    forwards: AtomicUsize,
}

struct Bastion(Arc<Seen>);

impl russh::server::Handler for Bastion {
    type Error = russh::Error;

    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        self.0.passwords.lock().unwrap().push(password.to_string());
        if user == "ops" && password == BASTION_PASSWORD {
            return Ok(Auth::Accept);
        }
        Ok(Auth::reject())
    }

    #[allow(clippy::too_many_arguments)] // russh's trait signature
    async fn channel_open_direct_tcpip(
        &mut self,
        channel: Channel<Msg>,
        host: &str,
        port: u32,
        _originator: &str,
        _originator_port: u32,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        let Ok(mut tcp) = TcpStream::connect((host, port as u16)).await else {
            reply.reject(russh::ChannelOpenFailure::ConnectFailed).await;
            return Ok(());
        };
        self.0.forwards.fetch_add(1, Ordering::SeqCst);
        reply.accept().await;
        tokio::spawn(async move {
            let mut stream = channel.into_stream();
            let _ = tokio::io::copy_bidirectional(&mut stream, &mut tcp).await;
        });
        Ok(())
    }
}

/// Starts the bastion on 127.0.0.1; its port.
async fn bastion(seen: Arc<Seen>) -> u16 {
    let key = PrivateKey::from(Ed25519Keypair::from_seed(&[7; 32]));
    let methods: &[MethodKind] = &[MethodKind::Password];
    let config = Arc::new(russh::server::Config {
        methods: MethodSet::from(methods),
        auth_rejection_time: Duration::from_millis(10),
        auth_rejection_time_initial: Some(Duration::ZERO),
        keys: vec![key],
        nodelay: true,
        ..Default::default()
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (config, seen) = (config.clone(), seen.clone());
            tokio::spawn(async move {
                if let Ok(running) = russh::server::run_stream(config, stream, Bastion(seen)).await
                {
                    let _ = running.await;
                }
            });
        }
    });
    port
}

/// `netkeep exec` to the device through the bastion, with `env` set.
async fn exec(
    device_port: u16,
    bastion_port: u16,
    dir: &std::path::Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Output {
    let mut c = Command::new(BIN);
    c.args([
        "exec",
        "--host",
        "127.0.0.1",
        "--platform",
        "hp_comware",
        "-u",
        "admin",
    ])
    .args(["--port", &device_port.to_string()])
    .args(["--jump", &format!("ops@127.0.0.1:{bastion_port}")])
    .args(["--ssh-config", "none", "--host-key-policy", "insecure"])
    .args(["--connect-timeout", "5s"])
    .args(extra)
    .arg("display clock")
    .env("HOME", dir)
    .env("NETKEEP_PASSWORD", "admin")
    .env_remove("NETKEEP_JUMP_PASSWORD")
    .env_remove("SSH_AUTH_SOCK")
    .stdin(std::process::Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    tokio::task::spawn_blocking(move || c.output().unwrap())
        .await
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jump_host_password_from_env_or_file() {
    let dev = netkeep_testkit::start_sim("hp_comware", |_| {}).await;
    let seen = Arc::new(Seen::default());
    let bport = bastion(seen.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let dport = dev.addr().port();

    // NETKEEP_JUMP_PASSWORD: the bastion is given that password (not the device's), and the
    // device's connection is a channel the bastion forwarded.
    let o = exec(
        dport,
        bport,
        dir.path(),
        &[],
        &[("NETKEEP_JUMP_PASSWORD", BASTION_PASSWORD)],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("UTC"), "{}", text(&o.stdout));
    assert_eq!(*seen.passwords.lock().unwrap(), [BASTION_PASSWORD]);
    assert_eq!(seen.forwards.load(Ordering::SeqCst), 1);

    // --jump-password-file: its first line.
    let f = dir.path().join("jump-pw");
    std::fs::write(&f, format!("{BASTION_PASSWORD}\nignored\n")).unwrap();
    let fs = f.display().to_string();
    let o = exec(
        dport,
        bport,
        dir.path(),
        &["--jump-password-file", &fs],
        &[],
    )
    .await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(seen.forwards.load(Ordering::SeqCst), 2);

    // A wrong one: an authentication failure at the jump host (exit 3), the password in no
    // message.
    let o = exec(
        dport,
        bport,
        dir.path(),
        &[],
        &[("NETKEEP_JUMP_PASSWORD", "wrong-pw-x")],
    )
    .await;
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains("jump host"), "{err}");
    assert!(!err.contains("wrong-pw-x"), "{err}");
    assert_eq!(seen.forwards.load(Ordering::SeqCst), 2);

    // An unreadable file: a usage error naming it.
    let missing = dir.path().join("nope").display().to_string();
    let o = exec(
        dport,
        bport,
        dir.path(),
        &["--jump-password-file", &missing],
        &[],
    )
    .await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("--jump-password-file"),
        "{}",
        text(&o.stderr)
    );
}
