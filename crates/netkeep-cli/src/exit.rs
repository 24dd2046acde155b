//! The exit codes of `netkeep exec` and `netkeep config`, the same whether the work ran through
//! the daemon or over a direct session: one table ([`TABLE`], shown by `--help`), one mapping
//! from the keeper's error kinds ([`for_kind`]).

use std::process::ExitCode;

use netkeep_keeper::client::ClientError;
use netkeep_keeper::connector::ErrorKind;
use netkeep_keeper::wire::DeviceResult;

/// Every command ran and the device accepted it.
pub const OK: u8 = 0;
/// A command failed (read timeout, queue timeout...) or the device rejected it.
pub const FAILED: u8 = 1;
/// Usage or bad input: a bad flag, an unknown device or group, a filter matching nothing, a
/// command with control characters, no daemon answering and no inventory.
pub const USAGE: u8 = 2;
/// The device refused the login, or privileged mode (no or a wrong enable secret).
pub const AUTH: u8 = 3;
/// The device's host key changed (or is unknown under `--host-key-policy strict`).
pub const HOST_KEY: u8 = 4;
/// The device is unreachable, or the session was lost.
pub const UNREACHABLE: u8 = 5;
/// Interrupted by Ctrl-C (128 + SIGINT), after printing what was received so far.
pub const INTERRUPTED: u8 = 130;

/// The table, as `netkeep exec --help` and `netkeep config --help` print it.
pub const TABLE: &str = "\
Exit codes (the same through the daemon and over a direct session; with several devices, the
code of the first device that failed, in output order):
  0    every command ran and the device accepted it
  1    a command failed or the device rejected it (read timeout, queue timeout...)
  2    usage or bad input: unknown device or group, filter matching nothing, bad flag or
       duration, control characters in a command, no daemon answering and no --inventory
  3    the device refused the login, or privileged mode (no or a wrong enable secret)
  4    host key refused (changed, or unknown under --host-key-policy strict)
  5    device unreachable, or the session was lost
  130  interrupted by Ctrl-C (a direct session prints what it received so far)";

/// The exit code for a failure of this kind.
pub fn for_kind(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Auth => AUTH,
        ErrorKind::HostKey => HOST_KEY,
        ErrorKind::Unreachable | ErrorKind::ConnectionLost => UNREACHABLE,
        ErrorKind::Cancelled => INTERRUPTED,
        ErrorKind::Timeout | ErrorKind::Rejected | ErrorKind::Other => FAILED,
    }
}

/// The exit code of a library error on a direct session: as [`for_kind`], and bad input (an
/// unknown platform name, a pattern that does not compile) is a usage error.
pub fn for_error(e: &netkeep::Error) -> u8 {
    match e.kind() {
        netkeep::ErrorKind::BadInput => USAGE,
        _ => for_kind(netkeep_keeper::connector::ssh::error_kind(e)),
    }
}

/// The code of the first failed device, in order (0 when every device succeeded).
pub fn for_results(results: &[DeviceResult]) -> u8 {
    results
        .iter()
        .find(|r| !r.ok)
        .map_or(OK, |r| r.error_kind.map_or(FAILED, for_kind))
}

/// The exit code when the daemon refused a request or could not be asked.
pub fn for_client(e: &ClientError) -> u8 {
    match e {
        // Bad request, unknown device/group/path, wrong token, no daemon where it was said to
        // be: the caller must change something.
        ClientError::Status {
            status: 400 | 401 | 404 | 405 | 413,
            ..
        }
        | ClientError::Connect { .. }
        | ClientError::Config(_) => USAGE,
        _ => FAILED,
    }
}

/// `code` as a process exit code.
pub fn code(code: u8) -> ExitCode {
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_names_every_code() {
        for c in [OK, FAILED, USAGE, AUTH, HOST_KEY, UNREACHABLE, INTERRUPTED] {
            assert!(
                TABLE.contains(&format!("\n  {c} ")),
                "{c} missing from the table"
            );
        }
    }
}
