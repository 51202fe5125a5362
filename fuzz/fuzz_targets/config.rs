//! Config parse + validate + compile (+ evaluate what loads), on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flagcore_conformance::fuzz::config(data));
