//! The candidate configuration of two-stage platforms: changes made in config modes wait here
//! until `commit` (or go on `discard`), either one per device (Junos) or one per session
//! (IOS-XR, VRP 8). Platforms without one apply changes at once.

use crate::model::{Change, DeviceState};
use crate::personality::{CandidateScope, Personality};

/// A runaway script must not grow the candidate forever.
const MAX_PENDING: usize = 100_000;

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

    fn pending<'a>(&'a mut self, st: &'a mut DeviceState) -> &'a mut Vec<Change> {
        match self.scope {
            Some(CandidateScope::Session) => &mut self.own,
            _ => &mut st.pending,
        }
    }

    /// Records a change made in a mode (`in_config`: a config mode): deferred when the platform
    /// has a candidate, applied at once otherwise.
    pub fn change(&mut self, p: &Personality, st: &mut DeviceState, in_config: bool, c: Change) {
        if self.scope.is_some() && in_config {
            let pending = self.pending(st);
            if pending.len() < MAX_PENDING {
                pending.push(c);
            }
        } else {
            st.apply(p, c);
        }
    }

    /// Applies the uncommitted changes.
    pub fn commit(&mut self, p: &Personality, st: &mut DeviceState) {
        let changes = std::mem::take(self.pending(st));
        for c in changes {
            st.apply(p, c);
        }
    }

    /// Drops the uncommitted changes.
    pub fn discard(&mut self, st: &mut DeviceState) {
        self.pending(st).clear();
    }

    /// True if there are uncommitted changes.
    pub fn is_dirty(&self, st: &DeviceState) -> bool {
        match self.scope {
            Some(CandidateScope::Session) => !self.own.is_empty(),
            _ => !st.pending.is_empty(),
        }
    }
}
