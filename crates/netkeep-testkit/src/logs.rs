//! [`LogCapture`]: every tracing event of the test process, kept for inspection.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A tracing writer that keeps every line in memory and, if asked, in a file too; installed as
/// the process's subscriber at TRACE level without colours, so tests can search the logs (for a
/// password that must never be there, for a line that must be).
///
/// ```no_run
/// let logs = netkeep_testkit::LogCapture::install();
/// tracing::info!("hello");
/// assert!(logs.text().contains("hello"));
/// ```
#[derive(Clone, Default)]
pub struct LogCapture {
    mem: Arc<Mutex<Vec<u8>>>,
    file: Option<Arc<Mutex<std::fs::File>>>,
}

impl LogCapture {
    /// Captures into memory; installs the global subscriber (once per test binary).
    pub fn install() -> LogCapture {
        LogCapture::default().installed()
    }

    /// Captures into memory and into a new file at `path`.
    pub fn install_with_file(path: &Path) -> LogCapture {
        let file = std::fs::File::create(path).expect("create the log file");
        LogCapture {
            file: Some(Arc::new(Mutex::new(file))),
            ..LogCapture::default()
        }
        .installed()
    }

    fn installed(self) -> LogCapture {
        let w = self.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || w.clone())
            .init();
        self
    }

    /// Everything logged so far.
    pub fn text(&self) -> String {
        let mem = self.mem.lock().unwrap_or_else(|p| p.into_inner());
        String::from_utf8_lossy(&mem).into_owned()
    }
}

impl Write for LogCapture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.mem
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(b);
        if let Some(f) = &self.file {
            f.lock().unwrap_or_else(|p| p.into_inner()).write_all(b)?;
        }
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
