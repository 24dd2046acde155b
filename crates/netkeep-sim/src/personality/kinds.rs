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
    /// Two levels up (FortiOS `end` inside an `edit`: it leaves the entry and its table).
    Up2,
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
    /// One key, no Enter needed (`[confirm]`): Enter or `y` goes on, anything else aborts.
    Confirm,
}

/// How a configuration tree is written out (and read back from an initial configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TreeStyle {
    /// Children indented under their parent line (Cisco, Comware, VRP, EOS, NX-OS).
    #[default]
    Indent,
    /// `name {` … `}` blocks and `leaf;` statements (Junos).
    Braces,
}

/// Which words of a configuration line name the setting it sets (a later line with the same
/// key replaces it), when no `settings` rule of the personality says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum KeyRule {
    /// The words up to the last one that is not a value (`logging buffered` of
    /// `logging buffered 20010`, `ip host test1` of `ip host test1 1.1.1.1`).
    #[default]
    LeadingKeywords,
    /// The first word (Junos statements: `archive` of `archive size 120k files 3`).
    FirstWord,
}

/// What an output filter (`| include`, `| match`, …) does to a command's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterOp {
    /// Lines matching the regex.
    Include,
    /// Lines not matching the regex.
    Exclude,
    /// From the first matching line on.
    Begin,
    /// Matching top-level lines with their indented children (and the parents of matching
    /// indented lines).
    Section,
    /// The number of (matching) lines, in the filter's `output` template (`{{count}}`).
    Count,
    /// A `{ }` configuration as `set` commands.
    DisplaySet,
    /// The whole output without the pager.
    NoMore,
    /// The uncommitted changes (candidate against running) instead of the output.
    Compare,
}

/// What a password step does when the device has no enable secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum NoSecret {
    /// Ask anyway; no answer is right.
    #[default]
    Ask,
    /// Skip the step (EOS `enable` without a secret).
    Skip,
    /// Stop the command with the step's `abort` text (IOS "% No password set").
    Refuse,
}

/// What an unset `DeviceConfig::enable_secret` means on this platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SecretDefault {
    /// The login password is also the enable secret.
    #[default]
    LoginPassword,
    /// No enable secret is configured.
    None,
}

/// How the echo of a typed line wraps at the terminal width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EchoWrap {
    /// No wrapping (the terminal's business).
    #[default]
    None,
    /// CR LF inserted when the line reaches the last column.
    Crlf,
    /// A space and CR at the last column, as a Linux line editor with auto-margins.
    SpaceCr,
}

/// Which keys get past a login banner that waits (`banner_confirm:` `false`, `true` for Y/Enter
/// with N to leave, or `any_key` for ProCurve's "Press any key to continue").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BannerKeys {
    /// The banner does not wait.
    #[default]
    None,
    /// Y or Enter goes on, N closes the session (Comware).
    YesOrEnter,
    /// Any key goes on (ProCurve).
    Any,
}

impl<'de> Deserialize<'de> for BannerKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Flag(bool),
            Word(String),
        }
        match Raw::deserialize(d)? {
            Raw::Flag(false) => Ok(BannerKeys::None),
            Raw::Flag(true) => Ok(BannerKeys::YesOrEnter),
            Raw::Word(w) if w == "any_key" => Ok(BannerKeys::Any),
            Raw::Word(w) => Err(serde::de::Error::custom(format!(
                "banner_confirm {w:?}: use true, false or any_key"
            ))),
        }
    }
}
