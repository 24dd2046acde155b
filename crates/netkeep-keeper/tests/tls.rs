//! TLS on the TCP listener, with certificates made in the test: a client trusting the CA gets
//! through, plain HTTP is refused, a client of another CA fails the handshake, client
//! certificates authenticate by subject, a reload picks up new certificate files, and a
//! non-loopback address without TLS is refused before anything is bound.

// Certificates made for these tests (only this file uses them).
#[path = "tls/pki.rs"]
mod pki;

use std::sync::Arc;

use netkeep_keeper::client::{ClientError, ClientTls, DaemonClient, Endpoint, Target};
use netkeep_keeper::connector::ssh::SshConnector;
use netkeep_keeper::daemon::{Daemon, DaemonError};
use netkeep_keeper::tls::TlsFiles;
use netkeep_testkit::{access_file, tcp_client, token_entry, HostSpec, Lab};
use pki::Ca;

const TOKEN: &str = "0123456789abcdef-tls-token";

fn https(addr: std::net::SocketAddr, token: Option<&str>, tls: ClientTls) -> DaemonClient {
    DaemonClient::new(Endpoint::Https {
        addr: addr.to_string(),
        token: token.map(Into::into),
        tls,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_a_generated_certificate_and_plain_http_refused() {
    let lab = Lab::new(vec![HostSpec::new("sw1", "hp_comware")]).await;
    let dir = lab.dir.path();
    let ca = Ca::new("netkeep test CA");
    let ca_file = ca.write(&dir.join("ca.pem"));
    let server = ca.server(dir, "server");
    let tf = dir.join("token");
    std::fs::write(&tf, format!("{TOKEN}\n")).unwrap();
    let mut cfg = lab.config();
    cfg.listen = Some("127.0.0.1:0".parse().unwrap());
    cfg.token_file = Some(tf);
    cfg.tls = Some(TlsFiles {
        cert: server.cert.clone(),
        key: server.key.clone(),
        client_ca: None,
    });
    let (daemon, _) = lab.start_with(cfg).await;
    let addr = daemon.tcp_addr().unwrap();
    assert_eq!(daemon.tcp_url().unwrap(), format!("https://{addr}"));

    let good = https(addr, Some(TOKEN), ClientTls::new(&ca_file, None).unwrap());
    let r = good
        .exec(
            Target::Device("sw1".into()),
            &["display clock".into()],
            None,
        )
        .await
        .unwrap();
    assert!(r.ok, "{r:?}");
    assert!(r.results[0].outputs[0].output.contains("UTC"));
    match https(
        addr,
        Some("wrong-token-0123456789"),
        ClientTls::new(&ca_file, None).unwrap(),
    )
    .status()
    .await
    {
        Err(ClientError::Status { status: 401, .. }) => {}
        other => panic!("a wrong token over TLS: {other:?}"),
    }

    // Plain HTTP with the right token: refused, nothing served.
    let commands_before = lab.dev("sw1").counters().commands;
    match tcp_client(addr, TOKEN)
        .exec(
            Target::Device("sw1".into()),
            &["display clock".into()],
            None,
        )
        .await
    {
        Err(ClientError::Status {
            status: 400,
            message,
        }) => {
            assert!(message.contains("speaks HTTPS"), "{message}")
        }
        other => panic!("plain HTTP to the TLS listener: {other:?}"),
    }
    assert_eq!(lab.dev("sw1").counters().commands, commands_before);

    // A client trusting another CA does not get through the handshake.
    let other_ca = Ca::new("some other CA").write(&dir.join("other-ca.pem"));
    match https(addr, Some(TOKEN), ClientTls::new(&other_ca, None).unwrap())
        .status()
        .await
    {
        Err(ClientError::Protocol { message, .. }) => {
            assert!(message.contains("TLS handshake failed"), "{message}")
        }
        other => panic!("untrusted server certificate accepted: {other:?}"),
    }
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_certificates_authenticate_by_subject() {
    let lab = Lab::new(vec![HostSpec::new("sw1", "hp_comware").with("warm: false")]).await;
    let dir = lab.dir.path();
    let ca = Ca::new("netkeep test CA");
    let ca_file = ca.write(&dir.join("ca.pem"));
    let server = ca.server(dir, "server");
    let bot = ca.client(dir, "bot", "automation");
    let stranger = ca.client(dir, "stranger", "stranger");
    let rogue = Ca::new("rogue CA").client(dir, "rogue", "automation");
    let subject = netkeep_keeper::tls::subject_of(&bot.der).unwrap();
    assert!(
        subject.contains("CN=automation") && subject.contains("O=netkeep tests"),
        "{subject}"
    );
    let access = access_file(
        dir,
        &format!(
            "tokens:\n{}certificates:\n  \"{subject}\": read\n",
            token_entry("ops", "admin", TOKEN)
        ),
    );
    let mut cfg = lab.config();
    cfg.listen = Some("127.0.0.1:0".parse().unwrap());
    cfg.access_file = Some(access);
    cfg.tls = Some(TlsFiles {
        cert: server.cert.clone(),
        key: server.key.clone(),
        client_ca: Some(ca_file.clone()),
    });
    let (daemon, _) = lab.start_with(cfg).await;
    let addr = daemon.tcp_addr().unwrap();
    let with_cert = |c: &pki::Issued, token: Option<&str>| {
        https(
            addr,
            token,
            ClientTls::new(&ca_file, Some((&c.cert, &c.key))).unwrap(),
        )
    };

    // The certificate alone: its subject's scope (read).
    assert_eq!(with_cert(&bot, None).status().await.unwrap().len(), 1);
    match with_cert(&bot, None).reload().await {
        Err(ClientError::Status {
            status: 403,
            message,
        }) => {
            assert!(
                message.contains("automation") && message.contains("admin"),
                "{message}"
            )
        }
        other => panic!("a read certificate reloaded the daemon: {other:?}"),
    }
    // A token on top names the caller (its scope).
    assert!(with_cert(&bot, Some(TOKEN)).reload().await.is_ok());
    // A certificate of the CA without a scope: 403; of another CA, or none: no handshake.
    match with_cert(&stranger, None).status().await {
        Err(ClientError::Status {
            status: 403,
            message,
        }) => {
            assert!(message.contains("CN=stranger"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    for c in [
        with_cert(&rogue, None),
        https(addr, Some(TOKEN), ClientTls::new(&ca_file, None).unwrap()),
    ] {
        match c.status().await {
            Err(ClientError::Protocol { .. }) => {}
            other => panic!("a client without a certificate of the CA got in: {other:?}"),
        }
    }
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_serves_the_new_certificate_files() {
    let lab = Lab::new(vec![HostSpec::new("sw1", "hp_comware").with("warm: false")]).await;
    let dir = lab.dir.path();
    let old_ca = Ca::new("old CA");
    let old_ca_file = old_ca.write(&dir.join("old-ca.pem"));
    let server = old_ca.server(dir, "server");
    let tf = dir.join("token");
    std::fs::write(&tf, TOKEN).unwrap();
    let mut cfg = lab.config();
    cfg.listen = Some("127.0.0.1:0".parse().unwrap());
    cfg.token_file = Some(tf);
    cfg.tls = Some(TlsFiles {
        cert: server.cert.clone(),
        key: server.key.clone(),
        client_ca: None,
    });
    let (daemon, _) = lab.start_with(cfg).await;
    let addr = daemon.tcp_addr().unwrap();
    let new_ca = Ca::new("new CA");
    let new_ca_file = new_ca.write(&dir.join("new-ca.pem"));
    let trusts_new = || {
        https(
            addr,
            Some(TOKEN),
            ClientTls::new(&new_ca_file, None).unwrap(),
        )
    };
    assert!(
        trusts_new().status().await.is_err(),
        "old certificate still served"
    );

    // A broken key file: the reload fails and the old certificate stays.
    std::fs::write(&server.key, "not a key").unwrap();
    let e = daemon.reload_security().unwrap_err();
    assert!(e.contains("server.key"), "{e}");
    let trusts_old = https(
        addr,
        Some(TOKEN),
        ClientTls::new(&old_ca_file, None).unwrap(),
    );
    assert!(trusts_old.status().await.is_ok());

    // Replace the files (as a renewal would), reload: new connections get the new one.
    let renewed = new_ca.server(dir, "renewed");
    std::fs::copy(&renewed.cert, &server.cert).unwrap();
    std::fs::copy(&renewed.key, &server.key).unwrap();
    daemon.reload_security().unwrap();
    assert_eq!(trusts_new().status().await.unwrap().len(), 1);
    assert!(trusts_old.status().await.is_err());
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_loopback_without_tls_is_refused_before_binding() {
    let lab = Lab::new(vec![HostSpec::new("sw1", "hp_comware").with("warm: false")]).await;
    let tf = lab.dir.path().join("token");
    std::fs::write(&tf, TOKEN).unwrap();
    // 192.0.2.0/24 (TEST-NET-1) is on no interface here: were the address bound, the error
    // would be a bind failure, not the refusal.
    for addr in ["192.0.2.10:7878", "0.0.0.0:0", "[::]:0"] {
        let mut cfg = lab.config();
        cfg.listen = Some(addr.parse().unwrap());
        cfg.token_file = Some(tf.clone());
        match Daemon::start(cfg.clone(), Arc::new(SshConnector::new())).await {
            Err(e @ DaemonError::PlainTcpNotLoopback(_)) => {
                let msg = e.to_string();
                assert!(
                    msg.contains("--tls-cert") && msg.contains("loopback"),
                    "{msg}"
                );
            }
            Err(e) => panic!("{addr}: {e}"),
            Ok(_) => panic!("{addr}: plain HTTP on a non-loopback address accepted"),
        }
        assert!(
            !cfg.socket.as_ref().unwrap().exists(),
            "{addr}: the Unix socket was bound before the refusal"
        );
    }
}
