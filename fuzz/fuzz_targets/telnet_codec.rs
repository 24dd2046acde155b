//! libFuzzer target: see `netkeep_reliability::fuzz::telnet_codec`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netkeep_reliability::fuzz::telnet_codec(data));
