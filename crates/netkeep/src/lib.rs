//! netkeep: SSH CLI sessions to network devices that stay alive.
pub use netkeep_channel as channel;
pub use netkeep_platform as platform;
pub use netkeep_session as session;
pub use netkeep_transport as transport;
