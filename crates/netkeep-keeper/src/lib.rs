//! netkeep-keeper: the `netkeep serve` daemon — inventory, warm session pools, and the API.
pub mod inventory;
pub mod keeper;
pub mod session;
