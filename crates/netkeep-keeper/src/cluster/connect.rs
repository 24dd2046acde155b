//! Connecting to NATS, for a node and for a client: the URL rules (no credentials in it: they
//! would show in `ps` and shell history), a credentials file, a CA for `tls://` servers.

use std::path::Path;
use std::time::Duration;

use super::ClusterError;

/// Checks a `--cluster` URL list: `nats://`, `tls://` or bare `host:port`, comma-separated,
/// without a user or password.
///
/// ```
/// use netkeep_keeper::cluster::check_url;
/// assert!(check_url("nats://127.0.0.1:4222,nats://10.0.0.2:4222").is_ok());
/// assert!(check_url("nats://ops:secret@10.0.0.1:4222").unwrap_err().to_string().contains("--cluster-creds"));
/// assert!(check_url("http://x:1").is_err());
/// ```
pub fn check_url(url: &str) -> Result<(), ClusterError> {
    for u in url.split(',').map(str::trim) {
        let rest = u
            .strip_prefix("nats://")
            .or_else(|| u.strip_prefix("tls://"))
            .unwrap_or(u);
        if rest.contains("://") || rest.is_empty() {
            return Err(ClusterError::Config(format!(
                "`{u}` is not a NATS URL: expected nats://HOST:PORT or tls://HOST:PORT"
            )));
        }
        if rest.contains('@') {
            return Err(ClusterError::Config(format!(
                "credentials in the NATS URL `{}@...` would show in process lists: put them in a credentials file (--cluster-creds FILE)",
                u.split('@').next().unwrap_or_default().split("://").next().unwrap_or_default()
            )));
        }
    }
    Ok(())
}

/// Connects: `name` is the connection's name in the server's monitoring; `creds` a
/// credentials file; `ca` the CA of a TLS server. Fails at once (5 s) when nothing answers;
/// once connected, the client reconnects by itself for as long as it lives.
pub(crate) async fn connect(
    url: &str,
    name: &str,
    creds: Option<&Path>,
    ca: Option<&Path>,
) -> Result<async_nats::Client, ClusterError> {
    check_url(url)?;
    let mut opts = async_nats::ConnectOptions::new()
        .name(name)
        .connection_timeout(Duration::from_secs(5))
        // Dead connections are found by the heartbeat's own bound; pings find them for the
        // reconnect loop.
        .ping_interval(Duration::from_secs(2))
        .max_reconnects(None)
        .reconnect_delay_callback(reconnect_delay);
    if let Some(path) = creds {
        opts = opts.credentials_file(path).await.map_err(|e| {
            ClusterError::Config(format!("credentials file {}: {e}", path.display()))
        })?;
    }
    if let Some(path) = ca {
        opts = opts
            .add_root_certificates(path.to_path_buf())
            .require_tls(true);
    }
    let servers: Vec<String> = url.split(',').map(|s| s.trim().to_string()).collect();
    let addrs: Vec<async_nats::ServerAddr> = servers
        .iter()
        .map(|s| {
            s.parse()
                .map_err(|e| ClusterError::Config(format!("NATS URL `{s}`: {e}")))
        })
        .collect::<Result<_, _>>()?;
    opts.connect(addrs).await.map_err(|e| {
        ClusterError::Nats(format!(
            "cannot reach NATS at {url}: {e} (is nats-server running with JetStream, `nats-server -js`?)"
        ))
    })
}

/// The wait before connection attempt `attempt` (counted from 1). async-nats calls this before
/// every attempt, the very first connect included, so attempt 1 must not wait: a fresh
/// `netkeep exec --cluster` would otherwise sleep before it even dials. Later attempts back
/// off from 100 ms, doubling, to 1 s.
fn reconnect_delay(attempt: usize) -> Duration {
    match attempt {
        0 | 1 => Duration::ZERO,
        n => Duration::from_millis((50u64 << (n - 1).min(5)).min(1_000)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_attempt_does_not_wait_and_later_ones_back_off_to_a_second() {
        assert_eq!(reconnect_delay(0), Duration::ZERO);
        assert_eq!(reconnect_delay(1), Duration::ZERO);
        assert_eq!(reconnect_delay(2), Duration::from_millis(100));
        assert_eq!(reconnect_delay(3), Duration::from_millis(200));
        assert_eq!(reconnect_delay(5), Duration::from_millis(800));
        assert_eq!(reconnect_delay(6), Duration::from_secs(1));
        assert_eq!(reconnect_delay(usize::MAX), Duration::from_secs(1));
    }
}
