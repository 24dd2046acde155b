//! The client's option policy: accept what devices insist on (the server echoing, suppressed
//! go-ahead, our window size — wide, so lines do not wrap — and terminal type when asked),
//! refuse everything else, answer each request once (RFC 854's rule against negotiation
//! loops), and notice the answers to our `DO TIMING-MARK` probes.

use super::codec::{negotiate, opt, sub, Command, Verb};

/// Refusals sent per option at most: a server that keeps asking after a refusal is looping.
const REFUSALS_PER_OPTION: u8 = 4;

/// TTYPE sub-negotiation: `SEND` from the server, `IS` from us (RFC 1091).
const TTYPE_SEND: u8 = 1;
const TTYPE_IS: u8 = 0;

/// What a received command meant beyond its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reaction {
    /// Nothing more.
    None,
    /// The server answered a `DO TIMING-MARK` (with `WILL` or `WONT`).
    TimingMark,
}

/// The negotiation state of one connection.
#[derive(Debug)]
pub(crate) struct Negotiator {
    /// Options the server does (it said WILL, we said DO).
    remote: [bool; 256],
    /// Options we do (it said DO, we said WILL).
    local: [bool; 256],
    refusals: [u8; 256],
    term: String,
    cols: u16,
    rows: u16,
}

impl Negotiator {
    pub fn new(term: &str, cols: u16, rows: u16) -> Negotiator {
        Negotiator {
            remote: [false; 256],
            local: [false; 256],
            refusals: [0; 256],
            term: term.to_ascii_uppercase(),
            cols,
            rows,
        }
    }

    /// What the client says first: `DO TIMING-MARK`, whose answer (if the server gives one)
    /// tells that its probes will be answered.
    pub fn opening(&self, out: &mut Vec<u8>) {
        negotiate(Verb::Do, opt::TIMING_MARK, out);
    }

    /// Handles one received command, appending the reply (if any) to `out`.
    pub fn handle(&mut self, cmd: &Command, out: &mut Vec<u8>) -> Reaction {
        match cmd {
            Command::Negotiate(Verb::Will | Verb::Wont, opt::TIMING_MARK) => Reaction::TimingMark,
            Command::Negotiate(Verb::Will, o) => {
                self.server_offers(*o, out);
                Reaction::None
            }
            Command::Negotiate(Verb::Wont, o) => {
                if std::mem::take(&mut self.remote[*o as usize]) {
                    negotiate(Verb::Dont, *o, out);
                }
                Reaction::None
            }
            Command::Negotiate(Verb::Do, o) => {
                self.server_asks(*o, out);
                Reaction::None
            }
            Command::Negotiate(Verb::Dont, o) => {
                if std::mem::take(&mut self.local[*o as usize]) {
                    negotiate(Verb::Wont, *o, out);
                }
                Reaction::None
            }
            Command::Sub {
                option: opt::TTYPE,
                payload,
                truncated: false,
            } if payload.first() == Some(&TTYPE_SEND) && self.local[opt::TTYPE as usize] => {
                let mut p = vec![TTYPE_IS];
                p.extend_from_slice(self.term.as_bytes());
                sub(opt::TTYPE, &p, out);
                Reaction::None
            }
            // Other sub-negotiations, NOP, GA, DM, AYT...: nothing to say.
            _ => Reaction::None,
        }
    }

    /// `WILL o`: we want the server to echo and to suppress go-ahead; nothing else.
    fn server_offers(&mut self, o: u8, out: &mut Vec<u8>) {
        let i = o as usize;
        if matches!(o, opt::ECHO | opt::SGA) {
            if !self.remote[i] {
                self.remote[i] = true;
                negotiate(Verb::Do, o, out);
            }
        } else if !self.remote[i] && self.refuse(o) {
            negotiate(Verb::Dont, o, out);
        }
    }

    /// `DO o`: we tell our window size and terminal type, suppress go-ahead, and answer timing
    /// marks; we do not echo, and refuse the rest.
    fn server_asks(&mut self, o: u8, out: &mut Vec<u8>) {
        let i = o as usize;
        match o {
            // A mark is a one-off: always answered, never an enabled option.
            opt::TIMING_MARK => negotiate(Verb::Will, o, out),
            opt::NAWS | opt::TTYPE | opt::SGA => {
                if !self.local[i] {
                    self.local[i] = true;
                    negotiate(Verb::Will, o, out);
                    if o == opt::NAWS {
                        self.window_size(out);
                    }
                }
            }
            _ => {
                if !self.local[i] && self.refuse(o) {
                    negotiate(Verb::Wont, o, out);
                }
            }
        }
    }

    /// `SB NAWS cols rows`, each value one less where a byte of it would be 0xFF: RFC 1073
    /// says to double such a byte, but servers (BusyBox telnetd among them) read the four bytes
    /// raw and take the rest for typed input. So 511 columns go as 510.
    fn window_size(&self, out: &mut Vec<u8>) {
        let no_iac = |v: u16| match v.to_be_bytes() {
            [_, 0xFF] => v - 1,
            [0xFF, _] => 0xFEFE,
            _ => v,
        };
        let [c1, c0] = no_iac(self.cols).to_be_bytes();
        let [r1, r0] = no_iac(self.rows).to_be_bytes();
        sub(opt::NAWS, &[c1, c0, r1, r0], out);
    }

    /// True while the option's refusal budget lasts.
    fn refuse(&mut self, o: u8) -> bool {
        let n = &mut self.refusals[o as usize];
        if *n >= REFUSALS_PER_OPTION {
            return false;
        }
        *n += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::codec::{Parser, DO, DONT, IAC, SB, SE, WILL, WONT};
    use super::*;

    fn replies(n: &mut Negotiator, input: &[u8]) -> (Vec<u8>, Vec<Reaction>) {
        let (mut data, mut cmds, mut out) = (Vec::new(), Vec::new(), Vec::new());
        Parser::new().feed(input, &mut data, &mut cmds);
        let r = cmds.iter().map(|c| n.handle(c, &mut out)).collect();
        (out, r)
    }

    #[test]
    fn accepts_echo_sga_naws_ttype_once_and_refuses_the_rest() {
        let mut n = Negotiator::new("vt100", 511, 24);
        let (out, _) = replies(
            &mut n,
            &[
                IAC, WILL, 1, IAC, WILL, 3, IAC, DO, 31, IAC, DO, 24, IAC, WILL, 0, IAC, DO, 1,
            ],
        );
        let want = [
            &[IAC, DO, 1][..],
            &[IAC, DO, 3],
            &[IAC, WILL, 31],
            // 511 = 0x01FF would need its 0xFF doubled, which servers get wrong: 510.
            &[IAC, SB, 31, 1, 254, 0, 24, IAC, SE],
            &[IAC, WILL, 24],
            &[IAC, DONT, 0],
            &[IAC, WONT, 1],
        ]
        .concat();
        assert_eq!(out, want);
        // Asked again: no answer (no negotiation loop).
        let (out, _) = replies(&mut n, &[IAC, WILL, 1, IAC, DO, 31]);
        assert!(out.is_empty(), "{out:?}");
        let (out, _) = replies(&mut n, &[IAC, SB, 24, 1, IAC, SE]);
        assert_eq!(out, [&[IAC, SB, 24, 0][..], b"VT100", &[IAC, SE]].concat());
    }

    #[test]
    fn a_server_that_asks_for_everything_gets_bounded_answers() {
        let mut n = Negotiator::new("vt100", 511, 24);
        let mut storm = Vec::new();
        for _ in 0..100 {
            for o in 0..=255u8 {
                storm.extend_from_slice(&[IAC, WILL, o, IAC, DO, o]);
            }
        }
        let (out, r) = replies(&mut n, &storm);
        assert!(out.len() < 256 * 2 * 3 * (REFUSALS_PER_OPTION as usize) + 200 * 100 * 3);
        assert!(r.contains(&Reaction::TimingMark));
        // The mark is answered each time; everything else at most a few times.
        let refusals = out
            .windows(3)
            .filter(|w| w == &[IAC, DONT, 0] || w == &[IAC, WONT, 0])
            .count();
        assert_eq!(refusals, REFUSALS_PER_OPTION as usize);
    }

    #[test]
    fn timing_mark_answers_are_noticed_and_not_replied_to() {
        let mut n = Negotiator::new("vt100", 80, 24);
        let (out, r) = replies(&mut n, &[IAC, WILL, 6, IAC, WONT, 6]);
        assert!(out.is_empty());
        assert_eq!(r, [Reaction::TimingMark, Reaction::TimingMark]);
    }
}
