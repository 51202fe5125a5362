//! What a plan decides (ADVANCE, HOLD, ROLL_BACK), why, and the checks behind it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::codes::FailureCode;
use crate::error::StoreError;
use crate::json::q;
use crate::model::plan::*;
use crate::units::{format_duration, format_thousandths};

use super::input::Cohort;

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
    pub severity: GuardrailSeverity,
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
        /// When it was decided (Unix ms): a flag whose default is time-staged is checked
        /// against the stage it served then. Set by [`crate::plan::decide`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<i64>,
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
    #[cfg(feature = "serde_json")]
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
                ..
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

impl PlanError {
    /// The failure code, from the one table every binding uses.
    pub fn code(&self) -> FailureCode {
        match self {
            PlanError::UnknownFlag(_) => FailureCode::UnknownFlag,
            PlanError::NoPlan(_) => FailureCode::NoPlan,
            PlanError::InvalidInput(_) => FailureCode::InvalidPlanInput,
            PlanError::MissingTime => FailureCode::MissingTime,
            PlanError::StageOutOfRange { .. } => FailureCode::StageOutOfRange,
            PlanError::UnknownStage { .. } => FailureCode::UnknownStage,
            PlanError::InvalidObservation { .. } => FailureCode::InvalidObservation,
            PlanError::Store(e) => e.code(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Deciding
// ---------------------------------------------------------------------------------------
