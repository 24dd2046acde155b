//! Reading the audit log back (`netkeep audit`): the rotated files oldest first, then the live
//! one; records narrowed by device, user and time; and the requests whose outcomes were never
//! recorded (the daemon stopped mid-request: their commands may have run).
//!
//! ```no_run
//! use netkeep_keeper::audit::read::{read, Filter};
//! let log = read("/var/log/netkeep/audit.jsonl".as_ref(), &Filter {
//!     device: Some("core-sw1".into()),
//!     ..Filter::default()
//! })?;
//! for r in &log.records {
//!     println!("{} {} {:?}", r.time, r.who.user, r.what);
//! }
//! # Ok::<(), std::io::Error>(())
//! ```

use std::collections::HashSet;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::record::{Event, Record};

/// Which records to keep.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Records about this device.
    pub device: Option<String>,
    /// Records of this user (Unix user, token name, certificate subject).
    pub user: Option<String>,
    /// Records made at or after this time.
    pub since: Option<SystemTime>,
}

impl Filter {
    /// True when `r` passes.
    pub fn keeps(&self, r: &Record) -> bool {
        if self.user.as_ref().is_some_and(|u| *u != r.who.user) {
            return false;
        }
        if let Some(d) = &self.device {
            let about = match &r.what {
                Event::Request { devices, .. } | Event::Denied { devices, .. } => {
                    devices.contains(d)
                }
                Event::Command(c) => c.device == *d,
                Event::Admin { .. } => false,
            };
            if !about {
                return false;
            }
        }
        match (self.since, humantime::parse_rfc3339_weak(&r.time)) {
            (Some(since), Ok(t)) => t >= since,
            (Some(_), Err(_)) => false,
            (None, _) => true,
        }
    }
}

/// What was read.
#[derive(Debug, Default)]
pub struct Log {
    /// The records that passed the filter, oldest first.
    pub records: Vec<Record>,
    /// Lines that are not records (a foreign or damaged line), skipped.
    pub unreadable: usize,
    /// The files read, oldest first.
    pub files: Vec<PathBuf>,
}

impl Log {
    /// The `request` records that have no `command` record after them: their outcome was never
    /// written (the daemon stopped, or the log could not be written then).
    pub fn unfinished(&self) -> Vec<&Record> {
        let done: HashSet<&str> = self
            .records
            .iter()
            .filter(|r| matches!(r.what, Event::Command(_)))
            .map(|r| r.request_id.as_str())
            .collect();
        self.records
            .iter()
            .filter(|r| matches!(r.what, Event::Request { .. }))
            .filter(|r| !done.contains(r.request_id.as_str()))
            .collect()
    }
}

/// Reads `path` and its rotated files (`path.N` ... `path.1`), keeping what `filter` passes.
pub fn read(path: &Path, filter: &Filter) -> std::io::Result<Log> {
    let mut files: Vec<PathBuf> = (1..=1000)
        .map(|i| {
            let mut s = path.as_os_str().to_owned();
            s.push(format!(".{i}"));
            PathBuf::from(s)
        })
        .take_while(|p| p.exists())
        .collect();
    files.reverse();
    files.push(path.to_path_buf());
    let mut log = Log::default();
    for f in files {
        let file = match std::fs::File::open(&f) {
            Ok(file) => file,
            // The live file may be missing right after a rotation; a rotated one was listed.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && f == path => {
                if log.files.is_empty() {
                    return Err(e);
                }
                continue;
            }
            Err(e) => return Err(e),
        };
        for line in std::io::BufReader::new(file).lines() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Record>(&line) {
                Ok(r) if filter.keeps(&r) => log.records.push(r),
                Ok(_) => {}
                Err(_) => log.unreadable += 1,
            }
        }
        log.files.push(f);
    }
    Ok(log)
}
