//! Session logs (Netmiko's `session_log`): where a session's transcript goes ([`SessionLog`]),
//! and the file behind it — timestamped lines, created private (mode 0600), rotated by size, and
//! shared by every session of the process that names the same path (each line names its
//! session), so a device's pooled sessions can log to one file.
//!
//! What goes into the lines (and what never does: passwords, secrets, anything typed at a
//! password prompt) is decided by the session's transcript, not here.

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::SystemTime;

/// A transcript file for a session: every line received and typed, with a timestamp; the login
/// password, the enable secret and anything typed at a password prompt appear as `********`.
/// When the file would grow past `max_bytes` it is renamed `PATH.1` (older ones `PATH.2` …
/// `PATH.keep`) and a new one is started.
///
/// ```
/// use netkeep_session::SessionLog;
/// let log = SessionLog::new("/var/log/netkeep/core-sw1.log").max_bytes(1 << 20).keep(5);
/// assert_eq!(log.keep, 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionLog {
    /// The file (created if missing, appended to otherwise; its directory must exist).
    pub path: PathBuf,
    /// Rotate before the file grows past this many bytes (default 10 MiB).
    pub max_bytes: u64,
    /// Rotated files kept (default 3; 0: the file is truncated instead).
    pub keep: usize,
}

impl SessionLog {
    /// A log at `path`, 10 MiB per file, 3 rotated files kept.
    pub fn new(path: impl Into<PathBuf>) -> SessionLog {
        SessionLog {
            path: path.into(),
            max_bytes: 10 << 20,
            keep: 3,
        }
    }

    /// Rotation size.
    pub fn max_bytes(mut self, n: u64) -> SessionLog {
        self.max_bytes = n;
        self
    }

    /// Rotated files kept.
    pub fn keep(mut self, n: usize) -> SessionLog {
        self.keep = n;
        self
    }
}

/// An open log file, shared by path.
pub(crate) struct LogFile {
    cfg: SessionLog,
    file: Option<File>,
    size: u64,
    /// A write failed: said once, then the log is given up (the session goes on).
    failed: bool,
}

/// The log files open in this process, by path.
fn registry() -> &'static Mutex<HashMap<PathBuf, Weak<Mutex<LogFile>>>> {
    static OPEN: OnceLock<Mutex<HashMap<PathBuf, Weak<Mutex<LogFile>>>>> = OnceLock::new();
    OPEN.get_or_init(Mutex::default)
}

/// The log file for `cfg`: the one already open for its path, or a newly opened one.
pub(crate) fn open(cfg: &SessionLog) -> std::io::Result<Arc<Mutex<LogFile>>> {
    let mut open = registry().lock().unwrap_or_else(|p| p.into_inner());
    open.retain(|_, w| w.strong_count() > 0);
    if let Some(f) = open.get(&cfg.path).and_then(Weak::upgrade) {
        return Ok(f);
    }
    let file = create(&cfg.path, false)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let f = Arc::new(Mutex::new(LogFile {
        cfg: cfg.clone(),
        file: Some(file),
        size,
        failed: false,
    }));
    open.insert(cfg.path.clone(), Arc::downgrade(&f));
    Ok(f)
}

/// Opens `path` for appending (or truncated), readable by its owner only when created.
fn create(path: &Path, truncate: bool) -> std::io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.create(true).write(true);
    if truncate {
        o.truncate(true);
    } else {
        o.append(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

impl LogFile {
    /// Writes `label dir text` with the current time, rotating first if the line would not fit.
    pub(crate) fn line(&mut self, label: &str, dir: char, text: &str) {
        if self.failed {
            return;
        }
        let ts = humantime::format_rfc3339_millis(SystemTime::now());
        let line = format!("{ts} {label} {dir} {text}\n");
        let r = self
            .rotate_for(line.len() as u64)
            .and_then(|()| match self.file.as_mut() {
                Some(f) => f.write_all(line.as_bytes()),
                None => Ok(()),
            });
        match r {
            Ok(()) => self.size += line.len() as u64,
            Err(e) => {
                self.failed = true;
                tracing::warn!(path = %self.cfg.path.display(), "session log not written any more: {e}");
            }
        }
    }

    /// Starts a new file when `more` bytes would take this one past its size.
    fn rotate_for(&mut self, more: u64) -> std::io::Result<()> {
        if self.size == 0 || self.size + more <= self.cfg.max_bytes {
            return Ok(());
        }
        self.file = None;
        let path = &self.cfg.path;
        let numbered = |i: usize| {
            let mut p = path.clone().into_os_string();
            p.push(format!(".{i}"));
            PathBuf::from(p)
        };
        if self.cfg.keep > 0 {
            for i in (1..self.cfg.keep).rev() {
                let from = numbered(i);
                if from.exists() {
                    std::fs::rename(&from, numbered(i + 1))?;
                }
            }
            std::fs::rename(path, numbered(1))?;
        }
        self.file = Some(create(path, true)?);
        self.size = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_timestamped_and_the_file_rotates_by_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.log");
        let cfg = SessionLog::new(&path).max_bytes(200).keep(2);
        let f = open(&cfg).unwrap();
        // The same path gives the same file.
        assert!(Arc::ptr_eq(&f, &open(&cfg).unwrap()));
        for i in 0..12 {
            f.lock().unwrap().line("sw1[1]", '<', &format!("line {i}"));
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.len() <= 200, "{text}");
        assert!(text.contains("line 11"), "{text}");
        let first = text.lines().next().unwrap();
        assert!(first.contains(" sw1[1] < line ") && first.ends_with(char::is_numeric));
        assert!(first.starts_with("20") && first.contains('T'), "{first}");
        let one = std::fs::read_to_string(dir.path().join("s.log.1")).unwrap();
        assert!(!one.is_empty());
        assert!(dir.path().join("s.log.2").exists());
        assert!(
            !dir.path().join("s.log.3").exists(),
            "only `keep` rotated files"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
    }
}
