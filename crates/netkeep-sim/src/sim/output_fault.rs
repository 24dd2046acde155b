//! Output faults applied to bytes on their way to the client: binary garbage, the vendor's
//! unsolicited log line, prompt-like text.

use rand::Rng;

use crate::fault::Fault;

/// Insert fault text in the middle of an output chunk (at a line boundary when there is one).
/// `unsolicited` is the vendor's log line (already CRLF), `hostname` the device's.
pub(crate) fn decorate(
    faults: &[Fault],
    unsolicited: &[u8],
    hostname: &str,
    mut out: Vec<u8>,
) -> Vec<u8> {
    for f in faults {
        let insert: Vec<u8> = match f {
            Fault::Garbage => {
                let mut rng = rand::rng();
                (0..24).map(|_| rng.random::<u8>()).collect()
            }
            Fault::UnsolicitedLines => unsolicited.to_vec(),
            Fault::PromptInOutput => format!(
                "\r\nfake prompt ahead <{hostname}> [{hostname}] {hostname}# {hostname}>\r\n"
            )
            .into_bytes(),
            _ => continue,
        };
        let mid = out.len() / 2;
        let at = out[mid..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(mid, |i| mid + i + 1);
        out.splice(at..at, insert);
    }
    out
}

/// A login banner full of prompt-like text, as some operators write them (`PromptInOutput`).
pub(crate) fn prompt_like_banner(hostname: &str) -> String {
    let h = hostname;
    format!("\r\n*** {h}> <{h}> [{h}] {h}# admin@{h}> -- authorized use only ***\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_at_a_line_boundary_past_the_middle() {
        let out = b"line one\r\nline two\r\nline three\r\n".to_vec();
        let got = decorate(&[Fault::UnsolicitedLines], b"\r\n%LOG\r\n", "H3C", out);
        let text = String::from_utf8(got).unwrap();
        assert_eq!(text, "line one\r\nline two\r\n\r\n%LOG\r\nline three\r\n");
    }
}
