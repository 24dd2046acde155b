//! netkeep-transport (under construction).
