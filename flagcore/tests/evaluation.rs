//! Evaluation semantics: operators, rule order, segments, prerequisites, stages,
//! overrides, typed getters and errors.

mod common;

use common::{one_flag, EXAMPLE};
use flagcore::{At, Config, Context, ErrorCode, Override, Reason, Store, StoreError};

const T_WEEK1: i64 = 1_795_478_400_000; // 2026-11-24T00:00:00Z
const T_WEEK2: i64 = 1_796_083_200_000; // 2026-12-01T00:00:00Z
const T_WEEK3: i64 = 1_796_688_000_000; // 2026-12-08T00:00:00Z
const T_WEEK4: i64 = 1_797_292_800_000; // 2026-12-15T00:00:00Z

/// A boolean flag serving "on" when one condition holds, "off" otherwise.
fn cond_config(condition: &str) -> Config {
    let text = one_flag(
        &format!(
            r#"{{"enabled": true, "rules": [{{"conditions": [{condition}], "serve": {{"variant": "on"}}}}], "default": {{"variant": "off"}}}}"#
        ),
        "",
    );
    Config::from_json(&text).unwrap_or_else(|e| panic!("{condition}: {e}"))
}

#[track_caller]
fn check(condition: &str, ctx: &Context, expected: bool) {
    let config = cond_config(condition);
    let e = config.evaluate("f", ctx);
    assert_eq!(
        e.as_bool(),
        Some(expected),
        "{condition} with {ctx:?}: {e:?}"
    );
    // Every attribute in these cases is present with a usable type, so negation flips.
    let negated = condition.replacen('{', r#"{"negate": true, "#, 1);
    let config = cond_config(&negated);
    assert_eq!(
        config.evaluate("f", ctx).as_bool(),
        Some(!expected),
        "negated {condition}"
    );
}

fn user() -> Context {
    Context::new("user-1")
        .with("email", "ana@company.example")
        .with("country", "DE")
        .with("seats", 12)
        .with("ratio", 0.5)
        .with("beta", true)
        .with("appVersion", "2.3.0-rc.1")
        .with("signedUp", "2026-01-15T10:00:00Z")
        .with("lastSeen", 1_790_000_000_000i64)
}

#[test]
fn every_operator() {
    let u = user();
    check(
        r#"{"attribute": "country", "op": "equals", "value": "DE"}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "country", "op": "equals", "value": "de"}"#,
        &u,
        false,
    );
    check(
        r#"{"attribute": "country", "op": "in", "values": ["FR", "DE"]}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "country", "op": "notIn", "values": ["FR", "DE"]}"#,
        &u,
        false,
    );
    check(
        r#"{"attribute": "seats", "op": "in", "values": [10, 12]}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "beta", "op": "equals", "value": true}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "key", "op": "in", "values": ["user-1"]}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "email", "op": "startsWith", "values": ["bob", "ana@"]}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "email", "op": "endsWith", "value": "@company.example"}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "email", "op": "endsWith", "value": "@other.example"}"#,
        &u,
        false,
    );
    check(
        r#"{"attribute": "email", "op": "contains", "value": "@comp"}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "seats", "op": "lt", "value": 12}"#,
        &u,
        false,
    );
    check(
        r#"{"attribute": "seats", "op": "lte", "value": 12}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "seats", "op": "gt", "value": 11.5}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "ratio", "op": "gte", "value": 0.5}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "appVersion", "op": "semverLt", "value": "2.3.0"}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "appVersion", "op": "semverGte", "value": "2.3.0-beta"}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "appVersion", "op": "semverEq", "value": "2.3.0-rc.1"}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "appVersion", "op": "semverGt", "value": "2.3.0"}"#,
        &u,
        false,
    );
    check(
        r#"{"attribute": "appVersion", "op": "semverLte", "value": "2.2"}"#,
        &u,
        false,
    );
    check(
        r#"{"attribute": "signedUp", "op": "before", "value": "2026-02-01T00:00:00Z"}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "signedUp", "op": "after", "value": "2026-02-01T00:00:00+02:00"}"#,
        &u,
        false,
    );
    check(
        r#"{"attribute": "lastSeen", "op": "after", "value": 1789999999999}"#,
        &u,
        true,
    );
    check(r#"{"attribute": "email", "op": "exists"}"#, &u, true);
    check(r#"{"attribute": "phone", "op": "exists"}"#, &u, false);
}

#[test]
fn missing_or_mistyped_attributes_never_match_even_negated() {
    let anon = Context::new("user-2");
    for cond in [
        r#"{"attribute": "country", "op": "in", "values": ["DE"]}"#,
        r#"{"attribute": "country", "op": "in", "values": ["DE"], "negate": true}"#,
        r#"{"attribute": "country", "op": "notIn", "values": ["DE"]}"#,
        r#"{"attribute": "seats", "op": "gt", "value": 1, "negate": true}"#,
        r#"{"attribute": "appVersion", "op": "semverLt", "value": "9.0.0", "negate": true}"#,
    ] {
        let config = cond_config(cond);
        assert_eq!(
            config.evaluate("f", &anon).reason,
            Reason::Default,
            "{cond}"
        );
    }
    let bad_version = Context::new("u")
        .with("appVersion", "latest")
        .with("seats", "twelve")
        .with("plan", 12);
    for cond in [
        r#"{"attribute": "appVersion", "op": "semverLt", "value": "9.0.0"}"#,
        r#"{"attribute": "appVersion", "op": "semverLt", "value": "9.0.0", "negate": true}"#,
        r#"{"attribute": "seats", "op": "gte", "value": 1}"#,
        r#"{"attribute": "seats", "op": "gte", "value": 1, "negate": true}"#,
        // A wrong type never matches, negated or not (equals/in included).
        r#"{"attribute": "plan", "op": "in", "values": ["12"]}"#,
        r#"{"attribute": "plan", "op": "in", "values": ["12"], "negate": true}"#,
        r#"{"attribute": "plan", "op": "notIn", "values": ["12"]}"#,
        r#"{"attribute": "plan", "op": "startsWith", "value": "1", "negate": true}"#,
    ] {
        let config = cond_config(cond);
        assert_eq!(
            config.evaluate("f", &bad_version).reason,
            Reason::Default,
            "{cond}"
        );
    }
    let negated_exists = cond_config(r#"{"attribute": "phone", "op": "exists", "negate": true}"#);
    assert_eq!(negated_exists.evaluate("f", &anon).as_bool(), Some(true));
}

#[test]
fn rules_apply_in_order_and_all_conditions_must_hold() {
    let text = one_flag(
        r#"{"type": "string", "variants": {"a": "A", "b": "B", "c": "C"}, "offVariant": "c", "enabled": true,
            "rules": [
              {"id": "both", "conditions": [{"attribute": "x", "op": "exists"}, {"attribute": "y", "op": "exists"}], "serve": {"variant": "a"}},
              {"id": "x-only", "conditions": [{"attribute": "x", "op": "exists"}], "serve": {"variant": "b"}}
            ],
            "default": {"variant": "c"}}"#,
        "",
    );
    let config = Config::from_json(&text).unwrap();
    let both = Context::new("u").with("x", 1).with("y", 1);
    let e = config.evaluate("f", &both);
    assert_eq!(
        (e.variant, e.rule_index, e.rule_id),
        (Some("a"), Some(0), Some("both"))
    );
    let x = Context::new("u").with("x", 1);
    let e = config.evaluate("f", &x);
    assert_eq!(
        (e.variant, e.rule_index, e.rule_id),
        (Some("b"), Some(1), Some("x-only"))
    );
    let none = Context::new("u");
    let e = config.evaluate("f", &none);
    assert_eq!(
        (e.variant, e.reason, e.rule_index),
        (Some("c"), Reason::Default, None)
    );
}

#[test]
fn segments_keys_exclusions_and_rules() {
    let text = one_flag(
        r#"{"enabled": true, "rules": [{"conditions": [{"op": "inSegment", "values": ["staff", "orgs"]}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}"#,
        r#""staff": {"keys": ["u1", "u2"], "excluded": ["u3"], "rules": [{"conditions": [{"attribute": "email", "op": "endsWith", "value": "@corp.example"}]}]},
           "orgs": {"attribute": "orgId", "keys": ["org-9"]}"#,
    );
    let config = Config::from_json(&text).unwrap();
    let on = |ctx: Context| config.evaluate("f", &ctx).as_bool();
    assert_eq!(on(Context::new("u1")), Some(true));
    assert_eq!(on(Context::new("u9")), Some(false));
    assert_eq!(
        on(Context::new("u9").with("email", "x@corp.example")),
        Some(true)
    );
    assert_eq!(
        on(Context::new("u3").with("email", "x@corp.example")),
        Some(false),
        "excluded wins"
    );
    assert_eq!(on(Context::new("u9").with("orgId", "org-9")), Some(true));
}

#[test]
fn prerequisites_and_their_overrides() {
    let store = Store::from_json(EXAMPLE).unwrap();
    let internal = Context::new("user-qa-001").with("appVersion", "2.4.0");
    let legacy = Context::new("user-qa-001").with("appVersion", "2.2.0");
    let snapshot = store.snapshot();
    let snap = snapshot.at(T_WEEK1);
    let e = snap.evaluate("modal-fallback", &internal);
    assert_eq!((e.variant, e.reason), (Some("on"), Reason::Default));
    let e = snap.evaluate("modal-fallback", &legacy);
    assert_eq!(
        (e.variant, e.reason, e.prerequisite),
        (
            Some("off"),
            Reason::PrerequisiteFailed,
            Some("speechmatics-direct")
        )
    );
    drop(snapshot);

    // Killing the prerequisite kills the dependent flag too.
    store
        .set_override("speechmatics-direct", Override::Kill)
        .unwrap();
    let snapshot = store.snapshot();
    let snap = snapshot.at(T_WEEK1);
    assert_eq!(
        snap.evaluate("speechmatics-direct", &internal).reason,
        Reason::Override
    );
    assert_eq!(
        snap.evaluate("modal-fallback", &internal).reason,
        Reason::PrerequisiteFailed
    );
}

#[test]
fn staged_rollout_follows_the_callers_time() {
    let config = Config::from_json(EXAMPLE).unwrap();
    let share_at = |t: i64| {
        let mut on = 0;
        let mut ctx = Context::new("x").with("appVersion", "2.4.0");
        for i in 0..20_000 {
            ctx.set_key(format!("user-{i}"));
            if config.at(t).evaluate("speechmatics-direct", &ctx).as_bool() == Some(true) {
                on += 1;
            }
        }
        on as f64 / 20_000.0
    };
    let shares = [
        share_at(T_WEEK1),
        share_at(T_WEEK2),
        share_at(T_WEEK3),
        share_at(T_WEEK4),
    ];
    for (share, want) in shares.iter().zip([0.05, 0.25, 0.75, 1.0]) {
        assert!((share - want).abs() < 0.01, "{shares:?}");
    }
    // No time, no staged answer: an error, never a guess.
    let e = config.at(At::Unset).evaluate(
        "speechmatics-direct",
        &Context::new("user-5").with("appVersion", "2.4.0"),
    );
    assert_eq!(
        (e.reason, e.error),
        (Reason::Error, Some(ErrorCode::InvalidContext))
    );
}

#[test]
fn before_the_first_stage_rules_fall_through_and_default_serves_off() {
    let text = one_flag(
        r#"{"enabled": true,
            "rules": [{"conditions": [{"attribute": "beta", "op": "equals", "value": true}], "serve": {"stages": [{"from": 2000, "variant": "on"}]}}],
            "default": {"stages": [{"from": 1000, "variant": "on"}]}}"#,
        "",
    );
    let config = Config::from_json(&text).unwrap();
    let beta = Context::new("u").with("beta", true);
    let e = config.at(500).evaluate("f", &beta);
    assert_eq!((e.variant, e.reason), (Some("off"), Reason::Default));
    let e = config.at(1500).evaluate("f", &beta);
    assert_eq!((e.variant, e.reason), (Some("on"), Reason::Default));
    let e = config.at(2000).evaluate("f", &beta);
    assert_eq!(
        (e.variant, e.reason, e.rule_index),
        (Some("on"), Reason::TargetingMatch, Some(0))
    );
}

#[test]
fn kill_switch_force_override_and_clearing() {
    let store = Store::from_json(EXAMPLE).unwrap();
    let ctx = Context::new("user-qa-001").with("appVersion", "2.4.0");
    assert_eq!(
        store
            .snapshot()
            .at(T_WEEK1)
            .evaluate("speech-backend-ab", &ctx)
            .variant,
        Some("treatment")
    );
    store
        .set_override("speech-backend-ab", Override::Variant("control".into()))
        .unwrap();
    let snap = store.snapshot();
    let e = snap.at(T_WEEK1).evaluate("speech-backend-ab", &ctx);
    assert_eq!((e.variant, e.reason), (Some("control"), Reason::Override));
    drop(snap);
    assert!(matches!(
        store.set_override("speech-backend-ab", Override::Variant("nope".into())),
        Err(StoreError::UnknownVariant { .. })
    ));
    assert!(matches!(
        store.set_override("nope", Override::Kill),
        Err(StoreError::UnknownFlag(_))
    ));

    // Overrides survive a config update...
    store.update(EXAMPLE).unwrap();
    assert_eq!(
        store
            .snapshot()
            .at(T_WEEK1)
            .evaluate("speech-backend-ab", &ctx)
            .reason,
        Reason::Override
    );
    // ...until cleared.
    assert!(store.clear_override("speech-backend-ab"));
    assert!(!store.clear_override("speech-backend-ab"));
    assert_eq!(
        store
            .snapshot()
            .at(T_WEEK1)
            .evaluate("speech-backend-ab", &ctx)
            .variant,
        Some("treatment")
    );

    // The config's own switch.
    let off = Config::from_json(EXAMPLE).unwrap();
    let e = off.at(T_WEEK1).evaluate("live-captions-ui", &ctx);
    assert_eq!((e.as_bool(), e.reason), (Some(false), Reason::Off));
}

#[test]
fn typed_getters_fall_back_with_the_reason() {
    let store = Store::from_json(EXAMPLE).unwrap();
    let snapshot = store.snapshot();
    let snap = snapshot.at(T_WEEK1);
    let ctx = Context::new("user-qa-001").with("appVersion", "2.4.0");
    let r = snap.string_value("speech-backend-ab", &ctx, "fallback");
    assert_eq!(
        (r.value, r.evaluation.reason),
        ("speechmatics", Reason::TargetingMatch)
    );
    let r = snap.bool_value("speech-backend-ab", &ctx, true);
    assert_eq!(
        (r.value, r.evaluation.reason, r.evaluation.error),
        (true, Reason::Error, Some(ErrorCode::TypeMismatch))
    );
    let r = snap.number_value(
        "transcription-chunk-ms",
        &ctx.clone().with("platform", "ios-web"),
        0.0,
    );
    assert_eq!(r.value, 100.0);
    let r = snap.number_value("missing", &ctx, 7.0);
    assert_eq!(
        (r.value, r.evaluation.error),
        (7.0, Some(ErrorCode::FlagNotFound))
    );
    let default = serde_json::json!({"a": 1});
    let r = snap.json_value("speech-backend-ab", &ctx, &default);
    assert_eq!(
        (r.value, r.evaluation.error),
        (&default, Some(ErrorCode::TypeMismatch))
    );
    assert!(!snap.is_enabled("missing", &ctx));
}

#[test]
fn json_flags_serve_json() {
    let text = one_flag(
        r#"{"type": "json", "variants": {"v1": {"model": "nova", "chunk": [1, 2]}, "off": null}, "enabled": true, "default": {"variant": "v1"}}"#,
        "",
    );
    let store = Store::from_json(&text).unwrap();
    let snap = store.snapshot();
    let default = serde_json::Value::Null;
    let r = snap.json_value("f", &Context::new("u"), &default);
    assert_eq!(
        r.value,
        &serde_json::json!({"model": "nova", "chunk": [1, 2]})
    );
    assert_eq!(
        r.evaluation.value_json,
        Some(r#"{"model":"nova","chunk":[1,2]}"#)
    );
}

#[test]
fn splits_need_a_bucketing_value() {
    let config = Config::from_json(EXAMPLE).unwrap();
    let anon = Context::anonymous().with("appVersion", "2.4.0");
    let e = config.evaluate("speech-backend-ab", &anon);
    assert_eq!(
        (e.reason, e.error, e.variant),
        (
            Reason::Error,
            Some(ErrorCode::TargetingKeyMissing),
            Some("control")
        )
    );

    let by_session = one_flag(
        r#"{"enabled": true, "bucketBy": "sessionId", "default": {"split": [{"variant": "on", "weight": 50}, {"variant": "off", "weight": 50}]}}"#,
        "",
    );
    let config = Config::from_json(&by_session).unwrap();
    let a = config
        .evaluate("f", &Context::new("user-1").with("sessionId", "s-1"))
        .bucket;
    let b = config
        .evaluate("f", &Context::new("user-2").with("sessionId", "s-1"))
        .bucket;
    assert_eq!(a, b, "same session, same bucket, whoever the user");
    assert_eq!(a, Some(flagcore::bucket("f", "s-1")));
    // An integer attribute buckets as its decimal digits.
    let n = config
        .evaluate("f", &Context::new("u").with("sessionId", 12345))
        .bucket;
    assert_eq!(n, Some(flagcore::bucket("f", "12345")));
    assert_eq!(
        config.evaluate("f", &Context::new("u")).error,
        Some(ErrorCode::TargetingKeyMissing)
    );
}

#[test]
fn salt_and_bucket_are_reported() {
    let text = one_flag(
        r#"{"enabled": true, "salt": "shared-2026", "default": {"split": [{"variant": "on", "weight": 30}, {"variant": "off", "weight": 70}]}}"#,
        "",
    );
    let config = Config::from_json(&text).unwrap();
    let e = config.evaluate("f", &Context::new("user-42"));
    let b = flagcore::bucket("shared-2026", "user-42");
    assert_eq!(e.bucket, Some(b));
    assert_eq!(e.reason, Reason::Split);
    assert_eq!(e.variant, Some(if b < 30_000 { "on" } else { "off" }));
}

#[test]
fn evaluate_all_covers_every_flag_in_order() {
    let config = Config::from_json(EXAMPLE).unwrap();
    let config = config.at(T_WEEK2);
    let ctx = Context::new("user-7").with("appVersion", "2.4.0");
    let keys: Vec<_> = config.evaluate_all(&ctx).map(|e| e.flag_key).collect();
    assert_eq!(
        keys,
        [
            "speechmatics-direct",
            "modal-fallback",
            "speech-backend-ab",
            "transcription-chunk-ms",
            "live-captions-ui"
        ]
    );
    for e in config.evaluate_all(&ctx) {
        assert_eq!(e, config.evaluate(e.flag_key, &ctx));
    }
}

#[test]
fn unknown_flags_are_errors() {
    let config = Config::from_json(EXAMPLE).unwrap();
    let e = config.evaluate("no-such-flag", &Context::new("u"));
    assert_eq!(
        (e.reason, e.error, e.value, e.variant),
        (Reason::Error, Some(ErrorCode::FlagNotFound), None, None)
    );
    let details = e.to_details();
    let json = serde_json::to_value(&details).unwrap();
    assert_eq!(json["reason"], "ERROR");
    assert_eq!(json["errorCode"], "FLAG_NOT_FOUND");
}

#[test]
fn history_and_rollback() {
    let store = Store::from_json(EXAMPLE).unwrap();
    let ctx = Context::new("user-1").with("appVersion", "2.4.0");
    assert!(matches!(store.rollback(), Err(StoreError::NoHistory)));
    let v2 = EXAMPLE.replace(
        r#""weight": 70 }, { "variant": "treatment", "weight": 30"#,
        r#""weight": 0 }, { "variant": "treatment", "weight": 100"#,
    );
    assert_ne!(v2, EXAMPLE);
    assert_eq!(store.update(&v2).unwrap().revision, 2);
    assert_eq!(
        store.snapshot().evaluate("speech-backend-ab", &ctx).variant,
        Some("treatment")
    );
    // The emergency rollback of the runbook.
    assert_eq!(store.rollback().unwrap(), 1);
    assert_eq!(store.revision(), 1);
    assert_eq!(
        store.update(&v2).unwrap().revision,
        3,
        "revision numbers are never reused"
    );
    assert_eq!(store.history(), vec![1, 3]);

    let bounded = Store::with_options(
        Config::from_json(EXAMPLE).unwrap(),
        flagcore::StoreOptions {
            history: 3,
            ..Default::default()
        },
    );
    for _ in 0..10 {
        bounded.update(EXAMPLE).unwrap();
    }
    assert_eq!(bounded.history(), vec![9, 10, 11]);
}

#[test]
fn readers_see_whole_configs_while_writers_swap() {
    let store = Store::from_json(EXAMPLE).unwrap();
    let all_treatment = EXAMPLE.replace(
        r#""weight": 70 }, { "variant": "treatment", "weight": 30"#,
        r#""weight": 0 }, { "variant": "treatment", "weight": 100"#,
    );
    std::thread::scope(|s| {
        for t in 0..4 {
            let store = &store;
            s.spawn(move || {
                let mut ctx = Context::new("x").with("appVersion", "2.4.0");
                for i in 0..20_000 {
                    ctx.set_key(format!("user-{t}-{i}"));
                    let snap = store.snapshot();
                    let e = snap.evaluate("speech-backend-ab", &ctx);
                    // Within one snapshot, two evaluations agree.
                    assert_eq!(e, snap.evaluate("speech-backend-ab", &ctx));
                    assert!(!e.is_error());
                }
            });
        }
        s.spawn(|| {
            for i in 0..200 {
                let text = if i % 2 == 0 { &all_treatment } else { EXAMPLE };
                store.update(text).unwrap();
                if i % 7 == 0 {
                    let _ = store.rollback();
                }
            }
        });
    });
    assert!(store.revision() > 1);
}

#[test]
fn a_context_keeps_its_version_parse_until_the_value_changes() {
    // The first semver condition parses the attribute and keeps the parse; setting the
    // attribute again must drop it, and the prerelease must come from the current text.
    let lt = cond_config(r#"{"attribute": "appVersion", "op": "semverLt", "value": "2.3.0"}"#);
    let eq = cond_config(r#"{"attribute": "appVersion", "op": "semverEq", "value": "2.3.0-rc.1"}"#);
    let mut u = Context::new("u").with("appVersion", "2.3.0-rc.1");
    for _ in 0..3 {
        assert_eq!(lt.evaluate("f", &u).as_bool(), Some(true));
        assert_eq!(eq.evaluate("f", &u).as_bool(), Some(true));
    }
    let copy = u.clone();
    assert_eq!(copy, Context::new("u").with("appVersion", "2.3.0-rc.1"));
    u.set("appVersion", "2.3.0-rc.2");
    assert_eq!(lt.evaluate("f", &u).as_bool(), Some(true));
    assert_eq!(eq.evaluate("f", &u).as_bool(), Some(false));
    u.set("appVersion", "2.4.0");
    assert_eq!(lt.evaluate("f", &u).as_bool(), Some(false));
    u.set("appVersion", "not a version");
    assert_eq!(lt.evaluate("f", &u).as_bool(), Some(false));
    u.set("appVersion", 2.0);
    assert_eq!(lt.evaluate("f", &u).as_bool(), Some(false));
    u.set("appVersion", "v1.0.0+build.7");
    assert_eq!(lt.evaluate("f", &u).as_bool(), Some(true));
    // The clone kept its own parse.
    assert_eq!(eq.evaluate("f", &copy).as_bool(), Some(true));
    // The targeting key can be compared as a version too.
    let key_lt = cond_config(r#"{"attribute": "key", "op": "semverLt", "value": "2.3.0"}"#);
    assert_eq!(
        key_lt.evaluate("f", &Context::new("1.2.3")).as_bool(),
        Some(true)
    );
    assert_eq!(
        key_lt.evaluate("f", &Context::new("3.0.0")).as_bool(),
        Some(false)
    );
}

#[test]
fn overrides_are_listed_by_flag_key_and_replaced_in_place() {
    let store = Store::from_json(
        r#"{"schemaVersion": 1, "flags": {
            "b": {"enabled": true, "offVariant": "off", "variants": {"on": true, "off": false}, "default": {"variant": "on"}},
            "a": {"enabled": true, "offVariant": "off", "variants": {"on": true, "off": false}, "default": {"variant": "on"}},
            "c": {"enabled": true, "offVariant": "off", "variants": {"on": true, "off": false}, "default": {"variant": "on"}}}}"#,
    )
    .unwrap();
    store.set_override("c", Override::Kill).unwrap();
    store
        .set_override("a", Override::Variant("off".into()))
        .unwrap();
    store.set_override("b", Override::Kill).unwrap();
    store.set_override("a", Override::Kill).unwrap();
    let keys: Vec<String> = store.overrides().into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["a", "b", "c"]);
    assert!(store.overrides().iter().all(|(_, o)| *o == Override::Kill));
    let ctx = Context::new("u");
    assert!(!store.is_enabled("a", &ctx) && !store.is_enabled("b", &ctx));
    assert!(store.clear_override("b"));
    assert!(!store.clear_override("b"));
    assert!(store.is_enabled("b", &ctx) && !store.is_enabled("c", &ctx));
    store.clear_overrides();
    assert!(store.overrides().is_empty() && store.is_enabled("c", &ctx));
}

#[test]
fn variant_index_names_the_variant_evaluate_serves() {
    let store = Store::from_json(EXAMPLE).unwrap();
    store
        .set_override("modal-fallback", Override::Kill)
        .unwrap();
    let config = store.config();
    let snapshot = store.snapshot();
    for (i, at) in [T_WEEK1, T_WEEK2, T_WEEK3, T_WEEK4].into_iter().enumerate() {
        for u in 0..2_000 {
            let ctx = Context::new(format!("user-{u}"))
                .with("appVersion", if u % 3 == 0 { "2.2.9" } else { "2.4.0" })
                .with(
                    "email",
                    if u % 7 == 0 {
                        "a@company.example"
                    } else {
                        "a@b.example"
                    },
                );
            let at = snapshot.at(at + i as i64);
            for flag in config.flags() {
                let names: Vec<&str> = flag.variants().map(|(n, _)| n).collect();
                let index = at.variant_index(flag.key(), &ctx).unwrap();
                let served = at.evaluate(flag.key(), &ctx).variant;
                assert_eq!(Some(names[index]), served, "{} {u}", flag.key());
            }
        }
    }
    assert_eq!(
        snapshot.variant_index("no-such-flag", &Context::new("u")),
        None
    );
}

#[test]
fn replace_takes_a_shared_config_without_copying_it() {
    let shared = std::sync::Arc::new(Config::from_json(EXAMPLE).unwrap());
    let store = Store::from_json(EXAMPLE).unwrap();
    assert_eq!(store.replace(std::sync::Arc::clone(&shared)), 2);
    assert!(std::sync::Arc::ptr_eq(&store.config(), &shared));
    assert_eq!(store.replace(Config::from_json(EXAMPLE).unwrap()), 3);
    assert_eq!(store.rollback().unwrap(), 2);
    assert!(std::sync::Arc::ptr_eq(&store.config(), &shared));
}

/// The system clock in Unix milliseconds, read by the test.
fn clock_millis() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(since.as_millis()).unwrap()
}

#[test]
fn the_time_is_given_per_call_and_no_time_means_now() {
    const DAY: i64 = 86_400_000;
    let now = clock_millis();
    // "on" only from 30 days ago to 30 days from now: far from any boundary, so the clock
    // read by the core and the one read here serve the same stage.
    let text = one_flag(
        &format!(
            r#"{{"enabled": true, "default": {{"stages": [{{"variant": "off"}},
                {{"from": {}, "variant": "on"}}, {{"from": {}, "variant": "off"}}]}}}}"#,
            now - 30 * DAY,
            now + 30 * DAY
        ),
        "",
    );
    let store = Store::from_json(&text).unwrap();
    let snapshot = store.snapshot();
    let ctx = Context::new("user-1");

    // Unset: no time, so a staged serve is an error (the off variant, INVALID_CONTEXT).
    let unset = snapshot.at(At::Unset);
    assert_eq!(unset.time(), At::Unset);
    let e = unset.evaluate("f", &ctx);
    assert_eq!(
        (e.reason, e.error, e.variant),
        (Reason::Error, Some(ErrorCode::InvalidContext), Some("off"))
    );
    assert_eq!(
        e.to_details().error_code.map(|c| c.as_str()),
        Some("INVALID_CONTEXT")
    );
    assert!(!unset.is_enabled("f", &ctx));
    let r = unset.bool_value("f", &ctx, true);
    assert_eq!(
        (r.value, r.evaluation.error),
        (true, Some(ErrorCode::InvalidContext))
    );
    assert_eq!(snapshot.at(None).evaluate("f", &ctx), e, "None is Unset");

    // Now: the stage serving at the system clock, the same as that time given explicitly.
    let at_clock = snapshot.at(At::Millis(now)).evaluate("f", &ctx);
    assert_eq!(
        (at_clock.variant, at_clock.reason),
        (Some("on"), Reason::Default)
    );
    assert_eq!(snapshot.at(At::Now).evaluate("f", &ctx), at_clock);
    assert_eq!(At::default(), At::Now);
    // The methods without a time evaluate now, on a snapshot and on a config.
    assert_eq!(snapshot.evaluate("f", &ctx), at_clock);
    assert!(snapshot.is_enabled("f", &ctx) && store.is_enabled("f", &ctx));
    assert_eq!(store.config().evaluate("f", &ctx), at_clock);
    // And a time given is that time, whatever the clock says.
    for (t, want) in [
        (now - 31 * DAY, "off"),
        (now + 31 * DAY, "off"),
        (now + DAY, "on"),
    ] {
        assert_eq!(
            snapshot.at(t).evaluate("f", &ctx).variant,
            Some(want),
            "{t}"
        );
    }

    // A flag that reaches no staged serve never needs the time: no time, any time and
    // now all give the same answer, without an error.
    let config = Config::from_json(EXAMPLE).unwrap();
    let legacy = Context::new("user-7").with("appVersion", "2.2.0");
    let users = [
        Context::new("user-7").with("appVersion", "2.4.0"),
        Context::new("user-8").with("platform", "ios-web"),
        legacy.clone(),
    ];
    for user in &users {
        for flag in [
            "speech-backend-ab",
            "transcription-chunk-ms",
            "live-captions-ui",
        ] {
            let e = config.at(At::Unset).evaluate(flag, user);
            assert!(!e.is_error(), "{flag}: {e:?}");
            for at in [
                At::Now,
                At::Millis(0),
                At::Millis(i64::MIN),
                At::Millis(i64::MAX),
            ] {
                assert_eq!(config.at(at).evaluate(flag, user), e, "{flag} at {at:?}");
            }
        }
    }
    // A staged flag whose rules decide before the stages: no time needed either.
    let e = config
        .at(At::Unset)
        .evaluate("speechmatics-direct", &legacy);
    assert_eq!((e.variant, e.reason), (Some("off"), Reason::TargetingMatch));
}

#[test]
fn one_context_is_evaluated_by_two_threads_at_different_times() {
    let store = Store::from_json(EXAMPLE).unwrap();
    let config = store.config();
    // A user outside the week-1 canary: off at week 1, on at week 4.
    let ctx = (0..)
        .map(|i| Context::new(format!("user-{i}")).with("appVersion", "2.4.0"))
        .find(|c| {
            config
                .at(T_WEEK1)
                .evaluate("speechmatics-direct", c)
                .as_bool()
                == Some(false)
        })
        .unwrap();
    let expected = |t: i64| -> Vec<_> {
        config
            .at(t)
            .evaluate_all(&ctx)
            .map(|e| e.to_details())
            .collect()
    };
    let (week1, week4) = (expected(T_WEEK1), expected(T_WEEK4));
    assert_ne!(week1, week4, "the two times must give different answers");
    assert_eq!(week4[0].variant.as_deref(), Some("on"));
    let barrier = std::sync::Barrier::new(2);
    std::thread::scope(|s| {
        for (t, want) in [(T_WEEK1, &week1), (T_WEEK4, &week4)] {
            let (store, ctx, barrier) = (&store, &ctx, &barrier);
            s.spawn(move || {
                barrier.wait();
                for _ in 0..5_000 {
                    let snapshot = store.snapshot();
                    let at = snapshot.at(t);
                    let got: Vec<_> = at.evaluate_all(ctx).map(|e| e.to_details()).collect();
                    assert_eq!(&got, want, "at {t}");
                    assert_eq!(
                        at.is_enabled("speechmatics-direct", ctx),
                        t == T_WEEK4,
                        "at {t}"
                    );
                }
            });
        }
    });
}

#[test]
fn a_flag_resolved_once_answers_as_the_flag_by_key() {
    let store = Store::from_json(EXAMPLE).unwrap();
    store
        .set_override("speech-backend-ab", Override::Variant("control".into()))
        .unwrap();
    let snapshot = store.snapshot();
    for t in [T_WEEK1, T_WEEK2] {
        let at = snapshot.at(t);
        for info in snapshot.config().flags() {
            let flag = at.flag(info.key()).expect("every flag resolves");
            assert_eq!(flag.key(), info.key());
            for i in 0..500 {
                let ctx = Context::new(format!("user-{i}"))
                    .with("appVersion", if i % 3 == 0 { "2.2.0" } else { "2.4.0" })
                    .with("platform", if i % 2 == 0 { "ios-web" } else { "desktop" });
                let by_key = at.evaluate(info.key(), &ctx);
                assert_eq!(flag.evaluate(&ctx), by_key, "{} user-{i}", info.key());
                assert_eq!(flag.is_enabled(&ctx), at.is_enabled(info.key(), &ctx));
                assert_eq!(
                    Some(flag.variant_index(&ctx)),
                    at.variant_index(info.key(), &ctx)
                );
            }
        }
    }
    assert!(snapshot.flag("no-such-flag").is_none());
}

#[test]
fn numbers_sent_as_text_compare_numerically() {
    let u = Context::new("u").with("seats", "12").with("odd", "012");
    check(
        r#"{"attribute": "seats", "op": "gte", "value": 10}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "seats", "op": "lt", "value": 12.5}"#,
        &u,
        true,
    );
    // Not a JSON number: cannot compare, negated or not.
    for cond in [
        r#"{"attribute": "odd", "op": "gte", "value": 10}"#,
        r#"{"attribute": "odd", "op": "gte", "value": 10, "negate": true}"#,
    ] {
        assert_eq!(
            cond_config(cond).evaluate("f", &u).reason,
            Reason::Default,
            "{cond}"
        );
    }
}

#[test]
fn lists_ignore_case_regex_cidr_order_and_types() {
    let u = Context::new("u")
        .with("groups", ["admins", "Beta-Testers"])
        .with("scores", vec![3.0, 14.0])
        .with("name", "JOSÉ")
        .with("ip", "10.1.2.3")
        .with("ip6", "2001:db8::1")
        .with("ua", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)")
        .with("version", "V2.4.0");
    check(
        r#"{"attribute": "groups", "op": "in", "values": ["admins"]}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "groups", "op": "anyOf", "values": ["x", "admins"]}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "groups", "op": "allOf", "values": ["admins", "beta-testers"], "ignoreCase": true}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "groups", "op": "allOf", "values": ["admins", "beta-testers"]}"#,
        &u,
        false,
    );
    check(
        r#"{"attribute": "groups", "op": "noneOf", "values": ["ops"]}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "groups", "op": "sizeGte", "value": 2}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "groups", "op": "startsWith", "value": "beta", "ignoreCase": true}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "scores", "op": "gt", "value": 10}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "scores", "op": "anyOf", "values": [14]}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "name", "op": "equals", "value": "josé", "ignoreCase": true}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "name", "op": "equals", "value": "josé"}"#,
        &u,
        false,
    );
    check(
        r#"{"attribute": "ua", "op": "matches", "value": "iPhone OS 1[7-9]_"}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "ip", "op": "inCidr", "values": ["10.0.0.0/8"]}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "ip6", "op": "inCidr", "values": ["10.0.0.0/8", "2001:db8::/32"]}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "name", "op": "strLt", "value": "K"}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "groups", "op": "isType", "value": "list"}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "version", "op": "semverEq", "value": "2.4.0"}"#,
        &u,
        true,
    );
    check(
        r#"{"attribute": "version", "op": "semverGte", "value": "V2.0"}"#,
        &u,
        true,
    );
}
