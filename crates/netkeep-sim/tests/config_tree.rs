//! The running configuration is a tree: any well-formed line in a config mode sticks under its
//! parent block, replaces an earlier value of the same setting, goes on negation; show commands
//! are generated from it; two-stage platforms hold the same changes until `commit`.

mod common;

use std::time::Duration;

use common::Cli;
use netkeep_sim::{DeviceConfig, SimDevice};

const S: Duration = Duration::from_secs(5);

async fn start(platform: &str) -> SimDevice {
    SimDevice::start(DeviceConfig::new(platform), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// A platform's way from login to config mode and back, and its running-config command.
struct Walk {
    platform: &'static str,
    login: &'static [(&'static str, &'static str)],
    exec: &'static str,
    config: &'static str,
    enter: &'static str,
    leave: &'static str,
    show: &'static str,
}

const WALKS: [Walk; 5] = [
    Walk {
        platform: "hp_comware",
        login: &[("screen-length disable", "<H3C>")],
        exec: "<H3C>",
        config: "[H3C]",
        enter: "system-view",
        leave: "return",
        show: "display current-configuration",
    },
    Walk {
        platform: "cisco_ios",
        login: &[
            ("enable", "Password: "),
            ("admin", "R1#"),
            ("terminal length 0", "R1#"),
        ],
        exec: "R1#",
        config: "R1(config)#",
        enter: "configure terminal",
        leave: "end",
        show: "show running-config",
    },
    Walk {
        platform: "arista_eos",
        login: &[("enable", "arista1#"), ("terminal length 0", "arista1#")],
        exec: "arista1#",
        config: "arista1(config)#",
        enter: "configure terminal",
        leave: "end",
        show: "show running-config",
    },
    Walk {
        platform: "cisco_nxos",
        login: &[("terminal length 0", "switch# ")],
        exec: "switch# ",
        config: "switch(config)# ",
        enter: "configure terminal",
        leave: "end",
        show: "show running-config",
    },
    Walk {
        platform: "huawei",
        login: &[("screen-length 0 temporary", "<HUAWEI>")],
        exec: "<HUAWEI>",
        config: "[HUAWEI]",
        enter: "system-view",
        leave: "return",
        show: "display current-configuration",
    },
];

async fn login(d: &SimDevice, w: &Walk) -> Cli {
    let mut c = Cli::connect(d.addr()).await;
    let first = w.exec.trim_end_matches(['#', ' ']);
    c.read_until(first, S).await.unwrap();
    for (cmd, prompt) in w.login {
        c.cmd(cmd, prompt).await;
    }
    c
}

/// Runs config `lines` and returns the running configuration's lines matching `pat`.
async fn configure(c: &mut Cli, w: &Walk, lines: &[&str], pat: &str) -> Vec<String> {
    c.cmd(w.enter, w.config).await;
    for l in lines {
        let out = c.cmd(l, w.config).await;
        assert!(
            !out.contains("nvalid") && !out.contains("nrecognized"),
            "{} {l:?}: {out:?}",
            w.platform
        );
    }
    c.cmd(w.leave, w.exec).await;
    let run = c
        .output(&format!("{} | include {pat}", w.show), w.exec)
        .await;
    run.lines().map(|l| l.trim().to_string()).collect()
}

#[tokio::test]
async fn any_line_sticks_replaces_its_setting_and_goes_on_negation() {
    // (set a value, negate it, set another): Netmiko's own device-test lines per platform.
    let cases: [(&[&str], &str, &[&str]); 5] = [
        (
            &[
                "ip host test1 1.1.1.1",
                "undo ip host test1 1.1.1.1",
                "ip host test1 1.1.1.2",
            ],
            "ip host",
            &["ip host test1 1.1.1.2"],
        ),
        (
            &[
                "logging buffered 20000",
                "no logging console",
                "logging buffered 20010",
            ],
            "logging",
            &["logging buffered 20010"],
        ),
        (
            &[
                "logging buffered 20000",
                "no logging console",
                "logging buffered 20010",
            ],
            "logging",
            &["logging buffered 20010"],
        ),
        (
            &[
                "logging console 0",
                "no logging console",
                "logging console 4",
            ],
            "logging",
            &["logging console 4"],
        ),
        (
            &[
                "info-center loghost 10.1.1.1",
                "info-center loghost 10.1.1.2",
                "undo info-center loghost 10.1.1.1",
            ],
            "loghost",
            &["info-center loghost 10.1.1.2"],
        ),
    ];
    for (w, (lines, pat, want)) in WALKS.iter().zip(cases) {
        let d = start(w.platform).await;
        let mut c = login(&d, w).await;
        // The first line alone is there...
        let first = configure(&mut c, w, &lines[..1], pat).await;
        assert_eq!(first, [lines[0]], "{}", w.platform);
        // ...and after all three, only what is left.
        let got = configure(&mut c, w, &lines[1..], pat).await;
        assert_eq!(got, want, "{}", w.platform);
        d.stop().await;
    }
}

#[tokio::test]
async fn lines_go_under_their_block_and_unknown_words_are_refused() {
    let d = start("cisco_ios").await;
    let w = &WALKS[1];
    let mut c = login(&d, w).await;
    c.cmd("configure terminal", "R1(config)#").await;
    c.cmd("interface GigabitEthernet0/2", "R1(config-if)#")
        .await;
    c.cmd("mtu 9000", "R1(config-if)#").await;
    c.cmd("description to storage", "R1(config-if)#").await;
    c.cmd("mtu 9100", "R1(config-if)#").await;
    c.cmd("ip address 10.77.0.1 255.255.255.0", "R1(config-if)#")
        .await;
    c.cmd("no shutdown", "R1(config-if)#").await;
    // A global line typed in a sub-mode goes to the top (and leaves the sub-mode).
    c.cmd("ntp server 10.0.0.1", "R1(config)#").await;
    // `do` runs an exec command without leaving config mode.
    let ntp = c
        .output("do show running-config | include ^ntp", "R1(config)#")
        .await;
    assert_eq!(ntp.trim(), "ntp server 10.0.0.1");
    let bad = c.cmd("frobnicate now", "R1(config)#").await;
    assert!(bad.contains("% Invalid input detected"), "{bad}");
    c.cmd("end", "R1#").await;
    let sec = c
        .output("show running-config | section GigabitEthernet0/2", "R1#")
        .await;
    assert_eq!(
        sec,
        "interface GigabitEthernet0/2\n description to storage\n ip address 10.77.0.1 255.255.255.0\n mtu 9100\n",
        "{sec}"
    );
    let ntp = c.output("show running-config | include ^ntp", "R1#").await;
    assert_eq!(ntp.trim(), "ntp server 10.0.0.1");
    assert!(!c
        .output("show running-config | include frobnicate", "R1#")
        .await
        .contains("frobnicate"));
    // Negation inside the block, and of the whole block.
    c.cmd("configure terminal", "R1(config)#").await;
    c.cmd("interface Loopback9", "R1(config-if)#").await;
    c.cmd("description temp", "R1(config-if)#").await;
    c.cmd("interface GigabitEthernet0/2", "R1(config-if)#")
        .await;
    c.cmd("no mtu", "R1(config-if)#").await;
    c.cmd("exit", "R1(config)#").await;
    c.cmd("no interface Loopback9", "R1(config)#").await;
    c.cmd("end", "R1#").await;
    let run = c.output("show running-config", "R1#").await;
    assert!(!run.contains("mtu") && !run.contains("Loopback9"), "{run}");
}

#[tokio::test]
async fn show_commands_follow_the_configuration() {
    // Comware: a description and an address set by config show in the interface listing.
    let d = start("hp_comware").await;
    let w = &WALKS[0];
    let mut c = login(&d, w).await;
    c.cmd("system-view", "[H3C]").await;
    c.cmd("interface GigabitEthernet1/0/2", "]").await;
    c.cmd("description to-server-7", "]").await;
    c.cmd("shutdown", "]").await;
    c.cmd("interface LoopBack7", "]").await;
    c.cmd("ip address 10.7.7.7 255.255.255.255", "]").await;
    c.cmd("return", "<H3C>").await;
    let brief = c.output("display interface brief", "<H3C>").await;
    let ge2 = brief.lines().find(|l| l.starts_with("GE1/0/2 ")).unwrap();
    assert!(
        ge2.contains("DOWN") && ge2.ends_with("to-server-7"),
        "{ge2}"
    );
    let loop7 = brief.lines().find(|l| l.starts_with("Loop7 ")).unwrap();
    assert!(loop7.contains("10.7.7.7"), "{loop7}");
    let routes = c.output("display ip routing-table", "<H3C>").await;
    assert!(routes.contains("10.7.7.7/32"), "{routes}");
    // IOS: the same through `show interfaces description` and `show ip interface brief`.
    let d = start("cisco_ios").await;
    let w = &WALKS[1];
    let mut c = login(&d, w).await;
    c.cmd("configure terminal", "R1(config)#").await;
    for l in [
        "interface GigabitEthernet0/2",
        "description backup-link",
        "ip address 10.9.0.1 255.255.255.0",
        "no shutdown",
    ] {
        c.cmd(l, "R1(config-if)#").await;
    }
    c.cmd("end", "R1#").await;
    let desc = c.output("show interfaces description", "R1#").await;
    assert!(
        desc.lines()
            .any(|l| l.starts_with("Gi0/2 ") && l.contains(" up ") && l.ends_with("backup-link")),
        "{desc}"
    );
    let ipb = c.output("show ip interface brief", "R1#").await;
    assert!(
        ipb.lines().any(|l| l.starts_with("GigabitEthernet0/2")
            && l.contains("10.9.0.1")
            && l.trim_end().ends_with("up")),
        "{ipb}"
    );
}

#[tokio::test]
async fn two_stage_platforms_hold_any_line_until_commit() {
    // IOS-XR: the session's own target configuration.
    let d = start("cisco_xr").await;
    let x = "RP/0/RSP0/CPU0:R1#";
    let xc = "RP/0/RSP0/CPU0:R1(config)#";
    let mut c = Cli::connect(d.addr()).await;
    c.read_until(x, S).await.unwrap();
    c.cmd("terminal length 0", x).await;
    c.cmd("configure terminal", xc).await;
    c.cmd("logging buffered 4000000", xc).await;
    let running = c
        .output("do show running-config | include logging", xc)
        .await;
    assert!(running.trim().is_empty(), "{running:?}");
    let target = c.output("show configuration | include logging", xc).await;
    assert_eq!(target.trim(), "logging buffered 4000000");
    c.cmd("commit", xc).await;
    c.cmd("end", x).await;
    let running = c.output("show running-config | include logging", x).await;
    assert_eq!(running.trim(), "logging buffered 4000000");
    // VRP 8: `[*HUAWEI]` marks it, `commit` applies it.
    let d = start("huawei_vrpv8").await;
    let mut c = Cli::connect(d.addr()).await;
    c.read_until("<HUAWEI>", S).await.unwrap();
    c.cmd("screen-length 0 temporary", "<HUAWEI>").await;
    c.cmd("system-view", "[~HUAWEI]").await;
    c.cmd("ntp-service unicast-server 10.1.1.9", "[*HUAWEI]")
        .await;
    c.cmd("commit", "[~HUAWEI]").await;
    c.cmd("return", "<HUAWEI>").await;
    let run = c
        .output("display current-configuration | include ntp", "<HUAWEI>")
        .await;
    assert_eq!(run.trim(), "ntp-service unicast-server 10.1.1.9");
}

#[tokio::test]
async fn a_protocol_in_the_first_configuration_is_the_one_its_show_command_prints() {
    // VyOS's BGP process: `show ip bgp summary` and the configuration come from the same
    // table rows, so every peer and the local AS printed are configured.
    let d = start("vyos").await;
    let mut c = Cli::connect(d.addr()).await;
    let p = "admin@vyos:~$ ";
    c.read_until(p, S).await.unwrap();
    c.cmd("set terminal length 0", p).await;
    let sum = c.output("show ip bgp summary", p).await;
    let conf = c.output("show configuration", p).await;
    let local_as = sum
        .split("local AS number ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("no local AS in {sum:?}"));
    assert!(
        conf.contains(&format!("        system-as {local_as}\n")),
        "{conf}"
    );
    let peers: Vec<(&str, &str)> = sum
        .lines()
        .skip_while(|l| !l.starts_with("Neighbor "))
        .skip(1)
        .map_while(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 10).then(|| (f[0], f[2]))
        })
        .collect();
    assert!(!peers.is_empty(), "{sum}");
    // The count line is a field of the process's row: it must agree with the rows.
    assert!(
        sum.contains(&format!("Total number of neighbors {}", peers.len())),
        "{sum}"
    );
    for (ip, remote_as) in peers {
        let block = conf
            .split(&format!("        neighbor {ip} {{\n"))
            .nth(1)
            .unwrap_or_else(|| panic!("peer {ip} not configured: {conf}"));
        let end = block.find("\n        }").unwrap_or(block.len());
        assert!(
            block[..end]
                .lines()
                .any(|l| l.trim() == format!("remote-as {remote_as}")),
            "{ip}: {block}"
        );
    }
}
