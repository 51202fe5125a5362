//! An OpenFeature evaluation context as a flagcore [`Context`].

use flagcore::{Context, MAX_CONTEXT_ATTRIBUTES};
use open_feature::{EvaluationContext, EvaluationContextFieldValue, EvaluationError};
use open_feature::{EvaluationErrorCode, EvaluationResult};
use time::format_description::well_known::Rfc3339;

fn refuse(code: EvaluationErrorCode, message: String) -> EvaluationError {
    EvaluationError {
        code,
        message: Some(message),
    }
}

/// Maps an OpenFeature context to a flagcore [`Context`]: the targeting key becomes the
/// key (an attribute named `key` is the key when there is no targeting key; otherwise it
/// is ignored), strings, numbers and booleans stay as they are, a date-time becomes RFC 3339
/// text in UTC. A nested structure is refused (`INVALID_CONTEXT`), and so is a context with
/// more than [`MAX_CONTEXT_ATTRIBUTES`] attributes; a non-finite number gives `PARSE_ERROR`.
///
/// ```
/// use open_feature::EvaluationContext;
/// let ctx = EvaluationContext::default()
///     .with_targeting_key("user-42")
///     .with_custom_field("appVersion", "2.4.0")
///     .with_custom_field("seats", 12);
/// let user = flagcore_openfeature::to_flagcore_context(&ctx).unwrap();
/// assert_eq!(user.key(), Some("user-42"));
/// ```
pub fn to_flagcore_context(ctx: &EvaluationContext) -> EvaluationResult<Context> {
    if ctx.custom_fields.len() > MAX_CONTEXT_ATTRIBUTES {
        return Err(refuse(
            EvaluationErrorCode::InvalidContext,
            format!("context has more than {MAX_CONTEXT_ATTRIBUTES} attributes"),
        ));
    }
    let mut out = match &ctx.targeting_key {
        Some(key) => Context::new(key.as_str()),
        None => match ctx.custom_fields.get("key") {
            Some(EvaluationContextFieldValue::String(key)) => Context::new(key.as_str()),
            Some(_) => {
                return Err(refuse(
                    EvaluationErrorCode::InvalidContext,
                    "context attribute \"key\" (the targeting key) must be a string".into(),
                ))
            }
            None => Context::anonymous(),
        },
    };
    for (name, value) in &ctx.custom_fields {
        if name == "key" {
            continue;
        }
        match value {
            EvaluationContextFieldValue::Bool(b) => out.set(name.as_str(), *b),
            EvaluationContextFieldValue::Int(i) => out.set(name.as_str(), *i),
            EvaluationContextFieldValue::Float(f) if f.is_finite() => out.set(name.as_str(), *f),
            EvaluationContextFieldValue::Float(f) => {
                return Err(refuse(
                    EvaluationErrorCode::ParseError,
                    format!("context attribute {name:?} is {f}, which JSON cannot carry"),
                ))
            }
            EvaluationContextFieldValue::String(s) => out.set(name.as_str(), s.as_str()),
            EvaluationContextFieldValue::DateTime(t) => {
                let text = t
                    .to_offset(time::UtcOffset::UTC)
                    .format(&Rfc3339)
                    .map_err(|e| {
                        refuse(
                            EvaluationErrorCode::ParseError,
                            format!("context attribute {name:?}: {e}"),
                        )
                    })?;
                out.set(name.as_str(), text);
            }
            EvaluationContextFieldValue::Struct(_) => {
                return Err(refuse(
                    EvaluationErrorCode::InvalidContext,
                    format!(
                        "context attribute {name:?} is a structure; flagcore attributes are \
                         strings, numbers or booleans (flatten it)"
                    ),
                ))
            }
        }
    }
    Ok(out)
}
