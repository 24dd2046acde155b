//! Which command a typed line is: match it against the command patterns visible in the current
//! mode (and the ancestor modes it inherits from), binding arguments to variables.

use crate::model::{expand_interface, short_name};
use crate::personality::{named_value, ArgKind, Personality, Tok};
use crate::template::OwnedVars;

/// The outcome of looking a line up.
pub(super) enum Lookup {
    /// Command `cmd` matched in the mode `depth` levels up the inheritance chain.
    Found {
        /// Index into the personality's commands.
        cmd: usize,
        /// Bound arguments.
        vars: OwnedVars,
        /// 0 = the current mode.
        depth: usize,
    },
    /// Nothing matched: the best attempt matched `matched` tokens; `incomplete` if the input ran out.
    NotFound {
        /// Tokens the best candidate matched.
        matched: usize,
        /// The input ended before the pattern did.
        incomplete: bool,
    },
}

/// Looks `line` up among the commands visible at `levels` (current mode first).
pub(super) fn lookup(
    p: &Personality,
    levels: &[usize],
    line: &str,
    toks: &[(usize, &str)],
) -> Lookup {
    let mut best: Option<(usize, bool)> = None;
    for (depth, &lvl) in levels.iter().enumerate() {
        for (ci, c) in p.commands.iter().enumerate() {
            let visible = if c.modes.is_empty() {
                depth == 0
            } else {
                c.modes.contains(&lvl)
            };
            if !visible {
                continue;
            }
            match match_pattern(p, &c.pattern, line, toks) {
                Ok(vars) => {
                    return Lookup::Found {
                        cmd: ci,
                        vars,
                        depth,
                    }
                }
                Err((n, incomplete)) => {
                    if best.is_none_or(|(bn, _)| n > bn) {
                        best = Some((n, incomplete));
                    }
                }
            }
        }
    }
    let (matched, incomplete) = best.unwrap_or((0, false));
    Lookup::NotFound {
        matched,
        incomplete,
    }
}

/// The variables of an error message: the caret under the bad token (`prompt_col` is the
/// prompt's width), the input, the bad token and its index.
pub(super) fn error_vars(
    prompt_col: usize,
    line: &str,
    toks: &[(usize, &str)],
    matched: usize,
    incomplete: bool,
) -> OwnedVars {
    let col = if incomplete || matched >= toks.len() {
        line.trim_end().chars().count() + 1
    } else {
        line[..toks[matched].0].chars().count()
    };
    let caret = format!("{}^", " ".repeat(prompt_col + col));
    let bad = toks.get(matched).map(|x| x.1).unwrap_or("");
    OwnedVars(vec![
        ("caret".into(), caret),
        ("input".into(), line.trim().into()),
        ("tok".into(), bad.into()),
        ("tok_index".into(), matched.to_string()),
    ])
}

/// Match a pattern (a command's, a filter's); Err gives how many tokens matched and whether
/// input ran out.
pub(super) fn match_pattern(
    p: &Personality,
    pattern: &[Tok],
    line: &str,
    toks: &[(usize, &str)],
) -> Result<OwnedVars, (usize, bool)> {
    let mut vars = OwnedVars::default();
    let mut i = 0;
    for tok in pattern {
        match tok {
            Tok::Key { word, min } => {
                let Some((_, t)) = toks.get(i) else {
                    return Err((i, true));
                };
                let tl = t.to_ascii_lowercase();
                if tl.len() < *min || !word.starts_with(&tl) {
                    return Err((i, false));
                }
                i += 1;
            }
            Tok::Arg {
                name,
                optional,
                kind,
            } => {
                let Some((_, t)) = toks.get(i) else {
                    if *optional {
                        vars.0.push((name.clone(), String::new()));
                        continue;
                    }
                    return Err((i, true));
                };
                let v = argument(p, name, *kind, t, &mut vars).ok_or((i, false))?;
                vars.0.push((name.clone(), v));
                i += 1;
            }
            Tok::Named { key, name } => {
                let Some((_, t)) = toks.get(i) else {
                    return Err((i, true));
                };
                let v = named_value(key, t).ok_or((i, false))?;
                vars.0.push((name.clone(), unquote(v).to_string()));
                i += 1;
            }
            Tok::Rest { name } => {
                let Some((off, _)) = toks.get(i) else {
                    return Err((i, true));
                };
                vars.0
                    .push((name.clone(), unquote(line[*off..].trim_end()).to_string()));
                i = toks.len();
            }
        }
    }
    if i < toks.len() {
        return Err((i, false));
    }
    Ok(vars)
}

/// The value of one argument word, or `None` if it does not fit its kind. An interface also
/// binds `NAME_short`.
fn argument(
    p: &Personality,
    name: &str,
    kind: ArgKind,
    t: &str,
    vars: &mut OwnedVars,
) -> Option<String> {
    match kind {
        ArgKind::Word => Some(unquote(t).to_string()),
        ArgKind::Num => {
            (t.bytes().all(|b| b.is_ascii_digit()) && t.len() <= 9).then(|| t.to_string())
        }
        ArgKind::Interface => {
            let types = &p.inventory.if_types;
            let n = expand_interface(types, t)?;
            vars.0
                .push((format!("{name}_short"), short_name(types, &n)));
            Some(n)
        }
    }
}

/// Without surrounding double quotes.
pub(super) fn unquote(s: &str) -> &str {
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// Split on whitespace, keeping byte offsets.
pub(super) fn tokenize(line: &str) -> Vec<(usize, &str)> {
    let mut v = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                v.push((s, &line[s..i]));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        v.push((s, &line[s..]));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenize_keeps_offsets() {
        assert_eq!(tokenize("  sh  ver "), vec![(2, "sh"), (6, "ver")]);
        assert!(tokenize("   ").is_empty());
    }
}
