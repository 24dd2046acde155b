//! Masks secrets typed into commands and configuration lines (and in kept outputs) before they
//! reach the audit log: everything after a word that introduces a secret (`password`, `secret`,
//! `community`, `key`, `*-key`, `pre-shared-key`, `encrypted-password`...) and the value of a
//! `password=...`-style word is replaced by `<redacted>`.
//!
//! The rule reads words, not vendors: `username admin secret 0 S3cret` (IOS), `local-user
//! admin password simple S3cret` (Comware), `set system ... encrypted-password "$6$..."`
//! (Junos) and `snmp-server community public RO` all keep their first words and lose the rest.
//! A secret in an unusual position (an argument of an ad hoc shell command) is not recognised:
//! keep secrets out of such commands.

/// Words after which the rest of a line is a secret (or its hash).
const SECRET_WORDS: [&str; 14] = [
    "auth",
    "authentication-mode",
    "community",
    "key",
    "md5",
    "passphrase",
    "passwd",
    "password",
    "priv",
    "privacy-mode",
    "psk",
    "secret",
    "token",
    "wpa-psk",
];

/// The marker that replaces a secret.
pub const REDACTED: &str = "<redacted>";

fn is_secret_word(word: &str) -> bool {
    let w = word
        .trim_matches(|c| c == '"' || c == '\'')
        .trim_start_matches('-')
        .to_ascii_lowercase();
    SECRET_WORDS.contains(&w.as_str())
        || w.ends_with("-key")
        || w.starts_with("key-")
        || w.ends_with("-password")
        || w.ends_with("-secret")
}

/// True when the name of a `name=value` word says its value is a secret.
fn is_secret_name(name: &str) -> bool {
    let n = name.trim_start_matches('-').to_ascii_lowercase();
    is_secret_word(&n)
        || ["pass", "secret", "token", "key"]
            .iter()
            .any(|s| n.contains(s))
}

/// One line with its secrets masked.
///
/// ```
/// use netkeep_keeper::audit::redact::line;
/// assert_eq!(line("username admin privilege 15 secret 0 Hunter2"), "username admin privilege 15 secret <redacted>");
/// assert_eq!(line("local-user admin password simple Hunter2"), "local-user admin password <redacted>");
/// assert_eq!(line("export DB_PASSWORD=Hunter2"), "export DB_PASSWORD=<redacted>");
/// assert_eq!(line("display clock"), "display clock");
/// ```
pub fn line(text: &str) -> String {
    let mut pos = 0;
    for word in text.split_inclusive(char::is_whitespace) {
        let bare = word.trim_end();
        let start = pos;
        pos += word.len();
        if bare.is_empty() {
            continue;
        }
        if let Some((name, _)) = bare.split_once('=') {
            if is_secret_name(name) {
                let eq = start + name.len() + 1;
                return format!("{}{REDACTED}", &text[..eq]);
            }
        }
        if is_secret_word(bare) {
            if text[pos..].trim().is_empty() {
                return text.to_string();
            }
            return format!("{} {REDACTED}", &text[..start + bare.len()]);
        }
    }
    text.to_string()
}

/// Every line of a multi-line text (an output) masked.
pub fn text(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for (i, l) in t.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&line(l));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_after_their_keywords_are_masked() {
        for (given, want) in [
            ("enable secret 5 $1$abc$def", "enable secret <redacted>"),
            (
                "snmp-server community public RO",
                "snmp-server community <redacted>",
            ),
            (
                "snmp-agent community read Pub1ic",
                "snmp-agent community <redacted>",
            ),
            (
                "tacacs-server key 7 0822455D0A16",
                "tacacs-server key <redacted>",
            ),
            (
                "ntp authentication-key 1 md5 Sekr1t",
                "ntp authentication-key <redacted>",
            ),
            (
                "set system login user x authentication encrypted-password \"$6$x\"",
                "set system login user x authentication encrypted-password <redacted>",
            ),
            (
                "crypto isakmp key Sekr1t address 0.0.0.0",
                "crypto isakmp key <redacted>",
            ),
            ("pre-shared-key cipher Sekr1t", "pre-shared-key <redacted>"),
            (
                "mysql --password=Sekr1t -e x",
                "mysql --password=<redacted>",
            ),
            (
                "interface GigabitEthernet1/0/1",
                "interface GigabitEthernet1/0/1",
            ),
            ("description uplink to core", "description uplink to core"),
            ("undo password", "undo password"),
        ] {
            assert_eq!(line(given), want, "{given}");
        }
        assert_eq!(
            text("a\n password cipher X\nb"),
            "a\n password <redacted>\nb"
        );
    }
}
