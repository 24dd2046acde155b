//! Session-level template variables: the mode context, whether changes are uncommitted, the
//! privilege level, the terminal width and the candidate configuration.

use std::borrow::Cow;

use crate::template::Vars;

/// What one session adds to the device's variables.
pub(super) struct SessVars<'a> {
    /// `{{ctx}}`: the current mode's context.
    pub ctx: &'a str,
    /// `{{uncommitted}}`: the candidate has changes.
    pub uncommitted: bool,
    /// `{{privilege}}`: the current mode's privilege level.
    pub privilege: Option<u8>,
    /// `{{width}}`: the terminal width (0: unlimited).
    pub width: usize,
    /// `{{candidate_config}}`: the candidate configuration, rendered on demand.
    pub candidate: &'a dyn Fn() -> String,
}

impl Vars for SessVars<'_> {
    fn get(&self, key: &str) -> Option<Cow<'_, str>> {
        match key {
            "ctx" => Some(Cow::Borrowed(self.ctx)),
            "uncommitted" => Some(Cow::Borrowed(if self.uncommitted { "1" } else { "" })),
            "privilege" => self.privilege.map(|p| Cow::Owned(p.to_string())),
            "width" => Some(Cow::Owned(self.width.to_string())),
            "candidate_config" => Some(Cow::Owned((self.candidate)())),
            _ => None,
        }
    }
}
