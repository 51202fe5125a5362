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

mod apply;
mod decide;
mod decision;
mod input;

pub(crate) use apply::serve_at;
pub use decide::decide;
#[cfg(feature = "serde_json")]
pub use decide::decide_json;
pub use decision::*;
pub use input::*;
