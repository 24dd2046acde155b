//! The daemon's security flags end to end through the `netkeep` binary: `serve` refuses a
//! non-loopback plain-HTTP listener before binding, serves TLS with a certificate made in the
//! test (the client reaches it with `--url https://... --ca-file --token-file`; plain HTTP is
//! refused), and `netkeep audit` reads the audit log as a table or JSON lines, filtered.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{stderr, stdout, wait_for, Lab, BIN};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

fn lab(tag: &str) -> (Lab, std::path::PathBuf) {
    let mut lab = Lab::new(tag);
    lab.add("sw1", "hp_comware", "", |_| {});
    lab.add("sw2", "huawei", "", |_| {});
    let inv = lab.inventory(&[]);
    (lab, inv)
}

/// Writes a CA and a server certificate for 127.0.0.1 into `dir`: (ca, cert, key).
fn certificates(dir: &std::path::Path) -> [std::path::PathBuf; 3] {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "cli test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    let paths = ["ca.pem", "cert.pem", "key.pem"].map(|f| dir.join(f));
    std::fs::write(&paths[0], ca_cert.pem()).unwrap();
    std::fs::write(&paths[1], cert.pem()).unwrap();
    std::fs::write(&paths[2], key.serialize_pem()).unwrap();
    paths
}

/// `netkeep ARGS` with no daemon found through the environment.
fn run(lab: &Lab, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env_remove("NETKEEP_SOCKET")
        .env_remove("NETKEEP_URL")
        .env_remove("NETKEEP_AUDIT_LOG")
        .env("XDG_RUNTIME_DIR", lab.dir.path().join("nowhere"))
        .output()
        .unwrap()
}

#[test]
fn serve_refuses_plain_http_on_a_non_loopback_address() {
    let (lab, inv) = lab("plain-public");
    let token = lab.dir.path().join("token");
    std::fs::write(&token, "0123456789abcdef-public\n").unwrap();
    let o = run(
        &lab,
        &[
            "serve",
            "--no-progress",
            "--inventory",
            inv.to_str().unwrap(),
            "--socket",
            lab.socket().to_str().unwrap(),
            "--listen",
            "192.0.2.10:7878",
            "--token-file",
            token.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("refusing to listen on 192.0.2.10:7878 without TLS") && e.contains("--tls-cert"),
        "{e}"
    );
    assert!(!lab.socket().exists(), "nothing was bound");
}

#[test]
fn the_cli_reaches_a_tls_listener_and_plain_http_is_refused() {
    let (lab, inv) = lab("tls");
    let [ca, cert, key] = certificates(lab.dir.path());
    let token = lab.dir.path().join("token");
    std::fs::write(&token, "0123456789abcdef-tls-cli\n").unwrap();
    let _serve = lab.serve(
        &inv,
        &[
            "--listen",
            "127.0.0.1:0",
            "--token-file",
            token.to_str().unwrap(),
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    let mut url = String::new();
    wait_for("the TLS address in the log", Duration::from_secs(5), || {
        url = lab
            .log()
            .split_whitespace()
            .find(|w| w.starts_with("https://"))
            .unwrap_or_default()
            .to_string();
        !url.is_empty()
    });
    let t = token.to_str().unwrap();
    let c = ca.to_str().unwrap();
    let o = run(
        &lab,
        &[
            "exec",
            "--url",
            &url,
            "--token-file",
            t,
            "--ca-file",
            c,
            "sw1",
            "display clock",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("UTC"));
    let o = run(
        &lab,
        &[
            "status",
            "--url",
            &url,
            "--token-file",
            t,
            "--ca-file",
            c,
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Without the CA: a clear error, no request.
    let o = run(&lab, &["status", "--url", &url, "--token-file", t]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--ca-file"), "{}", stderr(&o));
    // Plain HTTP to the TLS port: refused with the reason.
    let plain = url.replace("https://", "http://");
    let o = run(&lab, &["status", "--url", &plain, "--token-file", t]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("speaks HTTPS"), "{}", stderr(&o));
}

#[test]
fn netkeep_audit_reads_the_log_as_a_table_or_json_lines() {
    let (lab, inv) = lab("audit");
    let audit = lab.dir.path().join("audit.jsonl");
    let _serve = lab.serve(&inv, &["--audit-log", audit.to_str().unwrap()]);
    for (dev, cmd) in [
        ("sw1", "display clock"),
        ("sw2", "display version"),
        ("sw1", "display nonsense"),
    ] {
        lab.nk(&["exec", dev, cmd]);
    }
    let f = audit.to_str().unwrap();
    let o = run(&lab, &["audit", "--file", f]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("TIME") && lines[0].contains("COMMAND"),
        "{table}"
    );
    assert_eq!(lines.len(), 4, "{table}");
    let me = std::env::var("USER").unwrap_or_else(|_| "root".into());
    assert!(
        lines[1].contains("sw1") && lines[1].contains("display clock") && lines[1].contains(" ok "),
        "{table}"
    );
    assert!(lines[1].contains("unix pid"), "{table}");
    assert!(
        lines[3].contains("rejected: % Unrecognized command"),
        "{table}"
    );
    if me == "root" {
        assert!(lines[1].contains("root"), "{table}");
    }

    let o = run(&lab, &["audit", "--file", f, "--json", "--device", "sw1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let records: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Two requests on sw1: a request record and a command record each.
    assert_eq!(records.len(), 4, "{records:?}");
    assert!(records
        .iter()
        .all(|r| r["device"] == "sw1" || r["devices"][0] == "sw1"));
    let o = run(&lab, &["audit", "--file", f, "--json", "--since", "1h"]);
    assert_eq!(stdout(&o).lines().count(), 6, "{}", stdout(&o));
    let o = run(
        &lab,
        &[
            "audit",
            "--file",
            f,
            "--json",
            "--since",
            "2099-01-01T00:00:00Z",
        ],
    );
    assert_eq!(stdout(&o).lines().count(), 0);
    let o = run(&lab, &["audit", "--file", f, "--user", "nobody-at-all"]);
    assert_eq!(stdout(&o).lines().count(), 1, "only the header");
    let o = run(&lab, &["audit", "--since", "soon", "--file", f]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = run(&lab, &["audit"]);
    assert!(
        !o.status.success() && stderr(&o).contains("--file"),
        "{}",
        stderr(&o)
    );
}
