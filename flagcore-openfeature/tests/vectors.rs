//! The golden evaluation vectors (`tests/vectors/eval-*.json`) replayed through the
//! OpenFeature SDK with the flagcore provider: every case's expected flagcore answer,
//! translated by the documented mapping (see the crate docs), must come back from the
//! client. 0 mismatches.
//!
//! Each case is resolved as its flag's type (boolean, string, float for numbers, structure
//! for JSON); typed calls (`getBoolean`...) as the type they ask for; `evaluateAll` as one
//! resolution per flag. Skipped, and counted: JSON values OpenFeature's Rust `Value` cannot
//! carry (a top-level array or scalar in a structure resolution, a `null`).

use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use flagcore::{At, Override, Store};
use flagcore_conformance::replay::same;
use flagcore_openfeature::FlagcoreProvider;
use open_feature::{
    Client, EvaluationContext, EvaluationContextFieldValue, EvaluationDetails, EvaluationError,
    FlagMetadataValue, OpenFeature, StructValue, Value,
};
use serde_json::{json, Value as Json};

/// No time: `i64::MIN` in the shared clock means `At::Unset`.
const UNSET: i64 = i64::MIN;

#[derive(Default)]
struct Tally {
    replayed: usize,
    skipped: usize,
    mismatches: Vec<String>,
}

/// The flag's type as the config declares or implies it.
fn flag_type(config: &Json, flag: &str) -> Option<String> {
    let f = config["flags"].get(flag)?;
    if let Some(t) = f["type"].as_str() {
        return Some(if t == "bool" {
            "boolean".into()
        } else if t == "object" {
            "json".into()
        } else {
            t.into()
        });
    }
    let first = f["variants"]
        .as_object()
        .and_then(|v| v.values().next().cloned());
    Some(match first {
        None | Some(Json::Bool(_)) => "boolean".into(),
        Some(Json::String(_)) => "string".into(),
        Some(Json::Number(_)) => "number".into(),
        Some(_) => "json".into(),
    })
}

/// `DEFAULT` is `STATIC` for a flag with no rules, no prerequisites and a fixed default.
fn is_static(config: &Json, flag: &str) -> bool {
    let f = &config["flags"][flag];
    let empty = |v: &Json| v.as_array().is_none_or(Vec::is_empty);
    empty(&f["rules"]) && empty(&f["prerequisites"]) && f["default"].get("variant").is_some()
}

fn openfeature_reason(reason: &str, is_static: bool) -> String {
    match reason {
        "OFF" | "PREREQUISITE_FAILED" => "DISABLED".into(),
        "DEFAULT" if is_static => "STATIC".into(),
        other => other.into(),
    }
}

fn context(ctx: &Json) -> EvaluationContext {
    let mut out = EvaluationContext::default();
    for (name, value) in ctx.as_object().into_iter().flatten() {
        match (name.as_str(), value) {
            (_, Json::Null) => {}
            ("key", Json::String(k)) => out.targeting_key = Some(k.clone()),
            (_, Json::String(s)) => out.add_custom_field(name, s.as_str()),
            (_, Json::Bool(b)) => out.add_custom_field(name, *b),
            (_, Json::Number(n)) => match n.as_i64() {
                Some(i) => out.add_custom_field(name, i),
                None => out.add_custom_field(name, n.as_f64().unwrap_or(f64::NAN)),
            },
            // A list travels as a structure holding the JSON array (see to_flagcore_context).
            (_, Json::Array(_)) => {
                out.add_custom_field(name, EvaluationContextFieldValue::new_struct(value.clone()))
            }
            (_, other) => panic!("vector context attribute {name} is {other}"),
        }
    }
    out
}

fn value_json(v: &Value) -> Json {
    match v {
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Float(f) => json!(f),
        Value::String(s) => json!(s),
        Value::Array(items) => Json::Array(items.iter().map(value_json).collect()),
        Value::Struct(s) => Json::Object(
            s.fields
                .iter()
                .map(|(k, v)| (k.clone(), value_json(v)))
                .collect(),
        ),
    }
}

fn has_null(v: &Json) -> bool {
    match v {
        Json::Null => true,
        Json::Array(items) => items.iter().any(has_null),
        Json::Object(fields) => fields.values().any(has_null),
        _ => false,
    }
}

fn metadata_json(m: &FlagMetadataValue) -> Json {
    match m {
        FlagMetadataValue::Bool(b) => json!(b),
        FlagMetadataValue::Int(i) => json!(i),
        FlagMetadataValue::Float(f) => json!(f),
        FlagMetadataValue::String(s) => json!(s),
    }
}

/// What the OpenFeature client answered, as JSON: `{value, variant, reason, metadata}` or
/// `{errorCode}`.
fn answer<T>(
    r: Result<EvaluationDetails<T>, EvaluationError>,
    to_json: impl Fn(T) -> Json,
) -> Json {
    match r {
        Err(e) => json!({ "errorCode": e.code.to_string() }),
        Ok(d) => {
            let m = &d.flag_metadata.values;
            let meta = |k: &str| m.get(k).map_or(Json::Null, metadata_json);
            json!({
                "value": to_json(d.value),
                "variant": d.variant,
                "reason": d.reason.map(|r| r.to_string()),
                "ruleIndex": meta("ruleIndex"),
                "ruleId": meta("ruleId"),
                "bucket": meta("bucket"),
                "prerequisite": meta("prerequisite"),
            })
        }
    }
}

/// The expected answer of one flagcore evaluation (the vectors' `expect`), mapped.
fn expected(config: &Json, flag: &str, expect: &Json) -> Json {
    if expect["reason"] == "ERROR" {
        return json!({ "errorCode": expect["errorCode"] });
    }
    let reason = openfeature_reason(
        expect["reason"].as_str().unwrap_or(""),
        is_static(config, flag),
    );
    json!({
        "value": expect["value"],
        "variant": expect["variant"],
        "reason": reason,
        "ruleIndex": expect["ruleIndex"],
        "ruleId": expect["ruleId"],
        "bucket": expect["bucket"],
        "prerequisite": expect["prerequisite"],
    })
}

async fn resolve(client: &Client, kind: &str, flag: &str, ctx: &EvaluationContext) -> Json {
    match kind {
        "boolean" => answer(client.get_bool_details(flag, Some(ctx), None).await, |v| {
            json!(v)
        }),
        "string" => answer(
            client.get_string_details(flag, Some(ctx), None).await,
            |v| json!(v),
        ),
        "number" => answer(client.get_float_details(flag, Some(ctx), None).await, |v| {
            json!(v)
        }),
        _ => answer(
            client
                .get_struct_details::<StructValue>(flag, Some(ctx), None)
                .await,
            |v| value_json(&Value::Struct(v)),
        ),
    }
}

async fn replay_file(path: &Path, tally: &mut Tally) {
    let doc: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for group in doc["groups"].as_array().unwrap() {
        let text = group["config"].as_str().unwrap();
        let config: Json = serde_json::from_str(text).unwrap();
        let store = Arc::new(Store::from_json(text).unwrap());
        for o in group["overrides"].as_array().into_iter().flatten() {
            let flag = o["flag"].as_str().unwrap();
            let value = match o["variant"].as_str() {
                Some(v) => Override::Variant(v.into()),
                None => Override::Kill,
            };
            store.set_override(flag, value).unwrap();
        }
        let now = Arc::new(AtomicI64::new(UNSET));
        let clock = now.clone();
        let provider =
            FlagcoreProvider::new(store).with_time(move || match clock.load(Ordering::SeqCst) {
                UNSET => At::Unset,
                t => At::Millis(t),
            });
        let mut api = OpenFeature::default();
        api.set_provider(provider).await;
        let client = api.create_client();

        for case in group["cases"].as_array().unwrap() {
            let id = case["id"].as_str().unwrap_or("?");
            now.store(case["at"].as_i64().unwrap_or(UNSET), Ordering::SeqCst);
            let ctx = context(&case["context"]);
            let call = case["call"].as_str().unwrap();
            let flag = case["flag"].as_str().unwrap_or("");
            // (flag, the type to resolve as, the expected flagcore answer)
            let checks: Vec<(String, String, Json)> = match call {
                "evaluateAll" => case["expect"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| {
                        let f = e["flagKey"].as_str().unwrap().to_owned();
                        let kind = flag_type(&config, &f).unwrap_or_else(|| "boolean".into());
                        (f, kind, e.clone())
                    })
                    .collect(),
                "evaluate" => {
                    let kind = flag_type(&config, flag).unwrap_or_else(|| "boolean".into());
                    vec![(flag.to_owned(), kind, case["expect"].clone())]
                }
                typed => {
                    let kind = match typed {
                        "getBoolean" => "boolean",
                        "getString" => "string",
                        "getNumber" => "number",
                        _ => "json",
                    };
                    vec![(flag.to_owned(), kind.into(), case["expect"].clone())]
                }
            };
            let mut skip = false;
            let mut bad = Vec::new();
            for (f, kind, expect) in checks {
                let want = expected(&config, &f, &expect);
                if kind == "json"
                    && want
                        .get("value")
                        .is_some_and(|v| !v.is_object() || has_null(v))
                {
                    skip = true;
                    continue;
                }
                let got = resolve(&client, &kind, &f, &ctx).await;
                if !same(&want, &got) {
                    bad.push(format!("{id} ({f} as {kind}): expected {want}, got {got}"));
                }
            }
            if skip {
                tally.skipped += 1;
            } else {
                tally.replayed += 1;
            }
            tally.mismatches.extend(bad);
        }
    }
}

#[tokio::test]
async fn golden_vectors_through_the_openfeature_client() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut tally = Tally::default();
    for name in [
        "eval-layers.json",
        "eval-operators.json",
        "eval-rollouts.json",
        "eval-store.json",
        "eval-targeting.json",
    ] {
        replay_file(&dir.join(name), &mut tally).await;
    }
    println!(
        "rust (OpenFeature): {} vectors replayed, {} mismatches, {} skipped (JSON values OpenFeature's Rust Value cannot carry)",
        tally.replayed,
        tally.mismatches.len(),
        tally.skipped
    );
    for m in tally.mismatches.iter().take(20) {
        println!("  {m}");
    }
    assert!(tally.replayed > 1900, "only {} replayed", tally.replayed);
    assert!(
        tally.mismatches.is_empty(),
        "{} mismatches",
        tally.mismatches.len()
    );
}
