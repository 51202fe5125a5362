//! What the OpenFeature layer costs: the same flags evaluated through flagcore's own API
//! (`Snapshot::evaluate`, `bool_value` with a reusable `Context`), through the provider
//! (`FeatureProvider::resolve_*`, which maps the OpenFeature context to a flagcore one on
//! every call) and through the `open-feature` client (`get_*_details`: context merge, hook
//! stages, details). `cargo bench -p flagcore-benches --bench openfeature`; the numbers are
//! in BENCHMARKS.md ("The OpenFeature layer").

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use flagcore::{Context, Store};
use flagcore_openfeature::FlagcoreProvider;
use open_feature::provider::FeatureProvider;
use open_feature::{EvaluationContext, OpenFeature};

const CONFIG: &str = r#"{"schemaVersion": 1,
  "segments": {"testers": {"keys": ["user-qa-1", "user-qa-2"]}},
  "flags": {
  "bool-on": {"enabled": true, "default": {"variant": "on"}},
  "split-70-30": {"enabled": true, "variants": {"control": "modal", "treatment": "speechmatics"},
    "offVariant": "control",
    "default": {"split": [{"variant": "control", "weight": 70}, {"variant": "treatment", "weight": 30}]}},
  "rule-3-conditions": {"enabled": true, "rules": [{"conditions": [
      {"attribute": "country", "op": "in", "values": ["DE", "AT", "CH"]},
      {"attribute": "appVersion", "op": "semverGte", "value": "2.3.0"},
      {"op": "inSegment", "values": ["testers"], "negate": true}],
    "serve": {"split": [{"variant": "on", "weight": 50}, {"variant": "off", "weight": 50}]}}],
    "default": {"variant": "off"}}
}}"#;

fn openfeature(c: &mut Criterion) {
    let store = Arc::new(Store::from_json(CONFIG).expect("config"));
    let provider = FlagcoreProvider::new(store.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let client = rt.block_on(async {
        let mut api = OpenFeature::default();
        api.set_provider(provider.clone()).await;
        api.create_client()
    });
    let native = Context::new("user-42")
        .with("country", "DE")
        .with("appVersion", "2.4.0")
        .with("plan", "pro");
    let of = EvaluationContext::default()
        .with_targeting_key("user-42")
        .with_custom_field("country", "DE")
        .with_custom_field("appVersion", "2.4.0")
        .with_custom_field("plan", "pro");

    for (flag, boolean) in [
        ("bool-on", true),
        ("split-70-30", false),
        ("rule-3-conditions", true),
    ] {
        let mut group = c.benchmark_group(format!("openfeature/{flag}"));
        group.bench_function("flagcore Snapshot::evaluate", |b| {
            b.iter(|| {
                let snapshot = store.snapshot();
                black_box(
                    snapshot
                        .evaluate(black_box(flag), &native)
                        .variant
                        .is_some(),
                )
            })
        });
        group.bench_function("flagcore-openfeature provider", |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        if boolean {
                            black_box(
                                provider
                                    .resolve_bool_value(black_box(flag), &of)
                                    .await
                                    .is_ok(),
                            );
                        } else {
                            black_box(
                                provider
                                    .resolve_string_value(black_box(flag), &of)
                                    .await
                                    .is_ok(),
                            );
                        }
                    }
                    start.elapsed()
                })
            })
        });
        group.bench_function("open-feature client", |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        if boolean {
                            black_box(
                                client
                                    .get_bool_details(black_box(flag), Some(&of), None)
                                    .await
                                    .is_ok(),
                            );
                        } else {
                            black_box(
                                client
                                    .get_string_details(black_box(flag), Some(&of), None)
                                    .await
                                    .is_ok(),
                            );
                        }
                    }
                    start.elapsed()
                })
            })
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
    targets = openfeature
}
criterion_main!(benches);
