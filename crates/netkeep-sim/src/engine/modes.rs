//! Where the session is in the mode graph: a stack of (mode, context) from the initial mode
//! down to the current one (`[H3C-GigabitEthernet1/0/1]` is interface view with its context).

use crate::personality::{Exit, Personality};

/// The mode stack; never empty.
pub(super) struct ModeStack(Vec<(usize, String)>);

impl ModeStack {
    /// At the personality's initial mode.
    pub fn new(p: &Personality) -> ModeStack {
        ModeStack(vec![(p.initial_mode, String::new())])
    }

    /// The current mode.
    pub fn current(&self) -> usize {
        self.0.last().map_or(0, |(m, _)| *m)
    }

    /// The current mode's context (`{{ctx}}`).
    pub fn ctx(&self) -> &str {
        self.0.last().map_or("", |(_, c)| c.as_str())
    }

    /// Enter a mode.
    pub fn push(&mut self, mode: usize, ctx: String) {
        self.0.push((mode, ctx));
    }

    /// Leave `levels` sub-modes (a command of an ancestor mode was run), keeping the root.
    pub fn pop_levels(&mut self, levels: usize) {
        let keep = self.0.len().saturating_sub(levels).max(1);
        self.0.truncate(keep);
    }

    /// The current mode, then its ancestors while each inherits its parent's commands.
    pub fn levels(&self, p: &Personality) -> Vec<usize> {
        let mut m = self.current();
        let mut levels = vec![m];
        while p.modes[m].inherit {
            match p.modes[m].parent {
                Some(parent) => {
                    levels.push(parent);
                    m = parent;
                }
                None => break,
            }
        }
        levels
    }

    /// Leave modes as `exit` says; false when that ends the session.
    pub fn leave(&mut self, exit: Exit, p: &Personality) -> bool {
        match exit {
            Exit::Up => {
                if self.0.len() <= 1 {
                    return false;
                }
                self.0.pop();
            }
            Exit::Root => self.0.truncate(1),
            Exit::EndConfig => {
                while self.0.len() > 1 && self.0.last().is_some_and(|(m, _)| p.modes[*m].config) {
                    self.0.pop();
                }
            }
            Exit::Logout => return false,
        }
        true
    }
}
