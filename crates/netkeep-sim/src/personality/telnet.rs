//! The `telnet:` section of a personality: what the device says and asks when reached over
//! telnet — the options it negotiates first, its login dialogue (banner, user name and password
//! prompts, refusal, tries). SSH authenticates before the CLI starts; telnet asks in the
//! terminal, and each vendor words it its own way. Every key is optional.

use netkeep_transport::telnet::codec::{opt, Verb};
use serde::Deserialize;

use crate::template::Template;

/// `telnet:` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawTelnet {
    /// What the device sends first: `will echo`, `do naws`, ... (verb and option name or number).
    pub negotiate: Vec<String>,
    /// Text before the first user name prompt (template).
    pub banner: String,
    /// The user name prompt (template: `{{hostname}} login: `).
    pub username: String,
    /// The password prompt.
    pub password: String,
    /// Printed after a refused login, before the user name prompt again.
    pub failed: String,
    /// Logins tried before the device hangs up.
    pub tries: u32,
}

impl Default for RawTelnet {
    fn default() -> Self {
        RawTelnet {
            negotiate: ["will echo", "will sga", "do naws", "do ttype"]
                .map(String::from)
                .to_vec(),
            banner: "\n".into(),
            username: "Username: ".into(),
            password: "Password: ".into(),
            failed: "\n% Login invalid\n\n".into(),
            tries: 3,
        }
    }
}

/// The compiled `telnet:` section.
#[derive(Debug)]
pub struct TelnetPersonality {
    /// Sent first: `IAC <verb> <option>` each.
    pub negotiate: Vec<(Verb, u8)>,
    /// Before the first user name prompt.
    pub banner: Template,
    /// The user name prompt.
    pub username: Template,
    /// The password prompt.
    pub password: Template,
    /// After a refused login.
    pub failed: Template,
    /// Logins tried before hanging up (at least 1).
    pub tries: u32,
}

/// Compiles the section; `t` parses a template, naming the file in its error.
pub(super) fn compile_telnet(
    raw: &RawTelnet,
    t: &dyn Fn(&str) -> Result<Template, String>,
) -> Result<TelnetPersonality, String> {
    Ok(TelnetPersonality {
        negotiate: raw
            .negotiate
            .iter()
            .map(|n| negotiation(n))
            .collect::<Result<_, _>>()?,
        banner: t(&raw.banner)?,
        username: t(&raw.username)?,
        password: t(&raw.password)?,
        failed: t(&raw.failed)?,
        tries: raw.tries.max(1),
    })
}

/// `will echo` → (WILL, ECHO).
fn negotiation(s: &str) -> Result<(Verb, u8), String> {
    let bad = || {
        format!("telnet.negotiate {s:?}: expected `will|wont|do|dont OPTION` with OPTION one of binary, echo, sga, timing-mark, ttype, naws, linemode, new-environ or a number")
    };
    let mut words = s.split_whitespace();
    let (Some(v), Some(o), None) = (words.next(), words.next(), words.next()) else {
        return Err(bad());
    };
    let verb = match v.to_ascii_lowercase().as_str() {
        "will" => Verb::Will,
        "wont" => Verb::Wont,
        "do" => Verb::Do,
        "dont" => Verb::Dont,
        _ => return Err(bad()),
    };
    let option = match o.to_ascii_lowercase().as_str() {
        "binary" => opt::BINARY,
        "echo" => opt::ECHO,
        "sga" => opt::SGA,
        "timing-mark" => opt::TIMING_MARK,
        "ttype" => opt::TTYPE,
        "naws" => opt::NAWS,
        "linemode" => opt::LINEMODE,
        "new-environ" => opt::NEW_ENVIRON,
        n => n.parse::<u8>().map_err(|_| bad())?,
    };
    Ok((verb, option))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiations_read_as_verb_and_option() {
        assert_eq!(negotiation("will echo"), Ok((Verb::Will, opt::ECHO)));
        assert_eq!(negotiation("DO naws"), Ok((Verb::Do, opt::NAWS)));
        assert_eq!(negotiation("dont 200"), Ok((Verb::Dont, 200)));
        for bad in ["will", "maybe echo", "do colour", "do naws now"] {
            assert!(negotiation(bad).is_err(), "{bad}");
        }
    }
}
