//! The variables device-level templates see: hostname, user, clock, uptime, VTY settings, the
//! running configuration (`{{config}}`), and lists generated from the configuration
//! (interfaces, VLANs with their ports, connected and static routes) or from the personality
//! (ARP, its `tables`).

use std::borrow::Cow;
use std::cell::OnceCell;
use std::time::Duration;

use super::clock::Clock;
use super::names::is_type;
use super::state::{DeviceState, IfView};
use super::tree::Node;
use super::tree_text::render;
use super::views::{self, unquote, Addr};
use crate::personality::Personality;
use crate::template::{OwnedVars, Pairs, Scope, Vars};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const DAYS_LONG: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Everything a device-level template can refer to.
pub struct DeviceVars<'a> {
    /// The personality.
    pub p: &'a Personality,
    /// The configuration.
    pub st: &'a DeviceState,
    /// The logged-in user.
    pub user: &'a str,
    /// Device uptime.
    pub uptime: Duration,
    /// Wall clock.
    pub clock: Clock,
    /// Interfaces, read from the configuration once per rendering.
    ifs: OnceCell<Vec<IfView>>,
    /// The interface a command named (`show interfaces Gi0/1`): `{{#selected_interfaces}}`
    /// lists only it.
    selected: Option<String>,
    /// The VRF a command named: `{{#vrf_interfaces}}` lists its interfaces.
    vrf: String,
}

impl<'a> DeviceVars<'a> {
    /// The variables of `st` for `user`.
    pub fn new(p: &'a Personality, st: &'a DeviceState, user: &'a str, uptime: Duration) -> Self {
        DeviceVars {
            p,
            st,
            user,
            uptime,
            clock: Clock::now(),
            ifs: OnceCell::new(),
            selected: None,
            vrf: "default".into(),
        }
    }

    /// Only this VRF's interfaces in `{{#vrf_interfaces}}` (empty: the default VRF).
    pub fn vrf(mut self, vrf: &str) -> Self {
        if !vrf.is_empty() {
            self.vrf = vrf.to_string();
        }
        self
    }

    /// Only this interface in `{{#selected_interfaces}}` (an empty name: all of them).
    pub fn select(mut self, name: &str) -> Self {
        self.selected = Some(name.to_string()).filter(|n| !n.is_empty());
        self
    }

    fn interfaces(&self) -> &[IfView] {
        self.ifs.get_or_init(|| self.st.interfaces(self.p))
    }

    /// `{{conf_location}}`: the value of the setting whose words are the key's (underscores for
    /// spaces), unquoted: the top-level one, else the first inside a block (FortiOS
    /// `{{conf_set_output}}` of `config system console`); empty if it is not set.
    fn setting(&self, words: &str) -> String {
        let words = words.replace('_', " ");
        let value = |n: &Node| {
            let rest = n.line.strip_prefix(words.as_str())?;
            rest.starts_with(' ')
                .then(|| unquote(rest.trim()).to_string())
        };
        let top = &self.st.running.top;
        top.iter()
            .filter(|n| !n.layout)
            .find_map(value)
            .or_else(|| find_nested(top, &value))
            .unwrap_or_default()
    }

    fn clock_var(&self, key: &str) -> Option<String> {
        let c = &self.clock;
        let up = self.uptime.as_secs();
        Some(match key {
            "year" => c.year.to_string(),
            "month" => format!("{:02}", c.month),
            "mon" => MONTHS[(c.month as usize + 11) % 12].to_string(),
            // RouterOS writes dates as `nov/26/2026`.
            "mon_lower" => MONTHS[(c.month as usize + 11) % 12].to_lowercase(),
            "day" => format!("{:02}", c.day),
            "dayn" => c.day.to_string(),
            "dow" => DAYS[c.dow as usize % 7].to_string(),
            "dow_long" => DAYS_LONG[c.dow as usize % 7].to_string(),
            "time" => format!("{:02}:{:02}:{:02}", c.hour, c.min, c.sec),
            "ms" => format!("{:03}", c.ms),
            "up_weeks" => (up / 604_800).to_string(),
            "up_days" => (up % 604_800 / 86_400).to_string(),
            "up_hours" => (up % 86_400 / 3600).to_string(),
            "up_minutes" => (up % 3600 / 60).to_string(),
            "up_seconds" => up.to_string(),
            "up_secs" => (up % 60).to_string(),
            "up_total_days" => (up / 86_400).to_string(),
            "commit_date" | "commit_time" => {
                let t = Clock::at(self.st.committed_at);
                match key {
                    "commit_date" => format!("{}-{:02}-{:02}", t.year, t.month, t.day),
                    _ => format!("{:02}:{:02}:{:02}", t.hour, t.min, t.sec),
                }
            }
            _ => return None,
        })
    }

    fn vty_var(&self, key: &str) -> Option<String> {
        let idle = self.st.idle.map_or(0, |d| d.as_secs());
        Some(match key {
            "vty_first" => self.p.inventory.vty_first.to_string(),
            "vty_last" => self.p.inventory.vty_last.to_string(),
            "idle_min" => (idle / 60).to_string(),
            "idle_sec" => (idle % 60).to_string(),
            _ => return None,
        })
    }

    fn each_vlan(&self, f: &mut dyn FnMut(&dyn Vars)) {
        for (id, name, extra) in self.st.vlans(self.p) {
            let ids = id.to_string();
            let name = if name.is_empty() {
                self.p.inventory.vlan_name.to_string(&Scope {
                    vars: &Pairs(&[("id", &ids)]),
                    parent: None,
                })
            } else {
                name
            };
            let addr = Addr::parse(
                views::get(&extra, "ip").unwrap_or(""),
                views::get(&extra, "mask").unwrap_or(""),
            );
            f(&VlanVars {
                p: self.p,
                id: &ids,
                name: &name,
                ifs: self.interfaces(),
                extra: &extra,
                addr: &addr,
            });
        }
    }

    fn each_route(&self, key: &str, f: &mut dyn FnMut(&dyn Vars)) {
        if key == "connected" {
            for (idx, it) in self.interfaces().iter().enumerate() {
                if it.addr.prefix.is_empty() || !it.up {
                    continue;
                }
                f(&IfVars { p: self.p, it, idx });
            }
            return;
        }
        for (dest, via, vrf) in self.st.static_routes(self.p) {
            let in_vrf = if vrf.is_empty() { "default" } else { &vrf } == self.vrf;
            let net = dest.network().unwrap_or_else(|| dest.ip.clone());
            let dest_prefix = format!("{net}/{}", dest.prefix);
            let out = self
                .interfaces()
                .iter()
                .find(|i| i.up && i.addr.contains(&via));
            let (name, short) = out.map_or(("", ""), |i| (i.name.as_str(), i.short.as_str()));
            let mut pairs = vec![
                ("dest".to_string(), net),
                ("mask".into(), dest.mask.clone()),
                ("prefix".into(), dest.prefix.clone()),
                ("dest_prefix".into(), dest_prefix),
                ("via".into(), via),
                ("interface".into(), name.to_string()),
                ("short".into(), short.to_string()),
                ("in_vrf".into(), if in_vrf { "1" } else { "" }.to_string()),
                (
                    "default".into(),
                    if dest.prefix == "0" { "1" } else { "" }.to_string(),
                ),
            ];
            // The outgoing interface's other fields as `if_<field>` (ASA's `{{if_nameif}}`).
            let extra = out.iter().flat_map(|i| i.extra.iter());
            pairs.extend(extra.map(|(k, v)| (format!("if_{k}"), v.clone())));
            f(&OwnedVars(pairs));
        }
    }
}

impl Vars for DeviceVars<'_> {
    fn get(&self, key: &str) -> Option<Cow<'_, str>> {
        match key {
            "hostname" => Some(Cow::Borrowed(&self.st.hostname)),
            "user" => Some(Cow::Borrowed(self.user)),
            "config" => Some(Cow::Owned(render(&self.p.config, &self.st.running))),
            "startup_config" => Some(Cow::Owned(render(&self.p.config, &self.st.startup))),
            "vrf_name" => Some(Cow::Borrowed(&self.vrf)),
            "gateway" => {
                let routes = self.st.static_routes(self.p);
                let default = routes.into_iter().find(|(d, _, _)| d.prefix == "0");
                Some(Cow::Owned(
                    default.map(|(_, via, _)| via).unwrap_or_default(),
                ))
            }
            "route_count" => {
                let routed = self
                    .interfaces()
                    .iter()
                    .filter(|i| i.up && !i.addr.prefix.is_empty());
                let n = 2 * routed.count() + self.st.static_routes(self.p).len() + 2;
                Some(Cow::Owned(n.to_string()))
            }
            "saved" => Some(Cow::Borrowed(if self.st.saved { "1" } else { "" })),
            "interface_count" => Some(Cow::Owned(self.interfaces().len().to_string())),
            "vlan_count" => Some(Cow::Owned(self.st.vlans(self.p).len().to_string())),
            k if k.starts_with("conf_") => Some(Cow::Owned(self.setting(&k[5..]))),
            _ => self
                .clock_var(key)
                .or_else(|| self.vty_var(key))
                .map(Cow::Owned),
        }
    }

    fn each(&self, key: &str, f: &mut dyn FnMut(&dyn Vars)) -> bool {
        match key {
            "interfaces" | "selected_interfaces" => {
                let only = self
                    .selected
                    .as_deref()
                    .filter(|_| key == "selected_interfaces");
                for (idx, it) in self.interfaces().iter().enumerate() {
                    if only.is_none_or(|n| n.eq_ignore_ascii_case(&it.name)) {
                        f(&IfVars { p: self.p, it, idx });
                    }
                }
            }
            "vrf_interfaces" => {
                for (idx, it) in self.interfaces().iter().enumerate() {
                    let vrf = if it.vrf.is_empty() {
                        "default"
                    } else {
                        &it.vrf
                    };
                    if vrf == self.vrf {
                        f(&IfVars { p: self.p, it, idx });
                    }
                }
            }
            "vlans" => self.each_vlan(f),
            "connected" | "static_routes" => self.each_route(key, f),
            "arp" => {
                for a in &self.p.inventory.arp {
                    f(&Pairs(&[
                        ("ip", &a.ip),
                        ("mac", &a.mac),
                        ("vlan", &a.vlan),
                        ("interface", &a.interface),
                        ("age", &a.age),
                    ]));
                }
            }
            _ => return self.p.each_table_row(key, f),
        }
        true
    }
}

/// The first value `f` finds in the blocks below `nodes`, depth first.
fn find_nested(nodes: &[Node], f: &dyn Fn(&Node) -> Option<String>) -> Option<String> {
    nodes.iter().filter(|n| !n.layout).find_map(|n| {
        n.children
            .iter()
            .filter(|c| !c.layout)
            .find_map(f)
            .or_else(|| find_nested(&n.children, f))
    })
}

/// One VLAN: id, name, its ports (interfaces without an address whose access VLAN it is),
/// the record's other fields, and an address's `prefix`/`network` where it has one.
struct VlanVars<'a> {
    p: &'a Personality,
    id: &'a str,
    name: &'a str,
    ifs: &'a [IfView],
    extra: &'a views::Values,
    addr: &'a Addr,
}

impl Vars for VlanVars<'_> {
    fn get(&self, key: &str) -> Option<Cow<'_, str>> {
        match key {
            "id" => Some(Cow::Borrowed(self.id)),
            "name" => Some(Cow::Borrowed(self.name)),
            "prefix" if !self.addr.prefix.is_empty() => Some(Cow::Borrowed(&self.addr.prefix)),
            "mask" if !self.addr.mask.is_empty() => Some(Cow::Borrowed(&self.addr.mask)),
            "network" => self.addr.network().map(Cow::Owned),
            k => views::get(self.extra, k).map(Cow::Borrowed),
        }
    }

    fn each(&self, key: &str, f: &mut dyn FnMut(&dyn Vars)) -> bool {
        if key != "ports" {
            return false;
        }
        for (idx, it) in self.ifs.iter().enumerate() {
            let vlan = if it.vlan.is_empty() { "1" } else { &it.vlan };
            if it.addr.ip.is_empty() && vlan == self.id && it.name.chars().any(|c| c == '/') {
                f(&IfVars { p: self.p, it, idx });
            }
        }
        true
    }
}

struct IfVars<'a> {
    p: &'a Personality,
    it: &'a IfView,
    idx: usize,
}

impl Vars for IfVars<'_> {
    fn get(&self, key: &str) -> Option<Cow<'_, str>> {
        let it = self.it;
        let a = &it.addr;
        Some(match key {
            "name" | "interface" => Cow::Borrowed(&it.name),
            "short" => Cow::Borrowed(&it.short),
            "description" => Cow::Borrowed(&it.description),
            "ip" => Cow::Borrowed(&a.ip),
            "mask" => Cow::Borrowed(&a.mask),
            "prefix" => Cow::Borrowed(&a.prefix),
            "network" => Cow::Owned(a.network().unwrap_or_default()),
            "network_prefix" => Cow::Owned(format!("{}/{}", a.network()?, a.prefix)),
            "ip_host" if !a.ip.is_empty() => Cow::Owned(format!("{}/32", a.ip)),
            "up" => Cow::Borrowed(if it.up { "1" } else { "" }),
            "vlan" => Cow::Borrowed(if it.vlan.is_empty() { "1" } else { &it.vlan }),
            "vrf" => Cow::Borrowed(if it.vrf.is_empty() {
                "default"
            } else {
                &it.vrf
            }),
            "idx" => Cow::Owned(self.idx.to_string()),
            "name_unit" => Cow::Owned(format!("{}.0", it.name)),
            "ip_prefix" if !a.ip.is_empty() => Cow::Owned(format!("{}/{}", a.ip, a.prefix)),
            "mac_suffix" => Cow::Owned(format!("{:04x}", 0x1000 + self.idx)),
            // The port number at the end of the name (`ethernet 1/1/2` -> `2`; FastIron's
            // `show vlan` lists ports by it).
            "port_num" => Cow::Borrowed(port_num(&it.name)),
            "mac_a" => Cow::Owned(format!("{:02x}", 0x10 + self.idx / 256)),
            "mac_b" => Cow::Owned(format!("{:02x}", self.idx % 256)),
            k if k.starts_with("type_") => {
                let hit = is_type(&self.p.inventory.if_types, &it.name, &k[5..]);
                Cow::Borrowed(if hit { "1" } else { "" })
            }
            k => Cow::Borrowed(it.extra.iter().find(|(n, _)| n == k)?.1.as_str()),
        })
    }
}

/// The number after the last `/` or space of an interface name, or "" if there is none.
fn port_num(name: &str) -> &str {
    let last = name.rsplit(['/', ' ']).next().unwrap_or("");
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) && last.len() < name.len() {
        last
    } else {
        ""
    }
}
