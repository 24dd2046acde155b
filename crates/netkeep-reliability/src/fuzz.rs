//! Fuzz target bodies, shared by the cargo-fuzz targets in `fuzz/` (libFuzzer) and the stable
//! driver `netkeep-fuzz` (this crate's binary). Each takes arbitrary bytes, must not panic, and
//! checks the properties its code promises.
//!
//! ```
//! netkeep_reliability::fuzz::clean_output(b"display clock\r\n10:00\x1b[K\r\n<H3C>");
//! netkeep_reliability::fuzz::prompt_match(b"<H3C>\n[H3C-vlan10]");
//! netkeep_reliability::fuzz::inventory(b"hosts: {}");
//! netkeep_reliability::fuzz::telnet_codec(b"\xff\xfb\x01login: \xff\xff\r\0");
//! ```

/// A fuzz target body.
pub type Target = fn(&[u8]);

/// The targets by name.
pub const TARGETS: &[(&str, Target)] = &[
    ("clean_output", clean_output),
    ("prompt_match", prompt_match),
    ("inventory", inventory),
    ("sim_input", sim_input),
    ("telnet_codec", telnet_codec),
];

/// Terminal cleaning (netkeep-channel): `clean`, `clean_command_output`, `tail_text` and the
/// read buffer's last-line tracking over arbitrary chunking.
pub fn clean_output(data: &[u8]) {
    let text = netkeep_channel::clean(data);
    for bad in ['\r', '\x1b', '\0'] {
        assert!(!text.contains(bad), "clean() left {bad:?} in {text:?}");
    }
    // First byte: command length and chunk size; the rest is the device's bytes.
    let (k, rest) = match data.split_first() {
        Some((k, r)) => (*k as usize, r),
        None => (0, data),
    };
    let cmd_len = (k % 16).min(rest.len());
    let cmd = String::from_utf8_lossy(&rest[..cmd_len]).into_owned();
    let out = netkeep_channel::clean_command_output(rest, &cmd, k & 0x80 != 0);
    assert!(!out.contains('\r') && !out.ends_with('\n'), "{out:?}");
    let tail = netkeep_channel::tail_text(rest, 64 + k);
    assert!(!tail.contains('\x1b'));
    let mut b = netkeep_channel::ReadBuffer::new();
    let chunk = (k % 7) + 1;
    for c in rest.chunks(chunk) {
        b.push(c);
        // Every split point of the first 64 bytes (room for a prompt, an escape sequence and a
        // pager mark); past them each call re-cleans a long unterminated line, quadratic in the
        // input: at 256 bytes this check was 80% of the target's time (perf, 2026-11-29).
        if b.bytes().len() <= 64 {
            let _ = b.last_line();
        }
    }
    assert_eq!(b.bytes(), rest, "the buffer keeps every byte");
    let last = b.last_line();
    assert!(!last.contains('\n'), "last line spans lines: {last:?}");
    if let Ok(p) = netkeep_platform::builtin("hp_comware") {
        if let Some((re, _)) = p.pager() {
            let _ = b.take_pager(re);
        }
    }
}

/// Prompt, pager, failure and close-reason matching of the built-in platforms
/// (netkeep-platform) on arbitrary text: the first byte picks the platform (one per run, so a
/// campaign reaches millions of runs with every platform in it), the rest is the text.
pub fn prompt_match(data: &[u8]) {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(netkeep_platform::builtin_names);
    let Some((&k, rest)) = data.split_first() else {
        return;
    };
    let name = &names[k as usize % names.len()];
    let Ok(p) = netkeep_platform::builtin(name) else {
        panic!("{name}: a built-in platform does not load");
    };
    let text = String::from_utf8_lossy(rest);
    for line in text.lines() {
        let _ = p.mode_of(line);
    }
    // The last line as the session sees it (no cleaning here: clean_output covers that).
    if let Some(last) = text.split(['\r', '\n']).rfind(|l| !l.is_empty()) {
        if let Some(m) = p.mode_of(last) {
            assert!(
                p.mode(&m.name).is_some(),
                "{name}: mode {} not found by name",
                m.name
            );
        }
    }
    if let Some((src, line)) = p.failure_in(&text) {
        assert!(
            text.contains(line),
            "{name}: failure line {line:?} ({src}) not in input"
        );
    }
    let _ = p.close_reason(&text);
    if let Some((re, _)) = p.pager() {
        let _ = re.is_match(&text);
    }
}

/// The telnet byte layer (netkeep-transport's `telnet::codec`): any input, split anywhere,
/// parses the same as whole, keeps sub-negotiations bounded, and what the encoders make parses
/// back to the data.
pub fn telnet_codec(data: &[u8]) {
    use netkeep::transport::telnet::codec::{encode_nvt, escape_iac, Command, Parser, SUB_MAX};
    let parse = |chunks: &mut dyn Iterator<Item = &[u8]>| {
        let mut p = Parser::new();
        let (mut d, mut c) = (Vec::new(), Vec::new());
        for chunk in chunks {
            p.feed(chunk, &mut d, &mut c);
        }
        (d, c)
    };
    let whole = parse(&mut std::iter::once(data));
    let step = data.first().map_or(1, |b| (*b as usize % 13) + 1);
    assert_eq!(
        parse(&mut data.chunks(step)),
        whole,
        "split every {step} bytes"
    );
    for c in &whole.1 {
        if let Command::Sub { payload, .. } = c {
            assert!(
                payload.len() <= SUB_MAX,
                "sub-negotiation kept {}",
                payload.len()
            );
        }
    }
    // A server's output: 0xFF doubled; parsed back, only a NUL right after a CR is gone.
    let mut wire = Vec::new();
    escape_iac(data, &mut wire);
    let (d, c) = parse(&mut std::iter::once(&wire[..]));
    let want: Vec<u8> = data
        .iter()
        .enumerate()
        .filter(|&(i, &b)| !(b == 0 && i > 0 && data[i - 1] == b'\r'))
        .map(|(_, &b)| b)
        .collect();
    assert!(c.is_empty(), "escaped data parsed as commands: {c:?}");
    assert_eq!(d, want, "escape_iac round trip");
    // What a client types: every line end arrives as CR LF.
    let mut wire = Vec::new();
    encode_nvt(data, &mut wire);
    let (d, c) = parse(&mut std::iter::once(&wire[..]));
    assert!(c.is_empty(), "typed data parsed as commands: {c:?}");
    let mut want = Vec::with_capacity(data.len() * 2);
    for (i, &b) in data.iter().enumerate() {
        if b == b'\n' && (i == 0 || data[i - 1] != b'\r') {
            want.push(b'\r');
        }
        want.push(b);
    }
    assert_eq!(d, want, "encode_nvt round trip");
}

/// The inventory parser (netkeep-keeper): any text loads or fails with a location inside it.
pub fn inventory(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match netkeep_keeper::inventory::Inventory::from_str(&text, "fuzz.yaml") {
        Ok(inv) => {
            for (name, d) in &inv.devices {
                assert_eq!(name, &d.name);
                assert!(d.max_sessions >= 1, "{name}: max_sessions 0 accepted");
            }
            for (g, members) in &inv.groups {
                for m in members {
                    assert!(inv.devices.contains_key(m), "group {g} lists unknown {m}");
                }
            }
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with("fuzz.yaml"), "{msg}");
            if let Some((line, col)) = e.location {
                // YAML (1.1, as serde_norway reads it) breaks lines at \n, \r\n, a lone \r,
                // and NEL / LS / PS (U+0085, U+2028, U+2029).
                let lines = text
                    .replace("\r\n", "\n")
                    .split(['\r', '\n', '\u{85}', '\u{2028}', '\u{2029}'])
                    .count();
                assert!(
                    line >= 1 && line <= lines + 1,
                    "line {line} of {lines}: {msg}"
                );
                assert!(col >= 1, "{msg}");
            }
        }
    }
}

/// The simulator's input handling (netkeep-sim's engine, through [`netkeep_sim::Console`]: the
/// engine the SSH and telnet servers drive, without sockets or timing). The first byte picks
/// the platform and the chunk size; the rest is typed at a fresh device's first prompt, then
/// Ctrl-C and Enter. The device must not panic, and while its session is open it must answer
/// Enter with something (a prompt, or a question's text).
pub fn sim_input(data: &[u8]) {
    let platforms = netkeep_sim::platforms();
    let Some((&k, rest)) = data.split_first() else {
        return;
    };
    let platform = platforms[k as usize % platforms.len()];
    let Ok(mut c) = netkeep_sim::Console::new(netkeep_sim::DeviceConfig::new(platform)) else {
        panic!("{platform}: a built-in personality fails to start");
    };
    let chunk = (k as usize / platforms.len()) % 5 + 1;
    for part in rest.chunks(chunk) {
        let _ = c.type_bytes(part);
    }
    let _ = c.type_bytes(b"\x03");
    let out = c.type_bytes(b"\r");
    assert!(
        c.is_closed() || !out.is_empty(),
        "{platform}: an open session answered Enter with nothing"
    );
}
