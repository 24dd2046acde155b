//! The commands users run and parse: each generated from the device's state, parsed by the
//! ntc-templates template Python's CliTable picks for it (textfsm 2.1.0, ntc-templates 9.3.0,
//! through `tests/ntc_parse.py`): at least one record, with the values the test configured.
//! Where ntc-templates has no template, or its index sends a command to another command's
//! template (a quirk CliTable reproduces), the test says so instead.
//!
//! Python comes from NETKEEP_PYTHON (else `python3`); without textfsm and ntc-templates the test
//! is skipped, unless NETKEEP_REQUIRE_SYSTEM_TOOLS is set.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::Cli;
use netkeep_sim::{DeviceConfig, SimDevice};

const S: Duration = Duration::from_secs(5);

/// What ntc-templates makes of a command's output.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// Records, with each of these values in one of them.
    Records(&'static [&'static str]),
    /// The index has no template for the command.
    NoTemplate,
    /// The index sends the command to this template (another command's).
    Routed(&'static str),
}
use Want::{NoTemplate, Records, Routed};

type Steps = &'static [(&'static str, &'static str)];

/// One platform: how to get to its exec prompt, the state to configure, the commands.
struct Case {
    platform: &'static str,
    /// ntc-templates' name for it.
    ntc: &'static str,
    first: &'static str,
    prompt: &'static str,
    login: Steps,
    setup: Steps,
    checks: &'static [(&'static str, Want)],
}

const COMWARE: Case = Case {
    platform: "hp_comware",
    ntc: "hp_comware",
    first: "<H3C>",
    prompt: "<H3C>",
    login: &[("screen-length disable", "<H3C>")],
    setup: &[
        ("system-view", "[H3C]"),
        ("vlan 120", "]"),
        ("name ntc-vlan", "]"),
        ("interface GigabitEthernet1/0/2", "]"),
        ("description ntc-desc-cw", "]"),
        ("port access vlan 120", "]"),
        ("ip route-static 10.50.0.0 16 10.99.0.1", "[H3C]"),
        ("return", "<H3C>"),
    ],
    checks: &[
        ("display version", NoTemplate),
        ("display clock", Records(&["UTC"])),
        ("display interface brief", Records(&["ntc-desc-cw"])),
        (
            "display ip interface brief",
            Routed("hp_comware_display_ip_interface.textfsm"),
        ),
        ("display interface", Records(&["ntc-desc-cw", "120"])),
        (
            "display interface GigabitEthernet1/0/2",
            Records(&["ntc-desc-cw"]),
        ),
        ("display arp", Records(&["192.168.1.10"])),
        ("display mac-address", Records(&["2c23-3a40-7e18"])),
        ("display vlan all", Records(&["120", "ntc-vlan"])),
        ("display vlan brief", Records(&["120"])),
        (
            "display lldp neighbor-information list",
            Records(&["core-sw1"]),
        ),
        (
            "display ip routing-table",
            Records(&["10.50.0.0", "10.99.0.0"]),
        ),
        ("display current-configuration", NoTemplate),
        (
            "display current-configuration interface GigabitEthernet1/0/2",
            NoTemplate,
        ),
    ],
};

const VRP: Case = Case {
    platform: "huawei",
    ntc: "huawei_vrp",
    first: "<HUAWEI>",
    prompt: "<HUAWEI>",
    login: &[("screen-length 0 temporary", "<HUAWEI>")],
    setup: &[
        ("system-view", "[HUAWEI]"),
        ("vlan 120", "]"),
        ("name ntc-vlan", "]"),
        ("interface GigabitEthernet0/0/2", "]"),
        ("description ntc-desc-vrp", "]"),
        ("shutdown", "]"),
        (
            "ip route-static 10.50.0.0 255.255.0.0 10.99.0.1",
            "[HUAWEI]",
        ),
        ("return", "<HUAWEI>"),
    ],
    checks: &[
        ("display version", Records(&["5.170"])),
        (
            "display interface brief",
            Records(&["GigabitEthernet0/0/2", "*down"]),
        ),
        (
            "display ip interface brief",
            Routed("huawei_vrp_dir.textfsm"),
        ),
        ("display arp all", Records(&["192.168.2.10"])),
        ("display arp", Routed("huawei_vrp_dir.textfsm")),
        ("display vlan", Records(&["120", "ntc-vlan"])),
        ("display mac-address", Records(&["b8d6-f6ff-739b"])),
        (
            "display lldp neighbor brief",
            Routed("huawei_vrp_display_lldp_neighbor.textfsm"),
        ),
        ("display lldp neighbor", Records(&["core-sw1"])),
        ("display ip routing-table", Routed("huawei_vrp_dir.textfsm")),
        (
            "display current-configuration",
            Routed("huawei_vrp_dir.textfsm"),
        ),
    ],
};

const IOS: Case = Case {
    platform: "cisco_ios",
    ntc: "cisco_ios",
    first: "R1>",
    prompt: "R1#",
    login: &[
        ("enable", "Password: "),
        ("admin", "R1#"),
        ("terminal length 0", "R1#"),
    ],
    setup: &[
        ("configure terminal", "R1(config)#"),
        ("vlan 120", "R1(config-vlan)#"),
        ("name ntc-vlan", "R1(config-vlan)#"),
        ("interface GigabitEthernet0/2", "R1(config-if)#"),
        ("description ntc-desc-ios", "R1(config-if)#"),
        ("ip address 10.77.0.1 255.255.255.0", "R1(config-if)#"),
        ("no shutdown", "R1(config-if)#"),
        ("ip route 10.50.0.0 255.255.0.0 10.99.0.1", "R1(config)#"),
        ("end", "R1#"),
    ],
    checks: &[
        ("show version", Records(&["R1", "15.7(3)M8"])),
        ("show clock", Records(&["UTC"])),
        ("show ip interface brief", Records(&["10.77.0.1"])),
        ("show interfaces", Records(&["ntc-desc-ios", "10.77.0.1"])),
        (
            "show interfaces GigabitEthernet0/2",
            Records(&["ntc-desc-ios"]),
        ),
        ("show interfaces description", Records(&["ntc-desc-ios"])),
        ("show ip route", Records(&["10.50.0.0", "10.77.0.0"])),
        ("show arp", Records(&["192.168.3.10"])),
        ("show ip arp", Records(&["192.168.3.10"])),
        (
            "show cdp neighbors detail",
            Records(&["core-sw1.lab.local"]),
        ),
        ("show lldp neighbors", Records(&["core-sw1"])),
        ("show mac address-table", Records(&["0050.56a0.2b11"])),
        ("show vlan", Records(&["120", "ntc-vlan"])),
        ("show running-config", NoTemplate),
    ],
};

const NXOS: Case = Case {
    platform: "cisco_nxos",
    ntc: "cisco_nxos",
    first: "switch# ",
    prompt: "switch# ",
    login: &[("terminal length 0", "switch# ")],
    setup: &[
        ("configure terminal", "switch(config)# "),
        ("vlan 120", "switch(config-vlan)# "),
        ("name ntc-vlan", "switch(config-vlan)# "),
        ("interface Ethernet1/2", "switch(config-if)# "),
        ("description ntc-desc-nx", "switch(config-if)# "),
        ("vrf context management", "switch(config-vrf)# "),
        ("ip route 10.50.0.0/16 10.99.0.1", "switch(config-vrf)# "),
        ("end", "switch# "),
    ],
    checks: &[
        ("show version", Records(&["switch", "9.3(12)"])),
        ("show clock", Records(&["UTC"])),
        ("show ip interface brief", Records(&["192.168.4.1"])),
        (
            "show ip interface brief vrf management",
            Records(&["10.99.0.5"]),
        ),
        ("show interface brief", Records(&["Eth1/2", "mgmt0"])),
        ("show interface", Records(&["ntc-desc-nx"])),
        ("show ip route", Records(&["192.168.4.0"])),
        ("show ip route vrf management", Records(&["10.50.0.0"])),
        ("show ip arp", Records(&["192.168.4.10"])),
        ("show cdp neighbors detail", Records(&["core-sw1"])),
        ("show lldp neighbors", Records(&["core-sw1"])),
        ("show mac address-table", Records(&["0050.56a0.2b11"])),
        ("show vlan", Records(&["120", "ntc-vlan"])),
        ("show running-config", NoTemplate),
    ],
};

const EOS: Case = Case {
    platform: "arista_eos",
    ntc: "arista_eos",
    first: "arista1>",
    prompt: "arista1#",
    login: &[("enable", "arista1#"), ("terminal length 0", "arista1#")],
    setup: &[
        ("configure terminal", "arista1(config)#"),
        ("vlan 120", "arista1(config-vlan-120)#"),
        ("name ntc-vlan", "arista1(config-vlan-120)#"),
        ("interface Ethernet2", "arista1(config-if-Et2)#"),
        ("description ntc-desc-eos", "arista1(config-if-Et2)#"),
        ("ip route 10.50.0.0/16 10.99.0.1", "arista1(config)#"),
        ("end", "arista1#"),
    ],
    checks: &[
        ("show version", Records(&["DCS-7050SX3-48YC8-F"])),
        ("show clock", Records(&["UTC"])),
        ("show ip interface brief", Records(&["10.99.0.7/24"])),
        ("show interfaces", Records(&["ntc-desc-eos"])),
        ("show interfaces description", Records(&["ntc-desc-eos"])),
        ("show ip route", Records(&["10.50.0.0"])),
        ("show ip arp", Records(&["192.168.6.10"])),
        ("show lldp neighbors", Records(&["core-sw1"])),
        ("show mac address-table", Records(&["0050.56a0.2b11"])),
        ("show vlan", Records(&["120", "ntc-vlan"])),
        ("show running-config", NoTemplate),
    ],
};

const JUNOS: Case = Case {
    platform: "juniper_junos",
    ntc: "juniper_junos",
    first: "admin@router1> ",
    prompt: "admin@router1> ",
    login: &[("set cli screen-length 0", "admin@router1> ")],
    setup: &[
        ("configure", "admin@router1# "),
        (
            "set interfaces ge-0/0/1 description ntc-desc-junos",
            "admin@router1# ",
        ),
        ("set vlans ntc-vlan vlan-id 120", "admin@router1# "),
        (
            "set routing-options static route 10.50.0.0/16 next-hop 10.99.0.1",
            "admin@router1# ",
        ),
        ("commit and-quit", "admin@router1> "),
    ],
    checks: &[
        ("show version", Records(&["router1", "mx204"])),
        ("show system uptime", Records(&["UTC"])),
        ("show interfaces", Records(&["ntc-desc-junos"])),
        ("show interfaces ge-0/0/1", Records(&["ntc-desc-junos"])),
        (
            "show interfaces terse",
            Routed("juniper_junos_show_interfaces.textfsm"),
        ),
        ("show arp no-resolve", Records(&["192.168.5.10"])),
        ("show route", NoTemplate),
        (
            "show ethernet-switching table",
            Records(&["00:50:56:a0:2b:11"]),
        ),
        ("show lldp neighbors", Records(&["core-sw1"])),
        ("show vlans", Records(&["ntc-vlan", "120"])),
        ("show configuration", NoTemplate),
    ],
};

/// SR OS MD-CLI: the context line above the prompt is part of it.
const SROS: Case = Case {
    platform: "alcatel_sros",
    ntc: "alcatel_sros",
    first: "\r\n[/]\r\nA:admin@pe1# ",
    prompt: "\r\n[/]\r\nA:admin@pe1# ",
    login: &[("environment more false", "\r\n[/]\r\nA:admin@pe1# ")],
    setup: &[
        ("edit-config private", "(pr)[/]\r\nA:admin@pe1# "),
        (
            "/configure port 1/1/3 description \"ntc-desc-sros\"",
            "*(pr)[/]\r\nA:admin@pe1# ",
        ),
        ("commit", "(pr)[/]\r\nA:admin@pe1# "),
        ("quit-config", "\r\n[/]\r\nA:admin@pe1# "),
    ],
    checks: &[
        ("show version", NoTemplate),
        ("show port", Records(&["1/1/4", "Down"])),
        (
            "show port description",
            Records(&["ntc-desc-sros", "to-pe2"]),
        ),
        ("show router interface", Records(&["to-pe3", "1/1/2"])),
        ("show lag", Records(&["lag-access"])),
        ("show router isis adjacency", Records(&["pe3", "L1L2"])),
        ("show router arp", NoTemplate),
        ("admin show configuration", NoTemplate),
    ],
};

/// SmartAX, with the `{ <cr>|... }:` questions off as Netmiko and netkeep turn them off.
const SMARTAX: Case = Case {
    platform: "huawei_smartax",
    ntc: "huawei_smartax",
    first: "MA5600T>",
    prompt: "MA5600T#",
    login: &[
        ("enable", "MA5600T#"),
        ("undo smart", "MA5600T#"),
        ("scroll", "MA5600T#"),
    ],
    setup: &[],
    checks: &[
        ("display version", Records(&["MA5600V800R018C10", "SPH210"])),
        ("display board 0", Records(&["H901MPLA", "Standby_normal"])),
        ("display sysuptime", Records(&[])),
        ("display mac-address all", Records(&["00e0-fc12-789a"])),
        ("display service-port all", Records(&["13", "down"])),
        ("display current-configuration", NoTemplate),
    ],
};

/// The Python with textfsm and ntc-templates, or `None` (the test is then skipped).
fn python() -> Option<String> {
    let py = std::env::var("NETKEEP_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&py)
        .args(["-c", "import textfsm, ntc_templates"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(py);
    }
    if std::env::var_os("NETKEEP_REQUIRE_SYSTEM_TOOLS").is_some() {
        panic!("{py} lacks textfsm/ntc-templates and NETKEEP_REQUIRE_SYSTEM_TOOLS is set");
    }
    eprintln!("skipping: {py} has no textfsm/ntc-templates (set NETKEEP_PYTHON)");
    None
}

/// Runs a case on a fresh device: every check's output, in order.
async fn outputs(case: &Case) -> Vec<String> {
    let d = SimDevice::start(
        DeviceConfig::new(case.platform),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let mut c = Cli::connect(d.addr()).await;
    c.read_until(case.first, S).await.unwrap();
    for (cmd, prompt) in case.login.iter().chain(case.setup) {
        let out = c.cmd(cmd, prompt).await;
        assert!(
            !out.contains("nvalid") && !out.contains("nrecognized"),
            "{} {cmd:?}: {out:?}",
            case.platform
        );
    }
    let mut outs = Vec::new();
    for (cmd, _) in case.checks {
        outs.push(c.output(cmd, case.prompt).await);
    }
    d.stop().await;
    outs
}

fn parse_all(py: &str, items: &serde_json::Value) -> serde_json::Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ntc_parse.py");
    let mut child = Command::new(py)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ntc_parse.py");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(items.to_string().as_bytes())
        .expect("write");
    drop(stdin);
    let out = child.wait_with_output().expect("ntc_parse.py");
    assert!(
        out.status.success(),
        "ntc_parse.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("ntc_parse.py JSON")
}

/// Every value of a record, lists flattened.
fn values(rec: &serde_json::Value) -> Vec<String> {
    let mut v = Vec::new();
    for x in rec.as_object().into_iter().flat_map(|o| o.values()) {
        match x {
            serde_json::Value::Array(a) => {
                v.extend(a.iter().filter_map(|s| s.as_str()).map(String::from))
            }
            serde_json::Value::String(s) => v.push(s.clone()),
            _ => {}
        }
    }
    v
}

fn check(case: &Case, cmd: &str, want: Want, out: &str, r: &serde_json::Value) {
    let what = format!("{} {cmd:?}", case.platform);
    let template = r["template"].as_str();
    match want {
        NoTemplate => assert_eq!(template, None, "{what}: {r}"),
        Routed(t) => assert_eq!(template, Some(t), "{what}: {r}"),
        Records(vals) => {
            assert!(template.is_some(), "{what}: no template: {r}");
            assert!(r["error"].is_null(), "{what}: {}\n{out}", r["error"]);
            let recs = r["records"].as_array().cloned().unwrap_or_default();
            assert!(!recs.is_empty(), "{what}: no records from\n{out}");
            for v in vals {
                assert!(
                    recs.iter().any(|rec| values(rec).iter().any(|x| x == v)),
                    "{what}: {v:?} in no record: {recs:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn show_commands_parse_with_ntc_templates() {
    let Some(py) = python() else {
        return;
    };
    let cases = [COMWARE, VRP, IOS, NXOS, EOS, JUNOS, SROS, SMARTAX];
    let mut items = Vec::new();
    let mut all = Vec::new();
    for case in &cases {
        let outs = outputs(case).await;
        for ((cmd, want), out) in case.checks.iter().zip(outs) {
            items.push(serde_json::json!({"platform": case.ntc, "command": cmd, "output": out}));
            all.push((case, *cmd, *want, out));
        }
    }
    let parsed = parse_all(&py, &serde_json::Value::Array(items));
    let v = &parsed["versions"];
    if v["textfsm"] != "2.1.0" || v["ntc_templates"] != "9.3.0" {
        eprintln!("note: expectations are for textfsm 2.1.0 / ntc-templates 9.3.0; found {v}");
    }
    let results = parsed["results"].as_array().expect("results");
    for ((case, cmd, want, out), r) in all.iter().zip(results) {
        check(case, cmd, *want, out, r);
    }
}
