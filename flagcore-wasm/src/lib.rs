//! # flagcore-wasm
//!
//! The WebAssembly skin of [`flagcore`]: what the npm package `flagcore-wasm` calls. It is
//! deliberately thin. Every decision (parsing, validation, bucketing, evaluation, the store)
//! is the core's; this crate only moves contexts in and results out.
//!
//! JavaScript users never see these bindings directly: `js/flagcore.js` wraps them in the
//! documented `FlagStore` class (plain-object contexts, `Error` subclasses, parsed results),
//! and `js/flagcore.d.ts` types it. See `README.md` for the package.
//!
//! How a call crosses the boundary: the JS wrapper writes the context into the engine's
//! reusable [`Context`] (`resetContext`, then one `set*` call per attribute) only when it
//! differs from the one written last, then asks for one answer in one call that also
//! carries the evaluation time. Scalars come back as scalars; `evaluateAll` comes back as
//! numbers in the WASM memory (`evaluateAllRows`: codes, and addresses of the config's
//! strings, which the wrapper reads once per revision); other structured results
//! (`evaluate` as a flat row, update reports, errors) come back as JSON text that the
//! wrapper parses.
//! Failures are thrown as that JSON text and rethrown by the wrapper as
//! `FlagcoreConfigError` / `FlagcoreStoreError`.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod output;

/// The allocator of the `.wasm`: talc instead of std's dlmalloc (see Cargo.toml).
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

use std::sync::Arc;

use flagcore::{
    At, AttributeValue, Context, FlagHandle, Override, Store, StoreOptions, MAX_CONTEXT_ATTRIBUTES,
};
use wasm_bindgen::prelude::*;

/// A flag store plus the context the next evaluation uses.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Engine {
    store: Arc<Store>,
    /// The flags JS resolved once (`flagId`): JS keeps each key's id, so per call only a
    /// number crosses instead of the key's UTF-8.
    flags: Vec<FlagHandle<Arc<Store>>>,
    ctx: Context,
    /// The evaluation time of the call being made (set by each call: the wrapper passes
    /// `Date.now()` when the caller gave none, `NaN` for an explicit "no time").
    time: At,
    out: Vec<u8>,
    /// `evaluateAll`'s answer: a header (revision, flag count) and one row of
    /// [`output::ROW_WORDS`] words per flag, read by JS from the WASM memory.
    rows: Vec<u32>,
    /// The list attribute being built (`listString` / `listNumber`, then `setList`).
    list: Vec<AttributeValue>,
}

fn thrown(json: String) -> JsValue {
    JsValue::from_str(&json)
}

impl Engine {
    /// Loads a config (UTF-8 bytes: anything else is an `invalid_utf8` problem); the error
    /// is the JSON text described in [`output::config_error`].
    pub fn load(config: &[u8]) -> Result<Engine, String> {
        let store = Store::from_slice_with_options(config, StoreOptions::default())
            .map_err(|e| output::config_error(&e))?;
        Ok(Engine {
            store: Arc::new(store),
            flags: Vec::new(),
            ctx: Context::anonymous(),
            time: At::Unset,
            out: Vec::with_capacity(1024),
            rows: Vec::new(),
            list: Vec::new(),
        })
    }

    /// The evaluation context the next call uses.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    fn out_string(&self) -> String {
        output::to_string(&self.out)
    }

    /// `evaluate` as a JSON array: one row (see [`output::evaluation_row`]).
    pub fn evaluate_json(&mut self, flag: &str) -> String {
        let snapshot = self.store.snapshot();
        let e = snapshot.at(self.time).evaluate(flag, &self.ctx);
        self.out.clear();
        self.out.push(b'[');
        output::evaluation_row(&mut self.out, &e);
        self.out.push(b']');
        self.out_string()
    }

    /// Every evaluation as a JSON array of rows, in config order (what `evaluateAllRows`
    /// answers, as text: the tests' reference).
    pub fn evaluate_all_json(&mut self) -> String {
        let snapshot = self.store.snapshot();
        self.out.clear();
        output::evaluation_rows(
            &mut self.out,
            snapshot.at(self.time).evaluate_all(&self.ctx),
        );
        self.out_string()
    }

    /// `update` as JSON text, or the error as JSON text.
    pub fn update_json(&mut self, config: &[u8]) -> Result<String, String> {
        let update = self
            .store
            .update_slice(config)
            .map_err(|e| output::config_error(&e))?;
        self.out.clear();
        output::update(&mut self.out, update.revision, &update.warnings);
        Ok(self.out_string())
    }

    /// Adds an attribute to the context: one non-generic function behind the three `set*`
    /// exports, so the `.wasm` holds one copy of `Context::set`.
    #[inline(never)]
    fn set_attribute(&mut self, name: &str, value: AttributeValue) {
        self.ctx.set(name, value);
    }

    /// Sets an override; `variant` `None` is the kill switch.
    pub fn set_override_to(&self, flag: &str, variant: Option<String>) -> Result<(), String> {
        let value = match variant {
            Some(v) => Override::Variant(v),
            None => Override::Kill,
        };
        self.store
            .set_override(flag, value)
            .map_err(|e| output::store_error(&e))
    }
}

#[wasm_bindgen]
impl Engine {
    /// Parses, validates and compiles `config` (JSON text as UTF-8 bytes: the wrapper passes
    /// a `Uint8Array` as given, so bytes that are not UTF-8 get the core's `invalid_utf8`
    /// problem). Throws the problems as JSON text.
    #[wasm_bindgen(constructor)]
    pub fn new(config: &[u8]) -> Result<Engine, JsValue> {
        Engine::load(config).map_err(thrown)
    }

    /// Sets the evaluation time of this call: Unix milliseconds, `NaN` for none.
    fn at(&mut self, at: f64) {
        self.time = if at.is_finite() {
            At::Millis(at.trunc() as i64)
        } else {
            At::Unset
        };
    }

    /// Starts a new context with this targeting key (`undefined` for none) and no
    /// attributes. Every evaluation call passes its own time.
    #[wasm_bindgen(js_name = resetContext)]
    pub fn reset_context(&mut self, key: Option<String>) {
        self.ctx.clear();
        if let Some(key) = key {
            self.ctx.set_key(key);
        }
    }

    /// Adds a string attribute to the context.
    #[wasm_bindgen(js_name = setString)]
    pub fn set_string(&mut self, name: &str, value: String) {
        self.set_attribute(name, AttributeValue::String(value));
    }

    /// Adds a number attribute to the context.
    #[wasm_bindgen(js_name = setNumber)]
    pub fn set_number(&mut self, name: &str, value: f64) {
        self.set_attribute(name, AttributeValue::Number(value));
    }

    /// Adds a boolean attribute to the context.
    #[wasm_bindgen(js_name = setBool)]
    pub fn set_bool(&mut self, name: &str, value: bool) {
        self.set_attribute(name, AttributeValue::Bool(value));
    }

    /// Appends a string to the list attribute being built.
    #[wasm_bindgen(js_name = listString)]
    pub fn list_string(&mut self, value: String) {
        self.list.push(AttributeValue::String(value));
    }

    /// Appends a number to the list attribute being built.
    #[wasm_bindgen(js_name = listNumber)]
    pub fn list_number(&mut self, value: f64) {
        self.list.push(AttributeValue::Number(value));
    }

    /// Adds the list built by `listString` / `listNumber` as attribute `name` (the
    /// wrapper checks its items and length first).
    #[wasm_bindgen(js_name = setList)]
    pub fn set_list(&mut self, name: &str) {
        let list = std::mem::take(&mut self.list);
        self.set_attribute(name, AttributeValue::List(list));
    }

    /// Whether `flag` serves `true` at time `at` (false on any error or for non-boolean
    /// flags).
    #[wasm_bindgen(js_name = isEnabled)]
    pub fn is_enabled(&mut self, flag: &str, at: f64) -> bool {
        self.at(at);
        let ctx = &self.ctx;
        self.store.snapshot().at(self.time).is_enabled(flag, ctx)
    }

    /// The position of the variant served among the flag's variants (config order), -1
    /// for an unknown flag: `variant` without moving a string out of WASM (the JS wrapper
    /// keeps each flag's names, from [`Engine::variant_names`], until the config changes).
    #[wasm_bindgen(js_name = variantIndex)]
    pub fn variant_index(&mut self, flag: &str, at: f64) -> i32 {
        self.at(at);
        let ctx = &self.ctx;
        let index = self.store.snapshot().at(self.time).variant_index(flag, ctx);
        index.and_then(|i| i32::try_from(i).ok()).unwrap_or(-1)
    }

    /// The names of `flag`'s variants in config order, as a JSON array (`undefined` for an
    /// unknown flag).
    /// A handle on the flag `key` (which need not exist yet): its id for the `*Id` calls.
    #[wasm_bindgen(js_name = flagId)]
    pub fn flag_id(&mut self, key: &str) -> u32 {
        self.flags
            .push(FlagHandle::new(Arc::clone(&self.store), key));
        u32::try_from(self.flags.len() - 1).unwrap_or(u32::MAX)
    }

    /// `isEnabled` of the flag `flagId` returned `id` for.
    #[wasm_bindgen(js_name = isEnabledId)]
    pub fn is_enabled_id(&mut self, id: u32, at: f64) -> bool {
        self.at(at);
        let Some(flag) = self.flags.get(id as usize) else {
            return false;
        };
        flag.is_enabled_at(&self.ctx, self.time)
    }

    /// `variantIndex` of the flag `flagId` returned `id` for.
    #[wasm_bindgen(js_name = variantIndexId)]
    pub fn variant_index_id(&mut self, id: u32, at: f64) -> i32 {
        self.at(at);
        let index = self
            .flags
            .get(id as usize)
            .and_then(|flag| flag.variant_index_at(&self.ctx, self.time));
        index.and_then(|(i, _)| i32::try_from(i).ok()).unwrap_or(-1)
    }

    /// `evaluate` of the flag `flagId` returned `id` for (an unknown id: an empty row list).
    #[wasm_bindgen(js_name = evaluateId)]
    pub fn evaluate_id(&mut self, id: u32, at: f64) -> String {
        self.at(at);
        let Engine {
            flags,
            ctx,
            time,
            out,
            ..
        } = self;
        out.clear();
        out.push(b'[');
        if let Some(flag) = flags.get(id as usize) {
            flag.evaluate_at(ctx, *time, |e| output::evaluation_row(out, e));
        }
        out.push(b']');
        self.out_string()
    }

    #[wasm_bindgen(js_name = variantNames)]
    pub fn variant_names(&self, flag: &str) -> Option<String> {
        let snapshot = self.store.snapshot();
        let info = snapshot.config().flag(flag)?;
        let mut out = Vec::with_capacity(64);
        output::array(&mut out, info.variants(), |out, (name, _)| {
            output::string(out, name)
        });
        Some(output::into_string(out))
    }

    /// A boolean flag's value, or `default` on error or type mismatch.
    #[wasm_bindgen(js_name = getBoolean)]
    pub fn get_boolean(&mut self, flag: &str, default: bool, at: f64) -> bool {
        self.at(at);
        let ctx = &self.ctx;
        self.store
            .snapshot()
            .at(self.time)
            .bool_value(flag, ctx, default)
            .value
    }

    /// A string flag's value, `undefined` on error or type mismatch.
    #[wasm_bindgen(js_name = getString)]
    pub fn get_string(&mut self, flag: &str, at: f64) -> Option<String> {
        self.at(at);
        let ctx = &self.ctx;
        let snapshot = self.store.snapshot();
        let r = snapshot.at(self.time).string_value(flag, ctx, "");
        (!r.evaluation.is_error()).then(|| r.value.to_owned())
    }

    /// A number flag's value, `undefined` on error or type mismatch.
    #[wasm_bindgen(js_name = getNumber)]
    pub fn get_number(&mut self, flag: &str, at: f64) -> Option<f64> {
        self.at(at);
        let ctx = &self.ctx;
        let snapshot = self.store.snapshot();
        let r = snapshot.at(self.time).number_value(flag, ctx, 0.0);
        (!r.evaluation.is_error()).then_some(r.value)
    }

    /// A JSON flag's value as JSON text, `undefined` on error or type mismatch.
    #[wasm_bindgen(js_name = getJson)]
    pub fn get_json(&mut self, flag: &str, at: f64) -> Option<String> {
        self.at(at);
        let ctx = &self.ctx;
        let snapshot = self.store.snapshot();
        let r = snapshot.at(self.time).json_text(flag, ctx, "null");
        if r.evaluation.is_error() {
            return None;
        }
        r.evaluation.value_json.map(str::to_owned)
    }

    /// The full evaluation as JSON text: one row (see [`output::evaluation_row`]).
    pub fn evaluate(&mut self, flag: &str, at: f64) -> String {
        self.at(at);
        self.evaluate_json(flag)
    }

    /// Every flag's evaluation, in config order, as words in the WASM memory: returns the
    /// address of `[revision (low 32 bits), revision (high), flag count, rows...]` (see
    /// [`output::evaluation_words`]), valid until the next call on this engine.
    #[wasm_bindgen(js_name = evaluateAllRows)]
    pub fn evaluate_all_rows(&mut self, at: f64) -> u32 {
        self.at(at);
        let snapshot = self.store.snapshot();
        let revision = snapshot.revision();
        let all = snapshot.at(self.time).evaluate_all(&self.ctx);
        self.rows.clear();
        self.rows
            .extend_from_slice(&[revision as u32, (revision >> 32) as u32, all.len() as u32]);
        for e in all {
            output::evaluation_words(&mut self.rows, &e);
        }
        self.rows.as_ptr() as usize as u32
    }

    /// Swaps in a new config; returns `{"revision", "warnings"}` as JSON text or throws
    /// the problems. On error the previous config keeps serving.
    pub fn update(&mut self, config: &[u8]) -> Result<String, JsValue> {
        self.update_json(config).map_err(thrown)
    }

    /// Goes back to the previous config; returns the revision now serving.
    pub fn rollback(&self) -> Result<f64, JsValue> {
        self.store
            .rollback()
            .map(|r| r as f64)
            .map_err(|e| thrown(output::store_error(&e)))
    }

    /// The revision serving now.
    #[wasm_bindgen(getter)]
    pub fn revision(&self) -> f64 {
        self.store.revision() as f64
    }

    /// The warnings of the config serving now, as JSON text.
    #[wasm_bindgen(getter)]
    pub fn warnings(&mut self) -> String {
        let config = self.store.config();
        self.out.clear();
        output::problems(&mut self.out, config.warnings());
        self.out_string()
    }

    /// Serves the flag's off variant to everyone until cleared.
    #[wasm_bindgen(js_name = setKill)]
    pub fn set_kill(&self, flag: &str) -> Result<(), JsValue> {
        self.set_override_to(flag, None).map_err(thrown)
    }

    /// Serves `variant` to everyone until cleared.
    #[wasm_bindgen(js_name = setVariant)]
    pub fn set_variant(&self, flag: &str, variant: String) -> Result<(), JsValue> {
        self.set_override_to(flag, Some(variant)).map_err(thrown)
    }

    #[cfg(feature = "plans")]
    /// Decides the rollout plan of `flag` (see `docs/rollouts.md`): `input` is the plan
    /// input as JSON text, `now` the decision time in Unix ms (`NaN`: the input's own
    /// `now`). Returns the outcome as JSON text, or throws the failure as JSON text.
    #[wasm_bindgen(js_name = decidePlan)]
    pub fn decide_plan(&self, flag: &str, input: &str, now: f64) -> Result<String, JsValue> {
        let now = now.is_finite().then_some(now as i64);
        flagcore::plan::decide_json(&self.store.config(), flag, input, now)
            .map_err(|e| thrown(output::plan_error(&e)))
    }

    #[cfg(feature = "plans")]
    /// Applies a decision (the JSON `decidePlan` returned): ADVANCE serves the next
    /// stage's percentage as a new revision, ROLL_BACK kills the flag, HOLD changes
    /// nothing. Returns the revision serving afterwards.
    #[wasm_bindgen(js_name = applyDecision)]
    pub fn apply_decision(&self, flag: &str, decision: &str) -> Result<f64, JsValue> {
        self.store
            .apply_decision_json(flag, decision)
            .map(|r| r as f64)
            .map_err(|e| thrown(output::plan_error(&e)))
    }

    /// Clears the override of `flag`; returns whether there was one.
    #[wasm_bindgen(js_name = clearOverride)]
    pub fn clear_override(&self, flag: &str) -> bool {
        self.store.clear_override(flag)
    }
}

/// The bucket (`0..100000`) of `value` for a flag salted with `salt` (hash version 1).
#[wasm_bindgen]
pub fn bucket(salt: &str, value: &str) -> u32 {
    flagcore::bucket(salt, value)
}

/// The crate version (the npm package has the same version).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// The most attributes a context may carry.
#[wasm_bindgen(js_name = maxContextAttributes)]
pub fn max_context_attributes() -> u32 {
    u32::try_from(MAX_CONTEXT_ATTRIBUTES).unwrap_or(u32::MAX)
}

/// The most items a list attribute may hold.
#[wasm_bindgen(js_name = maxListItems)]
pub fn max_list_items() -> u32 {
    u32::try_from(flagcore::MAX_LIST_ITEMS).unwrap_or(u32::MAX)
}

/// The size of the WASM linear memory in bytes (it only grows; for leak tests and
/// diagnostics).
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        (core::arch::wasm32::memory_size(0) as f64) * 65536.0
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../examples/speech-migration.json");

    fn parse(text: &str) -> serde_json::Value {
        serde_json::from_str(text).unwrap()
    }

    /// Rows (see `output::evaluation_row`) as the objects the JS wrapper builds from them.
    fn objects(rows: &str) -> Vec<serde_json::Value> {
        let rows = parse(rows);
        let values = rows.as_array().unwrap();
        assert_eq!(values.len() % output::ROW_FIELDS.len(), 0);
        values
            .chunks(output::ROW_FIELDS.len())
            .map(|row| {
                let fields = output::ROW_FIELDS.iter().map(|f| (*f).to_owned());
                serde_json::Value::Object(fields.zip(row.iter().cloned()).collect())
            })
            .collect()
    }

    fn engine_for(key: Option<&str>, at: f64, attrs: &[(&str, &str)]) -> Engine {
        let mut engine = Engine::load(EXAMPLE.as_bytes()).unwrap();
        engine.reset_context(key.map(str::to_owned));
        engine.at(at);
        for (name, value) in attrs {
            engine.set_string(name, (*value).to_owned());
        }
        engine
    }

    /// A test context: key, evaluation time, string attributes.
    type TestContext<'a> = (Option<&'a str>, f64, Vec<(&'a str, &'a str)>);

    /// Contexts that reach every kind of answer of the example config.
    fn test_contexts() -> Vec<TestContext<'static>> {
        vec![
            (
                Some("user-1"),
                1_795_305_600_000.0,
                vec![("appVersion", "2.4.0")],
            ),
            (Some("user-2"), f64::NAN, vec![]),
            (None, 1_795_305_600_000.0, vec![]),
            (
                Some("user-qa-001"),
                1_795_305_600_000.0,
                vec![("platform", "ios-web")],
            ),
            (
                Some("u\"quoted\\\u{1}é"),
                1_795_305_600_000.0,
                vec![("appVersion", "2.2.0")],
            ),
        ]
    }

    #[test]
    fn evaluation_json_matches_the_core_details() {
        let contexts = test_contexts();
        for (key, at, attrs) in contexts {
            let mut engine = engine_for(key, at, &attrs);
            let all = objects(&engine.evaluate_all_json());
            let snapshot = engine.store.snapshot();
            let mut n = 0;
            for (i, e) in snapshot
                .at(engine.time)
                .evaluate_all(engine.context())
                .enumerate()
            {
                let want = serde_json::to_value(e.to_details()).unwrap();
                assert_eq!(all[i], want, "{key:?} {}", e.flag_key);
                n += 1;
            }
            assert_eq!(all.len(), n);
            drop(snapshot);
            for flag in ["speechmatics-direct", "speech-backend-ab", "nope"] {
                let want = serde_json::to_value(
                    engine
                        .store
                        .snapshot()
                        .at(engine.time)
                        .evaluate(flag, engine.context())
                        .to_details(),
                )
                .unwrap();
                assert_eq!(objects(&engine.evaluate_json(flag)), [want]);
            }
        }
    }

    #[test]
    fn config_errors_carry_every_problem_with_its_path() {
        let bad = r#"{"schemaVersion": 1, "flags": {"a": {"enabled": "yes"}, "b": {"enabled": true, "default": {"variant": "nope"}}}}"#;
        let err = parse(&Engine::load(bad.as_bytes()).unwrap_err());
        assert_eq!(err["kind"], "config");
        let problems = err["problems"].as_array().unwrap();
        assert!(problems.len() >= 2, "{problems:?}");
        let paths: Vec<&str> = problems
            .iter()
            .map(|p| p["path"].as_str().unwrap())
            .collect();
        assert!(
            paths.iter().any(|p| p.contains("flags.a.enabled")),
            "{paths:?}"
        );
        assert!(
            paths.iter().any(|p| p.contains("flags.b.default")),
            "{paths:?}"
        );
        let syntax = parse(&Engine::load(b"{").unwrap_err());
        assert_eq!(syntax["problems"][0]["code"], "json_syntax");
    }

    #[test]
    fn update_rollback_and_overrides() {
        let mut engine = engine_for(Some("user-1"), 1_795_305_600_000.0, &[]);
        let up = parse(&engine.update_json(EXAMPLE.as_bytes()).unwrap());
        assert_eq!(up["revision"], 2);
        assert!(engine.update_json(b"[]").is_err());
        assert_eq!(engine.store.revision(), 2);
        engine
            .set_override_to("live-captions-ui", Some("on".into()))
            .unwrap();
        assert!(engine.is_enabled("live-captions-ui", 1_795_305_600_000.0));
        let err = parse(&engine.set_override_to("missing", None).unwrap_err());
        assert_eq!(err["code"], "UNKNOWN_FLAG");
        assert!(engine.clear_override("live-captions-ui"));
        assert!(!engine.is_enabled("live-captions-ui", 1_795_305_600_000.0));
    }

    #[test]
    fn strings_escape_as_json() {
        for s in ["", "plain", "quote\" back\\ nl\n tab\t ctl\u{1f} é 🚀"] {
            let mut out = Vec::new();
            output::string(&mut out, s);
            assert_eq!(serde_json::from_slice::<String>(&out).unwrap(), s);
        }
    }

    #[test]
    fn flag_ids_answer_as_keys_across_updates() {
        let mut engine = engine_for(
            Some("user-1"),
            1_795_305_600_000.0,
            &[("appVersion", "2.4.0")],
        );
        let keys = [
            "speechmatics-direct",
            "speech-backend-ab",
            "modal-fallback",
            "nope",
        ];
        let ids: Vec<u32> = keys.iter().map(|k| engine.flag_id(k)).collect();
        let check = |engine: &mut Engine| {
            for (key, id) in keys.iter().zip(&ids) {
                let at = 1_795_305_600_000.0;
                assert_eq!(
                    engine.is_enabled_id(*id, at),
                    engine.is_enabled(key, at),
                    "{key}"
                );
                assert_eq!(
                    engine.variant_index_id(*id, at),
                    engine.variant_index(key, at),
                    "{key}"
                );
                assert_eq!(
                    engine.evaluate_id(*id, at),
                    engine.evaluate(key, at),
                    "{key}"
                );
            }
        };
        check(&mut engine);
        engine
            .update_json(br#"{"schemaVersion": 1, "flags": {"nope": {"enabled": true, "default": {"variant": "on"}}}}"#)
            .unwrap();
        assert!(engine.is_enabled_id(ids[3], 0.0) && !engine.is_enabled_id(ids[0], 0.0));
        check(&mut engine);
        engine.store.rollback().unwrap();
        assert!(!engine.is_enabled_id(ids[3], 0.0));
        check(&mut engine);
        assert!(!engine.is_enabled_id(99, 0.0));
        assert_eq!(engine.variant_index_id(99, 0.0), -1);
        assert_eq!(engine.evaluate_id(99, 0.0), "[]");
    }

    #[test]
    fn evaluate_all_rows_carry_the_core_evaluations() {
        let contexts = test_contexts();
        let mut seen = [0; 4]; // rows with a rule index, a bucket, an error, a rule id
        for (key, at, attrs) in contexts {
            let mut engine = engine_for(key, 0.0, &attrs);
            engine.evaluate_all_rows(at);
            let rows = engine.rows.clone();
            let snapshot = engine.store.snapshot();
            assert_eq!(rows[..3], [1, 0, snapshot.config().len() as u32]);
            let len = |s: Option<&str>| s.map_or(0, |s| s.len() as u32);
            let plus_one = |n: Option<u32>| n.map_or(0, |n| n + 1);
            let all: Vec<_> = snapshot
                .at(engine.time)
                .evaluate_all(engine.context())
                .collect();
            assert_eq!(rows.len(), 3 + all.len() * output::ROW_WORDS);
            for (row, e) in rows[3..].chunks(output::ROW_WORDS).zip(&all) {
                let want = [
                    (row[1], e.flag_key.len() as u32),
                    (row[2], plus_one(e.variant_index)),
                    (row[4], len(e.variant)),
                    (row[6], len(e.value_json)),
                    (row[7], e.reason.code()),
                    (row[9], e.reason.as_str().len() as u32),
                    (row[10], e.error.map_or(0, |c| c.code())),
                    (row[12], len(e.error.map(|c| c.as_str()))),
                    (row[13], plus_one(e.rule_index)),
                    (row[15], len(e.rule_id)),
                    (row[16], plus_one(e.bucket)),
                    (row[18], len(e.prerequisite)),
                ];
                for (i, (got, want)) in want.into_iter().enumerate() {
                    assert_eq!(got, want, "flag {}, field {i}", e.flag_key);
                }
                // Addresses: 0 exactly for the absent strings.
                for (at, s) in [
                    (row[3], e.variant),
                    (row[5], e.value_json),
                    (row[14], e.rule_id),
                    (row[17], e.prerequisite),
                ] {
                    assert_eq!(at == 0, s.is_none(), "flag {}", e.flag_key);
                }
            }
            for e in &all {
                seen[0] += usize::from(e.rule_index.is_some());
                seen[1] += usize::from(e.bucket.is_some());
                seen[2] += usize::from(e.error.is_some());
                seen[3] += usize::from(e.rule_id.is_some());
            }
        }
        assert!(seen.iter().all(|&n| n > 0), "{seen:?}");
    }
}
