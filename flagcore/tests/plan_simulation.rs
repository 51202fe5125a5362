//! The speech migration replayed minute by minute with a deterministic generator: a healthy
//! canary reaches 100% on the runbook's schedule, a failing one is rolled back within the
//! breached guardrail's window, and noise does not roll back a healthy one.
//!
//! `cargo test --release -p flagcore --test plan_simulation -- --ignored --nocapture`
//! prints the false-rollback measurements quoted in `docs/rollouts.md`.

use std::collections::VecDeque;

use flagcore::plan::{self, Decision, Observation, PlanInput, Sample, Statistic};
use flagcore::{Config, Context, Store};

const EXAMPLE: &str = include_str!("../../examples/speech-migration.json");
const FLAG: &str = "speechmatics-direct";
const MIN: i64 = 60_000;
const DAY: i64 = 86_400_000;
/// 2026-11-23T09:00:00Z, a Monday: the rollout starts.
const START: i64 = 1_795_424_400_000;
/// Requests a minute, both cohorts together (the canary gets its percentage of them).
const TRAFFIC: u64 = 4_000;
/// Distinct users: exposure grows with canary requests, capped by the canary's share.
const USERS: u64 = 200_000;

/// SplitMix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit(), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    /// An exact Binomial(n, p) draw by geometric skipping: about n·min(p, 1−p) steps.
    fn binomial(&mut self, n: u64, p: f64) -> u64 {
        if p <= 0.0 || n == 0 {
            return 0;
        }
        if p >= 1.0 {
            return n;
        }
        if p > 0.5 {
            return n - self.binomial(n, 1.0 - p);
        }
        let log_q = (1.0 - p).ln();
        let (mut hits, mut position) = (0u64, 0u64);
        loop {
            let skip = (self.unit().ln() / log_q).floor();
            position = position.saturating_add(skip as u64 + 1);
            if position > n {
                return hits;
            }
            hits += 1;
        }
    }
}

/// How a cohort behaves: true rates and the typical p95 latency.
#[derive(Debug, Clone, Copy)]
struct Health {
    error_rate: f64,
    transcription_failure_rate: f64,
    p95_ms: f64,
}

const HEALTHY: Health = Health {
    error_rate: 0.01,
    transcription_failure_rate: 0.02,
    p95_ms: 1_500.0,
};

fn observe(rng: &mut Rng, n: u64, h: Health) -> [(&'static str, Observation); 3] {
    // The p95 of n requests scatters around the true p95, less so with more requests.
    let spread = 0.10 * (100.0 / n.max(1) as f64).sqrt();
    let p95 = h.p95_ms * (spread * rng.normal()).exp();
    [
        (
            "error_rate",
            Observation::proportion(n, rng.binomial(n, h.error_rate)),
        ),
        (
            "response_time",
            Observation::latency(n, Statistic::P95, p95),
        ),
        (
            "transcription_failures",
            Observation::proportion(n, rng.binomial(n, h.transcription_failure_rate)),
        ),
    ]
}

/// What happened in one replay.
#[derive(Debug, Default)]
struct Trace {
    /// (time, stage, percentage in thousandths) of every advance.
    advances: Vec<(i64, usize, u32)>,
    /// (time, breached metric) of the roll back, if any.
    rollback: Option<(i64, String)>,
    decisions: u64,
}

/// Replays `minutes` of the rollout from START, one sample and one decision a minute,
/// applying every decision to a store serving the example config. `canary` gives the
/// canary's health by minute.
fn replay(seed: u64, minutes: i64, canary: impl Fn(i64) -> Health, check_store: bool) -> Trace {
    let store = Store::from_json(EXAMPLE).expect("example config");
    let config = Config::from_json(EXAMPLE).expect("example config");
    let plan = config
        .flag(FLAG)
        .and_then(|f| f.plan())
        .expect("plan")
        .clone();
    let longest = plan
        .guardrails()
        .iter()
        .map(|g| g.window_ms)
        .max()
        .unwrap_or(MIN);
    let mut rng = Rng(seed);
    let mut trace = Trace::default();
    let (mut stage, mut stage_start, mut canary_requests) = (0usize, START, 0u64);
    let mut window: VecDeque<Sample> = VecDeque::new();
    for minute in 1..=minutes {
        let now = START + minute * MIN;
        let share = plan.stages()[stage].percentage;
        let n = TRAFFIC * u64::from(share) / 100_000;
        let mut sample = Sample::new(now);
        for (metric, o) in observe(&mut rng, n, canary(minute)) {
            sample = sample.canary(metric, o);
        }
        for (metric, o) in observe(&mut rng, TRAFFIC - n, HEALTHY) {
            sample = sample.control(metric, o);
        }
        window.push_back(sample);
        while window.front().is_some_and(|s| s.at <= now - longest) {
            window.pop_front();
        }
        canary_requests += n;
        let exposed = (canary_requests / 3).min(USERS * u64::from(share) / 100_000);
        let mut input = PlanInput::new(stage_start, now)
            .stage(stage)
            .exposed(exposed);
        input.samples = window.iter().cloned().collect();
        let outcome = plan::decide(&config, FLAG, &input).expect("valid input");
        trace.decisions += 1;
        match &outcome.decision {
            Decision::Advance {
                stage: next,
                percentage,
                ..
            } => {
                trace.advances.push((now, *next, *percentage));
                if check_store {
                    store
                        .apply_decision(FLAG, &outcome.decision)
                        .expect("apply");
                    let on = (0..10_000)
                        .filter(|i| store.is_enabled(FLAG, &Context::new(format!("user-{i}"))))
                        .count();
                    let expected = f64::from(*percentage) / 100_000.0;
                    assert!(
                        (on as f64 / 10_000.0 - expected).abs() < 0.015,
                        "{on} of 10 000 users at stage {next}"
                    );
                }
                stage = *next;
                stage_start = now;
                canary_requests = 0;
            }
            Decision::RollBack { breach, .. } => {
                trace.rollback = Some((now, breach.metric.clone()));
                if check_store {
                    store
                        .apply_decision(FLAG, &outcome.decision)
                        .expect("apply");
                    assert!(!store.is_enabled(FLAG, &Context::new("user-1")));
                }
                return trace;
            }
            Decision::Hold { .. } => {}
        }
    }
    trace
}

const NINE_DAYS: i64 = 9 * 1440;

#[test]
fn a_healthy_canary_reaches_100_percent_on_schedule() {
    let trace = replay(1, NINE_DAYS + 60, |_| HEALTHY, true);
    assert_eq!(trace.rollback, None);
    assert_eq!(
        trace.advances,
        [
            (START + DAY, 1, 20_000),
            (START + 4 * DAY, 2, 50_000),
            (START + 9 * DAY, 3, 100_000)
        ],
        "5% for a day, 20% for three, 50% for five, then 100%"
    );
}

/// The canary turns bad at minute `onset` of the rollout; returns when and why it was
/// rolled back.
fn failing(seed: u64, onset: i64, bad: Health) -> (i64, String) {
    let trace = replay(
        seed,
        onset + 60,
        |m| if m > onset { bad } else { HEALTHY },
        true,
    );
    let (at, metric) = trace
        .rollback
        .expect("the failing canary was not rolled back");
    (at - (START + onset * MIN), metric)
}

#[test]
fn a_failing_canary_is_rolled_back_within_the_guardrail_window() {
    // Onsets in every stage: 5% (200 canary requests a minute), 20%, 50% and 100%.
    let onsets = [3 * 60 + 7, 2 * 1440 + 11 * 60, 6 * 1440 + 5, NINE_DAYS + 17];
    for (i, &onset) in onsets.iter().enumerate() {
        let seed = 100 + i as u64;
        let errors = Health {
            error_rate: 0.30,
            ..HEALTHY
        };
        let (after, metric) = failing(seed, onset, errors);
        assert_eq!(metric, "error_rate");
        assert!(
            after <= 2 * MIN,
            "error spike at minute {onset}: rolled back after {after} ms"
        );

        let slow = Health {
            p95_ms: 9_000.0,
            ..HEALTHY
        };
        let (after, metric) = failing(seed, onset, slow);
        assert_eq!(metric, "response_time");
        assert!(
            after <= MIN,
            "latency spike at minute {onset}: rolled back after {after} ms"
        );

        let transcription = Health {
            transcription_failure_rate: 0.25,
            ..HEALTHY
        };
        let (after, metric) = failing(seed, onset, transcription);
        assert_eq!(metric, "transcription_failures");
        assert!(
            after <= 5 * MIN,
            "transcription failures at minute {onset}: rolled back after {after} ms"
        );
    }
}

/// Healthy rollouts at default settings: none is rolled back.
#[test]
fn healthy_rollouts_are_not_rolled_back() {
    for seed in 0..6 {
        let trace = replay(1_000 + seed, NINE_DAYS + 30, |_| HEALTHY, false);
        assert_eq!(trace.rollback, None, "seed {seed}");
        assert_eq!(trace.advances.len(), 3, "seed {seed}");
    }
}

/// The runbook's error-rate guardrail on windows whose true rate is exactly at the 5%
/// threshold: the fraction of windows breached is the test's false-positive rate, and the
/// default confidence promises at most 0.1% (the exact test keeps it).
fn false_positive_rate_at_the_threshold(n: u64, windows: u64, seed: u64) -> f64 {
    let config = Config::from_json(EXAMPLE).expect("example config");
    let mut rng = Rng(seed);
    let mut breached = 0;
    for _ in 0..windows {
        let failures = rng.binomial(n, 0.05);
        let now = START;
        let sample = Sample::new(now)
            .canary("error_rate", Observation::proportion(n, failures))
            .canary(
                "response_time",
                Observation::latency(n, Statistic::P95, 1_000.0),
            )
            .canary("transcription_failures", Observation::proportion(n, 0));
        let input = PlanInput::new(START, now)
            .stage(1)
            .exposed(0)
            .sample(sample);
        if matches!(
            plan::decide(&config, FLAG, &input).expect("valid").decision,
            Decision::RollBack { .. }
        ) {
            breached += 1;
        }
    }
    breached as f64 / windows as f64
}

/// A relative guardrail at default confidence on windows where canary and control share
/// a true 2% failure rate.
fn relative_false_positive_rate(ratio: f64, nc: u64, nk: u64, windows: u64, seed: u64) -> f64 {
    let config = Config::from_json(&format!(
        r#"{{"schemaVersion": 1, "flags": {{"f": {{"enabled": true, "default": {{"variant": "off"}},
        "plan": {{"stages": [{{"percentage": 5}}, {{"percentage": 100}}], "guardrails": [{{"metric": "e",
        "kind": "proportion", "threshold": {{"relativeToControl": {ratio}}}, "window": "1m", "minSamples": 1}}]}}}}}}}}"#
    ))
    .expect("valid config");
    let mut rng = Rng(seed);
    let mut breached = 0;
    for _ in 0..windows {
        let sample = Sample::new(START)
            .canary("e", Observation::proportion(nc, rng.binomial(nc, 0.02)))
            .control("e", Observation::proportion(nk, rng.binomial(nk, 0.02)));
        let input = PlanInput::new(START, START).stage(0).sample(sample);
        if matches!(
            plan::decide(&config, "f", &input).expect("valid").decision,
            Decision::RollBack { .. }
        ) {
            breached += 1;
        }
    }
    breached as f64 / windows as f64
}

#[test]
fn relative_guardrails_do_not_fire_on_equal_cohorts() {
    let rate = relative_false_positive_rate(1.0, 400, 3_600, 20_000, 3);
    assert!(rate <= 0.003, "{rate}");
}

#[test]
fn the_test_keeps_its_false_positive_promise() {
    for (n, seed) in [(100, 7), (400, 8), (2_000, 9)] {
        let rate = false_positive_rate_at_the_threshold(n, 20_000, seed);
        assert!(rate <= 0.0015, "n = {n}: {rate}");
    }
}

#[test]
fn the_generator_is_deterministic_and_unbiased() {
    let (mut a, mut b) = (Rng(5), Rng(5));
    let xs: Vec<u64> = (0..100).map(|_| a.binomial(1_000, 0.05)).collect();
    let ys: Vec<u64> = (0..100).map(|_| b.binomial(1_000, 0.05)).collect();
    assert_eq!(xs, ys);
    let mut rng = Rng(6);
    let draws = 20_000;
    let mean = (0..draws)
        .map(|_| rng.binomial(200, 0.3) as f64)
        .sum::<f64>()
        / draws as f64;
    assert!((mean - 60.0).abs() < 0.3, "{mean}");
}

/// The numbers in docs/rollouts.md. Slow: run in release.
#[test]
#[ignore]
fn false_rollback_report() {
    println!("per-window false-positive rate with the true error rate at the 5% threshold:");
    for n in [100, 200, 400, 1_000, 4_000] {
        let rate = false_positive_rate_at_the_threshold(n, 200_000, n);
        println!("  n = {n:>5}: {:.5}", rate);
    }
    println!(
        "per-window false-positive rate of a relativeToControl guardrail, canary = control = 2%:"
    );
    for (ratio, nc, nk) in [
        (1.0, 200, 3_800),
        (1.0, 2_000, 2_000),
        (1.5, 200, 3_800),
        (1.0, 100, 100),
    ] {
        let rate = relative_false_positive_rate(ratio, nc, nk, 200_000, nc ^ 77);
        println!("  ratio {ratio}, canary n = {nc}, control n = {nk}: {rate:.5}");
    }
    let scenarios: [(&str, Health); 3] = [
        (
            "healthy (errors 1%, transcription failures 2%, p95 1.5 s)",
            HEALTHY,
        ),
        (
            "close to the line (errors 3%, transcription failures 7%, p95 3 s)",
            Health {
                error_rate: 0.03,
                transcription_failure_rate: 0.07,
                p95_ms: 3_000.0,
            },
        ),
        (
            "at the line (errors 4%, transcription failures 8.5%, p95 3.5 s)",
            Health {
                error_rate: 0.04,
                transcription_failure_rate: 0.085,
                p95_ms: 3_500.0,
            },
        ),
    ];
    let rollouts = 200;
    for (name, health) in scenarios {
        let mut rolled_back = 0;
        let mut decisions = 0;
        let mut by_metric = std::collections::BTreeMap::new();
        for seed in 0..rollouts {
            let trace = replay(10_000 + seed, NINE_DAYS + 30, |_| health, false);
            decisions += trace.decisions;
            if let Some((_, metric)) = trace.rollback {
                rolled_back += 1;
                *by_metric.entry(metric).or_insert(0) += 1;
            }
        }
        println!(
            "{name}: {rolled_back} of {rollouts} nine-day rollouts rolled back ({decisions} decisions) {by_metric:?}"
        );
    }
}
