//! What a caller may do: the three scopes (`read` < `config` < `admin`) and the scope each
//! request needs. A token, a client certificate and a Unix user each hold one scope; a request
//! needing more is refused with 403 and the reason, before anything reaches a device.
//!
//! | scope | may |
//! |---|---|
//! | `read` | status, metrics, the spec, and exec of read-only commands ([`crate::command::read_scope`]) |
//! | `config` | also any other command, and configuration sets (commits and saves are commands) |
//! | `admin` | also reload the inventory and shut the daemon down |
//!
//! ```
//! use netkeep_keeper::scopes::{exec_needs, Scope};
//! let need = exec_needs(&["display clock".into()], &[]);
//! assert_eq!(need.scope, Scope::Read);
//! let need = exec_needs(&["system-view".into()], &[]);
//! assert_eq!(need.scope, Scope::Config);
//! assert!(need.why.contains("system-view"));
//! assert!(Scope::Admin.allows(Scope::Config) && !Scope::Read.allows(Scope::Config));
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A caller's rights, ordered: each scope includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Status, metrics, read-only commands.
    Read,
    /// Also any command and configuration sets.
    Config,
    /// Also reload and shutdown.
    Admin,
}

impl Scope {
    /// True when this scope includes `needed`.
    pub fn allows(self, needed: Scope) -> bool {
        self >= needed
    }

    /// The name in files, answers and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Config => "config",
            Scope::Admin => "admin",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = String;
    fn from_str(s: &str) -> Result<Scope, String> {
        match s {
            "read" => Ok(Scope::Read),
            "config" => Ok(Scope::Config),
            "admin" => Ok(Scope::Admin),
            _ => Err(format!(
                "unknown scope `{s}`, expected one of: read, config, admin"
            )),
        }
    }
}

/// The scope a request needs, and why (the text of a 403).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// The least scope that may run the request.
    pub scope: Scope,
    /// Why it needs more than `read`; empty when `read` suffices.
    pub why: String,
}

impl Need {
    /// A request any scope may make.
    pub fn read() -> Need {
        Need {
            scope: Scope::Read,
            why: String::new(),
        }
    }

    /// A request that needs `scope`, because `why`.
    pub fn of(scope: Scope, why: impl Into<String>) -> Need {
        Need {
            scope,
            why: why.into(),
        }
    }
}

/// What `POST /v1/exec` with `commands` needs: `read` when every command passes
/// [`crate::command::read_scope`] and no target device is in `shells` (devices whose platform
/// has no configuration mode: a Unix shell, where `sh ...` runs anything); `config` otherwise.
pub fn exec_needs(commands: &[String], shells: &[String]) -> Need {
    for c in commands {
        if let Err(why) = crate::command::read_scope(c) {
            return Need::of(Scope::Config, why);
        }
    }
    if let Some(d) = shells.first() {
        return Need::of(
            Scope::Config,
            format!("`{d}` is a shell platform (no configuration mode): which of its commands only read cannot be judged"),
        );
    }
    Need::read()
}

/// What `POST /v1/config` needs.
pub fn config_needs() -> Need {
    Need::of(Scope::Config, "a configuration set changes the device")
}

/// What `POST /v1/reload` and `POST /v1/shutdown` need.
pub fn admin_needs(what: &str) -> Need {
    Need::of(Scope::Admin, format!("{what} acts on the daemon itself"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_order_and_parse() {
        assert!(Scope::Read < Scope::Config && Scope::Config < Scope::Admin);
        for s in [Scope::Read, Scope::Config, Scope::Admin] {
            assert_eq!(s.as_str().parse::<Scope>().unwrap(), s);
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
        assert!("root"
            .parse::<Scope>()
            .unwrap_err()
            .contains("read, config, admin"));
    }

    #[test]
    fn a_shell_device_needs_config_even_for_show() {
        let n = exec_needs(&["sh -c reboot".into()], &["srv1".into()]);
        assert_eq!(n.scope, Scope::Config);
        assert!(n.why.contains("srv1"), "{}", n.why);
        assert_eq!(exec_needs(&["show clock".into()], &[]).scope, Scope::Read);
    }
}
