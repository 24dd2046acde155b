//! The candidate configuration of two-stage platforms: changes made in config modes wait here
//! until `commit` (or go on `discard`), either one per device (Junos) or one per session
//! (IOS-XR, VRP 8). Platforms without one apply changes at once. The candidate is the running
//! configuration with the waiting changes replayed on it (`show | compare`, `rollback N`).

use std::time::Instant;

use crate::model::{Change, DeviceState, Tree, MAX_PENDING};
use crate::personality::{CandidateScope, Personality};

/// Where this session's uncommitted changes go.
pub(super) struct Candidate {
    scope: Option<CandidateScope>,
    /// The session's own changes (`CandidateScope::Session`).
    own: Vec<Change>,
}

impl Candidate {
    /// Per the personality's `candidate_config`.
    pub fn new(scope: Option<CandidateScope>) -> Candidate {
        Candidate {
            scope,
            own: Vec::new(),
        }
    }

    fn pending_mut<'a>(&'a mut self, st: &'a mut DeviceState) -> &'a mut Vec<Change> {
        match self.scope {
            Some(CandidateScope::Session) => &mut self.own,
            _ => &mut st.pending,
        }
    }

    /// The changes waiting for `commit`.
    pub fn pending<'a>(&'a self, st: &'a DeviceState) -> &'a [Change] {
        match self.scope {
            Some(CandidateScope::Session) => &self.own,
            _ => &st.pending,
        }
    }

    /// Records a change made in a mode (`in_config`: a config mode): deferred when the platform
    /// has a candidate, applied at once otherwise.
    pub fn change(&mut self, p: &Personality, st: &mut DeviceState, in_config: bool, c: Change) {
        if self.scope.is_some() && in_config {
            let pending = self.pending_mut(st);
            if pending.len() < MAX_PENDING {
                pending.push(c);
            }
        } else {
            st.apply(p, &c);
        }
    }

    /// True if the block at `path` exists in the running configuration or is being created.
    pub fn has_block(&self, st: &DeviceState, path: &[String]) -> bool {
        st.running.has(path)
            || self.pending(st).iter().any(|c| match c {
                Change::Block { path: p } | Change::Set { path: p, .. } => p.starts_with(path),
                _ => false,
            })
    }

    /// Applies the uncommitted changes.
    pub fn commit(&mut self, p: &Personality, st: &mut DeviceState) {
        let changes = std::mem::take(self.pending_mut(st));
        st.commit(p, &changes);
    }

    /// Applies them, to be rolled back at `deadline` unless confirmed.
    pub fn commit_confirmed(&mut self, p: &Personality, st: &mut DeviceState, deadline: Instant) {
        let changes = std::mem::take(self.pending_mut(st));
        st.commit_confirmed(p, &changes, deadline);
    }

    /// Drops the uncommitted changes.
    pub fn discard(&mut self, st: &mut DeviceState) {
        self.pending_mut(st).clear();
    }

    /// The candidate becomes `tree` (`rollback N`).
    pub fn load(&mut self, st: &mut DeviceState, tree: Tree) {
        let pending = self.pending_mut(st);
        pending.clear();
        pending.push(Change::Replace(Box::new(tree)));
    }

    /// True if there are uncommitted changes.
    pub fn is_dirty(&self, st: &DeviceState) -> bool {
        !self.pending(st).is_empty()
    }

    /// The running configuration with the uncommitted changes applied.
    pub fn tree(&self, p: &Personality, st: &DeviceState) -> Tree {
        st.candidate(p, self.pending(st))
    }
}
