//! `Value [Option,...] NAME (regex)` lines.

use crate::pyre::PyRegex;

/// Longest Value name TextFSM accepts.
pub const MAX_NAME_LEN: usize = 48;

/// A Value option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opt {
    /// A record is dropped while this Value is empty.
    Required,
    /// Keeps its value into the next records until set again or `Clearall`.
    Filldown,
    /// When set, fills the same column of earlier records upwards until one is non-empty.
    Fillup,
    /// Part of the record's key (used when merging several templates' records).
    Key,
    /// Collects every match into a list.
    List,
}

impl Opt {
    fn from_name(name: &str) -> Option<Opt> {
        Some(match name {
            "Required" => Opt::Required,
            "Filldown" => Opt::Filldown,
            "Fillup" => Opt::Fillup,
            "Key" => Opt::Key,
            "List" => Opt::List,
            _ => return None,
        })
    }

    /// The option as written in templates.
    pub fn name(self) -> &'static str {
        match self {
            Opt::Required => "Required",
            Opt::Filldown => "Filldown",
            Opt::Fillup => "Fillup",
            Opt::Key => "Key",
            Opt::List => "List",
        }
    }
}

/// A declared Value.
#[derive(Debug, Clone)]
pub struct ValueDef {
    /// The name (record column).
    pub name: String,
    /// Options in the order written (their effects run in that order).
    pub options: Vec<Opt>,
    /// The regex with its outer group named: what `${NAME}` stands for in rules.
    pub template: String,
    /// For a `List` whose regex has nested groups: the regex alone, re-matched on each
    /// captured text to collect its named groups.
    pub list_regex: Option<PyRegex>,
}

impl ValueDef {
    /// Parses a `Value ...` line (already right-stripped) as TextFSM does: tokens split on
    /// single spaces, options if the third token does not start with `(`.
    pub fn parse(line: &str) -> Result<ValueDef, String> {
        let tokens: Vec<&str> = line.split(' ').collect();
        if tokens.len() < 3 {
            return Err("Expect at least 3 tokens on line.".into());
        }
        let mut options = Vec::new();
        let (name, regex) = if tokens[2].starts_with('(') {
            (tokens[1], tokens[2..].join(" "))
        } else {
            for opt in tokens[1].split(',') {
                let o = Opt::from_name(opt).ok_or_else(|| format!("Unknown option \"{opt}\""))?;
                if options.contains(&o) {
                    return Err(format!("Duplicate option \"{opt}\""));
                }
                options.push(o);
            }
            (tokens[2], tokens[3..].join(" "))
        };
        if name.chars().count() > MAX_NAME_LEN {
            return Err(format!("Invalid Value name '{name}' or name too long."));
        }
        let chars: Vec<char> = regex.chars().collect();
        let n = chars.len();
        if n < 2 || chars[0] != '(' || chars[n - 1] != ')' || chars[n - 2] == '\\' {
            return Err(format!(
                "Value '{regex}' must be contained within a '()' pair."
            ));
        }
        let compiled = PyRegex::new(&regex).map_err(|e| e.to_string())?;
        let template = format!("(?P<{name}>{}", &regex[1..]);
        let list_regex =
            (options.contains(&Opt::List) && compiled.groups() > 1).then_some(compiled);
        Ok(ValueDef {
            name: name.to_string(),
            options,
            template,
            list_regex,
        })
    }

    /// True if the Value has option `o`.
    pub fn has(&self, o: Opt) -> bool {
        self.options.contains(&o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_name_and_regex() {
        let v = ValueDef::parse("Value Filldown,Required INTF (\\S+ \\d)").unwrap();
        assert_eq!(v.name, "INTF");
        assert_eq!(v.options, [Opt::Filldown, Opt::Required]);
        assert_eq!(v.template, "(?P<INTF>\\S+ \\d)");
    }

    #[test]
    fn bad_lines_say_why() {
        let e = |l: &str| ValueDef::parse(l).unwrap_err();
        assert!(e("Value X").contains("3 tokens"));
        assert!(e("Value Sometimes X (a)").contains("Unknown option \"Sometimes\""));
        assert!(e("Value List,List X (a)").contains("Duplicate option"));
        assert!(e("Value Key X a").contains("'()' pair"));
        assert!(e("Value X (a\\)").contains("'()' pair"));
        assert!(e("Value X (a(b)").contains("missing ), unterminated subpattern"));
    }
}
