//! Over telnet the password is typed into the terminal like a command, so it must be kept out of
//! everything a command's text reaches: logs at every level (TRACE, every crate, captured to a
//! file), errors, status and API answers. The daemon logs in over telnet, runs commands and
//! keepalives; the library meets a wrong password. Telnet's own warning (the password crosses
//! the network in clear) is there, once per device.

use std::time::Duration;

use netkeep::{Auth, ConnectOptions, Protocol, Secret};
use netkeep_keeper::client::Target;
use netkeep_sim::{DeviceConfig, SimDevice};
use netkeep_testkit::{HostSpec, Lab, LogCapture};

const LOGIN_PW: &str = "Platypus-Telnet-5521";
const WRONG_PW: &str = "Echidna-Telnet-7734";

fn telnet_comware() -> DeviceConfig {
    let mut c = DeviceConfig::new("hp_comware");
    c.password = LOGIN_PW.into();
    c.protocol = Protocol::Telnet;
    c.banner = true;
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_telnet_password_in_logs_errors_or_answers() {
    let logdir = tempfile::tempdir().unwrap();
    let logfile = logdir.path().join("trace.log");
    let sink = LogCapture::install_with_file(&logfile);
    let mut seen = String::new();

    // 1. The daemon, over telnet: login typed in-band, commands, configuration, keepalives.
    let host = HostSpec::new("old-sw", "hp_comware")
        .sim(|c| *c = telnet_comware())
        .with("protocol: telnet, keepalive: { mode: nul, interval: 300ms }");
    let lab = Lab::run(vec![host], |_| {}).await;
    let c = lab.client();
    let r = c
        .exec(
            Target::Device("old-sw".into()),
            &["display version".into(), "display clock".into()],
            None,
        )
        .await
        .unwrap();
    assert!(r.ok, "{r:?}");
    seen.push_str(&serde_json::to_string(&r).unwrap());
    let r = c
        .config(
            "old-sw",
            &[
                "interface GigabitEthernet1/0/2".into(),
                "description x".into(),
            ],
        )
        .await
        .unwrap();
    assert!(r.ok, "{r:?}");
    seen.push_str(&serde_json::to_string(&r).unwrap());
    let r = c
        .exec(
            Target::Device("old-sw".into()),
            &["display nonsense".into()],
            None,
        )
        .await
        .unwrap();
    seen.push_str(&serde_json::to_string(&r).unwrap());
    tokio::time::sleep(Duration::from_millis(700)).await; // keepalives and TIMING-MARKs
    for path in ["/v1/sessions", "/metrics"] {
        let (_, b) = c.request_raw("GET", path, None).await.unwrap();
        seen.push_str(&String::from_utf8_lossy(&b));
    }
    let st = c.status().await.unwrap();
    assert!(st[0].keepalives_sent >= 1, "{st:?}");
    seen.push_str(&serde_json::to_string(&st).unwrap());
    lab.stop().await;

    // 2. The library: a wrong password over telnet, then the right one.
    let dev = SimDevice::start(telnet_comware(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let o = ConnectOptions::new("127.0.0.1", dev.addr().port(), "hp_comware_telnet")
        .auth(Auth::Password(Secret::new(WRONG_PW)))
        .connect_timeout(Duration::from_secs(3));
    seen.push_str(&format!("{o:?}"));
    let e = netkeep::Session::connect(o.clone()).await.unwrap_err();
    assert!(e.is_auth_failure(), "{e}");
    seen.push_str(&format!("{e} {e:?}"));
    let s = netkeep::Session::connect(o.auth(Auth::Password(Secret::new(LOGIN_PW))))
        .await
        .unwrap();
    assert!(s.is_alive().await);
    seen.push_str(&s.send_command("display users").await.unwrap());
    seen.push_str(&format!("{s:?}"));
    s.disconnect().await;
    dev.stop().await;

    let logs = sink.text();
    let on_disk = std::fs::read_to_string(&logfile).unwrap();
    println!(
        "secrets over telnet: {} bytes of TRACE logs ({} lines), {} bytes of answers/errors checked",
        on_disk.len(),
        on_disk.lines().count(),
        seen.len()
    );
    assert!(on_disk.lines().count() > 10, "TRACE logs were captured");
    assert!(
        logs.contains("telnet command received"),
        "telnet layer traced"
    );
    assert_eq!(
        logs.matches("in clear text").count(),
        2,
        "one warning per device label (daemon's old-sw, the library's 127.0.0.1:port)"
    );
    for pw in [LOGIN_PW, WRONG_PW] {
        assert!(
            !seen.contains(pw),
            "answers/errors contain a password ({pw})"
        );
        assert!(
            !on_disk.contains(pw),
            "TRACE log contains a password ({pw})"
        );
    }
}
