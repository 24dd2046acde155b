//! The simulated device's side of telnet option negotiation, as a device does it: it offers
//! what the personality says (`telnet.negotiate`: echo and SGA, asks for the window size and
//! terminal type), acknowledges changes once, refuses the rest, answers `DO TIMING-MARK` with
//! `WILL TIMING-MARK` and `AYT` with `[Yes]`. The CLI echoes whatever was agreed (devices do:
//! a client that refuses the server's echo still sees its commands echoed).

use netkeep_transport::telnet::codec::{negotiate, opt, sub, Command, Verb, AYT, NOP};

/// TTYPE sub-negotiation `SEND`.
const TTYPE_SEND: u8 = 1;

/// What a command means to the session beyond the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Heard {
    /// Nothing.
    Nothing,
    /// The client's window is this many columns wide (NAWS).
    Width(u16),
    /// `IAC NOP` or `DO TIMING-MARK`: protocol traffic, not terminal input.
    Nudge,
}

/// One connection's option state.
pub(crate) struct ServerOptions {
    /// Options we do (we said WILL and the client did not refuse).
    will: [bool; 256],
    /// Options we asked the client to do.
    asked: [bool; 256],
}

impl ServerOptions {
    /// The device's opening negotiation, appended to `out`.
    pub fn open(offers: &[(Verb, u8)], out: &mut Vec<u8>) -> ServerOptions {
        let mut s = ServerOptions {
            will: [false; 256],
            asked: [false; 256],
        };
        for &(v, o) in offers {
            match v {
                Verb::Will => s.will[o as usize] = true,
                Verb::Do => s.asked[o as usize] = true,
                Verb::Wont | Verb::Dont => {}
            }
            negotiate(v, o, out);
        }
        s
    }

    /// Replies to one received command (into `out`).
    pub fn handle(&mut self, cmd: &Command, out: &mut Vec<u8>) -> Heard {
        match cmd {
            Command::Negotiate(Verb::Do, opt::TIMING_MARK) => {
                negotiate(Verb::Will, opt::TIMING_MARK, out);
                Heard::Nudge
            }
            Command::Negotiate(Verb::Do, o) => {
                let i = *o as usize;
                if !self.will[i] {
                    if matches!(*o, opt::ECHO | opt::SGA) {
                        self.will[i] = true;
                        negotiate(Verb::Will, *o, out);
                    } else {
                        negotiate(Verb::Wont, *o, out);
                    }
                }
                Heard::Nothing
            }
            Command::Negotiate(Verb::Dont, o) => {
                if std::mem::take(&mut self.will[*o as usize]) {
                    negotiate(Verb::Wont, *o, out);
                }
                Heard::Nothing
            }
            Command::Negotiate(Verb::Will, o) => {
                let i = *o as usize;
                if !self.asked[i] {
                    negotiate(Verb::Dont, *o, out);
                } else if *o == opt::TTYPE {
                    sub(opt::TTYPE, &[TTYPE_SEND], out);
                }
                Heard::Nothing
            }
            Command::Negotiate(Verb::Wont, o) => {
                if std::mem::take(&mut self.asked[*o as usize]) {
                    negotiate(Verb::Dont, *o, out);
                }
                Heard::Nothing
            }
            Command::Sub {
                option: opt::NAWS,
                payload,
                truncated: false,
            } if payload.len() == 4 => Heard::Width(u16::from_be_bytes([payload[0], payload[1]])),
            Command::Other(NOP) => Heard::Nudge,
            Command::Other(AYT) => {
                out.extend_from_slice(b"\r\n[Yes]\r\n");
                Heard::Nothing
            }
            _ => Heard::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use netkeep_transport::telnet::codec::{DO, DONT, IAC, WILL, WONT};

    #[test]
    fn a_client_that_refuses_everything_ends_the_negotiation() {
        let mut out = Vec::new();
        let mut s =
            ServerOptions::open(&[(Verb::Will, opt::ECHO), (Verb::Do, opt::NAWS)], &mut out);
        assert_eq!(out, [IAC, WILL, opt::ECHO, IAC, DO, opt::NAWS]);
        // What Python's telnetlib answers by default: DONT to WILL, WONT to DO.
        out.clear();
        s.handle(&Command::Negotiate(Verb::Dont, opt::ECHO), &mut out);
        s.handle(&Command::Negotiate(Verb::Wont, opt::NAWS), &mut out);
        assert_eq!(out, [IAC, WONT, opt::ECHO, IAC, DONT, opt::NAWS]);
        // Its answers to our acknowledgements: nothing more from us.
        out.clear();
        s.handle(&Command::Negotiate(Verb::Dont, opt::ECHO), &mut out);
        s.handle(&Command::Negotiate(Verb::Wont, opt::NAWS), &mut out);
        assert!(out.is_empty());
        let h = s.handle(&Command::Negotiate(Verb::Do, opt::TIMING_MARK), &mut out);
        assert_eq!(
            (h, &out[..]),
            (Heard::Nudge, &[IAC, WILL, opt::TIMING_MARK][..])
        );
    }
}
