//! The platform's modes, resolved once per session: a mode is a small index ([`ModeId`]), a
//! prompt maps to one, and the way between any two modes is looked up, not searched.
//!
//! The regexes stay the platform's own (shared by every session, with their match caches).

use std::sync::Arc;

use netkeep_platform::{Platform, Transition};

/// A mode of the session's platform: its index in the platform file's mode list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ModeId(usize);

/// The mode graph of one platform.
#[derive(Debug)]
pub(crate) struct ModeMap {
    platform: Arc<Platform>,
    /// `paths[from][to]`: indices of the transitions from one mode to another, if there is a way.
    paths: Vec<Vec<Option<Vec<usize>>>>,
    /// The mode each transition leads to.
    targets: Vec<ModeId>,
    /// The non-configuration mode to return to from each mode.
    exec_of: Vec<ModeId>,
    config_mode: Option<ModeId>,
    enable_mode: Option<ModeId>,
}

impl ModeId {
    /// The mode at index `i` of the platform file's mode list.
    pub fn at(i: usize) -> ModeId {
        ModeId(i)
    }
}

impl ModeMap {
    /// Resolves the platform's modes (names, transitions) into indices once.
    pub fn new(platform: Arc<Platform>) -> ModeMap {
        let p = &platform;
        let id = |name: &str| p.modes().iter().position(|m| m.name == name).map(ModeId);
        let index_of = |t: &Transition| {
            p.spec()
                .transitions
                .iter()
                .position(|x| std::ptr::eq(x, t))
                .unwrap_or(0)
        };
        let paths = p
            .modes()
            .iter()
            .map(|from| {
                p.modes()
                    .iter()
                    .map(|to| {
                        p.path(&from.name, &to.name)
                            .map(|chain| chain.into_iter().map(index_of).collect())
                    })
                    .collect()
            })
            .collect();
        let targets = p
            .spec()
            .transitions
            .iter()
            .map(|t| id(&t.to).unwrap_or(ModeId(0)))
            .collect();
        let config_mode = p.spec().config.as_ref().and_then(|c| id(&c.mode));
        let enable_mode = p.spec().enable.as_ref().and_then(|e| id(&e.mode));
        let mut map = ModeMap {
            paths,
            targets,
            exec_of: Vec::new(),
            config_mode,
            enable_mode,
            platform,
        };
        map.exec_of = (0..map.paths.len())
            .map(|m| map.find_exec(ModeId(m)))
            .collect();
        map
    }

    /// The latest non-configuration mode (in file order) reachable from `from`; `from` itself
    /// if it is not a configuration mode.
    fn find_exec(&self, from: ModeId) -> ModeId {
        if !self.is_config(from) {
            return from;
        }
        (0..self.paths.len())
            .rev()
            .map(ModeId)
            .find(|&m| !self.is_config(m) && self.path(from, m).is_some())
            .unwrap_or(from)
    }

    /// The mode whose prompt matches `line` (a cleaned last line of output), if any; modes'
    /// conditions on the line above are not checked.
    pub fn of_prompt(&self, line: &str) -> Option<ModeId> {
        self.of_prompt_at(None, line)
    }

    /// The mode whose prompt matches `line` with `above` right above it (see
    /// [`Platform::mode_at`]).
    pub fn of_prompt_at(&self, above: Option<&str>, line: &str) -> Option<ModeId> {
        let m = self.platform.mode_at(above, line)?;
        self.platform
            .modes()
            .iter()
            .position(|x| std::ptr::eq(x, m))
            .map(ModeId)
    }

    /// The mode's name in the platform file.
    pub fn name(&self, m: ModeId) -> &str {
        &self.platform.modes()[m.0].name
    }

    /// True for a configuration mode.
    pub fn is_config(&self, m: ModeId) -> bool {
        self.platform.modes()[m.0].config
    }

    /// The transitions from `from` to `to`, each with the mode it leads to (empty if equal;
    /// `None` if there is no way).
    pub fn path(
        &self,
        from: ModeId,
        to: ModeId,
    ) -> Option<impl Iterator<Item = (&Transition, ModeId)> + '_> {
        let chain = self.paths[from.0][to.0].as_ref()?;
        let all = &self.platform.spec().transitions;
        Some(chain.iter().map(move |&i| (&all[i], self.targets[i])))
    }

    /// The non-configuration mode to return to from `m`.
    pub fn exec_of(&self, m: ModeId) -> ModeId {
        self.exec_of[m.0]
    }

    /// The platform's configuration mode, if it has one.
    pub fn config_mode(&self) -> Option<ModeId> {
        self.config_mode
    }

    /// The privileged mode `enable` leads to, if the platform has one.
    pub fn enable_mode(&self) -> Option<ModeId> {
        self.enable_mode
    }

    /// The first mode of the file (the session's mode until the first prompt says otherwise).
    pub fn first(&self) -> ModeId {
        ModeId(0)
    }
}
