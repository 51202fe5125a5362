//! The C ABI with arbitrary bytes: store creation and updates, context setters, every
//! evaluation entry point, null pointers included.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flagcore_conformance::fuzz_ffi::ffi(data));
