//! A string that never shows itself in logs.

use std::fmt;

/// A password or passphrase. `Debug` and `Display` print `***`, and the bytes are overwritten
/// when the value is dropped.
///
/// ```
/// use netkeep_transport::Secret;
/// let s = Secret::new("hunter2");
/// assert_eq!(format!("{s:?} {s}"), "Secret(***) ***");
/// assert_eq!(s.expose(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// Asks for a secret on the terminal without echo (e.g. a password for a script or the CLI).
    /// Fails if there is no terminal.
    ///
    /// ```no_run
    /// let pw = netkeep_transport::Secret::prompt_tty("Password for admin@core-sw1: ")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn prompt_tty(prompt: &str) -> std::io::Result<Secret> {
        rpassword::prompt_password(prompt).map(Secret)
    }

    /// The secret itself; call only where it is sent to the device.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret::new(s)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        for b in bytes.iter_mut() {
            // Volatile so the wipe is not optimised away as a dead store.
            unsafe { std::ptr::write_volatile(b, 0) };
        }
    }
}
