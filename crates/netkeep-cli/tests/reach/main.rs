//! Reaching devices the way OpenSSH does, end to end: `netkeep exec` through `--jump`, through
//! ssh_config `ProxyJump` (in a temporary home's `~/.ssh/config`) and `ProxyCommand ssh -W`, with
//! the bastion's key from a real ssh-agent; a changed bastion key refused with both
//! fingerprints; the daemon holding 200 devices over one bastion login, keeping them alive and
//! bringing them all back after the bastion restarts. Needs root (network namespaces) and
//! OpenSSH; see `site.rs`.

mod site;

use std::time::{Duration, Instant};

use site::{can_run, fingerprint, text, Site, BIN};

fn exec_args<'a>(site: &'a Site, port: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let _ = site;
    let mut v = vec![
        "exec",
        "--platform",
        "hp_comware",
        "-u",
        "admin",
        "--port",
        port,
    ];
    v.extend_from_slice(extra);
    v.push("display clock");
    v
}

#[test]
fn exec_through_a_bastion_by_flag_ssh_config_and_proxy_command() {
    if !can_run() {
        return;
    }
    let site = Site::start(2, "0");
    let port = site.ports[0].to_string();
    let dev = site.device_ip.to_string();
    let kh = site.path("known_hosts").display().to_string();
    let bastion = format!("{}@{}", site.user, site.bastion);
    let agent = site.agent_sock();

    // The devices are not reachable from here.
    let o = site.netkeep(
        &exec_args(
            &site,
            &port,
            &[
                "--host",
                &dev,
                "--ssh-config",
                "none",
                "--known-hosts",
                &kh,
                "--connect-timeout",
                "2s",
            ],
        ),
        &[],
    );
    assert_eq!(o.status.code(), Some(5), "{}", text(&o.stderr));

    // --jump, the bastion's key from the agent (no key file anywhere in reach).
    let o = site.netkeep(
        &exec_args(
            &site,
            &port,
            &[
                "--host",
                &dev,
                "--jump",
                &bastion,
                "--ssh-config",
                "none",
                "--known-hosts",
                &kh,
            ],
        ),
        &[("SSH_AUTH_SOCK", &agent)],
    );
    assert!(o.status.success(), "--jump: {}", text(&o.stderr));
    assert!(text(&o.stdout).contains("UTC"), "{}", text(&o.stdout));
    assert_eq!(site.logins(), 1);

    // ~/.ssh/config's ProxyJump, read by default from the (temporary) home.
    let cfg = format!(
        "Host dev-*\n  HostName {dev}\n  ProxyJump bastion\nHost bastion\n  HostName {}\n  User {}\n  IdentityFile {}\n",
        site.bastion,
        site.user,
        site.path("user_key").display()
    );
    std::fs::write(site.path("home/.ssh/config"), cfg).unwrap();
    let o = site.netkeep(
        &exec_args(&site, &port, &["--host", "dev-1", "--known-hosts", &kh]),
        &[],
    );
    assert!(o.status.success(), "ProxyJump: {}", text(&o.stderr));
    assert!(text(&o.stdout).contains("UTC"));
    std::fs::remove_file(site.path("home/.ssh/config")).unwrap();

    // ProxyCommand ssh -W %h:%p bastion, from --ssh-config.
    let pc = site.path("proxy_config");
    std::fs::write(
        &pc,
        format!(
            "Host dev-*\n  HostName {dev}\n  ProxyCommand ssh -F /dev/null -i {} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -W %h:%p {bastion}\n",
            site.path("user_key").display()
        ),
    )
    .unwrap();
    let pcs = pc.display().to_string();
    let o = site.netkeep(
        &exec_args(
            &site,
            &port,
            &[
                "--host",
                "dev-2",
                "--ssh-config",
                &pcs,
                "--known-hosts",
                &kh,
            ],
        ),
        &[],
    );
    assert!(o.status.success(), "ProxyCommand: {}", text(&o.stderr));
    assert!(text(&o.stdout).contains("UTC"));

    // A changed bastion key: refused, both fingerprints named, exit 4.
    let other = std::fs::read_to_string(site.path("other_key.pub")).unwrap();
    let mut fields = other.split_whitespace();
    let bad_kh = site.path("known_hosts_bad");
    std::fs::write(
        &bad_kh,
        format!(
            "{} {} {}\n",
            site.bastion,
            fields.next().unwrap(),
            fields.next().unwrap()
        ),
    )
    .unwrap();
    let bad = bad_kh.display().to_string();
    let o = site.netkeep(
        &exec_args(
            &site,
            &port,
            &[
                "--host",
                &dev,
                "--jump",
                &bastion,
                "--ssh-config",
                "none",
                "--known-hosts",
                &bad,
            ],
        ),
        &[("SSH_AUTH_SOCK", &agent)],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(
        err.contains("through jump host") && err.contains("HOST KEY CHANGED"),
        "{err}"
    );
    assert!(
        err.contains(&fingerprint(&site.path("other_key.pub"))),
        "known key named: {err}"
    );
    assert!(
        err.contains(&fingerprint(&site.path("host_key.pub"))),
        "offered key named: {err}"
    );

    // An agent that is not running.
    let gone = site.path("no-agent.sock").display().to_string();
    let o = site.netkeep(
        &exec_args(
            &site,
            &port,
            &[
                "--host",
                &dev,
                "--jump",
                &bastion,
                "--ssh-config",
                "none",
                "--known-hosts",
                &kh,
            ],
        ),
        &[("SSH_AUTH_SOCK", &gone)],
    );
    let err = text(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains(&format!("ssh-agent at {gone}")) && err.contains("is ssh-agent running"),
        "{err}"
    );
}

#[test]
fn bad_ssh_config_and_jump_loops_are_refused_before_connecting() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config");
    let run = |cfg_text: &str, extra: &[&str]| {
        std::fs::write(&cfg, cfg_text).unwrap();
        let mut c = std::process::Command::new(BIN);
        c.args(["exec", "--platform", "linux", "-u", "u", "--ssh-config"])
            .arg(&cfg)
            .args(extra)
            .arg("true")
            .env("HOME", dir.path())
            .env("NETKEEP_PASSWORD", "x")
            .env_remove("SSH_AUTH_SOCK");
        c.output().unwrap()
    };
    let o = run("Host *\n  Port twenty\n", &["--host", "r1"]);
    assert_eq!(o.status.code(), Some(2));
    let want = format!(
        "{}:2: Port: expected a port number 1-65535, got \"twenty\"",
        cfg.display()
    );
    assert!(text(&o.stderr).contains(&want), "{}", text(&o.stderr));
    let o = run(
        "Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n",
        &["--host", "r1", "--jump", "a"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("jump loop: r1 -> a -> b -> a"),
        "{}",
        text(&o.stderr)
    );
    let o = run("Host *\n  ProxyJump r1\n", &["--host", "r1"]);
    assert!(
        text(&o.stderr).contains("jump loop: r1 -> r1"),
        "{}",
        text(&o.stderr)
    );
    // An unknown keyword is ignored with a debug line; the connection is still tried.
    let o = run(
        "Host *\n  FrobnicateHarder yes\n  HostName 127.0.0.1\n  Port 1\n",
        &["--host", "r1", "--log", "netkeep_transport=debug"],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(5), "refused at 127.0.0.1:1: {err}");
    assert!(
        err.contains("keyword not used by netkeep: ignored") && err.contains("FrobnicateHarder"),
        "{err}"
    );
    let o = run("", &["--host", "r1", "--jump", "ops@"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--jump"), "{}", text(&o.stderr));
}

/// The daemon: 200 devices behind one bastion, one bastion login, kept alive, all back after
/// the bastion restarts.
#[test]
fn the_daemon_shares_one_bastion_connection_across_200_devices() {
    if !can_run() {
        return;
    }
    const N: usize = 200;
    let mut site = Site::start(N, "9s");
    let kh = site.path("known_hosts").display().to_string();
    let mut inv = format!(
        "defaults: {{ username: admin, password: admin, platform: hp_comware, idle_timeout: 9s, jump_host: bastion, known_hosts_file: {kh}, connect_timeout: 20s }}\nhosts:\n  bastion: {{ hostname: {}, username: {}, key_file: {}, platform: linux, warm: false, jump_host: none }}\n",
        site.bastion,
        site.user,
        site.path("user_key").display()
    );
    for (i, p) in site.ports.iter().enumerate() {
        inv.push_str(&format!(
            "  d{i:03}: {{ hostname: {}, port: {p} }}\n",
            site.device_ip
        ));
    }
    let inv_path = site.path("inv.yaml");
    std::fs::write(&inv_path, inv).unwrap();
    let sock = site.path("netkeep.sock").display().to_string();
    let log = std::fs::File::create(site.path("serve.log")).unwrap();
    let serve = site::Proc(
        std::process::Command::new(BIN)
            .args([
                "serve",
                "--no-progress",
                "--ssh-config",
                "none",
                "--socket",
                &sock,
                "-i",
            ])
            .arg(&inv_path)
            .env("HOME", site.path("home"))
            .env_remove("SSH_AUTH_SOCK")
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let ready = |site: &Site| -> usize {
        let o = site.netkeep(&["status", "--json", "--socket", &sock], &[]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        v.as_array().map_or(0, |a| {
            a.iter()
                .filter(|d| d["device"].as_str().is_some_and(|n| n.starts_with('d')))
                .filter(|d| d["state"] == "ready")
                .count()
        })
    };
    let wait_all = |site: &Site, limit: Duration| -> Duration {
        let t = Instant::now();
        while ready(site) < N {
            let log = std::fs::read_to_string(site.path("serve.log")).unwrap_or_default();
            assert!(
                t.elapsed() < limit,
                "not all ready after {limit:?}: {}\n{}",
                ready(site),
                &log[log.len().saturating_sub(3000)..]
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        t.elapsed()
    };
    let warm = wait_all(&site, Duration::from_secs(90));
    eprintln!("{N} devices ready through the bastion in {warm:?}");
    assert_eq!(site.logins(), 1, "one bastion login for {N} devices");

    // Kept alive past the devices' 9 s idle timeout, still over that one login.
    std::thread::sleep(Duration::from_secs(12));
    let o = site.netkeep(&["status", "--json", "--socket", &sock], &[]);
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let devs: Vec<&serde_json::Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["device"].as_str().is_some_and(|n| n.starts_with('d')))
        .collect();
    assert!(
        devs.iter()
            .all(|d| d["state"] == "ready" && d["drops"] == 0),
        "{o:?}"
    );
    assert!(devs
        .iter()
        .all(|d| d["keepalives_sent"].as_u64() >= Some(2)));
    assert_eq!(
        devs[0]["via"],
        format!("via {}@{}:22", site.user, site.bastion)
    );
    assert_eq!(site.logins(), 1);
    let table = text(&site.netkeep(&["status", "--socket", &sock], &[]).stdout);
    assert!(table.lines().next().unwrap().contains("VIA"), "{table}");
    let o = site.netkeep(&["exec", "d007", "display clock", "--socket", &sock], &[]);
    assert!(
        o.status.success() && text(&o.stdout).contains("UTC"),
        "{}",
        text(&o.stderr)
    );

    // The bastion restarts: every device goes down with it, and all come back over one new login.
    site.kill_sshd();
    let t = Instant::now();
    while ready(&site) > 0 {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "devices did not go down with the bastion"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    site.start_sshd();
    let back = wait_all(&site, Duration::from_secs(60));
    eprintln!("{N} devices back {back:?} after the bastion restarted");
    assert_eq!(site.logins(), 2, "one new bastion login");
    drop(serve);
}

/// `--jump` with telnet: refused (jump hosts forward SSH), whether telnet comes from
/// `--protocol` or a `_telnet` platform name; `--jump none` is fine to give.
#[test]
fn telnet_with_a_jump_host_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut c = std::process::Command::new(BIN);
        c.args(["exec", "--host", "127.0.0.1", "-u", "u", "--port", "1"])
            .args(extra)
            .arg("show clock")
            .env("HOME", dir.path())
            .env("NETKEEP_PASSWORD", "x")
            .env_remove("SSH_AUTH_SOCK");
        c.output().unwrap()
    };
    for extra in [
        &[
            "--platform",
            "cisco_ios",
            "--protocol",
            "telnet",
            "--jump",
            "ops@bastion",
        ][..],
        &["--platform", "cisco_ios_telnet", "--jump", "ops@bastion"][..],
    ] {
        let o = run(extra);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains("--jump forwards SSH only"),
            "{}",
            text(&o.stderr)
        );
    }
    // Without a jump host it is an ordinary telnet attempt (nothing listens on port 1).
    let o = run(&["--platform", "cisco_ios_telnet", "--jump", "none"]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o.stderr));
}
