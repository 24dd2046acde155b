//! hp_comware end to end: prompts, views, commands, paging, config state, idle timeout, NUL.

mod common;

use std::time::Duration;

use common::{Cli, Poke};
use netkeep_sim::{DeviceConfig, SimDevice};
use tokio::time::Instant;

async fn dev(idle: Option<Duration>) -> SimDevice {
    let mut cfg = DeviceConfig::new("hp_comware");
    cfg.idle_timeout = idle;
    SimDevice::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

const S: Duration = Duration::from_secs(5);
/// Scheduling slack on a close time (a busy 2-core machine), far below the idle timeouts used.
const SLACK: Duration = Duration::from_millis(150);

#[tokio::test]
async fn prompts_views_and_quit() {
    let d = dev(None).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("<H3C>", S).await.unwrap();
    let out = c.cmd("system-view", "[H3C]").await;
    assert!(
        out.contains("System View: return to User View with Ctrl+Z."),
        "{out:?}"
    );
    c.cmd(
        "interface GigabitEthernet1/0/1",
        "[H3C-GigabitEthernet1/0/1]",
    )
    .await;
    c.cmd("quit", "[H3C]").await;
    c.cmd("vlan 10", "[H3C-vlan10]").await;
    // A system-view command from a sub-view leaves the sub-view.
    c.cmd("line vty 0 63", "[H3C-line-vty0-63]").await;
    c.cmd("return", "<H3C>").await;
    c.send(b"quit\n").await;
    c.wait_closed(S).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let k = d.counters();
    assert_eq!((k.sessions_opened, k.sessions_closed), (1, 1));
    assert!(k.commands >= 7, "{k:?}");
    d.stop().await;
}

#[tokio::test]
async fn unknown_command_has_comware_caret_error() {
    let d = dev(None).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("<H3C>", S).await.unwrap();
    let out = c.cmd("display foo", "<H3C>").await;
    // Caret under the bad word: 5 prompt columns + "display " (8).
    assert!(
        out.contains("\r\n             ^\r\n % Unrecognized command found at '^' position.\r\n"),
        "{out:?}"
    );
    let out = c.cmd("display", "<H3C>").await;
    assert!(
        out.contains("% Incomplete command found at '^' position."),
        "{out:?}"
    );
    // Abbreviations work like on the device.
    let out = c.cmd("dis clock", "<H3C>").await;
    assert!(out.contains(" UTC "), "{out:?}");
}

#[tokio::test]
async fn config_state_shows_in_running_config_and_sysname_changes_prompt() {
    let d = dev(None).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("<H3C>", S).await.unwrap();
    c.cmd("screen-length disable", "<H3C>").await;
    c.cmd("system-view", "[H3C]").await;
    c.cmd("interface GigabitEthernet1/0/2", "]").await;
    c.cmd("description to server rack 7", "[H3C-GigabitEthernet1/0/2]")
        .await;
    c.cmd("vlan 120", "[H3C-vlan120]").await;
    c.cmd("line vty 0 63", "]").await;
    c.cmd("idle-timeout 0 10", "[H3C-line-vty0-63]").await;
    // A system-view command typed in a sub-view runs in system view.
    c.cmd("sysname CORE-SW1", "[CORE-SW1]").await;
    c.cmd("return", "<CORE-SW1>").await;
    let cfg = c.cmd("display current-configuration", "<CORE-SW1>").await;
    assert!(
        cfg.contains("interface GigabitEthernet1/0/2\r\n description to server rack 7\r\n"),
        "{cfg}"
    );
    assert!(cfg.contains("\r\nvlan 120\r\n"), "{cfg}");
    assert!(cfg.contains(" sysname CORE-SW1\r\n"), "{cfg}");
    assert!(cfg.contains("line vty 0 63\r\n authentication-mode scheme\r\n user-role network-operator\r\n idle-timeout 0 10\r\n"), "{cfg}");
    assert!(
        cfg.trim_end().ends_with("return\r\n<CORE-SW1>") || cfg.contains("return\r\n<CORE-SW1>"),
        "{cfg}"
    );
    // Other sessions share the device state; the new timeout applies to new sessions.
    assert_eq!(d.idle_timeout(), Some(Duration::from_secs(10)));
    let mut c2 = Cli::connect(d.addr()).await;
    c2.read_until("<CORE-SW1>", S).await.unwrap();
}

#[tokio::test]
async fn paging_until_screen_length_disable() {
    let d = dev(None).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("<H3C>", S).await.unwrap();
    c.send(b"display current-configuration\n").await;
    let first = c.read_until("---- More ----", S).await.unwrap();
    assert_eq!(
        first.matches("\r\n").count(),
        24,
        "echo line + 23 lines of output: {first:?}"
    );
    c.send(b" ").await;
    let second = c.read_until("---- More ----", S).await.unwrap();
    assert!(
        second.starts_with("\x1b[16D                \x1b[16D"),
        "{second:?}"
    );
    c.send(b"q").await;
    c.read_until("<H3C>", S).await.unwrap();
    c.cmd("screen-length disable", "<H3C>").await;
    let all = c.cmd("display current-configuration", "<H3C>").await;
    assert!(!all.contains("More"), "{all}");
    assert!(all.contains("\r\nreturn\r\n"), "{all}");
}

#[tokio::test]
async fn save_asks_for_confirmation() {
    let d = dev(None).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("<H3C>", S).await.unwrap();
    c.send(b"save\n").await;
    c.read_until("Are you sure? [Y/N]:", S).await.unwrap();
    c.send(b"y\n").await;
    c.read_until("press the enter key):", S).await.unwrap();
    c.send(b"\n").await;
    c.read_until("overwrite? [Y/N]:", S).await.unwrap();
    c.send(b"y\n").await;
    let out = c.read_until("<H3C>", S).await.unwrap();
    assert!(
        out.contains("Saved the current configuration to mainboard device successfully."),
        "{out:?}"
    );
    c.send(b"save\n").await;
    c.read_until("[Y/N]:", S).await.unwrap();
    let out = c.cmd("n", "<H3C>").await;
    assert!(out.contains("Configuration is not saved!"), "{out:?}");
}

#[tokio::test]
async fn nul_is_echoed_raw_and_keeps_session_alive() {
    let d = dev(Some(Duration::from_millis(900))).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("<H3C>", S).await.unwrap();
    c.send(b"\0").await;
    let echo = c.drain(Duration::from_millis(100)).await;
    assert_eq!(echo.as_bytes(), b"\0");
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        c.send(b"\0").await;
    }
    // 1.8 s > 0.9 s timeout: still alive thanks to the NULs.
    c.drain(Duration::from_millis(50)).await;
    let out = c.cmd("display clock", "<H3C>").await;
    assert!(out.contains("UTC"));
    assert_eq!(d.counters().idle_timeouts, 0);
}

/// SSH-protocol keepalives are not activity: sent every 100 ms for up to three idle timeouts,
/// they do not keep the session open; it closes one idle timeout after the last line typed.
#[tokio::test]
async fn idle_timeout_fires_and_ssh_keepalives_do_not_reset_it() {
    let idle = Duration::from_millis(500);
    let d = dev(Some(idle)).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("<H3C>", S).await.unwrap();
    // The last real input: the device took the line between `typed` and its answer.
    let typed = Instant::now();
    c.cmd("display clock", "<H3C>").await;
    let answered = Instant::now();
    let (closed, msg, pokes) = c
        .poke_until_closed(Poke::SshKeepalive, Duration::from_millis(100), idle * 3)
        .await;
    let closed = closed.unwrap_or_else(|| panic!("keepalives kept the session open: {msg:?}"));
    assert!(msg.contains("idle for too long"), "{msg:?}");
    let (after_typed, after_answer) = (closed - typed, closed - answered);
    println!("idle {idle:?}: closed {after_typed:?} after the last line, {pokes} keepalives");
    assert!(pokes >= 3, "only {pokes} keepalives before the close");
    // Not before the timeout (the device's clock counts whole milliseconds), and not later
    // than the timeout plus scheduling slack after the line was answered.
    assert!(
        after_typed >= idle - Duration::from_millis(2),
        "{after_typed:?}"
    );
    assert!(after_answer <= idle + SLACK, "{after_answer:?}");
    tokio::time::sleep(Duration::from_millis(50)).await;
    let k = d.counters();
    assert_eq!((k.idle_timeouts, k.sessions_closed), (1, 1), "{k:?}");
}

#[tokio::test]
async fn idle_timeout_configured_in_cli_applies_to_new_sessions() {
    let d = dev(None).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("<H3C>", S).await.unwrap();
    c.cmd("system-view", "]").await;
    c.cmd("line vty 0 63", "]").await;
    c.cmd("idle-timeout 0 1", "]").await;
    let mut c2 = Cli::connect(d.addr()).await;
    c2.read_until("<H3C>", S).await.unwrap();
    c2.wait_closed(Duration::from_secs(3)).await.unwrap();
    // The first session kept its 10-minute timeout.
    c.cmd("return", "<H3C>").await;
    assert_eq!(d.counters().idle_timeouts, 1);
}

#[tokio::test]
async fn banner_waits_for_enter() {
    let mut cfg = DeviceConfig::new("hp_comware");
    cfg.banner = true;
    let d = SimDevice::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("Press Y or ENTER to continue, N to exit.", S)
        .await
        .unwrap();
    c.send(b"\n").await;
    c.read_until("<H3C>", S).await.unwrap();
    let mut c2 = Cli::connect(d.addr()).await;
    c2.read_until("N to exit.", S).await.unwrap();
    c2.send(b"n").await;
    c2.wait_closed(S).await.unwrap();
}

#[tokio::test]
async fn ping_is_slow_and_ctrl_c_breaks_it() {
    let d = dev(None).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("<H3C>", S).await.unwrap();
    let t0 = std::time::Instant::now();
    let out = c.cmd("ping 10.0.0.1", "<H3C>").await;
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(2000) && took < Duration::from_secs(4),
        "{took:?}"
    );
    assert_eq!(out.matches("56 bytes from 10.0.0.1").count(), 5, "{out}");
    assert!(
        out.contains("5 packet(s) transmitted, 5 packet(s) received"),
        "{out}"
    );
    c.send(b"ping 10.0.0.2\n").await;
    c.read_until("icmp_seq=1", S).await.unwrap();
    c.send(b"\x03").await;
    let out = c.read_until("<H3C>", S).await.unwrap();
    assert!(
        out.contains("--- Ping statistics for 10.0.0.2 ---"),
        "{out}"
    );
    assert!(t0.elapsed() < took + Duration::from_millis(1800));
}

#[tokio::test]
async fn terminal_editing_backspace_ctrl_c_crlf() {
    let d = dev(None).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("<H3C>", S).await.unwrap();
    c.send(b"display clocx\x7fk\r\n").await;
    let out = c.read_until("<H3C>", S).await.unwrap();
    assert!(out.starts_with("display clocx\x08 \x08k\r\n"), "{out:?}");
    assert!(out.contains(" UTC "), "{out:?}");
    c.send(b"display garbage\x03").await;
    let out = c.read_until("<H3C>", S).await.unwrap();
    assert!(out.contains("^C\r\n"), "{out:?}");
    // \r\n is one Enter; \n\n and \r\r are two.
    c.send(b"\r\n").await;
    let one = c.drain(Duration::from_millis(150)).await;
    assert_eq!(one, "\r\n<H3C>");
    c.send(b"\n\n").await;
    let two = c.drain(Duration::from_millis(150)).await;
    assert_eq!(two, "\r\n<H3C>\r\n<H3C>");
    c.send(b"\r\r").await;
    let two = c.drain(Duration::from_millis(150)).await;
    assert_eq!(two, "\r\n<H3C>\r\n<H3C>");
}

#[tokio::test]
async fn typed_ahead_input_runs_after_a_slow_command_in_order() {
    let d = dev(None).await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("<H3C>", S).await.unwrap();
    // Two commands in one write: the second waits for the ping, as on a device.
    c.send(b"ping 10.0.0.9\ndisplay clock\n").await;
    let ping = c.read_until("<H3C>", S).await.unwrap();
    assert!(
        ping.contains("--- Ping statistics for 10.0.0.9 ---"),
        "{ping}"
    );
    assert!(
        !ping.contains(" UTC "),
        "clock output overtook the ping: {ping}"
    );
    let clock = c.read_until("<H3C>", S).await.unwrap();
    assert!(
        clock.starts_with("display clock\r\n") && clock.contains(" UTC "),
        "{clock:?}"
    );
}
