//! Rollout plans: config validation, the decision function, its JSON form, and applying
//! decisions through the store.

use flagcore::plan::{
    self, Action, CheckStatus, Cohort, Decision, GuardrailSeverity, HoldReason, MetricKind,
    Observation, PlanInput, Sample, Statistic, Threshold,
};
use flagcore::{Config, ConfigError, Context, Override, PlanError, Reason, Store, StoreError};

const EXAMPLE: &str = include_str!("../../examples/speech-migration.json");
const FLAG: &str = "speechmatics-direct";
const MIN: i64 = 60_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 86_400_000;
/// 2026-11-24T00:00:00Z: week 1 of the example's time stages (5%).
const T_WEEK1: i64 = 1_795_478_400_000;

/// A config with one boolean flag `f` at 5% and the given plan.
fn with_plan(plan: &str) -> String {
    format!(
        r#"{{"schemaVersion": 1, "flags": {{"f": {{"enabled": true,
        "default": {{"split": [{{"variant": "on", "weight": 5}}, {{"variant": "off", "weight": 95}}]}},
        "plan": {plan}}}}}}}"#
    )
}

fn config(plan: &str) -> Config {
    Config::from_json(&with_plan(plan)).unwrap_or_else(|e| panic!("{e}\n{plan}"))
}

fn errors(plan: &str) -> Vec<(String, String)> {
    match Config::from_json(&with_plan(plan)) {
        Ok(_) => panic!("plan should be invalid: {plan}"),
        Err(ConfigError::Invalid(report)) => report
            .errors
            .iter()
            .map(|p| (p.code.as_str().to_owned(), p.path.clone()))
            .collect(),
        Err(other) => panic!("not a validation error: {other}"),
    }
}

#[track_caller]
fn has(errors: &[(String, String)], code: &str, path: &str) {
    assert!(
        errors.iter().any(|(c, p)| c == code && p == path),
        "expected {code} at {path}, got {errors:#?}"
    );
}

/// The runbook's guardrails on a two-stage plan, for decision tests.
const RUNBOOK: &str = r#"{"stages": [{"percentage": 5, "minDuration": "1d", "minExposed": 1000}, {"percentage": 20, "minDuration": "3d"}, {"percentage": 100}],
  "guardrails": [
    {"metric": "error_rate", "kind": "proportion", "threshold": {"absolute": 0.05}, "window": "2m", "severity": "critical", "action": "rollback"},
    {"metric": "response_time", "kind": "latency", "statistic": "p95", "threshold": {"absolute": "5s"}, "window": "1m", "severity": "high"},
    {"metric": "transcription_failures", "kind": "proportion", "threshold": {"absolute": 0.10}, "window": "5m", "severity": "high", "action": "rollback"}
  ]}"#;

/// One minute of healthy traffic for the canary, ending at `at`.
fn healthy(at: i64, n: u64) -> Sample {
    Sample::new(at)
        .canary("error_rate", Observation::proportion(n, n / 100))
        .canary(
            "response_time",
            Observation::latency(n, Statistic::P95, 1_400.0),
        )
        .canary("transcription_failures", Observation::proportion(n, n / 50))
}

/// Five minutes of healthy canary traffic up to `now`.
fn healthy_window(now: i64, n: u64) -> Vec<Sample> {
    (0..5).map(|i| healthy(now - i * MIN, n)).collect()
}

fn input(stage: usize, started: i64, now: i64, samples: Vec<Sample>) -> PlanInput {
    let mut input = PlanInput::new(started, now).stage(stage).exposed(5_000);
    input.samples = samples;
    input
}

fn decide(config: &Config, input: &PlanInput) -> Decision {
    plan::decide(config, "f", input).unwrap().decision
}

#[test]
fn the_example_carries_the_runbook_plan() {
    let config = Config::from_json(EXAMPLE).unwrap();
    assert!(config.warnings().is_empty(), "{:?}", config.warnings());
    let plan = config.flag(FLAG).and_then(|f| f.plan()).expect("plan");
    assert_eq!(plan.variant(), "on");
    assert_eq!(plan.control_variant(), "off");
    let stages: Vec<(u32, i64, u64)> = plan
        .stages()
        .iter()
        .map(|s| (s.percentage, s.min_duration_ms, s.min_exposed))
        .collect();
    assert_eq!(
        stages,
        [
            (5_000, DAY, 1000),
            (20_000, 3 * DAY, 0),
            (50_000, 5 * DAY, 0),
            (100_000, 0, 0)
        ]
    );
    let g = plan.guardrails();
    assert_eq!(g.len(), 3);
    assert_eq!(
        (
            g[0].metric.as_str(),
            g[0].kind,
            g[0].threshold,
            g[0].window_ms,
            g[0].severity,
            g[0].action
        ),
        (
            "error_rate",
            MetricKind::Proportion,
            Threshold::Absolute(0.05),
            2 * MIN,
            GuardrailSeverity::Critical,
            Action::RollBack
        )
    );
    assert_eq!(
        (
            g[1].metric.as_str(),
            g[1].kind,
            g[1].statistic,
            g[1].threshold,
            g[1].window_ms,
            g[1].severity,
            g[1].action
        ),
        (
            "response_time",
            MetricKind::Latency,
            Statistic::P95,
            Threshold::Absolute(5_000.0),
            MIN,
            GuardrailSeverity::High,
            Action::RollBack
        )
    );
    assert_eq!(
        (
            g[2].metric.as_str(),
            g[2].threshold,
            g[2].window_ms,
            g[2].severity,
            g[2].action
        ),
        (
            "transcription_failures",
            Threshold::Absolute(0.10),
            5 * MIN,
            GuardrailSeverity::High,
            Action::RollBack
        )
    );
    assert_eq!(g[0].min_samples, plan::DEFAULT_MIN_SAMPLES);
    assert!((g[0].z_critical() - 3.090_232).abs() < 1e-5);
    // Flags without a plan have none.
    assert!(config
        .flag("speech-backend-ab")
        .and_then(|f| f.plan())
        .is_none());
}

#[test]
fn defaults_fill_in() {
    let c = config(
        r#"{"stages": [{"percentage": 10}, {"percentage": 100}],
            "guardrails": [{"metric": "e", "kind": "proportion", "threshold": {"relativeToControl": 1.5}, "window": 60000},
                           {"metric": "l", "kind": "latency", "threshold": {"absolute": 800}, "window": "1m", "severity": "medium"}]}"#,
    );
    let plan = c.flag("f").and_then(|f| f.plan()).unwrap();
    let g = plan.guardrails();
    assert_eq!(
        (g[0].severity, g[0].action, g[0].window_ms),
        (GuardrailSeverity::High, Action::RollBack, MIN)
    );
    assert_eq!(g[0].confidence, plan::DEFAULT_CONFIDENCE);
    assert_eq!(
        (g[1].statistic, g[1].action),
        (Statistic::P95, Action::Hold)
    );
    assert_eq!(g[1].threshold, Threshold::Absolute(800.0));
    assert_eq!(plan.stages()[0].min_duration_ms, 0);
}

#[test]
fn every_plan_problem_is_reported_with_its_path() {
    let e = errors(
        r#"{"stages": [{"percentage": 20, "minDuration": "1 day"}, {"percentage": 10, "minExposd": 5}, {"percentage": 0}],
            "variant": "onn",
            "guardrails": [
              {"metric": "error_rate", "kind": "proportion", "threshold": {"absolute": 5}, "window": "2m", "severity": "urgent"},
              {"metric": "latency", "kind": "latncy", "threshold": {"absolute": 1, "relativeToControl": 2}, "window": "0m"},
              {"metric": "", "kind": "proportion", "statistic": "p95", "threshold": {"relativeToControl": -1}, "window": "2m", "action": "page", "confidence": 1.5, "minSamples": 0},
              {"kind": "latency", "threshold": {"absolute": "fast"}}
            ]}"#,
    );
    let p = "$.flags.f.plan";
    has(
        &e,
        "invalid_duration",
        &format!("{p}.stages[0].minDuration"),
    );
    has(&e, "unknown_field", &format!("{p}.stages[1].minExposd"));
    has(
        &e,
        "percentages_not_increasing",
        &format!("{p}.stages[1].percentage"),
    );
    has(&e, "invalid_value", &format!("{p}.stages[2].percentage"));
    has(&e, "unknown_variant", &format!("{p}.variant"));
    has(
        &e,
        "invalid_value",
        &format!("{p}.guardrails[0].threshold.absolute"),
    );
    has(&e, "invalid_value", &format!("{p}.guardrails[0].severity"));
    has(&e, "invalid_value", &format!("{p}.guardrails[1].kind"));
    has(&e, "invalid_value", &format!("{p}.guardrails[1].threshold"));
    has(&e, "invalid_duration", &format!("{p}.guardrails[1].window"));
    has(&e, "wrong_type", &format!("{p}.guardrails[2].metric"));
    has(&e, "invalid_value", &format!("{p}.guardrails[2].statistic"));
    has(
        &e,
        "invalid_value",
        &format!("{p}.guardrails[2].threshold.relativeToControl"),
    );
    has(&e, "invalid_value", &format!("{p}.guardrails[2].action"));
    has(
        &e,
        "invalid_value",
        &format!("{p}.guardrails[2].confidence"),
    );
    has(
        &e,
        "invalid_value",
        &format!("{p}.guardrails[2].minSamples"),
    );
    has(&e, "missing_field", &format!("{p}.guardrails[3]"));
    has(
        &e,
        "invalid_duration",
        &format!("{p}.guardrails[3].threshold.absolute"),
    );
    assert_eq!(
        e.iter()
            .filter(|(_, path)| path == &format!("{p}.guardrails[3]"))
            .count(),
        2,
        "{e:#?}"
    );
}

#[test]
fn plan_shape_problems() {
    has(&errors(r#"{}"#), "missing_field", "$.flags.f.plan");
    has(
        &errors(r#"{"stages": []}"#),
        "invalid_value",
        "$.flags.f.plan.stages",
    );
    has(&errors(r#"[]"#), "wrong_type", "$.flags.f.plan");
    has(
        &errors(r#"{"stages": [{"percentage": 5}], "controlVariant": "on"}"#),
        "invalid_value",
        "$.flags.f.plan",
    );
    // A string flag must name the variant it rolls out.
    let text = r#"{"schemaVersion": 1, "flags": {"s": {"enabled": true, "variants": {"a": "x", "b": "y"},
        "offVariant": "a", "default": {"variant": "a"}, "plan": {"stages": [{"percentage": 50}]}}}}"#;
    let Err(ConfigError::Invalid(report)) = Config::from_json(text) else {
        panic!("should be invalid");
    };
    assert!(
        report
            .errors
            .iter()
            .any(|p| p.path == "$.flags.s.plan" && p.code.as_str() == "missing_field"),
        "{report}"
    );
}

#[test]
fn too_early_then_advance() {
    let c = config(RUNBOOK);
    let t0 = 1_000 * DAY;
    let d = decide(
        &c,
        &input(0, t0, t0 + 6 * HOUR, healthy_window(t0 + 6 * HOUR, 200)),
    );
    match d {
        Decision::Hold {
            stage: 0,
            percentage: 5_000,
            reason:
                HoldReason::TooEarly {
                    elapsed_ms,
                    min_duration_ms,
                },
        } => assert_eq!((elapsed_ms, min_duration_ms), (6 * HOUR, DAY)),
        other => panic!("{other:?}"),
    }
    let now = t0 + DAY;
    assert_eq!(
        decide(&c, &input(0, t0, now, healthy_window(now, 200))),
        Decision::Advance {
            from_stage: 0,
            stage: 1,
            percentage: 20_000,
            at: Some(now),
        }
    );
}

#[test]
fn too_few_exposed_and_too_few_samples_hold() {
    let c = config(RUNBOOK);
    let now = 10 * DAY;
    let mut few = input(0, 0, now, healthy_window(now, 200));
    few.exposed = Some(999);
    assert_eq!(
        decide(&c, &few),
        Decision::Hold {
            stage: 0,
            percentage: 5_000,
            reason: HoldReason::TooFewExposed {
                exposed: 999,
                required: 1000
            }
        }
    );
    few.exposed = None;
    assert!(matches!(
        decide(&c, &few),
        Decision::Hold {
            reason: HoldReason::TooFewExposed { exposed: 0, .. },
            ..
        }
    ));
    // 60 requests a minute: the 1-minute latency window is short of 100.
    let thin = input(0, 0, now, healthy_window(now, 60));
    assert_eq!(
        decide(&c, &thin),
        Decision::Hold {
            stage: 0,
            percentage: 5_000,
            reason: HoldReason::TooFewSamples {
                guardrail: 1,
                metric: "response_time".into(),
                cohort: Cohort::Canary,
                samples: 60,
                required: 100
            }
        }
    );
    // No samples at all.
    let outcome = plan::decide(&c, "f", &input(0, 0, now, Vec::new())).unwrap();
    assert!(matches!(
        outcome.decision,
        Decision::Hold {
            reason: HoldReason::TooFewSamples {
                guardrail: 0,
                samples: 0,
                ..
            },
            ..
        }
    ));
    assert!(outcome
        .checks
        .iter()
        .all(|c| c.status == CheckStatus::Insufficient));
}

#[test]
fn samples_outside_the_window_do_not_count() {
    let c = config(RUNBOOK);
    let now = 10 * DAY;
    // Terrible minutes, but all before the 5-minute window or after `now`.
    let bad = |at: i64| {
        Sample::new(at)
            .canary("error_rate", Observation::proportion(1000, 900))
            .canary(
                "response_time",
                Observation::latency(1000, Statistic::P95, 60_000.0),
            )
            .canary("transcription_failures", Observation::proportion(1000, 900))
    };
    let mut samples = healthy_window(now, 200);
    samples.push(bad(now - 5 * MIN));
    samples.push(bad(now + 1));
    assert!(matches!(
        decide(&c, &input(0, 0, now, samples)),
        Decision::Advance { .. }
    ));
}

#[test]
fn a_significant_breach_rolls_back_at_any_time() {
    let c = config(RUNBOOK);
    let t0 = 1_000 * DAY;
    let now = t0 + 10 * MIN; // far too early to advance
    let mut samples = healthy_window(now, 400);
    samples[0] = samples[0]
        .clone()
        .canary("error_rate", Observation::proportion(400, 120));
    let outcome = plan::decide(&c, "f", &input(1, t0, now, samples)).unwrap();
    let Decision::RollBack {
        stage: 1,
        percentage: 20_000,
        breach,
    } = &outcome.decision
    else {
        panic!("{:?}", outcome.decision)
    };
    assert_eq!(
        (breach.guardrail, breach.metric.as_str()),
        (0, "error_rate")
    );
    assert_eq!(breach.severity, GuardrailSeverity::Critical);
    assert_eq!(breach.samples, 800);
    assert!((breach.observed - 124.0 / 800.0).abs() < 1e-12);
    assert_eq!(breach.threshold, 0.05);
    assert!(breach.z.is_some_and(|z| z > 3.09));
    assert_eq!(breach.window_ms, 2 * MIN);
    assert!(
        outcome
            .message
            .starts_with("roll back at 20%: guardrail 0 (error_rate, critical)"),
        "{}",
        outcome.message
    );
    assert_eq!(outcome.checks[0].status, CheckStatus::Breached);
    assert_eq!(outcome.checks[1].status, CheckStatus::Healthy);
}

#[test]
fn noise_does_not_roll_back() {
    let c = config(RUNBOOK);
    let now = 10 * DAY;
    // 6% errors in 200 requests against a 5% limit: not significant, and not healthy
    // enough to matter either way: the plan advances.
    let samples: Vec<Sample> = healthy_window(now, 100)
        .into_iter()
        .map(|s| s.canary("error_rate", Observation::proportion(100, 6)))
        .collect();
    let outcome = plan::decide(&c, "f", &input(0, 0, now, samples)).unwrap();
    assert!(
        matches!(outcome.decision, Decision::Advance { .. }),
        "{}",
        outcome.message
    );
    assert_eq!(outcome.checks[0].canary.value, Some(0.06));
    // The same rate over 20 000 requests is significant.
    let samples: Vec<Sample> = healthy_window(now, 10_000)
        .into_iter()
        .map(|s| s.canary("error_rate", Observation::proportion(10_000, 600)))
        .collect();
    assert!(matches!(
        decide(&c, &input(0, 0, now, samples)),
        Decision::RollBack { .. }
    ));
}

#[test]
fn the_most_severe_breach_is_reported() {
    let c = config(RUNBOOK);
    let now = 10 * DAY;
    let samples: Vec<Sample> = healthy_window(now, 400)
        .into_iter()
        .map(|s| {
            s.canary("transcription_failures", Observation::proportion(400, 200))
                .canary("error_rate", Observation::proportion(400, 100))
                .canary(
                    "response_time",
                    Observation::latency(400, Statistic::P95, 9_000.0),
                )
        })
        .collect();
    let Decision::RollBack { breach, .. } = decide(&c, &input(0, 0, now, samples)) else {
        panic!("expected a roll back")
    };
    assert_eq!(breach.metric, "error_rate");
}

#[test]
fn hold_guardrails_hold_and_rollback_wins() {
    let c = config(
        r#"{"stages": [{"percentage": 5}, {"percentage": 100}], "guardrails": [
            {"metric": "lat", "kind": "latency", "statistic": "mean", "threshold": {"absolute": 300}, "window": "1m", "severity": "medium"},
            {"metric": "err", "kind": "proportion", "threshold": {"absolute": 0.01}, "window": "1m", "severity": "high"}]}"#,
    );
    let now = DAY;
    let s = |mean: f64, errors: u64| {
        vec![Sample::new(now)
            .canary("lat", Observation::latency(500, Statistic::Mean, mean))
            .canary("err", Observation::proportion(500, errors))]
    };
    assert!(matches!(
        decide(&c, &input(0, 0, now, s(250.0, 2))),
        Decision::Advance { .. }
    ));
    let Decision::Hold {
        reason: HoldReason::Breach { breach },
        ..
    } = decide(&c, &input(0, 0, now, s(350.0, 2)))
    else {
        panic!("expected a hold")
    };
    assert_eq!(
        (breach.metric.as_str(), breach.action, breach.observed),
        ("lat", Action::Hold, 350.0)
    );
    assert!(matches!(
        decide(&c, &input(0, 0, now, s(350.0, 100))),
        Decision::RollBack { .. }
    ));
}

#[test]
fn relative_to_control() {
    let c = config(
        r#"{"stages": [{"percentage": 5}, {"percentage": 100}], "guardrails": [
            {"metric": "err", "kind": "proportion", "threshold": {"relativeToControl": 1.5}, "window": "5m"},
            {"metric": "lat", "kind": "latency", "statistic": "p99", "threshold": {"relativeToControl": 2}, "window": "5m", "minSamples": 50}]}"#,
    );
    let now = DAY;
    let sample = |canary_err: u64, canary_p99: f64, control_n: u64| {
        vec![Sample::new(now)
            .canary("err", Observation::proportion(1_000, canary_err))
            .canary(
                "lat",
                Observation::latency(1_000, Statistic::P99, canary_p99),
            )
            .control("err", Observation::proportion(control_n, control_n / 50))
            .control(
                "lat",
                Observation::latency(control_n, Statistic::P99, 1_000.0),
            )]
    };
    // 2% against a 2% control: healthy.
    assert!(matches!(
        decide(&c, &input(0, 0, now, sample(20, 1_500.0, 19_000))),
        Decision::Advance { .. }
    ));
    // 2.5% is within 1.5x of 2%; 6% is not, significantly.
    assert!(matches!(
        decide(&c, &input(0, 0, now, sample(25, 1_500.0, 19_000))),
        Decision::Advance { .. }
    ));
    let outcome = plan::decide(&c, "f", &input(0, 0, now, sample(60, 1_500.0, 19_000))).unwrap();
    let Decision::RollBack { breach, .. } = &outcome.decision else {
        panic!("{}", outcome.message)
    };
    assert_eq!(breach.control, Some(0.02));
    assert!((breach.threshold - 0.03).abs() < 1e-12);
    // p99 of 2.5 s against twice a 1 s control.
    let Decision::RollBack { breach, .. } =
        decide(&c, &input(0, 0, now, sample(20, 2_500.0, 19_000)))
    else {
        panic!("expected a roll back")
    };
    assert_eq!((breach.metric.as_str(), breach.threshold), ("lat", 2_000.0));
    // Without control traffic the relative guardrails cannot vouch.
    assert!(matches!(
        decide(&c, &input(0, 0, now, sample(20, 1_500.0, 40))),
        Decision::Hold {
            reason: HoldReason::TooFewSamples {
                cohort: Cohort::Control,
                ..
            },
            ..
        }
    ));
}

#[test]
fn latency_windows_merge_by_count() {
    let c = config(
        r#"{"stages": [{"percentage": 5}, {"percentage": 100}], "guardrails": [
            {"metric": "lat", "kind": "latency", "threshold": {"absolute": "1s"}, "window": "2m"},
            {"metric": "max", "kind": "latency", "statistic": "max", "threshold": {"absolute": "10s"}, "window": "2m"}]}"#,
    );
    let now = DAY;
    let samples = vec![
        Sample::new(now - MIN)
            .canary("lat", Observation::latency(300, Statistic::P95, 800.0))
            .canary("max", Observation::latency(300, Statistic::Max, 9_000.0)),
        Sample::new(now)
            .canary("lat", Observation::latency(100, Statistic::P95, 1_400.0))
            .canary("max", Observation::latency(100, Statistic::Max, 2_000.0)),
    ];
    let outcome = plan::decide(&c, "f", &input(0, 0, now, samples)).unwrap();
    assert_eq!(outcome.checks[0].canary.value, Some(950.0));
    assert_eq!(outcome.checks[1].canary.value, Some(9_000.0));
    assert!(matches!(outcome.decision, Decision::Advance { .. }));
}

#[test]
fn the_last_stage_is_complete() {
    let c = config(RUNBOOK);
    let now = 100 * DAY;
    assert_eq!(
        decide(&c, &input(2, 0, now, healthy_window(now, 4_000))),
        Decision::Hold {
            stage: 2,
            percentage: 100_000,
            reason: HoldReason::Complete
        }
    );
}

#[test]
fn bad_input_is_an_error_not_a_decision() {
    let c = config(RUNBOOK);
    let now = DAY;
    let bad = vec![Sample::new(now).canary("error_rate", Observation::proportion(10, 11))];
    assert!(matches!(
        plan::decide(&c, "f", &input(0, 0, now, bad)),
        Err(PlanError::InvalidObservation {
            cohort: Cohort::Canary,
            ..
        })
    ));
    let no_p95 = vec![Sample::new(now).canary(
        "response_time",
        Observation::latency(10, Statistic::Mean, 5.0),
    )];
    let err = plan::decide(&c, "f", &input(0, 0, now, no_p95)).unwrap_err();
    assert!(err.to_string().contains("p95"), "{err}");
    // Out of every window, still an error: the export is broken.
    let old = vec![Sample::new(now - 60 * MIN).control("x", Observation::proportion(1, 2))];
    assert!(matches!(
        plan::decide(&c, "f", &input(0, 0, now, old)),
        Err(PlanError::InvalidObservation {
            cohort: Cohort::Control,
            ..
        })
    ));
    let nan = vec![Sample::new(now).canary(
        "response_time",
        Observation::latency(10, Statistic::P95, f64::NAN),
    )];
    assert!(plan::decide(&c, "f", &input(0, 0, now, nan)).is_err());
    assert_eq!(
        plan::decide(&c, "f", &input(3, 0, now, Vec::new())).unwrap_err(),
        PlanError::StageOutOfRange {
            stage: 3,
            stages: 3
        }
    );
    assert_eq!(
        plan::decide(&c, "nope", &input(0, 0, now, Vec::new())).unwrap_err(),
        PlanError::UnknownFlag("nope".into())
    );
    let example = Config::from_json(EXAMPLE).unwrap();
    assert_eq!(
        plan::decide(&example, "speech-backend-ab", &input(0, 0, now, Vec::new())).unwrap_err(),
        PlanError::NoPlan("speech-backend-ab".into())
    );
}

#[test]
fn the_stage_is_read_from_the_config_when_not_given() {
    let example = Config::from_json(EXAMPLE).unwrap();
    let input = PlanInput::new(T_WEEK1 - DAY, T_WEEK1);
    let outcome = plan::decide(&example, FLAG, &input).unwrap();
    assert!(
        matches!(
            outcome.decision,
            Decision::Hold {
                stage: 0,
                percentage: 5_000,
                ..
            }
        ),
        "{}",
        outcome.message
    );
    // Week 2 of the time stages serves 25%, between the plan's 20% and 50% stages: the
    // flag is at the 20% stage, and a healthy canary advances to 50%.
    let week2 = PlanInput::new(T_WEEK1, T_WEEK1 + 7 * DAY);
    let outcome = plan::decide(&example, FLAG, &week2).unwrap();
    assert!(
        matches!(
            outcome.decision,
            Decision::Hold {
                stage: 1,
                percentage: 20_000,
                ..
            } | Decision::Advance { from_stage: 1, .. }
        ),
        "{:?}: {}",
        outcome.decision,
        outcome.message
    );
    // A default serving the plan's variant to 1%, below its first stage (5%).
    let week1 =
        r#""split": [{ "variant": "on", "weight": 5 },  { "variant": "off", "weight": 95 }]"#;
    assert!(EXAMPLE.contains(week1));
    let below = EXAMPLE.replacen(
        week1,
        r#""split": [{ "variant": "on", "weight": 1 }, { "variant": "off", "weight": 99 }]"#,
        1,
    );
    let below = Config::from_json(&below).unwrap();
    assert_eq!(
        plan::decide(&below, FLAG, &input).unwrap_err(),
        PlanError::UnknownStage {
            flag: FLAG.into(),
            percentage: "1".into()
        }
    );
}

#[test]
fn the_stage_is_the_highest_at_or_below_the_share() {
    let config = Config::from_json(EXAMPLE).unwrap();
    let plan = config.flag(FLAG).unwrap().plan().unwrap();
    // The example's plan: 5%, 20%, 50%, 100%.
    assert_eq!(plan.stage_of(0), None);
    assert_eq!(plan.stage_of(4_999), None);
    assert_eq!(plan.stage_of(5_000), Some(0));
    assert_eq!(plan.stage_of(19_999), Some(0));
    assert_eq!(plan.stage_of(20_000), Some(1));
    assert_eq!(plan.stage_of(25_000), Some(1));
    assert_eq!(plan.stage_of(75_000), Some(2));
    assert_eq!(plan.stage_of(100_000), Some(3));
}

#[test]
fn json_in_json_out() {
    let config = Config::from_json(EXAMPLE).unwrap();
    let input = r#"{
      "stageStartedAt": "2026-11-23T00:00:00Z",
      "now": "2026-11-24T00:00:00Z",
      "exposed": 4200,
      "samples": [
        {"at": "2026-11-23T23:59:00Z",
         "canary": {"error_rate": {"count": 200, "failures": 2}, "response_time": {"count": 200, "p95": 1800, "mean": 700},
                    "transcription_failures": {"count": 200, "failures": 3}}},
        {"at": 1795478400000,
         "canary": {"error_rate": {"count": 210, "failures": 1}, "response_time": {"count": 210, "p95": 1750},
                    "transcription_failures": {"count": 210, "failures": 4}},
         "control": {"error_rate": {"count": 3990, "failures": 40}}},
        {"at": "2026-11-23T23:57:00Z", "canary": {"transcription_failures": {"count": 190, "failures": 2}}}
      ]
    }"#;
    let out = plan::decide_json(&config, FLAG, input, None).unwrap();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["decision"], "ADVANCE", "{out}");
    assert_eq!(v["fromStage"], 0);
    assert_eq!(v["stage"], 1);
    assert_eq!(v["percentage"], 20);
    assert!(v["message"]
        .as_str()
        .unwrap()
        .starts_with("advance to stage 1 (20%)"));
    assert_eq!(v["checks"][0]["metric"], "error_rate");
    assert_eq!(v["checks"][0]["status"], "HEALTHY");
    assert_eq!(v["checks"][0]["canary"]["samples"], 410);
    assert_eq!(v["checks"][0]["canary"]["failures"], 3);
    // The latency window is one minute: only the sample at `now` is in it.
    assert_eq!(v["checks"][1]["canary"]["samples"], 210);
    assert_eq!(v["checks"][1]["canary"]["value"], 1750.0);
    assert_eq!(v["checks"][2]["canary"]["samples"], 600);

    // The caller's time wins over the input's: an hour earlier is too early.
    let out = plan::decide_json(&config, FLAG, input, Some(T_WEEK1 - HOUR)).unwrap();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["decision"], "HOLD");
    assert_eq!(v["reason"]["code"], "TOO_EARLY");
    assert_eq!(v["reason"]["minDurationMs"], DAY);
    assert_eq!(
        v["message"],
        "hold at 5%: the stage has run 23h of its minimum 1d"
    );

    // Errors.
    assert_eq!(
        plan::decide_json(&config, FLAG, r#"{"stageStartedAt": 0}"#, None).unwrap_err(),
        PlanError::MissingTime
    );
    let err = plan::decide_json(
        &config,
        FLAG,
        r#"{"stageStartedAt": 0, "now": 1, "sampels": []}"#,
        None,
    )
    .unwrap_err();
    assert!(
        matches!(&err, PlanError::InvalidInput(m) if m.contains("sampels")),
        "{err}"
    );
    let err = plan::decide_json(
        &config,
        FLAG,
        r#"{"stageStartedAt": "yesterday", "now": 1}"#,
        None,
    )
    .unwrap_err();
    assert!(
        matches!(&err, PlanError::InvalidInput(m) if m.contains("yesterday")),
        "{err}"
    );
}

#[test]
fn decisions_round_trip_through_json() {
    let c = config(RUNBOOK);
    let now = 10 * DAY;
    let mut bad = healthy_window(now, 400);
    bad[0] = bad[0]
        .clone()
        .canary("error_rate", Observation::proportion(400, 200));
    for input in [
        input(0, 0, now, healthy_window(now, 200)),
        input(0, now - HOUR, now, healthy_window(now, 200)),
        input(0, 0, now, bad),
        input(0, 0, now, Vec::new()),
        input(2, 0, now, Vec::new()),
    ] {
        let outcome = plan::decide(&c, "f", &input).unwrap();
        let json = serde_json::to_string(&outcome).unwrap();
        assert_eq!(
            Decision::from_json(&json).unwrap(),
            outcome.decision,
            "{json}"
        );
    }
    let odd = Decision::from_json(
        r#"{"decision": "ADVANCE", "fromStage": 0, "stage": 1, "percentage": 12.345}"#,
    )
    .unwrap();
    assert_eq!(
        odd,
        Decision::Advance {
            from_stage: 0,
            stage: 1,
            percentage: 12_345,
            at: None,
        }
    );
    assert!(Decision::from_json(
        r#"{"decision": "ADVANCE", "fromStage": 0, "stage": 1, "percentage": 120}"#
    )
    .is_err());
    assert!(Decision::from_json(r#"{"decision": "PANIC"}"#).is_err());
}

/// The share of 20 000 plain users the flag is on for.
fn share_on(store: &Store, flag: &str) -> f64 {
    let snapshot = store.snapshot();
    let week1 = snapshot.at(T_WEEK1);
    let on = (0..20_000)
        .filter(|i| week1.is_enabled(flag, &Context::new(format!("user-{i}"))))
        .count();
    on as f64 / 20_000.0
}

#[test]
fn the_store_applies_decisions() {
    let store = Store::from_json(EXAMPLE).unwrap();
    // Decided in week 1: the time-staged default serves stage 0 (5%) then.
    let advance = |stage: usize, percentage: u32| Decision::Advance {
        from_stage: stage - 1,
        stage,
        percentage,
        at: Some(T_WEEK1),
    };
    let at5: Vec<bool> = {
        let snapshot = store.snapshot();
        let week1 = snapshot.at(T_WEEK1);
        (0..5_000)
            .map(|i| week1.is_enabled(FLAG, &Context::new(format!("user-{i}"))))
            .collect()
    };
    assert!((share_on(&store, FLAG) - 0.05).abs() < 0.01);

    // Hold changes nothing.
    let hold = Decision::Hold {
        stage: 0,
        percentage: 5_000,
        reason: HoldReason::Complete,
    };
    assert_eq!(store.apply_decision(FLAG, &hold).unwrap(), 1);

    // Advance: a new revision at 20%, the old one kept for rollback; nobody who had the
    // canary loses it.
    assert_eq!(store.apply_decision(FLAG, &advance(1, 20_000)).unwrap(), 2);
    assert_eq!(store.history(), [1, 2]);
    assert!((share_on(&store, FLAG) - 0.20).abs() < 0.01);
    for (i, was_on) in at5.iter().enumerate() {
        if *was_on {
            assert!(
                store.is_enabled(FLAG, &Context::new(format!("user-{i}"))),
                "user-{i} lost the canary"
            );
        }
    }
    // The rules still come first; the default is a plain split now (no time needed).
    let legacy = Context::new("user-1").with("appVersion", "2.2.0");
    assert!(!store.is_enabled(FLAG, &legacy));
    let e = store
        .snapshot()
        .evaluate(FLAG, &Context::new("user-1"))
        .to_details();
    assert!(matches!(e.reason, Reason::Split), "{e:?}");
    // The other flags are untouched, and the plan is kept.
    assert!(store.config().flag(FLAG).and_then(|f| f.plan()).is_some());

    // Applying is a compare-and-swap on the stage: a replayed or stale ADVANCE, one that
    // skips a stage, or a hand-written jump to 100% is refused, and nothing changes.
    let stale = |r: Result<u64, StoreError>| matches!(r, Err(StoreError::StaleDecision { .. }));
    assert!(
        stale(store.apply_decision(FLAG, &advance(1, 20_000))),
        "replayed"
    );
    assert!(
        stale(store.apply_decision(FLAG, &advance(3, 100_000))),
        "skips stage 2"
    );
    assert!(
        stale(store.apply_decision(FLAG, &advance(2, 100_000))),
        "not the plan's 50%"
    );
    let jump = store.apply_decision_json(FLAG, r#"{"decision":"ADVANCE","percentage":100}"#);
    assert!(jump.is_err(), "{jump:?}");
    let jump = store.apply_decision_json(
        FLAG,
        r#"{"decision":"ADVANCE","fromStage":1,"stage":3,"percentage":100}"#,
    );
    assert!(
        matches!(
            &jump,
            Err(PlanError::Store(StoreError::StaleDecision { .. }))
        ),
        "{jump:?}"
    );
    let e = StoreError::StaleDecision {
        flag: FLAG.into(),
        message: String::new(),
    };
    assert_eq!(e.code().as_str(), "STALE_DECISION");
    assert_eq!(store.revision(), 2);

    assert_eq!(store.apply_decision(FLAG, &advance(2, 50_000)).unwrap(), 3);
    assert_eq!(store.apply_decision(FLAG, &advance(3, 100_000)).unwrap(), 4);
    assert_eq!(share_on(&store, FLAG), 1.0);

    // Roll back: a kill override, at once; the config and its history stay.
    let rollback = Decision::from_json(
        r#"{"decision": "ROLL_BACK", "stage": 3, "percentage": 100, "breach": {"guardrail": 0, "metric": "error_rate",
            "severity": "critical", "action": "rollback", "observed": 0.2, "threshold": 0.05, "samples": 800, "windowMs": 120000}}"#,
    )
    .unwrap();
    assert_eq!(store.apply_decision(FLAG, &rollback).unwrap(), 4);
    assert_eq!(share_on(&store, FLAG), 0.0);
    assert_eq!(store.overrides(), [(FLAG.to_owned(), Override::Kill)]);
    assert_eq!(store.history(), [1, 2, 3, 4]);
    // A killed rollout does not advance until the override is cleared.
    assert_eq!(
        store.apply_decision(FLAG, &advance(1, 20_000)),
        Err(StoreError::Overridden(FLAG.into()))
    );
    assert!(store.clear_override(FLAG));
    assert_eq!(share_on(&store, FLAG), 1.0);
    // And the history undoes advances.
    assert_eq!(store.rollback().unwrap(), 3);
    assert_eq!(store.rollback().unwrap(), 2);
    assert!((share_on(&store, FLAG) - 0.20).abs() < 0.01);

    // Errors.
    assert_eq!(
        store.apply_decision("speech-backend-ab", &advance(1, 20_000)),
        Err(StoreError::NoPlan("speech-backend-ab".into()))
    );
    assert_eq!(
        store.apply_decision("nope", &advance(1, 20_000)),
        Err(StoreError::UnknownFlag("nope".into()))
    );
    assert_eq!(
        store.apply_decision(FLAG, &advance(1, 100_001)),
        Err(StoreError::InvalidPercentage(100_001))
    );
    assert_eq!(store.revision(), 2);
}

#[test]
fn apply_keeps_the_canary_where_the_config_put_it() {
    // The plan's variant takes the high buckets here: advancing keeps it there.
    let text = r#"{"schemaVersion": 1, "flags": {"f": {"enabled": true,
        "default": {"split": [{"variant": "off", "weight": 90}, {"variant": "on", "weight": 10}]},
        "plan": {"stages": [{"percentage": 10}, {"percentage": 30}]}}}}"#;
    let store = Store::from_json(text).unwrap();
    let users: Vec<Context> = (0..5_000).map(|i| Context::new(format!("u{i}"))).collect();
    let before: Vec<bool> = users.iter().map(|u| store.is_enabled("f", u)).collect();
    store
        .apply_decision_json(
            "f",
            r#"{"decision": "ADVANCE", "fromStage": 0, "stage": 1, "percentage": 30}"#,
        )
        .unwrap();
    let after: Vec<bool> = users.iter().map(|u| store.is_enabled("f", u)).collect();
    assert!(
        before.iter().zip(&after).all(|(b, a)| !b || *a),
        "a canary user lost the canary"
    );
    let share = after.iter().filter(|a| **a).count() as f64 / 5_000.0;
    assert!((share - 0.30).abs() < 0.02, "{share}");
    assert!(matches!(
        store.apply_decision_json("f", "{}"),
        Err(PlanError::InvalidInput(_))
    ));
}

#[test]
fn decide_then_apply_from_json() {
    let store = Store::from_json(EXAMPLE).unwrap();
    let now = T_WEEK1;
    let samples: Vec<serde_json::Value> = (0..5)
        .map(|i| {
            serde_json::json!({"at": now - i * MIN, "canary": {
                "error_rate": {"count": 300, "failures": 3},
                "response_time": {"count": 300, "p95": 1200},
                "transcription_failures": {"count": 300, "failures": 6}}})
        })
        .collect();
    let input =
        serde_json::json!({"stageStartedAt": now - 2 * DAY, "exposed": 3000, "samples": samples})
            .to_string();
    let outcome = plan::decide_json(&store.config(), FLAG, &input, Some(now)).unwrap();
    assert_eq!(
        store.apply_decision_json(FLAG, &outcome).unwrap(),
        2,
        "{outcome}"
    );
    assert!((share_on(&store, FLAG) - 0.20).abs() < 0.01);
    // Next time the stage is read from the store's config: 20% is stage 1.
    let outcome = plan::decide_json(&store.config(), FLAG, &input, Some(now)).unwrap();
    let v: serde_json::Value = serde_json::from_str(&outcome).unwrap();
    assert_eq!(
        (v["decision"].as_str(), v["stage"].as_u64()),
        (Some("HOLD"), Some(1)),
        "{outcome}"
    );
    assert_eq!(v["reason"]["code"], "TOO_EARLY");
}
