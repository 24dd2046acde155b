//! Against a real OpenSSH sshd on loopback, as platform `linux`, with key authentication.
//! Each test starts its own sshd (temp config, generated host and user keys, a free port).
//! Skips with a message if sshd/ssh-keygen are missing, unless NETKEEP_REQUIRE_SYSTEM_TOOLS is set.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use netkeep_session::{
    Auth, ConnectOptions, Error, HostKeyPolicy, Secret, Session, TransportError,
};

struct Sshd {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sshd {
    fn key(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn tools_present() -> bool {
    let ok = Path::new("/usr/sbin/sshd").exists()
        && Command::new("ssh-keygen")
            .arg("-?")
            .stderr(Stdio::null())
            .status()
            .is_ok();
    if !ok {
        if std::env::var_os("NETKEEP_REQUIRE_SYSTEM_TOOLS").is_some() {
            panic!("sshd/ssh-keygen missing and NETKEEP_REQUIRE_SYSTEM_TOOLS is set");
        }
        eprintln!("SKIP: /usr/sbin/sshd or ssh-keygen not installed");
    }
    ok
}

fn keygen(path: &Path, kind: &str, passphrase: &str) {
    let mut c = Command::new("ssh-keygen");
    c.args([
        "-q",
        "-t",
        kind,
        "-N",
        passphrase,
        "-C",
        "netkeep-test",
        "-f",
    ])
    .arg(path);
    if kind == "rsa" {
        c.args(["-b", "2048"]);
    }
    let st = c.stdin(Stdio::null()).status().expect("ssh-keygen runs");
    assert!(st.success(), "ssh-keygen {kind} failed");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_sshd() -> Option<Sshd> {
    start_sshd_with("").await
}

/// `extra` is appended to sshd_config (e.g. algorithm restrictions).
async fn start_sshd_with(extra: &str) -> Option<Sshd> {
    if !tools_present() {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    keygen(&p("host_ed25519"), "ed25519", "");
    keygen(&p("host_rsa"), "rsa", "");
    keygen(&p("user_ed25519"), "ed25519", "");
    keygen(&p("user_rsa"), "rsa", "");
    keygen(&p("user_pp"), "ed25519", "correct horse");
    keygen(&p("stranger"), "ed25519", "");
    let mut auth = String::new();
    for k in ["user_ed25519", "user_rsa", "user_pp"] {
        auth.push_str(&std::fs::read_to_string(p(&format!("{k}.pub"))).unwrap());
    }
    std::fs::write(p("authorized_keys"), auth).unwrap();
    // Root-run sshd wants its privilege separation directory.
    let _ = std::fs::create_dir_all("/run/sshd");
    let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
    let port = free_port();
    let config = format!(
        "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\nPidFile {}\n\
         PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n\
         UsePAM no\nStrictModes no\nPermitRootLogin yes\nPrintMotd no\nPrintLastLog no\n\
         LogLevel ERROR\nAllowUsers {user}\nMaxStartups 50\nHostKey {}\n{extra}\n",
        p("host_ed25519").display(),
        p("authorized_keys").display(),
        p("sshd.pid").display(),
        p("host_rsa").display(),
    );
    std::fs::write(p("sshd_config"), config).unwrap();
    let child = Command::new("/usr/sbin/sshd")
        .args(["-D", "-e", "-f"])
        .arg(p("sshd_config"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("sshd starts");
    // Owned from here on: killed and reaped on every path.
    let sshd = Sshd { child, port, dir };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some(sshd);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("sshd did not listen on port {port}");
}

fn opts(d: &Sshd, key: &str, passphrase: Option<&str>) -> ConnectOptions {
    let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
    ConnectOptions::new("127.0.0.1", d.port, "linux")
        .username(user)
        .auth(Auth::PublicKey {
            path: d.key(key),
            passphrase: passphrase.map(Secret::new),
        })
        .host_key_policy(HostKeyPolicy::AcceptNew)
        .known_hosts_file(d.key("known_hosts"))
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(Duration::from_secs(10))
}

#[tokio::test]
async fn linux_over_openssh_with_keys() {
    let Some(d) = start_sshd().await else { return };
    let s = Session::connect(opts(&d, "user_ed25519", None))
        .await
        .unwrap();
    assert_eq!(
        s.send_command("echo 'hello   world'").await.unwrap(),
        "hello   world"
    );
    let out = s.send_command("seq 1 3000").await.unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3000, "{:?}", &out[..200.min(out.len())]);
    assert_eq!(lines[0], "1");
    assert_eq!(lines[2999], "3000");
    // Prompt-looking text inside the output does not end the read.
    let out = s
        .send_command("printf 'root@fake:~# \\nnext line\\n'")
        .await
        .unwrap();
    assert_eq!(out, "root@fake:~# \nnext line");
    let out = s
        .send_command("printf 'a\\tb\\x1b[1mbold\\x1b[0m\\n'")
        .await
        .unwrap();
    assert_eq!(out, "a\tbbold");
    assert!(s.is_alive().await);
    assert_eq!(
        s.send_command("echo after-keepalive").await.unwrap(),
        "after-keepalive"
    );
    let rtt = s.probe(Duration::from_secs(2)).await.unwrap();
    assert!(rtt < Duration::from_secs(1));
    // The host key was remembered (trust on first use).
    let kh = std::fs::read_to_string(d.key("known_hosts")).unwrap();
    assert!(
        kh.starts_with(&format!("[127.0.0.1]:{} ssh-ed25519 ", d.port)),
        "{kh}"
    );
    s.disconnect().await;

    // RSA key: the rsa-sha2 hash retry path.
    let s = Session::connect(opts(&d, "user_rsa", None)).await.unwrap();
    assert_eq!(s.send_command("echo rsa").await.unwrap(), "rsa");
    s.disconnect().await;
}

#[tokio::test]
async fn passphrase_protected_key() {
    let Some(d) = start_sshd().await else { return };
    let e = Session::connect(opts(&d, "user_pp", None))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Transport(TransportError::KeyFile { .. })),
        "{e}"
    );
    assert!(e.to_string().contains("passphrase"), "{e}");
    let e = Session::connect(opts(&d, "user_pp", Some("wrong")))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Transport(TransportError::KeyFile { .. })),
        "{e}"
    );
    let s = Session::connect(opts(&d, "user_pp", Some("correct horse")))
        .await
        .unwrap();
    assert_eq!(s.send_command("echo unlocked").await.unwrap(), "unlocked");
    s.disconnect().await;
    // A key the server does not know.
    let e = Session::connect(opts(&d, "stranger", None))
        .await
        .unwrap_err();
    assert!(e.is_auth_failure(), "{e}");
}

/// Old gear: only group14-sha1, ssh-rsa host keys, aes128-cbc and hmac-sha1. Refused by default,
/// accepted with `legacy_algorithms(true)`.
#[tokio::test]
async fn legacy_algorithms_are_opt_in() {
    let Some(d) = start_sshd_with(
        "KexAlgorithms diffie-hellman-group14-sha1\nHostKeyAlgorithms ssh-rsa\n\
         Ciphers aes128-cbc\nMACs hmac-sha1",
    )
    .await
    else {
        return;
    };
    let e = Session::connect(opts(&d, "user_ed25519", None))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Transport(TransportError::Connect { .. })),
        "{e}"
    );
    let s = Session::connect(opts(&d, "user_ed25519", None).legacy_algorithms(true))
        .await
        .unwrap_or_else(|e| panic!("legacy connect: {e}"));
    assert_eq!(s.send_command("echo old-gear").await.unwrap(), "old-gear");
    s.disconnect().await;
}
