//! Structured output on a live session: `send_command_parsed` against the simulator with the
//! ntc-templates index (as the platform file names the platform there), a user's template
//! file, and what a command without a template gives. Also: every built-in platform's
//! `textfsm_platform` is a platform of the ntc-templates index.
//!
//! Needs ntc-templates (NET_TEXTFSM, else the package in NETKEEP_PYTHON's / python3's
//! site-packages); without it the tests print why and pass, unless NETKEEP_REQUIRE_SYSTEM_TOOLS
//! is set (CI).

mod common;

use common::{connect, start};
use netkeep_parse::Index;
use netkeep_session::{Command, Error, ErrorKind, Field, Templates};

fn index() -> Option<Index> {
    match netkeep_parse::template_dir().and_then(|d| Index::load(&d)) {
        Ok(i) => Some(i),
        Err(e) if std::env::var_os("NETKEEP_REQUIRE_SYSTEM_TOOLS").is_some() => {
            panic!("{e} and NETKEEP_REQUIRE_SYSTEM_TOOLS is set")
        }
        Err(e) => {
            eprintln!("skipping: {e}");
            None
        }
    }
}

fn values(records: &[netkeep_session::Record]) -> Vec<String> {
    records
        .iter()
        .flat_map(|r| r.values())
        .filter_map(|f| match f {
            Field::Text(s) => Some(s.clone()),
            Field::List(_) => None,
        })
        .collect()
}

/// Platforms ntc-templates (9.3) has no templates for at all.
const NO_TEMPLATES: [&str; 1] = ["dell_os10"];

#[test]
fn every_builtin_platform_names_a_platform_of_the_index() {
    let Some(index) = index() else { return };
    let has_rows = |p: &str| index.lookup_attrs(&[("Platform", p)]).is_some();
    for name in netkeep_platform::builtin_names() {
        let p = netkeep_platform::builtin(&name).unwrap();
        let t = p.textfsm_platform();
        if name == "generic" {
            assert!(!has_rows(t), "generic has no templates of its own");
        } else if NO_TEMPLATES.contains(&name.as_str()) {
            // Parsing says "no template" there; when ntc-templates gains some, this fails.
            assert!(!has_rows(t), "{name}: ntc-templates has rows now");
        } else {
            assert!(
                has_rows(t),
                "{name}: no ntc-templates rows for platform {t:?}"
            );
        }
    }
    // Netmiko's device_type for VRP finds nothing: why the platform file says huawei_vrp.
    assert!(!has_rows("huawei"));
}

#[tokio::test]
async fn vrp_output_parses_under_its_index_name() {
    if index().is_none() {
        return;
    }
    let dev = start("huawei", |_| {}).await;
    let s = connect(&dev, "huawei").await;
    let version = s.send_command_parsed("display version").await.unwrap();
    assert_eq!(version.len(), 1, "{version:?}");
    assert!(values(&version).iter().any(|v| v == "5.170"), "{version:?}");
    let brief = s
        .send_command_parsed("display interface brief")
        .await
        .unwrap();
    assert!(brief.len() > 1, "{brief:?}");
    assert!(
        brief.iter().all(|r| r.contains_key("interface")),
        "{brief:?}"
    );
    // No template: the parse fails, the output is kept, the message says what was looked up.
    let e = s
        .send_command_parsed("display current-configuration")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Parse);
    let msg = e.to_string();
    assert!(
        msg.contains("huawei_vrp") && msg.contains("display current-configuration"),
        "{msg}"
    );
    assert!(
        matches!(&e, Error::Parse { output, .. } if output.contains("sysname")),
        "{e:?}"
    );
    // The session is fine afterwards.
    assert!(s.send_command("display clock").await.is_ok());
    s.disconnect().await;
    dev.stop().await;
}

#[tokio::test]
async fn a_user_template_file_parses_a_command() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clock.textfsm");
    std::fs::write(
        &path,
        "Value TIME (\\d+:\\d+:\\d+)\nValue Required ZONE (\\S+)\n\nStart\n  ^${TIME}\\s+${ZONE} -> Record\n",
    )
    .unwrap();
    let dev = start("hp_comware", |_| {}).await;
    let s = connect(&dev, "hp_comware").await;
    let out = s.send_command("display clock").await.unwrap();
    let records = s
        .send_parsed(&Command::new("display clock"), &Templates::file(&path))
        .await
        .unwrap();
    assert_eq!(records.len(), 1, "{out}");
    let zone = records[0]["zone"].as_str().unwrap();
    assert!(out.contains(zone), "{zone} not in {out:?}");
    // A template that does not compile: a parse error naming the file and line, not a panic.
    std::fs::write(&path, "Value TIME (\\d+\n\nStart\n  ^x -> Record\n").unwrap();
    let e = s
        .send_parsed(&Command::new("display clock"), &Templates::file(&path))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Parse);
    assert!(e.to_string().contains("clock.textfsm line 1"), "{e}");
    s.disconnect().await;
    dev.stop().await;
}
