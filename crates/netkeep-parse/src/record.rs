//! What parsing returns: records of named fields, serde-serializable as JSON objects.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// One parsed record: lower-cased Value names (as Netmiko returns them), in template order.
pub type Record = IndexMap<String, Field>;

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

/// Builds records from rows of fields under a header (Value names): keys are lower-cased, and a
/// later column whose lower-cased name repeats an earlier one replaces its value in place, as a
/// Python dict does.
pub(crate) fn to_records(header: &[String], rows: Vec<Vec<Field>>) -> Records {
    let keys: Vec<String> = header.iter().map(|h| h.to_lowercase()).collect();
    rows.into_iter()
        .map(|row| keys.iter().cloned().zip(row).collect::<Record>())
        .collect()
}
