//! ssh_config semantics as ssh_config(5) documents them.

use super::*;
use crate::ssh::{AgentSocket, AlgorithmOp};

fn cfg(text: &str) -> SshConfig {
    SshConfig::parse_str(text, "/etc/test_config").unwrap()
}

fn look(c: &SshConfig, host: &str) -> HostConfig {
    c.lookup(&Query::host(host)).unwrap()
}

#[test]
fn first_obtained_value_wins_and_identity_files_add_up() {
    let c = cfg("Host sw1\n  Port 2201\n  IdentityFile /k/a\nHost sw*\n  Port 2299\n  User ops\n  IdentityFile /k/b\nHost *\n  User nobody\n");
    let h = look(&c, "sw1");
    assert_eq!(h.port, Some(2201));
    assert_eq!(h.user.as_deref(), Some("ops"));
    assert_eq!(
        h.identity_files,
        [PathBuf::from("/k/a"), PathBuf::from("/k/b")]
    );
    let h = look(&c, "sw2");
    assert_eq!(h.port, Some(2299));
    assert_eq!(look(&c, "rtr1").user.as_deref(), Some("nobody"));
    // Lines before the first Host apply to every host, and win over later blocks.
    let c = cfg("User first\nHost *\n  User later\n");
    assert_eq!(look(&c, "x").user.as_deref(), Some("first"));
}

#[test]
fn host_patterns_with_negation() {
    let c = cfg("Host * !bastion*\n  ProxyJump bastion\nHost bastion\n  HostName 198.51.100.1\n");
    assert_eq!(
        look(&c, "core-sw1").proxy,
        Some(Proxy::Jump(vec!["bastion".parse().unwrap()]))
    );
    let b = look(&c, "bastion");
    assert_eq!(b.proxy, None);
    assert_eq!(b.hostname.as_deref(), Some("198.51.100.1"));
    let c = cfg("Host !a\n  User u\n");
    assert_eq!(
        look(&c, "b").user,
        None,
        "a negated pattern alone matches nothing"
    );
}

#[test]
fn match_host_sees_hostname_match_user_sees_the_given_user() {
    let c = cfg("Host sw1\n  HostName 10.1.2.3\nMatch host 10.1.*\n  Port 830\nMatch originalhost sw1 user admin\n  User netops\n");
    let h = look(&c, "sw1");
    assert_eq!(h.hostname.as_deref(), Some("10.1.2.3"));
    assert_eq!(h.port, Some(830));
    assert_eq!(h.user, None, "user is the local user, not admin");
    let h = c
        .lookup(&Query {
            host: "sw1",
            user: Some("admin"),
            port: None,
        })
        .unwrap();
    assert_eq!(h.user.as_deref(), Some("netops"));
    let c = cfg("Match !host sw*\n  Port 1\nMatch all\n  Port 2\n");
    assert_eq!(look(&c, "sw1").port, Some(2));
    assert_eq!(look(&c, "r1").port, Some(1));
}

#[test]
fn unsupported_match_criteria_warn_and_skip_their_block() {
    let c = cfg("Match exec \"true\"\n  User never\nHost *\n  User always\n");
    assert_eq!(look(&c, "x").user.as_deref(), Some("always"));
    assert_eq!(c.warnings().len(), 1);
    assert!(
        c.warnings()[0].starts_with("/etc/test_config:1: Match exec is not supported"),
        "{:?}",
        c.warnings()
    );
    let e = SshConfig::parse_str("Match hots x\n", "/f").unwrap_err();
    assert_eq!(e.line, Some(1));
    assert!(e.to_string().contains("unknown criterion"), "{e}");
}

#[test]
fn proxy_jump_and_command_whichever_first_and_none() {
    let c = cfg("Host a\n  ProxyCommand ssh -W %h:%p gw\nHost *\n  ProxyJump j1,ops@j2:2222\n");
    assert_eq!(
        look(&c, "a").proxy,
        Some(Proxy::Command("ssh -W a:22 gw".into()))
    );
    match look(&c, "b").proxy {
        Some(Proxy::Jump(h)) => {
            assert_eq!(h.len(), 2);
            assert_eq!(h[1].to_string(), "ops@j2:2222");
        }
        other => panic!("{other:?}"),
    }
    let c = cfg("Host gw\n  ProxyJump none\nHost *\n  ProxyJump gw\n");
    assert_eq!(look(&c, "gw").proxy, Some(Proxy::None));
}

#[test]
fn tokens_use_the_final_host_port_and_user() {
    let c = cfg("Host r*\n  HostName %h.mgmt.example.net\n  User ops\n  Port 2022\n  ProxyCommand nc -x proxy %h %p # %r\n  IdentityFile /keys/%r-%n\n");
    let h = look(&c, "r1");
    assert_eq!(h.hostname.as_deref(), Some("r1.mgmt.example.net"));
    assert_eq!(
        h.proxy,
        Some(Proxy::Command(
            "nc -x proxy r1.mgmt.example.net 2022 # ops".into()
        ))
    );
    assert_eq!(h.identity_files, [PathBuf::from("/keys/ops-r1")]);
    // The command line's port and user win in the tokens.
    let h = c
        .lookup(&Query {
            host: "r1",
            user: Some("me"),
            port: Some(22),
        })
        .unwrap();
    assert_eq!(h.identity_files, [PathBuf::from("/keys/me-r1")]);
}

#[test]
fn include_applies_where_the_include_line_applies() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("conf.d")).unwrap();
    std::fs::write(
        dir.path().join("conf.d/10-core"),
        "Port 2210\nHost *\n  User inc\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("conf.d/20-more"),
        "Port 9999\nConnectTimeout 7\n",
    )
    .unwrap();
    let main = dir.path().join("config");
    std::fs::write(
        &main,
        format!(
            "Host core-*\n  Include {}/conf.d/*\nHost *\n  Port 22\n",
            dir.path().display()
        ),
    )
    .unwrap();
    let c = SshConfig::load(&main).unwrap();
    let h = look(&c, "core-1");
    assert_eq!(h.port, Some(2210));
    assert_eq!(h.user.as_deref(), Some("inc"));
    assert_eq!(h.connect_timeout, Some(Duration::from_secs(7)));
    let h = look(&c, "edge-1");
    assert_eq!(
        h.port,
        Some(22),
        "included lines stay under their Host core-*"
    );
    assert_eq!(
        h.user, None,
        "a Host block inside the include is narrowed by the outer one"
    );
    // A missing include file is skipped; an unreadable one is an error at the Include line.
    let c = SshConfig::parse_str(
        "Include /nonexistent/netkeep/*\nInclude /nonexistent/x\n",
        "/f",
    );
    assert!(c.is_ok());
    std::fs::create_dir(dir.path().join("adir")).unwrap();
    let loop_file = dir.path().join("loop");
    std::fs::write(&loop_file, format!("Include {}\n", loop_file.display())).unwrap();
    let e = SshConfig::load(&loop_file).unwrap_err();
    assert!(e.to_string().contains("deep"), "{e}");
}

#[test]
fn malformed_values_are_located_unknown_keywords_ignored() {
    let e = SshConfig::parse_str("Host a\n  Port twenty\n", "/home/me/.ssh/config").unwrap_err();
    assert_eq!(
        e.to_string(),
        "/home/me/.ssh/config:2: Port: expected a port number 1-65535, got \"twenty\""
    );
    let e = SshConfig::parse_str("\n\nUser \"open\n", "/c").unwrap_err();
    assert_eq!(e.line, Some(3));
    assert!(e.message.contains("unterminated"), "{e}");
    let e = SshConfig::parse_str("Host\n", "/c").unwrap_err();
    assert!(e.to_string().starts_with("/c:1: Host: expected"), "{e}");
    // Values are checked in blocks that match nothing, as OpenSSH checks them.
    assert!(SshConfig::parse_str("Host never\n  ConnectTimeout x\n", "/c").is_err());
    let c = cfg("FrobnicateHarder yes\nForwardAgent yes\nUser ok\n");
    assert_eq!(look(&c, "x").user.as_deref(), Some("ok"));
    let e = SshConfig::load(Path::new("/nonexistent/netkeep/config")).unwrap_err();
    assert_eq!(e.line, None);
    assert!(e.to_string().contains("cannot read"), "{e}");
}

#[test]
fn algorithms_agent_and_host_keys() {
    let c = cfg("Host old-*\n  KexAlgorithms +diffie-hellman-group1-sha1\n  HostKeyAlgorithms +ssh-rsa\n  Ciphers aes128-cbc,aes256-ctr\n  MACs -hmac-sha2-512*\n  IdentityAgent none\n  StrictHostKeyChecking yes\n  UserKnownHostsFile /kh/a /kh/b\n  ServerAliveInterval 15\n  ServerAliveCountMax 4\nHost *\n  IdentityAgent /run/agent.sock\n  IdentitiesOnly yes\n");
    let h = look(&c, "old-1");
    assert_eq!(h.algorithms.kex.as_ref().unwrap().op, AlgorithmOp::Append);
    assert_eq!(
        h.algorithms.cipher.as_ref().unwrap().names,
        ["aes128-cbc", "aes256-ctr"]
    );
    assert_eq!(h.algorithms.mac.as_ref().unwrap().op, AlgorithmOp::Remove);
    assert_eq!(h.identity_agent, Some(AgentSocket::Off));
    assert_eq!(h.host_key_policy, Some(HostKeyPolicy::Strict));
    assert_eq!(h.known_hosts_files.len(), 2);
    assert_eq!(h.server_alive_interval, Some(Duration::from_secs(15)));
    assert_eq!(h.server_alive_count_max, Some(4));
    assert_eq!(h.identities_only, Some(true));
    let h = look(&c, "new-1");
    assert_eq!(
        h.identity_agent,
        Some(AgentSocket::Path("/run/agent.sock".into()))
    );
    let c = cfg("Ciphers +aes128-cbc,blowfish-cbc\n");
    assert!(
        c.warnings()[0].contains("blowfish-cbc"),
        "{:?}",
        c.warnings()
    );
}

#[test]
fn jump_routes_chain_hops_and_refuse_loops() {
    use crate::ssh::Route;
    let c = cfg("Host a\n  HostName 198.51.100.1\n  User ops\n  ProxyCommand nc gw %p\nHost b\n  Port 2222\n  ProxyJump c\nHost self\n  HostName 10.0.0.1\n");
    let d = HopDefaults::default();
    let hops = JumpTarget::parse_list("a,b").unwrap();
    let Route::Jump(b) = c.jump_route(&hops, &d, &["sw1".into()]).unwrap() else {
        panic!("a jump route")
    };
    // The last hop is reached through the earlier ones, not through its own ProxyJump.
    assert_eq!(
        (b.host.as_str(), b.port, b.device.as_str()),
        ("b", 2222, "b")
    );
    let Route::Jump(a) = &b.route else {
        panic!("b through a")
    };
    assert_eq!(
        (a.host.as_str(), a.username.as_str()),
        ("198.51.100.1", "ops")
    );
    assert!(
        matches!(&a.route, Route::Command(cmd) if cmd == "nc gw 22"),
        "{:?}",
        a.route
    );
    assert_eq!(
        b.route.describe(),
        "via ops@198.51.100.1:22 proxy: nc gw 22"
    );
    // A hop that is the device itself, by name or by address.
    let e = c
        .jump_route(
            &JumpTarget::parse_list("self").unwrap(),
            &d,
            &["dev".into(), "10.0.0.1:22".into()],
        )
        .unwrap_err();
    assert_eq!(
        e.to_string().split(" (").next(),
        Some("jump loop: dev -> self")
    );
    // The same name on another port is another endpoint (`ssh -J gw gw:2222`), not a loop.
    let r = c
        .jump_route(
            &JumpTarget::parse_list("gw").unwrap(),
            &d,
            &["gw".into(), "gw:2222".into()],
        )
        .unwrap();
    assert_eq!(
        r.describe(),
        format!("via {}@gw:22", super::tokens::local_user())
    );
}
