//! Sessions over telnet against the simulator: every personality's telnet login and CLI, the
//! seed experiment at scaled timings, half-open connections found dead by the TIMING-MARK probe,
//! the idle timer and protocol traffic, the VTY lines shared with SSH, faults.

mod common;

use std::time::{Duration, Instant};

use common::{assert_clean, opts, start};
use netkeep_session::{
    CloseReason, Error, ErrorKind, KeepaliveConfig, KeepaliveMode, Protocol, Secret, Session,
};
use netkeep_sim::{DeviceConfig, Fault, SimDevice};

const T: Duration = Duration::from_secs(2);

async fn telnet_dev(platform: &str, tweak: impl FnOnce(&mut DeviceConfig)) -> SimDevice {
    start(platform, |c| {
        c.protocol = Protocol::Telnet;
        tweak(c)
    })
    .await
}

/// Telnet options; the enable secret is the simulator's (`admin`): a config set on IOS/EOS goes
/// through `enable`, and the login password is never typed there unasked.
fn telnet_opts(dev: &SimDevice, platform: &str) -> netkeep_session::ConnectOptions {
    opts(dev, platform)
        .protocol(Protocol::Telnet)
        .enable_secret(Secret::new("admin"))
}

fn off() -> KeepaliveConfig {
    KeepaliveConfig {
        mode: KeepaliveMode::Off,
        ..KeepaliveConfig::default()
    }
}

/// (platform, a show command and a word of its output, a configuration set) per personality.
const CASES: &[(&str, &str, &str, &[&str])] = &[
    (
        "hp_comware",
        "display version",
        "Comware",
        &["interface GigabitEthernet1/0/2", "description via-telnet"],
    ),
    (
        "huawei",
        "display version",
        "VRP",
        &["interface GigabitEthernet0/0/2", "description via-telnet"],
    ),
    (
        "huawei_vrpv8",
        "display version",
        "VRP",
        &["interface GigabitEthernet0/1/1", "description via-telnet"],
    ),
    (
        "cisco_ios",
        "show version",
        "Cisco IOS",
        &["interface GigabitEthernet0/2", "description via-telnet"],
    ),
    (
        "cisco_nxos",
        "show version",
        "NX-OS",
        &["interface Ethernet1/2", "description via-telnet"],
    ),
    (
        "cisco_xr",
        "show version",
        "IOS XR",
        &["interface GigabitEthernet0/0/0/1", "description via-telnet"],
    ),
    (
        "juniper_junos",
        "show version",
        "Junos",
        &["set interfaces ge-0/0/1 description via-telnet"],
    ),
    (
        "arista_eos",
        "show version",
        "Arista",
        &["interface Ethernet2", "description via-telnet"],
    ),
    ("linux", "uname -a", "Linux", &[]),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_personality_logs_in_and_runs_commands_over_telnet() {
    for (platform, show, word, config) in CASES {
        let dev = telnet_dev(platform, |c| c.banner = true).await;
        let s = Session::connect(telnet_opts(&dev, platform).keepalive(off()))
            .await
            .unwrap_or_else(|e| panic!("{platform}: {e}"));
        let out = s.send_command(show).await.unwrap();
        assert!(out.contains(word), "{platform}: {out:?}");
        assert_clean(platform, show, &out);
        assert!(s.is_alive().await, "{platform}");
        s.probe(Duration::from_secs(1)).await.unwrap();
        if !config.is_empty() {
            let t = s.send_config_set(config).await;
            assert!(t.is_ok(), "{platform}: {t:?}");
        }
        s.disconnect().await;
        let c = dev.counters();
        assert_eq!((c.sessions_opened, c.auth_failures), (1, 0), "{platform}");
        dev.stop().await;
    }
}

#[tokio::test]
async fn netmiko_telnet_names_select_telnet_and_a_wrong_password_is_refused() {
    let dev = telnet_dev("cisco_ios", |_| {}).await;
    let s = Session::connect(opts(&dev, "cisco_ios_telnet").keepalive(off()))
        .await
        .unwrap();
    assert_eq!(s.platform().name(), "cisco_ios");
    assert!(s.send_command("show clock").await.is_ok());
    // The same name over SSH options: still telnet (the name is explicit).
    let e = Session::connect(
        opts(&dev, "cisco_xe_telnet")
            .auth(netkeep_session::Auth::Password("nope".into()))
            .keepalive(off()),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    assert!(matches!(e, Error::LoginRejected { .. }), "{e:?}");
    assert!(e.to_string().contains("Login invalid"), "{e}");
    assert_eq!(dev.counters().auth_failures, 1);
    // And SSH to a telnet port is no silent fallback: it fails.
    let e = Session::connect(opts(&dev, "cisco_ios").connect_timeout(Duration::from_secs(1)))
        .await
        .unwrap_err();
    assert_ne!(e.kind(), ErrorKind::Auth, "{e}");
    s.disconnect().await;
    dev.stop().await;
}

/// The seed experiment over telnet at T = 2 s: the keepalive task (NUL every T/3) and the
/// seed's is_alive() loop keep sessions past 1.5 T; silence loses one after 1.1 T.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_experiment_over_telnet_scaled() {
    let dev = telnet_dev("hp_comware", |c| {
        c.idle_timeout = Some(T);
        c.banner = true;
    })
    .await;
    let kept = Session::connect(
        telnet_opts(&dev, "hp_comware")
            .idle_timeout(Some(T))
            .keepalive(KeepaliveConfig {
                mode: KeepaliveMode::Nul,
                ..KeepaliveConfig::default()
            }),
    )
    .await
    .unwrap();
    let silent = Session::connect(
        telnet_opts(&dev, "hp_comware")
            .idle_timeout(Some(T))
            .keepalive(off()),
    )
    .await
    .unwrap();
    let looped = Session::connect(telnet_opts(&dev, "hp_comware").keepalive(off()))
        .await
        .unwrap();
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
    assert_eq!(e.close_reason(), Some(CloseReason::IdleTimeout), "{e}");
    assert!(e.to_string().contains("idle for too long"), "{e}");
    tokio::time::sleep(T.mul_f32(0.45)).await;
    assert!(kept
        .send_command("display clock")
        .await
        .unwrap()
        .contains("UTC"));
    looper.await.unwrap();
    assert!(looped.send_command("display clock").await.is_ok());
    let st = kept.keepalive_stats();
    assert!(st.sent >= 3 && st.failures == 0, "{st:?}");
    assert_eq!(dev.counters().idle_timeouts, 1);
    dev.stop().await;
}

#[tokio::test]
async fn a_half_open_telnet_session_is_found_dead_within_the_probe_bound() {
    let dev = telnet_dev("cisco_ios", |_| {}).await;
    let bound = Duration::from_millis(300);
    let s = Session::connect(
        telnet_opts(&dev, "cisco_ios")
            .probe_timeout(bound)
            .keepalive(off()),
    )
    .await
    .unwrap();
    assert!(s.is_alive().await);
    let rtt = s.probe(Duration::from_secs(1)).await.unwrap();
    assert!(rtt < Duration::from_millis(200), "{rtt:?}");
    dev.set_fault(Fault::Stall);
    let t = Instant::now();
    assert!(!s.is_alive().await, "a stalled device is not alive");
    let took = t.elapsed();
    assert!(took >= bound && took < bound * 4, "{took:?}");
    assert!(s.is_closed());
    dev.clear_faults();
    // The explicit probe too, on a fresh session.
    let s = Session::connect(telnet_opts(&dev, "cisco_ios").keepalive(off()))
        .await
        .unwrap();
    dev.set_fault(Fault::Stall);
    let e = s.probe(bound).await.unwrap_err();
    assert!(matches!(e, Error::ProbeTimeout { .. }), "{e}");
    assert!(e.to_string().contains("TIMING-MARK"), "{e}");
    dev.clear_faults();
    dev.stop().await;
}

/// TIMING-MARK probes do not restart the simulated idle timer (the telnet layer consumes them),
/// unless the device models a server whose timer counts them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_do_not_restart_the_idle_timer_unless_the_device_counts_them() {
    let idle = Duration::from_millis(1200);
    let probes_only = KeepaliveConfig {
        mode: KeepaliveMode::Ssh,
        interval: Some(Duration::from_millis(200)),
        command: None,
    };
    for counts in [false, true] {
        let dev = telnet_dev("hp_comware", |c| {
            c.idle_timeout = Some(idle);
            c.telnet_nop_restarts_idle = counts;
        })
        .await;
        let s = Session::connect(
            telnet_opts(&dev, "hp_comware")
                .idle_timeout(Some(idle))
                .keepalive(probes_only.clone()),
        )
        .await
        .unwrap();
        tokio::time::sleep(idle.mul_f32(1.6)).await;
        let r = s.send_command("display clock").await;
        assert!(s.keepalive_stats().pings >= 4, "{:?}", s.keepalive_stats());
        if counts {
            assert!(r.is_ok(), "TIMING-MARK counted as activity: {r:?}");
        } else {
            let e = r.unwrap_err();
            assert_eq!(e.close_reason(), Some(CloseReason::IdleTimeout), "{e}");
        }
        dev.stop().await;
    }
}

#[tokio::test]
async fn telnet_and_ssh_sessions_share_the_vty_lines() {
    let dev = start("cisco_ios", |c| c.vty_limit = Some(2)).await;
    let telnet = dev
        .listen(Protocol::Telnet, "127.0.0.1:0".parse().unwrap())
        .unwrap();
    let ssh = Session::connect(opts(&dev, "cisco_ios").keepalive(off()))
        .await
        .unwrap();
    let mut o = opts(&dev, "cisco_ios_telnet").keepalive(off());
    o.port = telnet.port();
    let tel = Session::connect(o.clone()).await.unwrap();
    assert_eq!(dev.active_sessions(), 2);
    let e = Session::connect(o).await.unwrap_err();
    assert_eq!(e.close_reason(), Some(CloseReason::VtyLimit), "{e}");
    let e = Session::connect(opts(&dev, "cisco_ios")).await.unwrap_err();
    assert_eq!(e.close_reason(), Some(CloseReason::VtyLimit), "{e}");
    assert!(ssh.send_command("show clock").await.is_ok());
    assert!(tel.send_command("show clock").await.is_ok());
    tel.disconnect().await;
    dev.stop().await;
}

#[tokio::test]
async fn output_faults_and_reset_over_telnet() {
    let dev = telnet_dev("hp_comware", |c| c.config_lines = 200).await;
    let s = Session::connect(telnet_opts(&dev, "hp_comware").keepalive(off()))
        .await
        .unwrap();
    let reference = s
        .send_command("display current-configuration")
        .await
        .unwrap();
    // Garbage includes 0xFF bytes: escaped on the wire, not taken for telnet commands.
    dev.set_fault(Fault::Garbage);
    let out = s
        .send_command("display current-configuration")
        .await
        .unwrap();
    assert!(
        out.len() >= reference.len() / 2,
        "{} vs {}",
        out.len(),
        reference.len()
    );
    dev.clear_faults();
    dev.set_fault(Fault::SlowDrip {
        chunk: 7,
        delay: Duration::from_millis(1),
    });
    assert!(s
        .send_command("display clock")
        .await
        .unwrap()
        .contains("UTC"));
    dev.clear_faults();
    dev.set_fault(Fault::Reset);
    let e = s.send_command("display clock").await.unwrap_err();
    assert!(e.is_connection_lost(), "{e}");
    dev.stop().await;
}

/// Jump hosts and ProxyCommand carry SSH: a telnet session given a route is refused before
/// anything is sent (the device sees no connection), saying so.
#[tokio::test]
async fn a_telnet_session_through_a_jump_host_is_refused() {
    use netkeep_transport::ssh::{Route, SshOptions};
    let dev = telnet_dev("cisco_ios", |_| {}).await;
    let bastion = SshOptions::new(
        "127.0.0.1",
        1,
        "ops",
        netkeep_session::Auth::Password("x".into()),
    );
    for route in [
        Route::Jump(Box::new(bastion)),
        Route::Command("nc %h %p".into()),
    ] {
        let e = Session::connect(telnet_opts(&dev, "cisco_ios").keepalive(off()).route(route))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadInput, "{e}");
        assert!(matches!(e, Error::InvalidOption { .. }), "{e:?}");
        assert!(e.to_string().contains("carry SSH only"), "{e}");
    }
    assert_eq!(dev.counters().connections, 0);
    dev.stop().await;
}
