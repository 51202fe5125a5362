//! A rollout plan as the config declares it: stages and guardrails (see `docs/rollouts.md`).

use serde::{Deserialize, Serialize};

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
    pub(crate) variant: u32,
    pub(crate) control: u32,
    pub(crate) variant_name: Box<str>,
    pub(crate) control_name: Box<str>,
    pub(crate) stages: Vec<PlanStage>,
    pub(crate) guardrails: Vec<Guardrail>,
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
    pub(crate) const NAMES: &'static [&'static str] =
        &["mean", "p50", "p75", "p90", "p95", "p99", "max"];

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

    pub(crate) fn parse(name: &str) -> Option<Statistic> {
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
pub enum GuardrailSeverity {
    /// Page someone: by default, roll back.
    Critical,
    /// By default, roll back.
    High,
    /// By default, hold.
    Medium,
    /// By default, hold.
    Low,
}

impl GuardrailSeverity {
    pub(crate) const NAMES: &'static [&'static str] = &["critical", "high", "medium", "low"];

    /// The config name.
    pub fn as_str(self) -> &'static str {
        match self {
            GuardrailSeverity::Critical => "critical",
            GuardrailSeverity::High => "high",
            GuardrailSeverity::Medium => "medium",
            GuardrailSeverity::Low => "low",
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
    pub severity: GuardrailSeverity,
    /// What a breach does.
    pub action: Action,
    /// The observations needed in the window, per cohort read.
    pub min_samples: u64,
    /// The one-sided confidence a proportion breach needs (0.5 to 1, exclusive).
    pub confidence: f64,
    pub(crate) z_critical: f64,
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
