//! `netkeep._native`: the Python face of netkeep, compiled. One session class over the Rust
//! library and the TextFSM parser; the Netmiko-shaped API (keyword arguments, method names,
//! exceptions) is the Python package beside this crate (`python/netkeep/`).
//!
//! Where it sits: on top of the `netkeep` facade and `netkeep-parse`, below the Python code.
//! Every call that waits releases the GIL and wakes every 50 ms to let Python run its signal
//! handlers, so Ctrl-C interrupts it (the session library is cancel-safe: an abandoned command's
//! late output is dropped by the next exchange).
//!
//! ```python
//! from netkeep._native import NativeSession
//! s = NativeSession.connect("127.0.0.1", 2222, "hp_comware", "admin", password="admin")
//! print(s.send("display clock"))
//! s.disconnect()
//! ```

mod errors;
mod parse;
mod reach;
mod runtime;
mod session;

use pyo3::prelude::*;

/// The module `netkeep._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<session::NativeSession>()?;
    m.add_function(wrap_pyfunction!(parse::parse_output, m)?)?;
    m.add_function(wrap_pyfunction!(parse::textfsm_platform, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::runtime_pid, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
