//! Evaluating at a time: [`Evaluator`] is a config (and a store's overrides) with the
//! evaluation time of the calls made through it, and [`At`] says what that time is.
//!
//! The one rule for "no time given", in every binding: **no time given means now**, read
//! from the system clock at the call, and only when a time-staged rollout needs it (an
//! evaluation that reaches no staged serve never reads the clock). Rust: the methods without
//! a time ([`crate::Snapshot::evaluate`]) and [`At::Now`]; C: `FLAGCORE_TIME_NOW`; Python: `at`
//! omitted; JS: `opts.at` omitted. Evaluating without any time is asked for explicitly
//! ([`At::Unset`]; C `FLAGCORE_TIME_UNSET`; Python `at=flagcore.UNSET`; JS `{ at: null }`):
//! a staged rollout then answers `INVALID_CONTEXT`, the caller's default.
//! On `wasm32-unknown-unknown` the core has no clock (the JS binding always passes one).

use crate::context::Context;
use crate::eval::{self, ErrorCode, Evaluation, Forced, Reason};
use crate::model::Config;
use crate::value::{FlagValue, ValueType};

/// The evaluation time: staged rollouts serve by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum At {
    /// The current time, read from the system clock when a staged rollout needs it.
    #[default]
    Now,
    /// A time in Unix milliseconds.
    Millis(i64),
    /// No time: a staged rollout answers an error (`INVALID_CONTEXT`).
    Unset,
}

impl At {
    /// The time in Unix milliseconds (the clock read for [`At::Now`]), or `None`.
    #[inline]
    pub fn millis(self) -> Option<i64> {
        match self {
            At::Millis(t) => Some(t),
            At::Unset => None,
            At::Now => clock_millis(),
        }
    }
}

impl From<i64> for At {
    fn from(millis: i64) -> At {
        At::Millis(millis)
    }
}

impl From<Option<i64>> for At {
    /// `Some(t)` is that time; `None` is [`At::Unset`].
    fn from(millis: Option<i64>) -> At {
        millis.map_or(At::Unset, At::Millis)
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn clock_millis() -> Option<i64> {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    i64::try_from(since.as_millis()).ok()
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn clock_millis() -> Option<i64> {
    None
}

/// A typed value with the evaluation that produced it. On error (or a type mismatch)
/// `value` is the caller's default and `evaluation.reason` is [`Reason::Error`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resolved<'a, T> {
    /// The value to use.
    pub value: T,
    /// Why.
    pub evaluation: Evaluation<'a>,
}

/// A config (with a store's overrides) and an evaluation time: every evaluation method.
/// Made by [`crate::Snapshot::at`] and [`Config::at`]; cheap to copy.
#[derive(Clone, Copy)]
pub struct Evaluator<'s> {
    config: &'s Config,
    overrides: &'s [Option<Forced>],
    at: At,
}

impl std::fmt::Debug for Evaluator<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Evaluator")
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

impl<'s> Evaluator<'s> {
    pub(crate) fn new(config: &'s Config, overrides: &'s [Option<Forced>], at: At) -> Self {
        Evaluator {
            config,
            overrides,
            at,
        }
    }

    /// The evaluation time of this evaluator.
    pub fn time(&self) -> At {
        self.at
    }

    /// One flag resolved once: evaluations through the returned [`FlagRef`] skip the key
    /// lookup (the fastest path when one flag is evaluated for many contexts). `None` for
    /// an unknown key.
    ///
    /// ```
    /// # use flagcore::{Context, Store};
    /// let store = Store::from_json(r#"{"schemaVersion": 1, "flags": {"f": {"enabled": true,
    ///     "default": {"variant": "on"}}}}"#).unwrap();
    /// let snapshot = store.snapshot();
    /// let flag = snapshot.flag("f").unwrap();
    /// assert!((0..100).all(|i| flag.is_enabled(&Context::new(format!("user-{i}")))));
    /// assert!(snapshot.flag("nope").is_none());
    /// ```
    pub fn flag(&self, key: &str) -> Option<FlagRef<'s>> {
        let index = self.config.flag_index(key)? as usize;
        Some(FlagRef {
            evaluator: *self,
            index,
        })
    }

    /// Evaluates one flag, with value, variant, reason and details. Does not allocate.
    pub fn evaluate(&self, flag: &'s str, ctx: &Context) -> Evaluation<'s> {
        eval::evaluate(self.config, self.overrides, flag, ctx, self.at)
    }

    /// Evaluates every flag for one context, in config order. Does not allocate.
    pub fn evaluate_all(
        self,
        ctx: &'s Context,
    ) -> impl ExactSizeIterator<Item = Evaluation<'s>> + 's {
        let Evaluator {
            config,
            overrides,
            at,
        } = self;
        (0..config.len()).map(move |i| eval::evaluate_index(config, overrides, i, ctx, at))
    }

    /// Whether `flag` serves `true` for `ctx`.
    pub fn is_enabled(&self, flag: &str, ctx: &Context) -> bool {
        eval::is_enabled(self.config, self.overrides, flag, ctx, self.at)
    }

    /// The position of the variant `flag` serves for `ctx` (the off variant's on an
    /// evaluation error) in the order of [`FlagInfo::variants`], or `None` for an unknown
    /// flag: [`Evaluation::variant`] without building the evaluation, for bindings that
    /// keep the names on their side. Does not allocate.
    ///
    /// ```
    /// # use flagcore::{At, Context, Store};
    /// let store = Store::from_json(r#"{"schemaVersion": 1, "flags": {"f": {"enabled": true,
    ///     "variants": {"a": 1, "b": 2}, "offVariant": "a", "default": {"variant": "b"}}}}"#).unwrap();
    /// let snapshot = store.snapshot();
    /// let now = snapshot.at(At::Now);
    /// let ctx = Context::new("u");
    /// assert_eq!(now.variant_index("f", &ctx), Some(1));
    /// assert_eq!(now.variant_index("nope", &ctx), None);
    /// ```
    ///
    /// [`FlagInfo::variants`]: crate::FlagInfo::variants
    /// [`Evaluation::variant`]: crate::Evaluation::variant
    pub fn variant_index(&self, flag: &str, ctx: &Context) -> Option<usize> {
        eval::variant_index(self.config, self.overrides, flag, ctx, self.at)
    }

    fn typed<T>(
        &self,
        flag: &'s str,
        ctx: &Context,
        want: ValueType,
        default: T,
        pick: impl FnOnce(&'s FlagValue) -> Option<T>,
    ) -> Resolved<'s, T> {
        let evaluation = self.evaluate(flag, ctx);
        if evaluation.is_error() {
            return Resolved {
                value: default,
                evaluation,
            };
        }
        match evaluation.value {
            Some(v) if v.value_type() == want => match pick(v) {
                Some(value) => Resolved { value, evaluation },
                None => Resolved {
                    value: default,
                    evaluation,
                },
            },
            _ => Resolved {
                value: default,
                evaluation: Evaluation {
                    reason: Reason::Error,
                    error: Some(ErrorCode::TypeMismatch),
                    ..evaluation
                },
            },
        }
    }

    /// A boolean flag's value, or `default` (with the reason) on error or type mismatch.
    pub fn bool_value(&self, flag: &'s str, ctx: &Context, default: bool) -> Resolved<'s, bool> {
        self.typed(flag, ctx, ValueType::Boolean, default, FlagValue::as_bool)
    }

    /// A string flag's value, or `default`.
    pub fn string_value(
        &self,
        flag: &'s str,
        ctx: &Context,
        default: &'s str,
    ) -> Resolved<'s, &'s str> {
        self.typed(flag, ctx, ValueType::String, default, FlagValue::as_str)
    }

    /// A number flag's value, or `default`.
    pub fn number_value(&self, flag: &'s str, ctx: &Context, default: f64) -> Resolved<'s, f64> {
        self.typed(flag, ctx, ValueType::Number, default, FlagValue::as_f64)
    }

    /// A JSON flag's value as compact JSON text (as serde_json writes it: `{"a":[1,2]}`),
    /// or `default`. Needs no serde_json (the WASM binding's `getJson` uses it).
    pub fn json_text(
        &self,
        flag: &'s str,
        ctx: &Context,
        default: &'s str,
    ) -> Resolved<'s, &'s str> {
        let evaluation = self
            .typed(flag, ctx, ValueType::Json, (), |_| Some(()))
            .evaluation;
        let value = match evaluation.value_json {
            Some(json) if !evaluation.is_error() => json,
            _ => default,
        };
        Resolved { value, evaluation }
    }

    /// A JSON flag's value, or `default`.
    #[cfg(feature = "serde_json")]
    pub fn json_value(
        &self,
        flag: &'s str,
        ctx: &Context,
        default: &'s serde_json::Value,
    ) -> Resolved<'s, &'s serde_json::Value> {
        self.typed(flag, ctx, ValueType::Json, default, |v| match v {
            FlagValue::Json(j) => Some(j),
            _ => None,
        })
    }
}

/// One flag of a config, resolved once (see [`Evaluator::flag`] and
/// [`crate::Snapshot::flag`]): every evaluation method, without the key lookup.
#[derive(Clone, Copy, Debug)]
pub struct FlagRef<'s> {
    evaluator: Evaluator<'s>,
    index: usize,
}

impl<'s> FlagRef<'s> {
    /// The flag's key.
    pub fn key(&self) -> &'s str {
        &self.evaluator.config.flags[self.index].key
    }

    /// Evaluates the flag for `ctx`. Does not allocate.
    pub fn evaluate(&self, ctx: &Context) -> Evaluation<'s> {
        let e = &self.evaluator;
        eval::evaluate_index(e.config, e.overrides, self.index, ctx, e.at)
    }

    /// Whether the flag serves `true` for `ctx` (false for errors and non-boolean flags).
    #[inline]
    pub fn is_enabled(&self, ctx: &Context) -> bool {
        let e = &self.evaluator;
        eval::decide(e.config, e.overrides, self.index, ctx, e.at)
            .as_bool(e.config, self.index)
            .unwrap_or(false)
    }

    /// The position of the variant served for `ctx` (see [`Evaluator::variant_index`]).
    #[inline]
    pub fn variant_index(&self, ctx: &Context) -> usize {
        let e = &self.evaluator;
        eval::decide(e.config, e.overrides, self.index, ctx, e.at).variant as usize
    }
}
