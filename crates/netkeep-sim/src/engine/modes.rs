//! Where the session is in the mode graph: a stack of (mode, context, configuration block) from
//! the initial mode down to the current one (`[H3C-GigabitEthernet1/0/1]` is interface view
//! with its context, editing the block `interface GigabitEthernet1/0/1`).

use crate::personality::{Exit, Personality};

/// One level: the mode, its context, the configuration block it edits.
struct Level {
    mode: usize,
    ctx: String,
    block: Option<String>,
}

/// The mode stack; never empty.
pub(super) struct ModeStack(Vec<Level>);

impl ModeStack {
    /// At the personality's initial mode.
    pub fn new(p: &Personality) -> ModeStack {
        ModeStack(vec![Level {
            mode: p.initial_mode,
            ctx: String::new(),
            block: None,
        }])
    }

    /// Goes straight to the most privileged exec mode (a login with privilege 15), if the
    /// personality has privilege levels.
    pub fn privileged(&mut self, p: &Personality) {
        let best = (0..p.modes.len())
            .filter(|&m| !p.modes[m].config)
            .filter_map(|m| p.modes[m].privilege.map(|l| (l, m)))
            .max();
        if let Some((_, m)) = best.filter(|(_, m)| *m != self.current()) {
            self.push(m, String::new(), None);
        }
    }

    /// The current mode.
    pub fn current(&self) -> usize {
        self.0.last().map_or(0, |l| l.mode)
    }

    /// The current mode's context (`{{ctx}}`).
    pub fn ctx(&self) -> &str {
        self.0.last().map_or("", |l| l.ctx.as_str())
    }

    /// The contexts of every level, outermost first, joined by spaces (empty ones left out).
    pub fn ctx_path(&self) -> String {
        let parts: Vec<&str> = self
            .0
            .iter()
            .map(|l| l.ctx.as_str())
            .filter(|c| !c.is_empty())
            .collect();
        parts.join(" ")
    }

    /// The configuration block being edited: the blocks of the levels, outermost first.
    pub fn path(&self) -> Vec<String> {
        self.0.iter().filter_map(|l| l.block.clone()).collect()
    }

    /// The privilege level of the current mode (or the nearest one below it that has one).
    pub fn privilege(&self, p: &Personality) -> Option<u8> {
        self.0.iter().rev().find_map(|l| p.modes[l.mode].privilege)
    }

    /// Enter a mode, editing `block` (inside the current one) if given.
    pub fn push(&mut self, mode: usize, ctx: String, block: Option<String>) {
        self.0.push(Level { mode, ctx, block });
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
            Exit::Up2 => {
                let keep = self.0.len().saturating_sub(2).max(1);
                self.0.truncate(keep);
            }
            Exit::Root => self.0.truncate(1),
            Exit::EndConfig => {
                while self.0.len() > 1 && self.0.last().is_some_and(|l| p.modes[l.mode].config) {
                    self.0.pop();
                }
            }
            Exit::Logout => return false,
        }
        true
    }
}
