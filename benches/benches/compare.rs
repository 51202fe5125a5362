//! Every scenario, every engine, in one criterion run: `scripts/bench` (or
//! `cargo bench -p flagcore-benches --bench compare`). Results land in
//! `target/criterion/<scenario>/<engine>/`; `src/bin/report.rs` turns them into tables.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode};
use flagcore_benches::flagcore_engine::Flagcore;
use flagcore_benches::growthbook::Growthbook;
use flagcore_benches::launchdarkly::LaunchDarkly;
use flagcore_benches::unleash::Unleash;
use flagcore_benches::{Engine, Prepared, Scenario};

struct Engines {
    flagcore: Prepared<Flagcore>,
    unleash: Prepared<Unleash>,
    launchdarkly: Prepared<LaunchDarkly>,
    growthbook: Prepared<Growthbook>,
}

fn bench_one<E: Engine>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    prepared: &Prepared<E>,
    scenario: Scenario,
) {
    if E::cannot_express(scenario).is_some() {
        return;
    }
    if scenario.is_load() {
        group.bench_function(E::NAME, |b| {
            b.iter_with_large_drop(|| {
                prepared
                    .load(black_box(scenario))
                    .expect("the config loads")
            })
        });
    } else {
        group.bench_function(E::NAME, |b| {
            b.iter(|| prepared.evaluate(black_box(scenario)))
        });
    }
}

fn compare(c: &mut Criterion) {
    let engines = Engines {
        flagcore: Prepared::new().expect("flagcore configs"),
        unleash: Prepared::new().expect("unleash configs"),
        launchdarkly: Prepared::new().expect("launchdarkly configs"),
        growthbook: Prepared::new().expect("growthbook configs"),
    };
    for scenario in Scenario::ALL {
        let mut group = c.benchmark_group(scenario.id());
        if scenario.is_load() {
            // One load takes milliseconds: flat sampling and fewer samples keep the run short.
            group.sampling_mode(SamplingMode::Flat);
            group.sample_size(10);
            group.warm_up_time(Duration::from_millis(500));
        }
        bench_one(&mut group, &engines.flagcore, scenario);
        bench_one(&mut group, &engines.unleash, scenario);
        bench_one(&mut group, &engines.launchdarkly, scenario);
        bench_one(&mut group, &engines.growthbook, scenario);
        group.finish();
    }
}

criterion_group! {
    name = benches;
    // Modest times: the whole comparison runs in a few minutes on a small machine.
    // scripts/bench may override them on the command line.
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = compare
}
criterion_main!(benches);
