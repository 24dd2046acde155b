//! Merging an inventory as read into devices: the user platform directory and the platform names,
//! group references and each host's chain (host, its groups depth-first, defaults), group
//! members. One host's settings are taken along its chain in [`super::host`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::host::{resolve_host, Context};
use super::load::{Entry, Parsed};
use super::platforms::KnownPlatforms;
use super::reach::{self, SshConfigs};
use super::spec::{Inventory, InventoryError, LoadOptions};
use netkeep::{telnet_platform, Protocol};

/// Checks and merges a parsed inventory.
pub(super) fn resolve(mut parsed: Parsed, opts: &LoadOptions) -> Result<Inventory, InventoryError> {
    let mut warnings = Vec::new();
    let platform_dir = platform_dir(&parsed, opts, &mut warnings)?;
    let known = known_platforms(&parsed, platform_dir.as_deref())?;
    canonical_platforms(&mut parsed, &known)?;
    check_group_refs(&parsed)?;
    if parsed.hosts.is_empty() {
        warnings.push(format!(
            "{}: the inventory has no hosts",
            parsed.source.display()
        ));
    }
    let ssh = SshConfigs::new(opts.ssh_config.clone(), &parsed.source);
    let cx = Context {
        known: &known,
        platform_dir: platform_dir.clone(),
        ssh: &ssh,
    };
    let mut devices = BTreeMap::new();
    let mut pending = BTreeMap::new();
    let mut members: BTreeMap<String, Vec<String>> = parsed
        .groups
        .keys()
        .map(|g| (g.clone(), Vec::new()))
        .collect();
    for (name, host) in &parsed.hosts {
        let mut chain_names = Vec::new();
        group_chain(
            host.raw.groups.as_deref().unwrap_or(&[]),
            &parsed.groups,
            &mut chain_names,
            &mut Vec::new(),
        )
        .map_err(|m| host.err_at("groups", format!("host `{name}`: {m}")))?;
        // Resolution chain: host, its groups in order, defaults; each with its display name.
        let mut chain: Vec<(&Entry, String)> = vec![(host, name.clone())];
        for g in &chain_names {
            chain.push((&parsed.groups[g], g.clone()));
            if let Some(m) = members.get_mut(g) {
                m.push(name.clone());
            }
        }
        chain.push((&parsed.defaults, "defaults".into()));
        let (spec, p) = resolve_host(name, &chain, &chain_names, &cx, &mut warnings)?;
        devices.insert(name.clone(), spec);
        pending.insert(name.clone(), p);
    }
    reach::routes(&mut devices, &pending)?;
    drop(pending);
    warnings.extend(ssh.warnings.take());
    Ok(Inventory {
        devices,
        groups: members,
        warnings,
        source: parsed.source,
        platform_dir,
    })
}

/// Every entity with the name errors call it by: the defaults, groups, hosts.
fn entities(parsed: &Parsed) -> impl Iterator<Item = (&str, &Entry)> {
    std::iter::once(("defaults", &parsed.defaults))
        .chain(parsed.groups.iter().map(|(n, e)| (n.as_str(), e)))
        .chain(parsed.hosts.iter().map(|(n, e)| (n.as_str(), e)))
}

/// The user platform directory: `--platform-dir` (`opts`), else the defaults' `platform_dir`
/// (relative to the file that sets it). It is one directory for the whole inventory, so groups
/// and hosts may not set it.
fn platform_dir(
    parsed: &Parsed,
    opts: &LoadOptions,
    warnings: &mut Vec<String>,
) -> Result<Option<PathBuf>, InventoryError> {
    if let Some((n, e)) = entities(parsed)
        .skip(1)
        .find(|(_, e)| e.raw.platform_dir.is_some())
    {
        return Err(e.err_at(
            "platform_dir",
            format!("`{n}`: platform_dir can only be set in the defaults (one platform directory for the whole inventory)"),
        ));
    }
    let d = &parsed.defaults;
    let own = d.raw.platform_dir.as_ref().map(|p| {
        let base = d.origin.file.parent().unwrap_or(Path::new("."));
        base.join(p)
    });
    match (&opts.platform_dir, own) {
        (Some(flag), Some(own)) if *flag != own => {
            warnings.push(format!(
                "{}: platform_dir {} is overridden by --platform-dir {}",
                d.origin.file.display(),
                own.display(),
                flag.display()
            ));
            Ok(Some(flag.clone()))
        }
        (Some(flag), _) => Ok(Some(flag.clone())),
        (None, own) => Ok(own),
    }
}

/// The built-in platforms plus those of `dir`; a directory that cannot be read or a platform
/// file that does not load stops the inventory here rather than at every connect.
fn known_platforms(parsed: &Parsed, dir: Option<&Path>) -> Result<KnownPlatforms, InventoryError> {
    let Some(dir) = dir else {
        return Ok(KnownPlatforms::builtin());
    };
    KnownPlatforms::with_dir(dir).map_err(|e| {
        let d = &parsed.defaults;
        if d.raw.platform_dir.is_some() {
            d.err_at("platform_dir", format!("platform_dir: {e}"))
        } else {
            InventoryError {
                file: parsed.source.clone(),
                location: None,
                message: format!("--platform-dir: {e}"),
            }
        }
    })
}

/// Checks every `platform:` (defaults, groups, hosts) and replaces it by its canonical name; a
/// Netmiko `<platform>_telnet` name also sets `protocol: telnet` where it is written.
fn canonical_platforms(parsed: &mut Parsed, known: &KnownPlatforms) -> Result<(), InventoryError> {
    let groups = parsed.groups.values_mut();
    let hosts = parsed.hosts.iter_mut().map(|(_, e)| e);
    for e in std::iter::once(&mut parsed.defaults)
        .chain(groups)
        .chain(hosts)
    {
        let Some(p) = &e.raw.platform else { continue };
        if let Some(c) = known.canonical(p) {
            e.raw.platform = Some(c);
            continue;
        }
        let telnet = telnet_platform(p).and_then(|base| known.canonical(base));
        let Some(c) = telnet else {
            let msg = format!("unknown platform `{p}`, expected one of: {}", known.list());
            return Err(e.err_at("platform", msg));
        };
        if e.raw.protocol == Some(Protocol::Ssh) {
            let msg = format!("platform `{p}` means telnet, but `protocol: ssh` is set beside it; write `platform: {c}` for SSH");
            return Err(e.err_at("protocol", msg));
        }
        e.raw.protocol = Some(Protocol::Telnet);
        e.raw.platform = Some(c);
    }
    Ok(())
}

/// Every group a group or host names must be defined.
fn check_group_refs(parsed: &Parsed) -> Result<(), InventoryError> {
    let known: BTreeSet<&str> = parsed.groups.keys().map(|s| s.as_str()).collect();
    let groups = parsed.groups.iter().map(|(n, e)| (n, e, "group"));
    let hosts = parsed.hosts.iter().map(|(n, e)| (n, e, "host"));
    for (name, entry, what) in groups.chain(hosts) {
        let refs = entry.raw.groups.as_deref().unwrap_or(&[]);
        let Some(g) = refs.iter().find(|g| !known.contains(g.as_str())) else {
            continue;
        };
        let list = if known.is_empty() {
            "none are defined".to_string()
        } else {
            let names: Vec<&str> = known.iter().copied().collect();
            format!("defined groups: {}", names.join(", "))
        };
        return Err(entry.err_at(
            g,
            format!("{what} `{name}` is in unknown group `{g}` ({list})"),
        ));
    }
    Ok(())
}

/// Depth-first group order of an entity (Nornir: each group, then that group's own groups).
fn group_chain(
    start: &[String],
    groups: &BTreeMap<String, Entry>,
    out: &mut Vec<String>,
    stack: &mut Vec<String>,
) -> Result<(), String> {
    for g in start {
        if stack.contains(g) {
            return Err(format!("group cycle: {} -> {g}", stack.join(" -> ")));
        }
        if out.contains(g) {
            continue;
        }
        let Some(entry) = groups.get(g) else { continue };
        out.push(g.clone());
        stack.push(g.clone());
        group_chain(
            entry.raw.groups.as_deref().unwrap_or(&[]),
            groups,
            out,
            stack,
        )?;
        stack.pop();
    }
    Ok(())
}
