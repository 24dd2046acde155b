//! netkeep-parse against Python textfsm 2.1.0 with ntc-templates 9.3.0: the same templates on
//! the same inputs must give exactly the same records (or both fail).

mod common;

use netkeep_parse::Index;
use serde_json::Value;

/// Every recorded output of the fixture corpus (`<platform>/<command>/*.raw`), looked up in the
/// index by platform and command and parsed: records equal to clitable's.
#[test]
fn fixture_corpus_matches_python_textfsm() {
    let (Some(py), Some(fixtures), Some(templates)) =
        (common::python(), common::fixtures(), common::templates())
    else {
        return;
    };
    let index = Index::load(&templates).expect("load the index");
    let cases = common::reference(
        &py,
        &[
            "corpus",
            fixtures.to_str().unwrap(),
            templates.to_str().unwrap(),
        ],
    );
    let cases = cases.as_array().expect("a list of cases");
    let mut failures = Vec::new();
    for case in cases {
        let file = case["file"].as_str().unwrap();
        let (platform, command) = (
            case["platform"].as_str().unwrap(),
            case["command"].as_str().unwrap(),
        );
        let raw = std::fs::read(fixtures.join(file)).unwrap();
        let raw = String::from_utf8_lossy(&raw);
        let row = index.lookup(platform, command);
        let ours_templates = row.map(|r| r.templates.as_str());
        if ours_templates != case["templates"].as_str() {
            failures.push(format!(
                "{file}: index gave {ours_templates:?}, Python {:?}",
                case["templates"]
            ));
            continue;
        }
        let ours = index.parse_output(platform, command, &raw);
        match (ours, case.get("records")) {
            (Ok(r), Some(expected)) => {
                let got = serde_json::to_value(&r).unwrap();
                if &got != expected {
                    failures.push(format!(
                        "{file}: records differ\n  ours:   {got}\n  python: {expected}"
                    ));
                }
            }
            (Err(e), Some(_)) => {
                failures.push(format!("{file}: we failed ({e}), Python parsed it"))
            }
            (Ok(_), None) => failures.push(format!(
                "{file}: Python failed ({}), we parsed it",
                case["error"]
            )),
            (Err(_), None) => {}
        }
    }
    eprintln!(
        "{} fixture cases compared, {} differ",
        cases.len(),
        failures.len()
    );
    assert!(
        cases.len() >= 500,
        "the corpus shrank: {} cases",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Every template of the installed ntc-templates compiles here exactly when it compiles in
/// Python.
#[test]
fn every_ntc_template_compiles_as_in_python() {
    let (Some(py), Some(templates)) = (common::python(), common::templates()) else {
        return;
    };
    let expected = common::reference(&py, &["compile", templates.to_str().unwrap()]);
    let expected = expected.as_object().expect("a map of template names");
    let mut failures = Vec::new();
    for (name, python_error) in expected {
        let ours = netkeep_parse::Template::from_file(&templates.join(name));
        match (ours, python_error) {
            (Ok(_), Value::Null) | (Err(_), Value::String(_)) => {}
            (Err(e), _) => failures.push(format!("{name}: {e}")),
            (Ok(_), e) => failures.push(format!("{name}: compiles here, Python says {e}")),
        }
    }
    eprintln!(
        "{} templates compiled, {} differ from Python",
        expected.len(),
        failures.len()
    );
    assert!(expected.len() >= 900, "only {} templates", expected.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The versions the comparison is pinned to.
#[test]
fn reference_versions_are_pinned() {
    let Some(py) = common::python() else { return };
    let v = common::reference(&py, &["versions"]);
    assert_eq!(v["textfsm"], "2.1.0", "{v}");
    assert_eq!(v["ntc-templates"], "9.3.0", "{v}");
}
