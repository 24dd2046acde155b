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
#[cfg(test)]
pub fn splitlines(text: &str) -> Vec<&str> {
    lines(text).collect()
}

/// The lines of `text.splitlines()`, one at a time (no list of every line to allocate).
pub fn lines(text: &str) -> Lines<'_> {
    Lines { text, start: 0 }
}

/// Iterator of [`lines`].
pub struct Lines<'a> {
    text: &'a str,
    start: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        // Bytes that are, or may start, a line break: the ASCII ones, and the lead bytes of
        // U+0085 (C2 85) and U+2028/9 (E2 80 A8/A9).
        const fn table() -> [bool; 256] {
            let mut t = [false; 256];
            let mut i = 0;
            let bytes = [b'\n', b'\r', 0x0b, 0x0c, 0x1c, 0x1d, 0x1e, 0xc2, 0xe2];
            while i < bytes.len() {
                t[bytes[i] as usize] = true;
                i += 1;
            }
            t
        }
        static MAYBE: [bool; 256] = table();
        let b = self.text.as_bytes();
        let start = self.start;
        let mut i = start;
        while i < b.len() {
            if !MAYBE[usize::from(b[i])] {
                i += 1;
                continue;
            }
            let len = match (b[i], b.get(i + 1), b.get(i + 2)) {
                (0xc2, Some(0x85), _) => 2,
                (0xe2, Some(0x80), Some(0xa8 | 0xa9)) => 3,
                (0xc2 | 0xe2, ..) => 0,
                (b'\r', Some(b'\n'), _) => 2,
                _ => 1,
            };
            if len == 0 {
                i += 1;
                continue;
            }
            self.start = i + len;
            return Some(&self.text[start..i]);
        }
        if start < b.len() {
            self.start = b.len();
            return Some(&self.text[start..]);
        }
        None
    }
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
        // Python: 'a\x85b\u2029c\u2027d\u00c2\u00e2\r\r\n'.splitlines()
        assert_eq!(
            splitlines("a\u{85}b\u{2029}c\u{2027}d\u{c2}\u{e2}\r\r\n"),
            ["a", "b", "c\u{2027}d\u{c2}\u{e2}", ""]
        );
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
