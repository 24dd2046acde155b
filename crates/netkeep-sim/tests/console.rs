//! The simulator's CLI without a network (`Console`): the engine the SSH and telnet servers
//! drive, typed at directly.

use netkeep_sim::{Console, DeviceConfig};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn console_starts_at_the_prompt_and_runs_commands_on_every_platform() {
    for platform in netkeep_sim::platforms() {
        let mut c = Console::new(DeviceConfig::new(platform)).expect("built-in personality");
        assert!(!c.greeting.is_empty(), "{platform}: no first prompt");
        let out = text(&c.type_bytes(b"\r"));
        assert!(
            !out.trim().is_empty(),
            "{platform}: Enter answered with nothing"
        );
        assert!(!c.is_closed(), "{platform}: closed after Enter");
    }
}

#[test]
fn control_keys_typed_inside_an_escape_sequence_still_act() {
    // Found by fuzzing: "ESC [" then Enter left Enter inside the sequence, and the device
    // answered nothing. Terminals act on control bytes typed mid-sequence.
    let mut c = Console::new(DeviceConfig::new("hp_comware")).expect("comware");
    let out = text(&c.type_bytes(b"display clock\x1b[\r"));
    assert!(out.contains("<H3C>"), "no prompt after Enter: {out:?}");
    assert!(
        out.contains(":"),
        "the command did not run (no clock in {out:?})"
    );
    let out = text(&c.type_bytes(b"\x1b\x03"));
    assert!(
        out.contains("<H3C>"),
        "Ctrl-C after ESC did nothing: {out:?}"
    );
}

#[test]
fn logout_closes_the_console() {
    let mut c = Console::new(DeviceConfig::new("hp_comware")).expect("comware");
    c.type_bytes(b"quit\r");
    assert!(c.is_closed());
    assert!(c.type_bytes(b"display clock\r").is_empty());
}
