//! Flag handles (issue 18): one flag resolved once, as a handle that follows the store
//! (`Store::flag` -> `FlagHandle`: a snapshot load per call, no key lookup) and as a
//! reference into one snapshot (`Snapshot::flag` -> `FlagRef`), against the by-key path the
//! compare bench measures (`Store::is_enabled`: a snapshot load and a key lookup per call),
//! for the single-flag scenarios. `cargo bench -p flagcore-benches
//! --bench handles`; scripts/bench runs it and BENCHMARKS.md records it.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use flagcore_benches::flagcore_engine::Flagcore;
use flagcore_benches::{Engine, Scenario, User};

fn handles(c: &mut Criterion) {
    let store = Flagcore::load(&Flagcore::scenarios_config()).expect("scenarios config");
    let ctx = Flagcore::context(&User::bench()).expect("context");
    for scenario in [
        Scenario::BoolOn,
        Scenario::Rollout25,
        Scenario::Split7030,
        Scenario::Rule5Conditions,
        Scenario::Prerequisite,
    ] {
        let key = scenario.flag().expect("a single-flag scenario");
        let mut group = c.benchmark_group(format!("handle/{}", scenario.id()));
        group.bench_function("store.is_enabled(key)", |b| {
            b.iter(|| store.is_enabled(black_box(key), black_box(&ctx)))
        });
        let handle = store.flag(key);
        group.bench_function("flag_handle.is_enabled", |b| {
            b.iter(|| black_box(&handle).is_enabled(black_box(&ctx)))
        });
        let snapshot = store.snapshot();
        group.bench_function("snapshot.is_enabled(key)", |b| {
            b.iter(|| snapshot.is_enabled(black_box(key), black_box(&ctx)))
        });
        let flag = snapshot.flag(key).expect("the flag");
        group.bench_function("flag_ref.is_enabled", |b| {
            b.iter(|| black_box(&flag).is_enabled(black_box(&ctx)))
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = handles
}
criterion_main!(benches);
