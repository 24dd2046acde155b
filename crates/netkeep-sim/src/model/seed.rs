//! The device's first configuration: the personality's interfaces, VLAN 1, its tables, the
//! hostname and idle timeout from the settings, padding to a size (`config_lines`), written out through the
//! personality's `config.initial` template (or its records) and read into the tree.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::time::Duration;

use super::names::{is_type, short_name};
use super::tree::{Change, Tree};
use super::tree_text::parse;
use super::write::{write_line, write_record};
use crate::personality::Personality;
use crate::template::{Pairs, Scope, Vars};

/// An interface with the settings the first configuration gives it.
#[derive(Debug, Clone)]
pub struct SeedInterface {
    /// Full name.
    pub name: String,
    /// Short name.
    pub short: String,
    /// Description.
    pub description: String,
    /// IPv4 address.
    pub ip: String,
    /// Dotted mask.
    pub mask: String,
    /// Prefix length.
    pub prefix: String,
    /// Administratively up.
    pub up: bool,
    /// The personality's other settings for it (`fields:`), template variables.
    pub extra: Vec<(String, String)>,
}

/// What the first configuration is made from.
#[derive(Debug, Clone)]
pub struct Seed {
    /// Hostname.
    pub hostname: String,
    /// Interfaces in order.
    pub interfaces: Vec<SeedInterface>,
    /// VLAN ids.
    pub vlans: BTreeSet<u32>,
    /// Idle timeout (`None` = never).
    pub idle: Option<Duration>,
    /// The idle timeout is written in the configuration.
    pub idle_configured: bool,
}

impl Seed {
    /// The personality's interfaces and VLAN 1, with this hostname and idle timeout.
    pub fn new(p: &Personality, hostname: &str, idle: Option<Duration>, configured: bool) -> Seed {
        let types = &p.inventory.if_types;
        Seed {
            hostname: hostname.to_string(),
            interfaces: p
                .inventory
                .initial_interfaces
                .iter()
                .map(|i| SeedInterface {
                    name: i.name.clone(),
                    short: short_name(types, &i.name),
                    description: i.description.clone(),
                    ip: i.ip.clone(),
                    mask: i.mask.clone(),
                    prefix: i.prefix.clone(),
                    up: i.up,
                    extra: i.fields.clone().into_iter().collect(),
                })
                .collect(),
            vlans: BTreeSet::from([1]),
            idle,
            idle_configured: configured,
        }
    }

    /// Adds access ports (with descriptions) and VLANs until the configuration is about
    /// `lines` lines long, like a big access switch.
    pub fn pad(&mut self, p: &Personality, lines: usize, user: &str) {
        if lines == 0 {
            return;
        }
        let base = self.text(p, user).lines().count();
        if base >= lines {
            return;
        }
        let mut n = 0u32;
        let mut add = |s: &mut Seed, count: u32| {
            for _ in 0..count {
                s.add_padding_port(p, n);
                n += 1;
            }
        };
        add(self, 50);
        let per = (self.text(p, user).lines().count().saturating_sub(base)).max(1) as f64 / 50.0;
        let more = ((lines - base) as f64 / per).ceil() as i64 - 50;
        if more > 0 {
            add(self, more as u32);
        }
    }

    /// The `n`th padding access port (0-based), its description and a VLAN.
    fn add_padding_port(&mut self, p: &Personality, n: u32) {
        let inv = &p.inventory;
        let slot = 2 + n / inv.ports_per_slot;
        let port = 1 + n % inv.ports_per_slot;
        let n = n + 1;
        let name = inv.padding_interface.to_string(&Scope {
            vars: &Pairs(&[("slot", &slot.to_string()), ("port", &port.to_string())]),
            parent: None,
        });
        self.interfaces.push(SeedInterface {
            short: short_name(&inv.if_types, &name),
            name,
            description: format!("access port {slot}/{port} room {}", 100 + n % 400),
            ip: String::new(),
            mask: String::new(),
            prefix: String::new(),
            up: !n.is_multiple_of(3),
            extra: Vec::new(),
        });
        self.vlans.insert(100 + (n % 3000));
    }

    /// The first configuration as text (the `config.initial` template, else the
    /// `running_config` output, rendered from the seed).
    pub fn text(&self, p: &Personality, user: &str) -> String {
        let t = p
            .config
            .initial
            .as_ref()
            .or(p.outputs.get("running_config"));
        let Some(t) = t else {
            return String::new();
        };
        let vars = SeedVars {
            p,
            seed: self,
            user,
        };
        t.to_string(&Scope {
            vars: &vars,
            parent: None,
        })
    }

    /// The first configuration as a tree: the `config.initial` template read back, else the
    /// seed written through the personality's records.
    pub fn tree(&self, p: &Personality, user: &str) -> Tree {
        if p.config.initial.is_some() {
            return parse(&p.config, &self.text(p, user));
        }
        let mut tree = Tree::default();
        for c in self.changes(p, &tree) {
            tree.apply(&p.config, &c);
        }
        tree
    }

    /// The seed as configuration changes, for personalities without an initial template.
    fn changes(&self, p: &Personality, tree: &Tree) -> Vec<Change> {
        let cm = &p.config;
        let mut out = Vec::new();
        if let Some(h) = &cm.hostname {
            out.extend(write_line(h, &|k| {
                (k == "name").then(|| self.hostname.clone())
            }));
        }
        for i in &self.interfaces {
            let var = |k: &str| -> Option<String> {
                Some(match k {
                    "name" => i.name.clone(),
                    "description" => i.description.clone(),
                    "ip" => i.ip.clone(),
                    "mask" => i.mask.clone(),
                    "prefix" => i.prefix.clone(),
                    _ => return None,
                })
            };
            let mut fields = vec!["description", "address"];
            if !i.up {
                fields.push("shutdown");
            }
            out.extend(write_record(tree, &cm.interface, &var, &fields).unwrap_or_default());
        }
        if let (true, Some(idle)) = (self.idle_configured, &cm.idle) {
            let secs = self.idle.map_or(0, |d| d.as_secs());
            let inv = &p.inventory;
            let var = |k: &str| -> Option<String> {
                Some(match k {
                    "min" => (secs / 60).to_string(),
                    "sec" => (secs % 60).to_string(),
                    "a" => inv.vty_first.to_string(),
                    "b" => inv.vty_last.to_string(),
                    _ => return None,
                })
            };
            out.extend(write_record(tree, idle, &var, &["timeout"]).unwrap_or_default());
        }
        out
    }
}

/// One interface of the first configuration's template.
struct SeedIf<'a> {
    p: &'a Personality,
    i: &'a SeedInterface,
    idx: usize,
}

impl Vars for SeedIf<'_> {
    fn get(&self, key: &str) -> Option<Cow<'_, str>> {
        let i = self.i;
        let flag = |b: bool| Cow::Borrowed(if b { "1" } else { "" });
        Some(match key {
            "name" => Cow::Borrowed(&i.name),
            "short" => Cow::Borrowed(&i.short),
            "description" => Cow::Borrowed(&i.description),
            // Quoted when it has to be, as `{ }` configurations write it.
            "description_q"
                if i.description
                    .contains(|c: char| c.is_whitespace() || c == ';') =>
            {
                Cow::Owned(format!("\"{}\"", i.description))
            }
            "description_q" => Cow::Borrowed(&i.description),
            "ip" => Cow::Borrowed(&i.ip),
            "mask" => Cow::Borrowed(&i.mask),
            "prefix" => Cow::Borrowed(&i.prefix),
            "ip_prefix" if !i.ip.is_empty() => Cow::Owned(format!("{}/{}", i.ip, i.prefix)),
            "up" => flag(i.up),
            "idx" => Cow::Owned(self.idx.to_string()),
            k if k.starts_with("type_") => {
                flag(is_type(&self.p.inventory.if_types, &i.name, &k[5..]))
            }
            k => Cow::Borrowed(i.extra.iter().find(|(n, _)| n == k)?.1.as_str()),
        })
    }
}

/// The variables of the first configuration's template.
struct SeedVars<'a> {
    p: &'a Personality,
    seed: &'a Seed,
    user: &'a str,
}

impl Vars for SeedVars<'_> {
    fn get(&self, key: &str) -> Option<Cow<'_, str>> {
        let s = self.seed;
        let idle = s.idle.map_or(0, |d| d.as_secs());
        let inv = &self.p.inventory;
        Some(match key {
            "hostname" => Cow::Borrowed(&s.hostname),
            "user" => Cow::Borrowed(self.user),
            "vty_first" => Cow::Owned(inv.vty_first.to_string()),
            "vty_last" => Cow::Owned(inv.vty_last.to_string()),
            "idle_set" => Cow::Borrowed(if s.idle_configured { "1" } else { "" }),
            "idle_min" => Cow::Owned((idle / 60).to_string()),
            "idle_sec" => Cow::Owned((idle % 60).to_string()),
            _ => return None,
        })
    }

    fn each(&self, key: &str, f: &mut dyn FnMut(&dyn Vars)) -> bool {
        match key {
            "interfaces" => {
                for (idx, i) in self.seed.interfaces.iter().enumerate() {
                    f(&SeedIf { p: self.p, i, idx });
                }
            }
            "vlans" => {
                for id in &self.seed.vlans {
                    let ids = id.to_string();
                    let name = self.p.inventory.vlan_name.to_string(&Scope {
                        vars: &Pairs(&[("id", &ids)]),
                        parent: None,
                    });
                    f(&Pairs(&[("id", &ids), ("name", &name)]));
                }
            }
            // The personality's tables, so a protocol's configuration is written from the
            // rows its show commands print (VyOS's BGP peers).
            _ => return self.p.each_table_row(key, f),
        }
        true
    }
}
