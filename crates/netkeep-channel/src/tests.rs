use super::*;

#[test]
fn line_ends_are_normalised() {
    assert_eq!(clean(b"a\r\nb\r\r\nc\nd"), "a\nb\nc\nd");
}

#[test]
fn device_trailing_spaces_survive_but_erase_padding_does_not() {
    // A real trailing space before CRLF stays (recordings have them).
    assert_eq!(clean(b"rule 20 permit \r\nx"), "rule 20 permit \nx");
    // Huawei/Comware pager erase: cursor left, blanks, cursor left, then shorter text.
    assert_eq!(
        clean(b"\x1b[16D                \x1b[16Dshort\r\n"),
        "short\n"
    );
    // Cisco: backspaces over " --More-- ".
    assert_eq!(
        clean(b" --More-- \x08\x08\x08\x08\x08\x08\x08\x08\x08\x08          \x08\x08\x08\x08\x08\x08\x08\x08\x08\x08Gi1/0/2\r\n"),
        "Gi1/0/2\n"
    );
    // Junos: carriage return, blanks, carriage return.
    assert_eq!(
        clean(b"---(more)---\r                                        \rge-0/0/1 up\r\n"),
        "ge-0/0/1 up\n"
    );
}

#[test]
fn ansi_nul_and_caret_at_vanish() {
    assert_eq!(clean(b"\x1b[?2004hroot@h:~# "), "root@h:~# ");
    assert_eq!(clean(b"\x1b[1;31mred\x1b[0m \x1b]0;title\x07ok"), "red ok");
    assert_eq!(clean(b"\x00^@<H3C>\x00"), "<H3C>");
    assert_eq!(clean(b"abc\x1b[K"), "abc");
    assert_eq!(clean(b"abcdef\x1b[3D\x1b[K"), "abc");
    assert_eq!(clean(b"ab\x08\x08xy"), "xy");
    assert_eq!(clean(b"\x07bell\x1b(B"), "bell");
}

#[test]
fn command_output_strips_echo_prompt_and_keepalive_echo() {
    let raw = b"^@\x00display clock\r\n10:00:00 UTC\r\n<H3C>";
    assert_eq!(
        clean_command_output(raw, "display clock", true),
        "10:00:00 UTC"
    );
    // A newline keepalive's echo (prompt redrawn) before the command's echo.
    let raw = b"\r\n<H3C>display clock\r\n10:00:00 UTC\r\n<H3C>";
    assert_eq!(
        clean_command_output(raw, "display clock", true),
        "10:00:00 UTC"
    );
    // A syslog line before the echo is dropped with it; one inside the output is kept.
    let raw = b"\r\n%Nov 26 10:00:00:123 2026 H3C SHELL/5/SHELL_LOGIN: admin logged in\r\ndisplay clock\r\n10:00\r\n%Nov 26 SHELL/5: x\r\n<H3C>";
    assert_eq!(
        clean_command_output(raw, "display clock", true),
        "10:00\n%Nov 26 SHELL/5: x"
    );
    // Empty output.
    assert_eq!(clean_command_output(b"return\r\n<H3C>", "return", true), "");
    // No prompt stripping when the read ended at an expect pattern.
    assert_eq!(
        clean_command_output(b"save\r\nAre you sure? [Y/N]:", "save", false),
        "Are you sure? [Y/N]:"
    );
}

#[test]
fn buffer_tracks_last_line_across_chunks() {
    let mut b = ReadBuffer::new();
    b.push(b"display ver");
    assert!(!b.has_newline());
    assert_eq!(b.last_line(), "display ver");
    b.push(b"sion\r\nline1\r\n<H");
    assert!(b.has_newline());
    assert_eq!(b.last_line(), "<H");
    b.push(b"3C>");
    let prompt = Regex::new(r"^<[^<>\s]+>\s*$").unwrap();
    assert!(b.last_line_matches(&prompt));
    b.clear();
    assert!(b.is_empty() && !b.has_newline());
}

#[test]
fn pager_is_taken_and_expect_search_is_incremental() {
    let pager = Regex::new(r"^\s*-{4}\s*More\s*-{4}\s*$").unwrap();
    let mut b = ReadBuffer::new();
    b.push(b"cmd\r\nline1\r\n  ---- More ----");
    assert!(b.take_pager(&pager));
    assert!(!b.take_pager(&pager));
    b.push(b"\x1b[16D                \x1b[16Dline2\r\n<H3C>");
    assert_eq!(clean_command_output(b.bytes(), "cmd", true), "line1\nline2");

    let yn = Regex::new(r"\[Y/N\]").unwrap();
    let mut b = ReadBuffer::new();
    b.push(b"save\r\nAre you sure? [Y/");
    assert!(!b.find_new(&yn));
    b.push(b"N]:");
    assert!(b.find_new(&yn));
    // Already found text is not found again.
    assert!(!b.find_new(&yn));
    b.push(b"Y\r\nfile name [Y/N]:");
    assert!(b.find_new(&yn));
}
