//! `netkeep parse` as a user runs it: an index directory of our own, a template file, stdin.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_netkeep");

const VERSION_TEMPLATE: &str = "\
Value Key HOSTNAME (\\S+)
Value VERSION (\\S+)
Value List MODULES (\\S+)

Start
  ^${HOSTNAME} uptime is
  ^Version ${VERSION}
  ^module ${MODULES}
  ^boom -> Error \"unexpected boom\"
";

const SERIAL_TEMPLATE: &str = "\
Value Key HOSTNAME (\\S+)
Value SERIAL (\\S+)

Start
  ^${HOSTNAME} uptime is
  ^Serial ${SERIAL}
";

const OUTPUT: &str = "r1 uptime is 3 weeks\nVersion 15.2(4)\nmodule A\nmodule B\nSerial FOX123\n";

/// A template directory with an index: `sh[[ow]] ver[[sion]]` maps to two templates merged on
/// HOSTNAME.
fn index_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("netkeep-parse-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("ver.textfsm"), VERSION_TEMPLATE).unwrap();
    std::fs::write(d.join("serial.textfsm"), SERIAL_TEMPLATE).unwrap();
    std::fs::write(
        d.join("index"),
        "# test index\nTemplate, Hostname, Platform, Command\n\n\
         ver.textfsm:serial.textfsm, .*, demo_os, sh[[ow]] ver[[sion]]\n",
    )
    .unwrap();
    d
}

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("NET_TEXTFSM")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn index_lookup_with_abbreviation_merges_templates() {
    let d = index_dir("lookup");
    let out = run(
        &[
            "parse",
            "--platform",
            "demo_os",
            "--command",
            "sh ver",
            "--index-dir",
            s(&d),
            "-",
        ],
        OUTPUT,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let want = serde_json::json!([{
        "hostname": "r1", "version": "15.2(4)", "modules": ["A", "B"], "serial": "FOX123"
    }]);
    assert_eq!(got, want);
}

#[test]
fn no_template_names_platform_command_and_index() {
    let d = index_dir("missing");
    let out = run(
        &[
            "parse",
            "--platform",
            "demo_os",
            "--command",
            "show clock",
            "--index-dir",
            s(&d),
        ],
        OUTPUT,
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("\"demo_os\"") && err.contains("\"show clock\""),
        "{err}"
    );
    assert!(err.contains(s(&d.join("index"))), "{err}");
}

#[test]
fn error_action_reports_template_state_and_input_line() {
    let d = index_dir("error");
    let file = d.join("out.txt");
    std::fs::write(&file, "r1 uptime is 1 day\nboom\n").unwrap();
    let tpl = d.join("ver.textfsm");
    let out = run(&["parse", "--template", s(&tpl), s(&file)], "");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for part in [
        s(&tpl),
        "unexpected boom",
        "state Start",
        "input line 2",
        "\"boom\"",
    ] {
        assert!(err.contains(part), "missing {part:?} in {err}");
    }
}

#[test]
fn malformed_template_is_located() {
    let d = index_dir("bad");
    let tpl = d.join("bad.textfsm");
    std::fs::write(
        &tpl,
        "Value A (\\d+)\n\nStart\n  ^${A} -> Record\n  ^x -> Jump Over Here\n",
    )
    .unwrap();
    let out = run(&["parse", "--template", s(&tpl)], "1\n");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{} line 5", s(&tpl))), "{err}");
}
