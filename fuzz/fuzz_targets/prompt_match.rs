//! libFuzzer target: see `netkeep_reliability::fuzz::prompt_match`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netkeep_reliability::fuzz::prompt_match(data));
