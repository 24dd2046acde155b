//! Real device output (ntc-templates recordings, see fixtures/NOTICE.md) replayed as a device
//! would send it: echo, CRLF lines, pager prompts with their erase sequences, the prompt, all cut
//! into small chunks. The cleaned result must be the recording itself.

use netkeep_channel::{clean_command_output, ReadBuffer};
use regex::Regex;

const COMWARE_BRIEF: &str =
    include_str!("fixtures/hp_comware_display_interface_brief_release_60615P16.raw");
const COMWARE_COUNTERS: &str =
    include_str!("fixtures/hp_comware_display_counters_bound_interface.raw");
const VRP_VERSION: &str = include_str!("fixtures/huawei_vrp_display_version.raw");
const VRP_ACL: &str = include_str!("fixtures/huawei_vrp_display_acl_all_1.raw");

struct Style {
    pager: &'static str,
    erase: &'static [u8],
    pager_regex: &'static str,
    /// Line end the device uses.
    eol: &'static [u8],
    prompt: &'static [u8],
}

const COMWARE: Style = Style {
    pager: "  ---- More ----",
    erase: b"\x1b[16D                \x1b[16D",
    pager_regex: r"^\s*-{4}\s*More\s*-{4}\s*$",
    eol: b"\r\n",
    prompt: b"<H3C>",
};
const HUAWEI: Style = Style {
    pager: "  ---- More ----",
    erase: b"\x1b[42D                                          \x1b[42D",
    pager_regex: r"^\s*-{4}\s*More\s*-{4}\s*$",
    eol: b"\r\n",
    prompt: b"<HUAWEI>",
};
const NXOS: Style = Style {
    pager: " --More-- ",
    erase: b"\r          \r",
    pager_regex: r"^\s*-{2}\s*More\s*-{2}\s*$",
    eol: b"\r\r\n",
    prompt: b"switch# ",
};

/// The device's byte stream as segments; a pager prompt is always one segment (one write).
fn device_stream(cmd: &str, recording: &str, style: &Style, page: usize) -> Vec<Vec<u8>> {
    let mut segs = vec![];
    let mut cur: Vec<u8> = cmd.as_bytes().to_vec();
    cur.extend_from_slice(style.eol);
    let text = recording.replace("\r\n", "\n");
    let lines: Vec<&str> = text.trim_end_matches('\n').split('\n').collect();
    for (i, l) in lines.iter().enumerate() {
        if i > 0 && i % page == 0 {
            segs.push(std::mem::take(&mut cur));
            segs.push(style.pager.as_bytes().to_vec());
            cur.extend_from_slice(style.erase);
        }
        cur.extend_from_slice(l.as_bytes());
        cur.extend_from_slice(style.eol);
    }
    cur.extend_from_slice(style.prompt);
    segs.push(cur);
    segs
}

/// Feeds the stream in chunks of `chunk` bytes, answering pagers like the session does.
fn replay(segs: &[Vec<u8>], style: &Style, chunk: usize) -> (String, usize, String) {
    let pager = Regex::new(style.pager_regex).unwrap();
    let mut b = ReadBuffer::new();
    let mut answered = 0;
    for seg in segs {
        for c in seg.chunks(chunk) {
            b.push(c);
            if b.take_pager(&pager) {
                answered += 1;
            }
        }
    }
    (
        clean_command_output(b.bytes(), "CMD", true),
        answered,
        b.last_line(),
    )
}

fn expected(recording: &str) -> String {
    recording
        .replace("\r\n", "\n")
        .trim_end_matches('\n')
        .to_string()
}

fn check(recording: &str, style: &Style) {
    for page in [5, 23, 1000] {
        for chunk in [1, 7, 64, 4096] {
            let segs = device_stream("CMD", recording, style, page);
            let (out, answered, last) = replay(&segs, style, chunk);
            let lines = recording.trim_end().lines().count();
            assert_eq!(
                answered,
                (lines - 1) / page,
                "pagers answered (page {page}, chunk {chunk})"
            );
            assert_eq!(last.trim(), String::from_utf8_lossy(style.prompt).trim());
            assert_eq!(out, expected(recording), "page {page}, chunk {chunk}");
        }
    }
}

#[test]
fn comware_interface_brief_with_pager() {
    check(COMWARE_BRIEF, &COMWARE);
}

#[test]
fn comware_counters_more_text_is_not_a_pager() {
    // The recording has "Overflow: More than 14 digits" — output, not a pager prompt.
    assert!(COMWARE_COUNTERS.contains("More than"));
    check(COMWARE_COUNTERS, &COMWARE);
}

#[test]
fn vrp_version_crlf_and_esc_42d() {
    check(VRP_VERSION, &HUAWEI);
}

#[test]
fn vrp_acl_keeps_device_trailing_spaces() {
    assert!(VRP_ACL.contains("0 \r\n"));
    check(VRP_ACL, &HUAWEI);
    let out = replay(&device_stream("CMD", VRP_ACL, &HUAWEI, 4), &HUAWEI, 13).0;
    assert!(out.contains(" rule 20 permit source 185.48.254.19 0 \n"));
}

#[test]
fn nxos_double_cr_and_cr_erase() {
    check(COMWARE_BRIEF, &NXOS);
}
