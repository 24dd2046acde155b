//! netkeep-session (under construction).
