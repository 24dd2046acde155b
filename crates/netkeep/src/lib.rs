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
//! Junos, Arista EOS, Linux, generic) with Netmiko's `device_type` names.
//!
//! ```no_run
//! use std::time::Duration;
//! use netkeep::{Auth, ConnectOptions, HostKeyPolicy, KeepaliveConfig, KeepaliveMode, Secret, Session};
//!
//! # async fn demo() -> Result<(), netkeep::Error> {
//! let opts = ConnectOptions::new("127.0.0.1", 2222, "hp_comware")
//!     .username("admin")
//!     .auth(Auth::Password(Secret::new("admin")))
//!     .host_key_policy(HostKeyPolicy::AcceptNew)
//!     .idle_timeout(Some(Duration::from_secs(600)))
//!     .keepalive(KeepaliveConfig { mode: KeepaliveMode::Nul, interval: None }) // every 200 s
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
//! The layers are separate crates, re-exported here as modules: [`transport`] (russh client,
//! host keys, auth), [`channel`] (output cleaning and paging, no SSH), [`platform`] (the data
//! files) and [`session`] (the command API).

pub use netkeep_channel as channel;
pub use netkeep_platform as platform;
pub use netkeep_session as session;
pub use netkeep_transport as transport;

pub use netkeep_platform::{CloseReason, Platform};
pub use netkeep_session::{
    Auth, CommandOptions, ConfigSetOptions, ConnectOptions, Error, HostKeyPolicy, KeepaliveConfig,
    KeepaliveMode, KeepaliveStats, Secret, Session,
};

pub mod blocking;
