//! A command abandoned half-way (its future dropped, or its read timed out) must not leak its
//! late output into the next command; a session that cannot get back in step is closed with
//! the reason, which `close_message()` keeps.

mod common;

use std::time::Duration;

use common::{connect, opts, start};
use netkeep_session::{CloseReason, CommandOptions, Error, KeepaliveMode, Session};
use netkeep_sim::Fault;

// The simulated Comware `ping` prints a line every 500 ms for 2.5 s.
const PING: &str = "ping 192.0.2.1";

fn assert_one_clock_line(out: &str) {
    assert_eq!(out.lines().count(), 1, "{out:?}");
    assert!(
        out.contains("UTC") && !out.contains("bytes from"),
        "{out:?}"
    );
}

#[tokio::test]
async fn dropped_command_output_does_not_reach_the_next_command() {
    let dev = start("hp_comware", |_| {}).await;
    let s = connect(&dev, "hp_comware").await;
    let r = tokio::time::timeout(Duration::from_millis(700), s.send_command(PING)).await;
    assert!(r.is_err(), "ping should still be running: {r:?}");
    // A probe meanwhile must not eat the rest of that output (the next command needs it).
    s.probe(Duration::from_secs(1)).await.unwrap();
    // The device is still pinging: this waits for it, then answers with the clock alone.
    let out = s.send_command("display clock").await.unwrap();
    assert_one_clock_line(&out);
    assert!(!s.is_closed());
    // And the session stays in step afterwards.
    assert_one_clock_line(&s.send_command("display clock").await.unwrap());
    s.disconnect().await;
    dev.stop().await;
}

#[tokio::test]
async fn timed_out_command_output_does_not_reach_the_next_command() {
    let dev = start("hp_comware", |_| {}).await;
    let s = connect(&dev, "hp_comware").await;
    let e = s
        .send_command_with(
            PING,
            &CommandOptions {
                expect: None,
                read_timeout: Duration::from_millis(600),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::ReadTimeout { .. }), "{e}");
    assert!(
        e.partial_output().unwrap_or("").contains("bytes from"),
        "{e}"
    );
    // is_alive in between must not take the ping's lines as its echo either.
    assert!(s.is_alive().await);
    let out = s.send_command("display clock").await.unwrap();
    assert_one_clock_line(&out);
    s.disconnect().await;
    dev.stop().await;
}

#[tokio::test]
async fn session_that_cannot_get_back_in_step_is_closed_with_the_reason() {
    let dev = start("hp_comware", |_| {}).await;
    let s = Session::connect(
        opts(&dev, "hp_comware")
            .read_timeout(Duration::from_millis(500))
            .keepalive(KeepaliveMode::Off),
    )
    .await
    .unwrap();
    let _ = tokio::time::timeout(Duration::from_millis(200), s.send_command(PING)).await;
    dev.set_fault(Fault::Stall);
    let e = s.send_command("display clock").await.unwrap_err();
    assert!(e.is_connection_lost(), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("abandoned") && msg.contains(PING), "{msg}");
    assert!(s.is_closed());
    assert_eq!(s.close_message().as_deref(), Some(msg.as_str()));
    assert_eq!(s.close_reason(), None);
    dev.stop().await;
}

#[tokio::test]
async fn close_message_names_the_devices_reason() {
    let t = Duration::from_millis(600);
    let dev = start("hp_comware", |cfg| cfg.idle_timeout = Some(t)).await;
    let s = Session::connect(
        opts(&dev, "hp_comware")
            .idle_timeout(Some(t))
            .keepalive(KeepaliveMode::Off),
    )
    .await
    .unwrap();
    assert_eq!(s.close_message(), None);
    tokio::time::sleep(t + Duration::from_millis(300)).await;
    assert!(!s.is_alive().await);
    assert_eq!(s.close_reason(), Some(CloseReason::IdleTimeout));
    let m = s.close_message().unwrap();
    assert!(m.contains("idle timeout"), "{m}");
    dev.stop().await;
}
