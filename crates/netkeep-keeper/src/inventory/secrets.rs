//! Where a host's secrets come from: the login password (`password`, `password_env`,
//! `password_file`) and the enable secret (`secret`, `secret_env`, `secret_file`, or Nornir's
//! `connection_options: {netmiko: {extras: {secret: …}}}`). For each, the first entity of the
//! host's chain that gives any source wins, and it may give only one; a plain value is warned
//! about, an unset variable or unreadable file is an error at its line, a file other users may
//! read is warned about.

use std::path::{Path, PathBuf};

use super::load::Chain;
use super::raw::RawEntity;
use super::spec::{InventoryError, Secret};

/// The sources of one secret on one entity.
struct Sources<'a> {
    /// Values written in the file, each with the field that holds it.
    plain: Vec<(Secret, &'static str)>,
    env: Option<&'a String>,
    file: Option<&'a PathBuf>,
}

/// The names of one secret's fields.
struct Names {
    plain: &'static str,
    env: &'static str,
    file: &'static str,
}

const PASSWORD: Names = Names {
    plain: "password",
    env: "password_env",
    file: "password_file",
};

const ENABLE: Names = Names {
    plain: "secret",
    env: "secret_env",
    file: "secret_file",
};

/// The login password (or a key's passphrase), if the chain gives one.
pub(super) fn password(
    chain: &Chain<'_>,
    warnings: &mut Vec<String>,
) -> Result<Option<Secret>, InventoryError> {
    resolve(chain, &PASSWORD, warnings, |r| Sources {
        plain: r
            .password
            .clone()
            .map(|s| (s, "password"))
            .into_iter()
            .collect(),
        env: r.password_env.as_ref(),
        file: r.password_file.as_ref(),
    })
}

/// The enable secret (Netmiko's `secret`), if the chain gives one.
pub(super) fn enable_secret(
    chain: &Chain<'_>,
    warnings: &mut Vec<String>,
) -> Result<Option<Secret>, InventoryError> {
    resolve(chain, &ENABLE, warnings, |r| {
        let nornir = r
            .netmiko_extra("secret")
            .and_then(|v| v.as_str())
            .map(|s| (Secret::new(s), "connection_options.netmiko.extras.secret"));
        Sources {
            plain: r
                .secret
                .clone()
                .map(|s| (s, "secret"))
                .into_iter()
                .chain(nornir)
                .collect(),
            env: r.secret_env.as_ref(),
            file: r.secret_file.as_ref(),
        }
    })
}

fn resolve(
    chain: &Chain<'_>,
    names: &Names,
    warnings: &mut Vec<String>,
    sources: impl Fn(&RawEntity) -> Sources<'_>,
) -> Result<Option<Secret>, InventoryError> {
    let Some((e, n, mut s)) = chain.iter().find_map(|(e, n)| {
        let s = sources(&e.raw);
        let given = s.plain.len() + usize::from(s.env.is_some()) + usize::from(s.file.is_some());
        (given > 0).then_some((e, n, s))
    }) else {
        return Ok(None);
    };
    let given = s.plain.len() + usize::from(s.env.is_some()) + usize::from(s.file.is_some());
    if given > 1 {
        let mut fields: Vec<&str> = vec![names.plain, names.env, names.file];
        for (_, f) in &s.plain {
            if !fields.contains(f) {
                fields.push(f);
            }
        }
        return Err(e.err_at(
            names.plain,
            format!(
                "`{n}` sets more than one of {}; expected one",
                fields.join(", ")
            ),
        ));
    }
    if let Some((value, field)) = s.plain.pop() {
        let w = format!(
            "{}: `{n}` has a plain `{field}`; prefer {} or {}",
            e.origin.file.display(),
            names.env,
            names.file
        );
        if !warnings.contains(&w) {
            warnings.push(w);
        }
        return Ok(Some(value));
    }
    if let Some(var) = s.env {
        return std::env::var(var)
            .map(|v| Some(Secret::new(v)))
            .map_err(|_| {
                e.err_at(
                    names.env,
                    format!(
                        "`{n}`: environment variable `{var}` ({}) is not set",
                        names.env
                    ),
                )
            });
    }
    let Some(path) = s.file else {
        return Ok(None);
    };
    let full = e.origin.file.parent().unwrap_or(Path::new(".")).join(path);
    match std::fs::read_to_string(&full) {
        Ok(v) => {
            if let Some(w) = readable_by_others(names.file, &full) {
                if !warnings.contains(&w) {
                    warnings.push(w);
                }
            }
            Ok(Some(Secret::new(v.trim_end_matches(['\r', '\n']))))
        }
        Err(err) => Err(e.err_at(
            names.file,
            format!(
                "`{n}`: cannot read {} {}: {err}",
                names.file,
                full.display()
            ),
        )),
    }
}

/// A warning when a secret file may be read by other users (as for the API's token file).
fn readable_by_others(field: &str, path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    (mode & 0o077 != 0).then(|| {
        format!(
            "{field} {} is readable by other users (mode {:o}); chmod 600 it",
            path.display(),
            mode & 0o777
        )
    })
}
