//! [`FlagcoreProvider`]: the `open-feature` crate's `FeatureProvider` over a flagcore store.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use flagcore::{At, ConfigError, Evaluation, FlagValue, Store};
use open_feature::provider::{
    FeatureProvider, ProviderMetadata, ProviderStatus, ResolutionDetails,
};
use open_feature::{
    EvaluationContext, EvaluationError, EvaluationErrorCode, EvaluationResult, FlagMetadata,
    StructValue, Value,
};

use crate::context::to_flagcore_context;
use crate::reason::{error_code, is_static, reason};

/// The provider's name in OpenFeature's metadata (and OpenTelemetry's
/// `feature_flag.provider.name`).
pub const PROVIDER_NAME: &str = "flagcore";

type Clock = Arc<dyn Fn() -> At + Send + Sync>;

/// An OpenFeature provider answering from a flagcore [`Store`].
///
/// The store is shared (`Arc`): update it, roll it back or override a flag there and the
/// next evaluation answers from the new state. Evaluations are made at the current time
/// unless [`FlagcoreProvider::with_time`] says otherwise.
#[derive(Clone)]
pub struct FlagcoreProvider {
    store: Arc<Store>,
    metadata: ProviderMetadata,
    clock: Option<Clock>,
}

impl fmt::Debug for FlagcoreProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlagcoreProvider")
            .field("revision", &self.store.revision())
            .finish_non_exhaustive()
    }
}

impl FlagcoreProvider {
    /// A provider over `store`.
    pub fn new(store: Arc<Store>) -> Self {
        FlagcoreProvider {
            store,
            metadata: ProviderMetadata::new(PROVIDER_NAME),
            clock: None,
        }
    }

    /// A provider over a new store loaded from config JSON text.
    pub fn from_json(config: &str) -> Result<Self, ConfigError> {
        Ok(Self::new(Arc::new(Store::from_json(config)?)))
    }

    /// Evaluates at the time `clock` returns (called once per evaluation) instead of now:
    /// for tests and replays of time-staged rollouts.
    #[must_use]
    pub fn with_time(mut self, clock: impl Fn() -> At + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// The store this provider answers from.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    fn resolve<T>(
        &self,
        flag: &str,
        ctx: &EvaluationContext,
        pick: impl FnOnce(&FlagValue) -> EvaluationResult<T>,
    ) -> EvaluationResult<ResolutionDetails<T>> {
        let user = to_flagcore_context(ctx)?;
        let snapshot = self.store.snapshot();
        let at = self.clock.as_ref().map_or(At::Now, |clock| clock());
        let e = snapshot.at(at).evaluate(flag, &user);
        if let Some(code) = e.error {
            return Err(EvaluationError {
                code: error_code(code),
                message: Some(format!("flagcore: {code} for flag {flag:?}")),
            });
        }
        let Some(served) = e.value else {
            return Err(EvaluationError {
                code: EvaluationErrorCode::General("no value".into()),
                message: None,
            });
        };
        let value = pick(served)?;
        let mut details = ResolutionDetails::new(value);
        details.reason = Some(reason(e.reason, is_static(snapshot.config(), flag)));
        details.variant = e.variant.map(str::to_owned);
        details.flag_metadata = Some(metadata(&e));
        Ok(details)
    }
}

/// The flag metadata of an evaluation: `flagcoreReason`, and `ruleIndex`, `ruleId`,
/// `bucket`, `variantIndex`, `prerequisite` when known.
fn metadata(e: &Evaluation<'_>) -> FlagMetadata {
    let mut m = FlagMetadata::default().with_value("flagcoreReason", e.reason.as_str());
    if let Some(i) = e.rule_index {
        m.add_value("ruleIndex", i);
    }
    if let Some(id) = e.rule_id {
        m.add_value("ruleId", id);
    }
    if let Some(b) = e.bucket {
        m.add_value("bucket", b);
    }
    if let Some(i) = e.variant_index {
        m.add_value("variantIndex", i);
    }
    if let Some(p) = e.prerequisite {
        m.add_value("prerequisite", p);
    }
    m
}

fn mismatch(flag: &FlagValue, wanted: &str) -> EvaluationError {
    EvaluationError {
        code: EvaluationErrorCode::TypeMismatch,
        message: Some(format!(
            "flagcore: the flag serves a {} value, not {wanted}",
            flag.value_type()
        )),
    }
}

/// A JSON value as an OpenFeature value; `null` has none (`PARSE_ERROR`).
fn to_value(json: &serde_json::Value) -> EvaluationResult<Value> {
    Ok(match json {
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(items) => {
            Value::Array(items.iter().map(to_value).collect::<Result<_, _>>()?)
        }
        serde_json::Value::Object(_) => Value::Struct(to_struct(json)?),
        serde_json::Value::Null => {
            return Err(EvaluationError {
                code: EvaluationErrorCode::ParseError,
                message: Some("flagcore: the flag's JSON holds a null, which OpenFeature's Rust Value cannot carry".into()),
            })
        }
    })
}

fn to_struct(json: &serde_json::Value) -> EvaluationResult<StructValue> {
    let mut out = StructValue::default();
    if let serde_json::Value::Object(fields) = json {
        for (name, value) in fields {
            out.add_field(name.as_str(), to_value(value)?);
        }
    }
    Ok(out)
}

#[async_trait]
impl FeatureProvider for FlagcoreProvider {
    fn metadata(&self) -> &ProviderMetadata {
        &self.metadata
    }

    fn status(&self) -> ProviderStatus {
        // A store always holds a valid config: ready from construction.
        ProviderStatus::Ready
    }

    async fn resolve_bool_value(
        &self,
        flag_key: &str,
        ctx: &EvaluationContext,
    ) -> EvaluationResult<ResolutionDetails<bool>> {
        self.resolve(flag_key, ctx, |v| {
            v.as_bool().ok_or_else(|| mismatch(v, "a boolean"))
        })
    }

    async fn resolve_int_value(
        &self,
        flag_key: &str,
        ctx: &EvaluationContext,
    ) -> EvaluationResult<ResolutionDetails<i64>> {
        self.resolve(flag_key, ctx, |v| {
            v.as_f64()
                .filter(|n| n.fract() == 0.0 && n.abs() < 9_223_372_036_854_775_808.0)
                .map(|n| n as i64)
                .ok_or_else(|| mismatch(v, "an integer"))
        })
    }

    async fn resolve_float_value(
        &self,
        flag_key: &str,
        ctx: &EvaluationContext,
    ) -> EvaluationResult<ResolutionDetails<f64>> {
        self.resolve(flag_key, ctx, |v| {
            v.as_f64().ok_or_else(|| mismatch(v, "a number"))
        })
    }

    async fn resolve_string_value(
        &self,
        flag_key: &str,
        ctx: &EvaluationContext,
    ) -> EvaluationResult<ResolutionDetails<String>> {
        self.resolve(flag_key, ctx, |v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| mismatch(v, "a string"))
        })
    }

    async fn resolve_struct_value(
        &self,
        flag_key: &str,
        ctx: &EvaluationContext,
    ) -> EvaluationResult<ResolutionDetails<StructValue>> {
        self.resolve(flag_key, ctx, |v| match v {
            FlagValue::Json(json @ serde_json::Value::Object(_)) => to_struct(json),
            _ => Err(mismatch(v, "an object")),
        })
    }
}
