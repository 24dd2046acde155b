//! libFuzzer target: see `netkeep_parse::fuzz::textfsm` (template text, output text, Python
//! patterns).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netkeep_parse::fuzz::textfsm(data));
