//! An OpenFeature evaluation context as a flagcore [`Context`].

use std::any::Any;

use flagcore::{AttributeValue, Context, MAX_CONTEXT_ATTRIBUTES, MAX_LIST_ITEMS};
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
/// text in UTC. OpenFeature's Rust context has no list value, so a list attribute travels as
/// a structure holding a `Vec<String>`, `Vec<&'static str>`, `Vec<i64>`, `Vec<f64>` or a
/// `serde_json::Value` array of strings and numbers (at most [`MAX_LIST_ITEMS`] items); any
/// other structure is refused (`INVALID_CONTEXT`), and so is a context with more than
/// [`MAX_CONTEXT_ATTRIBUTES`] attributes; a non-finite number gives `PARSE_ERROR`.
///
/// ```
/// use open_feature::EvaluationContext;
/// let ctx = EvaluationContext::default()
///     .with_targeting_key("user-42")
///     .with_custom_field("appVersion", "2.4.0")
///     .with_custom_field("seats", 12);
/// let user = flagcore_openfeature::to_flagcore_context(&ctx).unwrap();
/// assert_eq!(user.key(), Some("user-42"));
///
/// // A list attribute: a structure holding a Vec (or a serde_json array).
/// let ctx = EvaluationContext::default()
///     .with_targeting_key("user-42")
///     .with_custom_field(
///         "groups",
///         open_feature::EvaluationContextFieldValue::new_struct(vec!["beta", "staff"]),
///     );
/// assert!(flagcore_openfeature::to_flagcore_context(&ctx).is_ok());
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
            EvaluationContextFieldValue::Struct(any) => set_list(&mut out, name, any.as_ref())?,
        }
    }
    Ok(out)
}

/// A structure attribute as a flagcore list: the list types the provider documents, else
/// `INVALID_CONTEXT`.
fn set_list(out: &mut Context, name: &str, any: &(dyn Any + Send + Sync)) -> EvaluationResult<()> {
    let invalid = |message: String| refuse(EvaluationErrorCode::InvalidContext, message);
    if let Some(json) = any.downcast_ref::<serde_json::Value>() {
        if !json.is_array() {
            return Err(invalid(format!(
                "context attribute {name:?} is a JSON {}; only arrays (lists of strings and \
                 numbers) are accepted",
                if json.is_object() { "object" } else { "scalar" }
            )));
        }
        return out
            .set_from_value(name, json)
            .map_err(|e| invalid(e.to_string()));
    }
    let items: Vec<AttributeValue> = if let Some(v) = any.downcast_ref::<Vec<String>>() {
        v.iter().map(|s| AttributeValue::from(s.as_str())).collect()
    } else if let Some(v) = any.downcast_ref::<Vec<&'static str>>() {
        v.iter().map(|&s| AttributeValue::from(s)).collect()
    } else if let Some(v) = any.downcast_ref::<Vec<i64>>() {
        v.iter().map(|&n| AttributeValue::from(n)).collect()
    } else if let Some(v) = any.downcast_ref::<Vec<f64>>() {
        if let Some(bad) = v.iter().find(|n| !n.is_finite()) {
            return Err(refuse(
                EvaluationErrorCode::ParseError,
                format!("context attribute {name:?} holds {bad}, which JSON cannot carry"),
            ));
        }
        v.iter().map(|&n| AttributeValue::from(n)).collect()
    } else {
        return Err(invalid(format!(
            "context attribute {name:?} is a structure; flagcore attributes are strings, \
             numbers, booleans or lists (a Vec<String>, Vec<&str>, Vec<i64>, Vec<f64> or a \
             serde_json array)"
        )));
    };
    if items.len() > MAX_LIST_ITEMS {
        let too_long = flagcore::ContextError::ListTooLong {
            name: name.to_owned(),
            len: items.len(),
        };
        return Err(invalid(too_long.to_string()));
    }
    out.set(name, items);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: &str, value: EvaluationContextFieldValue) -> EvaluationResult<Context> {
        let ctx = EvaluationContext::default()
            .with_targeting_key("u")
            .with_custom_field(name, value);
        to_flagcore_context(&ctx)
    }

    fn list(items: &[&str]) -> AttributeValue {
        AttributeValue::from(items)
    }

    #[test]
    fn lists_travel_as_structures_of_the_documented_types() {
        let strings = EvaluationContextFieldValue::new_struct(vec!["beta".to_owned()]);
        assert_eq!(
            with("groups", strings).unwrap().get("groups"),
            Some(&list(&["beta"]))
        );
        let strs = EvaluationContextFieldValue::new_struct(vec!["a", "b"]);
        assert_eq!(with("g", strs).unwrap().get("g"), Some(&list(&["a", "b"])));
        let ints = EvaluationContextFieldValue::new_struct(vec![1i64, 2]);
        assert_eq!(
            with("n", ints).unwrap().get("n"),
            Some(&AttributeValue::from(vec![1.0, 2.0]))
        );
        let json = EvaluationContextFieldValue::new_struct(serde_json::json!(["a", 2]));
        let got = with("mixed", json).unwrap();
        assert_eq!(
            got.get("mixed"),
            Some(&AttributeValue::from(vec![
                AttributeValue::from("a"),
                AttributeValue::from(2i64)
            ]))
        );
    }

    #[test]
    fn other_structures_and_bad_lists_are_refused_with_a_reason() {
        let code = |v| with("x", v).unwrap_err();
        let object = code(EvaluationContextFieldValue::new_struct(
            serde_json::json!({"a": 1}),
        ));
        assert_eq!(object.code, EvaluationErrorCode::InvalidContext);
        assert!(object.message.unwrap().contains("JSON object"));
        let nested = code(EvaluationContextFieldValue::new_struct(serde_json::json!(
            [["a"]]
        )));
        assert_eq!(nested.code, EvaluationErrorCode::InvalidContext);
        let other = code(EvaluationContextFieldValue::new_struct(42u8));
        assert_eq!(other.code, EvaluationErrorCode::InvalidContext);
        assert!(other.message.unwrap().contains("Vec<String>"));
        let nan = code(EvaluationContextFieldValue::new_struct(vec![f64::NAN]));
        assert_eq!(nan.code, EvaluationErrorCode::ParseError);
        let long = code(EvaluationContextFieldValue::new_struct(vec![
            "a";
            MAX_LIST_ITEMS
                + 1
        ]));
        assert_eq!(long.code, EvaluationErrorCode::InvalidContext);
        assert!(long.message.unwrap().contains("limit"));
    }
}
