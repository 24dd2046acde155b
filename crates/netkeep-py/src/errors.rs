//! netkeep errors as the exceptions Netmiko users catch. The classes live in Python
//! (`netkeep.exceptions`); this maps an error's kind to one and fills in what happened.

use netkeep::{Error, ErrorKind};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// The `netkeep.exceptions` class for a kind of failure.
fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Auth => "NetmikoAuthenticationException",
        ErrorKind::HostKey => "HostKeyError",
        ErrorKind::Unreachable => "NetmikoTimeoutException",
        ErrorKind::ConnectionLost => "SessionLost",
        ErrorKind::Timeout | ErrorKind::PromptNotFound => "ReadTimeout",
        ErrorKind::Rejected => "ConfigInvalidException",
        ErrorKind::Unsupported => "UnsupportedOperation",
        _ => "NetkeepValueError",
    }
}

/// A word for the kind, as the daemon's API says it (`auth`, `timeout`, ...).
pub fn kind_word(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Auth => "auth",
        ErrorKind::HostKey => "host_key",
        ErrorKind::Unreachable => "unreachable",
        ErrorKind::ConnectionLost => "connection_lost",
        ErrorKind::Timeout => "timeout",
        ErrorKind::PromptNotFound => "prompt_not_found",
        ErrorKind::Rejected => "rejected",
        ErrorKind::Unsupported => "unsupported",
        ErrorKind::BadInput => "bad_input",
        ErrorKind::Platform => "platform",
        ErrorKind::LocalFile => "local_file",
        _ => "other",
    }
}

/// Builds the exception for `e`: its message (device, step, last bytes; never a password),
/// with attributes `device`, `kind` and `partial_output`.
pub fn to_py(py: Python<'_>, e: &Error) -> PyErr {
    build(py, class_name(e.kind()), e).unwrap_or_else(|err| err)
}

fn build(py: Python<'_>, class: &str, e: &Error) -> Result<PyErr, PyErr> {
    let module = py.import("netkeep.exceptions")?;
    let value = module.getattr(class)?.call1((e.to_string(),))?;
    value.setattr("device", e.device())?;
    value.setattr("kind", kind_word(e.kind()))?;
    value.setattr("partial_output", e.partial_output())?;
    Ok(PyErr::from_value(value))
}

/// A connection opened in another process (before a `fork()`): its runtime's threads are not
/// in this one, so it cannot be driven here.
pub fn foreign_process(opened_in: u32) -> PyErr {
    PyRuntimeError::new_err(format!(
        "netkeep: this connection was opened in process {opened_in}, before a fork; it cannot be used in process {} (its I/O threads stay in the parent). Open a new connection in this process.",
        std::process::id()
    ))
}

/// A `NetkeepValueError` (a `ValueError`) for bad input about `device`, kind `bad_input`.
pub fn bad_input(py: Python<'_>, device: &str, message: String) -> PyErr {
    let made = || -> Result<PyErr, PyErr> {
        let module = py.import("netkeep.exceptions")?;
        let value = module.getattr("NetkeepValueError")?.call1((message,))?;
        value.setattr("device", device)?;
        value.setattr("kind", "bad_input")?;
        value.setattr("partial_output", py.None())?;
        Ok(PyErr::from_value(value))
    };
    made().unwrap_or_else(|err| err)
}
