//! Running a slow command on the engine: its start, one line per tick, the tail (full or cut by
//! Ctrl-C), then the input typed meanwhile.

use super::slow::{Busy, Tick};
use super::*;

impl Engine {
    pub(super) fn start_slow(
        &mut self,
        cmd: usize,
        slow: &Slow,
        vars: OwnedVars,
        out: &mut Vec<u8>,
    ) -> Effect {
        let head = self.render(&slow.head, &vars);
        crlf(&head, out);
        if !head.is_empty() && !head.ends_with('\n') {
            out.extend_from_slice(b"\r\n");
        }
        let count = self.render(&slow.count, &vars).parse().unwrap_or(5);
        self.slow.busy = Some(Busy {
            cmd,
            vars,
            seq: 0,
            count,
            aborted: false,
        });
        Effect::Slow(slow.interval)
    }

    /// Advance a slow command by one line; returns the next effect (Slow again while running).
    pub fn slow_tick(&mut self, out: &mut Vec<u8>) -> Effect {
        let p = self.p.clone();
        let Some(cmd) = self.slow.busy.as_ref().map(|b| b.cmd) else {
            return Effect::None;
        };
        let Some(slow) = p.commands[cmd].slow.as_ref() else {
            self.slow.busy = None;
            return Effect::None;
        };
        let Some(busy) = self.slow.busy.as_mut() else {
            return Effect::None;
        };
        match busy.tick(slow) {
            Tick::Line(vars, brk) => {
                crlf(&self.render(&slow.line, &vars), out);
                if brk {
                    out.extend_from_slice(b"\r\n");
                }
                Effect::Slow(slow.interval)
            }
            Tick::Last(vars, brk, tail) => {
                crlf(&self.render(&slow.line, &vars), out);
                if brk {
                    out.extend_from_slice(b"\r\n");
                }
                self.end_slow(tail, out)
            }
            Tick::Over(tail) => self.end_slow(tail, out),
        }
    }

    /// The tail of a slow command (its summary, or what Ctrl-C leaves), then the prompt.
    pub(super) fn end_slow(&mut self, tail: (bool, OwnedVars), out: &mut Vec<u8>) -> Effect {
        let p = self.p.clone();
        let Some(bz) = self.slow.busy.take() else {
            return Effect::None;
        };
        let Some(slow) = p.commands[bz.cmd].slow.as_ref() else {
            return Effect::None;
        };
        let (aborted, vars) = tail;
        let t = if aborted { &slow.aborted } else { &slow.tail };
        let text = self.render(t, &vars);
        self.output_then_prompt(&text, out);
        self.slow.draining = true;
        Effect::SlowDone
    }

    /// After the slow command's last output was handed to the transport: run typed-ahead input.
    pub fn finish_slow(&mut self, out: &mut Vec<u8>) -> Effect {
        self.slow.draining = false;
        let queued = self.slow.take_queued();
        self.feed(&queued, out)
    }
}
