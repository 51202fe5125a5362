//! OpenFeature hooks: exposures (who saw which variant) and OpenTelemetry events.

use std::fmt;

use async_trait::async_trait;
use open_feature::{EvaluationContext, EvaluationReason};
use open_feature::{EvaluationDetails, EvaluationError, Hook, HookContext, HookHints, Value};

/// One evaluation as A/B analysis needs it: which flag, which variant, why, for whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    /// The flag evaluated.
    pub flag_key: String,
    /// The variant served; `None` when the caller's default was used (an error).
    pub variant: Option<String>,
    /// The OpenFeature reason (`SPLIT`, `TARGETING_MATCH`, `ERROR`, ...).
    pub reason: String,
    /// The context's targeting key, if it had one.
    pub targeting_key: Option<String>,
}

/// A hook that calls a function with an [`Exposure`] after every evaluation, errors
/// included (run in the `finally` stage).
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use flagcore_openfeature::{Exposure, ExposureHook};
/// let seen: Arc<Mutex<Vec<Exposure>>> = Arc::default();
/// let sink = seen.clone();
/// let hook = ExposureHook::new(move |e| sink.lock().unwrap().push(e));
/// // api.add_hook(hook).await, or client.with_hook(hook)
/// # drop(hook);
/// ```
pub struct ExposureHook<F> {
    record: F,
}

impl<F> fmt::Debug for ExposureHook<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExposureHook").finish_non_exhaustive()
    }
}

impl<F: Fn(Exposure) + Send + Sync + 'static> ExposureHook<F> {
    /// A hook calling `record` once per evaluation.
    pub fn new(record: F) -> Self {
        ExposureHook { record }
    }
}

fn reason_text(reason: Option<&EvaluationReason>) -> String {
    reason.map_or_else(|| "UNKNOWN".to_owned(), ToString::to_string)
}

#[async_trait]
impl<F: Fn(Exposure) + Send + Sync + 'static> Hook for ExposureHook<F> {
    async fn before<'a>(
        &self,
        _: &HookContext<'a>,
        _: Option<&'a HookHints>,
    ) -> Result<Option<EvaluationContext>, EvaluationError> {
        Ok(None)
    }

    async fn after<'a>(
        &self,
        _: &HookContext<'a>,
        _: &EvaluationDetails<Value>,
        _: Option<&'a HookHints>,
    ) -> Result<(), EvaluationError> {
        Ok(())
    }

    async fn error<'a>(&self, _: &HookContext<'a>, _: &EvaluationError, _: Option<&'a HookHints>) {}

    async fn finally<'a>(
        &self,
        context: &HookContext<'a>,
        details: &EvaluationDetails<Value>,
        _: Option<&'a HookHints>,
    ) {
        (self.record)(Exposure {
            flag_key: context.flag_key.to_owned(),
            variant: details.variant.clone(),
            reason: reason_text(details.reason.as_ref()),
            targeting_key: context.evaluation_context.targeting_key.clone(),
        });
    }
}

/// The name of the event the [`OpenTelemetryHook`] records.
#[cfg(feature = "opentelemetry")]
pub const EVALUATION_EVENT: &str = "feature_flag.evaluation";

/// A hook recording every evaluation as an OpenTelemetry event `feature_flag.evaluation` on
/// the current span, with the feature-flag semantic conventions' attributes:
/// `feature_flag.key`, `feature_flag.provider.name`, `feature_flag.result.variant`,
/// `feature_flag.result.reason` (lower case, as the conventions spell reasons),
/// `feature_flag.context.id` (the targeting key) and, on an error, `error.type` (the
/// OpenFeature error code in lower case, `flag_not_found`).
#[cfg(feature = "opentelemetry")]
#[derive(Debug, Default, Clone, Copy)]
pub struct OpenTelemetryHook;

#[cfg(feature = "opentelemetry")]
impl OpenTelemetryHook {
    fn record(context: &HookContext<'_>, mut attributes: Vec<opentelemetry::KeyValue>) {
        use opentelemetry::trace::TraceContextExt;
        use opentelemetry::KeyValue;
        attributes.push(KeyValue::new(
            "feature_flag.key",
            context.flag_key.to_owned(),
        ));
        attributes.push(KeyValue::new(
            "feature_flag.provider.name",
            context.provider_metadata.name.clone(),
        ));
        if let Some(key) = &context.evaluation_context.targeting_key {
            attributes.push(KeyValue::new("feature_flag.context.id", key.clone()));
        }
        opentelemetry::Context::current()
            .span()
            .add_event(EVALUATION_EVENT, attributes);
    }
}

#[cfg(feature = "opentelemetry")]
#[async_trait]
impl Hook for OpenTelemetryHook {
    async fn before<'a>(
        &self,
        _: &HookContext<'a>,
        _: Option<&'a HookHints>,
    ) -> Result<Option<EvaluationContext>, EvaluationError> {
        Ok(None)
    }

    async fn after<'a>(
        &self,
        context: &HookContext<'a>,
        details: &EvaluationDetails<Value>,
        _: Option<&'a HookHints>,
    ) -> Result<(), EvaluationError> {
        use opentelemetry::KeyValue;
        let mut attributes = vec![KeyValue::new(
            "feature_flag.result.reason",
            reason_text(details.reason.as_ref()).to_lowercase(),
        )];
        if let Some(variant) = &details.variant {
            attributes.push(KeyValue::new(
                "feature_flag.result.variant",
                variant.clone(),
            ));
        }
        Self::record(context, attributes);
        Ok(())
    }

    async fn error<'a>(
        &self,
        context: &HookContext<'a>,
        error: &EvaluationError,
        _: Option<&'a HookHints>,
    ) {
        use opentelemetry::KeyValue;
        Self::record(
            context,
            vec![
                KeyValue::new("feature_flag.result.reason", "error"),
                KeyValue::new("error.type", error.code.to_string().to_lowercase()),
            ],
        );
    }

    async fn finally<'a>(
        &self,
        _: &HookContext<'a>,
        _: &EvaluationDetails<Value>,
        _: Option<&'a HookHints>,
    ) {
    }
}
