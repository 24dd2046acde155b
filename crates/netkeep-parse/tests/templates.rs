//! Where a parse's templates come from ([`Templates`]): an index directory, the user's own
//! files (recompiled when they change), the discovered ntc-templates index; lookups remembered.

mod common;

use std::path::Path;

use netkeep_parse::{shared_index, ErrorKind, Field, Templates};

const CLOCK: &str =
    "Value TIME (\\S+)\nValue ZONE (\\S+)\n\nStart\n  ^\\*?${TIME}\\s+${ZONE} -> Record\n";
const CLOCK_UPPER: &str =
    "Value TIME (\\S+)\nValue Zone (\\S+)\n\nStart\n  ^\\*?${TIME}\\s+${Zone} -> Record\n";

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn text(f: &Field) -> &str {
    f.as_str().unwrap()
}

#[test]
fn a_user_template_file_parses_and_is_recompiled_when_it_changes() {
    let dir = dir_with(&[("clock.textfsm", CLOCK)]);
    let path = dir.path().join("clock.textfsm");
    let t = Templates::file(&path);
    let r = t
        .parse("", "show clock", "*10:01:02.345 UTC Mon Mar 1 2021\n")
        .unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(text(&r[0]["zone"]), "UTC");
    // The same file again: the compiled template is reused (same Arc).
    let a = netkeep_parse::template_file(&path).unwrap();
    let b = netkeep_parse::template_file(&path).unwrap();
    assert!(std::sync::Arc::ptr_eq(&a, &b));
    // Rewritten (a different size): compiled afresh.
    std::fs::write(&path, format!("{CLOCK}\n# changed\n")).unwrap();
    let c = netkeep_parse::template_file(&path).unwrap();
    assert!(!std::sync::Arc::ptr_eq(&a, &c));
    // A missing file says which.
    let e = Templates::file(dir.path().join("nope.textfsm"))
        .parse("", "", "x")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(e.to_string().contains("nope.textfsm"), "{e}");
}

#[test]
fn several_files_merge_on_keys_like_an_index_row() {
    let a =
        "Value Key NAME (\\S+)\nValue STATE (up|down)\n\nStart\n  ^${NAME} is ${STATE} -> Record\n";
    let b = "Value Key NAME (\\S+)\nValue MTU (\\d+)\n\nStart\n  ^${NAME} mtu ${MTU} -> Record\n";
    let dir = dir_with(&[("a.textfsm", a), ("b.textfsm", b)]);
    let t = Templates::Files(vec![
        dir.path().join("a.textfsm"),
        dir.path().join("b.textfsm"),
    ]);
    let r = t
        .parse(
            "",
            "",
            "gi1 is up\ngi2 is down\ngi2 mtu 9000\ngi1 mtu 1500\n",
        )
        .unwrap();
    assert_eq!(
        serde_json::to_string(&r).unwrap(),
        r#"[{"name":"gi1","state":"up","mtu":"1500"},{"name":"gi2","state":"down","mtu":"9000"}]"#
    );
}

#[test]
fn an_index_directory_is_loaded_once_and_its_lookups_remembered() {
    let index = "Template, Hostname, Platform, Command\n\n\
                 clock.textfsm, .*, my_os, sh[[ow]] cl[[ock]]\n\
                 clock_upper.textfsm, .*, my_os, sh[[ow]] time\n";
    let dir = dir_with(&[
        ("index", index),
        ("clock.textfsm", CLOCK),
        ("clock_upper.textfsm", CLOCK_UPPER),
    ]);
    let t = Templates::IndexDir(dir.path().to_path_buf());
    let r = t.parse("my_os", " sh clo ", "10:01 CET\n").unwrap();
    assert_eq!(text(&r[0]["zone"]), "CET");
    // Keys are lower-cased whatever the template says.
    let r = t.parse("my_os", "show time", "10:01 CET\n").unwrap();
    assert_eq!(text(&r[0]["zone"]), "CET");
    let i1 = shared_index(Some(dir.path())).unwrap();
    let i2 = shared_index(Some(dir.path())).unwrap();
    assert!(std::sync::Arc::ptr_eq(&i1, &i2), "one index per directory");
    // Remembered lookups answer as the first did, found or not.
    for _ in 0..2 {
        assert_eq!(i1.lookup("my_os", "show clock").unwrap().line, 3);
        assert!(i1.lookup("my_os", "show version").is_none());
        assert!(i1.lookup("other_os", "show clock").is_none());
    }
    let e = t.parse("my_os", "show version", "x").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoTemplate);
    let msg = e.to_string();
    assert!(
        msg.contains("\"my_os\"") && msg.contains("show version") && msg.contains("index"),
        "{msg}"
    );
    let e = Templates::IndexDir(Path::new("/nonexistent-netkeep").into())
        .parse("my_os", "show clock", "x")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
}

/// The discovered index (NET_TEXTFSM, else ntc-templates) through the shared entry point.
#[test]
fn the_discovered_index_parses_and_is_shared() {
    let Some(_) = common::templates() else { return };
    let r = Templates::Index
        .parse(
            "cisco_ios",
            "show clock",
            "*10:01:02.345 UTC Mon Mar 1 2021\n",
        )
        .unwrap();
    assert_eq!(text(&r[0]["timezone"]), "UTC");
    let a = shared_index(None).unwrap();
    let b = shared_index(None).unwrap();
    assert!(std::sync::Arc::ptr_eq(&a, &b));
}
