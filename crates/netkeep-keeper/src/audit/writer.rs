//! The audit file's one writer: a thread that appends records, makes them durable by the fsync
//! policy, rotates by size, and mirrors to syslog. Requests hand it batches and wait for the
//! answer; batches that arrive while it writes are appended together and share one fsync
//! (group commit), so a busy daemon pays one disk flush per round, not per request.
//!
//! A failed write (disk full, I/O error) is undone: the file is cut back to its length before
//! the batch, so the log never holds half a record, and the error goes back to every request
//! of the batch.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use super::syslog::Syslog;
use super::FsyncPolicy;

/// One record: its JSON line for the file, its text and severity for syslog.
pub(super) struct Line {
    pub(super) file: String,
    pub(super) syslog: String,
    pub(super) severity: u8,
}

/// A batch of records from one request.
pub(super) struct Job {
    pub(super) lines: Vec<Line>,
    /// Records of intent: made durable before the answer under [`FsyncPolicy::Intent`].
    pub(super) intent: bool,
    pub(super) done: tokio::sync::oneshot::Sender<Result<(), String>>,
}

/// Where and how to write.
pub(super) struct Target {
    pub(super) path: PathBuf,
    pub(super) max_size: u64,
    pub(super) keep: usize,
    pub(super) fsync: FsyncPolicy,
    pub(super) syslog: Option<PathBuf>,
}

/// Opens the file (created 0600) and starts the writer thread.
pub(super) fn start(t: Target) -> std::io::Result<mpsc::Sender<Job>> {
    let file = open(&t.path)?;
    let syslog = match &t.syslog {
        Some(p) => Some(Syslog::new(p)?),
        None => None,
    };
    let (tx, rx) = mpsc::channel::<Job>();
    let mut w = Writer { t, file, syslog };
    std::thread::Builder::new()
        .name("netkeep-audit".into())
        .spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut jobs = vec![first];
                while jobs.len() < 1024 {
                    match rx.try_recv() {
                        Ok(j) => jobs.push(j),
                        Err(_) => break,
                    }
                }
                w.write(jobs);
            }
        })?;
    Ok(tx)
}

fn open(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
}

struct Writer {
    t: Target,
    file: File,
    syslog: Option<Syslog>,
}

impl Writer {
    fn write(&mut self, jobs: Vec<Job>) {
        let mut buf = String::new();
        for j in &jobs {
            for l in &j.lines {
                buf.push_str(&l.file);
                buf.push('\n');
            }
        }
        let sync = match self.t.fsync {
            FsyncPolicy::Always => true,
            FsyncPolicy::Intent => jobs.iter().any(|j| j.intent),
            FsyncPolicy::Never => false,
        };
        let r = self
            .append(buf.as_bytes(), sync)
            .map_err(|e| format!("audit log {}: cannot write: {e}", self.t.path.display()));
        let written = r.is_ok();
        let mut mirror = Vec::new();
        for j in jobs {
            if written {
                mirror.extend(j.lines);
            }
            let _ = j.done.send(r.clone());
        }
        // After the answers: syslog never delays a command.
        if let Some(s) = &mut self.syslog {
            for l in mirror {
                s.send(&l.syslog, l.severity);
            }
        }
    }

    /// Appends `bytes` (after rotating when they would pass `max_size`); on failure the file is
    /// cut back to where it was.
    fn append(&mut self, bytes: &[u8], sync: bool) -> std::io::Result<()> {
        let meta = self.file.metadata()?;
        let regular = meta.file_type().is_file();
        let mut len = meta.len();
        if regular && self.t.max_size > 0 && len > 0 && len + bytes.len() as u64 > self.t.max_size {
            match self.rotate() {
                Ok(()) => len = 0,
                Err(e) => tracing::error!(
                    "audit log {}: cannot rotate ({e}); still appending to it",
                    self.t.path.display()
                ),
            }
        }
        if let Err(e) = self.file.write_all(bytes) {
            if regular {
                let _ = self.file.set_len(len);
            }
            return Err(e);
        }
        if sync {
            if let Err(e) = self.file.sync_data() {
                // Not durable: take the records back rather than claim they are kept.
                if regular {
                    let _ = self.file.set_len(len);
                }
                return Err(e);
            }
        }
        Ok(())
    }

    /// `log` → `log.1` → ... → `log.KEEP` (the oldest dropped), then a fresh `log`.
    fn rotate(&mut self) -> std::io::Result<()> {
        let p = &self.t.path;
        let numbered = |i: usize| {
            let mut s = p.as_os_str().to_owned();
            s.push(format!(".{i}"));
            PathBuf::from(s)
        };
        let keep = self.t.keep.max(1);
        let _ = std::fs::remove_file(numbered(keep));
        for i in (1..keep).rev() {
            let from = numbered(i);
            if from.exists() {
                std::fs::rename(&from, numbered(i + 1))?;
            }
        }
        std::fs::rename(p, numbered(1))?;
        self.file = open(p)?;
        if self.t.fsync != FsyncPolicy::Never {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                File::open(dir)?.sync_all()?;
            }
        }
        tracing::info!("audit log {} rotated", p.display());
        Ok(())
    }
}
