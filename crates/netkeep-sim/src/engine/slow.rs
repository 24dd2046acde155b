//! Slow commands (ping): a line every interval until done or Ctrl-C, with the input typed
//! meanwhile held back until the last output is out.

use crate::personality::Slow;
use crate::template::OwnedVars;

/// Most bytes typed ahead while a slow command runs.
const MAX_QUEUED: usize = 4096;

/// A slow command in progress.
pub(super) struct Busy {
    /// Index into the personality's commands.
    pub cmd: usize,
    /// The command's variables.
    pub vars: OwnedVars,
    /// Lines printed so far.
    pub seq: u32,
    /// Lines in a full run.
    pub count: u32,
    /// Ctrl-C received.
    pub aborted: bool,
}

/// What one tick of a slow command prints.
pub(super) enum Tick {
    /// A line (with `seq`), a line break after it or not; more follow.
    Line(OwnedVars, bool),
    /// The last line, its break, then the tail: (aborted, variables with `sent`, `count`).
    Last(OwnedVars, bool, (bool, OwnedVars)),
    /// Nothing more to print but the tail (Ctrl-C came).
    Over((bool, OwnedVars)),
}

impl Busy {
    /// Advances by one line.
    pub fn tick(&mut self, slow: &Slow) -> Tick {
        if self.aborted || self.seq >= self.count {
            return Tick::Over(self.tail());
        }
        self.seq += 1;
        let mut vars = self.vars.clone();
        vars.0.push(("seq".into(), self.seq.to_string()));
        let done = self.seq >= self.count;
        let wrap = slow.per_line > 0 && (self.seq as usize).is_multiple_of(slow.per_line);
        let brk = !slow.inline || (wrap && !done);
        if done {
            Tick::Last(vars, brk, self.tail())
        } else {
            Tick::Line(vars, brk)
        }
    }

    /// Whether it was aborted, and the variables of its tail.
    fn tail(&self) -> (bool, OwnedVars) {
        let mut vars = self.vars.clone();
        vars.0.push(("sent".into(), self.seq.to_string()));
        vars.0.push(("count".into(), self.count.to_string()));
        (self.aborted, vars)
    }
}

/// Slow-command state of a session.
#[derive(Default)]
pub(super) struct SlowState {
    /// The running command.
    pub busy: Option<Busy>,
    queued: Vec<u8>,
    /// The last output of a slow command is on its way; input waits so it cannot overtake it.
    pub draining: bool,
}

impl SlowState {
    /// Takes `b` while a slow command runs or drains (Ctrl-C aborts, the rest queues); false
    /// when the session is free to handle it.
    pub fn absorb(&mut self, b: u8) -> bool {
        if !self.draining {
            match &mut self.busy {
                None => return false,
                Some(busy) if b == 3 => {
                    busy.aborted = true;
                    return true;
                }
                Some(_) => {}
            }
        }
        self.queue(&[b]);
        true
    }

    /// Queue typed-ahead input, up to the bound.
    pub fn queue(&mut self, bytes: &[u8]) {
        let room = MAX_QUEUED.saturating_sub(self.queued.len());
        self.queued
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    /// The typed-ahead input, to run now.
    pub fn take_queued(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.queued)
    }

    /// True while a slow command runs or its last output drains.
    pub fn is_busy(&self) -> bool {
        self.busy.is_some() || self.draining
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctrl_c_aborts_and_other_input_queues_bounded() {
        let mut s = SlowState::default();
        assert!(!s.absorb(b'x'));
        s.busy = Some(Busy {
            cmd: 0,
            vars: OwnedVars::default(),
            seq: 0,
            count: 5,
            aborted: false,
        });
        assert!(s.absorb(b'a'));
        assert!(s.absorb(3));
        assert!(s.busy.as_ref().is_some_and(|b| b.aborted));
        s.queue(&[b'b'; 10_000]);
        assert_eq!(s.take_queued().len(), MAX_QUEUED);
    }
}
