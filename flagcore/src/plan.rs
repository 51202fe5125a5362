//! Rollout plans and guardrails: the canary decides for itself when to advance or roll back.
//!
//! A flag may carry a `plan` (see `docs/rollouts.md`): ordered **stages** (a percentage of
//! the flag's default split served the plan's variant, a minimum duration, optionally a
//! minimum number of exposed users) and **guardrails** (a metric, a threshold either
//! absolute or relative to the control cohort, a window, a severity, and whether a breach
//! rolls back or only holds).
//!
//! [`decide`] is a pure function: given the plan, the stage and when it started, the
//! current time and metric samples per cohort, it returns a [`Decision`]:
//!
//! 1. **ROLL_BACK** when a guardrail whose action is `rollback` is breached with
//!    statistical significance (the most severe one is reported), at any point of a stage;
//! 2. **HOLD** when a guardrail whose action is `hold` is breached, when the last stage is
//!    reached (`COMPLETE`), when the stage is younger than its `minDuration`
//!    (`TOO_EARLY`), when fewer users than `minExposed` saw the canary
//!    (`TOO_FEW_EXPOSED`), or when a guardrail's window holds fewer than `minSamples`
//!    observations in a cohort it needs (`TOO_FEW_SAMPLES`), in that order;
//! 3. **ADVANCE** to the next stage otherwise.
//!
//! The statistics: a proportion guardrail against an absolute threshold `p0` is a one-sided
//! exact binomial test: it breaches when `P(X ≥ failures | n, p0)` is below
//! `1 − confidence`. Against the control (`canary > r × control`) it is a one-sided Wald
//! test on Agresti–Caffo adjusted rates `p̃ = (x+1)/(n+2)`,
//! `z = (p̃c − r·p̃k) / √(p̃c(1−p̃c)/(nc+2) + r²·p̃k(1−p̃k)/(nk+2))`, which breaches when `z`
//! exceeds the normal quantile of the guardrail's `confidence` (default
//! [`DEFAULT_CONFIDENCE`]). Either needs at least `minSamples` observations in the window
//! from each cohort it reads (default [`DEFAULT_MIN_SAMPLES`]). A latency guardrail
//! compares a summary statistic (`p95` by default) of the window with its threshold once
//! the window holds `minSamples` requests. Worse metrics never make a decision better:
//! the decision is monotone (tested by property tests).
//!
//! The core reads no clock: every time is passed in, in Unix milliseconds.
//!
//! # Example
//! ```
//! use flagcore::plan::{self, Decision, Observation, PlanInput, Sample};
//! use flagcore::Config;
//!
//! let config = Config::from_json(r#"{"schemaVersion": 1, "flags": {"new-backend": {
//!   "enabled": true,
//!   "default": {"split": [{"variant": "on", "weight": 5}, {"variant": "off", "weight": 95}]},
//!   "plan": {
//!     "stages": [{"percentage": 5, "minDuration": "1d"}, {"percentage": 100}],
//!     "guardrails": [{"metric": "error_rate", "kind": "proportion",
//!                     "threshold": {"absolute": 0.05}, "window": "2m", "severity": "critical"}]
//!   }}}}"#).unwrap();
//!
//! let day = 86_400_000;
//! let minute = |at: i64, failures: u64| Sample::new(at)
//!     .canary("error_rate", Observation::proportion(200, failures));
//! // A day into the 5% stage, 1 error in 400 requests: advance to 100%.
//! let input = PlanInput::new(0, day).stage(0)
//!     .sample(minute(day - 60_000, 1)).sample(minute(day, 0));
//! let outcome = plan::decide(&config, "new-backend", &input).unwrap();
//! assert!(matches!(outcome.decision, Decision::Advance { stage: 1, .. }));
//!
//! // 80 errors in 400 requests: roll back, whatever the time.
//! let input = PlanInput::new(0, 3_600_000).stage(0)
//!     .sample(minute(3_540_000, 40)).sample(minute(3_600_000, 40));
//! let outcome = plan::decide(&config, "new-backend", &input).unwrap();
//! assert!(matches!(outcome.decision, Decision::RollBack { .. }));
//! println!("{}", outcome.message); // roll back at 5%: guardrail 0 (error_rate, critical) ...
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::bucket::BUCKETS;
use crate::config::{
    format_thousandths, non_empty_array, percentage, suggestion, variant_ref, Checker, Config, Obj,
    Serve, Split,
};
use crate::error::{ProblemCode, StoreError};
use crate::json::{q, Json, Path};
use crate::stats::ln_gamma;
use crate::time::parse_rfc3339;

/// The observations a guardrail needs in its window, per cohort it reads, unless its
/// `minSamples` says otherwise.
pub const DEFAULT_MIN_SAMPLES: u64 = 100;

/// The one-sided confidence a proportion guardrail needs before it counts as breached,
/// unless its `confidence` says otherwise (z > 3.09). See `docs/rollouts.md` for the
/// false-rollback rate this gives, measured by simulation.
pub const DEFAULT_CONFIDENCE: f64 = 0.999;

// ---------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------

/// A flag's rollout plan: stages and guardrails, compiled from the config.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    variant: u32,
    control: u32,
    variant_name: Box<str>,
    control_name: Box<str>,
    stages: Vec<PlanStage>,
    guardrails: Vec<Guardrail>,
}

/// One stage of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlanStage {
    /// The share of the flag's default split served the plan's variant, in thousandths of a
    /// percent (`5_000` is 5%).
    pub percentage: u32,
    /// How long the stage runs at least before the plan advances, in milliseconds.
    pub min_duration_ms: i64,
    /// How many users must have been exposed to the canary in this stage before advancing.
    pub min_exposed: u64,
}

/// What a guardrail measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricKind {
    /// A share of failing events: samples carry `count` and `failures`.
    Proportion,
    /// A latency summary: samples carry `count` and the statistic, in milliseconds.
    Latency,
}

/// The summary statistic a latency guardrail compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Statistic {
    /// The mean.
    Mean,
    /// The median.
    P50,
    /// The 75th percentile.
    P75,
    /// The 90th percentile.
    P90,
    /// The 95th percentile (the default).
    P95,
    /// The 99th percentile.
    P99,
    /// The maximum.
    Max,
}

impl Statistic {
    const NAMES: &'static [&'static str] = &["mean", "p50", "p75", "p90", "p95", "p99", "max"];

    /// The config name: `mean`, `p50`, `p75`, `p90`, `p95`, `p99`, `max`.
    pub fn as_str(self) -> &'static str {
        match self {
            Statistic::Mean => "mean",
            Statistic::P50 => "p50",
            Statistic::P75 => "p75",
            Statistic::P90 => "p90",
            Statistic::P95 => "p95",
            Statistic::P99 => "p99",
            Statistic::Max => "max",
        }
    }

    fn parse(name: &str) -> Option<Statistic> {
        Some(match name {
            "mean" => Statistic::Mean,
            "p50" => Statistic::P50,
            "p75" => Statistic::P75,
            "p90" => Statistic::P90,
            "p95" => Statistic::P95,
            "p99" => Statistic::P99,
            "max" => Statistic::Max,
            _ => return None,
        })
    }

    fn of(self, o: &Observation) -> Option<f64> {
        match self {
            Statistic::Mean => o.mean,
            Statistic::P50 => o.p50,
            Statistic::P75 => o.p75,
            Statistic::P90 => o.p90,
            Statistic::P95 => o.p95,
            Statistic::P99 => o.p99,
            Statistic::Max => o.max,
        }
    }
}

/// What a guardrail compares the canary with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Threshold {
    /// A fixed limit: a fraction (0.05 is 5%) for proportions, milliseconds for latency.
    Absolute(f64),
    /// A multiple of the control cohort's value (1.5: the canary may be 50% worse).
    RelativeToControl(f64),
}

/// How serious a guardrail's breach is; breaches are reported most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Page someone: by default, roll back.
    Critical,
    /// By default, roll back.
    High,
    /// By default, hold.
    Medium,
    /// By default, hold.
    Low,
}

impl Severity {
    const NAMES: &'static [&'static str] = &["critical", "high", "medium", "low"];

    /// The config name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// What a breach of a guardrail does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// Roll the canary back (the store kills the flag).
    #[serde(rename = "rollback")]
    RollBack,
    /// Stay at the current stage until the guardrail is healthy again.
    #[serde(rename = "hold")]
    Hold,
}

/// One guardrail of a plan.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Guardrail {
    /// The metric's name, as the samples key it.
    pub metric: String,
    /// Proportion or latency.
    pub kind: MetricKind,
    /// The statistic a latency guardrail compares (`p95` by default; unused for
    /// proportions).
    pub statistic: Statistic,
    /// The limit.
    pub threshold: Threshold,
    /// How far back the samples are read, in milliseconds.
    pub window_ms: i64,
    /// How serious a breach is.
    pub severity: Severity,
    /// What a breach does.
    pub action: Action,
    /// The observations needed in the window, per cohort read.
    pub min_samples: u64,
    /// The one-sided confidence a proportion breach needs (0.5 to 1, exclusive).
    pub confidence: f64,
    z_critical: f64,
}

impl Guardrail {
    /// The z score a proportion test must exceed: the normal quantile of `confidence`.
    pub fn z_critical(&self) -> f64 {
        self.z_critical
    }
}

impl Plan {
    /// The variant the plan rolls out (the canary).
    pub fn variant(&self) -> &str {
        &self.variant_name
    }
    /// The variant the rest of the split serves (the control cohort).
    pub fn control_variant(&self) -> &str {
        &self.control_name
    }
    /// The stages, in order.
    pub fn stages(&self) -> &[PlanStage] {
        &self.stages
    }
    /// The guardrails, in config order.
    pub fn guardrails(&self) -> &[Guardrail] {
        &self.guardrails
    }
    /// The stage a flag serving its variant to `share` (thousandths of a percent) is at:
    /// the highest stage whose percentage is at or below `share` (so a calendar that serves
    /// 25% while the plan has 20% and 50% is at the 20% stage, and advancing goes to 50%);
    /// `None` below the first stage.
    pub fn stage_of(&self, share: u32) -> Option<usize> {
        // Percentages strictly increase (validated), so the stages at or below `share`
        // are a prefix.
        self.stages
            .iter()
            .take_while(|s| s.percentage <= share)
            .count()
            .checked_sub(1)
    }
}

// ---------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------

/// Which cohort a sample or a shortfall is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cohort {
    /// Users served the plan's variant.
    Canary,
    /// Users served the control variant.
    Control,
}

/// One metric of one cohort over one sample interval: a count of events, and either the
/// failures among them (proportions) or latency summaries in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// Events (requests, transcriptions) in the interval.
    pub count: u64,
    /// Failing events among them (proportion metrics).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failures: Option<u64>,
    /// Mean latency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Median latency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p50: Option<f64>,
    /// 75th percentile latency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p75: Option<f64>,
    /// 90th percentile latency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p90: Option<f64>,
    /// 95th percentile latency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p95: Option<f64>,
    /// 99th percentile latency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p99: Option<f64>,
    /// Maximum latency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

impl Observation {
    /// `failures` failing events out of `count`.
    pub fn proportion(count: u64, failures: u64) -> Observation {
        Observation {
            count,
            failures: Some(failures),
            ..Observation::default()
        }
    }

    /// `count` events whose `statistic` is `millis`.
    pub fn latency(count: u64, statistic: Statistic, millis: f64) -> Observation {
        Observation::default()
            .with_count(count)
            .with(statistic, millis)
    }

    fn with_count(mut self, count: u64) -> Observation {
        self.count = count;
        self
    }

    /// Sets one latency statistic (builder style).
    pub fn with(mut self, statistic: Statistic, millis: f64) -> Observation {
        let slot = match statistic {
            Statistic::Mean => &mut self.mean,
            Statistic::P50 => &mut self.p50,
            Statistic::P75 => &mut self.p75,
            Statistic::P90 => &mut self.p90,
            Statistic::P95 => &mut self.p95,
            Statistic::P99 => &mut self.p99,
            Statistic::Max => &mut self.max,
        };
        *slot = Some(millis);
        self
    }
}

/// The metrics of both cohorts over one interval that ends at `at` (Unix ms). A sample
/// counts for a guardrail when `now − window < at ≤ now`: send one sample per minute (or
/// per scrape), and every guardrail reads the samples of its own window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    /// The end of the interval, Unix ms (RFC 3339 in JSON is accepted too).
    #[serde(deserialize_with = "de_time")]
    pub at: i64,
    /// The canary cohort's metrics, by metric name.
    #[serde(default)]
    pub canary: BTreeMap<String, Observation>,
    /// The control cohort's metrics, by metric name.
    #[serde(default)]
    pub control: BTreeMap<String, Observation>,
}

impl Sample {
    /// An empty sample for the interval ending at `at`.
    pub fn new(at: i64) -> Sample {
        Sample {
            at,
            ..Sample::default()
        }
    }
    /// Adds a canary observation (builder style).
    pub fn canary(mut self, metric: &str, observation: Observation) -> Sample {
        self.canary.insert(metric.to_owned(), observation);
        self
    }
    /// Adds a control observation (builder style).
    pub fn control(mut self, metric: &str, observation: Observation) -> Sample {
        self.control.insert(metric.to_owned(), observation);
        self
    }
    fn cohort(&self, cohort: Cohort) -> &BTreeMap<String, Observation> {
        match cohort {
            Cohort::Canary => &self.canary,
            Cohort::Control => &self.control,
        }
    }
}

/// What [`decide`] reads: where the rollout is, the time, and the metric samples.
///
/// JSON form (times are Unix ms or RFC 3339):
/// `{"stage": 0, "stageStartedAt": "2026-11-23T09:00:00Z", "now": ..., "exposed": 1200,
///   "samples": [{"at": ..., "canary": {"error_rate": {"count": 200, "failures": 3}},
///   "control": {...}}]}`. `stage` may be left out when the flag's config serves exactly one
/// stage's percentage at `now`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PlanInput {
    /// The current stage's index, or `None` to read it from the config's default split.
    pub stage: Option<usize>,
    /// When the current stage started, Unix ms.
    pub stage_started_at: i64,
    /// The time of the decision, Unix ms.
    pub now: i64,
    /// Users exposed to the canary since the stage started, if counted.
    pub exposed: Option<u64>,
    /// Metric samples, any order; samples outside a guardrail's window are ignored.
    pub samples: Vec<Sample>,
}

impl PlanInput {
    /// An input for the stage that started at `stage_started_at`, decided at `now`.
    pub fn new(stage_started_at: i64, now: i64) -> PlanInput {
        PlanInput {
            stage_started_at,
            now,
            ..PlanInput::default()
        }
    }
    /// Sets the current stage (builder style).
    pub fn stage(mut self, stage: usize) -> PlanInput {
        self.stage = Some(stage);
        self
    }
    /// Sets the number of users exposed to the canary in this stage (builder style).
    pub fn exposed(mut self, exposed: u64) -> PlanInput {
        self.exposed = Some(exposed);
        self
    }
    /// Adds a sample (builder style).
    pub fn sample(mut self, sample: Sample) -> PlanInput {
        self.samples.push(sample);
        self
    }

    /// Parses the JSON form. `now`, when given, takes precedence over the JSON's `now`
    /// (the skins pass the current time); one of the two is required.
    pub fn from_json(text: &str, now: Option<i64>) -> Result<PlanInput, PlanError> {
        let raw: RawInput =
            serde_json::from_str(text).map_err(|e| PlanError::InvalidInput(e.to_string()))?;
        let now = now.or(raw.now).ok_or(PlanError::MissingTime)?;
        Ok(PlanInput {
            stage: raw.stage,
            stage_started_at: raw.stage_started_at,
            now,
            exposed: raw.exposed,
            samples: raw.samples,
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawInput {
    #[serde(default)]
    stage: Option<usize>,
    #[serde(deserialize_with = "de_time")]
    stage_started_at: i64,
    #[serde(default, deserialize_with = "de_opt_time")]
    now: Option<i64>,
    #[serde(default)]
    exposed: Option<u64>,
    #[serde(default)]
    samples: Vec<Sample>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum TimeRepr {
    Millis(i64),
    Text(String),
}

fn time_of<E: serde::de::Error>(t: TimeRepr) -> Result<i64, E> {
    match t {
        TimeRepr::Millis(ms) => Ok(ms),
        TimeRepr::Text(s) => parse_rfc3339(&s).ok_or_else(|| {
            E::custom(format!(
                "{s} is not an RFC 3339 timestamp or Unix milliseconds",
                s = q(&s)
            ))
        }),
    }
}

fn de_time<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    time_of(TimeRepr::deserialize(d)?)
}

fn de_opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<TimeRepr>::deserialize(d)? {
        Some(t) => time_of(t).map(Some),
        None => Ok(None),
    }
}

// ---------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------

/// A guardrail's breach: what was observed against what limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Breach {
    /// The guardrail's index in the plan.
    pub guardrail: usize,
    /// Its metric.
    pub metric: String,
    /// Its severity.
    pub severity: Severity,
    /// Its action.
    pub action: Action,
    /// The canary's value over the window (a fraction, or milliseconds).
    pub observed: f64,
    /// The limit it crossed: the absolute threshold, or the ratio times the control's value.
    pub threshold: f64,
    /// The control's value over the window, for relative guardrails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<f64>,
    /// The canary observations in the window.
    pub samples: u64,
    /// The test statistic, for proportion guardrails with a finite one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub z: Option<f64>,
    /// The guardrail's window, in milliseconds.
    pub window_ms: i64,
}

/// Why a plan holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "code",
    rename_all = "SCREAMING_SNAKE_CASE",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum HoldReason {
    /// A guardrail whose action is `hold` is breached.
    Breach {
        /// The breach (the most severe one).
        breach: Breach,
    },
    /// The last stage is reached: nothing left to advance to.
    Complete,
    /// The stage has not run its minimum duration.
    TooEarly {
        /// How long the stage has run, in milliseconds.
        elapsed_ms: i64,
        /// How long it must run.
        min_duration_ms: i64,
    },
    /// Fewer users than the stage's `minExposed` saw the canary.
    TooFewExposed {
        /// Users exposed (0 when the input does not say).
        exposed: u64,
        /// Users required.
        required: u64,
    },
    /// A guardrail lacks observations in its window: it cannot vouch for the canary yet.
    TooFewSamples {
        /// The guardrail's index.
        guardrail: usize,
        /// Its metric.
        metric: String,
        /// The cohort short of observations.
        cohort: Cohort,
        /// Observations in the window.
        samples: u64,
        /// Observations needed.
        required: u64,
    },
}

/// What a plan decides.
///
/// JSON form: `{"decision": "ADVANCE", "fromStage": 0, "stage": 1, "percentage": 20}`,
/// `{"decision": "HOLD", "stage": 0, "percentage": 5, "reason": {"code": "TOO_EARLY", ...}}`,
/// `{"decision": "ROLL_BACK", "stage": 1, "percentage": 20, "breach": {...}}`.
/// Percentages are numbers from 0 to 100. The three kinds are the contract (not
/// `non_exhaustive`): match on them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "decision",
    rename_all = "SCREAMING_SNAKE_CASE",
    rename_all_fields = "camelCase"
)]
pub enum Decision {
    /// Move to the next stage: serve the plan's variant to `percentage`.
    Advance {
        /// The stage the rollout was at.
        from_stage: usize,
        /// The stage to move to.
        stage: usize,
        /// Its percentage, in thousandths of a percent (a number 0..=100 in JSON).
        #[serde(with = "thousandths")]
        percentage: u32,
    },
    /// Stay at the current stage.
    Hold {
        /// The current stage.
        stage: usize,
        /// Its percentage, in thousandths of a percent.
        #[serde(with = "thousandths")]
        percentage: u32,
        /// Why.
        reason: HoldReason,
    },
    /// Roll the canary back: a guardrail that rolls back is breached.
    RollBack {
        /// The stage the rollout was at.
        stage: usize,
        /// Its percentage, in thousandths of a percent.
        #[serde(with = "thousandths")]
        percentage: u32,
        /// The breach (the most severe one).
        breach: Breach,
    },
}

impl Decision {
    /// `ADVANCE`, `HOLD` or `ROLL_BACK`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Decision::Advance { .. } => "ADVANCE",
            Decision::Hold { .. } => "HOLD",
            Decision::RollBack { .. } => "ROLL_BACK",
        }
    }

    /// 0 for a roll back, 1 for a hold, 2 for an advance: worse metrics never raise it.
    pub fn rank(&self) -> u8 {
        match self {
            Decision::RollBack { .. } => 0,
            Decision::Hold { .. } => 1,
            Decision::Advance { .. } => 2,
        }
    }

    /// Parses the JSON form (an [`Outcome`]'s JSON is accepted too: extra fields are
    /// ignored).
    pub fn from_json(text: &str) -> Result<Decision, PlanError> {
        serde_json::from_str(text).map_err(|e| PlanError::InvalidInput(e.to_string()))
    }
}

mod thousandths {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(t: &u32, s: S) -> Result<S::Ok, S::Error> {
        if t % 1000 == 0 {
            s.serialize_u32(t / 1000)
        } else {
            s.serialize_f64(f64::from(*t) / 1000.0)
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        let f = f64::deserialize(d)?;
        if !(0.0..=100.0).contains(&f) {
            return Err(serde::de::Error::custom(format!(
                "percentage {f} is outside 0..=100"
            )));
        }
        Ok((f * 1000.0).round() as u32)
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Advance {
                from_stage,
                stage,
                percentage,
            } => write!(
                f,
                "advance to stage {stage} ({}%): stage {from_stage} ran its minimum duration and every guardrail is healthy",
                format_thousandths(*percentage)
            ),
            Decision::Hold {
                percentage, reason, ..
            } => {
                write!(f, "hold at {}%: ", format_thousandths(*percentage))?;
                match reason {
                    HoldReason::Breach { breach } => write_breach(f, breach),
                    HoldReason::Complete => f.write_str("the plan is complete"),
                    HoldReason::TooEarly {
                        elapsed_ms,
                        min_duration_ms,
                    } => write!(
                        f,
                        "the stage has run {} of its minimum {}",
                        format_duration((*elapsed_ms).max(0)),
                        format_duration(*min_duration_ms)
                    ),
                    HoldReason::TooFewExposed { exposed, required } => {
                        write!(f, "{exposed} users exposed to the canary, the stage needs {required}")
                    }
                    HoldReason::TooFewSamples {
                        guardrail,
                        metric,
                        cohort,
                        samples,
                        required,
                    } => write!(
                        f,
                        "guardrail {guardrail} ({metric}) has {samples} {} observations in its window, it needs {required}",
                        match cohort {
                            Cohort::Canary => "canary",
                            Cohort::Control => "control",
                        }
                    ),
                }
            }
            Decision::RollBack {
                percentage, breach, ..
            } => {
                write!(f, "roll back at {}%: ", format_thousandths(*percentage))?;
                write_breach(f, breach)
            }
        }
    }
}

fn write_breach(f: &mut fmt::Formatter<'_>, b: &Breach) -> fmt::Result {
    write!(
        f,
        "guardrail {} ({}, {}) breached over {}: canary {} against a limit of {}",
        b.guardrail,
        b.metric,
        b.severity.as_str(),
        format_duration(b.window_ms),
        round4(b.observed),
        round4(b.threshold),
    )?;
    if let Some(c) = b.control {
        write!(f, " (control {})", round4(c))?;
    }
    write!(f, ", {} canary observations", b.samples)?;
    if let Some(z) = b.z {
        write!(f, ", z = {:.2}", z)?;
    }
    Ok(())
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// How one guardrail looks at the time of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CheckStatus {
    /// Enough observations, no breach.
    Healthy,
    /// Breached (significantly, for proportions).
    Breached,
    /// Too few observations in the window to say.
    Insufficient,
}

/// One cohort's numbers over a guardrail's window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CohortSummary {
    /// Observations in the window.
    pub samples: u64,
    /// Failures among them (proportions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failures: Option<u64>,
    /// The value: the failure rate, or the latency statistic (`None` without observations).
    pub value: Option<f64>,
}

/// One guardrail's state at a decision, for reports and dashboards.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Check {
    /// The guardrail's index.
    pub guardrail: usize,
    /// Its metric.
    pub metric: String,
    /// Proportion or latency.
    pub kind: MetricKind,
    /// Healthy, breached or insufficient.
    pub status: CheckStatus,
    /// The canary over the window.
    pub canary: CohortSummary,
    /// The control over the window (relative guardrails).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<CohortSummary>,
    /// The limit in force (`None` when a relative limit lacks control data).
    pub threshold: Option<f64>,
    /// The test statistic (proportions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub z: Option<f64>,
}

/// A decision with its explanation: a sentence, and every guardrail's state.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Outcome {
    /// What to do.
    #[serde(flatten)]
    pub decision: Decision,
    /// Why, in one sentence.
    pub message: String,
    /// Every guardrail, in plan order.
    pub checks: Vec<Check>,
}

/// Why a decision could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// No flag has this key in the config. Check the key.
    #[error("flag {} is not in the config", q(.0))]
    UnknownFlag(String),
    /// The flag has no `plan`. Add one to the config (see `docs/rollouts.md`).
    #[error("flag {} has no rollout plan", q(.0))]
    NoPlan(String),
    /// The input JSON does not parse or has the wrong shape; the message says where.
    #[error("invalid plan input: {0}")]
    InvalidInput(String),
    /// Neither the input nor the caller gave the time of the decision.
    #[error("the plan input has no \"now\" and no time was passed")]
    MissingTime,
    /// The stage index is past the plan's last stage.
    #[error("stage {stage} does not exist: the plan has {stages} stages")]
    StageOutOfRange {
        /// The index given.
        stage: usize,
        /// The number of stages.
        stages: usize,
    },
    /// No stage was given and the flag's default serves the plan's variant to less than
    /// the plan's first stage at that time. Pass `stage` explicitly.
    #[error("flag {flag} serves its plan's variant to {percentage}%, below the first stage of its plan; pass \"stage\"", flag = q(.flag))]
    UnknownStage {
        /// The flag.
        flag: String,
        /// The percentage served, formatted.
        percentage: String,
    },
    /// A sample lacks a value a guardrail reads, or has an impossible one (failures above
    /// count, a negative or non-finite latency). Fix the metrics export.
    #[error("sample at {at}: {cohort:?} metric {metric}: {message}", metric = q(.metric))]
    InvalidObservation {
        /// The sample's time.
        at: i64,
        /// The cohort.
        cohort: Cohort,
        /// The metric.
        metric: String,
        /// What is wrong.
        message: String,
    },
    /// Applying the decision through the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

// ---------------------------------------------------------------------------------------
// Deciding
// ---------------------------------------------------------------------------------------

/// Decides for the plan of `flag` in `config`. When `input.stage` is `None` the stage is
/// found from the share the flag's default serves the plan's variant at `input.now`: the
/// highest stage at or below it (see [`Plan::stage_of`]).
pub fn decide(config: &Config, flag: &str, input: &PlanInput) -> Result<Outcome, PlanError> {
    let info = config
        .flag(flag)
        .ok_or_else(|| PlanError::UnknownFlag(flag.to_owned()))?;
    let plan = info
        .plan()
        .ok_or_else(|| PlanError::NoPlan(flag.to_owned()))?;
    let stage = match input.stage {
        Some(stage) => stage,
        None => {
            let share = info
                .default_shares(Some(input.now))
                .and_then(|shares| {
                    shares
                        .into_iter()
                        .find(|(v, _)| *v == plan.variant())
                        .map(|(_, s)| s)
                })
                .unwrap_or(0);
            plan.stage_of(share)
                .ok_or_else(|| PlanError::UnknownStage {
                    flag: flag.to_owned(),
                    percentage: format_thousandths(share),
                })?
        }
    };
    plan.decide_stage(stage, input)
}

/// [`decide`] with JSON in and JSON out, for the skins: `input_json` is a [`PlanInput`]'s
/// JSON form, `now` (Unix ms) overrides its `now`; the result is an [`Outcome`]'s JSON
/// (`{"decision": "HOLD", "stage": 0, "percentage": 5, "reason": {...}, "message": "...",
/// "checks": [...]}`).
pub fn decide_json(
    config: &Config,
    flag: &str,
    input_json: &str,
    now: Option<i64>,
) -> Result<String, PlanError> {
    let input = PlanInput::from_json(input_json, now)?;
    let outcome = decide(config, flag, &input)?;
    serde_json::to_string(&outcome).map_err(|e| PlanError::InvalidInput(e.to_string()))
}

impl Plan {
    /// Decides at `input.stage` (which must be set; see [`decide`] to infer it).
    pub fn decide(&self, input: &PlanInput) -> Result<Outcome, PlanError> {
        let stage = input
            .stage
            .ok_or_else(|| PlanError::InvalidInput("\"stage\" is required".into()))?;
        self.decide_stage(stage, input)
    }

    fn decide_stage(&self, stage: usize, input: &PlanInput) -> Result<Outcome, PlanError> {
        let Some(current) = self.stages.get(stage) else {
            return Err(PlanError::StageOutOfRange {
                stage,
                stages: self.stages.len(),
            });
        };
        validate_samples(input)?;
        let mut checks = Vec::with_capacity(self.guardrails.len());
        let mut verdicts = Vec::with_capacity(self.guardrails.len());
        for (i, g) in self.guardrails.iter().enumerate() {
            let (check, verdict) = assess(i, g, input)?;
            checks.push(check);
            verdicts.push(verdict);
        }
        let worst = |action: Action| -> Option<Breach> {
            verdicts
                .iter()
                .filter_map(|v| match v {
                    Verdict::Breached(b) if b.action == action => Some(b),
                    _ => None,
                })
                .min_by_key(|b| (b.severity, b.guardrail))
                .cloned()
        };
        let percentage = current.percentage;
        let hold = |reason: HoldReason| Decision::Hold {
            stage,
            percentage,
            reason,
        };
        let elapsed = input.now.saturating_sub(input.stage_started_at);
        let exposed = input.exposed.unwrap_or(0);
        let decision = if let Some(breach) = worst(Action::RollBack) {
            Decision::RollBack {
                stage,
                percentage,
                breach,
            }
        } else if let Some(breach) = worst(Action::Hold) {
            hold(HoldReason::Breach { breach })
        } else if stage + 1 >= self.stages.len() {
            hold(HoldReason::Complete)
        } else if elapsed < current.min_duration_ms {
            hold(HoldReason::TooEarly {
                elapsed_ms: elapsed,
                min_duration_ms: current.min_duration_ms,
            })
        } else if exposed < current.min_exposed {
            hold(HoldReason::TooFewExposed {
                exposed,
                required: current.min_exposed,
            })
        } else if let Some(reason) = verdicts.iter().find_map(|v| match v {
            Verdict::Insufficient(reason) => Some(reason.clone()),
            _ => None,
        }) {
            hold(reason)
        } else {
            Decision::Advance {
                from_stage: stage,
                stage: stage + 1,
                percentage: self.stages[stage + 1].percentage,
            }
        };
        Ok(Outcome {
            message: decision.to_string(),
            decision,
            checks,
        })
    }
}

/// Every observation, in or out of a window: failures within the count, latencies finite
/// and non-negative. Bad exports are errors, not decisions.
fn validate_samples(input: &PlanInput) -> Result<(), PlanError> {
    for sample in &input.samples {
        for cohort in [Cohort::Canary, Cohort::Control] {
            for (metric, o) in sample.cohort(cohort) {
                let bad = |message: String| PlanError::InvalidObservation {
                    at: sample.at,
                    cohort,
                    metric: metric.clone(),
                    message,
                };
                if let Some(failures) = o.failures.filter(|f| *f > o.count) {
                    return Err(bad(format!(
                        "{failures} failures out of {} events",
                        o.count
                    )));
                }
                for (name, value) in [
                    ("mean", o.mean),
                    ("p50", o.p50),
                    ("p75", o.p75),
                    ("p90", o.p90),
                    ("p95", o.p95),
                    ("p99", o.p99),
                    ("max", o.max),
                ] {
                    if let Some(v) = value.filter(|v| !v.is_finite() || *v < 0.0) {
                        return Err(bad(format!("{name} is {v}, not a latency in milliseconds")));
                    }
                }
            }
        }
    }
    Ok(())
}

enum Verdict {
    Healthy,
    Breached(Breach),
    Insufficient(HoldReason),
}

/// A cohort's observations of one metric over a window.
#[derive(Default)]
struct Window {
    count: u64,
    failures: u64,
    /// Σ statistic × count, for a count-weighted mean of the samples' statistics.
    weighted: f64,
    max: f64,
}

fn gather(g: &Guardrail, cohort: Cohort, input: &PlanInput) -> Result<Window, PlanError> {
    let mut w = Window::default();
    let from = input.now.saturating_sub(g.window_ms);
    for sample in &input.samples {
        if sample.at <= from || sample.at > input.now {
            continue;
        }
        let Some(o) = sample.cohort(cohort).get(&g.metric) else {
            continue;
        };
        let bad = |message: String| PlanError::InvalidObservation {
            at: sample.at,
            cohort,
            metric: g.metric.clone(),
            message,
        };
        if o.count == 0 {
            continue;
        }
        match g.kind {
            MetricKind::Proportion => {
                let failures = o
                    .failures
                    .ok_or_else(|| bad("a proportion guardrail needs \"failures\"".into()))?;
                if failures > o.count {
                    return Err(bad(format!(
                        "{failures} failures out of {} events",
                        o.count
                    )));
                }
                w.failures = w.failures.saturating_add(failures);
            }
            MetricKind::Latency => {
                let value = g.statistic.of(o).ok_or_else(|| {
                    bad(format!(
                        "a latency guardrail on {} needs {}",
                        g.statistic.as_str(),
                        q(g.statistic.as_str())
                    ))
                })?;
                if !value.is_finite() || value < 0.0 {
                    return Err(bad(format!(
                        "{} is {value}, not a latency in milliseconds",
                        g.statistic.as_str()
                    )));
                }
                w.weighted += value * o.count as f64;
                w.max = w.max.max(value);
            }
        }
        w.count = w.count.saturating_add(o.count);
    }
    Ok(w)
}

impl Window {
    fn value(&self, g: &Guardrail) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        Some(match (g.kind, g.statistic) {
            (MetricKind::Proportion, _) => self.failures as f64 / self.count as f64,
            (MetricKind::Latency, Statistic::Max) => self.max,
            (MetricKind::Latency, _) => self.weighted / self.count as f64,
        })
    }
    fn summary(&self, g: &Guardrail) -> CohortSummary {
        CohortSummary {
            samples: self.count,
            failures: (g.kind == MetricKind::Proportion).then_some(self.failures),
            value: self.value(g),
        }
    }
}

fn assess(index: usize, g: &Guardrail, input: &PlanInput) -> Result<(Check, Verdict), PlanError> {
    let canary = gather(g, Cohort::Canary, input)?;
    let control = match g.threshold {
        Threshold::RelativeToControl(_) => Some(gather(g, Cohort::Control, input)?),
        Threshold::Absolute(_) => None,
    };
    let short = |cohort: Cohort, w: &Window| -> Option<HoldReason> {
        (w.count < g.min_samples).then(|| HoldReason::TooFewSamples {
            guardrail: index,
            metric: g.metric.clone(),
            cohort,
            samples: w.count,
            required: g.min_samples,
        })
    };
    let insufficient = short(Cohort::Canary, &canary)
        .or_else(|| control.as_ref().and_then(|c| short(Cohort::Control, c)));
    let (threshold, z, breached) = match insufficient {
        Some(_) => {
            let threshold = match (g.threshold, &control) {
                (Threshold::Absolute(t), _) => Some(t),
                (Threshold::RelativeToControl(r), Some(c)) => c.value(g).map(|v| r * v),
                (Threshold::RelativeToControl(_), None) => None,
            };
            (threshold, None, false)
        }
        None => test(g, &canary, control.as_ref()),
    };
    let status = match (&insufficient, breached) {
        (Some(_), _) => CheckStatus::Insufficient,
        (None, true) => CheckStatus::Breached,
        (None, false) => CheckStatus::Healthy,
    };
    let check = Check {
        guardrail: index,
        metric: g.metric.clone(),
        kind: g.kind,
        status,
        canary: canary.summary(g),
        control: control.as_ref().map(|c| c.summary(g)),
        threshold,
        z,
    };
    let verdict = match (insufficient, breached) {
        (Some(reason), _) => Verdict::Insufficient(reason),
        (None, true) => Verdict::Breached(Breach {
            guardrail: index,
            metric: g.metric.clone(),
            severity: g.severity,
            action: g.action,
            observed: canary.value(g).unwrap_or(0.0),
            threshold: threshold.unwrap_or(0.0),
            control: control.as_ref().and_then(|c| c.value(g)),
            samples: canary.count,
            z,
            window_ms: g.window_ms,
        }),
        (None, false) => Verdict::Healthy,
    };
    Ok((check, verdict))
}

/// The test of a guardrail with enough observations: (limit, z, breached).
fn test(
    g: &Guardrail,
    canary: &Window,
    control: Option<&Window>,
) -> (Option<f64>, Option<f64>, bool) {
    match (g.kind, g.threshold, control) {
        (MetricKind::Proportion, Threshold::Absolute(p0), _) => {
            let (z, _, breached) =
                absolute_proportion_test(canary.failures, canary.count, p0, 1.0 - g.confidence);
            (Some(p0), z, breached)
        }
        (MetricKind::Proportion, Threshold::RelativeToControl(r), Some(k)) => {
            let z = relative_proportion_z(canary.failures, canary.count, k.failures, k.count, r);
            let limit = k.value(g).map(|v| r * v);
            (limit, Some(z), z > g.z_critical)
        }
        (MetricKind::Latency, Threshold::Absolute(t), _) => {
            let breached = canary.value(g).is_some_and(|v| v > t);
            (Some(t), None, breached)
        }
        (MetricKind::Latency, Threshold::RelativeToControl(r), Some(k)) => {
            let limit = k.value(g).map(|v| r * v);
            let breached = match (canary.value(g), limit) {
                (Some(v), Some(l)) => v > l,
                _ => false,
            };
            (limit, None, breached)
        }
        (_, Threshold::RelativeToControl(_), None) => (None, None, false),
    }
}

/// One-sided exact binomial test of `H0: p ≤ p0`: (continuity-corrected score z, for
/// reports; exact p-value `P(X ≥ failures | n, p0)`; breached when the p-value is below
/// `alpha`). `p0 = 0` breaches on any failure; `p0 ≥ 1` never breaches.
pub(crate) fn absolute_proportion_test(
    failures: u64,
    count: u64,
    p0: f64,
    alpha: f64,
) -> (Option<f64>, Option<f64>, bool) {
    if count == 0 {
        return (None, None, false);
    }
    if p0 <= 0.0 {
        return (None, None, failures > 0);
    }
    if p0 >= 1.0 {
        return (None, None, false);
    }
    let n = count as f64;
    let p = failures as f64 / n;
    let z = (p - p0 - 0.5 / n) / (p0 * (1.0 - p0) / n).sqrt();
    let p_value = binomial_upper_tail(failures, count, p0);
    (Some(z), Some(p_value), p_value < alpha)
}

/// `P(X ≥ x)` for `X ~ Binomial(n, p)`, `0 < p < 1`. At or below the mean it is at least
/// 1/2 and reported as 1 (only small tails decide anything).
pub(crate) fn binomial_upper_tail(x: u64, n: u64, p: f64) -> f64 {
    if x == 0 {
        return 1.0;
    }
    if x > n {
        return 0.0;
    }
    if x as f64 <= n as f64 * p {
        return 1.0;
    }
    let (xf, nf) = (x as f64, n as f64);
    let log_pmf = ln_gamma(nf + 1.0) - ln_gamma(xf + 1.0) - ln_gamma(nf - xf + 1.0)
        + xf * p.ln()
        + (nf - xf) * (-p).ln_1p();
    // Above the mean the terms fall: sum them relative to the first until negligible.
    let odds = p / (1.0 - p);
    let (mut term, mut sum, mut k) = (1.0f64, 1.0f64, x);
    while k < n {
        term *= (n - k) as f64 / (k + 1) as f64 * odds;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
        k += 1;
    }
    (log_pmf.exp() * sum).min(1.0)
}

/// One-sided Wald test of `H0: pc ≤ r·pk` on Agresti–Caffo adjusted rates.
pub(crate) fn relative_proportion_z(xc: u64, nc: u64, xk: u64, nk: u64, ratio: f64) -> f64 {
    let mc = nc as f64 + 2.0;
    let mk = nk as f64 + 2.0;
    let pc = (xc as f64 + 1.0) / mc;
    let pk = (xk as f64 + 1.0) / mk;
    let variance = pc * (1.0 - pc) / mc + ratio * ratio * pk * (1.0 - pk) / mk;
    (pc - ratio * pk) / variance.sqrt()
}

/// The standard normal quantile (Acklam's rational approximation, relative error below
/// 1.2e-9), for `0 < p < 1`.
pub(crate) fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const LOW: f64 = 0.024_25;
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p <= 1.0 - LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    }
}

// ---------------------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------------------

/// Parses a duration such as `"500ms"`, `"90s"`, `"2m"`, `"1h30m"`, `"1d"`, `"2w"` into
/// milliseconds. Units: `ms`, `s`, `m`, `h`, `d`, `w`; parts add up.
pub fn parse_duration(text: &str) -> Option<i64> {
    let s = text.as_bytes();
    if s.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    let mut i = 0;
    while i < s.len() {
        let start = i;
        let mut n: i64 = 0;
        while let Some(d) = s.get(i).filter(|b| b.is_ascii_digit()) {
            n = n.checked_mul(10)?.checked_add(i64::from(d - b'0'))?;
            i += 1;
        }
        if i == start {
            return None;
        }
        let unit_start = i;
        while s.get(i).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
        }
        let unit: i64 = match &text[unit_start..i] {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 604_800_000,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    Some(total)
}

/// Formats milliseconds as a duration (`"1d"`, `"1h30m"`, `"2m"`, `"0s"`).
pub fn format_duration(ms: i64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut rest = ms.unsigned_abs();
    if ms < 0 {
        out.push('-');
    }
    for (unit, name) in [
        (86_400_000u64, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1_000, "s"),
        (1, "ms"),
    ] {
        if rest >= unit {
            out.push_str(&format!("{}{name}", rest / unit));
            rest %= unit;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Applying a decision: the flag's default after an advance
// ---------------------------------------------------------------------------------------

/// The default a plan-managed flag serves at `share` (thousandths of a percent): the plan's
/// variant to `share`, the control to the rest, laid out as the current default lays out
/// the plan's variant (first or last), so raising the share only adds users.
pub(crate) fn serve_at(current: &Serve, plan: &Plan, share: u32) -> Result<Serve, StoreError> {
    if share > BUCKETS {
        return Err(StoreError::InvalidPercentage(share));
    }
    Ok(if share == BUCKETS {
        Serve::Variant(plan.variant)
    } else if share == 0 {
        Serve::Variant(plan.control)
    } else if canary_first(current, plan.variant) {
        Serve::Split(Split {
            ranges: vec![(share, plan.variant), (BUCKETS, plan.control)],
        })
    } else {
        Serve::Split(Split {
            ranges: vec![(BUCKETS - share, plan.control), (BUCKETS, plan.variant)],
        })
    })
}

/// Whether the plan's variant takes the low buckets in the current default (the last
/// split of a staged default decides; without a split, it does).
fn canary_first(serve: &Serve, variant: u32) -> bool {
    match serve {
        Serve::Variant(_) => true,
        Serve::Split(split) => {
            let mut start = 0;
            for &(end, v) in &split.ranges {
                if v == variant {
                    return start == 0 || end != BUCKETS;
                }
                start = end;
            }
            true
        }
        Serve::Staged(stages) => stages
            .iter()
            .rev()
            .find(|s| matches!(s.serve, Serve::Split(_)))
            .is_none_or(|s| canary_first(&s.serve, variant)),
    }
}

// ---------------------------------------------------------------------------------------
// Config: parsing and validating `plan`
// ---------------------------------------------------------------------------------------

const PLAN_FIELDS: &[&str] = &[
    "description",
    "variant",
    "controlVariant",
    "stages",
    "guardrails",
];
const PLAN_STAGE_FIELDS: &[&str] = &["description", "percentage", "minDuration", "minExposed"];
const GUARDRAIL_FIELDS: &[&str] = &[
    "description",
    "metric",
    "kind",
    "statistic",
    "threshold",
    "window",
    "severity",
    "action",
    "minSamples",
    "confidence",
];
const THRESHOLD_FIELDS: &[&str] = &["absolute", "relativeToControl"];
const KINDS: &[&str] = &["proportion", "latency"];
const ACTIONS: &[&str] = &["rollback", "hold"];

/// Compiles a flag's `plan`, reporting every problem. `names` is empty when the flag's
/// variants are invalid (already reported): variant checks are skipped then.
pub(crate) fn compile_plan(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
    names: &[&str],
    off_variant: Option<u32>,
) -> Option<Plan> {
    let obj = Obj::read(c, value, path, PLAN_FIELDS)?;
    let mut ok = true;
    if let Some(d) = obj.get("description") {
        if !matches!(d, Json::String(_)) {
            c.wrong_type(&obj.at("description"), "a string", d);
            ok = false;
        }
    }
    let variant = match obj.get("variant") {
        Some(v) if !names.is_empty() => variant_ref(c, v, &obj.at("variant"), names, "this"),
        Some(_) => None,
        None => match names.iter().position(|n| &**n == "on") {
            Some(i) => Some(i as u32),
            None => {
                if !names.is_empty() {
                    c.error(
                        path,
                        ProblemCode::MissingField,
                        "missing required field \"variant\" (the variant the plan rolls out; only flags with an \"on\" variant may omit it)",
                    );
                }
                None
            }
        },
    };
    let control = match obj.get("controlVariant") {
        Some(v) if !names.is_empty() => variant_ref(c, v, &obj.at("controlVariant"), names, "this"),
        Some(_) => None,
        None => off_variant,
    };
    if let (Some(v), Some(k)) = (variant, control) {
        if v == k {
            c.error(
                path,
                ProblemCode::InvalidValue,
                format!(
                    "the plan rolls out {}, which is also its control variant; set \"controlVariant\" to another variant",
                    q(names.get(v as usize).map_or("", |n| &**n))
                ),
            );
            ok = false;
        }
    }
    let stages = obj
        .required(c, "stages")
        .and_then(|s| compile_plan_stages(c, s, &obj.at("stages")));
    let guardrails = match obj.get("guardrails") {
        Some(g) => compile_guardrails(c, g, &obj.at("guardrails")),
        None => Some(Vec::new()),
    };
    let (variant, control) = (variant?, control?);
    if !ok {
        return None;
    }
    Some(Plan {
        variant,
        control,
        variant_name: Box::from(*names.get(variant as usize)?),
        control_name: Box::from(*names.get(control as usize)?),
        stages: stages?,
        guardrails: guardrails?,
    })
}

fn duration(c: &mut Checker, value: &Json<'_>, path: &Path<'_>) -> Option<i64> {
    match value {
        Json::String(s) => match parse_duration(s) {
            Some(ms) => Some(ms),
            None => {
                c.error(
                    path,
                    ProblemCode::InvalidDuration,
                    format!(
                        "{s} is not a duration such as \"2m\", \"1d\", \"1h30m\" or \"500ms\"",
                        s = q(s)
                    ),
                );
                None
            }
        },
        Json::Number(n) => match n.as_u64().and_then(|v| i64::try_from(v).ok()) {
            Some(ms) => Some(ms),
            None => {
                c.error(
                    path,
                    ProblemCode::InvalidDuration,
                    format!("{n} is not a whole, non-negative number of milliseconds"),
                );
                None
            }
        },
        other => {
            c.wrong_type(path, "a duration such as \"2m\" (or milliseconds)", other);
            None
        }
    }
}

fn count(c: &mut Checker, value: &Json<'_>, path: &Path<'_>, min: u64) -> Option<u64> {
    match value {
        Json::Number(n) => match n.as_u64().filter(|v| *v >= min) {
            Some(v) => Some(v),
            None => {
                c.error(
                    path,
                    ProblemCode::InvalidValue,
                    format!("{n} is not a whole number of at least {min}"),
                );
                None
            }
        },
        other => {
            c.wrong_type(path, "a whole number", other);
            None
        }
    }
}

fn compile_plan_stages(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
) -> Option<Vec<PlanStage>> {
    let items = non_empty_array(
        c,
        value,
        path,
        "an array of stages",
        "a plan needs at least one stage",
    )?;
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    let mut last: Option<u32> = None;
    for (i, item) in items.iter().enumerate() {
        let spath = path.index(i);
        let Some(o) = Obj::read(c, item, &spath, PLAN_STAGE_FIELDS) else {
            ok = false;
            continue;
        };
        let pct = o
            .required(c, "percentage")
            .and_then(|p| percentage(c, p, &o.at("percentage")));
        if pct == Some(0) {
            c.error(
                &o.at("percentage"),
                ProblemCode::InvalidValue,
                "a stage serves more than 0%",
            );
            ok = false;
        }
        if let (Some(prev), Some(p)) = (last, pct) {
            if p <= prev {
                c.error(
                    &o.at("percentage"),
                    ProblemCode::PercentagesNotIncreasing,
                    format!(
                        "stage percentages must strictly increase: {}% follows {}%",
                        format_thousandths(p),
                        format_thousandths(prev)
                    ),
                );
                ok = false;
            }
        }
        if pct.is_some() {
            last = pct;
        }
        let min_duration = match o.get("minDuration") {
            Some(d) => duration(c, d, &o.at("minDuration")),
            None => Some(0),
        };
        let min_exposed = match o.get("minExposed") {
            Some(e) => count(c, e, &o.at("minExposed"), 0),
            None => Some(0),
        };
        if let Some(d) = o
            .get("description")
            .filter(|d| !matches!(d, Json::String(_)))
        {
            c.wrong_type(&o.at("description"), "a string", d);
            ok = false;
        }
        match (pct, min_duration, min_exposed) {
            (Some(percentage), Some(min_duration_ms), Some(min_exposed)) => out.push(PlanStage {
                percentage,
                min_duration_ms,
                min_exposed,
            }),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

fn compile_guardrails(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
) -> Option<Vec<Guardrail>> {
    let Json::Array(items) = value else {
        c.wrong_type(path, "an array of guardrails", value);
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        match compile_guardrail(c, item, &path.index(i)) {
            Some(g) => out.push(g),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn keyword<'a>(
    c: &mut Checker,
    o: &Obj<'a>,
    field: &str,
    options: &[&str],
) -> Option<Option<&'a str>> {
    match o.get(field) {
        None => Some(None),
        Some(Json::String(s)) if options.contains(&s.as_str()) => Some(Some(s.as_str())),
        Some(Json::String(s)) => {
            c.error(
                &o.at(field),
                ProblemCode::InvalidValue,
                format!(
                    "unknown {field} {s}{}; use one of: {}",
                    suggestion(s, options.iter().copied()),
                    options.join(", "),
                    s = q(s)
                ),
            );
            None
        }
        Some(other) => {
            c.wrong_type(&o.at(field), "a string", other);
            None
        }
    }
}

fn compile_guardrail(c: &mut Checker, value: &Json<'_>, path: &Path<'_>) -> Option<Guardrail> {
    let o = Obj::read(c, value, path, GUARDRAIL_FIELDS)?;
    let mut ok = true;
    let metric = match o.required(c, "metric") {
        Some(Json::String(s)) if !s.is_empty() => Some(s.to_string()),
        Some(other) => {
            c.wrong_type(&o.at("metric"), "a non-empty metric name", other);
            None
        }
        None => None,
    };
    if o.get("kind").is_none() {
        c.error(
            path,
            ProblemCode::MissingField,
            "missing required field \"kind\" (\"proportion\" or \"latency\")",
        );
    }
    let kind = keyword(c, &o, "kind", KINDS).flatten().map(|k| match k {
        "latency" => MetricKind::Latency,
        _ => MetricKind::Proportion,
    });
    let statistic = match keyword(c, &o, "statistic", Statistic::NAMES) {
        Some(Some(s)) => {
            if kind == Some(MetricKind::Proportion) {
                c.error(
                    &o.at("statistic"),
                    ProblemCode::InvalidValue,
                    "only latency guardrails take a \"statistic\"",
                );
                ok = false;
            }
            Statistic::parse(s)
        }
        Some(None) => Some(Statistic::P95),
        None => None,
    };
    let threshold = o
        .required(c, "threshold")
        .and_then(|t| compile_threshold(c, t, &o.at("threshold"), kind));
    let window = match o.required(c, "window") {
        Some(w) => match duration(c, w, &o.at("window")) {
            Some(0) => {
                c.error(
                    &o.at("window"),
                    ProblemCode::InvalidDuration,
                    "a window must be longer than 0",
                );
                None
            }
            other => other,
        },
        None => None,
    };
    let severity = keyword(c, &o, "severity", Severity::NAMES).map(|s| match s {
        Some("critical") => Severity::Critical,
        Some("medium") => Severity::Medium,
        Some("low") => Severity::Low,
        _ => Severity::High,
    });
    let action = keyword(c, &o, "action", ACTIONS).map(|a| match (a, severity) {
        (Some("rollback"), _) => Action::RollBack,
        (Some(_), _) => Action::Hold,
        (None, Some(Severity::Medium | Severity::Low)) => Action::Hold,
        (None, _) => Action::RollBack,
    });
    let min_samples = match o.get("minSamples") {
        Some(m) => count(c, m, &o.at("minSamples"), 1),
        None => Some(DEFAULT_MIN_SAMPLES),
    };
    let confidence = match o.get("confidence") {
        None => Some(DEFAULT_CONFIDENCE),
        Some(Json::Number(n)) => match n.as_f64().filter(|f| *f > 0.5 && *f < 1.0) {
            Some(f) => Some(f),
            None => {
                c.error(
                    &o.at("confidence"),
                    ProblemCode::InvalidValue,
                    format!("confidence {n} must be above 0.5 and below 1"),
                );
                None
            }
        },
        Some(other) => {
            c.wrong_type(&o.at("confidence"), "a number between 0.5 and 1", other);
            None
        }
    };
    if let Some(d) = o.get("description") {
        if !matches!(d, Json::String(_)) {
            c.wrong_type(&o.at("description"), "a string", d);
            ok = false;
        }
    }
    let confidence = confidence?;
    let guardrail = Guardrail {
        metric: metric?,
        kind: kind?,
        statistic: statistic?,
        threshold: threshold?,
        window_ms: window?,
        severity: severity?,
        action: action?,
        min_samples: min_samples?,
        confidence,
        z_critical: normal_quantile(confidence),
    };
    ok.then_some(guardrail)
}

fn compile_threshold(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
    kind: Option<MetricKind>,
) -> Option<Threshold> {
    let o = Obj::read(c, value, path, THRESHOLD_FIELDS)?;
    match (o.get("absolute"), o.get("relativeToControl")) {
        (Some(v), None) => {
            let p = o.at("absolute");
            match (kind?, v) {
                (MetricKind::Proportion, Json::Number(n)) => {
                    match n.as_f64().filter(|f| (0.0..=1.0).contains(f)) {
                        Some(f) => Some(Threshold::Absolute(f)),
                        None => {
                            c.error(
                            &p,
                            ProblemCode::InvalidValue,
                            format!("{n} is not a proportion: write it as a fraction from 0 to 1 (5% is 0.05)"),
                        );
                            None
                        }
                    }
                }
                (MetricKind::Proportion, other) => {
                    c.wrong_type(&p, "a fraction from 0 to 1", other);
                    None
                }
                (MetricKind::Latency, v) => {
                    duration(c, v, &p).map(|ms| Threshold::Absolute(ms as f64))
                }
            }
        }
        (None, Some(v)) => {
            let p = o.at("relativeToControl");
            match v {
                Json::Number(n) => match n.as_f64().filter(|f| f.is_finite() && *f > 0.0) {
                    Some(f) => Some(Threshold::RelativeToControl(f)),
                    None => {
                        c.error(
                            &p,
                            ProblemCode::InvalidValue,
                            format!("{n} is not a ratio above 0 (1.5: 50% worse than control)"),
                        );
                        None
                    }
                },
                other => {
                    c.wrong_type(&p, "a ratio such as 1.5", other);
                    None
                }
            }
        }
        _ => {
            c.error(
                path,
                ProblemCode::InvalidValue,
                "a threshold has exactly one of \"absolute\" or \"relativeToControl\"",
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles() {
        assert!((normal_quantile(0.5)).abs() < 1e-9);
        assert!((normal_quantile(0.975) - 1.959_963_985).abs() < 1e-6);
        assert!((normal_quantile(0.999) - 3.090_232_306).abs() < 1e-6);
        assert!((normal_quantile(0.01) + 2.326_347_874).abs() < 1e-6);
        assert!((normal_quantile(0.999_999) - 4.753_424_309).abs() < 1e-5);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2m"), Some(120_000));
        assert_eq!(parse_duration("1d"), Some(86_400_000));
        assert_eq!(parse_duration("1h30m"), Some(5_400_000));
        assert_eq!(parse_duration("500ms"), Some(500));
        assert_eq!(parse_duration("1w"), Some(604_800_000));
        for bad in [
            "",
            "m",
            "2",
            "2 m",
            "2min",
            "-1m",
            "1.5h",
            "99999999999999999999d",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
        assert_eq!(format_duration(5_400_000), "1h30m");
        assert_eq!(format_duration(86_400_000), "1d");
        assert_eq!(format_duration(0), "0s");
        for ms in [1, 999, 61_001, 90_061_001] {
            assert_eq!(parse_duration(&format_duration(ms)), Some(ms));
        }
    }

    #[test]
    fn absolute_test_edges() {
        let alpha = 0.001;
        assert_eq!(
            absolute_proportion_test(0, 0, 0.05, alpha),
            (None, None, false)
        );
        assert_eq!(
            absolute_proportion_test(1, 100, 0.0, alpha),
            (None, None, true)
        );
        assert_eq!(
            absolute_proportion_test(0, 100, 0.0, alpha),
            (None, None, false)
        );
        assert_eq!(
            absolute_proportion_test(100, 100, 1.0, alpha),
            (None, None, false)
        );
        // 20% of 200 against 5%: far beyond noise.
        let (z, p, breached) = absolute_proportion_test(40, 200, 0.05, alpha);
        assert!(breached && z.is_some_and(|z| z > 9.0), "{z:?}");
        assert!(p.is_some_and(|p| p < 1e-10), "{p:?}");
        // 6% of 200 against 5%: within noise.
        assert!(!absolute_proportion_test(12, 200, 0.05, alpha).2);
    }

    #[test]
    fn exact_tails() {
        // P(X >= 4 | n = 20, p = 0.05) = 0.015902...; P(X >= 3 | 10, 0.5) = 0.9453125.
        assert!((binomial_upper_tail(4, 20, 0.05) - 0.015_901_5).abs() < 1e-6);
        assert!((binomial_upper_tail(8, 10, 0.5) - 0.054_687_5).abs() < 1e-12);
        assert_eq!(binomial_upper_tail(3, 10, 0.5), 1.0);
        assert_eq!(binomial_upper_tail(11, 10, 0.5), 0.0);
        assert!((binomial_upper_tail(10, 10, 0.5) - 0.5f64.powi(10)).abs() < 1e-15);
        // Large n: the normal approximation is close here (z = 5).
        let n = 1_000_000u64;
        let sd = (n as f64 * 0.05 * 0.95).sqrt();
        let x = (50_000.0 + 5.0 * sd).ceil() as u64;
        let tail = binomial_upper_tail(x, n, 0.05);
        assert!(tail > 1e-7 && tail < 6e-7, "{tail}");
        // Monotone in x.
        let mut prev = 1.0;
        for x in 0..=200 {
            let t = binomial_upper_tail(x, 200, 0.05);
            assert!(t <= prev, "{x}");
            prev = t;
        }
        assert!(
            (ln_gamma(1.0)).abs() < 1e-14 && (ln_gamma(11.0) - 3_628_800f64.ln()).abs() < 1e-12
        );
    }

    #[test]
    fn relative_test_is_monotone_in_canary_failures() {
        for &(nc, xk, nk, r) in &[
            (200u64, 2u64, 4000u64, 1.5f64),
            (50, 0, 50, 1.0),
            (1000, 900, 1000, 1.1),
        ] {
            let mut prev = f64::NEG_INFINITY;
            for xc in 0..=nc {
                let z = relative_proportion_z(xc, nc, xk, nk, r);
                assert!(z >= prev - 1e-12, "xc={xc}: {z} < {prev}");
                prev = z;
            }
        }
    }
}
