//! Evaluation with arbitrary contexts, overrides and times.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flagcore_conformance::fuzz::evaluate(data));
