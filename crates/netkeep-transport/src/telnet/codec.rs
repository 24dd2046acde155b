//! The telnet byte layer (RFC 854, 855), with no I/O and no policy: received bytes in, terminal
//! data and [`Command`]s out ([`Parser`]); terminal data in, wire bytes out ([`encode_nvt`],
//! [`escape_iac`]). Used by the client transport and by the simulator's telnet front end.
//!
//! Never trusts the peer: a sub-negotiation keeps at most [`SUB_MAX`] bytes (the rest is
//! dropped and the command marked truncated), any state survives input split at any byte, and a
//! sub-negotiation whose `IAC SE` is missing ends at the next `IAC` command.
//!
//! ```
//! use netkeep_transport::telnet::codec::{Command, Parser, Verb, IAC, WILL, opt};
//! let mut p = Parser::new();
//! let (mut data, mut cmds) = (Vec::new(), Vec::new());
//! p.feed(&[IAC, WILL, opt::ECHO, b'o', b'k', IAC, IAC, b'\r', 0], &mut data, &mut cmds);
//! assert_eq!(data, b"ok\xff\r"); // IAC IAC is a data 0xFF; CR NUL is a CR
//! assert_eq!(cmds, [Command::Negotiate(Verb::Will, opt::ECHO)]);
//! ```

/// Interpret As Command: starts every command; doubled, a data byte 0xFF.
pub const IAC: u8 = 255;
/// Refuses (or asks to stop) an option on the peer's side.
pub const DONT: u8 = 254;
/// Asks the peer to use an option.
pub const DO: u8 = 253;
/// Refuses (or stops) an option on the sender's side.
pub const WONT: u8 = 252;
/// Offers (or agrees to use) an option on the sender's side.
pub const WILL: u8 = 251;
/// Starts a sub-negotiation.
pub const SB: u8 = 250;
/// Go ahead (half-duplex turn).
pub const GA: u8 = 249;
/// Are you there.
pub const AYT: u8 = 246;
/// No operation.
pub const NOP: u8 = 241;
/// Ends a sub-negotiation.
pub const SE: u8 = 240;

/// Option codes netkeep's negotiation knows by name.
pub mod opt {
    /// Binary transmission (RFC 856).
    pub const BINARY: u8 = 0;
    /// Echo (RFC 857): the side that WILLs it echoes.
    pub const ECHO: u8 = 1;
    /// Suppress go-ahead (RFC 858).
    pub const SGA: u8 = 3;
    /// Timing mark (RFC 860): `DO TIMING-MARK` is answered `WILL` or `WONT` once all input before
    /// it has been processed — a round trip that types nothing into the shell.
    pub const TIMING_MARK: u8 = 6;
    /// Terminal type (RFC 1091).
    pub const TTYPE: u8 = 24;
    /// Negotiate about window size (RFC 1073).
    pub const NAWS: u8 = 31;
    /// Line mode (RFC 1184).
    pub const LINEMODE: u8 = 34;
    /// New environment (RFC 1572).
    pub const NEW_ENVIRON: u8 = 39;
}

/// Sub-negotiation payload kept per command; longer ones are truncated (never a reason to grow).
pub const SUB_MAX: usize = 256;

/// The four negotiation verbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `WILL`.
    Will,
    /// `WONT`.
    Wont,
    /// `DO`.
    Do,
    /// `DONT`.
    Dont,
}

impl Verb {
    fn from_byte(b: u8) -> Option<Verb> {
        Some(match b {
            WILL => Verb::Will,
            WONT => Verb::Wont,
            DO => Verb::Do,
            DONT => Verb::Dont,
            _ => return None,
        })
    }

    /// The command byte.
    pub fn byte(self) -> u8 {
        match self {
            Verb::Will => WILL,
            Verb::Wont => WONT,
            Verb::Do => DO,
            Verb::Dont => DONT,
        }
    }
}

/// A telnet command received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `IAC <verb> <option>`.
    Negotiate(Verb, u8),
    /// `IAC SB <option> … IAC SE`: the payload unescaped, at most [`SUB_MAX`] bytes; `truncated`
    /// if the peer sent more (or the `IAC SE` never came before another command).
    Sub {
        /// The option.
        option: u8,
        /// Its payload (first [`SUB_MAX`] bytes).
        payload: Vec<u8>,
        /// More was sent than kept, or the sub-negotiation was cut short.
        truncated: bool,
    },
    /// Any other two-byte command: NOP, GA, AYT, a stray SE, ...
    Other(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Data,
    Iac,
    Verb(Verb),
    SubOption,
    Sub,
    SubIac,
}

/// The receiving state machine. Feed it what the socket gives, in any chunks.
#[derive(Debug)]
pub struct Parser {
    state: State,
    /// The last data byte was a CR: a NUL right after it is padding (CR NUL = CR).
    after_cr: bool,
    sub_option: u8,
    sub: Vec<u8>,
    sub_truncated: bool,
}

impl Default for Parser {
    fn default() -> Self {
        Parser::new()
    }
}

impl Parser {
    /// A parser at the start of a connection.
    pub fn new() -> Parser {
        Parser {
            state: State::Data,
            after_cr: false,
            sub_option: 0,
            sub: Vec::new(),
            sub_truncated: false,
        }
    }

    /// Feeds received bytes: terminal data is appended to `data` (IAC IAC → 0xFF, CR NUL → CR,
    /// CR LF kept), commands to `commands`.
    pub fn feed(&mut self, input: &[u8], data: &mut Vec<u8>, commands: &mut Vec<Command>) {
        let mut i = 0;
        while i < input.len() {
            if self.state == State::Data {
                i = self.data_run(input, i, data);
                continue;
            }
            self.command_byte(input[i], data, commands);
            i += 1;
        }
    }

    /// Copies plain data from `input[i..]` up to the next byte that needs a look (IAC, or a
    /// NUL after CR); handles that byte; returns where to go on.
    fn data_run(&mut self, input: &[u8], i: usize, data: &mut Vec<u8>) -> usize {
        let rest = &input[i..];
        if self.after_cr {
            self.after_cr = false;
            if rest[0] == 0 {
                return i + 1;
            }
        }
        let end = memchr::memchr2(IAC, 0, rest).unwrap_or(rest.len());
        data.extend_from_slice(&rest[..end]);
        if end == rest.len() {
            self.after_cr = rest.last() == Some(&b'\r');
            return input.len();
        }
        match rest[end] {
            IAC => {
                self.after_cr = false;
                self.state = State::Iac;
            }
            // A NUL: padding after CR, data otherwise (a keepalive).
            _ => {
                let pad = end > 0 && rest[end - 1] == b'\r';
                if !pad {
                    data.push(0);
                }
            }
        }
        i + end + 1
    }

    fn command_byte(&mut self, b: u8, data: &mut Vec<u8>, commands: &mut Vec<Command>) {
        self.state = match (self.state, b) {
            (State::Iac, IAC) => {
                data.push(IAC);
                State::Data
            }
            (State::Iac, SB) => State::SubOption,
            (State::Iac, v) => match Verb::from_byte(v) {
                Some(v) => State::Verb(v),
                None => {
                    commands.push(Command::Other(v));
                    State::Data
                }
            },
            (State::Verb(v), o) => {
                commands.push(Command::Negotiate(v, o));
                State::Data
            }
            (State::SubOption, o) => {
                self.sub_option = o;
                self.sub.clear();
                self.sub_truncated = false;
                State::Sub
            }
            (State::Sub, IAC) => State::SubIac,
            (State::Sub, x) => {
                self.sub_byte(x);
                State::Sub
            }
            (State::SubIac, IAC) => {
                self.sub_byte(IAC);
                State::Sub
            }
            (State::SubIac, SE) => {
                commands.push(self.take_sub(false));
                State::Data
            }
            // IAC and something else inside a sub-negotiation: its IAC SE is missing. End it
            // (truncated) and read the byte as the command it is.
            (State::SubIac, x) => {
                commands.push(self.take_sub(true));
                self.state = State::Iac;
                return self.command_byte(x, data, commands);
            }
            (State::Data, _) => State::Data,
        };
    }

    fn sub_byte(&mut self, b: u8) {
        if self.sub.len() < SUB_MAX {
            self.sub.push(b);
        } else {
            self.sub_truncated = true;
        }
    }

    fn take_sub(&mut self, cut: bool) -> Command {
        let payload = std::mem::take(&mut self.sub);
        Command::Sub {
            option: self.sub_option,
            payload,
            truncated: self.sub_truncated || cut,
        }
    }
}

/// Terminal data as a client sends it (the network virtual terminal's rules): 0xFF doubled, a
/// line end (`\n`, or `\r\n`) sent as CR LF, a bare CR as CR NUL. Other bytes, NUL included,
/// go as they are.
///
/// ```
/// let mut out = Vec::new();
/// netkeep_transport::telnet::codec::encode_nvt(b"a\xffb\nc\r", &mut out);
/// assert_eq!(out, b"a\xff\xffb\r\nc\r\0");
/// ```
pub fn encode_nvt(data: &[u8], out: &mut Vec<u8>) {
    out.reserve(data.len() + 2);
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            IAC => out.extend_from_slice(&[IAC, IAC]),
            b'\r' if data.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 1;
            }
            b'\r' => out.extend_from_slice(b"\r\0"),
            b'\n' => out.extend_from_slice(b"\r\n"),
            b => out.push(b),
        }
        i += 1;
    }
}

/// Terminal data as a server sends it: only 0xFF doubled (the CLI already writes CR LF).
///
/// ```
/// let mut out = Vec::new();
/// netkeep_transport::telnet::codec::escape_iac(b"\xff\r\n", &mut out);
/// assert_eq!(out, b"\xff\xff\r\n");
/// ```
pub fn escape_iac(data: &[u8], out: &mut Vec<u8>) {
    let mut rest = data;
    while let Some(i) = memchr::memchr(IAC, rest) {
        out.extend_from_slice(&rest[..=i]);
        out.push(IAC);
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
}

/// `IAC <verb> <option>`.
pub fn negotiate(verb: Verb, option: u8, out: &mut Vec<u8>) {
    out.extend_from_slice(&[IAC, verb.byte(), option]);
}

/// `IAC SB <option> <payload, 0xFF doubled> IAC SE`.
pub fn sub(option: u8, payload: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&[IAC, SB, option]);
    escape_iac(payload, out);
    out.extend_from_slice(&[IAC, SE]);
}

#[cfg(test)]
mod tests;
