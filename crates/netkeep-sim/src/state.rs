//! Per-device configuration state, shared by all sessions of a device, and the variables
//! templates see when rendering outputs from it.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::personality::{IfType, Personality};
use crate::template::{Pairs, Scope, Vars};

/// One interface of the simulated device.
#[derive(Debug, Clone)]
pub struct Interface {
    pub name: String,
    pub short: String,
    pub description: String,
    pub ip: String,
    pub mask: String,
    pub prefix: String,
    pub up: bool,
}

/// The device's configuration.
#[derive(Debug, Clone)]
pub struct DeviceState {
    pub hostname: String,
    pub interfaces: Vec<Interface>,
    index: HashMap<String, usize>,
    pub vlans: BTreeMap<u32, ()>,
    /// VTY idle timeout applied to new sessions (`None` = never).
    pub idle: Option<Duration>,
    /// True once the idle timeout was set explicitly (shown in the running config).
    pub idle_configured: bool,
    pub saved: bool,
    /// Shared candidate configuration (platforms with `commit`): changes not yet committed.
    pub pending: Vec<crate::engine::Change>,
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
    /// Initial state from the personality, padded with `config_lines` worth of interfaces.
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
        for i in &p.initial_interfaces {
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
            short: short_name(&p.if_types, name),
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
                let slot = 2 + n / p.ports_per_slot;
                let port = 1 + n % p.ports_per_slot;
                n += 1;
                let name = p.padding_interface.to_string(&Scope {
                    vars: &Pairs(&[("slot", &slot.to_string()), ("port", &port.to_string())]),
                    parent: None,
                });
                let i = s.ensure_interface(p, &name);
                s.interfaces[i].description =
                    format!("access port {slot}/{port} room {}", 100 + n % 400);
                s.interfaces[i].up = !n.is_multiple_of(3);
                s.vlans.insert(100 + (n % 3000), ());
            }
        };
        add(self, 50);
        let per = (render_lines(self).saturating_sub(base)).max(1) as f64 / 50.0;
        let more = ((lines - base) as f64 / per).ceil() as i64 - 50;
        if more > 0 {
            add(self, more as u32);
        }
    }
}

/// Broken-down UTC wall clock time for templates.
pub struct Clock {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub min: u32,
    pub sec: u32,
    pub ms: u32,
    pub dow: u32,
}

impl Clock {
    pub fn now() -> Clock {
        let d = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let secs = d.as_secs() as i64;
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        // Civil-from-days (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Clock {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            min: (rem % 3600 / 60) as u32,
            sec: (rem % 60) as u32,
            ms: d.subsec_millis(),
            dow: ((days + 4).rem_euclid(7)) as u32,
        }
    }
}

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
    pub p: &'a Personality,
    pub st: &'a DeviceState,
    pub user: &'a str,
    pub uptime: Duration,
    pub clock: Clock,
}

impl Vars for DeviceVars<'_> {
    fn get(&self, key: &str) -> Option<Cow<'_, str>> {
        let c = &self.clock;
        let up = self.uptime.as_secs();
        let v: String = match key {
            "hostname" => return Some(Cow::Borrowed(&self.st.hostname)),
            "user" => return Some(Cow::Borrowed(self.user)),
            "year" => c.year.to_string(),
            "month" => format!("{:02}", c.month),
            "mon" => MONTHS[(c.month as usize + 11) % 12].to_string(),
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
            "vty_first" => self.p.vty_first.to_string(),
            "vty_last" => self.p.vty_last.to_string(),
            "idle_set" => {
                if self.st.idle_configured {
                    "1".into()
                } else {
                    String::new()
                }
            }
            "idle_min" => (self.st.idle.map_or(0, |d| d.as_secs()) / 60).to_string(),
            "idle_sec" => (self.st.idle.map_or(0, |d| d.as_secs()) % 60).to_string(),
            _ => return None,
        };
        Some(Cow::Owned(v))
    }

    fn each(&self, key: &str, f: &mut dyn FnMut(&dyn Vars)) -> bool {
        match key {
            "interfaces" => {
                for (i, it) in self.st.interfaces.iter().enumerate() {
                    f(&IfVars { it, idx: i });
                }
                true
            }
            "vlans" => {
                for id in self.st.vlans.keys() {
                    let ids = id.to_string();
                    let name = self.p.vlan_name.to_string(&Scope {
                        vars: &Pairs(&[("id", &ids)]),
                        parent: None,
                    });
                    f(&Pairs(&[("id", &ids), ("name", &name)]));
                }
                true
            }
            "arp" => {
                for a in &self.p.arp {
                    f(&Pairs(&[
                        ("ip", &a.ip),
                        ("mac", &a.mac),
                        ("vlan", &a.vlan),
                        ("interface", &a.interface),
                        ("age", &a.age),
                    ]));
                }
                true
            }
            _ => false,
        }
    }
}

struct IfVars<'a> {
    it: &'a Interface,
    idx: usize,
}

impl Vars for IfVars<'_> {
    fn get(&self, key: &str) -> Option<Cow<'_, str>> {
        let it = self.it;
        Some(match key {
            "name" => Cow::Borrowed(&it.name),
            "short" => Cow::Borrowed(&it.short),
            "description" => Cow::Borrowed(&it.description),
            "ip" => Cow::Borrowed(&it.ip),
            "mask" => Cow::Borrowed(&it.mask),
            "prefix" => Cow::Borrowed(&it.prefix),
            "up" => Cow::Borrowed(if it.up { "1" } else { "" }),
            "idx" => Cow::Owned(self.idx.to_string()),
            "name_unit" => Cow::Owned(format!("{}.0", it.name)),
            "ip_prefix" if !it.ip.is_empty() => Cow::Owned(format!("{}/{}", it.ip, it.prefix)),
            "mac_suffix" => Cow::Owned(format!("{:04x}", 0x1000 + self.idx)),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_is_plausible() {
        let c = Clock::now();
        assert!(c.year >= 2024 && (1..=12).contains(&c.month) && (1..=31).contains(&c.day));
    }

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
