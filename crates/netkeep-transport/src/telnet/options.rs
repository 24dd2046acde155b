//! What the telnet transport needs to reach one device: address, bound, terminal size.

use std::time::Duration;

/// Everything the telnet transport needs to reach one device. No credentials: telnet logs in
/// inside the terminal (netkeep-session's login step types them).
///
/// ```
/// let mut o = netkeep_transport::telnet::TelnetOptions::new("10.0.0.1", 23);
/// o.device = "old-sw1".into();
/// assert_eq!(o.cols, 511);
/// ```
#[derive(Debug, Clone)]
pub struct TelnetOptions {
    /// Host name or address.
    pub host: String,
    /// TCP port (23 by default on devices).
    pub port: u16,
    /// Label used in errors and logs; defaults to `host:port`.
    pub device: String,
    /// Bound on the TCP connect.
    pub connect_timeout: Duration,
    /// Terminal type sent when the server asks (TERMINAL-TYPE).
    pub term: String,
    /// Window width sent when the server asks (NAWS): wide, so devices do not wrap lines (a
    /// byte 0xFF in it is avoided: 511 goes as 510).
    pub cols: u16,
    /// Window height sent when the server asks.
    pub rows: u16,
}

impl TelnetOptions {
    /// Options with defaults: 10 s connect timeout, a VT100 511 columns wide.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        let host = host.into();
        TelnetOptions {
            device: format!("{host}:{port}"),
            host,
            port,
            connect_timeout: Duration::from_secs(10),
            term: "vt100".into(),
            cols: 511,
            rows: 24,
        }
    }

    pub(crate) fn addr(&self) -> String {
        if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}
