//! Runs one flagcore scenario in a loop, for a profiler:
//!
//! ```text
//! cargo build --profile bench -p flagcore-benches --bin profile
//! valgrind --tool=callgrind target/release/profile 1-bool-on 100000
//! ```
//! (The bench profile builds into target/release.) `handle/1-bool-on` runs the scenario's
//! flag through a `FlagHandle` (`Store::flag`) instead of by key.

use std::hint::black_box;

use flagcore_benches::flagcore_engine::Flagcore;
use flagcore_benches::{Engine, Prepared, Scenario, User};

fn through_a_handle(id: &str, runs: u64) {
    let Some(key) = Scenario::ALL
        .into_iter()
        .find(|s| s.id() == id)
        .and_then(Scenario::flag)
    else {
        eprintln!("{id:?} is not a single-flag scenario");
        std::process::exit(2);
    };
    let store = Flagcore::load(&Flagcore::scenarios_config()).expect("scenarios config");
    let ctx = Flagcore::context(&User::bench()).expect("context");
    let handle = store.flag(key);
    let mut sum = 0usize;
    for _ in 0..runs {
        sum += usize::from(black_box(&handle).is_enabled(black_box(&ctx)));
    }
    black_box(sum);
}

fn main() {
    let mut args = std::env::args().skip(1);
    let id = args.next().unwrap_or_else(|| "1-bool-on".to_owned());
    let runs: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    if let Some(id) = id.strip_prefix("handle/") {
        return through_a_handle(id, runs);
    }
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
