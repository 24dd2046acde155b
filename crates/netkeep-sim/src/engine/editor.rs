//! Line editing: the bytes a terminal sends turned into a command line — printable bytes
//! echoed (wrapped at the terminal width as the platform does), backspace and Ctrl-U, CR LF as
//! one Enter, ANSI escape sequences (arrow keys) skipped.

use crate::personality::EchoWrap;

/// Longest input line kept; bytes past it are dropped (a device beeps; we stay bounded).
pub const MAX_LINE: usize = 64 * 1024;

const ERASE: &[u8] = b"\x08 \x08";

/// The line being typed.
#[derive(Default)]
pub(super) struct LineEditor {
    line: Vec<u8>,
    after_cr: bool,
    /// 0: none; 1: ESC seen; 2: inside `ESC [` / `ESC O` parameters.
    esc: u8,
    /// How the echo wraps, at which width (0: never), from which column the line starts.
    wrap: EchoWrap,
    width: usize,
    start_col: usize,
}

impl LineEditor {
    /// Consumes `b` if it belongs to an escape sequence in progress. A control byte ends the
    /// sequence and is not consumed: terminals act on Ctrl-C or Enter typed mid-sequence
    /// (ECMA-48), so a stray ESC never swallows them.
    pub fn in_escape(&mut self, b: u8) -> bool {
        match self.esc {
            0 => false,
            _ if b < 0x20 => {
                self.esc = 0;
                false
            }
            1 if b == b'[' || b == b'O' => {
                self.esc = 2;
                true
            }
            2 if !(0x40..=0x7e).contains(&b) => true,
            _ => {
                self.esc = 0;
                true
            }
        }
    }

    /// ESC received: skip the sequence it starts.
    pub fn start_escape(&mut self) {
        self.esc = 1;
    }

    /// True if `b` is the LF of a CR LF pair (already handled as Enter); remembers a CR.
    pub fn lf_after_cr(&mut self, b: u8) -> bool {
        if b == b'\n' && self.after_cr {
            self.after_cr = false;
            return true;
        }
        self.after_cr = b == b'\r';
        false
    }

    /// Remember whether the last byte was a CR (for input handled outside the editor).
    pub fn set_after_cr(&mut self, cr: bool) {
        self.after_cr = cr;
    }

    /// How the echo wraps and at which width (0: never).
    pub fn set_wrap(&mut self, wrap: EchoWrap, width: usize) {
        self.wrap = wrap;
        self.width = width;
    }

    /// The column the next line starts at (the prompt's width).
    pub fn set_start_col(&mut self, col: usize) {
        self.start_col = col;
    }

    /// A printable byte: kept (and echoed unless `secret`) while the line has room.
    pub fn push(&mut self, b: u8, secret: bool, out: &mut Vec<u8>) {
        if self.line.len() < MAX_LINE {
            self.line.push(b);
            if !secret {
                out.push(b);
                self.wrap_echo(out);
            }
        }
    }

    /// At the last column: the platform's way to go on at the next line.
    fn wrap_echo(&self, out: &mut Vec<u8>) {
        let col = self.start_col + self.line.len();
        if self.width < 2 || !col.is_multiple_of(self.width) {
            return;
        }
        match self.wrap {
            EchoWrap::None => {}
            EchoWrap::Crlf => out.extend_from_slice(b"\r\n"),
            EchoWrap::SpaceCr => out.extend_from_slice(b" \r"),
        }
    }

    /// Backspace / DEL.
    pub fn backspace(&mut self, secret: bool, out: &mut Vec<u8>) {
        if self.line.pop().is_some() && !secret {
            out.extend_from_slice(ERASE);
        }
    }

    /// Ctrl-U: kill the line.
    pub fn kill(&mut self, out: &mut Vec<u8>) {
        for _ in 0..self.line.len().min(256) {
            out.extend_from_slice(ERASE);
        }
        self.line.clear();
    }

    /// Forget the line (Ctrl-C).
    pub fn clear(&mut self) {
        self.line.clear();
    }

    /// The completed line (Enter), leaving the editor empty.
    pub fn take(&mut self) -> String {
        let raw = std::mem::take(&mut self.line);
        String::from_utf8_lossy(&raw).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_crlf_and_editing() {
        let mut e = LineEditor::default();
        let mut out = Vec::new();
        e.start_escape();
        assert!(e.in_escape(b'['));
        assert!(e.in_escape(b'1'));
        assert!(e.in_escape(b'A'));
        assert!(!e.in_escape(b'x'));
        for b in *b"abc" {
            e.push(b, false, &mut out);
        }
        e.backspace(false, &mut out);
        e.push(b'z', true, &mut out);
        assert_eq!(out, b"abc\x08 \x08");
        assert_eq!(e.take(), "abz");
        assert!(!e.lf_after_cr(b'\r'));
        assert!(e.lf_after_cr(b'\n'));
        assert!(!e.lf_after_cr(b'\n'));
    }

    #[test]
    fn echo_wraps_at_the_width() {
        let mut e = LineEditor::default();
        e.set_wrap(EchoWrap::Crlf, 10);
        e.set_start_col(6);
        let mut out = Vec::new();
        for b in *b"abcdefgh" {
            e.push(b, false, &mut out);
        }
        assert_eq!(out, b"abcd\r\nefgh");
    }
}
