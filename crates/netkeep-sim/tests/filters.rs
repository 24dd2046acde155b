//! Output filters after `|`, per platform, with each vendor's words and regex semantics:
//! `include/exclude/begin/section/count` (IOS, NX-OS, EOS), `include/exclude/begin/count`
//! (Comware, VRP), Junos `match/except/count/display set/no-more`.

mod common;

use std::time::Duration;

use common::Cli;
use netkeep_sim::{DeviceConfig, SimDevice};

const S: Duration = Duration::from_secs(5);

async fn start(platform: &str, lines: usize) -> SimDevice {
    let mut cfg = DeviceConfig::new(platform);
    cfg.config_lines = lines;
    SimDevice::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// Logs in and gets to the prompt where show commands run, paging off.
async fn ready(d: &SimDevice, first: &str, steps: &[(&str, &str)]) -> Cli {
    let mut c = Cli::connect(d.addr()).await;
    c.read_until(first, S).await.unwrap();
    for (cmd, prompt) in steps {
        c.cmd(cmd, prompt).await;
    }
    c
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().filter(|l| !l.trim().is_empty()).collect()
}

/// (platform, exec prompt, login steps, running-config command).
type Case = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

#[tokio::test]
async fn cisco_style_include_exclude_begin_section_count() {
    let cases: [Case; 3] = [
        (
            "cisco_ios",
            "R1#",
            &[
                ("enable", "Password: "),
                ("admin", "R1#"),
                ("terminal length 0", "R1#"),
            ],
            "show running-config",
        ),
        (
            "cisco_nxos",
            "switch# ",
            &[("terminal length 0", "switch# ")],
            "show running-config",
        ),
        (
            "arista_eos",
            "arista1#",
            &[("enable", "arista1#"), ("terminal length 0", "arista1#")],
            "show running-config",
        ),
    ];
    for (platform, prompt, steps, run) in cases {
        let d = start(platform, 0).await;
        let first = if platform == "cisco_nxos" {
            prompt
        } else {
            ">"
        };
        let mut c = ready(&d, first, steps).await;
        let full = c.output(run, prompt).await;
        let inc = c
            .output(&format!("{run} | include interface"), prompt)
            .await;
        let want: Vec<&str> = full.lines().filter(|l| l.contains("interface")).collect();
        assert_eq!(lines(&inc), want, "{platform} include");
        // Case-sensitive regex: `Interface` matches nothing in a Cisco configuration.
        let none = c
            .output(&format!("{run} | include ^Interface"), prompt)
            .await;
        assert!(lines(&none).is_empty(), "{platform}: {none:?}");
        let re = c
            .output(&format!("{run} | include ^interface .*0$"), prompt)
            .await;
        assert!(!lines(&re).is_empty(), "{platform}: {re:?}");
        assert!(lines(&re)
            .iter()
            .all(|l| l.starts_with("interface") && l.ends_with('0')));
        let exc = c
            .output(&format!("{run} | exclude interface"), prompt)
            .await;
        assert!(
            !exc.contains("interface") && exc.contains("hostname"),
            "{platform}"
        );
        let beg = c.output(&format!("{run} | begin ^interface"), prompt).await;
        assert!(beg.starts_with("interface "), "{platform}: {beg:?}");
        assert!(!beg.contains("hostname "), "{platform}: {beg:?}");
        // A section: the interface line and its indented lines, nothing else.
        let sec = c
            .output(&format!("{run} | section ^interface"), prompt)
            .await;
        assert!(lines(&sec)
            .iter()
            .all(|l| l.starts_with("interface") || l.starts_with(' ')));
        assert!(sec.contains("description uplink-core"), "{platform}: {sec}");
        // IOS counts matches of its own regex; NX-OS and EOS count what a filter before passed.
        let count = if platform == "cisco_ios" {
            format!("{run} | count interface")
        } else {
            format!("{run} | include interface | count")
        };
        let cnt = c.output(&count, prompt).await;
        assert!(cnt.contains(&want.len().to_string()), "{platform}: {cnt:?}");
        d.stop().await;
    }
}

#[tokio::test]
async fn ios_section_shows_the_parent_of_a_matching_child_and_count_wording() {
    let d = start("cisco_ios", 0).await;
    let mut c = ready(
        &d,
        "R1>",
        &[
            ("enable", "Password: "),
            ("admin", "R1#"),
            ("terminal length 0", "R1#"),
        ],
    )
    .await;
    let sec = c
        .output("show running-config | section uplink", "R1#")
        .await;
    assert_eq!(
        lines(&sec),
        ["interface GigabitEthernet0/1", " description uplink-core"]
    );
    let cnt = c
        .output("show running-config | count ^interface", "R1#")
        .await;
    assert_eq!(cnt.trim(), "Number of lines which match regexp = 4");
    // `| section` is not a filter of Comware: the line is rejected there.
    let d2 = start("hp_comware", 0).await;
    let mut cw = ready(&d2, "<H3C>", &[("screen-length disable", "<H3C>")]).await;
    let out = cw
        .output("display current-configuration | section interface", "<H3C>")
        .await;
    assert!(out.contains("Unrecognized command"), "{out}");
}

#[tokio::test]
async fn comware_and_vrp_include_exclude_begin_count() {
    for (platform, prompt, paging) in [
        ("hp_comware", "<H3C>", "screen-length disable"),
        ("huawei", "<HUAWEI>", "screen-length 0 temporary"),
        ("huawei_vrpv8", "<HUAWEI>", "screen-length 0 temporary"),
    ] {
        let d = start(platform, 0).await;
        let mut c = ready(&d, prompt, &[(paging, prompt)]).await;
        let run = "display current-configuration";
        let inc = c.output(&format!("{run} | include sysname"), prompt).await;
        assert_eq!(lines(&inc).len(), 1, "{platform}: {inc:?}");
        assert!(inc.contains("sysname "), "{platform}: {inc:?}");
        let exc = c
            .output(&format!("{run} | exclude interface"), prompt)
            .await;
        assert!(
            !exc.contains("interface ") && exc.contains("sysname"),
            "{platform}"
        );
        let beg = c
            .output(&format!("{run} | begin user-interface|line vty"), prompt)
            .await;
        assert!(
            beg.starts_with("user-interface") || beg.starts_with("line vty"),
            "{platform}: {beg:?}"
        );
        let cnt = c.output(&format!("{run} | count ^interface"), prompt).await;
        let n = c
            .output(run, prompt)
            .await
            .lines()
            .filter(|l| l.starts_with("interface"))
            .count();
        assert!(
            cnt.contains(&format!("Total lines: {n}")),
            "{platform}: {cnt:?}"
        );
        d.stop().await;
    }
}

#[tokio::test]
async fn junos_match_except_count_display_set_no_more() {
    let d = start("juniper_junos", 400).await;
    let p = "admin@router1> ";
    let mut c = ready(&d, p, &[]).await;
    // Paging is on here: `| no-more` shows the whole output without the pager.
    c.send(b"show configuration\n").await;
    c.read_until("---(more)---", S).await.unwrap();
    c.send(b"q").await;
    c.read_until(p, S).await.unwrap();
    let all = c.output("show configuration | no-more", p).await;
    assert!(!all.contains("---(more)---") && all.lines().count() > 400);
    // `match` ignores case and takes alternatives; filters chain.
    let m = c
        .output("show configuration | match \"HOST-NAME|next-hop\"", p)
        .await;
    assert_eq!(
        lines(&m),
        [
            "    host-name router1;",
            "        route 0.0.0.0/0 next-hop 10.99.0.1;"
        ]
    );
    let e = c
        .output(
            "show configuration | match description | except access | count",
            p,
        )
        .await;
    assert_eq!(e.trim(), "Count: 2 lines");
    let set = c
        .output("show configuration | display set | match host-name", p)
        .await;
    assert_eq!(set.trim(), "set system host-name router1");
    let set = c
        .output("show configuration | display set | match ge-0/0/0", p)
        .await;
    assert!(
        set.contains("set interfaces ge-0/0/0 unit 0 family inet address 192.168.5.1/24\n"),
        "{set}"
    );
    // An unknown pipe is an error, not a silent pass-through.
    let bad = c.output("show configuration | frobnicate", p).await;
    assert!(
        bad.contains("unknown command") || bad.contains("syntax error"),
        "{bad}"
    );
}
