//! The cost of each condition operator (issue 14's included), side by side: one flag per
//! operator with one single-condition rule, evaluated with `Snapshot::evaluate` against a
//! context reused across iterations (as services do). `cargo bench -p flagcore-benches
//! --bench operators`; numbers in BENCHMARKS.md ("Operators").

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use flagcore::{Context, Store};

/// (bench name, condition). The user below matches every one of them.
fn operators() -> Vec<(&'static str, String)> {
    let many: Vec<String> = (0..100).map(|i| format!("\"group-{i}\"")).collect();
    let needles = needles()
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(",");
    vec![
        ("equals", r#"{"attribute": "country", "op": "equals", "value": "DE"}"#.into()),
        ("equals ignoreCase", r#"{"attribute": "country", "op": "equals", "value": "de", "ignoreCase": true}"#.into()),
        ("in (100 strings)", format!(r#"{{"attribute": "plan", "op": "in", "values": [{},"team"]}}"#, many.join(","))),
        ("in (100) ignoreCase", format!(r#"{{"attribute": "plan", "op": "in", "values": [{},"TEAM"], "ignoreCase": true}}"#, many.join(","))),
        ("endsWith", r#"{"attribute": "email", "op": "endsWith", "value": "@company.example"}"#.into()),
        ("endsWith ignoreCase", r#"{"attribute": "email", "op": "endsWith", "value": "@COMPANY.example", "ignoreCase": true}"#.into()),
        ("contains", r#"{"attribute": "userAgent", "op": "contains", "value": "iPhone"}"#.into()),
        ("contains ignoreCase", r#"{"attribute": "userAgent", "op": "contains", "value": "IPHONE", "ignoreCase": true}"#.into()),
        ("contains (100,000 needles)", format!(r#"{{"attribute": "userAgent", "op": "contains", "values": [{needles}]}}"#)),
        ("contains (100,000) ignoreCase", format!(r#"{{"attribute": "userAgent", "op": "contains", "values": [{needles}], "ignoreCase": true}}"#)),
        ("gte", r#"{"attribute": "seats", "op": "gte", "value": 10}"#.into()),
        ("gte, number as text", r#"{"attribute": "seatsText", "op": "gte", "value": 10}"#.into()),
        ("semverGte", r#"{"attribute": "appVersion", "op": "semverGte", "value": "2.3.0"}"#.into()),
        ("anyOf (list of 5)", r#"{"attribute": "groups", "op": "anyOf", "values": ["staff", "beta"]}"#.into()),
        ("allOf (list of 5)", r#"{"attribute": "groups", "op": "allOf", "values": ["staff", "beta"]}"#.into()),
        ("noneOf (list of 5)", r#"{"attribute": "groups", "op": "noneOf", "values": ["blocked", "banned"]}"#.into()),
        ("in on a list of 5", r#"{"attribute": "groups", "op": "in", "values": ["beta"]}"#.into()),
        ("sizeGte", r#"{"attribute": "groups", "op": "sizeGte", "value": 2}"#.into()),
        ("matches", r#"{"attribute": "userAgent", "op": "matches", "value": "iPhone OS 1[7-9]_"}"#.into()),
        ("inCidr v4", r#"{"attribute": "ip", "op": "inCidr", "values": ["192.168.0.0/16", "10.0.0.0/8"]}"#.into()),
        ("inCidr v6", r#"{"attribute": "ip6", "op": "inCidr", "values": ["2001:db8::/32"]}"#.into()),
        ("strLt", r#"{"attribute": "lastName", "op": "strLt", "value": "M"}"#.into()),
        ("isType", r#"{"attribute": "seats", "op": "isType", "value": "number"}"#.into()),
    ]
}

fn bench(c: &mut Criterion) {
    let ops = operators();
    let flags: Vec<String> = ops
        .iter()
        .enumerate()
        .map(|(i, (_, cond))| {
            format!(
                r#""f{i}": {{"enabled": true, "rules": [{{"conditions": [{cond}], "serve": {{"variant": "on"}}}}], "default": {{"variant": "off"}}}}"#
            )
        })
        .collect();
    let config = format!(
        r#"{{"schemaVersion": 1, "flags": {{{}}}}}"#,
        flags.join(",")
    );
    let store = Store::from_json(&config).expect("the config loads");
    let user = Context::new("user-42")
        .with("country", "DE")
        .with("plan", "team")
        .with("email", "ana@company.example")
        .with(
            "userAgent",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15",
        )
        .with("seats", 12)
        .with("seatsText", "12")
        .with("appVersion", "2.4.1")
        .with("groups", ["a", "b", "staff", "c", "beta"])
        .with("ip", "10.1.2.3")
        .with("ip6", "2001:db8::1")
        .with("lastName", "Lopez");
    let snapshot = store.snapshot();
    let mut group = c.benchmark_group("operators");
    for (i, (name, _)) in ops.iter().enumerate() {
        let key = format!("f{i}");
        assert_eq!(
            snapshot.evaluate(&key, &user).as_bool(),
            Some(true),
            "{name} should match"
        );
        group.bench_function(*name, |b| {
            b.iter(|| black_box(snapshot.evaluate(black_box(&key), &user).as_bool()))
        });
    }
    group.finish();
}

/// 100,000 needles for `contains`, the last of which ("Mac OS X) AppleWebKit") is in the
/// user agent: the others share its first bytes, so the automaton does not fall back to
/// its root at every byte.
fn needles() -> Vec<String> {
    let mut list: Vec<String> = (0..99_999).map(|i| format!("Mac OS {i}")).collect();
    list.push("Mac OS X) AppleWebKit".into());
    list
}

/// `contains` over the same 100,000 needles with the aho-corasick crate (what native builds
/// used before the core's automaton), on the same text: the matcher alone, no evaluation.
fn aho_corasick_crate(c: &mut Criterion) {
    let text = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15";
    let needles = needles();
    let automaton = aho_corasick::AhoCorasick::new(&needles).expect("builds");
    assert!(automaton.is_match(text));
    c.bench_function("operators/aho-corasick crate, 100,000 needles", |b| {
        b.iter(|| black_box(automaton.is_match(black_box(text))))
    });
}

criterion_group!(benches, bench, aho_corasick_crate);
criterion_main!(benches);
