//! The daemon's API under malformed, oversized, slow and random requests: every answer is a
//! 4xx (never a 5xx, never a hang), and a valid request is served right after. netkeep-keeper's
//! own tests cover an oversized body and slow headers; these add the rest.

use std::time::{Duration, Instant};

use netkeep_testkit::{exchange, exec_on, raw_unix, status_code, Ending, HostSpec, Lab};
use rand::{Rng, SeedableRng};

/// The lab's header and body timeouts.
const HEADER_TIMEOUT: Duration = Duration::from_millis(500);
const BODY_TIMEOUT: Duration = Duration::from_millis(500);
/// An answer "at once": well inside the timeouts, so no answer a timeout produced counts.
const AT_ONCE: Duration = Duration::from_millis(250);

async fn lab() -> Lab {
    Lab::run(vec![HostSpec::comware("sw1")], |c| {
        c.limits.header_timeout = HEADER_TIMEOUT;
        c.limits.body_timeout = BODY_TIMEOUT;
        c.limits.max_connections = 64;
    })
    .await
}

fn post(path: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

async fn still_serves(lab: &Lab) {
    let r = exec_on(&lab.client(), "sw1", &["display clock"])
        .await
        .expect("daemon answers");
    assert!(r.ok, "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_4xx_and_the_daemon_keeps_serving() {
    let lab = lab().await;
    let sock = lab.socket();
    let big_header = format!(
        "GET /v1/sessions HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(
            std::env::var("NK_BIG")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(1_000_000)
        )
    );
    let many_headers = format!(
        "GET /v1/sessions HTTP/1.1\r\nHost: x\r\n{}\r\n",
        (0..500)
            .map(|i| format!("X-H{i}: v\r\n"))
            .collect::<String>()
    );
    let thousand = serde_json::json!({"device": "sw1", "commands": vec!["display clock"; 1001]});
    let dup = serde_json::json!({"devices": vec!["nope"; 5000], "commands": ["display clock"]});
    // Each case with the answer the README documents for it (400 malformed, 404 unknown path or
    // device, 405 method, 408 body not sent in time, 431 header limits).
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("not JSON", post("/v1/exec", b"{device: sw1"), 400),
        ("wrong types", post("/v1/exec", br#"{"device": 7, "commands": "x"}"#), 400),
        ("unknown field", post("/v1/exec", br#"{"device":"sw1","commands":["display clock"],"sudo":true}"#), 400),
        ("two targets", post("/v1/exec", br#"{"device":"sw1","group":"lab","commands":["display clock"]}"#), 400),
        ("no commands", post("/v1/exec", br#"{"device":"sw1","commands":[]}"#), 400),
        ("newline smuggling", post("/v1/exec", br#"{"device":"sw1","commands":["display clock\nreboot"]}"#), 400),
        ("1001 commands", post("/v1/exec", thousand.to_string().as_bytes()), 400),
        ("read timeout of a year", post("/v1/exec", br#"{"device":"sw1","commands":["display clock"],"read_timeout_ms":31536000000}"#), 400),
        ("5000 unknown devices", post("/v1/exec", dup.to_string().as_bytes()), 404),
        ("unknown device", post("/v1/config", br#"{"device":"ghost","lines":["sysname x"]}"#), 404),
        ("deep nesting", post("/v1/exec", "[".repeat(100_000).as_bytes()), 400),
        ("invalid UTF-8", post("/v1/exec", b"{\"device\":\"sw1\xff\xfe\",\"commands\":[\"x\"]}"), 400),
        ("NUL bytes", post("/v1/exec", b"\0\0\0\0{}"), 400),
        ("garbage request line", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n".to_vec(), 400),
        ("bad method", b"BREW /v1/exec HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(), 405),
        ("wrong method", b"DELETE /v1/sessions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(), 405),
        ("unknown path", b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(), 404),
        ("bad version", b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n".to_vec(), 400),
        ("1 MB header", big_header.into_bytes(), 431),
        ("500 headers", many_headers.into_bytes(), 431),
        ("bad content-length", b"POST /v1/exec HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n".to_vec(), 400),
        ("two content-lengths", b"POST /v1/exec HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}{}{}".to_vec(), 400),
        ("bad chunk size", b"POST /v1/exec HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n".to_vec(), 400),
        // Only 3 of the bytes the chunk promises ever arrive: the body timeout (0.5 s) answers.
        ("huge chunk", b"POST /v1/exec HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFF\r\nabc".to_vec(), 408),
        ("chunk longer than its size", b"POST /v1/exec HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX\r\n0\r\n\r\n".to_vec(), 400),
    ];
    let mut table = Vec::new();
    for (what, req, want) in cases {
        let r = exchange(&sock, &req, Duration::from_secs(3), false)
            .await
            .unwrap();
        table.push(format!(
            "{what}: {:?} {:?} in {:.1?}",
            r.ending,
            r.status(),
            r.took
        ));
        // An answer, not a hang-up or silence, with the documented code.
        assert_eq!(r.ending, Ending::Answered, "{what}: {r:?}");
        assert_eq!(r.status(), Some(want), "{what}: {}", r.text());
        // At once, or (408) at the body timeout: never a wait the client would give up on.
        let window = if want == 408 {
            BODY_TIMEOUT - Duration::from_millis(50)..BODY_TIMEOUT * 3
        } else {
            Duration::ZERO..AT_ONCE
        };
        assert!(
            window.contains(&r.took),
            "{what}: {:?} not in {window:?}",
            r.took
        );
        still_serves(&lab).await;
    }
    println!("{}", table.join("\n"));
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_headers_body_and_idle_connections_do_not_starve_the_daemon() {
    use tokio::io::AsyncWriteExt;
    let lab = lab().await;
    let sock = lab.socket();
    // Slow body: headers promise 200 bytes, 10 arrive, then nothing: 408 within the body timeout.
    let t = Instant::now();
    let mut req =
        b"POST /v1/exec HTTP/1.1\r\nHost: x\r\nContent-Length: 200\r\n\r\n{\"device\"".to_vec();
    req.truncate(req.len());
    let ans = raw_unix(&sock, &req, Duration::from_secs(3)).await.unwrap();
    let took = t.elapsed();
    println!("slow body: {:?} after {took:?}", status_code(&ans));
    assert_eq!(
        status_code(&ans),
        Some(408),
        "{}",
        String::from_utf8_lossy(&ans)
    );
    assert!(took < Duration::from_millis(1500));

    // Drip-fed headers (one byte every 100 ms, never finishing) are cut at the header timeout.
    let mut s = tokio::net::UnixStream::connect(&sock).await.unwrap();
    let t = Instant::now();
    let mut closed_after = None;
    for b in b"GET /v1/sessions HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        .iter()
    {
        if s.write_all(&[*b]).await.is_err() {
            closed_after = Some(t.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("drip-fed headers: connection closed after {closed_after:?}");
    let c = closed_after.expect("drip-feeding client never cut off");
    assert!(c < Duration::from_millis(1500), "{c:?}");

    // Hold every connection slot with idle sockets (64 allowed) and more in the backlog: the
    // daemon must still serve a real client within a couple of seconds.
    let mut idle = Vec::new();
    for _ in 0..96 {
        idle.push(tokio::net::UnixStream::connect(&sock).await.unwrap());
    }
    let t = Instant::now();
    let r = tokio::time::timeout(Duration::from_secs(5), still_serves(&lab)).await;
    let took = t.elapsed();
    println!("96 idle connections held: a real request served after {took:?}");
    assert!(r.is_ok(), "starved by idle connections");
    assert!(took < Duration::from_secs(3), "{took:?}");
    drop(idle);
    lab.stop().await;
}

/// A bounded random fuzz of the HTTP front end (seeded, reproducible): random bytes, and valid
/// requests with random mutations. Nothing may answer 5xx or hang; the daemon serves after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_and_mutated_requests_never_5xx() {
    let lab = lab().await;
    let sock = lab.socket();
    let seed: u64 = std::env::var("NETKEEP_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let base = post(
        "/v1/exec",
        br#"{"device":"sw1","commands":["display clock"],"read_timeout_ms":2000}"#,
    );
    let mut reqs = Vec::new();
    for i in 0..300 {
        let req: Vec<u8> = if i % 3 == 0 {
            let n = rng.random_range(0..600);
            (0..n).map(|_| rng.random()).collect()
        } else {
            let mut r = base.clone();
            for _ in 0..rng.random_range(1..6) {
                let at = rng.random_range(0..r.len());
                match rng.random_range(0..3) {
                    0 => r[at] = rng.random(),
                    1 => {
                        r.remove(at);
                    }
                    _ => r.insert(at, rng.random()),
                }
            }
            r
        };
        reqs.push(req);
    }
    // 16 at a time: incomplete requests wait for the 500 ms header (or body) timeout, so every
    // exchange ends by then — answered or hung up on by the daemon. Our own wait is three
    // times that: running into it means the daemon left a connection hanging.
    let wait = HEADER_TIMEOUT.max(BODY_TIMEOUT) * 3;
    let mut counts = std::collections::BTreeMap::<String, u32>::new();
    let mut slowest = Duration::ZERO;
    for (n, batch) in reqs.chunks(16).enumerate() {
        let mut set = tokio::task::JoinSet::new();
        for (j, req) in batch.iter().enumerate() {
            let (sock, req) = (sock.clone(), req.clone());
            set.spawn(async move {
                let r = exchange(&sock, &req, wait, false).await.unwrap();
                (n * 16 + j, req, r)
            });
        }
        while let Some(r) = set.join_next().await {
            let (i, req, r) = r.unwrap();
            let case = || format!("seed {seed} case {i}: {:?}", String::from_utf8_lossy(&req));
            assert_ne!(
                r.ending,
                Ending::TimedOut,
                "{}: no answer, no close in {wait:?}",
                case()
            );
            if r.ending == Ending::Answered {
                let c = r
                    .status()
                    .unwrap_or_else(|| panic!("{}: not HTTP: {}", case(), r.text()));
                assert!(c < 500, "{}: {c}", case());
            }
            slowest = slowest.max(r.took);
            *counts
                .entry(format!("{:?} {:?}", r.ending, r.status()))
                .or_default() += 1;
        }
    }
    println!("300 random requests (seed {seed}): {counts:?}; slowest {slowest:?}");
    still_serves(&lab).await;
    lab.stop().await;
}

/// Sends `request` and reads until the daemon closes the connection (`None` if it is still open
/// after `wait`).
async fn answer_then_close(
    sock: &std::path::Path,
    request: &[u8],
    wait: Duration,
) -> Option<Vec<u8>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::UnixStream::connect(sock).await.unwrap();
    // The daemon may answer and close before it has read everything: that is fine.
    let _ = s.write_all(request).await;
    let mut buf = Vec::new();
    match tokio::time::timeout(wait, s.read_to_end(&mut buf)).await {
        Ok(_) => Some(buf),
        Err(_) => None,
    }
}

/// A request with the header fields padded to `total` bytes (request line included), no
/// `Connection: close`: the daemon would keep the connection open after a normal answer.
fn get_with_header_block_of(total: usize) -> Vec<u8> {
    let head = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
    let fixed = head.len() + "X-Pad: ".len() + "\r\n\r\n".len();
    format!("{head}X-Pad: {}\r\n\r\n", "a".repeat(total - fixed)).into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_block_over_64_kib_is_refused_and_the_connection_closed() {
    let lab = lab().await;
    let sock = lab.socket();
    // Just under the documented limit: served (and the connection stays open for the next one).
    let req = get_with_header_block_of(64 * 1024 - 100);
    let ans = raw_unix(&sock, &req, Duration::from_secs(3)).await.unwrap();
    assert_eq!(
        status_code(&ans),
        Some(200),
        "{}",
        String::from_utf8_lossy(&ans)
    );
    // Just over it, and well over it but below what the read buffer used to let through
    // (hyper's max_buf_size alone accepted up to ~100 KiB): 431, then the daemon hangs up.
    for total in [64 * 1024 + 1, 65 * 1024, 100 * 1024] {
        let req = get_with_header_block_of(total);
        let ans = answer_then_close(&sock, &req, Duration::from_secs(3))
            .await
            .unwrap_or_else(|| panic!("{total}-byte header block: connection left open"));
        assert_eq!(
            status_code(&ans),
            Some(431),
            "{total}-byte header block: {}",
            String::from_utf8_lossy(&ans)
        );
    }
    still_serves(&lab).await;
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_chunked_body_is_400_and_an_oversized_one_413() {
    let lab = lab().await;
    let sock = lab.socket();
    let chunked = |chunks: &[u8]| {
        let mut r = b"POST /v1/exec HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        r.extend_from_slice(chunks);
        r
    };
    for (what, body) in [
        ("bad chunk size", &b"ZZZ\r\nabc\r\n0\r\n\r\n"[..]),
        ("chunk longer than its size", b"3\r\nabcXX\r\n0\r\n\r\n"),
        (
            "chunk size overflowing 64 bits",
            b"1FFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n",
        ),
    ] {
        let ans = answer_then_close(&sock, &chunked(body), Duration::from_secs(3))
            .await
            .unwrap_or_else(|| panic!("{what}: connection left open after a broken body"));
        let text = String::from_utf8_lossy(&ans);
        assert_eq!(status_code(&ans), Some(400), "{what}: {text}");
        assert!(text.contains("malformed request body"), "{what}: {text}");
    }
    // Well-formed chunks that really add up to more than the 1 MiB limit: 413.
    let mut body = Vec::new();
    for _ in 0..20 {
        body.extend_from_slice(format!("{:x}\r\n", 64 * 1024).as_bytes());
        body.extend(std::iter::repeat_n(b'x', 64 * 1024));
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let ans = raw_unix(&sock, &chunked(&body), Duration::from_secs(3))
        .await
        .unwrap();
    assert_eq!(
        status_code(&ans),
        Some(413),
        "{}",
        String::from_utf8_lossy(&ans)
    );
    // And a valid chunked request is served.
    let json = br#"{"device":"sw1","commands":["display clock"]}"#;
    let mut ok = format!("{:x}\r\n", json.len()).into_bytes();
    ok.extend_from_slice(json);
    ok.extend_from_slice(b"\r\n0\r\n\r\n");
    let ans = raw_unix(&sock, &chunked(&ok), Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(
        status_code(&ans),
        Some(200),
        "{}",
        String::from_utf8_lossy(&ans)
    );
    still_serves(&lab).await;
    lab.stop().await;
}
