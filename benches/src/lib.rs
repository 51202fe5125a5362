//! Benchmarks (see issue: benches).
