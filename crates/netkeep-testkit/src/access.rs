//! The keeper's access control in tests: an access file in the lab's directory, its token lines,
//! and a client that presents a token over TCP.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use netkeep_keeper::client::{DaemonClient, Endpoint};

/// Writes an access file (`tokens`, `users`, `certificates`, `audit`) into `dir` (mode 0600, as
/// the keeper requires) and returns its path.
///
/// ```no_run
/// # fn f(lab: &netkeep_testkit::Lab) {
/// use netkeep_testkit::{access_file, token_entry};
/// let mut cfg = lab.config();
/// let tokens = format!("tokens:\n{}", token_entry("ci", "read", "s3cret-token"));
/// cfg.access_file = Some(access_file(lab.dir.path(), &tokens));
/// # }
/// ```
pub fn access_file(dir: &Path, yaml: &str) -> PathBuf {
    let p = dir.join("access.yaml");
    std::fs::write(&p, yaml).expect("write access file");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).expect("chmod access");
    p
}

/// An access-file line for a named token: `- { name, scope, sha256 }`.
pub fn token_entry(name: &str, scope: &str, token: &str) -> String {
    format!(
        "  - {{ name: {name}, scope: {scope}, sha256: {} }}\n",
        netkeep_keeper::auth::sha256_hex(token)
    )
}

/// A client of the daemon's plain TCP listener at `addr`, presenting `token`.
pub fn tcp_client(addr: std::net::SocketAddr, token: &str) -> DaemonClient {
    DaemonClient::new(Endpoint::Tcp {
        addr: addr.to_string(),
        token: token.into(),
    })
}
