//! Errors starting or driving a simulated device.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Errors starting or driving a simulated device.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The platform name is not one of ours (nor an alias of one).
    #[error("unknown platform {platform:?}; known platforms: {known}")]
    UnknownPlatform {
        /// The name asked for.
        platform: String,
        /// The platforms that have a personality.
        known: String,
    },
    /// A personality file is invalid (for a built-in one, a bug in netkeep-sim).
    #[error("personality {platform:?} is invalid: {reason}")]
    Personality {
        /// The platform or the file.
        platform: String,
        /// What is wrong.
        reason: String,
    },
    /// The personality directory could not be read.
    #[error("cannot read personality directory {}: {reason}", dir.display())]
    PersonalityDir {
        /// The directory.
        dir: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// The user platform files (for aliases) could not be loaded.
    #[error("platform files: {reason}")]
    PlatformFiles {
        /// What is wrong.
        reason: String,
    },
    /// The listening address could not be bound.
    #[error("cannot listen on {addr}: {source}{hint}", hint = if source.kind() == std::io::ErrorKind::AddrInUse { format!(" (port {} is already in use; pick another with --port)", addr.port()) } else { String::new() })]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The host key file could not be read.
    #[error("cannot load host key {path}: {reason}")]
    HostKey {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}
