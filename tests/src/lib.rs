//! The flagcore conformance suite.
//!
//! - The `gen-vectors` binary writes the golden vectors of `tests/vectors/` from the Rust
//!   core; `scripts/test-vectors` and the `frozen` test check that regenerating gives
//!   byte-identical files, so the vectors are frozen.
//! - [`replay`] replays vector files through the Rust core (the integration tests call it).
//! - [`fuzz`] holds the fuzz targets' bodies, shared by the cargo-fuzz crate in `fuzz/` and
//!   by the regression test that replays the committed corpus and crashers on `cargo test`.
//!
//! The vector format is described in `tests/vectors/README.md`.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod fuzz;
pub mod fuzz_ffi;
pub mod replay;
mod rng;

pub use rng::SplitMix64;
