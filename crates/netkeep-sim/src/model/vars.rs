//! The variables device-level templates see: hostname, user, clock, uptime, VTY settings, and
//! the interface, VLAN and ARP lists.

use std::borrow::Cow;
use std::time::Duration;

use super::clock::Clock;
use super::state::{DeviceState, Interface};
use crate::personality::Personality;
use crate::template::{Pairs, Scope, Vars};

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
}

impl DeviceVars<'_> {
    fn clock_var(&self, key: &str) -> Option<String> {
        let c = &self.clock;
        let up = self.uptime.as_secs();
        Some(match key {
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
            _ => return None,
        })
    }

    fn vty_var(&self, key: &str) -> Option<String> {
        let idle = self.st.idle.map_or(0, |d| d.as_secs());
        Some(match key {
            "vty_first" => self.p.inventory.vty_first.to_string(),
            "vty_last" => self.p.inventory.vty_last.to_string(),
            "idle_set" if self.st.idle_configured => "1".into(),
            "idle_set" => String::new(),
            "idle_min" => (idle / 60).to_string(),
            "idle_sec" => (idle % 60).to_string(),
            _ => return None,
        })
    }
}

impl Vars for DeviceVars<'_> {
    fn get(&self, key: &str) -> Option<Cow<'_, str>> {
        match key {
            "hostname" => Some(Cow::Borrowed(&self.st.hostname)),
            "user" => Some(Cow::Borrowed(self.user)),
            _ => self
                .clock_var(key)
                .or_else(|| self.vty_var(key))
                .map(Cow::Owned),
        }
    }

    fn each(&self, key: &str, f: &mut dyn FnMut(&dyn Vars)) -> bool {
        match key {
            "interfaces" => {
                for (i, it) in self.st.interfaces.iter().enumerate() {
                    f(&IfVars { it, idx: i });
                }
            }
            "vlans" => {
                for id in self.st.vlans.keys() {
                    let ids = id.to_string();
                    let name = self.p.inventory.vlan_name.to_string(&Scope {
                        vars: &Pairs(&[("id", &ids)]),
                        parent: None,
                    });
                    f(&Pairs(&[("id", &ids), ("name", &name)]));
                }
            }
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
            _ => return false,
        }
        true
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

/// Lines of the running configuration for a state (used to size `config_lines` padding).
pub fn running_config_lines(p: &Personality, st: &DeviceState) -> usize {
    let Some(t) = p.outputs.get("running_config") else {
        return 0;
    };
    let dv = DeviceVars {
        p,
        st,
        user: "admin",
        uptime: Duration::ZERO,
        clock: Clock::now(),
    };
    t.to_string(&Scope {
        vars: &dv,
        parent: None,
    })
    .lines()
    .count()
}
