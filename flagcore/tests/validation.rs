//! Validation: every problem at once, each with its JSON path; the store keeps its last
//! good config.

mod common;

use common::{errors, one_flag, EXAMPLE};
use flagcore::{Config, ConfigError, Context, Limits, ProblemCode, Store};

fn has(errs: &[(String, String)], code: &str, path: &str) -> bool {
    errs.iter().any(|(c, p)| c == code && p == path)
}

#[track_caller]
fn assert_has(errs: &[(String, String)], code: &str, path: &str) {
    assert!(
        has(errs, code, path),
        "expected {code} at {path}, got {errs:#?}"
    );
}

#[test]
fn the_example_loads_without_warnings() {
    let config = Config::from_json(EXAMPLE).expect("example is valid");
    assert!(config.warnings().is_empty(), "{:?}", config.warnings());
    assert_eq!(config.len(), 5);
}

#[test]
fn reports_every_problem_at_once_with_paths() {
    let text = r#"{
      "schemaVersion": 1,
      "segments": { "beta": { "keys": ["a", 5] } },
      "flags": {
        "a": {
          "enabled": true,
          "rules": [
            { "conditions": [{ "attribute": "country", "op": "startswith", "value": "D" }], "serve": { "variant": "on" } },
            { "conditions": [{ "op": "inSegment", "value": "betta" }], "serve": { "variant": "maybe" } },
            { "conditions": [{ "attribute": "v", "op": "semverLt", "value": "two" }], "serve": { "variant": "on" } },
            { "conditions": [{ "attribute": "t", "op": "before", "value": "yesterday" }], "serve": { "variant": "on" } }
          ],
          "default": { "split": [{ "variant": "on", "weight": 60 }, { "variant": "off", "weight": 30 }] }
        },
        "b": {
          "type": "string",
          "variants": { "x": "1", "y": 2 },
          "offVariant": "x",
          "enabled": true,
          "prerequisites": [{ "flag": "nope", "variant": "on" }],
          "default": { "split": [{ "variant": "x", "weight": 100.5 }] }
        }
      }
    }"#;
    let errs = errors(text);
    assert_has(&errs, "wrong_type", "$.segments.beta.keys[1]");
    assert_has(
        &errs,
        "unknown_operator",
        "$.flags.a.rules[0].conditions[0].op",
    );
    assert_has(
        &errs,
        "unknown_segment",
        "$.flags.a.rules[1].conditions[0].value",
    );
    assert_has(&errs, "unknown_variant", "$.flags.a.rules[1].serve.variant");
    assert_has(
        &errs,
        "invalid_semver",
        "$.flags.a.rules[2].conditions[0].value",
    );
    assert_has(
        &errs,
        "invalid_timestamp",
        "$.flags.a.rules[3].conditions[0].value",
    );
    assert_has(&errs, "weights_sum", "$.flags.a.default.split");
    assert_has(&errs, "variant_type_mismatch", "$.flags.b.variants.y");
    assert_has(
        &errs,
        "unknown_prerequisite",
        "$.flags.b.prerequisites[0].flag",
    );
    assert_has(
        &errs,
        "percentage_out_of_range",
        "$.flags.b.default.split[0].weight",
    );
}

#[test]
fn unknown_operator_message_suggests_the_right_one() {
    let text = one_flag(
        r#"{"enabled": true, "rules": [{"conditions": [{"attribute": "a", "op": "endWith", "value": "x"}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}"#,
        "",
    );
    let err = Config::from_json(&text).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("did you mean \"endsWith\"?"), "{msg}");
}

#[test]
fn duplicate_keys_are_errors() {
    let text = r#"{"schemaVersion": 1, "flags": {
        "a": {"enabled": true, "default": {"variant": "on"}},
        "a": {"enabled": false, "default": {"variant": "on"}}
    }}"#;
    assert_has(&errors(text), "duplicate_key", "$.flags.a");

    let text = one_flag(
        r#"{"enabled": true, "enabled": false, "default": {"variant": "on"}}"#,
        "",
    );
    assert_has(&errors(&text), "duplicate_key", "$.flags.f.enabled");

    let text = one_flag(
        r#"{"enabled": true, "rules": [
            {"id": "r", "serve": {"variant": "on"}, "conditions": [{"attribute": "a", "op": "exists"}]},
            {"id": "r", "serve": {"variant": "on"}, "conditions": [{"attribute": "b", "op": "exists"}]}],
           "default": {"split": [{"variant": "on", "weight": 50}, {"variant": "on", "weight": 50}]}}"#,
        "",
    );
    let errs = errors(&text);
    assert_has(&errs, "duplicate_key", "$.flags.f.rules[1].id");
    assert_has(&errs, "duplicate_key", "$.flags.f.default.split[1].variant");
}

#[test]
fn unknown_fields_are_errors_with_suggestions() {
    let text = one_flag(
        r#"{"enabled": true, "rules": [{"condtions": [], "serve": {"variant": "on"}}], "default": {"variant": "off"}}"#,
        "",
    );
    let err = Config::from_json(&text).unwrap_err();
    assert_has(
        &errors(&text),
        "unknown_field",
        "$.flags.f.rules[0].condtions",
    );
    assert!(err.to_string().contains("did you mean \"conditions\"?"));
}

#[test]
fn prerequisite_cycles_are_rejected() {
    let text = r#"{"schemaVersion": 1, "flags": {
        "a": {"enabled": true, "prerequisites": [{"flag": "b", "variant": "on"}], "default": {"variant": "on"}},
        "b": {"enabled": true, "prerequisites": [{"flag": "c", "variant": "on"}], "default": {"variant": "on"}},
        "c": {"enabled": true, "prerequisites": [{"flag": "a", "variant": "on"}], "default": {"variant": "on"}},
        "self": {"enabled": true, "prerequisites": [{"flag": "self", "variant": "on"}], "default": {"variant": "on"}}
    }}"#;
    let err = Config::from_json(text).unwrap_err();
    let errs = errors(text);
    assert_eq!(
        errs.iter()
            .filter(|(c, _)| c == "prerequisite_cycle")
            .count(),
        2,
        "{errs:?}"
    );
    assert_has(
        &errs,
        "prerequisite_cycle",
        "$.flags.c.prerequisites[0].flag",
    );
    assert_has(
        &errs,
        "prerequisite_cycle",
        "$.flags.self.prerequisites[0].flag",
    );
    assert!(err.to_string().contains("a -> b -> c -> a"), "{err}");
}

#[test]
fn prerequisite_chains_are_bounded() {
    let mut flags = Vec::new();
    for i in 0..40 {
        let prereq = if i + 1 < 40 {
            format!(
                r#", "prerequisites": [{{"flag": "f{}", "variant": "on"}}]"#,
                i + 1
            )
        } else {
            String::new()
        };
        flags.push(format!(
            r#""f{i}": {{"enabled": true{prereq}, "default": {{"variant": "on"}}}}"#
        ));
    }
    let text = format!(
        r#"{{"schemaVersion": 1, "flags": {{{}}}}}"#,
        flags.join(",")
    );
    let errs = errors(&text);
    assert!(
        errs.iter().any(|(c, _)| c == "prerequisite_depth"),
        "{errs:?}"
    );
}

#[test]
fn versions_and_types_are_checked() {
    assert_has(
        &errors(r#"{"schemaVersion": 2, "flags": {}}"#),
        "unsupported_schema_version",
        "$.schemaVersion",
    );
    assert_has(
        &errors(r#"{"schemaVersion": 1, "hashVersion": 9, "flags": {}}"#),
        "unsupported_hash_version",
        "$.hashVersion",
    );
    assert_has(&errors(r#"{"flags": {}}"#), "missing_field", "$");
    assert_has(&errors(r#"[]"#), "wrong_type", "$");
    assert_has(
        &errors(&one_flag(
            r#"{"enabled": "yes", "default": {"variant": "on"}}"#,
            "",
        )),
        "wrong_type",
        "$.flags.f.enabled",
    );
}

#[test]
fn percentages_have_three_decimals_at_most() {
    let ok = one_flag(
        r#"{"enabled": true, "default": {"split": [{"variant": "on", "weight": 0.005}, {"variant": "off", "weight": 99.995}]}}"#,
        "",
    );
    assert!(Config::from_json(&ok).is_ok());
    let bad = one_flag(
        r#"{"enabled": true, "default": {"split": [{"variant": "on", "weight": 0.0005}, {"variant": "off", "weight": 99.9995}]}}"#,
        "",
    );
    assert_has(
        &errors(&bad),
        "percentage_precision",
        "$.flags.f.default.split[0].weight",
    );
    let neg = one_flag(
        r#"{"enabled": true, "default": {"split": [{"variant": "on", "weight": -5}, {"variant": "off", "weight": 105}]}}"#,
        "",
    );
    assert_has(
        &errors(&neg),
        "percentage_out_of_range",
        "$.flags.f.default.split[0].weight",
    );
}

#[test]
fn stages_must_be_in_order() {
    let text = one_flag(
        r#"{"enabled": true, "default": {"stages": [
            {"from": "2026-12-01T00:00:00Z", "variant": "on"},
            {"from": "2026-11-01T00:00:00Z", "variant": "off"},
            {"variant": "on"}]}}"#,
        "",
    );
    let errs = errors(&text);
    assert_has(
        &errs,
        "stages_out_of_order",
        "$.flags.f.default.stages[1].from",
    );
    assert_has(&errs, "missing_field", "$.flags.f.default.stages[2]");
}

#[test]
fn warnings_do_not_refuse_the_config() {
    let text = one_flag(
        r#"{"enabled": true, "rules": [
            {"serve": {"variant": "on"}},
            {"conditions": [{"attribute": "a", "op": "exists"}], "serve": {"variant": "off"}}],
           "default": {"variant": "off"}}"#,
        r#""unused": {"keys": ["a", "a"]}"#,
    );
    let config = Config::from_json(&text).expect("warnings only");
    let codes: Vec<_> = config
        .warnings()
        .iter()
        .map(|w| (w.code, w.path.as_str()))
        .collect();
    assert!(
        codes.contains(&(ProblemCode::UnreachableRule, "$.flags.f.rules[1]")),
        "{codes:?}"
    );
    assert!(
        codes.contains(&(ProblemCode::UnusedSegment, "$.segments.unused")),
        "{codes:?}"
    );
    assert!(
        codes.contains(&(ProblemCode::DuplicateEntry, "$.segments.unused.keys[1]")),
        "{codes:?}"
    );
}

#[test]
fn deep_or_huge_json_is_refused_cleanly() {
    let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    assert!(matches!(
        Config::from_json(&deep),
        Err(ConfigError::Syntax { .. })
    ));
    let deep_objects = format!(
        r#"{{"schemaVersion":1,"flags":{{"f":{}}}}}"#,
        "{\"a\":".repeat(10_000)
    );
    assert!(matches!(
        Config::from_json(&deep_objects),
        Err(ConfigError::Syntax { .. })
    ));

    let text = one_flag(r#"{"enabled": true, "default": {"variant": "on"}}"#, "");
    let tight = Limits { max_bytes: 10 };
    assert!(matches!(
        Config::from_json_with_limits(&text, tight),
        Err(ConfigError::TooLarge { limit: 10, .. })
    ));
}

#[test]
fn syntax_errors_carry_line_and_column() {
    let err = Config::from_json("{\n  \"schemaVersion\": 1,\n  \"flags\": {,}\n}").unwrap_err();
    match err {
        ConfigError::Syntax { line, column, .. } => {
            assert_eq!(line, 3);
            assert!(column > 1);
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn an_invalid_update_keeps_the_last_good_config() {
    let store = Store::from_json(EXAMPLE).unwrap();
    let ctx = Context::new("user-qa-001").with("appVersion", "2.4.0");
    let before = store
        .snapshot()
        .at(0)
        .evaluate("speech-backend-ab", &ctx)
        .to_details();
    let bad = EXAMPLE.replace("\"weight\": 30", "\"weight\": 31");
    let err = store.update(&bad).unwrap_err();
    assert!(err.to_string().contains("weights_sum"), "{err}");
    assert_eq!(store.revision(), 1);
    let after = store
        .snapshot()
        .at(0)
        .evaluate("speech-backend-ab", &ctx)
        .to_details();
    assert_eq!(before, after);
    assert!(store.update("not json").is_err());
    assert_eq!(store.revision(), 1);
}

#[test]
fn ten_thousand_flags_and_100k_segment_keys_load() {
    let keys: Vec<String> = (0..100_000).map(|i| format!("\"user-{i}\"")).collect();
    let mut flags = Vec::new();
    for i in 0..10_000 {
        flags.push(format!(
            r#""flag-{i}": {{"enabled": true, "rules": [{{"conditions": [{{"op": "inSegment", "value": "big"}}], "serve": {{"variant": "on"}}}}],
               "default": {{"split": [{{"variant": "on", "weight": 25}}, {{"variant": "off", "weight": 75}}]}}}}"#
        ));
    }
    let text = format!(
        r#"{{"schemaVersion": 1, "segments": {{"big": {{"keys": [{}]}}}}, "flags": {{{}}}}}"#,
        keys.join(","),
        flags.join(",")
    );
    let config = Config::from_json(&text).expect("large config loads");
    assert_eq!(config.len(), 10_000);
    let member = Context::new("user-99999");
    assert_eq!(config.evaluate("flag-9999", &member).variant, Some("on"));
    assert_eq!(config.evaluate("flag-9999", &member).rule_index, Some(0));
}

#[test]
fn suggestions_ignore_ascii_case() {
    let err = flagcore::Config::from_json(
        r#"{"schemaVersion": 1, "flags": {"f": {"enabled": true, "offVariant": "off", "variants": {"on": true, "off": false},
            "default": {"variant": "on"}, "rules": [{"conditions": [
            {"attribute": "email", "op": "ENDSWITH", "value": "@x.com"}],
            "serve": {"variant": "on"}}]}}}"#,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains(r#"did you mean "endsWith"?"#),
        "{err}"
    );
}
