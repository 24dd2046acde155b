//! The telnet transport: [`connect`] with [`TelnetOptions`] gives a [`crate::Transport`] whose
//! terminal is the connection's data stream (negotiation taken out, 0xFF and line ends as the
//! network virtual terminal wants them) and whose probe is `IAC DO TIMING-MARK`.
//!
//! One job per file: `codec` (bytes ⇄ data and commands, no I/O, public for the simulator and
//! the fuzzer), `negotiate` (which options we accept), `pump` (the reader and writer tasks),
//! `terminal` (the [`crate::Terminal`] and [`crate::Link`]), `connect`, `options`.
//!
//! Telnet sends everything in clear, the password included: use it only where SSH is not
//! available. Logging in is not done here: the session types the credentials at the device's
//! prompts (`netkeep-session`, driven by the platform's `telnet_login:` patterns).

pub mod codec;
mod connect;
mod negotiate;
mod options;
mod pump;
mod state;
mod terminal;

pub use connect::connect;
pub use options::TelnetOptions;
