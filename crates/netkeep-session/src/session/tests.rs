//! The read loop, modes and keepalive over the in-memory transport: a test plays the device
//! byte by byte (no SSH, no sockets), on tokio's paused clock.

use std::time::Duration;

use netkeep_platform::CloseReason;
use netkeep_transport::memory::{self, Peer, Probe};
use tokio::time::Instant;

use crate::{ConnectOptions, Error, ErrorKind, KeepaliveConfig, KeepaliveMode, Session};

const PROMPT: &str = "<lab>";

fn opts(platform: &str) -> ConnectOptions {
    ConnectOptions::new("lab", 0, platform)
        .keepalive(KeepaliveMode::Off)
        .read_timeout(Duration::from_secs(5))
        .probe_timeout(Duration::from_secs(2))
}

/// The session's next write; a session that writes nothing fails the test instead of hanging
/// it (the clock is paused, so this costs no real time).
async fn next_write(dev: &mut Peer) -> Vec<u8> {
    tokio::time::timeout(Duration::from_secs(60), dev.next_write())
        .await
        .expect("the session wrote nothing within 60 s")
        .expect("the session closed its terminal")
        .to_vec()
}

/// Logs a session in to a scripted Comware showing `<lab>`: answers the preparation command.
async fn login(o: ConnectOptions) -> (Session, Peer) {
    let (t, mut dev) = memory::pair("lab");
    dev.send(format!("\r\n{PROMPT}"));
    let device = async {
        let w = next_write(&mut dev).await;
        assert_eq!(&w[..], b"screen-length disable\n");
        dev.send(format!("screen-length disable\r\n{PROMPT}"));
    };
    let (s, ()) = tokio::join!(Session::with_transport(t, o), device);
    (s.unwrap(), dev)
}

/// Waits for the session to type `cmd`, then answers with its echo, `output` and `prompt`.
async fn answer(dev: &mut Peer, cmd: &str, output: &str, prompt: &str) {
    let w = next_write(dev).await;
    assert_eq!(String::from_utf8_lossy(&w), format!("{cmd}\n"));
    dev.send(format!("{cmd}\r\n{output}{prompt}"));
}

/// Answers every NUL the session writes: raw (`echo`) or not at all.
fn nul_device(mut dev: Peer, echo: bool) -> tokio::task::JoinHandle<Peer> {
    tokio::spawn(async move {
        while let Some(w) = dev.next_write().await {
            if echo && w.contains(&0) {
                dev.send([0u8]);
            }
        }
        dev
    })
}

#[tokio::test(start_paused = true)]
async fn prompt_ends_the_read_and_output_is_clean() {
    let (s, mut dev) = login(opts("hp_comware")).await;
    let (out, ()) = tokio::join!(
        s.send_command("display clock"),
        answer(
            &mut dev,
            "display clock",
            "10:00:00 UTC Wed 11/26/2026\r\n",
            PROMPT
        )
    );
    assert_eq!(out.unwrap(), "10:00:00 UTC Wed 11/26/2026");
    let (p, ()) = tokio::join!(s.find_prompt(), answer(&mut dev, "", "", PROMPT));
    assert_eq!(p.unwrap(), PROMPT);
}

#[tokio::test(start_paused = true)]
async fn login_answers_the_banner_question() {
    let (t, mut dev) = memory::pair("lab");
    dev.send("Press Y or ENTER to continue, N to exit: ");
    let device = async {
        assert_eq!(&next_write(&mut dev).await[..], b"Y\n");
        dev.send(format!("Y\r\n{PROMPT}"));
        answer(&mut dev, "screen-length disable", "", PROMPT).await;
    };
    let (s, ()) = tokio::join!(Session::with_transport(t, opts("hp_comware")), device);
    assert_eq!(s.unwrap().device(), "lab");
}

#[tokio::test(start_paused = true)]
async fn login_without_a_prompt_names_the_last_bytes() {
    let (t, dev) = memory::pair("lab");
    dev.send("Welcome. Password expired, choose a new one: ");
    let o = opts("hp_comware").connect_timeout(Duration::from_secs(3));
    let e = Session::with_transport(t, o).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PromptNotFound, "{e}");
    assert!(
        e.partial_output().unwrap().contains("choose a new one"),
        "{e}"
    );
}

#[tokio::test(start_paused = true)]
async fn pager_is_answered_and_leaves_no_trace() {
    let (s, mut dev) = login(opts("hp_comware")).await;
    let device = async {
        let w = next_write(&mut dev).await;
        assert_eq!(&w[..], b"display interface brief\n");
        dev.send("display interface brief\r\nGE1/0/1 UP\r\n  ---- More ----");
        assert_eq!(&next_write(&mut dev).await[..], b" ");
        // Comware wipes the pager line with cursor moves before the next page.
        dev.send(format!(
            "\x1b[16D                \x1b[16DGE1/0/2 DOWN\r\n{PROMPT}"
        ));
    };
    let (out, ()) = tokio::join!(s.send_command("display interface brief"), device);
    assert_eq!(out.unwrap(), "GE1/0/1 UP\nGE1/0/2 DOWN");
}

#[tokio::test(start_paused = true)]
async fn prompt_like_text_followed_by_more_data_does_not_end_the_read() {
    let (s, mut dev) = login(opts("hp_comware")).await;
    let device = async {
        let w = next_write(&mut dev).await;
        assert_eq!(&w[..], b"display current-configuration\n");
        // Two packets queued at once: the first ends with text that looks like the prompt;
        // the real prompt comes later.
        dev.send(format!(
            "display current-configuration\r\n sysname lab\r\n{PROMPT}"
        ));
        dev.send("\r\n return");
        tokio::time::sleep(Duration::from_millis(100)).await;
        dev.send(format!("\r\n{PROMPT}"));
    };
    let (out, ()) = tokio::join!(s.send_command("display current-configuration"), device);
    assert_eq!(out.unwrap(), format!(" sysname lab\n{PROMPT}\n return"));
}

#[tokio::test(start_paused = true)]
async fn abandoned_command_output_is_dropped_before_the_next_command() {
    let (s, mut dev) = login(opts("hp_comware")).await;
    let ping = "ping 192.0.2.1";
    let early = tokio::time::timeout(Duration::from_millis(500), async {
        tokio::join!(s.send_command(ping), async {
            assert_eq!(
                String::from_utf8_lossy(&next_write(&mut dev).await),
                format!("{ping}\n")
            );
            dev.send(format!("{ping}\r\nReply from 192.0.2.1: bytes=56\r\n"));
        })
    })
    .await;
    assert!(early.is_err(), "the ping should still be running");
    let device = async {
        // The session waits for the abandoned ping's prompt before typing the next command.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(dev.written().is_empty(), "typed before the ping's prompt");
        dev.send(format!(
            "Reply from 192.0.2.1: bytes=56\r\n--- statistics ---\r\n{PROMPT}"
        ));
        answer(&mut dev, "display clock", "10:00:00 UTC\r\n", PROMPT).await;
    };
    let (out, ()) = tokio::join!(s.send_command("display clock"), device);
    assert_eq!(out.unwrap(), "10:00:00 UTC");
    assert!(!s.is_closed());
}

#[tokio::test(start_paused = true)]
async fn config_set_enters_and_leaves_configuration_mode() {
    let (s, mut dev) = login(opts("hp_comware")).await;
    let device = async {
        answer(
            &mut dev,
            "system-view",
            "System View: return to User View with Ctrl+Z.\r\n",
            "[lab]",
        )
        .await;
        answer(
            &mut dev,
            "interface GigabitEthernet1/0/1",
            "",
            "[lab-GigabitEthernet1/0/1]",
        )
        .await;
        answer(
            &mut dev,
            "description uplink",
            "",
            "[lab-GigabitEthernet1/0/1]",
        )
        .await;
        answer(&mut dev, "return", "", PROMPT).await;
    };
    let (out, ()) = tokio::join!(
        s.send_config_set(&["interface GigabitEthernet1/0/1", "description uplink"]),
        device
    );
    let out = out.unwrap();
    assert!(
        out.contains("[lab]interface GigabitEthernet1/0/1\n"),
        "{out}"
    );
    // A refused line: the error names it, and the session is back in user view.
    let device = async {
        answer(&mut dev, "system-view", "", "[lab]").await;
        answer(
            &mut dev,
            "vlan 5000",
            "                ^\r\n % Wrong parameter found at '^' position.\r\n",
            "[lab]",
        )
        .await;
        answer(&mut dev, "return", "", PROMPT).await;
    };
    let (r, ()) = tokio::join!(s.send_config_set(&["vlan 5000", "name never"]), device);
    match r {
        Err(Error::ConfigRejected { line, .. }) => assert_eq!(line, "vlan 5000"),
        other => panic!("{other:?}"),
    }
    let (p, ()) = tokio::join!(s.find_prompt(), answer(&mut dev, "", "", PROMPT));
    assert_eq!(p.unwrap(), PROMPT);
}

#[tokio::test(start_paused = true)]
async fn echoing_device_is_not_probed_once_its_echo_is_learned() {
    let (s, dev) = login(opts("hp_comware")).await;
    let dev = nul_device(dev, true);
    for _ in 0..10 {
        assert!(s.is_alive().await);
    }
    let st = s.keepalive_stats();
    assert_eq!((st.sent, st.failures), (10, 0), "{st:?}");
    // Only the first keepalive, which learned that the device echoes, needed a probe.
    assert_eq!(st.pings, 1, "{st:?}");
    s.disconnect().await;
    assert_eq!(dev.await.unwrap().probes(), 1);
}

#[tokio::test(start_paused = true)]
async fn silent_device_is_probed_every_time() {
    let (s, dev) = login(opts("hp_comware")).await;
    let dev = nul_device(dev, false);
    for _ in 0..10 {
        assert!(s.is_alive().await);
    }
    let st = s.keepalive_stats();
    assert_eq!((st.sent, st.failures, st.pings), (10, 0, 10), "{st:?}");
    s.disconnect().await;
    assert_eq!(dev.await.unwrap().probes(), 10);
}

#[tokio::test(start_paused = true)]
async fn stalled_device_is_found_dead_within_the_probe_bound() {
    let bound = Duration::from_secs(2);
    let (s, mut dev) = login(opts("hp_comware").probe_timeout(bound)).await;
    // Learn the echo first, so the stall hits the echo path (half the bound) and then the probe.
    let device = async {
        for _ in 0..2 {
            assert_eq!(&next_write(&mut dev).await[..], b"\0");
            dev.send([0u8]);
        }
    };
    let (alive, ()) = tokio::join!(async { s.is_alive().await && s.is_alive().await }, device);
    assert!(alive);
    assert_eq!(s.keepalive_stats().pings, 1);
    dev.set_probe(Probe::Never);
    let t = Instant::now();
    assert!(!s.is_alive().await);
    let took = t.elapsed();
    assert!(
        took >= bound && took <= bound + Duration::from_millis(10),
        "{took:?}"
    );
    assert!(s.is_closed());
    assert!(
        s.close_message().unwrap().contains("no answer"),
        "{:?}",
        s.close_message()
    );
    let st = s.keepalive_stats();
    assert_eq!((st.failures, st.pings), (1, 2), "{st:?}");
}

#[tokio::test(start_paused = true)]
async fn keepalive_task_finds_a_stall_within_interval_plus_bound() {
    let interval = Duration::from_secs(10);
    let bound = Duration::from_secs(2);
    let o = opts("hp_comware")
        .probe_timeout(bound)
        .keepalive(KeepaliveConfig {
            mode: KeepaliveMode::Nul,
            interval: Some(interval),
            command: None,
        });
    // The device swallows every NUL (nobody reads them) and answers probes.
    let (s, dev) = login(o).await;
    // Two quiet intervals: two keepalives, each proven by a probe.
    tokio::time::sleep(interval * 2 + Duration::from_secs(1)).await;
    assert_eq!(s.keepalive_stats().pings, 2, "{:?}", s.keepalive_stats());
    assert!(!s.is_closed());
    // Half-open from now on: the next keepalive's probe never comes back.
    dev.set_probe(Probe::Never);
    let t = Instant::now();
    while !s.is_closed() && t.elapsed() <= interval * 3 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(s.is_closed(), "a half-open session still looks alive");
    assert!(t.elapsed() <= interval + bound, "{:?}", t.elapsed());
    assert!(s.close_message().unwrap().contains("no answer"));
    assert_eq!(s.keepalive_stats().failures, 1);
}

#[tokio::test(start_paused = true)]
async fn device_closing_with_last_words_is_closed_by_device_with_reason() {
    let (s, dev) = login(opts("hp_comware")).await;
    dev.send("\r\n%Jun  1 10:00:00 lab SHELL/5/SHELL_LOGOUT: admin logged out: idle timeout.\r\n");
    dev.close(None);
    let e = s.send_command("display clock").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConnectionLost, "{e}");
    assert!(e.is_connection_lost());
    match &e {
        Error::ClosedByDevice {
            reason, last_words, ..
        } => {
            assert_eq!(reason.0, CloseReason::IdleTimeout);
            assert!(
                last_words.contains("logged out: idle timeout"),
                "{last_words:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.close_reason(), Some(CloseReason::IdleTimeout));
    assert!(s.close_message().unwrap().contains("idle timeout"));
    assert!(!s.is_alive().await);
}

#[tokio::test(start_paused = true)]
async fn the_links_disconnect_reason_counts_as_last_words() {
    let (s, dev) = login(opts("hp_comware")).await;
    dev.close(Some("device sent disconnect: All user interfaces are busy"));
    let e = s.send_command("display clock").await.unwrap_err();
    assert_eq!(e.close_reason(), Some(CloseReason::VtyLimit), "{e}");
    assert!(e.partial_output().unwrap().contains("busy"), "{e}");
}

#[tokio::test(start_paused = true)]
async fn disconnect_closes_both_ends_and_later_calls_say_so() {
    let (s, dev) = login(opts("hp_comware")).await;
    s.disconnect().await;
    assert!(dev.session_closed());
    assert!(s.is_closed());
    let e = s.send_command("display clock").await.unwrap_err();
    assert!(e.to_string().contains("closed by this program"), "{e}");
    assert_eq!(e.kind(), ErrorKind::ConnectionLost);
}

#[tokio::test(start_paused = true)]
async fn command_keepalive_runs_its_command_and_needs_one() {
    let o =
        opts("hp_comware").keepalive("command:display clock".parse::<KeepaliveConfig>().unwrap());
    let (s, mut dev) = login(o).await;
    assert_eq!(s.keepalive_mode(), &KeepaliveMode::Command);
    let (alive, ()) = tokio::join!(
        s.is_alive(),
        answer(&mut dev, "display clock", "10:00:00 UTC\r\n", PROMPT)
    );
    assert!(alive);
    assert_eq!(s.keepalive_stats().sent, 1);

    // Comware's platform file names no keepalive command: mode command alone is refused.
    let (t, _dev) = memory::pair("lab");
    let o = opts("hp_comware").keepalive(KeepaliveMode::Command);
    let e = Session::with_transport(t, o).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadInput, "{e}");
    assert!(e.to_string().contains("needs a command"), "{e}");
}
