//! Command patterns: `display version`, `sh[ow] ver[sion]`, `interface <if:interface>`,
//! `vlan <id:num>`, `idle-timeout <min:num> <sec:num?>`, `description <text...>`.

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
}
