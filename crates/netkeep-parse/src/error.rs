//! The one error type of the crate: what went wrong, where (template file and line, input line,
//! index row), and what to do.

use std::path::PathBuf;

/// What kind of failure an [`Error`] is, for callers that branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The template text is invalid (bad Value line, rule, state or regex).
    Template,
    /// The template's `Error` action fired on the input.
    ErrorAction,
    /// A backtracking regex gave up on an input line.
    Match,
    /// The index has no template for the platform and command.
    NoTemplate,
    /// The index file is invalid.
    Index,
    /// Templates were not found anywhere.
    NoTemplates,
    /// Several templates' records could not be merged on their Key values.
    Merge,
    /// A file could not be read.
    Io,
}

/// Why a template could not be compiled or an output could not be parsed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The template is invalid.
    #[error("template {template}{}: {message}", at_line(*.line))]
    Template {
        /// Template file (or the name it was given).
        template: String,
        /// 1-based line in the template (0: the template as a whole).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The template's `Error` action matched.
    #[error(
        "template {template}: Error action{} in state {state} (template line {rule_line}) on input line {input_line}: {line:?}",
        message.as_ref().map(|m| format!(" {m}")).unwrap_or_default()
    )]
    ErrorAction {
        /// Template file.
        template: String,
        /// State whose rule fired.
        state: String,
        /// Template line of the rule.
        rule_line: usize,
        /// The action's message (`-> Error "message"`), if any.
        message: Option<String>,
        /// 1-based input line number.
        input_line: usize,
        /// The input line.
        line: String,
    },
    /// A backtracking regex gave up.
    #[error("template {template}: line {rule_line} gave up on input line {input_line}: {message}")]
    Match {
        /// Template file.
        template: String,
        /// Template line of the rule.
        rule_line: usize,
        /// 1-based input line number.
        input_line: usize,
        /// What the engine said.
        message: String,
    },
    /// No index row matches.
    #[error(
        "no template for platform {platform:?} and command {command:?} in index {}",
        index.display()
    )]
    NoTemplate {
        /// Platform asked for.
        platform: String,
        /// Command asked for.
        command: String,
        /// The index file searched.
        index: PathBuf,
    },
    /// The index file is invalid.
    #[error("index {}{}: {message}", path.display(), at_line(*.line))]
    Index {
        /// The index file.
        path: PathBuf,
        /// 1-based line (0: the file as a whole).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// No template directory was found.
    #[error("no TextFSM templates found ({tried}); install them with `pip install ntc-templates`, or set NET_TEXTFSM=DIR to a directory with an `index` file")]
    NoTemplates {
        /// Where we looked.
        tried: String,
    },
    /// Templates of one index row could not be merged.
    #[error("merging {templates}: {message}")]
    Merge {
        /// The row's templates.
        templates: String,
        /// What is wrong.
        message: String,
    },
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

fn at_line(line: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(" line {line}")
    }
}

impl Error {
    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Template { .. } => ErrorKind::Template,
            Error::ErrorAction { .. } => ErrorKind::ErrorAction,
            Error::Match { .. } => ErrorKind::Match,
            Error::NoTemplate { .. } => ErrorKind::NoTemplate,
            Error::Index { .. } => ErrorKind::Index,
            Error::NoTemplates { .. } => ErrorKind::NoTemplates,
            Error::Merge { .. } => ErrorKind::Merge,
            Error::Io { .. } => ErrorKind::Io,
        }
    }
}
