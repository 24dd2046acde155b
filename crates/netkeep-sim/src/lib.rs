//! netkeep-sim (under construction).
