//! The quirks of the last two platforms of issue 18 that their prompts carry: SR OS's MD-CLI
//! candidate (the context line above the prompt) and its classic engine behind `//`; SmartAX's
//! `{ <cr>|... }:` questions and its logout question.

mod common;

use std::time::Duration;

use common::Cli;
use netkeep_sim::{DeviceConfig, SimDevice};

const S: Duration = Duration::from_secs(5);
const MD: &str = "\r\n[/]\r\nA:admin@pe1# ";

async fn start(platform: &str) -> (SimDevice, Cli) {
    let d = SimDevice::start(DeviceConfig::new(platform), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let c = Cli::connect(d.addr()).await;
    (d, c)
}

/// MD-CLI: `*` on the context line while the candidate holds changes, `quit-config` drops them,
/// `commit` applies them; the show commands see only what was committed.
#[tokio::test]
async fn sros_md_cli_candidate_is_marked_above_the_prompt() {
    let (d, mut c) = start("alcatel_sros").await;
    c.read_until(MD, S).await.unwrap();
    c.cmd("environment more false", MD).await;
    c.cmd("edit-config private", "\r\n(pr)[/]\r\nA:admin@pe1# ")
        .await;
    let line = "/configure port 1/1/3 description \"dropped\"";
    c.cmd(line, "\r\n*(pr)[/]\r\nA:admin@pe1# ").await;
    c.cmd("quit-config", MD).await;
    let run = c.output("admin show configuration", MD).await;
    assert!(!run.contains("dropped"), "{run}");

    c.cmd("edit-config exclusive", "\r\n(ex)[/]\r\nA:admin@pe1# ")
        .await;
    c.cmd(
        "configure port 1/1/3 description \"kept\"",
        "\r\n*(ex)[/]\r\nA:admin@pe1# ",
    )
    .await;
    c.cmd("commit", "\r\n(ex)[/]\r\nA:admin@pe1# ").await;
    c.cmd("quit-config", MD).await;
    let ports = c.output("show port description", MD).await;
    assert!(ports.contains("1/1/3            kept"), "{ports}");
    d.stop().await;
}

/// `//` leads to the classic engine: `A:pe1#`, `*` before it while the configuration is
/// unsaved, `configure ...` applied at once; `//` again returns to MD-CLI.
#[tokio::test]
async fn sros_classic_engine_applies_configuration_at_once() {
    let (d, mut c) = start("alcatel_sros").await;
    c.read_until(MD, S).await.unwrap();
    let out = c.cmd("//", "A:pe1# ").await;
    assert!(!out.ends_with("*A:pe1# "), "saved at boot: {out:?}");
    c.cmd("environment no more", "A:pe1# ").await;
    let line = "configure port 1/1/4 description classic-now";
    let out = c.cmd(line, "A:pe1# ").await;
    assert!(out.ends_with("\r\n*A:pe1# "), "unsaved: {out:?}");
    let ports = c.output("show port description", "*A:pe1# ").await;
    assert!(ports.contains("1/1/4            classic-now"), "{ports}");
    let out = c.cmd("admin save", "A:pe1# ").await;
    assert!(
        out.contains("Completed.") && !out.ends_with("*A:pe1# "),
        "{out:?}"
    );
    c.cmd("//", MD).await;
    d.stop().await;
}

/// Smart interaction asks `{ <cr>|... }:` before a command with optional parameters, until
/// `undo smart`; `quit` asks before logging out.
#[tokio::test]
async fn smartax_asks_until_undo_smart_and_before_logout() {
    const ASK: &str = "{ <cr>|backplane<K>|frameid/slotid<S><Length 1-15> }:";
    let (d, mut c) = start("huawei_smartax").await;
    c.read_until("MA5600T>", S).await.unwrap();
    c.cmd("enable", "MA5600T#").await;
    c.cmd("display version", ASK).await;
    let out = c.cmd("", "MA5600T#").await;
    assert!(out.contains("VERSION : MA5600V800R018C10"), "{out}");
    c.cmd("undo smart", "MA5600T#").await;
    let out = c.output("display version", "MA5600T#").await;
    assert!(
        out.contains("VERSION : ") && !out.contains("{ <cr>"),
        "{out}"
    );
    c.cmd("smart", "MA5600T#").await;
    c.cmd("display version", ASK).await;
    c.cmd("", "MA5600T#").await;
    c.cmd("quit", "(y/n)[n]:").await;
    c.cmd("n", "MA5600T#").await;
    c.cmd("quit", "(y/n)[n]:").await;
    c.send(b"y\n").await;
    let last = c.wait_closed(S).await.unwrap();
    assert!(last.contains("Configuration console exit"), "{last:?}");
    d.stop().await;
}
