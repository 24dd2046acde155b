//! Junos candidate vs committed configuration: `commit`, `commit check`, `commit confirmed N`
//! (rolled back unless confirmed in time; minutes scaled down here), `rollback N`,
//! `show | compare`, `show configuration | display set`, and the candidate shared by sessions.

mod common;

use std::time::Duration;

use common::Cli;
use netkeep_sim::{DeviceConfig, SimDevice};

const S: Duration = Duration::from_secs(5);
const OPER: &str = "admin@router1> ";
const EDIT: &str = "\r\n[edit]\r\nadmin@router1# ";

async fn start(minute: Duration) -> SimDevice {
    let mut cfg = DeviceConfig::new("juniper_junos");
    cfg.minute = minute;
    SimDevice::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

async fn configure(d: &SimDevice) -> Cli {
    let mut c = Cli::connect(d.addr()).await;
    c.read_until(OPER, S).await.unwrap();
    c.cmd("set cli screen-length 0", OPER).await;
    c.cmd("configure", EDIT).await;
    c
}

async fn archive(c: &mut Cli) -> String {
    c.output("run show configuration | match archive", EDIT)
        .await
        .trim()
        .to_string()
}

#[tokio::test]
async fn commit_check_compare_and_rollback() {
    let d = start(Duration::from_secs(60)).await;
    let mut c = configure(&d).await;
    c.cmd("set system syslog archive size 110k files 3", EDIT)
        .await;
    // Not running yet: the candidate has it, `show | compare` says so.
    assert_eq!(archive(&mut c).await, "");
    let diff = c.output("show | compare", EDIT).await;
    assert_eq!(
        diff,
        "[edit system syslog]\n+    archive size 110k files 3;\n"
    );
    let check = c.output("commit check", EDIT).await;
    assert_eq!(check.trim(), "configuration check succeeds");
    assert_eq!(archive(&mut c).await, "", "commit check applies nothing");
    c.cmd("commit", EDIT).await;
    assert_eq!(archive(&mut c).await, "archive size 110k files 3;");
    assert_eq!(c.output("show | compare", EDIT).await, "");
    // A second commit replaces the statement; `rollback 1` loads the first one back.
    c.cmd("set system syslog archive size 120k files 3", EDIT)
        .await;
    c.cmd("set system time-zone America/New_York", EDIT).await;
    c.cmd("commit", EDIT).await;
    assert_eq!(archive(&mut c).await, "archive size 120k files 3;");
    c.cmd("rollback 1", EDIT).await;
    let diff = c.output("show | compare", EDIT).await;
    assert_eq!(
        diff,
        "[edit system]\n-    time-zone America/New_York;\n[edit system syslog]\n-    archive size 120k files 3;\n+    archive size 110k files 3;\n"
    );
    c.cmd("commit", EDIT).await;
    let set = c
        .output("run show configuration | display set | match syslog", EDIT)
        .await;
    assert!(
        set.contains("set system syslog archive size 110k files 3\n") && !set.contains("time-zone"),
        "{set}"
    );
    // `delete` removes, `rollback 0` throws the uncommitted change away.
    c.cmd("delete system syslog archive", EDIT).await;
    assert!(c.output("show", EDIT).await.contains("syslog {"));
    assert!(!c.output("show", EDIT).await.contains("archive"));
    c.cmd("rollback 0", EDIT).await;
    assert_eq!(c.output("show | compare", EDIT).await, "");
    assert_eq!(archive(&mut c).await, "archive size 110k files 3;");
}

#[tokio::test]
async fn commit_confirmed_rolls_back_unless_confirmed() {
    // One "minute" lasts 300 ms here.
    let d = start(Duration::from_millis(300)).await;
    let mut c = configure(&d).await;
    c.cmd("set system host-name edge1", EDIT).await;
    let out = c
        .output("commit confirmed 1", "\r\n[edit]\r\nadmin@edge1# ")
        .await;
    assert!(
        out.contains(
            "commit confirmed will be automatically rolled back in 1 minutes unless confirmed"
        ),
        "{out}"
    );
    assert_eq!(d.hostname(), "edge1");
    // Not confirmed: after the minute the previous configuration is back.
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(d.hostname(), "router1");
    c.cmd("", EDIT).await;
    // Confirmed by a plain commit within the minute: it stays.
    c.cmd("set system host-name edge2", EDIT).await;
    c.cmd("commit confirmed 1", "admin@edge2# ").await;
    c.cmd("commit", "admin@edge2# ").await;
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(d.hostname(), "edge2");
}

#[tokio::test]
async fn the_candidate_is_shared_and_survives_leaving_configuration_mode() {
    let d = start(Duration::from_secs(60)).await;
    let mut a = configure(&d).await;
    a.cmd("set interfaces ge-0/0/1 description from-a", EDIT)
        .await;
    // Leaving with uncommitted changes asks; the changes stay in the candidate.
    a.cmd("exit", "Exit with uncommitted changes? [yes,no] (yes) ")
        .await;
    a.cmd("yes", OPER).await;
    let mut b = Cli::connect(d.addr()).await;
    b.read_until(OPER, S).await.unwrap();
    let entered = b.cmd("configure", EDIT).await;
    assert!(
        entered.contains("The configuration has been changed but not committed"),
        "{entered}"
    );
    let diff = b.output("show | compare", EDIT).await;
    assert!(diff.contains("+    description from-a;"), "{diff}");
    b.cmd("commit and-quit", OPER).await;
    let ifs = b.output("show interfaces ge-0/0/1", OPER).await;
    assert!(ifs.contains("  Description: from-a\n"), "{ifs}");
}

#[tokio::test]
async fn set_paths_start_with_a_statement_junos_has() {
    let d = start(Duration::from_secs(60)).await;
    let mut c = configure(&d).await;
    let out = c.output("set frobnicate the router", EDIT).await;
    assert!(out.contains("unknown command."), "{out}");
    assert!(
        out.starts_with("                   ^"),
        "caret under the statement: {out:?}"
    );
    assert_eq!(c.output("show | compare", EDIT).await, "");
    c.cmd("set snmp community public authorization read-only", EDIT)
        .await;
    let diff = c.output("show | compare", EDIT).await;
    assert_eq!(
        diff,
        "[edit]\n+    snmp {\n+        community public {\n+            authorization read-only;\n+        }\n+    }\n"
    );
}

/// `## Last commit:` is when the configuration was committed, not the time of the question:
/// asked on both sides of a second boundary it is the same line, and a commit moves it.
#[tokio::test]
async fn last_commit_line_is_the_commit_time() {
    let d = start(Duration::from_secs(60)).await;
    let mut c = configure(&d).await;
    let last = |out: String| out.lines().next().unwrap_or_default().to_string();
    let first = last(c.output("run show configuration", EDIT).await);
    assert!(first.starts_with("## Last commit: "), "{first}");
    // Wait for the clock's second to change (at most 1 s), then ask again.
    let second_now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    };
    let t0 = second_now();
    while second_now() == t0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(last(c.output("run show configuration", EDIT).await), first);
    // A commit a second later than the device's start has another time.
    c.cmd("set system syslog archive size 110k files 3", EDIT)
        .await;
    c.cmd("commit", EDIT).await;
    assert_ne!(last(c.output("run show configuration", EDIT).await), first);
}
