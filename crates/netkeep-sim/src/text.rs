//! Terminal text: personality files write `\n`; a terminal wants `\r\n`.

/// Append `s` with every bare LF turned into CR LF.
pub(crate) fn crlf(s: &str, out: &mut Vec<u8>) {
    let mut prev = 0u8;
    for &b in s.as_bytes() {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn crlf_once() {
        let mut out = Vec::new();
        super::crlf("a\nb\r\nc", &mut out);
        assert_eq!(out, b"a\r\nb\r\nc");
    }
}
