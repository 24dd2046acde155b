//! One device's configuration state — interfaces, VLANs, hostname, VTY idle timeout, the
//! shared candidate — and the changes commands make to it.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use crate::personality::{IfType, Personality};
use crate::template::{Pairs, Scope};

/// One interface of the simulated device.
#[derive(Debug, Clone)]
pub struct Interface {
    /// Full name.
    pub name: String,
    /// Short name.
    pub short: String,
    /// Description.
    pub description: String,
    /// IPv4 address.
    pub ip: String,
    /// Netmask.
    pub mask: String,
    /// Prefix length.
    pub prefix: String,
    /// Administratively up.
    pub up: bool,
}

/// A config change with its values resolved (kept until `commit` on candidate-config platforms).
#[derive(Debug, Clone)]
pub enum Change {
    /// New hostname.
    Hostname(String),
    /// Interface, description.
    Description(String, String),
    /// Interface whose description goes.
    UndoDescription(String),
    /// New VLAN.
    Vlan(u32),
    /// VTY idle timeout (zero = never).
    Idle(Duration),
}

/// The device's configuration.
#[derive(Debug, Clone)]
pub struct DeviceState {
    /// Hostname (prompts follow it).
    pub hostname: String,
    /// Interfaces in creation order.
    pub interfaces: Vec<Interface>,
    index: HashMap<String, usize>,
    /// VLAN ids.
    pub vlans: BTreeMap<u32, ()>,
    /// VTY idle timeout applied to new sessions (`None` = never).
    pub idle: Option<Duration>,
    /// True once the idle timeout was set explicitly (shown in the running config).
    pub idle_configured: bool,
    /// No change since the last save.
    pub saved: bool,
    /// Shared candidate configuration (`candidate_config: shared`): changes not yet committed.
    pub pending: Vec<Change>,
}

/// Abbreviate an interface name with the personality's short type names (`GigabitEthernet1/0/1` → `GE1/0/1`).
pub fn short_name(types: &[IfType], name: &str) -> String {
    for t in types {
        if let Some(rest) = name.strip_prefix(t.name.as_str()) {
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                return format!("{}{}", t.short, rest);
            }
        }
    }
    name.to_string()
}

/// Expand a typed interface name (`gi1/0/1`, `GE1/0/1`, `ge-0/0/1`) to the canonical name, if it names a known type.
pub fn expand_interface(types: &[IfType], typed: &str) -> Option<String> {
    let split = typed.find(|c: char| c.is_ascii_digit())?;
    let (alpha, rest) = typed.split_at(split);
    if alpha.is_empty() {
        return None;
    }
    let al = alpha.to_ascii_lowercase();
    // Exact short form first (GE vs GigabitEthernet), then unique-enough prefix of the long name.
    if let Some(t) = types.iter().find(|t| t.short.to_ascii_lowercase() == al) {
        return Some(format!("{}{}", t.name, rest));
    }
    types
        .iter()
        .find(|t| t.name.to_ascii_lowercase().starts_with(&al))
        .map(|t| format!("{}{}", t.name, rest))
}

impl DeviceState {
    /// Initial state from the personality.
    pub fn new(
        p: &Personality,
        hostname: &str,
        idle: Option<Duration>,
        idle_configured: bool,
    ) -> Self {
        let mut s = DeviceState {
            hostname: hostname.to_string(),
            interfaces: Vec::new(),
            index: HashMap::new(),
            vlans: BTreeMap::new(),
            idle,
            idle_configured,
            saved: true,
            pending: Vec::new(),
        };
        s.vlans.insert(1, ());
        for i in &p.inventory.initial_interfaces {
            let idx = s.ensure_interface(p, &i.name);
            let it = &mut s.interfaces[idx];
            it.ip = i.ip.clone();
            it.mask = i.mask.clone();
            it.prefix = i.prefix.clone();
            it.description = i.description.clone();
            it.up = i.up;
        }
        s
    }

    /// Find or create an interface; returns its index.
    pub fn ensure_interface(&mut self, p: &Personality, name: &str) -> usize {
        let key = name.to_ascii_lowercase();
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        self.interfaces.push(Interface {
            name: name.to_string(),
            short: short_name(&p.inventory.if_types, name),
            description: String::new(),
            ip: String::new(),
            mask: String::new(),
            prefix: String::new(),
            up: false,
        });
        let i = self.interfaces.len() - 1;
        self.index.insert(key, i);
        i
    }

    /// Apply a change to the running configuration.
    pub fn apply(&mut self, p: &Personality, c: Change) {
        self.saved = false;
        match c {
            Change::Hostname(h) => {
                if !h.is_empty() {
                    self.hostname = h;
                }
            }
            Change::Description(i, t) => {
                if !i.is_empty() {
                    let idx = self.ensure_interface(p, &i);
                    self.interfaces[idx].description = t;
                }
            }
            Change::UndoDescription(i) => {
                let idx = self.ensure_interface(p, &i);
                self.interfaces[idx].description.clear();
            }
            Change::Vlan(v) => {
                self.vlans.insert(v, ());
            }
            Change::Idle(d) => {
                self.idle = if d.is_zero() { None } else { Some(d) };
                self.idle_configured = true;
            }
        }
    }

    /// Add padding interfaces (with descriptions) and VLANs so the running configuration is
    /// about `lines` lines long, like a big access switch.
    pub fn pad(
        &mut self,
        p: &Personality,
        lines: usize,
        render_lines: impl Fn(&DeviceState) -> usize,
    ) {
        if lines == 0 {
            return;
        }
        let base = render_lines(self);
        if base >= lines {
            return;
        }
        let mut n = 0u32;
        let mut add = |s: &mut DeviceState, count: u32| {
            for _ in 0..count {
                s.add_padding_port(p, n);
                n += 1;
            }
        };
        add(self, 50);
        let per = (render_lines(self).saturating_sub(base)).max(1) as f64 / 50.0;
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
        let i = self.ensure_interface(p, &name);
        self.interfaces[i].description =
            format!("access port {slot}/{port} room {}", 100 + n % 400);
        self.interfaces[i].up = !n.is_multiple_of(3);
        self.vlans.insert(100 + (n % 3000), ());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interface_names_expand_and_shorten() {
        let t = vec![
            IfType {
                name: "GigabitEthernet".into(),
                short: "GE".into(),
            },
            IfType {
                name: "Ten-GigabitEthernet".into(),
                short: "XGE".into(),
            },
        ];
        assert_eq!(
            expand_interface(&t, "gi1/0/1").as_deref(),
            Some("GigabitEthernet1/0/1")
        );
        assert_eq!(
            expand_interface(&t, "GE1/0/2").as_deref(),
            Some("GigabitEthernet1/0/2")
        );
        assert_eq!(
            expand_interface(&t, "XGE1/0/49").as_deref(),
            Some("Ten-GigabitEthernet1/0/49")
        );
        assert_eq!(expand_interface(&t, "foo1"), None);
        assert_eq!(short_name(&t, "Ten-GigabitEthernet1/0/49"), "XGE1/0/49");
    }
}
