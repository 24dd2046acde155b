//! What goes to the screen: CRLF line endings, and long outputs through the pager.

use crate::personality::Terminal;
use crate::text::crlf;

/// An output being shown page by page.
pub(super) struct Pager {
    text: String,
    pos: usize,
}

impl Pager {
    /// Writes up to `n` more lines, then the pager line; true when the output is all shown
    /// (no pager line then: the caller prints the prompt).
    pub fn page(&mut self, n: usize, more: &str, out: &mut Vec<u8>) -> bool {
        let rest = &self.text.as_bytes()[self.pos..];
        let mut end = 0;
        let mut lines = 0;
        for (i, &c) in rest.iter().enumerate() {
            if c == b'\n' {
                lines += 1;
                if lines == n {
                    end = i + 1;
                    break;
                }
            }
        }
        if lines < n || end == rest.len() {
            out.extend_from_slice(rest);
            return true;
        }
        out.extend_from_slice(&rest[..end]);
        self.pos += end;
        out.extend_from_slice(more.as_bytes());
        false
    }
}

/// What [`emit`] did.
pub(super) enum Shown {
    /// All of it is out (or there was nothing): the prompt goes next.
    All,
    /// The first page and the pager line are out; the rest waits in the pager.
    Paged(Pager),
}

/// Writes command output, through a pager when `paging` is on and it is longer than a page.
pub(super) fn emit(text: &str, paging: bool, t: &Terminal, out: &mut Vec<u8>) -> Shown {
    if text.is_empty() {
        return Shown::All;
    }
    let mut buf = Vec::with_capacity(text.len() + text.len() / 16 + 2);
    crlf(text, &mut buf);
    if !buf.ends_with(b"\n") {
        buf.extend_from_slice(b"\r\n");
    }
    let page = t.page_length - 1;
    if paging && newlines(&buf) > page {
        // Lossless: the CRLF text is ASCII/UTF-8 from our templates.
        let mut pager = Pager {
            text: String::from_utf8_lossy(&buf).into_owned(),
            pos: 0,
        };
        if !pager.page(page, &t.more, out) {
            return Shown::Paged(pager);
        }
        return Shown::All;
    }
    out.extend_from_slice(&buf);
    Shown::All
}

fn newlines(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_until_done() {
        let mut p = Pager {
            text: "1\n2\n3\n4\n5\n".into(),
            pos: 0,
        };
        let mut out = Vec::new();
        assert!(!p.page(2, "--More--", &mut out));
        assert_eq!(out, b"1\n2\n--More--");
        out.clear();
        assert!(!p.page(2, "--More--", &mut out));
        out.clear();
        assert!(p.page(2, "--More--", &mut out));
        assert_eq!(out, b"5\n");
    }
}
