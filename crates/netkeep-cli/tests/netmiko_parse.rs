//! netkeep's parsed output against Netmiko 4.8's `send_command(..., use_textfsm=True)` on the
//! simulator, for every show command of the simulator-fidelity list that the simulator answers
//! and ntc-templates has a template for (Comware, VRP, IOS, NX-OS, EOS, Junos; see [`CASES`]):
//! - on the output Netmiko received, netkeep's engine gives exactly Netmiko's records;
//! - `netkeep exec --parse --json` on its own session gives the same records (values that tell
//!   the time excepted: the two sessions run seconds apart), at least one per command;
//! - VRP: Netmiko's call with `device_type="huawei"` finds no template (the index says
//!   `huawei_vrp`); netkeep finds it, and agrees with Netmiko given `huawei_vrp`.
//!
//! Needs the Python of NETKEEP_PYTHON with netmiko 4.8, textfsm and ntc-templates (`.ci/run`
//! makes one). Unset: the test says so and passes, unless NETKEEP_REQUIRE_SYSTEM_TOOLS=1.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{stdout, Lab};
use netkeep_parse::Templates;
use serde_json::{json, Value};

/// Per simulated platform (Netmiko's device_type), the ntc-templates platform and the commands:
/// every show command of the simulator-fidelity issue's list (issue 13) that the simulator
/// answers and ntc-templates has a template for. Left out, with Python's CliTable agreeing:
/// commands with no template (Comware `display version`, the configurations), and commands the
/// index routes to a template written for another command's output, which then hits its
/// `Error` state on the real output: Comware `display ip interface brief` (the detailed
/// `display ip interface` template), VRP `display ip interface brief`, `display arp`,
/// `display ip routing-table` and `display clock` (its `dir` template), VRP `display lldp
/// neighbor brief` (the detailed template: `display lldp neighbor` is tested instead), Junos
/// `show interfaces terse` (the detailed `show interfaces` template).
const CASES: &[(&str, &str, &[&str])] = &[
    (
        "hp_comware",
        "hp_comware",
        &[
            "display clock",
            "display interface brief",
            "display interface",
            "display arp",
            "display mac-address",
            "display vlan all",
            "display vlan brief",
            "display lldp neighbor-information list",
            "display ip routing-table",
        ],
    ),
    (
        "huawei",
        "huawei_vrp",
        &[
            "display version",
            "display interface brief",
            "display arp all",
            "display vlan",
            "display lldp neighbor",
            "display mac-address",
        ],
    ),
    (
        "cisco_ios",
        "cisco_ios",
        &[
            "show version",
            "show ip interface brief",
            "show interfaces",
            "show ip route",
            "show arp",
            "show ip arp",
            "show cdp neighbors detail",
            "show clock",
        ],
    ),
    (
        "cisco_nxos",
        "cisco_nxos",
        &[
            "show version",
            "show ip interface brief",
            "show interface",
            "show interface brief",
            "show ip route",
            "show ip arp",
            "show cdp neighbors detail",
            "show lldp neighbors",
            "show vlan",
            "show mac address-table",
            "show clock",
        ],
    ),
    (
        "arista_eos",
        "arista_eos",
        &[
            "show version",
            "show ip interface brief",
            "show interfaces",
            "show ip route",
            "show ip arp",
            "show lldp neighbors",
            "show vlan",
            "show mac address-table",
            "show clock",
        ],
    ),
    (
        "juniper_junos",
        "juniper_junos",
        &[
            "show version",
            "show interfaces",
            "show arp no-resolve",
            "show lldp neighbors",
            "show ethernet-switching table",
            "show vlans",
        ],
    ),
];

fn python() -> Option<String> {
    match std::env::var("NETKEEP_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ if std::env::var("NETKEEP_REQUIRE_SYSTEM_TOOLS").is_ok_and(|v| v == "1") => {
            panic!("NETKEEP_PYTHON is unset and NETKEEP_REQUIRE_SYSTEM_TOOLS=1: set it to a Python with netmiko==4.8.0, textfsm==2.1.0 and ntc-templates (see .ci/run)")
        }
        _ => {
            eprintln!("skipping: NETKEEP_PYTHON is unset (a Python with netmiko==4.8.0, textfsm==2.1.0, ntc-templates)");
            None
        }
    }
}

/// Netmiko's answers for `commands` on the device at `port`.
fn netmiko(py: &str, port: u16, device_type: &str, ntc: &str, commands: &[&str]) -> Vec<Value> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/netmiko_parse.py");
    let mut child = Command::new(py)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("NETKEEP_PYTHON runs");
    let spec = json!({ "port": port, "device_type": device_type, "template_platform": ntc,
                       "commands": commands });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(spec.to_string().as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["results"].as_array().unwrap().clone()
}

/// The records with the fields that tell the time removed.
fn timeless(records: &Value) -> Value {
    let mut r = records.clone();
    for rec in r.as_array_mut().into_iter().flatten() {
        if let Some(m) = rec.as_object_mut() {
            m.retain(|k, _| !k.contains("time"));
        }
    }
    r
}

#[test]
fn netkeep_and_netmiko_parse_the_same_records() {
    let Some(py) = python() else { return };
    let mut lab = Lab::new("netmiko-parse");
    for (platform, _, _) in CASES {
        lab.add(platform, platform, "", |_| {});
    }
    let pw = lab.dir.path().join("pw");
    for (platform, ntc, commands) in CASES {
        let port = lab.port(platform);
        let theirs = netmiko(&py, port, platform, ntc, commands);
        let port_s = port.to_string();
        let mut args = vec![
            "exec",
            "--host",
            "127.0.0.1",
            "--port",
            &port_s,
            "--platform",
            platform,
            "--username",
            "admin",
            "--password-file",
            pw.to_str().unwrap(),
            "--host-key-policy",
            "insecure",
            "--parse",
            "--json",
        ];
        args.extend(commands.iter().copied());
        let o = lab.nk(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
        for (i, t) in theirs.iter().enumerate() {
            let cmd = commands[i];
            let records = &t["records"];
            assert!(
                records.as_array().is_some_and(|r| !r.is_empty()),
                "{platform} {cmd}: Netmiko: {t}"
            );
            // Same output in, same records out.
            let ours = Templates::Index.parse(ntc, cmd, t["output"].as_str().unwrap());
            let ours = serde_json::to_value(ours.unwrap()).unwrap();
            assert_eq!(
                &ours, records,
                "{platform} {cmd}: netkeep-parse on Netmiko's output"
            );
            // netkeep's own session, parsed.
            let mine = &doc["results"][i];
            assert_eq!(mine["command"], cmd);
            assert!(mine["parse_note"].is_null(), "{platform} {cmd}: {mine}");
            assert_eq!(
                timeless(&mine["parsed"]),
                timeless(records),
                "{platform} {cmd}: exec --parse"
            );
            // Netmiko's own call: records where the device_type is the index's name, else text.
            match *platform == *ntc {
                true => assert_eq!(
                    timeless(&t["use_textfsm"]),
                    timeless(records),
                    "{platform} {cmd}"
                ),
                false => assert!(t["use_textfsm"].is_null(), "{platform} {cmd}: {t}"),
            }
        }
    }
}
