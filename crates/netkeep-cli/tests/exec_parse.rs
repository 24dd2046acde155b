//! `netkeep exec --parse` / `--template FILE` as a user runs it: records as a table or in
//! `--json` (`parsed`, `parse_note`), directly from an inventory and through the daemon.

mod common;

use common::{stdout, Lab};
use serde_json::Value;

const CLOCK: &str =
    "Value TIME (\\d+:\\d+:\\d+)\nValue Required ZONE (\\S+)\n\nStart\n  ^${TIME}\\s+${ZONE} -> Record\n";

fn first_output(doc: &Value) -> &Value {
    // The daemon's answer has devices with outputs; a direct session's document, commands.
    let r = &doc["results"][0];
    match r.get("outputs") {
        Some(o) => &o[0],
        None => r,
    }
}

#[test]
fn exec_parse_prints_records_directly_and_through_the_daemon() {
    let mut lab = Lab::new("exec-parse");
    lab.add("c1", "hp_comware", "", |_| {});
    let inv = lab.inventory(&[]);
    let t = lab.dir.path().join("clock.textfsm");
    std::fs::write(&t, CLOCK).unwrap();
    let (inv_s, t_s) = (inv.to_str().unwrap(), t.to_str().unwrap());

    // No daemon: a direct session from the inventory.
    let o = lab.nk(&[
        "exec",
        "-i",
        inv_s,
        "c1",
        "display clock",
        "--template",
        t_s,
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let c = first_output(&doc);
    assert_eq!(c["parsed"][0]["zone"], "UTC", "{doc}");
    assert!(c["output"].as_str().unwrap().contains("UTC"), "{doc}");
    let o = lab.nk(&[
        "exec",
        "-i",
        inv_s,
        "c1",
        "display clock",
        "--template",
        t_s,
    ]);
    let text = stdout(&o);
    assert!(
        text.starts_with("TIME") && text.contains("ZONE") && text.contains("UTC"),
        "{text}"
    );

    // Through the daemon, the template given relative to the caller's directory.
    let _daemon = lab.serve(&inv, &[]);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_netkeep"))
        .current_dir(lab.dir.path())
        .args([
            "exec",
            "c1",
            "display clock",
            "--template",
            "clock.textfsm",
            "--json",
        ])
        .env("NETKEEP_SOCKET", lab.socket())
        .env_remove("NETKEEP_INVENTORY")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(first_output(&doc)["parsed"][0]["zone"], "UTC", "{doc}");

    // A template that records nothing for this output: the output, and why, on stderr; exit 0.
    std::fs::write(&t, "Value X (nothing)\n\nStart\n  ^${X} -> Record\n").unwrap();
    let o = lab.nk(&["exec", "c1", "display clock", "--template", t_s]);
    assert!(o.status.success());
    assert_eq!(stdout(&o).trim(), "(no records)");
    // A missing template: the output is printed, the note says why.
    let absent = lab.dir.path().join("absent.textfsm");
    let o = lab.nk(&[
        "exec",
        "c1",
        "display clock",
        "--template",
        absent.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("UTC"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("not parsed") && err.contains("absent.textfsm"),
        "{err}"
    );
}
