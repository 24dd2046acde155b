//! netkeep-keeper: the `netkeep serve` daemon — inventory, warm session pools, and the API.
pub mod inventory;
