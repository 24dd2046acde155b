//! Command patterns: `display version`, `sh[ow] ver[sion]`, `interface <if:interface>`,
//! `vlan <id:num>`, `idle-timeout <min:num> <sec:num?>`, `description <text...>`,
//! `comment=<text>` (RouterOS-style `name=value` words).

/// One token of a command pattern.
#[derive(Debug, Clone)]
pub enum Tok {
    /// A keyword; input matches when it is a case-insensitive prefix of at least `min` chars.
    Key {
        /// The whole keyword, lower case.
        word: String,
        /// Shortest accepted abbreviation.
        min: usize,
    },
    /// One word bound to a variable.
    Arg {
        /// Variable name.
        name: String,
        /// May be left out.
        optional: bool,
        /// What the word must look like.
        kind: ArgKind,
    },
    /// The rest of the line (at least one word), bound to a variable.
    Rest {
        /// Variable name.
        name: String,
    },
    /// A `key=value` word (`comment=<text>`): the key exactly, the value bound (unquoted).
    Named {
        /// The key with its `=`, lower case.
        key: String,
        /// Variable name.
        name: String,
    },
}

/// Validation of an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// Any word.
    Word,
    /// Digits.
    Num,
    /// An interface name of a known type (abbreviations are expanded).
    Interface,
}

/// Parses a pattern. A keyword written `sh[ow]` may be shortened to `sh`; otherwise to its
/// first letter.
pub(super) fn parse_pattern(p: &str) -> Result<Vec<Tok>, String> {
    p.split_whitespace().map(|w| token(p, w)).collect()
}

fn token(p: &str, w: &str) -> Result<Tok, String> {
    if let Some(inner) = w.strip_prefix('<').and_then(|x| x.strip_suffix('>')) {
        return argument(p, inner);
    }
    if let Some((key, arg)) = w.split_once("=<") {
        let name = arg
            .strip_suffix('>')
            .ok_or(format!("pattern {p:?}: bad =< in {w:?}"))?;
        return Ok(Tok::Named {
            key: format!("{}=", key.to_ascii_lowercase()),
            name: name.to_string(),
        });
    }
    if let Some((head, rest)) = w.split_once('[') {
        let tail = rest
            .strip_suffix(']')
            .ok_or(format!("pattern {p:?}: bad [ in {w:?}"))?;
        return Ok(Tok::Key {
            word: format!("{head}{tail}"),
            min: head.len().max(1),
        });
    }
    Ok(Tok::Key {
        word: w.to_string(),
        min: 1,
    })
}

/// `<name>`, `<name?>`, `<name:num>`, `<name:interface>`, `<name...>`.
fn argument(p: &str, inner: &str) -> Result<Tok, String> {
    if let Some(n) = inner.strip_suffix("...") {
        return Ok(Tok::Rest {
            name: n.to_string(),
        });
    }
    let (inner, optional) = match inner.strip_suffix('?') {
        Some(x) => (x, true),
        None => (inner, false),
    };
    let (n, kind) = match inner.split_once(':') {
        None => (inner, ArgKind::Word),
        Some((n, "num")) => (n, ArgKind::Num),
        Some((n, "interface")) => (n, ArgKind::Interface),
        Some((_, k)) => return Err(format!("pattern {p:?}: unknown argument kind {k:?}")),
    };
    Ok(Tok::Arg {
        name: n.to_string(),
        optional,
        kind,
    })
}

/// Matches a stored configuration line against a pattern: keywords exactly, one word per
/// argument, the rest of the line for `<name...>`. The bound arguments, or `None`.
///
/// `match_line(&parse_pattern("ip address <ip> <mask>")?, "ip address 10.0.0.1 255.0.0.0")`
/// binds `ip` and `mask`.
pub fn match_line(toks: &[Tok], line: &str) -> Option<Vec<(String, String)>> {
    let mut vars = Vec::new();
    let mut rest = line.trim_start();
    for tok in toks {
        let (word, after) = split_word(rest);
        match tok {
            Tok::Key { word: k, .. } => {
                if !word.eq_ignore_ascii_case(k) {
                    return None;
                }
            }
            Tok::Arg { name, optional, .. } => {
                if word.is_empty() && !optional {
                    return None;
                }
                vars.push((name.clone(), word.to_string()));
            }
            Tok::Rest { name } => {
                if rest.is_empty() {
                    return None;
                }
                vars.push((name.clone(), rest.trim().to_string()));
                rest = "";
                continue;
            }
            Tok::Named { key, name } => {
                let v = named_value(key, word)?;
                vars.push((name.clone(), v.to_string()));
            }
        }
        rest = after;
    }
    rest.trim().is_empty().then_some(vars)
}

/// Writes a pattern out as a configuration line with `var`'s values for its arguments; an
/// optional argument without a value is left out; `None` if a required one has none.
pub fn render_line(toks: &[Tok], var: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let mut words: Vec<String> = Vec::with_capacity(toks.len());
    for tok in toks {
        match tok {
            Tok::Key { word, .. } => words.push(word.clone()),
            Tok::Arg { name, optional, .. } => match var(name).filter(|v| !v.is_empty()) {
                Some(v) => words.push(v),
                None if *optional => {}
                None => return None,
            },
            Tok::Rest { name } => words.push(var(name).filter(|v| !v.is_empty())?),
            Tok::Named { key, name } => words.push(format!("{key}{}", var(name)?)),
        }
    }
    Some(words.join(" "))
}

/// The value of a `key=value` word for `key` (with its `=`), case-insensitive key.
pub fn named_value<'a>(key: &str, word: &'a str) -> Option<&'a str> {
    let head = word.get(..key.len())?;
    head.eq_ignore_ascii_case(key).then(|| &word[key.len()..])
}

/// The first word of `s` and what follows it.
fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_abbreviations_and_arguments() {
        let t = parse_pattern("sh[ow] int[erface] <if:interface> <n:num?> <text...>").unwrap();
        assert!(matches!(&t[0], Tok::Key { word, min: 2 } if word == "show"));
        assert!(matches!(&t[1], Tok::Key { word, min: 3 } if word == "interface"));
        assert!(matches!(
            &t[2],
            Tok::Arg {
                kind: ArgKind::Interface,
                optional: false,
                ..
            }
        ));
        assert!(matches!(
            &t[3],
            Tok::Arg {
                kind: ArgKind::Num,
                optional: true,
                ..
            }
        ));
        assert!(matches!(&t[4], Tok::Rest { name } if name == "text"));
        assert!(parse_pattern("x <a:bogus>").is_err());
        assert!(parse_pattern("sh[ow").is_err());
    }

    #[test]
    fn stored_lines_match_and_render() {
        let p = parse_pattern("ip address <ip> <mask?>").unwrap();
        let v = match_line(&p, "ip address 10.0.0.1 255.0.0.0").unwrap();
        assert_eq!(v[1], ("mask".to_string(), "255.0.0.0".to_string()));
        assert!(match_line(&p, "ip address").is_none());
        assert!(match_line(&p, "ip address 1 2 3").is_none());
        assert!(match_line(&p, "ip addr 1.1.1.1").is_none());
        let d = parse_pattern("description <text...>").unwrap();
        let v = match_line(&d, "description to  rack 7").unwrap();
        assert_eq!(v[0].1, "to  rack 7");
        let get = |k: &str| (k == "ip").then(|| "10.0.0.9".to_string());
        assert_eq!(
            render_line(&p, &get).as_deref(),
            Some("ip address 10.0.0.9")
        );
        assert_eq!(render_line(&d, &get), None);
    }
}
