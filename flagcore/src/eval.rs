//! Evaluation: which variant a context gets, and why. Borrows, never allocates.

use std::fmt;

use serde::Serialize;

use crate::bucket::{bucket_with_prefix, SaltPrefix};
use crate::condition::program_matches;
use crate::context::Context;
use crate::evaluator::At;
use crate::model::{Config, Flag, Serve, Split, Stage};
use crate::value::{AttributeRef, FlagValue};

/// Why a flag served what it served (OpenFeature's vocabulary where it has a word).
///
/// The numeric codes are stable (they cross the C ABI): retired codes are never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum Reason {
    /// The flag is switched off in the config (`enabled: false`): its `offVariant`.
    Off,
    /// A targeting rule matched (see `rule_index`; `bucket` is set when it served a split).
    TargetingMatch,
    /// No rule matched and the default split assigned the variant by bucket.
    Split,
    /// No rule matched and the default served a fixed variant.
    Default,
    /// A prerequisite flag did not serve a required variant: the `offVariant`.
    PrerequisiteFailed,
    /// A store override (kill or forced variant) decided.
    Override,
    /// Evaluation failed (see the error code): the caller's default should be used.
    Error,
}

impl Reason {
    /// The stable name: `OFF`, `TARGETING_MATCH`, `SPLIT`, `DEFAULT`, `PREREQUISITE_FAILED`,
    /// `OVERRIDE`, `ERROR`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Off => "OFF",
            Reason::TargetingMatch => "TARGETING_MATCH",
            Reason::Split => "SPLIT",
            Reason::Default => "DEFAULT",
            Reason::PrerequisiteFailed => "PREREQUISITE_FAILED",
            Reason::Override => "OVERRIDE",
            Reason::Error => "ERROR",
        }
    }

    /// The stable numeric code (0 to 6, in the order above).
    pub fn code(self) -> u32 {
        match self {
            Reason::Off => 0,
            Reason::TargetingMatch => 1,
            Reason::Split => 2,
            Reason::Default => 3,
            Reason::PrerequisiteFailed => 4,
            Reason::Override => 5,
            Reason::Error => 6,
        }
    }

    /// Every reason, in code order.
    pub const ALL: [Reason; 7] = [
        Reason::Off,
        Reason::TargetingMatch,
        Reason::Split,
        Reason::Default,
        Reason::PrerequisiteFailed,
        Reason::Override,
        Reason::Error,
    ];
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an evaluation failed (OpenFeature's error codes). Stable numeric codes; 0 is
/// reserved for "no error" at the C ABI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ErrorCode {
    /// No flag has this key in the current config. Check the key, or the config deployed.
    FlagNotFound,
    /// The flag's type is not the type asked for (e.g. `bool_value` on a string flag).
    TypeMismatch,
    /// The flag splits by an attribute the context does not have (the key, by default).
    /// Give the context a key (or the flag's `bucketBy` attribute).
    TargetingKeyMissing,
    /// The context lacks something the flag needs: an evaluation time for a staged rollout.
    InvalidContext,
}

impl ErrorCode {
    /// The stable name: `FLAG_NOT_FOUND`, `TYPE_MISMATCH`, `TARGETING_KEY_MISSING`,
    /// `INVALID_CONTEXT`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::FlagNotFound => "FLAG_NOT_FOUND",
            ErrorCode::TypeMismatch => "TYPE_MISMATCH",
            ErrorCode::TargetingKeyMissing => "TARGETING_KEY_MISSING",
            ErrorCode::InvalidContext => "INVALID_CONTEXT",
        }
    }

    /// The stable numeric code (1 to 4, in the order above).
    pub fn code(self) -> u32 {
        match self {
            ErrorCode::FlagNotFound => 1,
            ErrorCode::TypeMismatch => 2,
            ErrorCode::TargetingKeyMissing => 3,
            ErrorCode::InvalidContext => 4,
        }
    }

    /// Every error code, in code order.
    pub const ALL: [ErrorCode; 4] = [
        ErrorCode::FlagNotFound,
        ErrorCode::TypeMismatch,
        ErrorCode::TargetingKeyMissing,
        ErrorCode::InvalidContext,
    ];
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The answer for one flag and one context. It borrows from the config, so it costs no
/// allocation; [`Evaluation::to_details`] makes an owned copy.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Evaluation<'a> {
    /// The flag's key.
    pub flag_key: &'a str,
    /// The value served; `None` only when the flag does not exist.
    pub value: Option<&'a FlagValue>,
    /// The value served as JSON text (precomputed at load).
    pub value_json: Option<&'a str>,
    /// The variant served; `None` only when the flag does not exist.
    pub variant: Option<&'a str>,
    /// The variant's position in the flag's `variants` object.
    pub variant_index: Option<u32>,
    /// Why.
    pub reason: Reason,
    /// What went wrong, when `reason` is [`Reason::Error`].
    pub error: Option<ErrorCode>,
    /// The index of the rule that matched (reason `TARGETING_MATCH`).
    pub rule_index: Option<u32>,
    /// The `id` of the rule that matched, if it has one.
    pub rule_id: Option<&'a str>,
    /// The user's bucket (`0..100_000`) when a split decided.
    pub bucket: Option<u32>,
    /// The prerequisite flag that failed (reason `PREREQUISITE_FAILED`).
    pub prerequisite: Option<&'a str>,
}

impl<'a> Evaluation<'a> {
    pub(crate) fn not_found(flag_key: &'a str) -> Self {
        Evaluation {
            flag_key,
            value: None,
            value_json: None,
            variant: None,
            variant_index: None,
            reason: Reason::Error,
            error: Some(ErrorCode::FlagNotFound),
            rule_index: None,
            rule_id: None,
            bucket: None,
            prerequisite: None,
        }
    }

    /// Whether evaluation failed (the caller's default should be used).
    pub fn is_error(&self) -> bool {
        self.reason == Reason::Error
    }

    /// The boolean served, unless this is an error or not a boolean flag.
    pub fn as_bool(&self) -> Option<bool> {
        if self.is_error() {
            return None;
        }
        self.value.and_then(FlagValue::as_bool)
    }

    /// The string served, unless this is an error or not a string flag.
    pub fn as_str(&self) -> Option<&'a str> {
        if self.is_error() {
            return None;
        }
        self.value.and_then(FlagValue::as_str)
    }

    /// The number served, unless this is an error or not a number flag.
    pub fn as_f64(&self) -> Option<f64> {
        if self.is_error() {
            return None;
        }
        self.value.and_then(FlagValue::as_f64)
    }

    /// An owned copy, for logging, JSON output or keeping past the config's lifetime.
    #[cfg(feature = "serde_json")]
    pub fn to_details(&self) -> EvaluationDetails {
        EvaluationDetails {
            flag_key: self.flag_key.to_owned(),
            value: self
                .value
                .map(FlagValue::to_json)
                .unwrap_or(serde_json::Value::Null),
            variant: self.variant.map(str::to_owned),
            reason: self.reason,
            error_code: self.error,
            rule_index: self.rule_index,
            rule_id: self.rule_id.map(str::to_owned),
            bucket: self.bucket,
            prerequisite: self.prerequisite.map(str::to_owned),
        }
    }
}

/// An owned evaluation, serialisable as JSON (camelCase fields).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg(feature = "serde_json")]
pub struct EvaluationDetails {
    /// The flag's key.
    pub flag_key: String,
    /// The value served (`null` when the flag does not exist).
    pub value: serde_json::Value,
    /// The variant served.
    pub variant: Option<String>,
    /// Why.
    pub reason: Reason,
    /// What went wrong, when `reason` is `ERROR`.
    pub error_code: Option<ErrorCode>,
    /// The index of the rule that matched.
    pub rule_index: Option<u32>,
    /// The id of the rule that matched.
    pub rule_id: Option<String>,
    /// The bucket, when a split decided.
    pub bucket: Option<u32>,
    /// The prerequisite that failed.
    pub prerequisite: Option<String>,
}

/// A store override, resolved against the current config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Forced {
    /// Serve the off variant.
    Kill,
    /// Serve this variant.
    Variant(u32),
}

enum Served {
    Variant(u32, Option<u32>),
    NotApplicable,
    Failed(ErrorCode),
}

/// What evaluation decided for a flag that exists, in compact form: indices instead of
/// borrowed strings. [`Assignment::materialise`] turns it into the public [`Evaluation`];
/// callers that only want the value (`is_enabled`) skip that step.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Assignment {
    /// The variant served (the off variant on error).
    pub(crate) variant: u32,
    pub(crate) reason: Reason,
    pub(crate) error: Option<ErrorCode>,
    /// The index of the rule that matched (or failed).
    pub(crate) rule: Option<u32>,
    pub(crate) bucket: Option<u32>,
    /// The index of the prerequisite flag that failed.
    pub(crate) prerequisite: Option<u32>,
}

impl Assignment {
    #[inline]
    fn served(variant: u32, reason: Reason) -> Self {
        Assignment {
            variant,
            reason,
            error: None,
            rule: None,
            bucket: None,
            prerequisite: None,
        }
    }

    #[inline]
    fn failed(flag: &Flag, error: ErrorCode) -> Self {
        Assignment {
            error: Some(error),
            ..Assignment::served(flag.off_variant, Reason::Error)
        }
    }

    /// The public evaluation of this decision for the flag at `index`.
    #[inline]
    pub(crate) fn materialise(self, config: &Config, index: usize) -> Evaluation<'_> {
        let flag = &config.flags[index];
        let v = &flag.variants[self.variant as usize];
        Evaluation {
            flag_key: &flag.key,
            value: Some(&v.value),
            value_json: Some(&v.json),
            variant: Some(&v.name),
            variant_index: Some(self.variant),
            reason: self.reason,
            error: self.error,
            rule_index: self.rule,
            rule_id: self
                .rule
                .and_then(|r| flag.rules.get(r as usize))
                .and_then(|r| r.id.as_deref()),
            bucket: self.bucket,
            prerequisite: self
                .prerequisite
                .and_then(|p| config.flags.get(p as usize))
                .map(|p| &*p.key),
        }
    }

    /// The boolean served, unless this is an error or not a boolean flag.
    #[inline]
    pub(crate) fn as_bool(self, config: &Config, index: usize) -> Option<bool> {
        if self.reason == Reason::Error {
            return None;
        }
        config.flags[index].variants[self.variant as usize]
            .value
            .as_bool()
    }
}

/// Evaluates a flag by key. `overrides` is empty or has one slot per flag.
pub(crate) fn evaluate<'a>(
    config: &'a Config,
    overrides: &[Option<Forced>],
    flag_key: &'a str,
    ctx: &Context,
    at: At,
) -> Evaluation<'a> {
    match config.flag_index(flag_key) {
        Some(i) => evaluate_index(config, overrides, i as usize, ctx, at),
        None => Evaluation::not_found(flag_key),
    }
}

/// Whether a flag serves `true` (false when it does not exist, on error, or when it is
/// not a boolean flag): `evaluate(..).as_bool().unwrap_or(false)` without building the
/// [`Evaluation`].
#[inline]
pub(crate) fn is_enabled(
    config: &Config,
    overrides: &[Option<Forced>],
    flag_key: &str,
    ctx: &Context,
    at: At,
) -> bool {
    match config.flag_index(flag_key) {
        Some(i) => decide(config, overrides, i as usize, ctx, at)
            .as_bool(config, i as usize)
            .unwrap_or(false),
        None => false,
    }
}

/// The index of the variant `flag_key` serves (`None` for an unknown flag).
pub(crate) fn variant_index(
    config: &Config,
    overrides: &[Option<Forced>],
    flag_key: &str,
    ctx: &Context,
    at: At,
) -> Option<usize> {
    let i = config.flag_index(flag_key)? as usize;
    Some(decide(config, overrides, i, ctx, at).variant as usize)
}

/// Evaluates the flag at `index` (which must be in range).
#[inline]
pub(crate) fn evaluate_index<'a>(
    config: &'a Config,
    overrides: &[Option<Forced>],
    index: usize,
    ctx: &Context,
    at: At,
) -> Evaluation<'a> {
    decide(config, overrides, index, ctx, at).materialise(config, index)
}

/// Decides the flag at `index` (which must be in range). A flag that simply serves a
/// fixed variant or a split (no override, rules, layer or prerequisites: most flags) is
/// decided inline in native builds, without the call.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub(crate) fn decide(
    config: &Config,
    overrides: &[Option<Forced>],
    index: usize,
    ctx: &Context,
    at: At,
) -> Assignment {
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(flag) = config.flags.get(index) {
        if overrides.is_empty()
            && flag.enabled
            && flag.rules.is_empty()
            && flag.layer.is_none()
            && flag.prerequisites.is_empty()
        {
            match &flag.default {
                Serve::Variant(v) => return Assignment::served(*v, Reason::Default),
                Serve::Split(split) => return by_default(flag, split_served(flag, split, ctx)),
                Serve::Staged(_) => {}
            }
        }
    }
    decide_flag(config, overrides, index, ctx, at)
}

/// [`decide`] of any flag.
fn decide_flag(
    config: &Config,
    overrides: &[Option<Forced>],
    index: usize,
    ctx: &Context,
    at: At,
) -> Assignment {
    let flag = &config.flags[index];
    // Overrides, switched-off flags and layers out of line: most flags have none, and the
    // rules and splits below keep the registers.
    if !overrides.is_empty() || !flag.enabled || flag.layer.is_some() {
        if let Some(decided) = gate(config, overrides, index, ctx) {
            return decided;
        }
    }
    for prereq in &flag.prerequisites {
        let other = decide(config, overrides, prereq.flag as usize, ctx, at);
        let ok = other.reason != Reason::Error && prereq.variants.contains(&other.variant);
        if !ok {
            return Assignment {
                prerequisite: Some(prereq.flag),
                ..Assignment::served(flag.off_variant, Reason::PrerequisiteFailed)
            };
        }
    }
    for (i, rule) in flag.rules.iter().enumerate() {
        if !program_matches(config, &rule.conditions, ctx) {
            continue;
        }
        match serve_inline(flag, &rule.serve, ctx, at) {
            Served::Variant(v, bucket) => {
                return Assignment {
                    rule: Some(i as u32),
                    bucket,
                    ..Assignment::served(v, Reason::TargetingMatch)
                };
            }
            Served::NotApplicable => continue,
            Served::Failed(code) => {
                return Assignment {
                    rule: Some(i as u32),
                    ..Assignment::failed(flag, code)
                };
            }
        }
    }
    by_default(flag, serve_inline(flag, &flag.default, ctx, at))
}

/// The assignment of a flag that no rule decided: what its default served.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn by_default(flag: &Flag, served: Served) -> Assignment {
    match served {
        Served::Variant(v, None) => Assignment::served(v, Reason::Default),
        Served::Variant(v, bucket @ Some(_)) => Assignment {
            bucket,
            ..Assignment::served(v, Reason::Split)
        },
        Served::NotApplicable => Assignment::served(flag.off_variant, Reason::Default),
        Served::Failed(code) => Assignment::failed(flag, code),
    }
}

/// What decides the flag at `index` before its prerequisites, if anything: an override,
/// the flag being off, its layer range. Out of line in native builds only.
#[cfg_attr(not(target_arch = "wasm32"), inline(never))]
#[cfg_attr(target_arch = "wasm32", inline(always))]
fn gate(
    config: &Config,
    overrides: &[Option<Forced>],
    index: usize,
    ctx: &Context,
) -> Option<Assignment> {
    let flag = &config.flags[index];
    if let Some(Some(forced)) = overrides.get(index) {
        let variant = match forced {
            Forced::Kill => flag.off_variant,
            Forced::Variant(v) => *v,
        };
        return Some(Assignment::served(variant, Reason::Override));
    }
    if !flag.enabled {
        return Some(Assignment::served(flag.off_variant, Reason::Off));
    }
    if let Some(layer) = &flag.layer {
        // Outside its range of the layer the flag serves its off variant, whatever its
        // prerequisites and rules: `DEFAULT` with the layer's bucket (docs/config.md, Layers).
        let Some(bucket) = bucket_by(&layer.salt_prefix, flag, ctx) else {
            return Some(Assignment::failed(flag, ErrorCode::TargetingKeyMissing));
        };
        if !(layer.start..layer.end).contains(&bucket) {
            return Some(Assignment {
                bucket: Some(bucket),
                ..Assignment::served(flag.off_variant, Reason::Default)
            });
        }
    }
    None
}

/// [`serve`] with a fixed variant (the most common serve) or a split decided without a
/// call (WebAssembly builds, size first, call [`serve`]).
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn serve_inline(flag: &Flag, serve_: &Serve, ctx: &Context, at: At) -> Served {
    match serve_ {
        Serve::Variant(v) => Served::Variant(*v, None),
        Serve::Split(split) => split_served(flag, split, ctx),
        other => serve(flag, other, ctx, at),
    }
}

#[cfg(target_arch = "wasm32")]
fn serve_inline(flag: &Flag, serve_: &Serve, ctx: &Context, at: At) -> Served {
    serve(flag, serve_, ctx, at)
}

fn serve(flag: &Flag, serve_: &Serve, ctx: &Context, at: At) -> Served {
    match serve_ {
        Serve::Variant(v) => Served::Variant(*v, None),
        Serve::Split(split) => split_served(flag, split, ctx),
        Serve::Staged(stages) => {
            let Some(now) = at.millis() else {
                return Served::Failed(ErrorCode::InvalidContext);
            };
            match Stage::serving(stages, now) {
                Some(stage) => serve(flag, &stage.serve, ctx, at),
                None => Served::NotApplicable,
            }
        }
    }
}

/// The variant a split serves the context, by its bucket.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn split_served(flag: &Flag, split: &Split, ctx: &Context) -> Served {
    let Some(bucket) = bucket_of(flag, ctx) else {
        return Served::Failed(ErrorCode::TargetingKeyMissing);
    };
    for &(end, v) in &split.ranges {
        if bucket < end {
            return Served::Variant(v, Some(bucket));
        }
    }
    // Unreachable for a validated split (ranges end at 100_000).
    Served::Failed(ErrorCode::TargetingKeyMissing)
}

/// The context's bucket for this flag, or `None` without a usable bucketing value.
/// Strings hash as their UTF-8 bytes; integer numbers as their decimal digits.
#[inline]
pub(crate) fn bucket_of(flag: &Flag, ctx: &Context) -> Option<u32> {
    bucket_by(&flag.salt_prefix, flag, ctx)
}

/// The context's bucket under `salt` (the flag's, or its layer's) by the flag's
/// bucketing attribute, or `None` without a usable bucketing value.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn bucket_by(salt: &SaltPrefix, flag: &Flag, ctx: &Context) -> Option<u32> {
    match ctx.lookup_name(&flag.bucket_by)? {
        AttributeRef::String("") => None,
        AttributeRef::String(s) => Some(bucket_with_prefix(salt, s.as_bytes())),
        AttributeRef::Number(n) => bucket_of_number(salt, n),
        _ => None,
    }
}

/// An integer number hashes as its decimal digits; other numbers have no bucket.
#[inline(never)]
fn bucket_of_number(salt: &SaltPrefix, n: f64) -> Option<u32> {
    if n.fract() != 0.0 || n.abs() >= 9_007_199_254_740_992.0 {
        return None;
    }
    let mut buf = [0u8; 24];
    let digits = format_i64(n as i64, &mut buf);
    Some(bucket_with_prefix(salt, digits))
}

fn format_i64(n: i64, buf: &mut [u8; 24]) -> &[u8] {
    let mut i = crate::number::decimal(n.unsigned_abs(), buf);
    if n < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn is_enabled_agrees_with_evaluate() {
        let store = Store::from_json(include_str!("../../examples/speech-migration.json")).unwrap();
        let snapshot = store.snapshot();
        let keys: Vec<&str> = snapshot.config().flags().map(|f| f.key()).collect();
        let mut enabled = 0;
        for i in 0..2_000 {
            let ctx = Context::new(format!("user-{i}"))
                .with("country", if i % 3 == 0 { "DE" } else { "US" })
                .with("plan", if i % 2 == 0 { "enterprise" } else { "free" });
            let at = snapshot.at(1_795_305_600_000 + i64::from(i) * 3_600_000);
            for key in keys.iter().copied().chain(["no-such-flag"]) {
                let expected = at.evaluate(key, &ctx).as_bool().unwrap_or(false);
                assert_eq!(at.is_enabled(key, &ctx), expected, "{key} user-{i}");
                enabled += usize::from(expected);
            }
        }
        assert!(enabled > 0);
    }

    #[test]
    fn formats_integers() {
        let mut buf = [0u8; 24];
        assert_eq!(format_i64(0, &mut buf), b"0");
        assert_eq!(format_i64(-42, &mut buf), b"-42");
        assert_eq!(format_i64(i64::MIN, &mut buf), b"-9223372036854775808");
        assert_eq!(format_i64(1234567, &mut buf), b"1234567");
    }
}
