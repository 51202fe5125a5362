//! The fuzz targets' bodies, shared by `fuzz/` (cargo-fuzz / libFuzzer) and by the
//! regression test that replays the committed corpus and crashers on `cargo test`.
//!
//! A target reports a broken invariant by panicking: that is how libFuzzer learns of it.
#![allow(clippy::panic)]

use flagcore::{At, Config, ConfigError, Context, Evaluation, Override, Reason, Store, BUCKETS};

/// Configs the `evaluate` target picks from (its first input byte chooses).
const CONFIGS: &[&str] = &[
    include_str!("bin/gen-vectors/speech-migration.json"),
    include_str!("fuzz-config.json"),
];

/// Attribute names the `evaluate` target sets (the ones its configs test), so the fuzzer
/// reaches the rules instead of inventing names.
const NAMES: &[&str] = &[
    "key",
    "email",
    "appVersion",
    "platform",
    "country",
    "seats",
    "beta",
    "plan",
    "signupAt",
    "accountId",
    "deviceId",
    "name",
    "score",
    "company",
];

/// Config parsing, validation and compilation: any input, no panic; `validate` and
/// `from_json` agree; every problem has a JSON path; a config that loads evaluates every
/// flag for a few contexts without breaking the evaluation invariants.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        // Bytes that are not UTF-8 are explained, with where the first bad byte is.
        let report = Config::validate_slice(data);
        let codes: Vec<&str> = report.problems().map(|p| p.code.as_str()).collect();
        let expected: &[&str] = if data.len() > flagcore::Limits::default().max_bytes {
            &["too_large"]
        } else {
            &["invalid_utf8"]
        };
        assert_eq!(codes, expected, "bytes that are not UTF-8");
        return;
    };
    let report = Config::validate(text);
    for p in report.problems() {
        assert!(p.path.starts_with('$'), "problem without a JSON path: {p}");
    }
    match Config::from_json(text) {
        Ok(config) => {
            assert!(
                !report.has_errors(),
                "validate() found errors in a config that loads: {report}"
            );
            // Never At::Now: a fuzz input must evaluate the same on every run.
            let contexts = [
                (Context::new("user-1"), At::Unset),
                (Context::anonymous(), At::Unset),
                (
                    Context::new("user-2")
                        .with("email", "a@company.example")
                        .with("appVersion", "2.3.0")
                        .with("seats", 10),
                    At::Millis(1_795_305_600_000),
                ),
            ];
            let keys: Vec<String> = config.flags().map(|f| f.key().to_owned()).collect();
            for (ctx, at) in &contexts {
                check_all(&config, &keys, ctx, *at);
            }
        }
        Err(ConfigError::Invalid(r)) => {
            assert!(r.has_errors(), "refused without an error");
            assert_eq!(r, report);
        }
        Err(e) => assert!(!e.problems().is_empty(), "refused without a problem: {e}"),
    }
}

fn check_one(flag: &str, e: &Evaluation<'_>, exists: bool) {
    assert_eq!(e.flag_key, flag);
    assert_eq!(
        e.reason == Reason::Error,
        e.error.is_some(),
        "{flag}: reason {:?} with error {:?}",
        e.reason,
        e.error
    );
    assert_eq!(
        e.variant.is_some(),
        exists,
        "{flag}: variant {:?}",
        e.variant
    );
    assert_eq!(e.value.is_some(), exists);
    if let Some(b) = e.bucket {
        assert!(b < BUCKETS, "{flag}: bucket {b}");
    }
    if e.prerequisite.is_some() {
        assert_eq!(e.reason, Reason::PrerequisiteFailed);
    }
    if e.rule_id.is_some() {
        assert!(e.rule_index.is_some());
    }
}

fn check_all(config: &Config, keys: &[String], ctx: &Context, at: At) {
    let config = config.at(at);
    let all: Vec<Evaluation<'_>> = config.evaluate_all(ctx).collect();
    assert_eq!(all.len(), keys.len());
    for (key, from_all) in keys.iter().zip(&all) {
        let e = config.evaluate(key, ctx);
        check_one(key, &e, true);
        assert_eq!(&e, from_all, "evaluate and evaluate_all disagree on {key}");
        assert_eq!(e, config.evaluate(key, ctx), "{key}: not deterministic");
    }
    check_one(
        "\u{0}no such flag",
        &config.evaluate("\u{0}no such flag", ctx),
        false,
    );
}

/// Reads the fuzzer's bytes as a little program that builds a context.
struct Reader<'a> {
    data: &'a [u8],
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.data.split_first()?;
        self.data = rest;
        Some(b)
    }
    fn bytes8(&mut self) -> Option<[u8; 8]> {
        let head = self.data.get(..8)?;
        let mut out = [0u8; 8];
        out.copy_from_slice(head);
        self.data = &self.data[8..];
        Some(out)
    }
    fn string(&mut self) -> Option<String> {
        let len = usize::from(self.byte()? % 64).min(self.data.len());
        let (s, rest) = self.data.split_at(len);
        self.data = rest;
        Some(String::from_utf8_lossy(s).into_owned())
    }
    fn name(&mut self) -> Option<String> {
        let b = self.byte()?;
        match NAMES.get(usize::from(b)) {
            Some(n) => Some((*n).to_owned()),
            None => self.string(),
        }
    }
}

/// Evaluation with arbitrary contexts: the first byte picks a built-in config (or, when it
/// is 0xFF, the bytes up to the first 0x00 are the config); the rest builds a context
/// (keys, string / number / boolean attributes incl. NaN and infinities, times). Every
/// flag is evaluated, with and without overrides, and through the typed getters.
pub fn evaluate(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let (config_text, rest) = if first == 0xFF {
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        let Ok(text) = std::str::from_utf8(&rest[..end]) else {
            return;
        };
        (text, rest.get(end + 1..).unwrap_or_default())
    } else {
        (CONFIGS[usize::from(first) % CONFIGS.len()], rest)
    };
    let Ok(store) = Store::from_json(config_text) else {
        return;
    };
    let mut ctx = Context::anonymous();
    // No time unless the input gives one (never now: runs must be reproducible).
    let mut at = At::Unset;
    let mut r = Reader { data: rest };
    let mut overrides = Vec::new();
    while let Some(op) = r.byte() {
        let done = match op % 8 {
            0 => r.string().map(|s| ctx.set_key(s)),
            1 => r.name().zip(r.string()).map(|(n, v)| ctx.set(n, v)),
            2 => r
                .name()
                .zip(r.bytes8())
                .map(|(n, b)| ctx.set(n, f64::from_le_bytes(b))),
            3 => r.name().zip(r.byte()).map(|(n, b)| ctx.set(n, b % 2 == 1)),
            4 => r.bytes8().map(|b| at = At::Millis(i64::from_le_bytes(b))),
            5 => r.name().map(|n| {
                ctx.remove(&n);
            }),
            6 => r.byte().map(|b| overrides.push(b)),
            _ => r
                .name()
                .zip(r.byte())
                .map(|(n, b)| ctx.set(n, f64::from(b) - 64.0)),
        };
        if done.is_none() {
            break;
        }
    }
    if let Some(json) = context_json(&ctx) {
        // A context that went through JSON evaluates the same.
        let back = Context::from_json(&json)
            .unwrap_or_else(|e| panic!("context JSON {json} refused: {e}"));
        let config = store.config();
        for f in config.flags() {
            assert_eq!(
                config.at(at).evaluate(f.key(), &ctx),
                config.at(at).evaluate(f.key(), &back),
                "{json}"
            );
        }
    }
    let config = store.config();
    let keys: Vec<String> = config.flags().map(|f| f.key().to_owned()).collect();
    check_all(&config, &keys, &ctx, at);
    // Overrides: the chosen flags serve their off variant (kill) or a variant, reason OVERRIDE.
    for b in overrides {
        let Some(key) = keys.get(usize::from(b) % keys.len().max(1)) else {
            continue;
        };
        let forced = if b % 2 == 0 {
            Override::Kill
        } else {
            match config
                .flag(key)
                .and_then(|f| f.variants().next().map(|(n, _)| n.to_owned()))
            {
                Some(v) => Override::Variant(v),
                None => Override::Kill,
            }
        };
        store
            .set_override(key, forced)
            .unwrap_or_else(|e| panic!("override of {key} refused: {e}"));
        let snapshot = store.snapshot();
        let e = snapshot.at(at).evaluate(key, &ctx);
        assert_eq!(e.reason, Reason::Override, "{key}");
        check_one(key, &e, true);
    }
    let snapshot = store.snapshot();
    let snap = snapshot.at(at);
    let json_default = serde_json::Value::Null;
    for key in &keys {
        let e = snap.evaluate(key, &ctx);
        check_one(key, &e, true);
        let typed = [
            snap.bool_value(key, &ctx, false).evaluation,
            snap.string_value(key, &ctx, "").evaluation,
            snap.number_value(key, &ctx, 0.0).evaluation,
            snap.json_value(key, &ctx, &json_default).evaluation,
        ];
        // Exactly one getter matches a flag's type unless the evaluation itself failed.
        let ok = typed.iter().filter(|t| !t.is_error()).count();
        assert_eq!(
            ok,
            usize::from(!e.is_error()),
            "{key}: {ok} typed getters succeeded for {e:?}"
        );
    }
}

/// The context as JSON, when it has one (numbers that JSON cannot carry have none).
fn context_json(ctx: &Context) -> Option<String> {
    let mut map = serde_json::Map::new();
    if let Some(k) = ctx.key() {
        map.insert("key".into(), k.into());
    }
    for (name, value) in ctx.attributes() {
        let v = match value {
            flagcore::AttributeValue::String(s) => serde_json::Value::from(s.as_str()),
            // Only integers: serde_json's default float parsing may differ by one ULP.
            flagcore::AttributeValue::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => {
                serde_json::Value::from(*n as i64)
            }
            flagcore::AttributeValue::Number(_) => return None,
            flagcore::AttributeValue::Bool(b) => serde_json::Value::from(*b),
            // Lists are not generated by this target.
            _ => return None,
        };
        if name == "key" {
            return None;
        }
        map.insert(name.to_owned(), v);
    }
    Some(serde_json::Value::Object(map).to_string())
}
