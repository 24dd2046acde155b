//! A tiny template language for personality data.
//!
//! `{{name}}`, `{{name:<20}}` (pad right), `{{name:>6}}` (pad left), `{{name:04}}` (zero pad),
//! `{{#list}}…{{/list}}` (repeat per item), `{{?name}}…{{/name}}` (only if non-empty),
//! `{{^name}}…{{/name}}` (only if empty). Single braces are literal (Junos configs use them).

use std::borrow::Cow;
use std::fmt::Write as _;

/// Variables visible while rendering.
pub trait Vars {
    /// The value of a scalar variable, if this scope defines it.
    fn get(&self, key: &str) -> Option<Cow<'_, str>>;
    /// Call `f` for each item of list `key`; false if this scope has no such list.
    fn each(&self, _key: &str, _f: &mut dyn FnMut(&dyn Vars)) -> bool {
        false
    }
}

/// A scope chain: inner items shadow outer variables.
pub struct Scope<'a> {
    pub vars: &'a dyn Vars,
    pub parent: Option<&'a Scope<'a>>,
}

impl Scope<'_> {
    fn get(&self, key: &str) -> Option<Cow<'_, str>> {
        match self.vars.get(key) {
            Some(v) => Some(v),
            None => self.parent.and_then(|p| p.get(key)),
        }
    }
    fn each(&self, key: &str, f: &mut dyn FnMut(&dyn Vars)) -> bool {
        self.vars.each(key, f) || self.parent.is_some_and(|p| p.each(key, f))
    }
}

#[derive(Debug, Clone, Copy)]
enum Align {
    None,
    Left(usize),
    Right(usize),
    Zero(usize),
}

#[derive(Debug, Clone)]
enum Node {
    Text(String),
    Var(String, Align),
    Each(String, Vec<Node>),
    If(String, bool, Vec<Node>),
}

/// An open block while parsing: its tag (name, kind) and the nodes collected so far.
type Frame = (Option<(String, char)>, Vec<Node>);

/// A parsed template.
#[derive(Debug, Clone, Default)]
pub struct Template {
    nodes: Vec<Node>,
}

impl Template {
    /// Parse template text.
    pub fn parse(src: &str) -> Result<Template, String> {
        let mut stack: Vec<Frame> = vec![(None, Vec::new())];
        let mut rest = src;
        while let Some(i) = rest.find("{{") {
            if i > 0 {
                push_text(&mut stack, &rest[..i]);
            }
            let after = &rest[i + 2..];
            let j = after.find("}}").ok_or("unclosed {{")?;
            let tag = after[..j].trim();
            rest = &after[j + 2..];
            if let Some(n) = tag.strip_prefix('#') {
                stack.push((Some((n.to_string(), '#')), Vec::new()));
            } else if let Some(n) = tag.strip_prefix('?') {
                stack.push((Some((n.to_string(), '?')), Vec::new()));
            } else if let Some(n) = tag.strip_prefix('^') {
                stack.push((Some((n.to_string(), '^')), Vec::new()));
            } else if let Some(n) = tag.strip_prefix('/') {
                let (open, body) = stack.pop().ok_or("unbalanced close")?;
                let (name, kind) = open.ok_or(format!("{{{{/{n}}}}} closes nothing"))?;
                if name != n {
                    return Err(format!("{{{{/{n}}}}} closes {name}"));
                }
                let node = match kind {
                    '#' => Node::Each(name, body),
                    '?' => Node::If(name, true, body),
                    _ => Node::If(name, false, body),
                };
                stack.last_mut().ok_or("unbalanced")?.1.push(node);
            } else {
                let (name, align) = match tag.split_once(':') {
                    None => (tag, Align::None),
                    Some((n, spec)) => {
                        let num = |s: &str| {
                            s.parse::<usize>()
                                .map_err(|_| format!("bad width {spec:?}"))
                        };
                        let a = if let Some(w) = spec.strip_prefix('<') {
                            Align::Left(num(w)?)
                        } else if let Some(w) = spec.strip_prefix('>') {
                            Align::Right(num(w)?)
                        } else if let Some(w) = spec.strip_prefix('0') {
                            Align::Zero(num(w)?)
                        } else {
                            return Err(format!("bad format {spec:?}"));
                        };
                        (n, a)
                    }
                };
                stack
                    .last_mut()
                    .ok_or("unbalanced")?
                    .1
                    .push(Node::Var(name.to_string(), align));
            }
        }
        if !rest.is_empty() {
            push_text(&mut stack, rest);
        }
        if stack.len() != 1 {
            return Err("unclosed block".into());
        }
        let (_, nodes) = stack.pop().ok_or("empty")?;
        Ok(Template { nodes })
    }

    /// Render into `out`. Unknown variables render as empty text.
    pub fn render(&self, scope: &Scope<'_>, out: &mut String) {
        render_nodes(&self.nodes, scope, out);
    }

    /// Render into a new string.
    pub fn to_string(&self, scope: &Scope<'_>) -> String {
        let mut s = String::new();
        self.render(scope, &mut s);
        s
    }
}

fn push_text(stack: &mut [Frame], t: &str) {
    if let Some(top) = stack.last_mut() {
        top.1.push(Node::Text(t.to_string()));
    }
}

fn render_nodes(nodes: &[Node], scope: &Scope<'_>, out: &mut String) {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Var(name, align) => {
                let v = scope.get(name).unwrap_or(Cow::Borrowed(""));
                let len = v.chars().count();
                match *align {
                    Align::None => out.push_str(&v),
                    Align::Left(w) => {
                        let _ = write!(out, "{v}");
                        pad(out, w.saturating_sub(len), ' ');
                    }
                    Align::Right(w) => {
                        pad(out, w.saturating_sub(len), ' ');
                        out.push_str(&v);
                    }
                    Align::Zero(w) => {
                        pad(out, w.saturating_sub(len), '0');
                        out.push_str(&v);
                    }
                }
            }
            Node::Each(name, body) => {
                scope.each(name, &mut |item| {
                    let inner = Scope {
                        vars: item,
                        parent: Some(scope),
                    };
                    render_nodes(body, &inner, out);
                });
            }
            Node::If(name, want, body) => {
                let present = scope.get(name).is_some_and(|v| !v.is_empty());
                if present == *want {
                    render_nodes(body, scope, out);
                }
            }
        }
    }
}

fn pad(out: &mut String, n: usize, c: char) {
    for _ in 0..n {
        out.push(c);
    }
}

/// Variables from a fixed list of pairs (for small ad-hoc scopes).
pub struct Pairs<'a>(pub &'a [(&'a str, &'a str)]);

impl Vars for Pairs<'_> {
    fn get(&self, key: &str) -> Option<Cow<'_, str>> {
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| Cow::Borrowed(*v))
    }
}

/// Variables from owned pairs (command arguments).
#[derive(Debug, Default, Clone)]
pub struct OwnedVars(pub Vec<(String, String)>);

impl Vars for OwnedVars {
    fn get(&self, key: &str) -> Option<Cow<'_, str>> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| Cow::Borrowed(v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct L;
    impl Vars for L {
        fn get(&self, key: &str) -> Option<Cow<'_, str>> {
            (key == "h").then_some(Cow::Borrowed("H3C"))
        }
        fn each(&self, key: &str, f: &mut dyn FnMut(&dyn Vars)) -> bool {
            if key != "items" {
                return false;
            }
            f(&Pairs(&[("n", "a"), ("d", "x")]));
            f(&Pairs(&[("n", "bb"), ("d", "")]));
            true
        }
    }

    #[test]
    fn renders_vars_lists_padding_and_conditions() {
        let t = Template::parse("<{{h}}>{{#items}}[{{n:<3}}|{{n:>3}}{{?d}} d={{d}}{{/d}}{{^d}} none{{/d}}]{{/items}} {x} {{v:03}}").unwrap();
        let s = t.to_string(&Scope {
            vars: &L,
            parent: None,
        });
        assert_eq!(s, "<H3C>[a  |  a d=x][bb | bb none] {x} 000");
    }

    #[test]
    fn rejects_unbalanced() {
        assert!(Template::parse("{{#a}}x").is_err());
        assert!(Template::parse("{{/a}}").is_err());
        assert!(Template::parse("{{a").is_err());
    }
}
