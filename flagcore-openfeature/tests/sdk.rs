//! The provider through the OpenFeature SDK (an `OpenFeature` API object and its client),
//! never called directly: registration, every value type, defaults on errors, reasons,
//! metadata, store changes, hooks.

use std::sync::{Arc, Mutex};

use flagcore::{Override, Store};
use flagcore_openfeature::{Exposure, ExposureHook, FlagcoreProvider, OpenTelemetryHook};
use open_feature::{
    Client, EvaluationContext, EvaluationErrorCode, EvaluationReason, FlagMetadataValue,
    OpenFeature, StructValue, Value,
};

const CONFIG: &str = r#"{"schemaVersion": 1, "flags": {
  "static-on": {"enabled": true, "default": {"variant": "on"}},
  "off-flag": {"enabled": false, "default": {"variant": "on"}},
  "backend": {"enabled": true,
    "variants": {"control": "modal", "treatment": "speechmatics"}, "offVariant": "control",
    "rules": [{"id": "beta", "conditions": [{"attribute": "beta", "op": "equals", "value": true}],
               "serve": {"variant": "treatment"}}],
    "default": {"split": [{"variant": "control", "weight": 70}, {"variant": "treatment", "weight": 30}]}},
  "ruled-default": {"enabled": true,
    "rules": [{"conditions": [{"attribute": "country", "op": "in", "values": ["DE"]}], "serve": {"variant": "on"}}],
    "default": {"variant": "off"}},
  "max-sessions": {"enabled": true, "variants": {"low": 3, "high": 10, "ratio": 0.25},
    "offVariant": "low", "default": {"variant": "high"}},
  "ratio": {"enabled": true, "variants": {"a": 0.25, "b": 1}, "offVariant": "b", "default": {"variant": "a"}},
  "limits": {"enabled": true, "variants": {"small": {"rps": 10, "burst": [1, 2], "name": "s"}, "odd": [1]},
    "offVariant": "small", "default": {"variant": "small"}},
  "needs-static": {"enabled": true, "prerequisites": [{"flag": "off-flag", "variant": "on"}],
    "default": {"variant": "on"}}
}}"#;

async fn client_for(store: Arc<Store>) -> (OpenFeature, Client) {
    let mut api = OpenFeature::default();
    api.set_provider(FlagcoreProvider::new(store)).await;
    let client = api.create_client();
    (api, client)
}

fn user(key: &str) -> EvaluationContext {
    EvaluationContext::default().with_targeting_key(key)
}

fn store() -> Arc<Store> {
    Arc::new(Store::from_json(CONFIG).unwrap())
}

#[tokio::test]
async fn registration_names_the_provider() {
    let mut api = OpenFeature::default();
    api.set_provider(FlagcoreProvider::new(store())).await;
    assert_eq!(api.provider_metadata().await.name, "flagcore");
}

#[tokio::test]
async fn every_value_type() {
    let (_api, client) = client_for(store()).await;
    let u = user("user-1");
    assert!(client
        .get_bool_value("static-on", Some(&u), None)
        .await
        .unwrap());
    let backend = client
        .get_string_value("backend", Some(&u), None)
        .await
        .unwrap();
    assert!(["modal", "speechmatics"].contains(&backend.as_str()));
    assert_eq!(
        client
            .get_int_value("max-sessions", Some(&u), None)
            .await
            .unwrap(),
        10
    );
    assert_eq!(
        client
            .get_float_value("max-sessions", Some(&u), None)
            .await
            .unwrap(),
        10.0
    );
    assert_eq!(
        client
            .get_float_value("ratio", Some(&u), None)
            .await
            .unwrap(),
        0.25
    );
    let limits = client
        .get_struct_details::<StructValue>("limits", Some(&u), None)
        .await
        .unwrap();
    assert_eq!(limits.value.fields.get("rps"), Some(&Value::Int(10)));
    assert_eq!(
        limits.value.fields.get("burst"),
        Some(&Value::Array(vec![Value::Int(1), Value::Int(2)]))
    );
    assert_eq!(limits.variant.as_deref(), Some("small"));
}

#[tokio::test]
async fn defaults_and_codes_on_errors() {
    let (_api, client) = client_for(store()).await;
    let u = user("user-1");
    let code = |r: Result<_, open_feature::EvaluationError>| r.map(|_: bool| ()).unwrap_err().code;
    assert_eq!(
        code(client.get_bool_value("nope", Some(&u), None).await),
        EvaluationErrorCode::FlagNotFound
    );
    // The Rust SDK returns the error; the caller's default is `unwrap_or(default)`.
    assert!(client
        .get_bool_value("nope", Some(&u), None)
        .await
        .unwrap_or(true));
    assert_eq!(
        code(client.get_bool_value("backend", Some(&u), None).await),
        EvaluationErrorCode::TypeMismatch
    );
    let e = client
        .get_int_value("ratio", Some(&u), None)
        .await
        .unwrap_err();
    assert_eq!(
        e.code,
        EvaluationErrorCode::TypeMismatch,
        "0.25 is not an integer"
    );
    let e = client
        .get_struct_details::<StructValue>("backend", Some(&u), None)
        .await
        .unwrap_err();
    assert_eq!(e.code, EvaluationErrorCode::TypeMismatch);
    // A split needs the targeting key.
    let anonymous = EvaluationContext::default();
    let e = client
        .get_string_value("backend", Some(&anonymous), None)
        .await
        .unwrap_err();
    assert_eq!(e.code, EvaluationErrorCode::TargetingKeyMissing);
    // A non-finite number cannot be a JSON context: PARSE_ERROR; a structure: INVALID_CONTEXT.
    let nan = user("u").with_custom_field("score", f64::NAN);
    let e = client
        .get_bool_value("static-on", Some(&nan), None)
        .await
        .unwrap_err();
    assert_eq!(e.code, EvaluationErrorCode::ParseError);
    let nested = user("u").with_custom_field(
        "plan",
        open_feature::EvaluationContextFieldValue::new_struct(StructValue::default()),
    );
    let e = client
        .get_bool_value("static-on", Some(&nested), None)
        .await
        .unwrap_err();
    assert_eq!(e.code, EvaluationErrorCode::InvalidContext);
}

#[tokio::test]
async fn reasons_and_metadata() {
    let s = store();
    let (_api, client) = client_for(s.clone()).await;
    let u = user("user-1");
    let reason = |d: &open_feature::EvaluationDetails<bool>| d.reason.clone().unwrap();

    let d = client
        .get_bool_details("static-on", Some(&u), None)
        .await
        .unwrap();
    assert_eq!(reason(&d), EvaluationReason::Static);
    assert_eq!(d.variant.as_deref(), Some("on"));
    assert_eq!(
        d.flag_metadata.values.get("flagcoreReason"),
        Some(&FlagMetadataValue::String("DEFAULT".into()))
    );
    let d = client
        .get_bool_details("ruled-default", Some(&u), None)
        .await
        .unwrap();
    assert_eq!(
        reason(&d),
        EvaluationReason::Default,
        "rules could have matched"
    );
    let de = u.clone().with_custom_field("country", "DE");
    let d = client
        .get_bool_details("ruled-default", Some(&de), None)
        .await
        .unwrap();
    assert_eq!(reason(&d), EvaluationReason::TargetingMatch);
    assert_eq!(
        d.flag_metadata.values.get("ruleIndex"),
        Some(&FlagMetadataValue::Int(0))
    );
    let d = client
        .get_bool_details("off-flag", Some(&u), None)
        .await
        .unwrap();
    assert_eq!(reason(&d), EvaluationReason::Disabled);
    assert!(!d.value);
    let d = client
        .get_bool_details("needs-static", Some(&u), None)
        .await
        .unwrap();
    assert_eq!(
        reason(&d),
        EvaluationReason::Disabled,
        "a failed prerequisite"
    );
    assert_eq!(
        d.flag_metadata.values.get("prerequisite"),
        Some(&FlagMetadataValue::String("off-flag".into()))
    );

    let d = client
        .get_string_details("backend", Some(&u), None)
        .await
        .unwrap();
    assert_eq!(d.reason, Some(EvaluationReason::Split));
    let snapshot = s.snapshot();
    let native = snapshot.evaluate("backend", &flagcore::Context::new("user-1"));
    assert_eq!(
        d.flag_metadata.values.get("bucket"),
        Some(&FlagMetadataValue::Int(i64::from(native.bucket.unwrap())))
    );
    assert_eq!(d.variant.as_deref(), native.variant);
    assert_eq!(
        d.flag_metadata.values.get("variantIndex"),
        Some(&FlagMetadataValue::Int(i64::from(
            native.variant_index.unwrap()
        )))
    );
    let beta = u.clone().with_custom_field("beta", true);
    let d = client
        .get_string_details("backend", Some(&beta), None)
        .await
        .unwrap();
    assert_eq!(d.reason, Some(EvaluationReason::TargetingMatch));
    assert_eq!(
        d.flag_metadata.values.get("ruleId"),
        Some(&FlagMetadataValue::String("beta".into()))
    );

    s.set_override("backend", Override::Kill).unwrap();
    let d = client
        .get_string_details("backend", Some(&beta), None)
        .await
        .unwrap();
    assert_eq!(d.reason, Some(EvaluationReason::Other("OVERRIDE".into())));
    assert_eq!(d.value, "modal");
}

#[tokio::test]
async fn store_changes_reach_the_next_evaluation() {
    let s = store();
    let (_api, client) = client_for(s.clone()).await;
    let u = user("user-1");
    assert!(client
        .get_bool_value("static-on", Some(&u), None)
        .await
        .unwrap());
    s.update(&CONFIG.replace(
        r#""default": {"variant": "on"}}"#,
        r#""default": {"variant": "off"}}"#,
    ))
    .unwrap();
    assert!(!client
        .get_bool_value("static-on", Some(&u), None)
        .await
        .unwrap());
    // A refused config changes nothing.
    assert!(s
        .update(r#"{"schemaVersion": 1, "flags": {"x": {"enabled": "yes"}}}"#)
        .is_err());
    assert!(!client
        .get_bool_value("static-on", Some(&u), None)
        .await
        .unwrap());
    s.rollback().unwrap();
    assert!(client
        .get_bool_value("static-on", Some(&u), None)
        .await
        .unwrap());
}

#[tokio::test]
async fn exposure_hook_sees_every_evaluation() {
    let seen: Arc<Mutex<Vec<Exposure>>> = Arc::default();
    let sink = seen.clone();
    let mut api = OpenFeature::default();
    api.set_provider(FlagcoreProvider::new(store())).await;
    api.add_hook(ExposureHook::new(move |e| sink.lock().unwrap().push(e)))
        .await;
    let client = api.create_client();
    let u = user("user-7");
    let backend = client
        .get_string_details("backend", Some(&u), None)
        .await
        .unwrap();
    let _ = client.get_bool_value("nope", Some(&u), None).await;
    let seen = seen.lock().unwrap();
    assert_eq!(
        *seen,
        vec![
            Exposure {
                flag_key: "backend".into(),
                variant: backend.variant.clone(),
                reason: "SPLIT".into(),
                targeting_key: Some("user-7".into()),
            },
            Exposure {
                flag_key: "nope".into(),
                variant: None,
                reason: "ERROR".into(),
                targeting_key: Some("user-7".into()),
            },
        ]
    );
}

#[tokio::test]
async fn opentelemetry_hook_records_semantic_convention_events() {
    use opentelemetry::trace::{TraceContextExt, Tracer, TracerProvider as _};
    use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};

    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let tracer = provider.tracer("test");

    let mut api = OpenFeature::default();
    api.set_provider(FlagcoreProvider::new(store())).await;
    let client = api.create_client().with_hook(OpenTelemetryHook);
    let u = user("user-7");

    let span = tracer.start("request");
    let cx = opentelemetry::Context::current_with_span(span);
    {
        let _guard = cx.clone().attach();
        let d = client
            .get_string_details("backend", Some(&u), None)
            .await
            .unwrap();
        assert!(d.variant.is_some());
        let _ = client.get_bool_value("nope", Some(&u), None).await;
    }
    cx.span().end();
    provider.force_flush().unwrap();

    let spans = exporter.get_finished_spans().unwrap();
    assert_eq!(spans.len(), 1);
    let events: Vec<_> = spans[0].events.iter().collect();
    assert_eq!(events.len(), 2);
    let attr = |i: usize, key: &str| {
        events[i]
            .attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.to_string())
    };
    assert_eq!(events[0].name, "feature_flag.evaluation");
    assert_eq!(attr(0, "feature_flag.key").as_deref(), Some("backend"));
    assert_eq!(
        attr(0, "feature_flag.provider.name").as_deref(),
        Some("flagcore")
    );
    assert_eq!(
        attr(0, "feature_flag.result.reason").as_deref(),
        Some("split")
    );
    assert!(attr(0, "feature_flag.result.variant").is_some());
    assert_eq!(
        attr(0, "feature_flag.context.id").as_deref(),
        Some("user-7")
    );
    assert_eq!(attr(1, "feature_flag.key").as_deref(), Some("nope"));
    assert_eq!(
        attr(1, "feature_flag.result.reason").as_deref(),
        Some("error")
    );
    assert_eq!(attr(1, "error.type").as_deref(), Some("flag_not_found"));
}
