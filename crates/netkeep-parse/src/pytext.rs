//! Python's string rules where TextFSM relies on them: `str.splitlines()`, `str.isspace()`,
//! `strip()`/`rstrip()`, and the line breaks of a file opened in text mode.

/// Python's `str.isspace()` for one character.
pub fn is_space(c: char) -> bool {
    matches!(c, '\t'..='\r' | '\x1c'..='\x20' | '\u{85}' | '\u{a0}')
        || (!c.is_ascii() && c.is_whitespace())
}

/// `s.rstrip()`.
pub fn rstrip(s: &str) -> &str {
    s.trim_end_matches(is_space)
}

/// `s.strip()`.
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// `text.splitlines()`: splits on `\n`, `\r\n`, `\r`, `\v`, `\f`, `\x1c`-`\x1e`, `\x85`,
/// U+2028 and U+2029, without keeping the breaks.
pub fn splitlines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if !is_break {
            continue;
        }
        lines.push(&text[start..i]);
        let mut end = i + c.len_utf8();
        if c == '\r' && it.peek().is_some_and(|&(_, n)| n == '\n') {
            it.next();
            end += 1;
        }
        start = end;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// The lines of a file read in Python's text mode (universal newlines: `\n`, `\r\n` and `\r`
/// all end a line), without the line ends.
pub fn file_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&text[start..i]);
                start = i + 1;
            }
            b'\r' => {
                lines.push(&text[start..i]);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitlines_matches_python() {
        // Python: 'a\r\nb\rc\x0bd\x1ce\u2028f\n\ng\n'.splitlines()
        let text = "a\r\nb\rc\x0bd\x1ce\u{2028}f\n\ng\n";
        assert_eq!(splitlines(text), ["a", "b", "c", "d", "e", "f", "", "g"]);
        assert_eq!(splitlines(""), Vec::<&str>::new());
        assert_eq!(splitlines("\n"), [""]);
        assert_eq!(splitlines("x\r"), ["x"]);
    }

    #[test]
    fn file_lines_are_universal_newlines() {
        assert_eq!(file_lines("a\r\nb\rc\nd\x0ce"), ["a", "b", "c", "d\x0ce"]);
    }

    #[test]
    fn space_is_pythons() {
        assert!(is_space('\x1f') && is_space('\u{3000}') && is_space('\x0b'));
        assert!(!is_space('\u{200b}') && !is_space('a'));
        assert_eq!(rstrip("ab \x1c\t"), "ab");
    }
}
