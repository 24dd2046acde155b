use super::*;

fn parse_chunks(chunks: &[&[u8]]) -> (Vec<u8>, Vec<Command>) {
    let mut p = Parser::new();
    let (mut data, mut cmds) = (Vec::new(), Vec::new());
    for c in chunks {
        p.feed(c, &mut data, &mut cmds);
    }
    (data, cmds)
}

/// The same stream fed whole and one byte at a time gives the same result.
fn every_split(stream: &[u8]) -> (Vec<u8>, Vec<Command>) {
    let whole = parse_chunks(&[stream]);
    let bytes: Vec<&[u8]> = stream.chunks(1).collect();
    assert_eq!(parse_chunks(&bytes), whole, "byte by byte");
    for cut in 0..=stream.len() {
        let (a, b) = stream.split_at(cut);
        assert_eq!(parse_chunks(&[a, b]), whole, "split at {cut}");
    }
    whole
}

#[test]
fn plain_data_passes_through() {
    let (d, c) = every_split(b"display clock\r\n10:00:00\r\n<H3C>");
    assert_eq!(d, b"display clock\r\n10:00:00\r\n<H3C>");
    assert!(c.is_empty());
}

#[test]
fn iac_iac_is_a_data_0xff_and_commands_are_taken_out() {
    let s = [
        b'a',
        IAC,
        IAC,
        b'b',
        IAC,
        WILL,
        opt::ECHO,
        IAC,
        NOP,
        b'c',
        IAC,
        DO,
        200,
    ];
    let (d, c) = every_split(&s);
    assert_eq!(d, b"a\xffbc");
    assert_eq!(
        c,
        [
            Command::Negotiate(Verb::Will, opt::ECHO),
            Command::Other(NOP),
            Command::Negotiate(Verb::Do, 200)
        ]
    );
}

#[test]
fn cr_nul_is_cr_cr_lf_stays_and_a_lone_nul_is_data() {
    let (d, _) = every_split(b"a\r\0b\r\nc\0d\r\0\0e");
    assert_eq!(d, b"a\rb\r\nc\0d\r\0e");
    // A CR before an IAC command, then a NUL: the NUL is data again.
    let (d, _) = every_split(&[b'\r', IAC, NOP, 0]);
    assert_eq!(d, b"\r\0");
}

#[test]
fn sub_negotiation_unescapes_its_payload() {
    let s = [IAC, SB, opt::NAWS, 1, IAC, IAC, 0, 24, IAC, SE, b'x'];
    let (d, c) = every_split(&s);
    assert_eq!(d, b"x");
    assert_eq!(
        c,
        [Command::Sub {
            option: opt::NAWS,
            payload: vec![1, 255, 0, 24],
            truncated: false
        }]
    );
}

#[test]
fn a_huge_sub_negotiation_keeps_a_bounded_payload() {
    let mut s = vec![IAC, SB, opt::TTYPE];
    s.extend(std::iter::repeat_n(b'A', 1 << 20));
    s.extend_from_slice(&[IAC, SE]);
    s.extend_from_slice(b"<H3C>");
    let (d, c) = parse_chunks(&s.chunks(4096).collect::<Vec<_>>());
    assert_eq!(d, b"<H3C>");
    match &c[..] {
        [Command::Sub {
            option,
            payload,
            truncated,
        }] => {
            assert_eq!(*option, opt::TTYPE);
            assert_eq!(payload.len(), SUB_MAX);
            assert!(truncated);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_se_ends_at_the_next_command() {
    let s = [IAC, SB, opt::TTYPE, 1, IAC, WILL, opt::ECHO, b'o', b'k'];
    let (d, c) = every_split(&s);
    assert_eq!(d, b"ok");
    assert_eq!(
        c,
        [
            Command::Sub {
                option: opt::TTYPE,
                payload: vec![1],
                truncated: true
            },
            Command::Negotiate(Verb::Will, opt::ECHO)
        ]
    );
}

#[test]
fn encoding_escapes_iac_and_sends_nvt_line_ends() {
    let mut out = Vec::new();
    encode_nvt(b"\xff\r\n\n\r\0x\r", &mut out);
    assert_eq!(out, b"\xff\xff\r\n\r\n\r\0\0x\r\0");
    // What a server parses back: the data, every line end as CR LF.
    let (d, c) = every_split(&out);
    assert!(c.is_empty());
    assert_eq!(d, b"\xff\r\n\r\n\r\0x\r");
    let mut out = Vec::new();
    sub(opt::NAWS, &[1, 255, 0, 24], &mut out);
    assert_eq!(out, [IAC, SB, opt::NAWS, 1, 255, 255, 0, 24, IAC, SE]);
}
