//! The telnet transport against small scripted servers on loopback: negotiation edge cases,
//! 0xFF and CR NUL in both directions, and the TIMING-MARK probe (answered, never answered,
//! stalled).

use std::time::Duration;

use netkeep_transport::telnet::{self, codec::*};
use netkeep_transport::{Event, Transport};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A listener and a client transport connected to it, with the server's end of the socket.
async fn pair() -> (Transport, TcpStream) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let accept = tokio::spawn(async move { l.accept().await.unwrap().0 });
    let t = telnet::connect(&telnet::TelnetOptions::new("127.0.0.1", port))
        .await
        .unwrap();
    (t, accept.await.unwrap())
}

/// Reads what the client sent until `want` is in it (or fails after 2 s).
async fn read_until(s: &mut TcpStream, want: &[u8]) -> Vec<u8> {
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while !got.windows(want.len()).any(|w| w == want) {
        let mut b = [0u8; 4096];
        let n = tokio::time::timeout_at(deadline, s.read(&mut b))
            .await
            .unwrap_or_else(|_| panic!("client never sent {want:?}; got {got:?}"))
            .unwrap();
        assert!(n > 0, "client closed; got {got:?}");
        got.extend_from_slice(&b[..n]);
    }
    got
}

/// Terminal data until `want` shows up.
async fn data_until(t: &mut Transport, want: &[u8]) -> Vec<u8> {
    let mut got = Vec::new();
    while !got.windows(want.len()).any(|w| w == want) {
        match tokio::time::timeout(Duration::from_secs(2), t.terminal.recv()).await {
            Ok(Event::Data(d)) => got.extend_from_slice(&d),
            other => panic!("waiting for {want:?}: {other:?}; got {got:?}"),
        }
    }
    got
}

#[tokio::test]
async fn a_server_that_sends_nothing_gets_our_opening_and_our_data() {
    let (mut t, mut s) = pair().await;
    read_until(&mut s, &[IAC, DO, opt::TIMING_MARK]).await;
    t.terminal.write(b"show clock\n\xff\0").await.unwrap();
    let got = read_until(&mut s, b"\xff\xff\0").await;
    assert!(got.ends_with(b"show clock\r\n\xff\xff\0"), "{got:?}");
    // No answer to the opening mark: the probe can only see the connection is still open.
    t.link.probe().await.unwrap();
    drop(s);
    assert_eq!(t.terminal.recv().await, Event::End);
    assert!(t.link.probe().await.is_err());
}

#[tokio::test]
async fn a_server_that_offers_and_asks_everything_still_delivers_its_data() {
    let (mut t, mut s) = pair().await;
    let mut storm = Vec::new();
    for o in 0..=255u8 {
        storm.extend_from_slice(&[IAC, WILL, o, IAC, DO, o]);
    }
    storm.extend_from_slice(b"login: ");
    s.write_all(&storm).await.unwrap();
    let d = data_until(&mut t, b"login: ").await;
    assert_eq!(d, b"login: ");
    // Accepted: the server's echo and SGA; ours: NAWS (510 columns: no 0xFF byte), TTYPE, SGA.
    let got = read_until(&mut s, &[IAC, WONT, 255]).await;
    for want in [
        &[IAC, DO, opt::ECHO][..],
        &[IAC, DO, opt::SGA],
        &[
            IAC,
            WILL,
            opt::NAWS,
            IAC,
            SB,
            opt::NAWS,
            1,
            254,
            0,
            24,
            IAC,
            SE,
        ],
        &[IAC, WILL, opt::TTYPE],
        &[IAC, DONT, opt::LINEMODE],
        &[IAC, WONT, opt::ECHO],
        &[IAC, WONT, opt::NEW_ENVIRON],
    ] {
        assert!(
            got.windows(want.len()).any(|w| w == want),
            "missing {want:?}"
        );
    }
    // Asked for the terminal type: VT100.
    s.write_all(&[IAC, SB, opt::TTYPE, 1, IAC, SE])
        .await
        .unwrap();
    read_until(
        &mut s,
        &[
            IAC,
            SB,
            opt::TTYPE,
            0,
            b'V',
            b'T',
            b'1',
            b'0',
            b'0',
            IAC,
            SE,
        ],
    )
    .await;
}

#[tokio::test]
async fn iac_and_cr_nul_in_output_and_sub_negotiations_huge_or_unterminated() {
    let (mut t, mut s) = pair().await;
    let mut out = b"bin \xff\xff x\r\0y\r\n".to_vec();
    out.extend_from_slice(&[IAC, SB, opt::TTYPE]);
    out.extend(std::iter::repeat_n(b'A', 1 << 20));
    out.extend_from_slice(&[IAC, SE]);
    out.extend_from_slice(b"after huge\r\n");
    // A sub-negotiation whose IAC SE never comes: it ends at the next command.
    out.extend_from_slice(&[IAC, SB, opt::NAWS, 1, 2, IAC, WILL, opt::ECHO]);
    out.extend_from_slice(b"<H3C>");
    s.write_all(&out).await.unwrap();
    let d = data_until(&mut t, b"<H3C>").await;
    assert_eq!(d, b"bin \xff x\ry\r\nafter huge\r\n<H3C>");
    read_until(&mut s, &[IAC, DO, opt::ECHO]).await;
}

#[tokio::test]
async fn the_probe_is_a_timing_mark_round_trip_and_a_stalled_server_never_answers_it() {
    let (t, mut s) = pair().await;
    read_until(&mut s, &[IAC, DO, opt::TIMING_MARK]).await;
    // Answer the opening mark (some servers say WONT): probes are answered from now on.
    s.write_all(&[IAC, WONT, opt::TIMING_MARK]).await.unwrap();
    // Give the client's reader a moment to take the answer in (loopback: well under this).
    tokio::time::sleep(Duration::from_millis(100)).await;
    let link = &t.link;
    let probe = link.probe();
    let serve = async {
        read_until(&mut s, &[IAC, DO, opt::TIMING_MARK]).await;
        s.write_all(&[IAC, WILL, opt::TIMING_MARK]).await.unwrap();
    };
    let (r, ()) = tokio::join!(tokio::time::timeout(Duration::from_secs(2), probe), serve);
    r.expect("answered in time").unwrap();
    // The server stops answering (half-open): the probe does not come back.
    let r = tokio::time::timeout(Duration::from_millis(300), t.link.probe()).await;
    assert!(r.is_err(), "a probe without an answer must not succeed");
}
