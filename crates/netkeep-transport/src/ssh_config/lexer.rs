//! One line of an ssh_config file: its keyword and arguments, split as OpenSSH splits them
//! (`Keyword value`, `Keyword=value`, double or single quotes around values with spaces,
//! backslash escapes inside quotes, `#` starting a comment at the start of a word).

/// A line split into its keyword and arguments; `rest` is the raw text after the keyword
/// (ProxyCommand takes it whole, quotes and all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line {
    pub(super) keyword: String,
    pub(super) args: Vec<String>,
    pub(super) rest: String,
}

/// Splits one line; `Ok(None)` for blank and comment lines, `Err` names what is wrong.
pub(super) fn split(text: &str) -> Result<Option<Line>, String> {
    let t = text.trim_start();
    if t.is_empty() || t.starts_with('#') {
        return Ok(None);
    }
    let end = t
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(t.len());
    let keyword = t[..end].to_string();
    // One `=` may separate the keyword from its value, with blanks around it.
    let mut rest = t[end..].trim_start();
    if let Some(r) = rest.strip_prefix('=') {
        rest = r.trim_start();
    }
    let rest = rest.trim_end().to_string();
    let args = words(&rest)?;
    Ok(Some(Line {
        keyword,
        args,
        rest,
    }))
}

/// The words of a value: blank-separated, quotes group, `#` at the start of a word ends the line.
fn words(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.peek() {
            None | Some('#') => return Ok(out),
            Some(_) => {}
        }
        let mut word = String::new();
        let mut quote: Option<char> = None;
        while let Some(&c) = chars.peek() {
            match (quote, c) {
                (None, c) if c.is_whitespace() => break,
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (Some(q), '\\') => {
                    chars.next();
                    match chars.peek() {
                        // Only the quote, a backslash or the other quote lose their backslash.
                        Some(&n) if n == q || n == '\\' || n == '"' || n == '\'' => word.push(n),
                        Some(&n) => {
                            word.push('\\');
                            word.push(n)
                        }
                        None => word.push('\\'),
                    }
                    if chars.peek().is_none() {
                        break;
                    }
                }
                (_, c) => word.push(c),
            }
            chars.next();
        }
        if let Some(q) = quote {
            return Err(format!("unterminated quote ({q}): expected a closing {q}"));
        }
        out.push(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        split(s).unwrap().unwrap().args
    }

    #[test]
    fn keyword_value_forms() {
        let l = split("  HostName 10.0.0.1").unwrap().unwrap();
        assert_eq!(l.keyword, "HostName");
        assert_eq!(l.args, ["10.0.0.1"]);
        assert_eq!(args("Port=2222"), ["2222"]);
        assert_eq!(args("Port = 2222"), ["2222"]);
        assert_eq!(args("Host a b\t!c"), ["a", "b", "!c"]);
        assert_eq!(split("# comment").unwrap(), None);
        assert_eq!(split("   ").unwrap(), None);
    }

    #[test]
    fn quotes_escapes_and_comments() {
        assert_eq!(
            args(r#"IdentityFile "~/my keys/id_ed25519""#),
            ["~/my keys/id_ed25519"]
        );
        assert_eq!(args(r#"User "a\"b""#), [r#"a"b"#]);
        assert_eq!(args("User 'it''s'"), ["its"]);
        assert_eq!(args("Port 22 # the usual"), ["22"]);
        assert_eq!(args("User a#b"), ["a#b"]);
        assert!(split(r#"User "open"#).unwrap_err().contains("unterminated"));
        let l = split(r#"ProxyCommand ssh -W "%h:%p" bastion"#)
            .unwrap()
            .unwrap();
        assert_eq!(l.rest, r#"ssh -W "%h:%p" bastion"#);
    }
}
