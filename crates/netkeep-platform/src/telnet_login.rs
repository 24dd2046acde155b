//! The login dialogue over telnet, as data: SSH authenticates before the terminal opens, telnet
//! asks in the terminal, so the session needs to know the prompts to answer and the words of a
//! refusal. Every platform has the section (defaults fit most devices); a platform file
//! overrides what differs. Also Netmiko's `<platform>_telnet` names.

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::spec::Answer;

/// `telnet_login:` in a platform file, as written. Every key is optional.
///
/// ```
/// let p = netkeep_platform::builtin("cisco_ios").unwrap();
/// let t = p.telnet_login();
/// assert!(t.username.is_match("Username: "));
/// assert!(t.password.is_match("Password: "));
/// assert!(t.failure_in("\r\n% Login invalid\r\n").is_some());
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelnetLoginSpec {
    /// Regex of the user name prompt, matched against the last line received.
    pub username: String,
    /// Regex of the password prompt, matched against the last line received.
    pub password: String,
    /// Regexes of a refused login (searched in what arrived since the password was sent).
    pub failure: Vec<String>,
    /// Banners to answer before the login prompt ("Press RETURN to get started"), besides the
    /// platform's `on_open`.
    pub answers: Vec<Answer>,
}

impl Default for TelnetLoginSpec {
    fn default() -> Self {
        TelnetLoginSpec {
            username: r"(?i)(user ?name|login|user)\s*:\s*$".into(),
            password: r"(?i)pass(word|code)\s*:\s*$".into(),
            failure: vec![
                r"(?i)login (invalid|incorrect|failed)".into(),
                r"(?i)authentication (is )?(failed|rejected|failure)".into(),
                r"(?i)access denied".into(),
                r"(?i)(bad|wrong|invalid) (user ?name|password)".into(),
                r"(?i)username or password (is )?(error|wrong|invalid|incorrect)".into(),
            ],
            answers: vec![Answer {
                expect: r"(?i)press (any key|return|enter) to (continue|get started|begin)".into(),
                answer: String::new(),
            }],
        }
    }
}

/// A platform's telnet login patterns, compiled ([`crate::Platform::telnet_login`]).
#[derive(Debug, Clone)]
pub struct TelnetLogin {
    /// The user name prompt.
    pub username: Regex,
    /// The password prompt.
    pub password: Regex,
    /// A refused login.
    pub failures: Vec<Regex>,
    /// Banners answered before the login prompt.
    pub answers: Vec<(Regex, String)>,
}

impl TelnetLogin {
    /// The first line of `text` where a failure pattern matches.
    pub fn failure_in<'a>(&self, text: &'a str) -> Option<&'a str> {
        self.failures.iter().find_map(|re| {
            let m = re.find(text)?;
            let start = text[..m.start()].rfind('\n').map_or(0, |i| i + 1);
            let end = text[m.end()..]
                .find('\n')
                .map_or(text.len(), |i| m.end() + i);
            Some(text[start..end].trim())
        })
    }
}

/// Netmiko's telnet device types are `<platform>_telnet` (`hp_comware_telnet`,
/// `cisco_ios_telnet`, `huawei_telnet`, ...): one rule for every platform and alias. The
/// platform part of such a name, or `None` for any other name.
///
/// ```
/// assert_eq!(netkeep_platform::telnet_platform("cisco_xe_telnet"), Some("cisco_xe"));
/// assert_eq!(netkeep_platform::telnet_platform("cisco_ios"), None);
/// assert_eq!(netkeep_platform::telnet_platform("_telnet"), None);
/// ```
pub fn telnet_platform(name: &str) -> Option<&str> {
    name.strip_suffix("_telnet").filter(|b| !b.is_empty())
}

#[cfg(test)]
mod tests {
    use crate::{builtin, builtin_names, Platform};

    #[test]
    fn every_platform_knows_the_usual_login_prompts_and_refusals() {
        for name in builtin_names() {
            let p = builtin(&name).unwrap();
            let t = p.telnet_login();
            for u in [
                "Username: ",
                "login: ",
                "switch login: ",
                "User name:",
                "Login:",
            ] {
                assert!(t.username.is_match(u), "{name}: {u:?}");
            }
            for pw in ["Password: ", "Password:", "password:"] {
                assert!(t.password.is_match(pw), "{name}: {pw:?}");
                assert!(
                    !t.username.is_match(pw),
                    "{name}: {pw:?} is no user name prompt"
                );
            }
            for not in [
                "<H3C>",
                "R1#",
                "Last login: Tue Nov 26 10:00:00 2026",
                "admin",
            ] {
                assert!(
                    !t.username.is_match(not) && !t.password.is_match(not),
                    "{name}: {not:?}"
                );
            }
            for bad in [
                "% Login invalid",
                "Login incorrect",
                "% Authentication failed",
            ] {
                assert_eq!(
                    t.failure_in(&format!("\r\n{bad}\r\n\r\nUsername: ")),
                    Some(bad)
                );
            }
            assert_eq!(t.failure_in("Welcome\r\n<H3C>"), None);
        }
    }

    #[test]
    fn a_file_overrides_one_key_and_keeps_the_other_defaults() {
        let yaml = "name: odd\nmodes: [{name: m, prompt: '>$'}]\nkeepalive: {mode: nul}\ntelnet_login:\n  username: 'Who are you\\?\\s*$'\n";
        let p = Platform::from_yaml("odd.yaml", yaml).unwrap();
        assert!(p.telnet_login().username.is_match("Who are you? "));
        assert!(!p.telnet_login().username.is_match("Username: "));
        assert!(p.telnet_login().password.is_match("Password: "));
        let bad = yaml.replace("Who are you", "(unclosed");
        let e = Platform::from_yaml("odd.yaml", &bad)
            .unwrap_err()
            .to_string();
        assert!(e.contains("telnet_login.username"), "{e}");
    }
}
