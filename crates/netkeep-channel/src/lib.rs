//! Byte handling for device CLI sessions, without any I/O: a read buffer that knows where its last
//! line starts (for prompt and pager detection at the end of the stream), and the cleaning that
//! turns terminal bytes into text.
//!
//! Where it sits: transport → **channel** → platform → session → keeper → cli. The transport
//! hands it bytes; the session asks it where the output ends and what the output says.
//!
//! Cleaning emulates just enough of a terminal line: `\r\n`, `\r\r\n` and `\n` end a line; a bare
//! `\r`, backspace or `ESC[<n>D` move the cursor left and later characters overwrite; `ESC[K`
//! erases; other ANSI/VT sequences, NUL bytes and their `^@` echo vanish. Spaces that only served
//! to erase something (a pager prompt wiped with `ESC[16D` + spaces + `ESC[16D`) do not survive
//! as trailing whitespace, while a device's own trailing spaces do.
//!
//! ```
//! use netkeep_channel::{clean, clean_command_output};
//! assert_eq!(clean(b"a\r\r\nb\x1b[1;32mc\x1b[0m\x00^@"), "a\nbc");
//! let raw = b"display clock\r\n10:00:00 UTC Wed 11/26/2026\r\n<H3C>";
//! assert_eq!(clean_command_output(raw, "display clock", true), "10:00:00 UTC Wed 11/26/2026");
//! ```

#![warn(missing_docs)]

use regex::Regex;

/// One terminal line being drawn: characters plus "this space only erased something" flags.
#[derive(Default)]
struct Line {
    cells: Vec<(char, bool)>,
    cursor: usize,
}

impl Line {
    fn put(&mut self, c: char) {
        if self.cursor < self.cells.len() {
            self.cells[self.cursor] = (c, false);
        } else {
            while self.cells.len() < self.cursor {
                self.cells.push((' ', true));
            }
            self.cells.push((c, false));
        }
        self.cursor += 1;
    }

    /// Moves the cursor to `col`; spaces right of it become erase padding (an overwrite follows).
    fn move_left_to(&mut self, col: usize) {
        let col = col.min(self.cursor);
        for cell in self.cells.iter_mut().skip(col) {
            if cell.0 == ' ' {
                cell.1 = true;
            }
        }
        self.cursor = col;
    }

    fn move_to(&mut self, col: usize) {
        let col = col.min(MAX_COLUMNS);
        if col < self.cursor {
            self.move_left_to(col);
        } else {
            self.cursor = col;
        }
    }

    fn erase_right(&mut self) {
        self.cells.truncate(self.cursor);
    }

    fn flush_into(&mut self, out: &mut String) {
        while matches!(self.cells.last(), Some((' ', true))) {
            self.cells.pop();
        }
        out.extend(self.cells.iter().map(|c| c.0));
        self.cells.clear();
        self.cursor = 0;
    }
}

/// Farthest column a cursor move can reach: a device (or garbage) asking for column 4,000,000,000
/// must not make one line allocate gigabytes. Text itself is never cut; only moves are clamped.
/// Arista's widest terminal is 32,767 columns.
const MAX_COLUMNS: usize = 32_768;

/// Cleans terminal output into plain text with `\n` line ends (see the crate docs).
pub fn clean(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(raw.len());
    let mut line = Line::default();
    for seg in text.split_inclusive('\n') {
        // Most lines of a large output are plain printable ASCII: copy them as they are. (The
        // line state is always empty here: every '\n' flushes it.)
        if let Some(body) = seg.strip_suffix('\n') {
            let body = body.trim_end_matches('\r');
            if body
                .bytes()
                .all(|b| (b' '..=b'~').contains(&b) && b != b'^' || b == b'\t')
            {
                out.push_str(body);
                out.push('\n');
                continue;
            }
        }
        clean_segment(seg, &mut line, &mut out);
    }
    line.flush_into(&mut out);
    out
}

/// The terminal emulation for one line (with its '\n', if any).
fn clean_segment(seg: &str, line: &mut Line, out: &mut String) {
    let mut it = seg.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\n' => {
                line.flush_into(out);
                out.push('\n');
            }
            '\r' => match it.peek() {
                // Line end (\r\n, \r\r\n): keep the line's own trailing spaces.
                Some('\n') | Some('\r') | None => line.cursor = 0,
                _ => line.move_left_to(0),
            },
            '\x08' => {
                let to = line.cursor.saturating_sub(1);
                line.move_left_to(to);
            }
            '\t' => line.put('\t'),
            '^' if it.peek() == Some(&'@') => {
                it.next();
            }
            '\x1b' => escape(&mut it, line),
            c if c.is_control() => {}
            c => line.put(c),
        }
    }
}

/// Consumes an escape sequence after ESC and applies the cursor moves we care about.
fn escape(it: &mut std::iter::Peekable<std::str::Chars<'_>>, line: &mut Line) {
    match it.next() {
        Some('[') => {
            let mut params = String::new();
            let mut fin = None;
            for c in it.by_ref() {
                if ('\x40'..='\x7e').contains(&c) {
                    fin = Some(c);
                    break;
                }
                if params.len() < 32 {
                    params.push(c);
                }
            }
            let n = |default: usize| -> usize {
                params
                    .split(';')
                    .next()
                    .and_then(|p| p.trim_start_matches('?').parse().ok())
                    .unwrap_or(default)
            };
            match fin {
                Some('D') => {
                    let to = line.cursor.saturating_sub(n(1).max(1));
                    line.move_left_to(to);
                }
                Some('C') => line.move_to(line.cursor.saturating_add(n(1).max(1))),
                Some('G') => line.move_to(n(1).max(1) - 1),
                Some('K') => match n(0) {
                    0 => line.erase_right(),
                    1 => {
                        let cur = line.cursor;
                        for cell in line.cells.iter_mut().take(cur) {
                            *cell = (' ', true);
                        }
                    }
                    _ => {
                        line.cells.clear();
                    }
                },
                _ => {}
            }
        }
        // OSC: up to BEL or ESC \.
        Some(']') => {
            while let Some(c) = it.next() {
                if c == '\x07' {
                    break;
                }
                if c == '\x1b' {
                    it.next();
                    break;
                }
            }
        }
        // Charset selection takes one more character.
        Some('(') | Some(')') => {
            it.next();
        }
        _ => {}
    }
}

/// The cleaned last `max_bytes` of `raw`, trimmed: "the device's last words" for errors.
pub fn tail_text(raw: &[u8], max_bytes: usize) -> String {
    let start = raw.len().saturating_sub(max_bytes);
    clean(&raw[start..]).trim().to_string()
}

/// Turns the raw bytes of one command exchange into its output: drops everything up to and
/// including the echoed command line (stray keepalive echoes and syslog lines before it go too),
/// and, with `strip_prompt`, the trailing prompt line.
pub fn clean_command_output(raw: &[u8], command: &str, strip_prompt: bool) -> String {
    let text = clean(raw);
    let mut body: &str = &text;
    if strip_prompt {
        body = match body.rfind('\n') {
            Some(i) => &body[..i],
            None => "",
        };
    }
    let cmd = command.trim();
    if !cmd.is_empty() {
        // The echo is normally the first line; allow a few stray lines before it.
        let mut offset = 0;
        for line in body.split_inclusive('\n').take(8) {
            if line.trim_end().ends_with(cmd) {
                body = &body[offset + line.len()..];
                return finish(body);
            }
            offset += line.len();
        }
    } else if let Some(rest) = body.strip_prefix('\n') {
        body = rest;
    }
    finish(body)
}

fn finish(body: &str) -> String {
    body.trim_end_matches('\n').to_string()
}

/// Accumulates what the device sends for one exchange and answers questions about its end.
///
/// It never rescans the whole buffer: prompts and pagers live in the last line, whose start is
/// tracked as data arrives.
///
/// ```
/// use netkeep_channel::ReadBuffer;
/// let mut b = ReadBuffer::new();
/// b.push(b"display clock\r\n10:00\r\n<H3");
/// b.push(b"C>");
/// assert_eq!(b.last_line(), "<H3C>");
/// assert!(b.has_newline());
/// ```
#[derive(Debug, Default)]
pub struct ReadBuffer {
    buf: Vec<u8>,
    line_start: usize,
    first_newline: Option<usize>,
    mark: usize,
}

/// Buffers larger than this are released after use rather than kept for the next command.
const KEEP_CAPACITY: usize = 256 * 1024;

impl ReadBuffer {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Empties the buffer, keeping a moderate allocation for the next exchange.
    pub fn clear(&mut self) {
        self.buf.clear();
        if self.buf.capacity() > KEEP_CAPACITY {
            self.buf.shrink_to(4096);
        }
        self.line_start = 0;
        self.first_newline = None;
        self.mark = 0;
    }

    /// Appends received bytes.
    pub fn push(&mut self, data: &[u8]) {
        let base = self.buf.len();
        self.buf.extend_from_slice(data);
        if let Some(i) = memchr::memrchr(b'\n', data) {
            self.line_start = base + i + 1;
            if self.first_newline.is_none() {
                self.first_newline = memchr::memchr(b'\n', data).map(|j| base + j);
            }
        }
    }

    /// Everything received.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Number of bytes received.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True if nothing was received.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// True once a line end was received (the echo of a command is complete).
    pub fn has_newline(&self) -> bool {
        self.first_newline.is_some()
    }

    /// The cleaned last (unterminated) line: where a prompt or a pager shows up.
    pub fn last_line(&self) -> String {
        clean(&self.buf[self.line_start..])
    }

    /// The cleaned line right above the last line (SR OS's `[/]` context line above its
    /// prompt), or `None` when the buffer holds a single line.
    ///
    /// ```
    /// let mut b = netkeep_channel::ReadBuffer::new();
    /// b.push(b"info\r\n\r\n(ex)[/]\r\nA:admin@pe1# ");
    /// assert_eq!(b.line_above().as_deref(), Some("(ex)[/]"));
    /// ```
    pub fn line_above(&self) -> Option<String> {
        let end = self.line_start.checked_sub(1)?;
        let start = memchr::memrchr(b'\n', &self.buf[..end]).map_or(0, |i| i + 1);
        Some(clean(&self.buf[start..end]).trim_end().to_string())
    }

    /// True if the cleaned last line matches `re` (callers anchor their prompt regexes).
    pub fn last_line_matches(&self, re: &Regex) -> bool {
        self.line_start < self.buf.len() && re.is_match(&self.last_line())
    }

    /// If the last line is a pager prompt, removes it (its erase sequences follow later) and
    /// returns true.
    pub fn take_pager(&mut self, pager: &Regex) -> bool {
        if self.last_line_matches(pager) {
            self.buf.truncate(self.line_start);
            true
        } else {
            false
        }
    }

    /// Searches `re` in the cleaned text received since the last [`ReadBuffer::consume`]; for
    /// interactive prompts such as `[Y/N]:` that need not end the buffer.
    pub fn find_unconsumed(&self, re: &Regex) -> bool {
        re.is_match(&clean(&self.buf[self.mark..]))
    }

    /// Searches `re` in the text received since the last successful search; the unfinished last
    /// line stays searchable. Linear over a long output.
    pub fn find_new(&mut self, re: &Regex) -> bool {
        if re.is_match(&clean(&self.buf[self.mark..])) {
            self.mark = self.buf.len();
            true
        } else {
            self.mark = self.mark.max(self.line_start);
            false
        }
    }

    /// Marks everything received so far as seen by [`ReadBuffer::find_unconsumed`].
    pub fn consume(&mut self) {
        self.mark = self.buf.len();
    }

    /// The cleaned tail, for error messages.
    pub fn tail(&self, max_bytes: usize) -> String {
        tail_text(&self.buf, max_bytes)
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fast_path_tests {
    use super::*;

    /// The terminal emulation alone, without the plain-line fast path.
    fn slow(raw: &[u8]) -> String {
        let text = String::from_utf8_lossy(raw);
        let (mut line, mut out) = (Line::default(), String::new());
        clean_segment(&text, &mut line, &mut out);
        line.flush_into(&mut out);
        out
    }

    #[test]
    fn fast_path_matches_the_terminal_emulation() {
        let cases: &[&[u8]] = &[
            b"plain\r\nline two  \r\r\n\ttab\n",
            b"a\rb\r\nover\x08\x08wr\r\n",
            b"x\x1b[1;32mgreen\x1b[0m\r\n^@nul^@\x00\r\nlast",
            b"  ---- More ----\x1b[16D                \x1b[16Dnext\r\n",
            b"caf\xc3\xa9 \xc2\x85 c1\r\n\xff bad utf8\r\n",
            b"\r\n\r\n\n",
            b"",
        ];
        for c in cases {
            assert_eq!(clean(c), slow(c), "{:?}", String::from_utf8_lossy(c));
        }
    }

    #[test]
    fn huge_cursor_moves_are_bounded() {
        let out =
            clean(b"\x1b[4294967295Cx\x1b[99999999999999999999Cy\x1b[18446744073709551615Gz\r\n");
        assert!(out.len() <= MAX_COLUMNS + 8, "{} bytes", out.len());
        assert!(out.trim_end().ends_with('z'));
    }
}
