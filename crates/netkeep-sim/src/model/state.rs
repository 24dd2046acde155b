//! One device's configuration state: the running configuration (a tree) and what is derived
//! from it (hostname, idle timeout, interfaces, VLANs), the startup configuration, the shared
//! candidate, the commit history and a pending `commit confirmed`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::names::short_name;
use super::seed::Seed;
use super::tree::{Change, Touched, Tree};
use super::views::{first, get, idle_of, records, unquote, Addr, Values};
use crate::personality::{LinePath, Personality, Tok};

/// Commits kept for `rollback N` (Junos keeps 50).
const HISTORY: usize = 50;

/// A runaway script must not grow a candidate forever.
pub const MAX_PENDING: usize = 100_000;

/// An interface as the show commands see it.
#[derive(Debug, Clone, Default)]
pub struct IfView {
    /// Full name.
    pub name: String,
    /// Short name.
    pub short: String,
    /// Description (unquoted).
    pub description: String,
    /// Address, mask, prefix.
    pub addr: Addr,
    /// Administratively up.
    pub up: bool,
    /// Access VLAN (empty: the default).
    pub vlan: String,
    /// VRF (empty: the default one).
    pub vrf: String,
    /// What the personality's other interface fields bound (ASA `nameif <nameif>`): template
    /// variables of the interface.
    pub extra: Values,
}

/// A `commit confirmed` waiting for its confirmation.
#[derive(Debug, Clone)]
pub struct Confirm {
    /// When it rolls back.
    pub deadline: Instant,
    /// The configuration it rolls back to.
    pub previous: Tree,
}

/// The device's configuration.
#[derive(Debug, Clone)]
pub struct DeviceState {
    /// Hostname (prompts follow it).
    pub hostname: String,
    /// VTY idle timeout applied to new sessions (`None` = never).
    pub idle: Option<Duration>,
    /// The running configuration.
    pub running: Tree,
    /// The startup configuration (what a reload comes back with).
    pub startup: Tree,
    /// No change since the last save.
    pub saved: bool,
    /// Shared candidate configuration (`candidate_config: shared`): changes not yet committed.
    pub pending: Vec<Change>,
    /// Earlier running configurations, newest first (`rollback 1` is the first).
    pub history: Vec<Tree>,
    /// A `commit confirmed` not yet confirmed.
    pub confirm: Option<Confirm>,
    /// When the running configuration was last committed (at start: the device's start), for
    /// Junos' `## Last commit:` line.
    pub committed_at: std::time::SystemTime,
    /// Physical interfaces: full and short names, in order.
    physical: Vec<(String, String)>,
    default_idle: Option<Duration>,
}

/// The first keyword of a path (what a touched top-level line must start with to matter).
fn head_word(path: &LinePath) -> Option<&str> {
    match path.first()?.first()? {
        Tok::Key { word, .. } => Some(word),
        _ => None,
    }
}

impl DeviceState {
    /// The state a device starts with: the seed's configuration, running and saved.
    pub fn new(p: &Personality, seed: &Seed, user: &str) -> Self {
        let tree = seed.tree(p, user);
        let mut s = DeviceState {
            hostname: seed.hostname.clone(),
            idle: seed.idle,
            startup: tree.clone(),
            running: tree,
            saved: true,
            pending: Vec::new(),
            history: Vec::new(),
            confirm: None,
            committed_at: std::time::SystemTime::now(),
            physical: seed
                .interfaces
                .iter()
                .map(|i| (i.name.clone(), i.short.clone()))
                .collect(),
            default_idle: p.terminal.default_idle_timeout,
        };
        s.refresh(p, &Touched::All);
        // The configured timeout as given (the configuration holds it in whole seconds).
        s.idle = seed.idle;
        s
    }

    /// Applies a change to the running configuration.
    pub fn apply(&mut self, p: &Personality, c: &Change) {
        let touched = self.running.apply(&p.config, c);
        if touched != Touched::Nothing {
            self.saved = false;
            self.refresh(p, &touched);
        }
    }

    /// Re-reads what is derived from the configuration, where `touched` may have changed it.
    fn refresh(&mut self, p: &Personality, touched: &Touched) {
        let cm = &p.config;
        let hit = |path: &LinePath| match touched {
            Touched::Nothing => false,
            Touched::All => true,
            Touched::Top(line) => {
                let w = line.split_whitespace().next().unwrap_or("");
                head_word(path).is_none_or(|h| h.eq_ignore_ascii_case(w))
            }
        };
        if let Some(h) = cm.hostname.as_ref().filter(|h| hit(h)) {
            if let Some(name) = first(&self.running.top, h)
                .as_ref()
                .and_then(|v| get(v, "name"))
            {
                self.hostname = unquote(name).to_string();
            }
        }
        if let Some(r) = cm.idle.as_ref().filter(|r| hit(&r.block)) {
            let configured = records(&self.running, r).iter().find_map(idle_of);
            self.idle = configured.unwrap_or(self.default_idle);
        }
    }

    /// Applies committed changes: the running configuration before goes to the history, and
    /// a pending `commit confirmed` is confirmed.
    pub fn commit(&mut self, p: &Personality, changes: &[Change]) {
        self.history.insert(0, self.running.clone());
        self.history.truncate(HISTORY);
        self.confirm = None;
        self.committed_at = std::time::SystemTime::now();
        for c in changes {
            self.apply(p, c);
        }
    }

    /// Commits, to be rolled back at `deadline` unless confirmed by another commit.
    pub fn commit_confirmed(&mut self, p: &Personality, changes: &[Change], deadline: Instant) {
        let previous = self.running.clone();
        self.commit(p, changes);
        self.confirm = Some(Confirm { deadline, previous });
    }

    /// Rolls an unconfirmed `commit confirmed` back once its time is up.
    pub fn expire_confirm(&mut self, p: &Personality) {
        let due = self
            .confirm
            .as_ref()
            .is_some_and(|c| Instant::now() >= c.deadline);
        if !due {
            return;
        }
        if let Some(c) = self.confirm.take() {
            self.commit(p, &[Change::Replace(Box::new(c.previous))]);
        }
    }

    /// The configuration `rollback n` loads: 0 the running one, n the nth commit before.
    pub fn rollback_tree(&self, n: usize) -> Option<Tree> {
        match n {
            0 => Some(self.running.clone()),
            n => self.history.get(n - 1).cloned(),
        }
    }

    /// The running configuration with `pending` applied.
    pub fn candidate(&self, p: &Personality, pending: &[Change]) -> Tree {
        let mut t = self.running.clone();
        for c in pending {
            t.apply(&p.config, c);
        }
        t
    }

    /// The running configuration becomes the startup configuration.
    pub fn save(&mut self) {
        self.startup = self.running.clone();
        self.saved = true;
    }

    /// After a reload: the startup configuration runs; uncommitted changes are gone.
    pub fn reload(&mut self, p: &Personality) {
        self.running = self.startup.clone();
        self.pending.clear();
        self.confirm = None;
        self.saved = true;
        let idle = self.idle;
        self.refresh(p, &Touched::All);
        // A reboot keeps the timeout the device was started with unless the config changed it.
        if self.running == self.startup {
            self.idle = self.idle.or(idle);
        }
    }

    /// Every interface: the physical ones, then those the configuration creates (names
    /// unquoted: FortiOS writes `edit "port1"`).
    pub fn interfaces(&self, p: &Personality) -> Vec<IfView> {
        let recs = records(&self.running, &p.config.interface);
        let mut by_name: HashMap<&str, &Values> = HashMap::with_capacity(recs.len());
        for r in &recs {
            if let Some(n) = get(r, "name").map(unquote) {
                by_name.entry(n).or_insert(r);
            }
        }
        let mut out: Vec<IfView> = Vec::with_capacity(self.physical.len() + 4);
        for (name, short) in &self.physical {
            out.push(view(name, short, by_name.remove(name.as_str())));
        }
        for r in &recs {
            if let Some(n) = get(r, "name")
                .map(unquote)
                .filter(|n| by_name.contains_key(n))
            {
                by_name.remove(n);
                out.push(view(n, &short_name(&p.inventory.if_types, n), Some(r)));
            }
        }
        out
    }

    /// VLANs by id, with their names (the personality's default name when none is set) and
    /// what the record's other fields bound (ProCurve's `ip address` in a VLAN).
    pub fn vlans(&self, p: &Personality) -> Vec<(u32, String, Values)> {
        let mut out: Vec<(u32, String, Values)> = Vec::new();
        if let Some(r) = &p.config.vlan {
            for v in records(&self.running, r) {
                let Some(id) = get(&v, "id").and_then(|i| i.parse::<u32>().ok()) else {
                    continue;
                };
                let name = get(&v, "name").map(|n| unquote(n).to_string());
                let extra = v
                    .iter()
                    .filter(|(k, _)| k != "id" && k != "name")
                    .map(|(k, x)| (k.clone(), unquote(x).to_string()))
                    .collect();
                out.push((id, name.unwrap_or_default(), extra));
            }
        }
        if !out.iter().any(|(id, _, _)| *id == 1) {
            out.push((1, String::new(), Values::new()));
        }
        out.sort_by_key(|(id, _, _)| *id);
        out.dedup_by_key(|(id, _, _)| *id);
        out
    }

    /// Static routes: destination, via, VRF (empty: the default one).
    pub fn static_routes(&self, p: &Personality) -> Vec<(Addr, String, String)> {
        let Some(r) = &p.config.route else {
            return Vec::new();
        };
        records(&self.running, r)
            .iter()
            .map(|v| {
                let dest = Addr::parse(get(v, "dest").unwrap_or(""), get(v, "mask").unwrap_or(""));
                let via = get(v, "via").unwrap_or("").to_string();
                (dest, via, get(v, "vrf").unwrap_or("").to_string())
            })
            .collect()
    }
}

fn view(name: &str, short: &str, v: Option<&Values>) -> IfView {
    let Some(v) = v else {
        return IfView {
            name: name.to_string(),
            short: short.to_string(),
            up: true,
            ..IfView::default()
        };
    };
    IfView {
        name: name.to_string(),
        short: short.to_string(),
        description: get(v, "description").map(unquote).unwrap_or("").to_string(),
        addr: Addr::parse(get(v, "ip").unwrap_or(""), get(v, "mask").unwrap_or("")),
        up: get(v, "shutdown").is_none(),
        vlan: get(v, "vlan").unwrap_or("").to_string(),
        vrf: get(v, "vrf").unwrap_or("").to_string(),
        extra: v
            .iter()
            .filter(|(k, _)| !VIEW_KEYS.contains(&k.as_str()))
            .map(|(k, x)| (k.clone(), unquote(x).to_string()))
            .collect(),
    }
}

/// The values [`IfView`] has fields for.
const VIEW_KEYS: [&str; 7] = [
    "name",
    "description",
    "ip",
    "mask",
    "shutdown",
    "vlan",
    "vrf",
];
