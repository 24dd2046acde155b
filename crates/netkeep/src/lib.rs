//! # netkeep: SSH CLI sessions to network devices that stay alive
//!
//! Opening an SSH session to a switch or router is slow and VTY lines are few, so you keep a
//! session open and reuse it. The device drops it once no *input* has reached the terminal for
//! its idle timeout (H3C `idle-timeout`, Cisco `exec-timeout`); SSH-protocol keepalives do not
//! count. netkeep keeps sessions warm with in-band keepalives (a NUL byte by default, as
//! Netmiko's `is_alive()`), under the session lock so they never interleave with a command and
//! never leak into its output, and tells a dead or half-open session from a live one.
//!
//! Platforms are data files (H3C Comware, Huawei VRP 5/8, Cisco IOS/IOS-XE/NX-OS/IOS-XR, Juniper
//! Junos, Arista EOS, Linux, generic) with Netmiko's `device_type` names. Devices without SSH
//! are reached over telnet when asked ([`ConnectOptions::protocol`], or a Netmiko
//! `<platform>_telnet` name); the same keepalive and liveness probe work there.
//!
//! ```no_run
//! use std::time::Duration;
//! use netkeep::{Auth, ConnectOptions, HostKeyPolicy, KeepaliveMode, Secret, Session};
//!
//! # async fn demo() -> Result<(), netkeep::Error> {
//! let opts = ConnectOptions::new("127.0.0.1", 2222, "hp_comware")
//!     .username("admin")
//!     .auth(Auth::Password(Secret::new("admin")))
//!     .host_key_policy(HostKeyPolicy::AcceptNew)
//!     .idle_timeout(Some(Duration::from_secs(600)))
//!     .keepalive(KeepaliveMode::Nul) // every 200 s (a third of the idle timeout)
//!     .device_name("core-sw1");
//! let s = Session::connect(opts).await?;
//! let version = s.send_command("display version").await?;
//! s.send_config_set(&["interface GigabitEthernet1/0/1", "description uplink"]).await?;
//! s.save_config().await?;
//! match s.send_command("display clock").await {
//!     Ok(out) => println!("{out}"),
//!     Err(e) if e.is_connection_lost() => eprintln!("gone, reconnect: {e}"),
//!     Err(e) => return Err(e),
//! }
//! println!("keepalives: {:?}", s.keepalive_stats());
//! s.disconnect().await;
//! # let _ = version; Ok(()) }
//! ```
//!
//! For scripts without async, see [`blocking::Session`].
//!
//! This crate is the facade: the handful of types a program needs. The layers underneath are
//! their own crates — `netkeep-transport` (SSH and in-memory byte streams), `netkeep-channel`
//! (output cleaning, no I/O), `netkeep-platform` (the platform files) and `netkeep-session` (the
//! command API) — in that order: transport → channel → platform → session → keeper → cli.
//! To run a session over a transport of your own (or a scripted device in a test), implement
//! the traits in [`transport`] and call [`Session::with_transport`].

#![warn(missing_docs)]

pub use netkeep_platform::{telnet_platform, CloseReason, Platform};
pub use netkeep_session::{
    Answer, Auth, CandidateState, Command, CommandOptions, ConfigLine, ConfigOutcome,
    ConfigSetOptions, ConnectOptions, Error, ErrorKind, Field, Finish, HostKeyPolicy,
    KeepaliveConfig, KeepaliveMode, KeepaliveStats, Protocol, Record, Records, Secret, Session,
    SessionLog, Templates, TransportError,
};

/// The transport boundary, for sessions over a transport of your own ([`Session::with_transport`]):
/// a [`Terminal`](transport::Terminal) (the byte stream) and a [`Link`](transport::Link) (the
/// liveness probe and the connection's state), bundled as a [`Transport`](transport::Transport);
/// and the in-memory implementation whose other end a test drives as a device.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), netkeep::Error> {
/// use netkeep::{transport::memory, ConnectOptions, Session};
/// let (t, device) = memory::pair("lab");
/// device.send("lab> ");
/// let s = Session::with_transport(t, ConnectOptions::new("lab", 0, "generic")).await?;
/// assert!(!s.is_closed());
/// # Ok(()) }
/// ```
pub mod transport {
    pub use netkeep_transport::{memory, telnet, BoxFuture, Event, Link, Terminal, Transport};
}

pub mod blocking;
