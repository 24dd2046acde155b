//! libFuzzer target: see `netkeep_reliability::fuzz::sim_input`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netkeep_reliability::fuzz::sim_input(data));
