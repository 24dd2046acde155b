//! netkeep-channel (under construction).
