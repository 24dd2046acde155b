//! The audit log: who ran what on which device, when, and with what result — one JSON line per
//! event in an append-only file (`--audit-log FILE`, or `audit: { file: ... }` in the access
//! file), optionally mirrored to syslog.
//!
//! A command that was run is never missing from the log: before a request sends anything, its
//! intent (a `request` record: identity, devices, commands) is written and, by default, flushed
//! to disk (`fsync`); after it, one `command` record per device and command tells the outcome
//! (`ok`, `rejected` with the device's words, `error` with its kind, or `not_run`), duration and
//! bytes returned. A `request` without its `command` records means the daemon stopped in the
//! middle: those commands may have run. When the intent cannot be written, the request is
//! refused (503) if the log is `required`, and runs with an error logged otherwise.
//!
//! Never recorded: passwords, tokens (a token is known by its name), and secrets typed in
//! commands ([`redact`]); outputs only when asked (`output_bytes`), masked and cut.
//!
//! | file | job |
//! |---|---|
//! | `audit/record.rs` | the record types (also read by `netkeep audit`) |
//! | `audit/redact.rs` | masking secrets in commands, lines and outputs |
//! | `audit/outcome.rs` | records from a request and its results |
//! | `audit/writer.rs` | the writer thread: append, fsync policy, rotation, undo on failure |
//! | `audit/syslog.rs` | the syslog mirror |
//! | `audit/read.rs` | reading the log back, with filters (`netkeep audit`) |
//!
//! ```no_run
//! # async fn demo(who: netkeep_keeper::identity::Identity) -> Result<(), netkeep_keeper::audit::AuditError> {
//! use netkeep_keeper::audit::{AuditLog, AuditSettings, Kind};
//! let settings = AuditSettings { file: Some("/var/log/netkeep/audit.jsonl".into()), ..AuditSettings::default() };
//! let log = AuditLog::open(&settings)?.expect("a file is set");
//! log.intent("r1", &who, Kind::Exec, &["sw1".into()], &["display clock".into()]).await?;
//! # Ok(()) }
//! ```

mod outcome;
pub mod read;
pub mod record;
pub mod redact;
mod syslog;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};

use serde::{Deserialize, Deserializer};

pub use self::record::{CommandRecord, Event, Kind, Outcome, OutcomeKind, Record};
use crate::identity::Identity;
use crate::scopes::Need;
use crate::wire::DeviceResult;

/// When the file is flushed to disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FsyncPolicy {
    /// After every batch of records.
    Always,
    /// After records of intent, before the request runs (default): a command is on disk before
    /// it is sent; outcomes reach the disk with the next intent or by the kernel's own flush.
    #[default]
    Intent,
    /// Never: records survive a crash of the daemon (they are in the kernel), not of the host.
    Never,
}

/// The audit log's settings (the access file's `audit:` section; `--audit-log` and
/// `--audit-required` override).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    /// The JSON-lines file; `None`: no audit log.
    #[serde(default)]
    pub file: Option<PathBuf>,
    /// Refuse to run commands (503) while records cannot be written.
    #[serde(default)]
    pub required: bool,
    /// Rotate when the file would pass this size in bytes (`100MiB`; 0: never).
    #[serde(default = "default_max_size", deserialize_with = "size")]
    pub max_size: u64,
    /// Rotated files kept (`FILE.1` newest ... `FILE.N`).
    #[serde(default = "default_keep")]
    pub keep: usize,
    /// When to flush to disk.
    #[serde(default)]
    pub fsync: FsyncPolicy,
    /// Keep up to this many bytes of each command's output (masked); 0 (default): none.
    #[serde(default, deserialize_with = "size_usize")]
    pub output_bytes: usize,
    /// Mirror to syslog: `true` for `/dev/log`, or a datagram socket path.
    #[serde(default, deserialize_with = "syslog_target")]
    pub syslog: Option<PathBuf>,
}

fn default_max_size() -> u64 {
    100 << 20
}

fn default_keep() -> usize {
    5
}

impl Default for AuditSettings {
    fn default() -> Self {
        AuditSettings {
            file: None,
            required: false,
            max_size: default_max_size(),
            keep: default_keep(),
            fsync: FsyncPolicy::default(),
            output_bytes: 0,
            syslog: None,
        }
    }
}

impl AuditSettings {
    /// Checks values that parse but make no sense.
    pub fn check(&self) -> Result<(), String> {
        if self.keep == 0 {
            return Err("audit: `keep` must be at least 1 (rotated files to keep)".into());
        }
        Ok(())
    }

    /// Relative paths made relative to `dir` (the access file's directory).
    pub fn relative_to(mut self, dir: &Path) -> AuditSettings {
        for p in [&mut self.file, &mut self.syslog].into_iter().flatten() {
            if p.is_relative() {
                *p = dir.join(&*p);
            }
        }
        self
    }
}

/// Parses a size: bytes, or a number with `K`, `M`, `G` (powers of 1024; `KiB`, `MB`... too).
///
/// ```
/// use netkeep_keeper::audit::parse_size;
/// assert_eq!(parse_size("100MiB").unwrap(), 100 << 20);
/// assert_eq!(parse_size("4096").unwrap(), 4096);
/// assert!(parse_size("lots").is_err());
/// ```
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("bad size `{s}`, expected e.g. 4096, 512KiB, 100MiB, 1GiB"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("bad size unit in `{s}`, expected K, M or G")),
    };
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("size `{s}` is too large"))
}

fn size<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Size {
        N(u64),
        S(String),
    }
    match Size::deserialize(d)? {
        Size::N(n) => Ok(n),
        Size::S(s) => parse_size(&s).map_err(serde::de::Error::custom),
    }
}

fn size_usize<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let n = size(d)?;
    usize::try_from(n).map_err(|_| serde::de::Error::custom("size too large"))
}

fn syslog_target<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PathBuf>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Target {
        On(bool),
        Path(PathBuf),
    }
    Ok(match Option::<Target>::deserialize(d)? {
        None | Some(Target::On(false)) => None,
        Some(Target::On(true)) => Some(PathBuf::from("/dev/log")),
        Some(Target::Path(p)) => Some(p),
    })
}

/// The audit log cannot be opened or written.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct AuditError {
    /// What failed and what to do, naming the file.
    pub message: String,
}

/// A handle on the audit log (cheap to clone); records go through one writer thread.
#[derive(Clone)]
pub struct AuditLog {
    inner: Arc<Inner>,
}

struct Inner {
    tx: mpsc::Sender<writer::Job>,
    settings: AuditSettings,
    failures: AtomicU64,
}

impl AuditLog {
    /// Opens (creates, mode 0600) the file of `settings`; `Ok(None)` when none is set. A file
    /// that cannot be opened is an error: the daemon does not start.
    pub fn open(settings: &AuditSettings) -> Result<Option<AuditLog>, AuditError> {
        let Some(path) = &settings.file else {
            return Ok(None);
        };
        let tx = writer::start(writer::Target {
            path: path.clone(),
            max_size: settings.max_size,
            keep: settings.keep.max(1),
            fsync: settings.fsync,
            syslog: settings.syslog.clone(),
        })
        .map_err(|e| AuditError {
            message: format!(
                "audit log {}: cannot open for appending: {e} (check the directory exists and the daemon's user may write to it)",
                path.display()
            ),
        })?;
        Ok(Some(AuditLog {
            inner: Arc::new(Inner {
                tx,
                settings: settings.clone(),
                failures: AtomicU64::new(0),
            }),
        }))
    }

    /// The settings in force.
    pub fn settings(&self) -> &AuditSettings {
        &self.inner.settings
    }

    /// Batches that could not be written since start.
    pub fn failures(&self) -> u64 {
        self.inner.failures.load(Ordering::Relaxed)
    }

    /// Records the intent of a request, durably (by the fsync policy), before it runs.
    pub async fn intent(
        &self,
        request_id: &str,
        who: &Identity,
        kind: Kind,
        devices: &[String],
        commands: &[String],
    ) -> Result<(), AuditError> {
        let r = outcome::intent(request_id, who, kind, devices, commands);
        self.append(vec![r], true).await
    }

    /// Records the outcome of every command of a request (`commands`: the exec's commands, or
    /// the config set's lines) on every device of `results`.
    pub async fn outcomes(
        &self,
        request_id: &str,
        who: &Identity,
        kind: Kind,
        commands: &[String],
        results: &[DeviceResult],
    ) -> Result<(), AuditError> {
        let max = self.inner.settings.output_bytes;
        let rs = outcome::outcomes(request_id, who, kind, commands, results, max);
        self.append(rs, false).await
    }

    /// Records a request refused for its scope.
    pub async fn denied(
        &self,
        request_id: &str,
        who: &Identity,
        what: &str,
        targets: (&[String], &[String]),
        need: &Need,
    ) -> Result<(), AuditError> {
        let r = outcome::denied(request_id, who, what, targets, need);
        self.append(vec![r], false).await
    }

    /// Records an action on the daemon (`reload`, `shutdown`).
    pub async fn admin(
        &self,
        request_id: &str,
        who: &Identity,
        action: &str,
        result: Result<String, String>,
    ) -> Result<(), AuditError> {
        let r = outcome::admin(request_id, who, action, result);
        self.append(vec![r], true).await
    }

    async fn append(&self, records: Vec<Record>, intent: bool) -> Result<(), AuditError> {
        let lines = records.iter().map(writer_line).collect();
        let (done, answer) = tokio::sync::oneshot::channel();
        let sent = self.inner.tx.send(writer::Job {
            lines,
            intent,
            done,
        });
        let r = match sent {
            Ok(()) => answer
                .await
                .unwrap_or_else(|_| Err("the audit writer thread ended".into())),
            Err(_) => Err("the audit writer thread ended".into()),
        };
        r.map_err(|message| {
            self.inner.failures.fetch_add(1, Ordering::Relaxed);
            tracing::error!("{message}");
            AuditError { message }
        })
    }
}

/// A record's file line and syslog text (without the output body).
fn writer_line(r: &Record) -> writer::Line {
    let file = serde_json::to_string(r).unwrap_or_default();
    let (syslog, severity) = match &r.what {
        Event::Command(c) if c.output.is_some() => {
            let mut lean = r.clone();
            if let Event::Command(c) = &mut lean.what {
                c.output = None;
            }
            (
                serde_json::to_string(&lean).unwrap_or_default(),
                syslog::INFO,
            )
        }
        Event::Denied { .. } => (file.clone(), syslog::WARNING),
        _ => (file.clone(), syslog::INFO),
    };
    writer::Line {
        file,
        syslog,
        severity,
    }
}

/// A fresh request id: 16 hex digits.
pub fn request_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// Now, as the log writes times (RFC 3339, UTC, milliseconds).
pub fn now() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}
