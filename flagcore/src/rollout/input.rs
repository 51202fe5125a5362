//! What a plan decision reads: metric samples per cohort, the stage and its start, the time.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::json::q;
use crate::model::plan::Statistic;
use crate::units::parse_rfc3339;

#[cfg(feature = "serde_json")]
use super::PlanError;

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
    /// The value of `statistic`, when the observation reports it.
    pub(crate) fn statistic(&self, statistic: Statistic) -> Option<f64> {
        match statistic {
            Statistic::Mean => self.mean,
            Statistic::P50 => self.p50,
            Statistic::P75 => self.p75,
            Statistic::P90 => self.p90,
            Statistic::P95 => self.p95,
            Statistic::P99 => self.p99,
            Statistic::Max => self.max,
        }
    }

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
    pub(crate) fn cohort(&self, cohort: Cohort) -> &BTreeMap<String, Observation> {
        match cohort {
            Cohort::Canary => &self.canary,
            Cohort::Control => &self.control,
        }
    }
}

/// What [`decide`](fn@super::decide) reads: where the rollout is, the time, and the metric samples.
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
    #[cfg(feature = "serde_json")]
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

#[cfg(feature = "serde_json")]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawInput {
    #[serde(default)]
    pub(crate) stage: Option<usize>,
    #[serde(deserialize_with = "de_time")]
    pub(crate) stage_started_at: i64,
    #[serde(default, deserialize_with = "de_opt_time")]
    pub(crate) now: Option<i64>,
    #[serde(default)]
    pub(crate) exposed: Option<u64>,
    #[serde(default)]
    pub(crate) samples: Vec<Sample>,
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

#[cfg(feature = "serde_json")]
fn de_opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<TimeRepr>::deserialize(d)? {
        Some(t) => time_of(t).map(Some),
        None => Ok(None),
    }
}
