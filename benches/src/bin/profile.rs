//! Runs one flagcore scenario in a loop, for a profiler:
//!
//! ```text
//! cargo build --profile bench -p flagcore-benches --bin profile
//! valgrind --tool=callgrind target/release/profile 1-bool-on 100000
//! ```
//! (The bench profile builds into target/release.)

use std::hint::black_box;

use flagcore_benches::flagcore_engine::Flagcore;
use flagcore_benches::{Prepared, Scenario};

fn main() {
    let mut args = std::env::args().skip(1);
    let id = args.next().unwrap_or_else(|| "1-bool-on".to_owned());
    let runs: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let Some(scenario) = Scenario::ALL.into_iter().find(|s| s.id() == id) else {
        eprintln!(
            "unknown scenario {id:?}; one of: {:?}",
            Scenario::ALL.map(Scenario::id)
        );
        std::process::exit(2);
    };
    let prepared: Prepared<Flagcore> = Prepared::new().expect("configs load");
    let mut sum = 0usize;
    for _ in 0..runs {
        if scenario.is_load() {
            black_box(prepared.load(scenario).expect("config loads"));
        } else {
            sum += prepared.evaluate(black_box(scenario));
        }
    }
    black_box(sum);
}
