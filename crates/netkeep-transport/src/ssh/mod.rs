//! The SSH transport, on russh: [`connect`] with [`SshOptions`] gives a [`crate::Transport`]
//! whose terminal is a PTY shell channel and whose probe is an SSH ping. The connection reaches
//! the device along a [`Route`]: directly, through jump hosts (their own or a shared
//! [`JumpHost`]) or a ProxyCommand; keys come from files and the ssh-agent ([`Identities`]).

mod algorithm_list;
mod algorithms;
mod auth;
mod connect;
mod handler;
pub(crate) mod hang_up;
mod identities;
mod jump;
mod options;
mod route;
mod terminal;

pub use algorithm_list::{supported, AlgorithmKind, AlgorithmList, AlgorithmOp, Algorithms};
pub use connect::connect;
pub use identities::{AgentSocket, Identities};
pub use jump::JumpHost;
pub use options::{Auth, SshOptions};
pub use route::Route;
