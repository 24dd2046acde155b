//! The optional syslog mirror: each audit record, as written to the file, sent as one datagram
//! to the local syslog socket (`/dev/log`, or another datagram socket), facility `authpriv`.
//! Best effort: a missing or full socket never delays or refuses a command; the first failure
//! is logged, later ones are counted.

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Largest message sent; a longer record is cut (the file keeps it whole).
const MAX_MESSAGE: usize = 8 * 1024;

/// `authpriv` (10) × 8: the facility meant for security records.
const FACILITY_AUTHPRIV: u8 = 10 << 3;

/// Severity `info`; `warning` for refusals.
pub(super) const INFO: u8 = 6;
/// Severity `warning`.
pub(super) const WARNING: u8 = 4;

/// A sender to one syslog socket.
pub(super) struct Syslog {
    sock: UnixDatagram,
    path: PathBuf,
    failures: u64,
}

impl Syslog {
    /// An unbound datagram socket that sends to `path`.
    pub(super) fn new(path: &Path) -> std::io::Result<Syslog> {
        let sock = UnixDatagram::unbound()?;
        sock.set_write_timeout(Some(Duration::from_millis(100)))?;
        Ok(Syslog {
            sock,
            path: path.to_path_buf(),
            failures: 0,
        })
    }

    /// Sends one record (`<86>netkeep[PID]: {...}`); the first failure is logged.
    pub(super) fn send(&mut self, record: &str, severity: u8) {
        let mut msg = format!(
            "<{}>netkeep[{}]: {record}",
            FACILITY_AUTHPRIV | severity,
            std::process::id()
        );
        if msg.len() > MAX_MESSAGE {
            let mut cut = MAX_MESSAGE;
            while !msg.is_char_boundary(cut) {
                cut -= 1;
            }
            msg.truncate(cut);
        }
        if let Err(e) = self.sock.send_to(msg.as_bytes(), &self.path) {
            if self.failures == 0 {
                tracing::warn!(
                    "audit: cannot mirror to syslog at {}: {e} (the audit file is unaffected; further failures are not logged)",
                    self.path.display()
                );
            }
            self.failures += 1;
        }
    }
}
