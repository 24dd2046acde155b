//! netkeep-platform (under construction).
