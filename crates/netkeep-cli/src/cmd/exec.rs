//! `netkeep exec`: run commands on devices and print each output.
//!
//! Direct mode (`--host`): connect, run, disconnect ([`one_shot`]). Otherwise the devices come
//! from the daemon's inventory — `DEVICE`, `DEV1,DEV2`, `--devices`, `--group`, narrowed by
//! `--filter KEY=VALUE` on the inventory's `data` — and the work goes through `netkeep serve`
//! ([`via_daemon`]); without a running daemon, straight to the devices of `--inventory`.
//!
//! Both paths judge a command the same way ([`netkeep_keeper::command`]): control characters
//! are refused before anything is sent, a command the device rejects fails the run, and the
//! commands after it run only with `--continue-on-error`. The last command may answer the
//! device's questions (`--expect/--answer`, `--until`, `--timing`). `--session-log` records a
//! direct session (an inventory device is then reached directly). Exit codes: [`crate::exit`].

mod args;
mod one_shot;
mod via_daemon;

use std::process::ExitCode;

pub use self::args::Args;
use self::args::{specs, split, templates, usage};

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (selection, commands) = match split(&args) {
        Ok(s) => s,
        Err(message) => return Ok(usage(&message)),
    };
    if let Some(bad) = commands
        .iter()
        .find_map(|c| netkeep_keeper::command::check(c).err())
    {
        return Ok(usage(&bad.to_string()));
    }
    // Checked here once; each path then asks for the templates again.
    if let Err(message) = templates(&args) {
        return Ok(usage(&message));
    }
    let commands = match specs(&args, commands) {
        Ok(c) => c,
        Err(message) => return Ok(usage(&message)),
    };
    match selection {
        None => one_shot::run_direct(&args, &commands).await,
        // A session log records a direct session: the inventory's device, not the daemon's.
        Some(s) if args.conn.session_log.is_some() => {
            via_daemon::from_inventory(&args, s, &commands).await
        }
        Some(s) => via_daemon::run(&args, s, &commands).await,
    }
}

#[cfg(test)]
mod tests {
    use super::args::parse;
    use super::*;

    #[tokio::test]
    async fn direct_exec_against_the_simulator() {
        let dev = netkeep_testkit::start_sim("hp_comware", |_| {}).await;
        let dir = std::env::temp_dir().join(format!("netkeep-exec-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (good, bad, kh) = (dir.join("good"), dir.join("bad"), dir.join("known_hosts"));
        std::fs::write(&good, "admin\n").unwrap();
        std::fs::write(&bad, "nope\n").unwrap();
        let port = dev.addr().port().to_string();
        let run_with = |pw: &std::path::Path, cmds: &[&str]| {
            let mut v = vec![
                "--host",
                "127.0.0.1",
                "--port",
                &port,
                "--platform",
                "hp_comware",
                "--username",
                "admin",
                "--known-hosts",
                kh.to_str().unwrap(),
                "--password-file",
                pw.to_str().unwrap(),
                "--json",
            ]
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>();
            v.extend(cmds.iter().map(|c| c.to_string()));
            v
        };
        let a = run_with(&good, &["display clock", "display version"]);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        assert_eq!(run(parse(&a)).await.unwrap(), ExitCode::SUCCESS);
        assert!(std::fs::read_to_string(&kh)
            .unwrap()
            .contains("ssh-ed25519"));
        // A command the device rejects: exit 1.
        let a = run_with(&good, &["display nonsense"]);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        assert_eq!(run(parse(&a)).await.unwrap(), ExitCode::from(1));
        // Wrong password: exit 3.
        let a = run_with(&bad, &["display clock"]);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        assert_eq!(run(parse(&a)).await.unwrap(), ExitCode::from(3));
        // Nothing listening: exit 5.
        dev.stop().await;
        let a = run_with(&good, &["display clock"]);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        assert_eq!(run(parse(&a)).await.unwrap(), ExitCode::from(5));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
