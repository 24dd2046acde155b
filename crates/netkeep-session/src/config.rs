//! Configuration sets: what to do with the changes ([`ConfigSetOptions`], [`Finish`]) and what
//! came of them ([`ConfigOutcome`]: each line with the device's answer, the fate of the candidate,
//! the transcript).

use std::time::Duration;

/// Options for [`crate::Session::send_config_set_with`] and [`crate::Session::configure`].
///
/// ```
/// use std::time::Duration;
/// use netkeep_session::{ConfigSetOptions, Finish};
/// let o = ConfigSetOptions { exit: Some(false), ..Default::default() }; // stay in config mode
/// // Commit with a rollback unless confirmed within 5 minutes, then save where the platform saves.
/// let c = ConfigSetOptions {
///     finish: Finish::Commit { confirm: Some(Duration::from_secs(300)), comment: Some("ticket 42".into()) },
///     ..Default::default()
/// };
/// # let _ = (o, c);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigSetOptions {
    /// Leave configuration mode afterwards. `None`: as the platform says (two-stage platforms
    /// such as Junos, IOS-XR and VRP 8 stay in configuration mode so the caller can `commit()`).
    /// Leaving a two-stage platform's configuration mode without committing drops the changes.
    pub exit: Option<bool>,
    /// Read timeout per line.
    pub read_timeout: Duration,
    /// What to do with the changes once the lines are in.
    pub finish: Finish,
    /// Save the running configuration afterwards (the platform's save command, its questions
    /// answered; [`crate::Error::Unsupported`] where the platform has none, before anything is
    /// sent).
    pub save: bool,
}

impl Default for ConfigSetOptions {
    fn default() -> Self {
        ConfigSetOptions {
            exit: None,
            read_timeout: Duration::from_secs(30),
            finish: Finish::Nothing,
            save: false,
        }
    }
}

/// What to do with a two-stage platform's candidate once the lines are in. Asking a one-stage
/// platform (changes apply as typed) to commit or check is [`crate::Error::Unsupported`], before
/// anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Finish {
    /// Nothing: the changes stay uncommitted in configuration mode, or are dropped if the set
    /// leaves it (`exit`).
    #[default]
    Nothing,
    /// Commit, then leave configuration mode (unless `exit: Some(false)`).
    Commit {
        /// Roll back automatically unless committed again within this time (Junos `commit
        /// confirmed`, IOS-XR `commit confirmed minutes`, VRP 8 `commit trial`).
        confirm: Option<Duration>,
        /// A comment recorded with the commit (no double quotes or control characters).
        comment: Option<String>,
    },
    /// A dry run: the platform's check (Junos `commit check`) and compare (`show | compare`)
    /// commands, then the changes are dropped and configuration mode is left.
    Check,
}

/// One line typed in configuration mode (or a step after the lines: commit, check, save) and
/// the device's answer, echo and prompts removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigLine {
    /// The line as typed.
    pub line: String,
    /// The device's answer to it (often empty).
    pub output: String,
}

/// What became of the changes of a configuration set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CandidateState {
    /// Applied as typed (one-stage platforms: Comware, VRP 5, IOS, NX-OS, EOS).
    Applied,
    /// Still uncommitted; the session is still in configuration mode.
    Pending,
    /// Committed; with `confirm`, rolled back unless committed again within that time.
    Committed {
        /// The time left to confirm, if it was a confirmed commit.
        confirm: Option<Duration>,
    },
    /// Checked (dry run), then dropped: nothing was committed.
    Checked,
    /// Dropped on leaving configuration mode: nothing was committed.
    Discarded,
}

impl CandidateState {
    /// A word for it: `applied`, `pending`, `committed`, `checked`, `discarded`.
    pub fn as_str(self) -> &'static str {
        match self {
            CandidateState::Applied => "applied",
            CandidateState::Pending => "pending",
            CandidateState::Committed { .. } => "committed",
            CandidateState::Checked => "checked",
            CandidateState::Discarded => "discarded",
        }
    }
}

/// What a configuration set did: each line with the device's answer, the steps after them
/// (commit, check, compare, save) with theirs, the fate of the changes, and the whole dialogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigOutcome {
    /// Each configuration line with the device's answer, in order.
    pub lines: Vec<ConfigLine>,
    /// The commands run after the lines (commit, check, compare, save), with their answers.
    pub after: Vec<ConfigLine>,
    /// What became of the changes.
    pub candidate: CandidateState,
    /// The dialogue as the device showed it: mode changes, prompts, lines, answers.
    pub transcript: String,
}

impl ConfigOutcome {
    /// The device's answers, without echoes or prompts: the non-empty answers to the lines and
    /// the steps after them, one after the other. Empty when the device said nothing.
    ///
    /// ```
    /// use netkeep_session::{CandidateState, ConfigLine, ConfigOutcome};
    /// let l = |line: &str, output: &str| ConfigLine { line: line.into(), output: output.into() };
    /// let o = ConfigOutcome {
    ///     lines: vec![l("interface Gi0/2", ""), l("description x", "")],
    ///     after: vec![l("commit", "commit complete")],
    ///     candidate: CandidateState::Committed { confirm: None },
    ///     transcript: String::new(),
    /// };
    /// assert_eq!(o.answers(), "commit complete");
    /// ```
    pub fn answers(&self) -> String {
        let parts: Vec<&str> = self
            .lines
            .iter()
            .chain(&self.after)
            .map(|l| l.output.as_str())
            .filter(|o| !o.trim().is_empty())
            .collect();
        parts.join("\n")
    }
}
