//! Replays vector files through the Rust core.
