//! Writing results: outputs to stdout (a closed pipe ends the program quietly), messages to
//! stderr, each once.

/// Prints a line to stdout; a closed pipe (`| head`) ends the output quietly.
pub fn print_out(text: &str) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    if writeln!(o, "{text}").is_err() {
        std::process::exit(0);
    }
}

/// Prints `netkeep: DEVICE: MESSAGE` to stderr; a message that already starts with the device
/// name (the library's and the daemon's do) is not prefixed again.
pub fn report(device: &str, message: &str) {
    eprintln!("netkeep: {}", about(device, message));
}

/// `message`, prefixed with `device: ` unless it already starts that way.
pub fn about(device: &str, message: &str) -> String {
    if message
        .strip_prefix(device)
        .is_some_and(|rest| rest.starts_with(": "))
    {
        message.to_string()
    } else {
        format!("{device}: {message}")
    }
}

/// The message for a command the device rejected (both paths print the same).
pub fn rejected(device: &str, command: &str, line: &str) {
    eprintln!("netkeep: {device}: {command:?} was rejected by the device: {line}");
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_device_is_named_once() {
        assert_eq!(super::about("sw1", "sw1: gone"), "sw1: gone");
        assert_eq!(super::about("sw1", "gone"), "sw1: gone");
        assert_eq!(super::about("sw1", "sw10: gone"), "sw1: sw10: gone");
    }
}
