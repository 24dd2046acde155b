//! The small kinds a personality file names (`nul: swallow`, `exit: end_config`, ...), shared
//! by the file format and the compiled personality.

use serde::Deserialize;

/// What the device does with a received NUL byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NulMode {
    /// Echo the NUL byte back unchanged.
    EchoRaw,
    /// Echo it as the two characters `^@` (what a Unix PTY in echoctl mode does).
    Caret,
    /// Drop it silently.
    Swallow,
}

/// Which input restarts the idle timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// Any byte received in the session channel (NUL included).
    AnyByte,
    /// Only a complete line (Enter).
    Line,
}

/// Where uncommitted configuration changes wait for `commit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateScope {
    /// One candidate per device, shared by its sessions (Junos `configure`).
    Shared,
    /// One candidate per session, lost when it ends (IOS-XR, VRP 8).
    Session,
}

/// Leaving modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exit {
    /// One level up; at the initial mode this logs out.
    Up,
    /// Back to the initial mode.
    Root,
    /// Back to the highest mode that is not a config mode (Cisco `end` from any depth).
    EndConfig,
    /// Close the session.
    Logout,
}

/// How a dialog step reads its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// `y`/`yes` continues, `n`/`no` aborts.
    YesNo,
    /// Any line (e.g. a file name); accepted as is.
    Line,
    /// Not echoed; must equal the device password.
    Secret,
    /// One of the step's `choices` (e.g. IOS-XR's `yes/no/cancel` on leaving with uncommitted
    /// changes); anything else asks again.
    Choice,
}
