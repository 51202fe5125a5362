//! # flagcore-openfeature
//!
//! flagcore behind [OpenFeature](https://openfeature.dev), the vendor-neutral flag API:
//! [`FlagcoreProvider`] implements the `open-feature` crate's (0.3) `FeatureProvider`, so
//! code written against `client.get_bool_value(...)` evaluates flagcore flags. flagcore's
//! own API ([`flagcore::Store`], [`flagcore::Snapshot`]) stays the fast path; this crate is
//! a thin skin over it and every answer is the core's.
//!
//! ## The mapping (the same in Rust, JS and Python)
//!
//! | flagcore | OpenFeature |
//! |---|---|
//! | context `key` | `targeting_key` (an attribute named `key` is used when there is no targeting key) |
//! | attributes (string, number, boolean) | custom fields of those types; a date-time becomes RFC 3339 text (UTC), as JS `Date`s do |
//! | nested objects, lists | refused: `INVALID_CONTEXT` (flagcore attributes are flat; flatten them yourself, e.g. `plan.tier` → `planTier`) |
//! | non-finite numbers (NaN, ±inf) | refused: `PARSE_ERROR` (not representable as a JSON context) |
//! | reason `OFF` | `DISABLED` |
//! | `TARGETING_MATCH`, `SPLIT` | the same |
//! | `DEFAULT` | `STATIC` when the flag can only ever serve that variant (no rules, no prerequisites, a fixed default that is not staged), else `DEFAULT` |
//! | `PREREQUISITE_FAILED` | `DISABLED` (the flag serves its off variant for this context); metadata `prerequisite` names the flag that failed |
//! | `OVERRIDE` (a kill or a forced variant from the store) | the custom reason `"OVERRIDE"` (OpenFeature reasons are open strings) |
//! | `ERROR` | `ERROR`, with `FLAG_NOT_FOUND`, `TYPE_MISMATCH`, `TARGETING_KEY_MISSING`, `INVALID_CONTEXT` (no evaluation time for a staged rollout) |
//!
//! Flag metadata carries what the evaluation knows: `flagcoreReason` (the native reason,
//! always), `ruleIndex` and `ruleId` (the rule that matched), `bucket` (when a split
//! decided), `variantIndex` (the variant's position in the flag's `variants`) and
//! `prerequisite`.
//!
//! Number flags resolve as floats (any number) and as integers (whole numbers within
//! `i64`; others are a `TYPE_MISMATCH`). Structured resolution needs a JSON flag whose value
//! is an object (anything else is a `TYPE_MISMATCH`); a JSON `null` inside it has no
//! OpenFeature `Value` and gives `PARSE_ERROR`.
//!
//! The open-feature crate 0.3 has no provider events: update the [`flagcore::Store`]
//! (shared as an `Arc`) and the next evaluation reads the new config.
//!
//! ## Example
//!
//! ```
//! use std::sync::Arc;
//! use flagcore_openfeature::FlagcoreProvider;
//! use open_feature::{EvaluationContext, OpenFeature};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let store = Arc::new(flagcore::Store::from_json(r#"{"schemaVersion": 1, "flags": {
//!     "new-checkout": {"enabled": true, "default": {"variant": "on"}}}}"#).unwrap());
//! let mut api = OpenFeature::default(); // or OpenFeature::singleton_mut().await
//! api.set_provider(FlagcoreProvider::new(store.clone())).await;
//! let client = api.create_client();
//! let user = EvaluationContext::default().with_targeting_key("user-42");
//! let on = client.get_bool_value("new-checkout", Some(&user), None).await.unwrap_or(false);
//! assert!(on);
//! # });
//! ```
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod context;
mod hooks;
mod provider;
mod reason;

pub use context::to_flagcore_context;
pub use hooks::{Exposure, ExposureHook};
#[cfg(feature = "opentelemetry")]
pub use hooks::{OpenTelemetryHook, EVALUATION_EVENT};
pub use provider::{FlagcoreProvider, PROVIDER_NAME};
pub use reason::{error_code, is_static, reason, OVERRIDE_REASON};
