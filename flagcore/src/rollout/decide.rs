//! Deciding: a plan's guardrails assessed against the samples, then the stage gates.

use crate::json::q;
use crate::model::plan::*;
use crate::model::Config;
use crate::stats::{absolute_proportion_test, relative_proportion_z};
use crate::units::format_thousandths;

use super::decision::*;
use super::input::*;

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
#[cfg(feature = "serde_json")]
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
                at: Some(input.now),
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
                let value = o.statistic(g.statistic).ok_or_else(|| {
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
        None => breach_test(g, &canary, control.as_ref()),
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
fn breach_test(
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
