//! Malformed templates and hostile inputs give located errors (template, line), never a panic.

use netkeep_parse::{Error, ErrorKind, Template};

fn template_error(text: &str) -> (usize, String) {
    match Template::parse("t.textfsm", text) {
        Err(Error::Template {
            template,
            line,
            message,
        }) => {
            assert_eq!(template, "t.textfsm");
            (line, message)
        }
        other => panic!("expected a template error, got {other:?}"),
    }
}

#[test]
fn bad_value_line() {
    let (line, msg) =
        template_error("Value A (\\d+)\nValue Fillsideways B (x)\n\nStart\n  ^${A}\n");
    assert_eq!(line, 2);
    assert!(msg.contains("Unknown option \"Fillsideways\""), "{msg}");
    let (line, msg) = template_error("Value Key A \\d+\n\nStart\n  ^${A}\n");
    assert_eq!(line, 1);
    assert!(msg.contains("'()' pair"), "{msg}");
}

#[test]
fn unknown_action() {
    let (line, msg) = template_error(
        "Value A (\\d+)\n\nStart\n  ^${A} -> Record\n  ^x -> Jump\n  ^y -> Next.Recordd\n",
    );
    assert_eq!(line, 6, "{msg}");
    assert!(msg.contains("Badly formatted rule"), "{msg}");
}

#[test]
fn missing_start_and_unknown_state() {
    let (line, msg) = template_error("Value A (\\d+)\n\nBegin\n  ^${A} -> Record\n");
    assert_eq!(line, 0);
    assert!(msg.contains("Missing state 'Start'"), "{msg}");
    let (_, msg) = template_error("Value A (\\d+)\n\nStart\n  ^${A} -> Nowhere\n");
    assert!(msg.contains("State 'Nowhere' not found"), "{msg}");
}

#[test]
fn regex_that_does_not_compile() {
    let (line, msg) = template_error("Value A (\\d+)\n\nStart\n  ^${A}(unclosed\n");
    assert_eq!(line, 4);
    assert!(msg.contains("missing ), unterminated subpattern"), "{msg}");
    let (line, msg) = template_error("Value A (\\d+\\q)\n\nStart\n  ^${A}\n");
    assert_eq!(line, 1);
    assert!(msg.contains("bad escape \\q"), "{msg}");
}

#[test]
fn deeply_nested_groups_are_refused_not_overflowed() {
    let deep = format!("{}a{}", "(".repeat(100_000), ")".repeat(100_000));
    let (line, msg) = template_error(&format!("Value A (x)\n\nStart\n  ^{deep}\n"));
    assert_eq!(line, 4);
    assert!(msg.contains("nested too deeply"), "{msg}");
}

#[test]
fn megabyte_lines() {
    // A 1 MB rule line compiles or is refused with its line; a 1 MB input line parses.
    let long_rule = format!(
        "Value A (\\d+)\n\nStart\n  ^{}${{A}} -> Record\n",
        "ab".repeat(500_000)
    );
    match Template::parse("t.textfsm", &long_rule) {
        Ok(t) => assert!(t.parse_output("ab1\n").is_ok()),
        Err(e) => assert_eq!(e.kind(), ErrorKind::Template),
    }
    let t = Template::parse(
        "t.textfsm",
        "Value A (\\S+)\nValue B (.*)\n\nStart\n  ^(?P<X>x)?${A}\\s+${B}$$ -> Record\n",
    )
    .unwrap();
    let line = format!("{} {}\n", "x".repeat(1 << 20), "é".repeat(1 << 19));
    let records = t.parse_output(&line).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["a"].as_str().map(str::len), Some((1 << 20) - 1));
}

#[test]
fn error_action_is_located_in_template_and_input() {
    let t = Template::parse(
        "t.textfsm",
        "Value A (\\d+)\n\nStart\n  ^${A} -> Record\n  ^bad -> Error \"unexpected\"\n",
    )
    .unwrap();
    match t.parse_output("1\n2\nbad\n3\n") {
        Err(Error::ErrorAction {
            template,
            state,
            rule_line,
            message,
            input_line,
            line,
        }) => {
            assert_eq!(
                (template.as_str(), state.as_str(), rule_line),
                ("t.textfsm", "Start", 5)
            );
            assert_eq!(message.as_deref(), Some("\"unexpected\""));
            assert_eq!((input_line, line.as_str()), (3, "bad"));
        }
        other => panic!("{other:?}"),
    }
}
