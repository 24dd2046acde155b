//! Errors loading or looking up platforms.

use std::path::PathBuf;

/// Errors loading or looking up platforms.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// No platform (or alias) by that name.
    #[error("unknown platform {name:?}; known: {}", known.join(", "))]
    Unknown {
        /// The name asked for.
        name: String,
        /// Canonical names of the platforms known.
        known: Vec<String>,
    },
    /// A platform file does not parse or has a bad regex.
    #[error("platform file {source_name}: {message}")]
    Invalid {
        /// The file (or `builtin NAME.yaml`).
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// A platform directory could not be read.
    #[error("cannot read platform directory {}: {message}", dir.display())]
    Dir {
        /// The directory.
        dir: PathBuf,
        /// The operating system's reason.
        message: String,
    },
}
