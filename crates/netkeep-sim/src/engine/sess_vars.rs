//! Session-level template variables: the mode context (and the contexts of every level, for
//! SR OS's `[ex:/configure router "Base"]`), whether changes are uncommitted, the privilege
//! level, the terminal width, the candidate configuration, the number of the next command
//! (EXOS's `X440.5 #`) and the variables commands set (ASA's context, MikroTik's login options).

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
    /// `{{ctx_path}}`: the contexts of every level, outermost first, space-separated.
    pub ctx_path: String,
    /// `{{command_number}}`: commands run in this session so far, plus one.
    pub command_number: u64,
    /// Variables the session's commands set (`set: {session: …}`) and its login options.
    pub vars: &'a [(String, String)],
}

impl Vars for SessVars<'_> {
    fn get(&self, key: &str) -> Option<Cow<'_, str>> {
        match key {
            "ctx" => Some(Cow::Borrowed(self.ctx)),
            "uncommitted" => Some(Cow::Borrowed(if self.uncommitted { "1" } else { "" })),
            "privilege" => self.privilege.map(|p| Cow::Owned(p.to_string())),
            "width" => Some(Cow::Owned(self.width.to_string())),
            "candidate_config" => Some(Cow::Owned((self.candidate)())),
            "ctx_path" => Some(Cow::Borrowed(&self.ctx_path)),
            "command_number" => Some(Cow::Owned(self.command_number.to_string())),
            _ => self
                .vars
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| Cow::Borrowed(v.as_str())),
        }
    }
}
