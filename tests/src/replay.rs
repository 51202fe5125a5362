//! Replays vector files through the Rust core's public API, the way a binding would:
//! `bucket`, `Store::from_json`, `set_override`, `Context::from_value`, `Snapshot::at`, then
//! `evaluate`, the typed getters and `evaluate_all`; every `evaluate` case also through a
//! flag handle (`Store::flag`, one per flag and group, so later cases reuse its
//! resolution) and `is_enabled` by key and by handle. A case without `at` is evaluated with
//! [`At::Unset`] (no time), as the generator answered it. See `tests/vectors/README.md` for
//! the format.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use flagcore::{
    At, Config, ConfigError, Context, Evaluation, FlagHandle, Limits, Override, Problem, Store,
    StoreOptions,
};
use serde_json::{json, Value};

/// What replaying one or more files found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Cases replayed (each compared with its expectation).
    pub replayed: usize,
    /// Cases not replayed (none for the Rust runner; kept for symmetry with the others).
    pub skipped: usize,
    /// One line per mismatch: the case id, what was expected and what came back.
    pub mismatches: Vec<String>,
}

impl Outcome {
    fn add(&mut self, other: Outcome) {
        self.replayed += other.replayed;
        self.skipped += other.skipped;
        self.mismatches.extend(other.mismatches);
    }

    fn check(&mut self, id: impl fmt::Display, expected: &Value, actual: &Value) {
        self.replayed += 1;
        if !same(expected, actual) {
            self.mismatches
                .push(format!("{id}: expected {expected}, got {actual}"));
        }
    }
}

/// Structural JSON equality where numbers compare as IEEE 754 doubles (`250 == 250.0`).
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Replays one vector file (any format), by its `format` field.
pub fn replay_text(name: &str, text: &str) -> Result<Outcome, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("{name}: not JSON: {e}"))?;
    let format = doc["format"].as_str().unwrap_or_default();
    let outcome = match format {
        "flagcore-vectors/bucket/1" => replay_buckets(name, &doc)?,
        "flagcore-vectors/evaluation/1" => replay_evaluations(name, &doc)?,
        "flagcore-vectors/validation/1" => replay_validations(name, &doc)?,
        other => return Err(format!("{name}: unknown vector format {other:?}")),
    };
    let count = doc["count"].as_u64().unwrap_or(0) as usize;
    if outcome.replayed + outcome.skipped != count {
        return Err(format!(
            "{name}: replayed {} + skipped {} cases, but the file says count = {count}",
            outcome.replayed, outcome.skipped
        ));
    }
    Ok(outcome)
}

/// Replays every `*.json` file of a directory, in name order.
pub fn replay_dir(dir: &Path) -> Result<Outcome, String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(format!("{}: no vector files", dir.display()));
    }
    let mut total = Outcome::default();
    for path in names {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        total.add(replay_text(&name, &text)?);
    }
    Ok(total)
}

fn replay_buckets(name: &str, doc: &Value) -> Result<Outcome, String> {
    let cases = doc["cases"]
        .as_array()
        .ok_or_else(|| format!("{name}: no cases"))?;
    let mut out = Outcome::default();
    for (i, case) in cases.iter().enumerate() {
        let (Some(salt), Some(value), Some(expected)) =
            (case[0].as_str(), case[1].as_str(), case[2].as_u64())
        else {
            return Err(format!("{name}: case {i} is not [salt, value, bucket]"));
        };
        let got = flagcore::bucket(salt, value);
        out.replayed += 1;
        if u64::from(got) != expected {
            out.mismatches.push(format!(
                "{name}[{i}]: bucket({salt:?}, {value:?}) expected {expected}, got {got}"
            ));
        }
    }
    Ok(out)
}

fn details(e: &Evaluation<'_>) -> Value {
    serde_json::to_value(e.to_details()).unwrap_or(Value::Null)
}

fn number(n: f64) -> Value {
    serde_json::Number::from_f64(n)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

fn replay_evaluations(name: &str, doc: &Value) -> Result<Outcome, String> {
    let groups = doc["groups"]
        .as_array()
        .ok_or_else(|| format!("{name}: no groups"))?;
    let mut out = Outcome::default();
    for group in groups {
        let gname = group["name"].as_str().unwrap_or("?");
        let config = group["config"]
            .as_str()
            .ok_or_else(|| format!("{name}: group {gname} has no config text"))?;
        let store = Store::from_json(config)
            .map_err(|e| format!("{name}: group {gname}: config refused: {e}"))?;
        for o in group["overrides"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let flag = o["flag"].as_str().unwrap_or_default();
            let value = match (o["kill"].as_bool(), o["variant"].as_str()) {
                (Some(true), None) => Override::Kill,
                (None, Some(v)) => Override::Variant(v.to_owned()),
                _ => return Err(format!("{name}: group {gname}: bad override {o}")),
            };
            store
                .set_override(flag, value)
                .map_err(|e| format!("{name}: group {gname}: override refused: {e}"))?;
        }
        let snapshot = store.snapshot();
        let mut handles: HashMap<&str, FlagHandle<&Store>> = HashMap::new();
        let cases = group["cases"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        for case in cases {
            let id = case["id"].as_str().unwrap_or("?");
            let ctx = Context::from_value(&case["context"])
                .map_err(|e| format!("{name}: {id}: bad context: {e}"))?;
            // No `at`: no time (At::Unset), not now: the `noTime` cases depend on it.
            let snap = snapshot.at(At::from(case["at"].as_i64()));
            let flag = case["flag"].as_str().unwrap_or_default();
            let expect = &case["expect"];
            let default = &case["default"];
            let actual = match case["call"].as_str().unwrap_or_default() {
                "evaluate" => {
                    let e = snap.evaluate(flag, &ctx);
                    // The derived call: is_enabled is true exactly for a served `true`.
                    let enabled =
                        expect["reason"] != json!("ERROR") && expect["value"] == json!(true);
                    out.check(
                        format_args!("{id} (is_enabled)"),
                        &json!(enabled),
                        &json!(snap.is_enabled(flag, &ctx)),
                    );
                    let handle = handles.entry(flag).or_insert_with(|| store.flag(flag));
                    let at = At::from(case["at"].as_i64());
                    check_handle(&mut out, id, handle, &ctx, at, expect, &e);
                    details(&e)
                }
                "getBoolean" => {
                    let r = snap.bool_value(flag, &ctx, default.as_bool().unwrap_or(false));
                    with_value(details(&r.evaluation), json!(r.value))
                }
                "getString" => {
                    let r = snap.string_value(flag, &ctx, default.as_str().unwrap_or_default());
                    with_value(details(&r.evaluation), json!(r.value))
                }
                "getNumber" => {
                    let r = snap.number_value(flag, &ctx, default.as_f64().unwrap_or(0.0));
                    with_value(details(&r.evaluation), number(r.value))
                }
                "getJson" => {
                    let r = snap.json_value(flag, &ctx, default);
                    with_value(details(&r.evaluation), r.value.clone())
                }
                "evaluateAll" => {
                    Value::Array(snap.evaluate_all(&ctx).map(|e| details(&e)).collect())
                }
                other => return Err(format!("{name}: {id}: unknown call {other:?}")),
            };
            out.check(id, expect, &actual);
        }
    }
    // The is_enabled and handle checks are extra comparisons, not extra cases.
    let evaluate_cases = groups
        .iter()
        .flat_map(|g| g["cases"].as_array().map(Vec::as_slice).unwrap_or_default())
        .filter(|c| c["call"] == json!("evaluate"))
        .count();
    out.replayed -= HANDLE_CHECKS * evaluate_cases;
    Ok(out)
}

/// The comparisons [`check_handle`] and the `is_enabled` by key add to each `evaluate` case.
const HANDLE_CHECKS: usize = 4;

/// A flag handle answers an `evaluate` case as the by-key calls do: the same evaluation,
/// `is_enabled` true exactly for a served `true`, and the served variant's position.
fn check_handle(
    out: &mut Outcome,
    id: &str,
    handle: &FlagHandle<&Store>,
    ctx: &Context,
    at: At,
    expect: &Value,
    by_key: &Evaluation<'_>,
) {
    out.check(
        format_args!("{id} (handle evaluate)"),
        expect,
        &handle.evaluate_at(ctx, at, details),
    );
    let enabled = expect["reason"] != json!("ERROR") && expect["value"] == json!(true);
    out.check(
        format_args!("{id} (handle is_enabled)"),
        &json!(enabled),
        &json!(handle.is_enabled_at(ctx, at)),
    );
    out.check(
        format_args!("{id} (handle variant_index)"),
        &json!(by_key.variant_index),
        &json!(handle.variant_index_at(ctx, at).map(|(i, _)| i)),
    );
}

fn with_value(mut details: Value, value: Value) -> Value {
    details["value"] = value;
    details
}

fn problems(list: &[Problem]) -> Value {
    Value::Array(
        list.iter()
            .map(|p| json!({ "code": p.code.as_str(), "path": p.path }))
            .collect(),
    )
}

fn replay_validations(name: &str, doc: &Value) -> Result<Outcome, String> {
    let cases = doc["cases"]
        .as_array()
        .ok_or_else(|| format!("{name}: no cases"))?;
    let mut out = Outcome::default();
    for case in cases {
        let id = case["id"].as_str().unwrap_or("?");
        let text = case["config"]
            .as_str()
            .ok_or_else(|| format!("{name}: {id}: no config text"))?;
        let limits = match case["maxBytes"].as_u64() {
            Some(n) => Limits {
                max_bytes: n as usize,
            },
            None => Limits::default(),
        };
        // Through a store, as a service would load it: create from a valid config, then update.
        let store = Store::from_json_with_options(
            r#"{"schemaVersion": 1, "flags": {}}"#,
            StoreOptions {
                limits,
                ..StoreOptions::default()
            },
        )
        .map_err(|e| format!("{name}: {id}: the empty config was refused: {e}"))?;
        let actual = match store.update(text) {
            Ok(update) => {
                json!({ "valid": true, "errors": [], "warnings": problems(&update.warnings) })
            }
            Err(ConfigError::Invalid(report)) => {
                json!({ "valid": false, "errors": problems(&report.errors), "warnings": problems(&report.warnings) })
            }
            Err(other) => {
                json!({ "valid": false, "errors": problems(&other.problems()), "warnings": [] })
            }
        };
        let expected = json!({ "valid": case["valid"], "errors": case["errors"], "warnings": case["warnings"] });
        out.check(id, &expected, &actual);
        // And Config::validate (what `flagcore validate` prints) agrees, unless a limit is set.
        if case["maxBytes"].is_null() {
            let report = Config::validate(text);
            let validated = json!({ "valid": !report.has_errors(), "errors": problems(&report.errors), "warnings": problems(&report.warnings) });
            if !same(&expected, &validated) {
                out.mismatches.push(format!(
                    "{id} (Config::validate): expected {expected}, got {validated}"
                ));
            }
        }
    }
    Ok(out)
}
