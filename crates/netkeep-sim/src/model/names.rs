//! Interface names: the vendor's short form (`GE1/0/1`) and typed abbreviations expanded
//! (`gi1/0/1` → `GigabitEthernet1/0/1`).

use crate::personality::IfType;

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

/// True if `name` is an interface of the type whose long name, lower case without punctuation,
/// is `ty` (`ethernet`, `mgmt`, `tengige`): the `{{?type_…}}` test of templates.
pub fn is_type(types: &[IfType], name: &str, ty: &str) -> bool {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    types.iter().any(|t| {
        squash(&t.name) == ty
            && name
                .strip_prefix(t.name.as_str())
                .is_some_and(|r| r.is_empty() || r.starts_with(|c: char| c.is_ascii_digit()))
    })
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
