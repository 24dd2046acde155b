//! The seed experiment, scaled, and everything about a session's life: keepalive, is_alive,
//! probe on a half-open connection, VTY limit, unsolicited text, host keys, auth failures.

mod common;

use std::time::Duration;

use common::{connect, opts, start};
use netkeep_session::{
    Auth, CloseReason, Error, HostKeyPolicy, KeepaliveMode, Secret, Session, TransportError,
};
use netkeep_sim::Fault;

const T: Duration = Duration::from_secs(2);

/// The seed experiment at T = 2 s: with the keepalive (every T/3) the session outlives 1.5 T;
/// without it the next command after 1.1 T fails with "closed by the device (idle timeout)".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_experiment_scaled() {
    let dev = start("hp_comware", |cfg| cfg.idle_timeout = Some(T)).await;
    let kept = Session::connect(
        opts(&dev, "hp_comware")
            .idle_timeout(Some(T))
            .keepalive(KeepaliveMode::Nul),
    )
    .await
    .unwrap();
    let silent = Session::connect(
        opts(&dev, "hp_comware")
            .idle_timeout(Some(T))
            .keepalive(KeepaliveMode::Off),
    )
    .await
    .unwrap();
    // The seed's own loop: no task, is_alive() every 0.3 T writes the NUL.
    let looped = Session::connect(opts(&dev, "hp_comware").keepalive(KeepaliveMode::Off))
        .await
        .unwrap();
    assert_eq!(kept.keepalive_stats().interval, Some(T / 3));
    assert_eq!(silent.keepalive_stats().interval, None);
    let looper = {
        let looped = looped.clone();
        tokio::spawn(async move {
            for _ in 0..5 {
                tokio::time::sleep(T.mul_f32(0.3)).await;
                assert!(looped.is_alive().await);
            }
        })
    };

    tokio::time::sleep(T.mul_f32(1.1)).await;
    let e = silent.send_command("display clock").await.unwrap_err();
    assert!(e.is_connection_lost(), "{e}");
    assert_eq!(e.close_reason(), Some(CloseReason::IdleTimeout), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("closed by the device (idle timeout)"), "{msg}");
    assert!(
        msg.contains("idle for too long"),
        "last words missing: {msg}"
    );
    assert!(silent.is_closed());
    assert!(!silent.is_alive().await);

    tokio::time::sleep(T.mul_f32(0.45)).await; // 1.55 T in total
    let out = kept.send_command("display clock").await.unwrap();
    assert!(out.contains("UTC"), "{out:?}");
    looper.await.unwrap();
    assert!(looped.send_command("display clock").await.is_ok());
    let st = kept.keepalive_stats();
    assert!(st.sent >= 3, "{st:?}");
    assert_eq!(st.failures, 0);
    assert!(st.last_rtt.is_some());
    let c = dev.counters();
    assert_eq!(c.idle_timeouts, 1, "{c:?}");
    kept.disconnect().await;
    let e = kept.send_command("display clock").await.unwrap_err();
    assert!(e.to_string().contains("closed by this program"), "{e}");
    dev.stop().await;
}

/// Linux restarts its idle timer only on a whole line: the platform's keepalive (newline)
/// keeps it, a NUL does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keepalive_strategy_follows_the_platform() {
    let dev = start("linux", |cfg| {
        cfg.idle_timeout = Some(Duration::from_millis(1200))
    })
    .await;
    let auto =
        Session::connect(opts(&dev, "linux").idle_timeout(Some(Duration::from_millis(1200))))
            .await
            .unwrap();
    assert_eq!(auto.keepalive_mode(), &KeepaliveMode::Newline);
    let nul = Session::connect(
        opts(&dev, "linux")
            .idle_timeout(Some(Duration::from_millis(1200)))
            .keepalive(KeepaliveMode::Nul),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(1700)).await;
    assert_eq!(
        auto.send_command("echo still here").await.unwrap(),
        "still here"
    );
    let e = nul.send_command("echo x").await.unwrap_err();
    assert_eq!(e.close_reason(), Some(CloseReason::IdleTimeout), "{e}");
    auto.disconnect().await;
    dev.stop().await;
}

#[tokio::test]
async fn is_alive_never_leaks_into_output() {
    // Comware echoes the NUL raw; Cisco swallows it; Arista shows ^@.
    for platform in ["hp_comware", "cisco_ios", "arista_eos", "juniper_junos"] {
        let dev = start(platform, |_| {}).await;
        let s = connect(&dev, platform).await;
        let cmd = if platform == "hp_comware" {
            "display clock"
        } else {
            "show clock"
        };
        let cmd = if platform == "juniper_junos" {
            "show system uptime"
        } else {
            cmd
        };
        let first = s.send_command(cmd).await.unwrap();
        for _ in 0..20 {
            assert!(s.is_alive().await);
        }
        let out = s.send_command(cmd).await.unwrap();
        assert!(
            !out.contains('\0') && !out.contains("^@"),
            "{platform}: {out:?}"
        );
        assert_eq!(
            out.lines().count(),
            first.lines().count(),
            "{platform}: {out:?}"
        );
        let st = s.keepalive_stats();
        assert_eq!(st.sent, 20);
        // Comware's raw echo is proof of life after the first keepalive learned it; the others
        // need an SSH ping every time.
        if platform == "hp_comware" {
            assert_eq!(st.pings, 1, "{platform}: {st:?}");
        } else {
            assert_eq!(st.pings, 20, "{platform}: {st:?}");
        }
        s.disconnect().await;
        dev.stop().await;
    }
}

#[tokio::test]
async fn concurrent_commands_and_keepalives_do_not_interleave() {
    let dev = start("hp_comware", |_| {}).await;
    let s = connect(&dev, "hp_comware").await;
    let mut tasks = vec![];
    for i in 0..8 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..20 {
                if i % 2 == 0 {
                    let out = s.send_command("display clock").await.unwrap();
                    assert!(out.ends_with("UTC") || out.contains("UTC "), "{out:?}");
                    assert_eq!(out.lines().count(), 1, "{out:?}");
                } else {
                    assert!(s.is_alive().await);
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    s.disconnect().await;
    dev.stop().await;
}

#[tokio::test]
async fn probe_detects_half_open_and_stopped_devices() {
    let dev = start("hp_comware", |_| {}).await;
    let s = connect(&dev, "hp_comware").await;
    let rtt = s.probe(Duration::from_secs(1)).await.unwrap();
    assert!(rtt < Duration::from_millis(500));
    // TCP stays open but nothing answers: Netmiko's is_alive would say "alive".
    dev.set_fault(Fault::Stall);
    let e = s.probe(Duration::from_millis(300)).await.unwrap_err();
    assert!(matches!(e, Error::ProbeTimeout { .. }), "{e}");
    assert!(e.is_connection_lost());
    assert!(s.is_closed());
    dev.clear_faults();

    let s2 = connect(&dev, "hp_comware").await;
    dev.stop().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let e = s2.probe(Duration::from_millis(500)).await.unwrap_err();
    assert!(e.is_connection_lost(), "{e}");
}

#[tokio::test]
async fn is_alive_is_false_on_a_stalled_device_within_the_probe_bound() {
    let dev = start("hp_comware", |_| {}).await;
    let s = Session::connect(opts(&dev, "hp_comware").probe_timeout(Duration::from_millis(300)))
        .await
        .unwrap();
    // Twice alive first: the second proves itself by Comware's echo, without a ping.
    assert!(s.is_alive().await && s.is_alive().await);
    assert_eq!(s.keepalive_stats().pings, 1);
    dev.set_fault(Fault::Stall);
    let t = std::time::Instant::now();
    assert!(!s.is_alive().await);
    // Half the bound waiting for the echo, half for the ping.
    assert!(t.elapsed() < Duration::from_secs(2));
    assert!(t.elapsed() >= Duration::from_millis(300));
    let st = s.keepalive_stats();
    assert_eq!((st.failures, st.pings), (1, 2), "{st:?}");
    dev.stop().await;
}

#[tokio::test]
async fn vty_limit_is_reported_with_the_devices_words() {
    let dev = start("cisco_ios", |cfg| cfg.vty_limit = Some(1)).await;
    let s = connect(&dev, "cisco_ios").await;
    let e = Session::connect(opts(&dev, "cisco_ios")).await.unwrap_err();
    assert_eq!(e.close_reason(), Some(CloseReason::VtyLimit), "{e}");
    assert!(e.to_string().contains("VTY"), "{e}");
    assert!(s.is_alive().await);
    dev.stop().await;
}

#[tokio::test]
async fn unsolicited_lines_and_prompt_like_text_do_not_end_reads() {
    let dev = start("hp_comware", |cfg| cfg.config_lines = 100).await;
    let s = connect(&dev, "hp_comware").await;
    let reference = s
        .send_command("display current-configuration")
        .await
        .unwrap();
    dev.set_fault(Fault::UnsolicitedLines);
    let out = s
        .send_command("display current-configuration")
        .await
        .unwrap();
    assert!(
        out.lines().count() > reference.lines().count(),
        "no syslog line seen"
    );
    assert!(
        out.ends_with("return"),
        "read ended early: {:?}",
        &out[out.len().saturating_sub(200)..]
    );
    dev.clear_faults();
    dev.set_fault(Fault::PromptInOutput);
    let out = s
        .send_command("display current-configuration")
        .await
        .unwrap();
    assert!(
        out.ends_with("return"),
        "read ended early: {:?}",
        &out[out.len().saturating_sub(200)..]
    );
    dev.clear_faults();
    assert_eq!(
        s.send_command("display clock")
            .await
            .unwrap()
            .lines()
            .count(),
        1
    );
    dev.stop().await;
}

#[tokio::test]
async fn host_keys_tofu_then_changed_key_refused() {
    let dir = tempfile::tempdir().unwrap();
    let kh = dir.path().join("known_hosts");
    let dev1 = start("hp_comware", |_| {}).await;
    let o = |dev: &netkeep_sim::SimDevice| {
        opts(dev, "hp_comware")
            .host_key_policy(HostKeyPolicy::AcceptNew)
            .known_hosts_file(&kh)
    };
    // Strict and unknown: refused, names the file.
    let e = Session::connect(o(&dev1).host_key_policy(HostKeyPolicy::Strict))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Transport(TransportError::HostKeyUnknown { .. })),
        "{e}"
    );
    assert!(e.to_string().contains(&kh.display().to_string()));
    // Trust on first use, then known.
    let s = Session::connect(o(&dev1)).await.unwrap();
    s.disconnect().await;
    let text = std::fs::read_to_string(&kh).unwrap();
    let key = dev1.host_key_openssh();
    let key_b64 = key.split_whitespace().nth(1).unwrap();
    assert!(text.contains(key_b64), "{text}");
    Session::connect(o(&dev1).host_key_policy(HostKeyPolicy::Strict))
        .await
        .unwrap()
        .disconnect()
        .await;
    // Another device (new key) answering on the remembered host:port.
    let dev2 = start("hp_comware", |_| {}).await;
    let port1 = dev1.addr().port();
    let port2 = dev2.addr().port();
    let moved = text.replace(&format!("]:{port1} "), &format!("]:{port2} "));
    assert_ne!(moved, text);
    std::fs::write(&kh, moved).unwrap();
    let e = Session::connect(o(&dev2)).await.unwrap_err();
    match &e {
        Error::Transport(TransportError::HostKeyChanged {
            known_fingerprint,
            offered_fingerprint,
            file,
            line,
            ..
        }) => {
            assert_eq!(known_fingerprint, &dev1.host_key_fingerprint());
            assert_eq!(offered_fingerprint, &dev2.host_key_fingerprint());
            assert_eq!(&**file, kh.as_path());
            assert_eq!(*line, 1);
        }
        other => panic!("expected HostKeyChanged, got {other}"),
    }
    let msg = e.to_string();
    assert!(
        msg.contains("HOST KEY CHANGED") && msg.contains(&kh.display().to_string()),
        "{msg}"
    );
    // Insecure connects anyway.
    Session::connect(o(&dev2).host_key_policy(HostKeyPolicy::Insecure))
        .await
        .unwrap();
    dev1.stop().await;
    dev2.stop().await;
}

#[tokio::test]
async fn auth_failure_unknown_platform_refused_port() {
    let dev = start("huawei", |_| {}).await;
    let e = Session::connect(opts(&dev, "huawei").auth(Auth::Password(Secret::new("wrong"))))
        .await
        .unwrap_err();
    assert!(e.is_auth_failure(), "{e}");
    assert!(!e.to_string().contains("wrong"), "password leaked: {e}");
    assert!(dev.counters().auth_failures >= 1);
    // Keyboard-interactive works too.
    let s = Session::connect(
        opts(&dev, "huawei").auth(Auth::KeyboardInteractive(Secret::new("admin"))),
    )
    .await
    .unwrap();
    assert!(s.is_alive().await);

    let e = Session::connect(opts(&dev, "zte_zxros")).await.unwrap_err();
    assert!(matches!(e, Error::UnknownPlatform { .. }), "{e}");
    assert!(e.to_string().contains("hp_comware"));

    let port = dev.addr().port();
    dev.stop().await;
    let e = Session::connect(opts(&dev, "huawei")).await.unwrap_err();
    assert!(
        matches!(e, Error::Transport(TransportError::ConnectRefused { .. })),
        "{e} (port {port})"
    );
}

#[tokio::test]
async fn wrong_platform_reports_prompt_not_found_with_last_bytes() {
    let dev = start("juniper_junos", |_| {}).await;
    let e = Session::connect(opts(&dev, "hp_comware").connect_timeout(Duration::from_millis(800)))
        .await
        .unwrap_err();
    match &e {
        Error::PromptNotFound { last_bytes, .. } => {
            assert!(last_bytes.contains("admin@router1>"), "{last_bytes:?}")
        }
        other => panic!("{other}"),
    }
    dev.stop().await;
}
