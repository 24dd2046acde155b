//! Interactive and multi-line commands: IOS `ping` without arguments asks its questions;
//! `copy`, `delete`, `reload`/`reboot`, `save` ask for confirmation as each vendor does
//! (`[confirm]` takes one key); a confirmed reload reboots the device, which comes back with
//! its startup configuration; a pasted block runs line by line with a prompt after each.

mod common;

use std::time::Duration;

use common::Cli;
use netkeep_sim::{DeviceConfig, SimDevice};

const S: Duration = Duration::from_secs(5);

async fn start(platform: &str) -> SimDevice {
    let mut cfg = DeviceConfig::new(platform);
    cfg.reload_time = Duration::from_millis(300);
    SimDevice::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

async fn ios(d: &SimDevice) -> Cli {
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("R1>", S).await.unwrap();
    c.cmd("enable", "Password: ").await;
    c.cmd("admin", "R1#").await;
    c.cmd("terminal length 0", "R1#").await;
    c
}

#[tokio::test]
async fn ios_ping_without_arguments_asks_its_questions() {
    let d = start("cisco_ios").await;
    let mut c = ios(&d).await;
    for (answer, next) in [
        ("ping", "Protocol [ip]: "),
        ("", "Target IP address: "),
        ("8.8.8.8", "Repeat count [5]: "),
        ("100", "Datagram size [100]: "),
        ("", "Timeout in seconds [2]: "),
        ("", "Extended commands [n]: "),
        ("", "Sweep range of sizes [n]: "),
    ] {
        c.cmd(answer, next).await;
    }
    let out = c.cmd("", "R1#").await;
    assert!(
        out.contains("Sending 100, 100-byte ICMP Echos to 8.8.8.8, timeout is 2 seconds:"),
        "{out}"
    );
    assert_eq!(out.matches('!').count(), 100, "{out}");
    // 70 per line, as IOS prints them.
    assert!(out.contains(&format!("{}\r\n{}\r\n", "!".repeat(70), "!".repeat(30))));
    assert!(
        out.contains("Success rate is 100 percent (100/100)"),
        "{out}"
    );
}

#[tokio::test]
async fn ios_copy_delete_and_erase_confirm_as_ios_does() {
    let d = start("cisco_ios").await;
    let mut c = ios(&d).await;
    c.cmd(
        "copy running-config startup-config",
        "Destination filename [startup-config]? ",
    )
    .await;
    let out = c.cmd("", "R1#").await;
    assert!(out.contains("[OK]"), "{out}");
    c.cmd(
        "copy flash:a.cfg flash:b.cfg",
        "Destination filename [flash:b.cfg]? ",
    )
    .await;
    assert!(c.cmd("", "R1#").await.contains("bytes copied"));
    c.cmd("delete flash:old.cfg", "Delete filename [flash:old.cfg]? ")
        .await;
    c.cmd("", "Delete flash:old.cfg? [confirm]").await;
    // `[confirm]` takes one key: `y` goes on without Enter.
    c.send(b"y").await;
    c.read_until("R1#", S).await.unwrap();
    c.send(b"erase startup-config\n").await;
    c.read_until("Continue? [confirm]", S).await.unwrap();
    c.send(b"n").await;
    let out = c.read_until("R1#", S).await.unwrap();
    assert!(!out.contains("Erase of nvram"), "{out:?}");
}

#[tokio::test]
async fn ios_reload_asks_to_save_then_reboots_with_the_startup_configuration() {
    let d = start("cisco_ios").await;
    let mut c = ios(&d).await;
    c.cmd("configure terminal", "R1(config)#").await;
    c.cmd("hostname KEPT", "KEPT(config)#").await;
    c.cmd("end", "KEPT#").await;
    c.cmd("write memory", "KEPT#").await;
    c.cmd("configure terminal", "KEPT(config)#").await;
    c.cmd("hostname LOST", "LOST(config)#").await;
    c.cmd("end", "LOST#").await;
    c.cmd("reload", "Save? [yes/no]: ").await;
    c.cmd("no", "Proceed with reload? [confirm]").await;
    // `n` at [confirm]: no reload.
    c.send(b"n").await;
    c.read_until("LOST#", S).await.unwrap();
    c.cmd("reload", "Save? [yes/no]: ").await;
    c.cmd("no", "Proceed with reload? [confirm]").await;
    c.send(b"\r").await;
    c.wait_closed(S).await.unwrap();
    // Down for a moment, then back, with what was saved.
    let deadline = std::time::Instant::now() + S;
    let mut back = loop {
        match Cli::try_connect(d.addr(), "admin", "admin").await {
            Ok(c) => break c,
            Err(_) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(e) => panic!("device did not come back: {e}"),
        }
    };
    back.read_until("KEPT>", S).await.unwrap();
    assert_eq!(d.hostname(), "KEPT");
}

#[tokio::test]
async fn vendor_confirmations() {
    // Comware: reboot asks to save unsaved changes, then to continue; N stops it.
    let d = start("hp_comware").await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("<H3C>", S).await.unwrap();
    c.cmd("system-view", "[H3C]").await;
    c.cmd("sysname CHANGED", "[CHANGED]").await;
    c.cmd("return", "<CHANGED>").await;
    c.cmd("reboot", "save current configuration? [Y/N]:").await;
    c.cmd("n", "This command will reboot the device. Continue? [Y/N]:")
        .await;
    c.cmd("n", "<CHANGED>").await;
    c.cmd("delete flash:/a.cfg", "Delete flash:/a.cfg? [Y/N]:")
        .await;
    assert!(c.cmd("y", "<CHANGED>").await.contains("Done."));
    c.cmd(
        "copy flash:/a.cfg flash:/b.cfg",
        "Copy flash:/a.cfg to flash:/b.cfg? [Y/N]:",
    )
    .await;
    assert!(c.cmd("y", "<CHANGED>").await.contains("Done."));
    // VRP: save (y/n)[n], the default is no.
    let d = start("huawei").await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("<HUAWEI>", S).await.unwrap();
    c.cmd("save", "Are you sure to continue? (y/n)[n]:").await;
    assert!(!c.cmd("", "<HUAWEI>").await.contains("saved successfully"));
    c.cmd("save", "(y/n)[n]:").await;
    assert!(c.cmd("y", "<HUAWEI>").await.contains("saved successfully"));
    c.cmd("reboot", "Continue ? [Y/N]:").await;
    c.cmd("n", "<HUAWEI>").await;
    // NX-OS: reload (y/n) [n], delete (yes/no/abort) [y].
    let d = start("cisco_nxos").await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("switch# ", S).await.unwrap();
    c.cmd(
        "reload",
        "This command will reboot the system. (y/n)?  [n] ",
    )
    .await;
    c.cmd("", "switch# ").await;
    c.cmd("delete bootflash:test2.txt", "(yes/no/abort)   [y] ")
        .await;
    c.cmd("", "switch# ").await;
    // EOS: reload [confirm]; Junos: request system reboot [yes,no] (no).
    let d = start("arista_eos").await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("arista1>", S).await.unwrap();
    c.cmd("enable", "arista1#").await;
    c.cmd("reload", "Proceed with reload? [confirm]").await;
    c.send(b"n").await;
    c.read_until("arista1#", S).await.unwrap();
    let d = start("juniper_junos").await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("admin@router1> ", S).await.unwrap();
    c.cmd(
        "request system reboot",
        "Reboot the system ? [yes,no] (no) ",
    )
    .await;
    c.cmd("", "admin@router1> ").await;
    assert_eq!(d.counters().sessions_closed, 0);
}

/// (platform, first prompt, login steps, pasted block, prompt after the block).
type Paste = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
);

/// A pasted block: several lines in one write, each run with a prompt after it.
#[tokio::test]
async fn pasted_blocks_run_line_by_line() {
    let cases: [Paste; 6] = [
        (
            "hp_comware",
            "<H3C>",
            &[],
            "system-view\ninterface GigabitEthernet1/0/2\ndescription pasted-in\nreturn\ndisplay current-configuration | include pasted\n",
            "<H3C>",
        ),
        (
            "huawei",
            "<HUAWEI>",
            &[],
            "system-view\ninterface GigabitEthernet0/0/2\ndescription pasted-in\nreturn\ndisplay current-configuration | include pasted\n",
            "<HUAWEI>",
        ),
        (
            "cisco_ios",
            "R1>",
            &[("enable", "Password: "), ("admin", "R1#")],
            "configure terminal\ninterface GigabitEthernet0/2\ndescription pasted-in\nend\nshow running-config | include pasted\n",
            "R1#",
        ),
        (
            "cisco_nxos",
            "switch# ",
            &[],
            "configure terminal\ninterface Ethernet1/2\ndescription pasted-in\nend\nshow running-config | include pasted\n",
            "switch# ",
        ),
        (
            "arista_eos",
            "arista1>",
            &[("enable", "arista1#")],
            "configure terminal\ninterface Ethernet2\ndescription pasted-in\nend\nshow running-config | include pasted\n",
            "arista1#",
        ),
        (
            "juniper_junos",
            "admin@router1> ",
            &[],
            "configure\nset interfaces ge-0/0/1 description pasted-in\ncommit and-quit\nshow configuration | match pasted\n",
            "admin@router1> ",
        ),
    ];
    for (platform, first, login, block, last) in cases {
        let d = start(platform).await;
        let mut c = Cli::connect(d.addr()).await;
        c.read_until(first, S).await.unwrap();
        for (cmd, prompt) in login {
            c.cmd(cmd, prompt).await;
        }
        c.send(block.as_bytes()).await;
        // The last line's output, then its prompt: everything ran, in order.
        let out = c.read_until("pasted-in", S).await.unwrap();
        let out = out + &c.read_until("pasted-in", S).await.unwrap();
        let tail = c.read_until(last, S).await.unwrap();
        let all = out + &tail;
        let lines: Vec<&str> = block.lines().collect();
        let mut at = 0;
        for l in &lines {
            let i = all[at..]
                .find(l)
                .unwrap_or_else(|| panic!("{platform}: {l:?} not echoed in order: {all:?}"));
            at += i + l.len();
        }
        let n = d.counters().commands;
        assert!(n >= lines.len() as u64, "{platform}: {n} commands");
        d.stop().await;
    }
}
