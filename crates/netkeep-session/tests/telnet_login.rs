//! The telnet login dialogue, typed by the session at a scripted device's prompts (in-memory
//! transport): user name and password, banners, a device that asks nothing, refusals, and the
//! password never in an error.

use std::time::Duration;

use netkeep_session::{Auth, ConnectOptions, ErrorKind, Protocol, Secret, Session};
use netkeep_transport::memory::{self, Peer};

const PW: &str = "Sesame-Telnet-7781";

fn opts(platform: &str) -> ConnectOptions {
    ConnectOptions::new("lab", 23, platform)
        .protocol(Protocol::Telnet)
        .username("admin")
        .auth(Auth::Password(Secret::new(PW)))
        .connect_timeout(Duration::from_secs(2))
}

/// Waits for the session's next write.
async fn next(dev: &mut Peer) -> Vec<u8> {
    tokio::time::timeout(Duration::from_secs(2), dev.next_write())
        .await
        .expect("the session wrote nothing")
        .expect("session gone")
        .to_vec()
}

#[tokio::test]
async fn user_name_and_password_are_typed_at_the_prompts_then_the_cli_runs() {
    let (t, mut dev) = memory::pair("lab");
    let device = async {
        dev.send("\r\n***********\r\n* Copyright *\r\n***********\r\n\r\nlogin: ");
        assert_eq!(next(&mut dev).await, b"admin\n");
        dev.send("admin\r\nPassword: ");
        assert_eq!(next(&mut dev).await, format!("{PW}\n").as_bytes());
        dev.send("\r\n\r\n<H3C>");
        assert_eq!(next(&mut dev).await, b"screen-length disable\n");
        dev.send("screen-length disable\r\n<H3C>");
        dev
    };
    let (s, mut dev) = tokio::join!(Session::with_transport(t, opts("hp_comware")), device);
    let s = s.expect("logged in");
    let answer = async {
        assert_eq!(next(&mut dev).await, b"display clock\n");
        dev.send("display clock\r\n10:00:00 UTC\r\n<H3C>");
    };
    let (out, ()) = tokio::join!(s.send_command("display clock"), answer);
    assert_eq!(out.unwrap(), "10:00:00 UTC");
}

#[tokio::test]
async fn a_device_without_login_gets_no_credentials() {
    let (t, mut dev) = memory::pair("lab");
    dev.send("\r\r\nDebian GNU/Linux 12\r\n\r# ");
    let device = async {
        // The linux platform's preparation command, not a user name.
        let w = next(&mut dev).await;
        assert!(w.starts_with(b"export TERM=dumb"), "{w:?}");
        dev.send("\r\n# ");
    };
    let (s, ()) = tokio::join!(Session::with_transport(t, opts("linux")), device);
    s.expect("a shell prompt at once is a login");
    assert!(!String::from_utf8_lossy(&dev.written()).contains(PW));
}

#[tokio::test]
async fn press_return_banners_are_answered() {
    let (t, mut dev) = memory::pair("lab");
    dev.send("\r\nR1 con0 is now available\r\n\r\nPress RETURN to get started.\r\n");
    let device = async {
        assert_eq!(next(&mut dev).await, b"\n");
        dev.send("\r\nUser Access Verification\r\n\r\nUsername: ");
        assert_eq!(next(&mut dev).await, b"admin\n");
        dev.send("admin\r\nPassword: ");
        next(&mut dev).await;
        dev.send("\r\nlab> ");
    };
    let (s, ()) = tokio::join!(Session::with_transport(t, opts("generic")), device);
    s.expect("logged in");
}

#[tokio::test]
async fn a_refused_login_is_an_auth_error_without_the_password() {
    let (t, mut dev) = memory::pair("lab");
    dev.send("Username: ");
    let device = async {
        next(&mut dev).await;
        dev.send("admin\r\nPassword: ");
        next(&mut dev).await;
        // A broken device that echoes the password in its refusal.
        dev.send(format!(
            "{PW}\r\n% Login invalid for {PW}\r\n\r\nUsername: "
        ));
    };
    let (s, ()) = tokio::join!(Session::with_transport(t, opts("generic")), device);
    let e = s.expect_err("refused");
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    let text = format!("{e} {e:?}");
    assert!(text.contains("Login invalid"), "{text}");
    assert!(!text.contains(PW), "{text}");
    // Asked again without a word: refused too, and nothing typed twice.
    let (t, mut dev) = memory::pair("lab");
    dev.send("Password: ");
    let device = async {
        next(&mut dev).await;
        dev.send("\r\nPassword: ");
    };
    let (s, ()) = tokio::join!(Session::with_transport(t, opts("generic")), device);
    assert_eq!(s.expect_err("asked again").kind(), ErrorKind::Auth);
    assert!(dev.written().is_empty(), "the password was typed once");
}

#[tokio::test]
async fn no_prompt_at_all_is_a_timeout_naming_the_step_and_a_key_file_cannot_log_in() {
    let (t, dev) = memory::pair("lab");
    dev.send("connected, please wait");
    let o = opts("generic").connect_timeout(Duration::from_millis(200));
    let e = Session::with_transport(t, o).await.expect_err("no prompt");
    assert_eq!(e.kind(), ErrorKind::PromptNotFound);
    assert!(e.to_string().contains("telnet login"), "{e}");
    let (t, dev) = memory::pair("lab");
    dev.send("Password: ");
    let o = opts("generic").auth(Auth::PublicKey {
        path: "/nonexistent".into(),
        passphrase: None,
    });
    let e = Session::with_transport(t, o).await.expect_err("key file");
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert!(e.to_string().contains("key file"), "{e}");
}
