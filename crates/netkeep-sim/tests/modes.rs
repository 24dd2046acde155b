//! Modes as the vendor has them: IOS and EOS `enable` with and without an enable secret,
//! `disable`, privilege levels; the echo of a long line wraps at the terminal width the client
//! asked for (PTY request) or set (`terminal width`, `set cli screen-width`).

mod common;

use std::time::Duration;

use common::Cli;
use netkeep_sim::{DeviceConfig, SimDevice};

const S: Duration = Duration::from_secs(5);

async fn start(platform: &str, secret: Option<&str>) -> SimDevice {
    let mut cfg = DeviceConfig::new(platform);
    cfg.enable_secret = secret.map(String::from);
    SimDevice::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn ios_enable_with_and_without_a_secret() {
    // A secret of its own: the login password is not it.
    let d = start("cisco_ios", Some("s3cret")).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("R1>", S).await.unwrap();
    c.cmd("enable", "Password: ").await;
    let out = c.cmd("admin", "R1>").await;
    assert!(out.contains("% Access denied"), "{out}");
    c.cmd("enable 15", "Password: ").await;
    c.cmd("s3cret", "R1#").await;
    assert!(c
        .cmd("show privilege", "R1#")
        .await
        .contains("Current privilege level is 15"));
    c.cmd("disable", "R1>").await;
    assert!(c
        .cmd("show privilege", "R1>")
        .await
        .contains("Current privilege level is 1"));
    // Privileged commands are not there at level 1.
    assert!(c
        .cmd("show running-config", "R1>")
        .await
        .contains("% Invalid input"));
    // No secret configured: IOS refuses, as on a VTY without `enable secret`.
    let d = start("cisco_ios", Some("")).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("R1>", S).await.unwrap();
    let out = c.cmd("enable", "R1>").await;
    assert!(
        out.contains("% No password set") && !out.contains("Password:"),
        "{out}"
    );
}

#[tokio::test]
async fn a_privileged_login_starts_in_privileged_exec() {
    let mut cfg = DeviceConfig::new("cisco_ios");
    cfg.privileged_login = true;
    let d = SimDevice::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("R1#", S).await.unwrap();
    assert!(c.cmd("show privilege", "R1#").await.contains("level is 15"));
    c.cmd("disable", "R1>").await;
    assert!(c.cmd("show privilege", "R1>").await.contains("level is 1"));
}

#[tokio::test]
async fn eos_enable_with_and_without_a_secret() {
    // Out of the box EOS has no enable secret: `enable` goes straight in.
    let d = start("arista_eos", None).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("arista1>", S).await.unwrap();
    let out = c.cmd("enable", "arista1#").await;
    assert!(!out.contains("Password"), "{out}");
    assert!(c
        .cmd("show privilege", "arista1#")
        .await
        .contains("level is 15"));
    c.cmd("disable", "arista1>").await;
    // With one it asks, and checks.
    let d = start("arista_eos", Some("s3cret")).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("arista1>", S).await.unwrap();
    c.cmd("enable", "Password: ").await;
    assert!(c.cmd("nope", "arista1>").await.contains("% Access denied"));
    c.cmd("enable", "Password: ").await;
    c.cmd("s3cret", "arista1#").await;
}

/// The echo of `line` typed after `prompt` at width `cols`.
async fn echo_at(platform: &str, prompt: &str, cols: u32, setup: &[&str], line: &str) -> String {
    let d = start(platform, None).await;
    let mut c = Cli::connect_cols(d.addr(), "admin", "admin", cols)
        .await
        .unwrap();
    c.read_until(prompt, S).await.unwrap();
    for s in setup {
        c.cmd(s, prompt).await;
    }
    c.send(line.as_bytes()).await;
    let echo = c.drain(Duration::from_millis(150)).await;
    d.stop().await;
    echo
}

#[tokio::test]
async fn long_lines_wrap_at_the_terminal_width() {
    let line = format!("display {}", "x".repeat(60));
    // Comware-style: CR LF where the line reaches the last column ("<H3C>" is 5 wide).
    let echo = echo_at("hp_comware", "<H3C>", 40, &[], &line).await;
    assert_eq!(echo, format!("{}\r\n{}", &line[..35], &line[35..]));
    // A wide terminal: no wrap.
    let echo = echo_at("hp_comware", "<H3C>", 200, &[], &line).await;
    assert_eq!(echo, line);
    // NX-OS (a Linux line editor): space and CR at the margin; `terminal width` moves it.
    let echo = echo_at("cisco_nxos", "switch# ", 40, &[], &line).await;
    assert_eq!(echo, format!("{} \r{}", &line[..32], &line[32..]));
    let echo = echo_at("cisco_nxos", "switch# ", 40, &["terminal width 50"], &line).await;
    assert_eq!(echo, format!("{} \r{}", &line[..42], &line[42..]));
    let echo = echo_at("cisco_nxos", "switch# ", 40, &["terminal width 511"], &line).await;
    assert_eq!(echo, line);
}
