//! Heap allocations per operation, for flagcore and each peer, counted by a global
//! allocator that wraps the system one. Writes `target/bench-results/raw/allocs.json`
//! (rows with `allocs` and notes; criterion supplies the times).
//!
//! `cargo run --profile bench -p flagcore-benches --bin allocs -- [--quick] [--out PATH]`

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use flagcore_benches::flagcore_engine::Flagcore;
use flagcore_benches::growthbook::Growthbook;
use flagcore_benches::launchdarkly::LaunchDarkly;
use flagcore_benches::results::{self, Row};
use flagcore_benches::unleash::Unleash;
use flagcore_benches::{Engine, Prepared, Scenario};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; the wrapper only
// counts, so the GlobalAlloc contract is the system allocator's.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's pointer, layout and size.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations (allocs, zeroed allocs and reallocs) per run of `f`, after warming up.
fn per_run(runs: u64, mut f: impl FnMut()) -> f64 {
    for _ in 0..runs.min(10) {
        f();
    }
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..runs {
        f();
    }
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    (after - before) as f64 / runs as f64
}

fn count<E: Engine>(quick: bool, rows: &mut Vec<Row>) {
    let prepared: Prepared<E> = Prepared::new().expect("configs load");
    for scenario in Scenario::ALL {
        let mut row = Row::new(scenario.id(), E::NAME);
        if let Some(why) = E::cannot_express(scenario) {
            row.note = format!("cannot express: {why}");
            rows.push(row);
            continue;
        }
        row.note = E::note(scenario).unwrap_or_default().to_owned();
        let allocs = if scenario.is_load() {
            per_run(if quick { 1 } else { 3 }, || {
                black_box(prepared.load(scenario).expect("the config loads"));
            })
        } else {
            per_run(if quick { 100 } else { 10_000 }, || {
                black_box(prepared.evaluate(black_box(scenario)));
            })
        };
        row.allocs = Some(allocs);
        eprintln!(
            "{:<22} {:<20} {allocs:>10.2} allocs/op",
            scenario.id(),
            E::NAME
        );
        rows.push(row);
    }
}

fn main() {
    let mut quick = false;
    let mut out = PathBuf::from("target/bench-results/raw/allocs.json");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--out" => out = PathBuf::from(args.next().expect("--out takes a path")),
            other => {
                eprintln!("unknown argument {other:?}; usage: allocs [--quick] [--out PATH]");
                std::process::exit(2);
            }
        }
    }
    let mut rows = Vec::new();
    count::<Flagcore>(quick, &mut rows);
    count::<Unleash>(quick, &mut rows);
    count::<LaunchDarkly>(quick, &mut rows);
    count::<Growthbook>(quick, &mut rows);
    results::write(&out, &rows).expect("write results");
    eprintln!("wrote {}", out.display());
}
