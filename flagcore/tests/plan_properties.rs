//! Properties of the plan decision: monotone in the metrics, deterministic, independent of
//! the stage's start time when rolling back, and stable through its JSON form.

use flagcore::plan::{self, Decision, Observation, PlanInput, Sample, Statistic};
use flagcore::Config;
use proptest::prelude::*;

const MIN: i64 = 60_000;
const NOW: i64 = 1_000 * 86_400_000;

/// Every kind of guardrail: absolute and relative, proportion and latency, rollback and hold.
fn config() -> Config {
    Config::from_json(
        r#"{"schemaVersion": 1, "flags": {"f": {"enabled": true,
        "default": {"split": [{"variant": "on", "weight": 5}, {"variant": "off", "weight": 95}]},
        "plan": {
          "stages": [{"percentage": 5, "minDuration": "1h", "minExposed": 100}, {"percentage": 50, "minDuration": "1h"}, {"percentage": 100}],
          "guardrails": [
            {"metric": "err", "kind": "proportion", "threshold": {"absolute": 0.05}, "window": "2m", "severity": "critical", "minSamples": 50},
            {"metric": "err", "kind": "proportion", "threshold": {"relativeToControl": 1.5}, "window": "5m", "severity": "high", "minSamples": 50},
            {"metric": "fail", "kind": "proportion", "threshold": {"absolute": 0.1}, "window": "3m", "severity": "low", "minSamples": 30},
            {"metric": "lat", "kind": "latency", "threshold": {"absolute": "5s"}, "window": "1m", "severity": "high", "minSamples": 50},
            {"metric": "lat", "kind": "latency", "threshold": {"relativeToControl": 2}, "window": "4m", "severity": "medium", "minSamples": 50}
          ]}}}}"#,
    )
    .expect("valid config")
}

/// One minute of metrics: (canary count, canary err, canary fail, canary p95, control count,
/// control err, control p95).
#[derive(Debug, Clone, Copy)]
struct Minute {
    n: u64,
    err: u64,
    fail: u64,
    p95: f64,
    nk: u64,
    errk: u64,
    p95k: f64,
}

fn minute() -> impl Strategy<Value = Minute> {
    (
        0u64..400,
        0u64..=100,
        0u64..=100,
        100.0f64..9_000.0,
        0u64..4_000,
        0u64..=30,
        100.0f64..4_000.0,
    )
        .prop_map(|(n, err, fail, p95, nk, errk, p95k)| Minute {
            n,
            err: n * err / 100,
            fail: n * fail / 100,
            p95,
            nk,
            errk: nk * errk / 100,
            p95k,
        })
}

/// A worsening of one minute: more canary failures (never above the count), slower canary.
#[derive(Debug, Clone, Copy)]
struct Worse {
    err: u64,
    fail: u64,
    p95: f64,
}

fn worse() -> impl Strategy<Value = Worse> {
    (0u64..=100, 0u64..=100, 0.0f64..5_000.0).prop_map(|(err, fail, p95)| Worse { err, fail, p95 })
}

fn sample(i: usize, m: Minute) -> Sample {
    Sample::new(NOW - i as i64 * MIN)
        .canary("err", Observation::proportion(m.n, m.err))
        .canary("fail", Observation::proportion(m.n, m.fail))
        .canary("lat", Observation::latency(m.n, Statistic::P95, m.p95))
        .control("err", Observation::proportion(m.nk, m.errk))
        .control("lat", Observation::latency(m.nk, Statistic::P95, m.p95k))
}

fn input(stage: usize, elapsed_min: i64, exposed: u64, minutes: &[Minute]) -> PlanInput {
    let mut input = PlanInput::new(NOW - elapsed_min * MIN, NOW)
        .stage(stage)
        .exposed(exposed);
    input.samples = minutes
        .iter()
        .enumerate()
        .map(|(i, m)| sample(i, *m))
        .collect();
    input
}

fn decide(config: &Config, input: &PlanInput) -> Decision {
    plan::decide(config, "f", input)
        .expect("valid input")
        .decision
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Worse canary metrics never improve the decision: ROLL_BACK stays ROLL_BACK, HOLD
    /// never becomes ADVANCE.
    #[test]
    fn worse_metrics_never_improve_the_decision(
        stage in 0usize..3,
        elapsed in 0i64..200,
        exposed in 0u64..300,
        minutes in prop::collection::vec(minute(), 1..7),
        worsen in prop::collection::vec(worse(), 7),
    ) {
        let config = config();
        let better = decide(&config, &input(stage, elapsed, exposed, &minutes));
        let worse_minutes: Vec<Minute> = minutes
            .iter()
            .zip(&worsen)
            .map(|(m, w)| Minute {
                err: (m.err + m.n * w.err / 100).min(m.n),
                fail: (m.fail + m.n * w.fail / 100).min(m.n),
                p95: m.p95 + w.p95,
                ..*m
            })
            .collect();
        let worse = decide(&config, &input(stage, elapsed, exposed, &worse_minutes));
        prop_assert!(worse.rank() <= better.rank(), "better {better:?}\nworse {worse:?}");
        if matches!(better, Decision::RollBack { .. }) {
            prop_assert!(matches!(worse, Decision::RollBack { .. }), "{worse:?}");
        }
    }

    /// A roll back does not wait for the stage's minimum duration or exposure.
    #[test]
    fn roll_back_ignores_time_and_exposure(
        stage in 0usize..3,
        elapsed in 0i64..200,
        exposed in 0u64..300,
        minutes in prop::collection::vec(minute(), 1..7),
    ) {
        let config = config();
        let a = decide(&config, &input(stage, elapsed, exposed, &minutes));
        let b = decide(&config, &input(stage, 0, 0, &minutes));
        prop_assert_eq!(matches!(a, Decision::RollBack { .. }), matches!(b, Decision::RollBack { .. }));
    }

    /// The same input gives the same outcome, and the decision survives its JSON form.
    #[test]
    fn deterministic_and_round_trips(
        stage in 0usize..3,
        elapsed in 0i64..200,
        exposed in 0u64..300,
        minutes in prop::collection::vec(minute(), 0..7),
    ) {
        let config = config();
        let i = input(stage, elapsed, exposed, &minutes);
        let a = plan::decide(&config, "f", &i).unwrap();
        let b = plan::decide(&config, "f", &i).unwrap();
        prop_assert_eq!(&a, &b);
        // serde_json parses floats to within an ulp: compare through the same parser.
        let json = serde_json::to_string(&a).unwrap();
        let back = Decision::from_json(&json).unwrap();
        prop_assert_eq!(back.as_str(), a.decision.as_str());
        let decision_json = serde_json::to_string(&a.decision).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&decision_json).unwrap();
        prop_assert_eq!(serde_json::to_value(&back).unwrap(), parsed);
    }

    /// Samples can come in any order.
    #[test]
    fn sample_order_does_not_matter(
        minutes in prop::collection::vec(minute(), 1..7),
        rotate in 0usize..7,
    ) {
        let config = config();
        let i = input(0, 120, 200, &minutes);
        let mut j = i.clone();
        let k = rotate % j.samples.len();
        j.samples.rotate_left(k);
        j.samples.reverse();
        let (a, b) = (decide(&config, &i), decide(&config, &j));
        prop_assert_eq!(a.as_str(), b.as_str());
    }
}
