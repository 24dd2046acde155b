//! ssh_config patterns (`PATTERNS` in ssh_config(5)): `*` any run of characters, `?` one
//! character, a leading `!` negates; a pattern list matches when some plain pattern matches and
//! no negated one does.

/// Wildcard match of `text` against `pattern` (`*`, `?`), ASCII case-insensitive as OpenSSH
/// matches host names.
pub(crate) fn wildcard(pattern: &str, text: &str) -> bool {
    matches(pattern, text, true)
}

/// [`wildcard`] with case kept (file names).
pub(crate) fn wildcard_exact(pattern: &str, text: &str) -> bool {
    matches(pattern, text, false)
}

fn matches(pattern: &str, text: &str, fold: bool) -> bool {
    let f = |c: char| if fold { c.to_ascii_lowercase() } else { c };
    let p: Vec<char> = pattern.chars().map(f).collect();
    let t: Vec<char> = text.chars().map(f).collect();
    // Iterative matching with one backtrack point: linear in practice, no recursion depth.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Whether a list of patterns (each possibly `!`-negated) matches `text`: a negated match
/// rejects at once; otherwise some plain pattern must match.
pub(crate) fn list_matches<'a>(patterns: impl IntoIterator<Item = &'a str>, text: &str) -> bool {
    let mut matched = false;
    for p in patterns {
        match p.strip_prefix('!') {
            Some(neg) => {
                if wildcard(neg, text) {
                    return false;
                }
            }
            None => matched |= wildcard(p, text),
        }
    }
    matched
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("*", ""));
        assert!(wildcard("*", "anything"));
        assert!(wildcard("core-*", "core-sw1"));
        assert!(wildcard("CORE-*", "core-sw1"));
        assert!(!wildcard("core-*", "edge-sw1"));
        assert!(wildcard("10.0.?.1", "10.0.5.1"));
        assert!(!wildcard("10.0.?.1", "10.0.55.1"));
        assert!(wildcard("*.example.com", "a.b.example.com"));
        assert!(wildcard("a*b*c", "aXXbYYc"));
        assert!(!wildcard("a*b*c", "aXXbYY"));
        assert!(!wildcard("", "x"));
        // Many stars do not blow up.
        assert!(!wildcard(&"*a".repeat(50), &"a".repeat(40)));
    }

    #[test]
    fn negation_rejects_even_when_a_plain_pattern_matches() {
        assert!(list_matches(["*", "!bastion"], "sw1"));
        assert!(!list_matches(["*", "!bastion"], "bastion"));
        assert!(
            !list_matches(["!bastion"], "sw1"),
            "negation alone matches nothing"
        );
        assert!(list_matches(["sw?", "rtr*"], "rtr9"));
    }
}
