//! netkeep-keeper (under construction).
