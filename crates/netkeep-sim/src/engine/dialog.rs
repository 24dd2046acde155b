//! Questions a command asks before it runs (`save` → `[Y/N]:`, `enable` → `Password:`, IOS-XR
//! `end` → `yes/no/cancel`), and how a typed answer is judged.

use crate::personality::{SetOp, Step, StepKind};
use crate::template::OwnedVars;

/// A command waiting for answers.
pub(super) struct Dialog {
    /// Index into the personality's commands.
    pub cmd: usize,
    /// The step being asked.
    pub step: usize,
    /// The command's variables, plus `answer` after each step.
    pub vars: OwnedVars,
}

/// What an answer means.
pub(super) enum Verdict<'a> {
    /// Not an answer this step accepts: ask again.
    AskAgain,
    /// Go on to the next step; `set` is a change to make first (a choice's).
    Continue {
        /// The answer as typed (or the default).
        answer: String,
        /// A choice's change.
        set: Option<&'a SetOp>,
    },
    /// Stop the command.
    Abort,
}

/// Judges `typed` (trimmed) for `step`; `secret_ok` checks a password.
pub(super) fn judge<'a>(
    step: &'a Step,
    typed: &str,
    secret_ok: impl Fn(&str) -> bool,
) -> Verdict<'a> {
    let answer = if typed.is_empty() {
        step.default.clone().unwrap_or_default()
    } else {
        typed.to_string()
    };
    let go = |answer: String| Verdict::Continue { answer, set: None };
    match step.kind {
        StepKind::Line => go(answer),
        StepKind::Secret if secret_ok(&answer) => go(answer),
        StepKind::Secret => Verdict::Abort,
        StepKind::Confirm => match answer.to_ascii_lowercase().as_str() {
            "" | "y" | "yes" => go(answer),
            _ => Verdict::Abort,
        },
        StepKind::YesNo => match answer.to_ascii_lowercase().as_str() {
            "y" | "yes" => go(answer),
            "n" | "no" => Verdict::Abort,
            _ => Verdict::AskAgain,
        },
        StepKind::Choice => {
            let lower = answer.to_ascii_lowercase();
            match step.choices.iter().find(|c| c.answers.contains(&lower)) {
                None => Verdict::AskAgain,
                Some(c) if c.abort => Verdict::Abort,
                Some(c) => Verdict::Continue {
                    answer,
                    set: c.set.as_ref(),
                },
            }
        }
    }
}
