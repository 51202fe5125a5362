//! # flagcore
//!
//! A deterministic feature-flag and canary evaluation core: the same user, flag and config
//! give the same answer in Rust, in the browser (WASM) and through the C ABI (Python).
//!
//! ## The model in one page
//!
//! A [`Config`] (JSON, see `docs/config.md`) holds **flags** and **segments**.
//!
//! - A **flag** has typed **variants** (`{"on": true, "off": false}`, or strings, numbers,
//!   JSON), an `enabled` switch (the kill switch; off serves `offVariant`), ordered
//!   targeting **rules**, and a **default**.
//! - A **rule** is a list of **conditions** (all must hold) and what it serves.
//! - What a rule or the default serves is a fixed **variant**, a weighted **split**
//!   (`70/30`, or `5/95` for a 5% canary), or time **stages** of those (5% from Monday,
//!   25% from the Monday after), chosen by the time the caller passes in the [`Context`].
//! - A **segment** is a reusable audience: an explicit key list (hash set; 100k+ keys are
//!   fine), exclusions, and rules.
//! - **Prerequisites**: a flag serves its `offVariant` unless other flags serve given
//!   variants for the same context.
//!
//! **Bucketing** hashes `(salt, bucketing value)` with xxh3 into `0..100_000` (see
//! [`bucket()`]). The salt defaults to the flag key, so two flags put a user in independent
//! buckets: the 10% canary and the control group are not the same people. A split is a set
//! of ranges over the buckets: raising a percentage only adds users, and changing 70/30 to
//! 60/40 moves only the users between 60 and 70.
//!
//! An [`Evaluation`] says what was served and why ([`Reason`], rule, bucket, failed
//! prerequisite, [`ErrorCode`]). Evaluating never allocates. A [`Store`] holds the live
//! config for a service: lock-free reads, atomic validated updates, rollback, overrides.
//!
//! ## Example
//!
//! ```
//! use flagcore::{Context, Reason, Store};
//!
//! let store = Store::from_json(r#"{
//!   "schemaVersion": 1,
//!   "flags": {
//!     "speech-backend-ab": {
//!       "enabled": true,
//!       "variants": { "control": "modal", "treatment": "speechmatics" },
//!       "offVariant": "control",
//!       "rules": [{
//!         "id": "old-app",
//!         "conditions": [{ "attribute": "appVersion", "op": "semverLt", "value": "2.3.0" }],
//!         "serve": { "variant": "control" }
//!       }],
//!       "default": { "split": [
//!         { "variant": "control", "weight": 70 },
//!         { "variant": "treatment", "weight": 30 }
//!       ]}
//!     }
//!   }
//! }"#).expect("valid config");
//!
//! let snapshot = store.snapshot();
//! let old = Context::new("user-1").with("appVersion", "2.2.9");
//! let e = snapshot.evaluate("speech-backend-ab", &old);
//! assert_eq!(e.variant, Some("control"));
//! assert_eq!(e.reason, Reason::TargetingMatch);
//!
//! let user = Context::new("user-2").with("appVersion", "2.4.0");
//! let backend = snapshot.string_value("speech-backend-ab", &user, "modal");
//! assert_eq!(backend.evaluation.reason, Reason::Split);
//! assert!(["modal", "speechmatics"].contains(&backend.value));
//! ```
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod bucket;
mod codes;
mod condition;
mod context;
mod error;
mod eval;
mod evaluator;
mod handle;
mod json;
mod load;
mod lowercase;
mod message;
mod model;
mod needles;
mod number;
// WebAssembly builds read without the cache (see the module), but number their stores.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
mod read_cache;
mod regex;
mod rollout;
mod semver;
mod state_cell;
pub mod stats;
mod store;
mod text;
mod units;
mod value;

/// Rollout plans and guardrails: the canary decides for itself when to advance or roll back.
///
/// The plan as the config declares it ([`Plan`], stages, guardrails), what a decision reads
/// ([`PlanInput`], [`Sample`](plan::Sample), [`Observation`](plan::Observation)), and what
/// it decides ([`decide`](fn@plan::decide), [`Decision`], [`Outcome`]). See the `rollout`
/// module documentation in the source and `docs/rollouts.md`.
pub mod plan {
    pub use crate::model::plan::*;
    pub use crate::rollout::*;
    pub use crate::units::{format_duration, parse_duration};
}

pub use bucket::{bucket, BUCKETS, SUPPORTED_HASH_VERSIONS};
pub use codes::{FailureCode, FailureKind};
pub use context::{Context, ContextError, MAX_CONTEXT_ATTRIBUTES, MAX_LIST_ITEMS};
pub use error::{ConfigError, Problem, ProblemCode, Report, Severity, StoreError};
#[cfg(feature = "serde_json")]
pub use eval::EvaluationDetails;
pub use eval::{ErrorCode, Evaluation, Reason};
pub use evaluator::{At, Evaluator, FlagRef, Resolved};
pub use handle::FlagHandle;
pub use model::{Config, FlagInfo, Limits, MAX_PREREQUISITE_DEPTH, SUPPORTED_SCHEMA_VERSIONS};
pub use plan::{Decision, Outcome, Plan, PlanError, PlanInput};
pub use store::{Override, Snapshot, Store, StoreOptions, Update, DEFAULT_HISTORY};
pub use value::{AttributeValue, FlagValue, ValueType};

/// Parses an RFC 3339 timestamp (`2026-11-22T09:00:00Z`) into Unix milliseconds, as the
/// config does for `from` and `before`/`after`. For bindings and tools; the core never
/// reads a clock.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    units::parse_rfc3339(text)
}

/// The README's Rust example, compiled as a doc test so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
