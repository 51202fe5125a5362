//! The configs built for each engine mean the same thing: every engine gives the answers
//! the scenario describes, over a population of users. (A benchmark of a config that
//! does not do what it says would measure nothing.) Also: flagcore's evaluation path
//! does not allocate.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use flagcore_benches::flagcore_engine::Flagcore;
use flagcore_benches::growthbook::Growthbook;
use flagcore_benches::launchdarkly::LaunchDarkly;
use flagcore_benches::unleash::Unleash;
use flagcore_benches::{flags, many_flag_key, Engine, Prepared, Scenario, User};

const POPULATION: usize = 4_000;

fn share(hits: usize, of: usize) -> f64 {
    hits as f64 / of as f64
}

fn check_engine<E: Engine>() {
    let name = E::NAME;
    let state = E::load(&E::scenarios_config()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let users: Vec<User> = (0..POPULATION).map(User::population).collect();
    let ctxs: Vec<E::Context> = users.iter().map(|u| E::context(u).unwrap()).collect();

    let on = ctxs
        .iter()
        .filter(|c| E::is_on(&state, flags::BOOL_ON, c))
        .count();
    assert_eq!(
        on, POPULATION,
        "{name}: a flag that is simply on is on for everyone"
    );

    let rollout = share(
        ctxs.iter()
            .filter(|c| E::is_on(&state, flags::ROLLOUT_25, c))
            .count(),
        POPULATION,
    );
    assert!(
        (0.22..0.28).contains(&rollout),
        "{name}: 25% rollout served {rollout}"
    );

    let treatment = share(
        ctxs.iter()
            .filter(|c| E::serves(&state, flags::SPLIT_70_30, c, flags::TREATMENT))
            .count(),
        POPULATION,
    );
    let control = share(
        ctxs.iter()
            .filter(|c| E::serves(&state, flags::SPLIT_70_30, c, flags::CONTROL))
            .count(),
        POPULATION,
    );
    assert!(
        (0.27..0.33).contains(&treatment),
        "{name}: 30% treatment served {treatment}"
    );
    assert!(
        (control + treatment - 1.0).abs() < 1e-9,
        "{name}: split serves only its variants"
    );

    let (mut matching, mut matching_on) = (0, 0);
    for (user, ctx) in users.iter().zip(&ctxs) {
        let served = E::is_on(&state, flags::RULE_5, ctx);
        if user.matches_rule_5() {
            matching += 1;
            matching_on += usize::from(served);
        } else {
            assert!(
                !served,
                "{name}: {user:?} fails a condition but was served on"
            );
        }
    }
    assert!(
        matching > 40,
        "the population has users matching all five conditions ({matching})"
    );
    let rule_share = share(matching_on, matching);
    assert!(
        (0.3..0.7).contains(&rule_share),
        "{name}: 50% after the rule served {rule_share}"
    );
    let bench = E::context(&User::bench()).unwrap();
    assert!(User::bench().matches_rule_5());

    let prereq = ctxs
        .iter()
        .filter(|c| E::is_on(&state, flags::WITH_PREREQUISITE, c))
        .count();
    assert_eq!(
        prereq, POPULATION,
        "{name}: the prerequisite is met for everyone"
    );

    // The prerequisite really is consulted: with the parent switched off, the child is off.
    let parent_off =
        E::scenarios_config().replacen(&format!("\"{}\"", flags::PARENT), "\"renamed-parent\"", 1);
    if let Ok(broken) = E::load(&parent_off) {
        assert!(
            !E::is_on(&broken, flags::WITH_PREREQUISITE, &bench),
            "{name}: a missing prerequisite must not be met"
        );
    }

    let prepared: Prepared<E> = Prepared::new().unwrap();
    assert_eq!(
        prepared.evaluate(Scenario::EvaluateAll100),
        100,
        "{name}: evaluate-all covers 100 flags"
    );
    for scenario in [Scenario::Load1000, Scenario::Load10000] {
        let loaded = prepared
            .load(scenario)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            E::is_on(&loaded, &many_flag_key(0), &bench),
            "{name}: flag 0 of the big config is on"
        );
    }
}

#[test]
fn flagcore_configs_mean_what_they_say() {
    check_engine::<Flagcore>();
}

#[test]
fn unleash_configs_mean_what_they_say() {
    check_engine::<Unleash>();
}

#[test]
fn launchdarkly_configs_mean_what_they_say() {
    check_engine::<LaunchDarkly>();
}

#[test]
fn growthbook_configs_mean_what_they_say() {
    check_engine::<Growthbook>();
}

#[test]
fn flagcore_bench_user_takes_the_rule() {
    let store = Flagcore::load(&Flagcore::scenarios_config()).unwrap();
    let ctx = Flagcore::context(&User::bench()).unwrap();
    let snapshot = store.snapshot();
    let e = snapshot.evaluate(flags::RULE_5, &ctx);
    assert_eq!(
        e.rule_index,
        Some(0),
        "the bench user evaluates all five conditions and the rollout"
    );
    assert!(e.bucket.is_some());
}

// --- allocation counting (per thread, so parallel tests do not interfere) ---

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn bump() {
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: forwards every call unchanged to the system allocator; it only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump();
        // SAFETY: forwarded with the caller's arguments.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's arguments.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations(f: impl FnOnce()) -> u64 {
    let before = ALLOCS.with(Cell::get);
    f();
    ALLOCS.with(Cell::get) - before
}

#[test]
fn flagcore_evaluations_do_not_allocate() {
    let prepared: Prepared<Flagcore> = Prepared::new().unwrap();
    for scenario in Scenario::ALL.into_iter().filter(|s| !s.is_load()) {
        prepared.evaluate(scenario);
        let n = allocations(|| {
            for _ in 0..100 {
                std::hint::black_box(prepared.evaluate(scenario));
            }
        });
        assert_eq!(
            n,
            0,
            "flagcore allocated {n} times in 100 runs of {}",
            scenario.id()
        );
    }
}

#[test]
fn the_counter_counts() {
    let n = allocations(|| {
        std::hint::black_box(vec![1u8; 10]);
    });
    assert_eq!(n, 1);
}
