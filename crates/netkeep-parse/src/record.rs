//! What parsing returns: records of named fields, serde-serializable as JSON objects.

use std::sync::Arc;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// One parsed record: lower-cased Value names (as Netmiko returns them), in template order.
/// The keys are shared by every record of a template (a record costs no allocation per key);
/// look fields up by `&str` as usual: `record["interface"]`.
pub type Record = IndexMap<Arc<str>, Field>;

/// Every record a parse produced, in order.
pub type Records = Vec<Record>;

/// A field of a record: a string, or a list for `List` Values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Field {
    /// A plain Value (empty when it never matched).
    Text(String),
    /// A `List` Value.
    List(Vec<Item>),
}

/// One entry of a `List` field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Item {
    /// The matched text.
    Text(String),
    /// The nested named groups of a List Value such as `((?P<name>\w+)\s+(?P<age>\d+))`
    /// (a group that did not take part is `None`).
    Groups(IndexMap<String, Option<String>>),
    /// The Value's group did not take part in the rule's match (JSON `null`).
    Missing,
}

impl Field {
    /// The text of a plain field, `None` for a list.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Field::Text(s) => Some(s),
            Field::List(_) => None,
        }
    }

    /// Python truthiness: a non-empty string or list.
    pub(crate) fn is_set(&self) -> bool {
        match self {
            Field::Text(s) => !s.is_empty(),
            Field::List(l) => !l.is_empty(),
        }
    }
}

/// The records of one header (Value names): keys lower-cased, and a later column whose
/// lower-cased name repeats an earlier one replaces its value in place, as a Python dict does.
/// Built once per template: each record is then a copy of a keyed prototype (no hashing) with
/// the row's fields moved in.
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    proto: Record,
    /// Column → position in the record.
    slot: Vec<usize>,
}

impl Shape {
    pub fn new(header: &[String]) -> Shape {
        let mut proto = Record::with_capacity(header.len());
        let slot = header
            .iter()
            .map(|h| {
                proto
                    .insert_full(Arc::from(h.to_lowercase()), Field::Text(String::new()))
                    .0
            })
            .collect();
        Shape { proto, slot }
    }

    pub fn records(&self, rows: Vec<Vec<Field>>) -> Records {
        rows.into_iter()
            .map(|row| {
                let mut r = self.proto.clone();
                for (field, &i) in row.into_iter().zip(&self.slot) {
                    if let Some((_, v)) = r.get_index_mut(i) {
                        *v = field;
                    }
                }
                r
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_lower_cased_and_a_repeated_key_keeps_its_place_and_the_last_value() {
        let header = ["Name", "AGE", "name"].map(String::from);
        let t = |s: &str| Field::Text(s.into());
        let rows = vec![vec![t("a"), t("1"), t("b")], vec![t("c"), t("2"), t("d")]];
        let r = Shape::new(&header).records(rows);
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"[{"name":"b","age":"1"},{"name":"d","age":"2"}]"#
        );
    }
}
