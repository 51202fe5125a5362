//! Validation vectors: configs with the exact problems (code and JSON path) the core
//! reports, errors and warnings, in order.

use flagcore::{Config, ConfigError, Limits, Problem};
use serde_json::{json, Map, Value};

use super::{compact, render, VectorFile};

/// A config with one flag `f` whose body is `flag`.
mod layers;

fn one_flag(flag: &str) -> String {
    format!(r#"{{"schemaVersion": 1, "flags": {{"f": {flag}}}}}"#)
}

/// A config with flag `f` (a boolean with this condition in its one rule).
fn condition(cond: &str) -> String {
    one_flag(&format!(
        r#"{{"enabled": true, "rules": [{{"id": "r", "conditions": [{cond}], "serve": {{"variant": "on"}}}}], "default": {{"variant": "off"}}}}"#
    ))
}

/// A config with flag `f` whose default serves `serve`.
fn default_serve(serve: &str) -> String {
    one_flag(&format!(r#"{{"enabled": true, "default": {serve}}}"#))
}

fn chain(len: usize) -> String {
    let mut flags = Vec::new();
    for i in 0..len {
        let prereq = if i + 1 < len {
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
    format!(
        r#"{{"schemaVersion": 1, "flags": {{{}}}}}"#,
        flags.join(", ")
    )
}

/// `levels` flags, each requiring the next one `fan` times: fan^levels evaluations.
fn diamond(levels: usize, fan: usize) -> String {
    let mut flags = Vec::new();
    for i in 0..levels {
        let prereq = if i + 1 < levels {
            let one = format!(r#"{{"flag": "d{}", "variant": "on"}}"#, i + 1);
            format!(r#", "prerequisites": [{}]"#, vec![one; fan].join(", "))
        } else {
            String::new()
        };
        flags.push(format!(
            r#""d{i}": {{"enabled": true{prereq}, "default": {{"variant": "on"}}}}"#
        ));
    }
    format!(
        r#"{{"schemaVersion": 1, "flags": {{{}}}}}"#,
        flags.join(", ")
    )
}

fn cases() -> Vec<(&'static str, String, Option<usize>)> {
    let example = include_str!("speech-migration.json").to_owned();
    let ok_flag = r#"{"enabled": true, "default": {"variant": "on"}}"#;
    let c = |name: &'static str, text: &str| (name, text.to_owned(), None);
    vec![
        // Valid configs.
        c("valid/example", &example),
        c("valid/minimal", r#"{"schemaVersion": 1, "flags": {}}"#),
        c("valid/boolean-default-variants", &one_flag(ok_flag)),
        c(
            "valid/every-field",
            r#"{"schemaVersion": 1, "hashVersion": 1, "description": "d", "metadata": {"owner": "team", "n": [1]},
                "segments": {"s": {"description": "d", "attribute": "email", "keys": ["a"], "excluded": ["b"],
                  "rules": [{"description": "d", "conditions": [{"attribute": "x", "op": "exists"}]}]}},
                "flags": {"f": {"description": "d", "type": "bool", "enabled": true, "offVariant": "off", "salt": "s1", "bucketBy": "deviceId",
                  "tags": ["t"], "metadata": {"jira": "X-1"}, "prerequisites": [{"flag": "g", "variants": ["on"]}],
                  "rules": [{"id": "r", "description": "d", "conditions": [{"op": "inSegment", "value": "s"}], "serve": {"variant": "on"}}],
                  "default": {"stages": [{"description": "d", "split": [{"variant": "on", "weight": 12.345}, {"variant": "off", "weight": 87.655}]},
                                          {"from": 1800000000000, "variant": "on"}]}},
                          "g": {"type": "object", "variants": {"on": {"a": 1}, "off": null}, "enabled": false, "default": {"variant": "on"}}}}"#,
        ),
        // Warnings only: the config loads.
        c(
            "warning/unused-segment",
            r#"{"schemaVersion": 1, "segments": {"unused": {"keys": ["a"]}}, "flags": {}}"#,
        ),
        c(
            "warning/unreachable-rule",
            &one_flag(
                r#"{"enabled": true, "rules": [{"id": "all", "conditions": [], "serve": {"variant": "on"}}, {"id": "never", "conditions": [{"attribute": "x", "op": "exists"}], "serve": {"variant": "off"}}, {"serve": {"variant": "off"}}], "default": {"variant": "off"}}"#,
            ),
        ),
        c(
            "warning/duplicate-entry",
            r#"{"schemaVersion": 1, "segments": {"s": {"keys": ["a", "b", "a"], "excluded": ["c", "c"]}},
                "flags": {"f": {"enabled": true, "rules": [{"conditions": [{"op": "inSegment", "value": "s"}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}}}"#,
        ),
        // json_syntax
        c("json_syntax/empty", ""),
        c("json_syntax/unclosed", "{"),
        c("json_syntax/trailing-comma", r#"{"schemaVersion": 1, "flags": {},}"#),
        c("json_syntax/trailing-text", r#"{"schemaVersion": 1, "flags": {}} x"#),
        c("json_syntax/single-quotes", "{'schemaVersion': 1}"),
        c("json_syntax/deep-nesting", &format!(r#"{{"schemaVersion": 1, "metadata": {}{}, "flags": {{}}}}"#, "[".repeat(200), "]".repeat(200))),
        c("json_syntax/nan", r#"{"schemaVersion": NaN, "flags": {}}"#),
        // wrong_type
        c("wrong_type/root-array", "[]"),
        c("wrong_type/root-null", "null"),
        c("wrong_type/schema-version-string", r#"{"schemaVersion": "1", "flags": {}}"#),
        c("wrong_type/hash-version-string", r#"{"schemaVersion": 1, "hashVersion": "1", "flags": {}}"#),
        c("wrong_type/description", r#"{"schemaVersion": 1, "description": 5, "flags": {}}"#),
        c("wrong_type/flags-array", r#"{"schemaVersion": 1, "flags": []}"#),
        c("wrong_type/segments-array", r#"{"schemaVersion": 1, "segments": [], "flags": {}}"#),
        c("wrong_type/flag-not-object", r#"{"schemaVersion": 1, "flags": {"f": true}}"#),
        c("wrong_type/enabled-string", &one_flag(r#"{"enabled": "yes", "default": {"variant": "on"}}"#)),
        c("wrong_type/flag-description", &one_flag(r#"{"description": 5, "enabled": true, "default": {"variant": "on"}}"#)),
        c("wrong_type/rule-description", &one_flag(r#"{"enabled": true, "default": {"variant": "on"}, "rules": [{"description": 5, "conditions": [{"attribute": "country", "op": "equals", "value": "DE"}], "serve": {"variant": "off"}}]}"#)),
        c("wrong_type/stage-description", &one_flag(r#"{"enabled": true, "default": {"stages": [{"from": "2026-01-01T00:00:00Z", "variant": "on", "description": ["x"]}]}}"#)),
        c("wrong_type/segment-description", r#"{"schemaVersion": 1, "segments": {"s": {"description": false, "keys": ["a"]}}, "flags": {}}"#),
        c("wrong_type/segment-rule-description", r#"{"schemaVersion": 1, "segments": {"s": {"rules": [{"description": {}, "conditions": [{"attribute": "country", "op": "equals", "value": "DE"}]}]}}, "flags": {}}"#),
        c("wrong_type/type", &one_flag(r#"{"type": 5, "enabled": true, "default": {"variant": "on"}}"#)),
        c("wrong_type/variants-array", &one_flag(r#"{"variants": ["on", "off"], "enabled": true, "default": {"variant": "on"}}"#)),
        c("wrong_type/off-variant-number", &one_flag(r#"{"enabled": true, "offVariant": 1, "default": {"variant": "on"}}"#)),
        c("wrong_type/salt", &one_flag(r#"{"enabled": true, "salt": 5, "default": {"variant": "on"}}"#)),
        c("wrong_type/bucket-by", &one_flag(r#"{"enabled": true, "bucketBy": ["a"], "default": {"variant": "on"}}"#)),
        c("wrong_type/tags", &one_flag(r#"{"enabled": true, "tags": ["a", 1], "default": {"variant": "on"}}"#)),
        c("wrong_type/rules-object", &one_flag(r#"{"enabled": true, "rules": {}, "default": {"variant": "on"}}"#)),
        c("wrong_type/rule-id", &one_flag(r#"{"enabled": true, "rules": [{"id": 1, "serve": {"variant": "on"}}], "default": {"variant": "on"}}"#)),
        c("wrong_type/conditions-string", &one_flag(r#"{"enabled": true, "rules": [{"conditions": "x", "serve": {"variant": "on"}}], "default": {"variant": "on"}}"#)),
        c("wrong_type/condition-attribute", &condition(r#"{"attribute": 5, "op": "exists"}"#)),
        c("wrong_type/condition-attribute-empty", &condition(r#"{"attribute": "", "op": "exists"}"#)),
        c("wrong_type/condition-op", &condition(r#"{"attribute": "a", "op": 5}"#)),
        c("wrong_type/condition-negate", &condition(r#"{"attribute": "a", "op": "exists", "negate": "yes"}"#)),
        c("wrong_type/in-nested-array", &condition(r#"{"attribute": "a", "op": "in", "values": ["x", [1]]}"#)),
        c("wrong_type/in-null", &condition(r#"{"attribute": "a", "op": "in", "values": [null]}"#)),
        c("wrong_type/values-not-array", &condition(r#"{"attribute": "a", "op": "in", "values": "x"}"#)),
        c("wrong_type/starts-with-number", &condition(r#"{"attribute": "a", "op": "startsWith", "values": ["x", 1]}"#)),
        c("wrong_type/lt-string", &condition(r#"{"attribute": "a", "op": "lt", "value": "10"}"#)),
        c("wrong_type/semver-number", &condition(r#"{"attribute": "a", "op": "semverGte", "value": 2}"#)),
        c("wrong_type/before-bool", &condition(r#"{"attribute": "a", "op": "before", "value": true}"#)),
        c("wrong_type/in-segment-number", &condition(r#"{"op": "inSegment", "value": 1}"#)),
        c("wrong_type/split-object", &default_serve(r#"{"split": {"on": 50}}"#)),
        c("wrong_type/weight-string", &default_serve(r#"{"split": [{"variant": "on", "weight": "50"}, {"variant": "off", "weight": 50}]}"#)),
        c("wrong_type/serve-variant-number", &default_serve(r#"{"variant": 1}"#)),
        c("wrong_type/stages-object", &default_serve(r#"{"stages": {}}"#)),
        c("wrong_type/prerequisites-object", &one_flag(r#"{"enabled": true, "prerequisites": {}, "default": {"variant": "on"}}"#)),
        c("wrong_type/prerequisite-flag", &one_flag(r#"{"enabled": true, "prerequisites": [{"flag": 1, "variant": "on"}], "default": {"variant": "on"}}"#)),
        c("wrong_type/segment-keys", r#"{"schemaVersion": 1, "segments": {"s": {"keys": "abc"}}, "flags": {}}"#),
        c("wrong_type/segment-key-number", r#"{"schemaVersion": 1, "segments": {"s": {"keys": ["a", 7]}}, "flags": {}}"#),
        c("wrong_type/segment-rules", r#"{"schemaVersion": 1, "segments": {"s": {"rules": {}}}, "flags": {}}"#),
        c("wrong_type/segment-attribute", r#"{"schemaVersion": 1, "segments": {"s": {"attribute": 1}}, "flags": {}}"#),
        // missing_field
        c("missing_field/schema-version", r#"{"flags": {}}"#),
        c("missing_field/flags", r#"{"schemaVersion": 1}"#),
        c("missing_field/enabled", &one_flag(r#"{"default": {"variant": "on"}}"#)),
        c("missing_field/default", &one_flag(r#"{"enabled": true}"#)),
        c("missing_field/variants", &one_flag(r#"{"type": "string", "enabled": true, "default": {"variant": "on"}}"#)),
        c("missing_field/off-variant", &one_flag(r#"{"type": "string", "variants": {"a": "A", "b": "B"}, "enabled": true, "default": {"variant": "a"}}"#)),
        c("missing_field/op", &condition(r#"{"attribute": "a", "value": 1}"#)),
        c("missing_field/attribute", &condition(r#"{"op": "equals", "value": 1}"#)),
        c("missing_field/weight", &default_serve(r#"{"split": [{"variant": "on"}, {"variant": "off", "weight": 100}]}"#)),
        c("missing_field/split-variant", &default_serve(r#"{"split": [{"weight": 50}, {"variant": "off", "weight": 50}]}"#)),
        c("missing_field/stage-from", &default_serve(r#"{"stages": [{"variant": "off"}, {"variant": "on"}]}"#)),
        c("missing_field/serve", &one_flag(r#"{"enabled": true, "rules": [{"id": "r", "conditions": []}], "default": {"variant": "on"}}"#)),
        c("missing_field/prerequisite-flag", &one_flag(r#"{"enabled": true, "prerequisites": [{"variant": "on"}], "default": {"variant": "on"}}"#)),
        c(
            "missing_field/prerequisite-variant",
            r#"{"schemaVersion": 1, "flags": {"f": {"enabled": true, "prerequisites": [{"flag": "g"}], "default": {"variant": "on"}}, "g": {"enabled": true, "default": {"variant": "on"}}}}"#,
        ),
        c("missing_field/segment-rule-conditions", r#"{"schemaVersion": 1, "segments": {"s": {"rules": [{"description": "x"}]}}, "flags": {}}"#),
        // unknown_field
        c("unknown_field/root-typo", r#"{"schemaVersion": 1, "flags": {}, "segmnets": {}}"#),
        c("unknown_field/flag-typo", &one_flag(r#"{"enabled": true, "rule": [], "default": {"variant": "on"}}"#)),
        c("unknown_field/flag-unrelated", &one_flag(r#"{"enabled": true, "owner": "me", "default": {"variant": "on"}}"#)),
        c("unknown_field/condition", &condition(r#"{"attribute": "a", "operator": "exists", "op": "exists"}"#)),
        c("unknown_field/serve", &default_serve(r#"{"variant": "on", "weight": 100}"#)),
        c("unknown_field/split-item", &default_serve(r#"{"split": [{"variant": "on", "weight": 100, "w": 1}]}"#)),
        c("unknown_field/stage", &default_serve(r#"{"stages": [{"variant": "on", "at": 1}]}"#)),
        c("unknown_field/rule", &one_flag(r#"{"enabled": true, "rules": [{"conditons": [], "serve": {"variant": "on"}}], "default": {"variant": "on"}}"#)),
        c("unknown_field/prerequisite", r#"{"schemaVersion": 1, "flags": {"f": {"enabled": true, "prerequisites": [{"flag": "g", "variant": "on", "negate": true}], "default": {"variant": "on"}}, "g": {"enabled": true, "default": {"variant": "on"}}}}"#),
        c("unknown_field/segment", r#"{"schemaVersion": 1, "segments": {"s": {"key": ["a"]}}, "flags": {}}"#),
        // duplicate_key
        c("duplicate_key/flags", &format!(r#"{{"schemaVersion": 1, "flags": {{"f": {ok_flag}, "f": {ok_flag}}}}}"#)),
        c("duplicate_key/root", r#"{"schemaVersion": 1, "schemaVersion": 1, "flags": {}}"#),
        c("duplicate_key/variants", &one_flag(r#"{"type": "string", "variants": {"a": "A", "a": "B"}, "offVariant": "a", "enabled": true, "default": {"variant": "a"}}"#)),
        c("duplicate_key/rule-ids", &one_flag(r#"{"enabled": true, "rules": [{"id": "r", "conditions": [{"attribute": "a", "op": "exists"}], "serve": {"variant": "on"}}, {"id": "r", "conditions": [{"attribute": "b", "op": "exists"}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}"#)),
        c("duplicate_key/split-variant", &default_serve(r#"{"split": [{"variant": "on", "weight": 50}, {"variant": "on", "weight": 50}]}"#)),
        c("duplicate_key/segments", r#"{"schemaVersion": 1, "segments": {"s": {"keys": ["a"]}, "s": {"keys": ["b"]}}, "flags": {}}"#),
        c("duplicate_key/condition", &condition(r#"{"attribute": "a", "attribute": "b", "op": "exists"}"#)),
        // unsupported versions
        c("unsupported_schema_version/2", r#"{"schemaVersion": 2, "flags": {}}"#),
        c("unsupported_schema_version/0", r#"{"schemaVersion": 0, "flags": {}}"#),
        c("unsupported_schema_version/fraction", r#"{"schemaVersion": 1.5, "flags": {}}"#),
        c("unsupported_schema_version/negative", r#"{"schemaVersion": -1, "flags": {}}"#),
        c("unsupported_hash_version/2", r#"{"schemaVersion": 1, "hashVersion": 2, "flags": {}}"#),
        c("unsupported_hash_version/0", r#"{"schemaVersion": 1, "hashVersion": 0, "flags": {}}"#),
        // unknown_operator
        c("unknown_operator/eq", &condition(r#"{"attribute": "a", "op": "eq", "value": 1}"#)),
        c("unknown_operator/case", &condition(r#"{"attribute": "a", "op": "Equals", "value": 1}"#)),
        c("unknown_operator/snake-case", &condition(r#"{"attribute": "a", "op": "semver_lt", "value": "1.0.0"}"#)),
        // invalid_condition
        c("invalid_condition/value-and-values", &condition(r#"{"attribute": "a", "op": "in", "value": "x", "values": ["y"]}"#)),
        c("invalid_condition/in-segment-attribute", r#"{"schemaVersion": 1, "segments": {"s": {"keys": ["a"]}}, "flags": {"f": {"enabled": true, "rules": [{"conditions": [{"attribute": "email", "op": "inSegment", "value": "s"}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}}}"#),
        c("invalid_condition/equals-two-values", &condition(r#"{"attribute": "a", "op": "equals", "values": ["x", "y"]}"#)),
        c("invalid_condition/in-no-values", &condition(r#"{"attribute": "a", "op": "in", "values": []}"#)),
        c("invalid_condition/lt-no-value", &condition(r#"{"attribute": "a", "op": "lt"}"#)),
        c("invalid_condition/exists-with-value", &condition(r#"{"attribute": "a", "op": "exists", "value": true}"#)),
        c("invalid_condition/segment-refers-to-segment", r#"{"schemaVersion": 1, "segments": {"s": {"rules": [{"conditions": [{"op": "inSegment", "value": "t"}]}]}, "t": {"keys": ["a"]}}, "flags": {}}"#),
        // weights_sum
        c("weights_sum/under", &default_serve(r#"{"split": [{"variant": "on", "weight": 50}, {"variant": "off", "weight": 40}]}"#)),
        c("weights_sum/over", &default_serve(r#"{"split": [{"variant": "on", "weight": 50}, {"variant": "off", "weight": 60}]}"#)),
        c("weights_sum/thirds", &default_serve(r#"{"split": [{"variant": "on", "weight": 33.333}, {"variant": "off", "weight": 66.666}]}"#)),
        c("weights_sum/in-stage", &default_serve(r#"{"stages": [{"split": [{"variant": "on", "weight": 5}]}]}"#)),
        // percentages
        c("percentage_out_of_range/negative", &default_serve(r#"{"split": [{"variant": "on", "weight": -1}, {"variant": "off", "weight": 101}]}"#)),
        c("percentage_out_of_range/huge", &default_serve(r#"{"split": [{"variant": "on", "weight": 1e9}]}"#)),
        c("percentage_precision/four-decimals", &default_serve(r#"{"split": [{"variant": "on", "weight": 0.0001}, {"variant": "off", "weight": 99.9999}]}"#)),
        // unknown_variant
        c("unknown_variant/off-variant", &one_flag(r#"{"enabled": true, "offVariant": "of", "default": {"variant": "on"}}"#)),
        c("unknown_variant/serve", &default_serve(r#"{"variant": "yes"}"#)),
        c("unknown_variant/rule", &one_flag(r#"{"enabled": true, "rules": [{"conditions": [], "serve": {"variant": "onn"}}], "default": {"variant": "on"}}"#)),
        c("unknown_variant/split", &default_serve(r#"{"split": [{"variant": "on", "weight": 50}, {"variant": "maybe", "weight": 50}]}"#)),
        c("unknown_variant/stage", &default_serve(r#"{"stages": [{"variant": "off"}, {"from": "2026-12-01T00:00:00Z", "variant": "yes"}]}"#)),
        c("unknown_variant/prerequisite", r#"{"schemaVersion": 1, "flags": {"f": {"enabled": true, "prerequisites": [{"flag": "g", "variants": ["on", "maybe"]}], "default": {"variant": "on"}}, "g": {"enabled": true, "default": {"variant": "on"}}}}"#),
        // unknown_segment / unknown_prerequisite
        c("unknown_segment/typo", r#"{"schemaVersion": 1, "segments": {"staff": {"keys": ["a"]}}, "flags": {"f": {"enabled": true, "rules": [{"conditions": [{"op": "inSegment", "values": ["staff", "stafff"]}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}}}"#),
        c("unknown_prerequisite/missing-flag", &one_flag(r#"{"enabled": true, "prerequisites": [{"flag": "nope", "variant": "on"}], "default": {"variant": "on"}}"#)),
        // prerequisite_cycle / prerequisite_depth
        c("prerequisite_cycle/self", &one_flag(r#"{"enabled": true, "prerequisites": [{"flag": "f", "variant": "on"}], "default": {"variant": "on"}}"#)),
        c("prerequisite_cycle/two", r#"{"schemaVersion": 1, "flags": {"a": {"enabled": true, "prerequisites": [{"flag": "b", "variant": "on"}], "default": {"variant": "on"}}, "b": {"enabled": true, "prerequisites": [{"flag": "a", "variant": "on"}], "default": {"variant": "on"}}}}"#),
        c("prerequisite_cycle/three-with-tail", r#"{"schemaVersion": 1, "flags": {"entry": {"enabled": true, "prerequisites": [{"flag": "a", "variant": "on"}], "default": {"variant": "on"}}, "a": {"enabled": true, "prerequisites": [{"flag": "ok", "variant": "on"}, {"flag": "b", "variant": "on"}], "default": {"variant": "on"}}, "b": {"enabled": true, "prerequisites": [{"flag": "c", "variant": "on"}], "default": {"variant": "on"}}, "c": {"enabled": true, "prerequisites": [{"flag": "a", "variant": "off"}], "default": {"variant": "on"}}, "ok": {"enabled": true, "default": {"variant": "on"}}}}"#),
        c("prerequisite_cycle/two-cycles", r#"{"schemaVersion": 1, "flags": {"a": {"enabled": true, "prerequisites": [{"flag": "a", "variant": "on"}], "default": {"variant": "on"}}, "b": {"enabled": true, "prerequisites": [{"flag": "c", "variant": "on"}], "default": {"variant": "on"}}, "c": {"enabled": true, "prerequisites": [{"flag": "b", "variant": "on"}], "default": {"variant": "on"}}}}"#),
        c("valid/prerequisite-chain-at-limit", &chain(33)),
        c("prerequisite_depth/chain-over-limit", &chain(35)),
        c("valid/prerequisite-fan-out-under-limit", &diamond(9, 2)),
        c("prerequisite_depth/fan-out-over-limit", &diamond(33, 2)),
        // invalid_semver / invalid_timestamp
        c("invalid_semver/x", &condition(r#"{"attribute": "v", "op": "semverLt", "value": "2.x"}"#)),
        c("invalid_semver/four-parts", &condition(r#"{"attribute": "v", "op": "semverEq", "value": "1.2.3.4"}"#)),
        c("invalid_semver/empty", &condition(r#"{"attribute": "v", "op": "semverGt", "value": ""}"#)),
        c("invalid_timestamp/word", &condition(r#"{"attribute": "t", "op": "before", "value": "yesterday"}"#)),
        c("invalid_timestamp/month-13", &condition(r#"{"attribute": "t", "op": "after", "value": "2026-13-01T00:00:00Z"}"#)),
        c("invalid_timestamp/no-offset", &condition(r#"{"attribute": "t", "op": "after", "value": "2026-11-22T09:00:00"}"#)),
        c("invalid_timestamp/fractional-millis", &condition(r#"{"attribute": "t", "op": "after", "value": 1.5}"#)),
        c("invalid_timestamp/stage-from", &default_serve(r#"{"stages": [{"variant": "off"}, {"from": "next monday", "variant": "on"}]}"#)),
        // issue 14: invalid_regex / regex_too_large / invalid_cidr, ignoreCase, isType, lists
        c("invalid_regex/unclosed-group", &condition(r#"{"attribute": "ua", "op": "matches", "value": "(iPhone"}"#)),
        c("invalid_regex/backreference", &condition(r#"{"attribute": "ua", "op": "matches", "value": "(a)\\1"}"#)),
        c("invalid_regex/lookahead", &condition(r#"{"attribute": "ua", "op": "matches", "value": "a(?=b)"}"#)),
        c("regex_too_large/long-pattern", &condition(&format!(r#"{{"attribute": "ua", "op": "matches", "value": "{}"}}"#, "a".repeat(1025)))),
        c("regex_too_large/repetition", &condition(r#"{"attribute": "ua", "op": "matches", "value": "((a{100}){100}){100}"}"#)),
        c("valid/regex-at-limit", &condition(&format!(r#"{{"attribute": "ua", "op": "matches", "value": "{}"}}"#, "a".repeat(1024)))),
        c("invalid_cidr/host-bits", &condition(r#"{"attribute": "ip", "op": "inCidr", "values": ["10.0.0.0/8", "10.1.0.0/8"]}"#)),
        c("invalid_cidr/prefix-too-long", &condition(r#"{"attribute": "ip", "op": "inCidr", "value": "2001:db8::/129"}"#)),
        c("invalid_cidr/not-an-address", &condition(r#"{"attribute": "ip", "op": "inCidr", "value": "localhost"}"#)),
        c("wrong_type/inCidr-number", &condition(r#"{"attribute": "ip", "op": "inCidr", "value": 167772161}"#)),
        c("invalid_condition/ignoreCase-on-lt", &condition(r#"{"attribute": "n", "op": "lt", "value": 3, "ignoreCase": true}"#)),
        c("invalid_condition/ignoreCase-on-matches", &condition(r#"{"attribute": "ua", "op": "matches", "value": "x", "ignoreCase": true}"#)),
        c("wrong_type/ignoreCase-string", &condition(r#"{"attribute": "a", "op": "equals", "value": "x", "ignoreCase": "yes"}"#)),
        c("invalid_condition/isType-unknown", &condition(r#"{"attribute": "a", "op": "isType", "value": "integer"}"#)),
        c("wrong_type/anyOf-boolean", &condition(r#"{"attribute": "a", "op": "anyOf", "values": ["x", true]}"#)),
        c("invalid_condition/allOf-empty", &condition(r#"{"attribute": "a", "op": "allOf", "values": []}"#)),
        c("wrong_type/sizeEq-string", &condition(r#"{"attribute": "a", "op": "sizeEq", "value": "2"}"#)),
        c("wrong_type/strLt-number", &condition(r#"{"attribute": "a", "op": "strLt", "value": 2}"#)),
        c("unknown_operator/regex", &condition(r#"{"attribute": "a", "op": "regex", "value": "x"}"#)),
        c("valid/semver-capital-V", &condition(r#"{"attribute": "v", "op": "semverGte", "value": "V2.0.0"}"#)),
        c("valid/issue-14-operators", &condition(r#"{"attribute": "a", "op": "noneOf", "values": ["x", 1], "ignoreCase": true}"#)),
        // variant_type_mismatch
        c("variant_type_mismatch/declared", &one_flag(r#"{"type": "string", "variants": {"a": "A", "b": 2}, "offVariant": "a", "enabled": true, "default": {"variant": "a"}}"#)),
        c("variant_type_mismatch/inferred", &one_flag(r#"{"variants": {"on": true, "off": "no"}, "enabled": true, "default": {"variant": "on"}}"#)),
        c("variant_type_mismatch/number-flag", &one_flag(r#"{"type": "number", "variants": {"a": 1, "b": "2", "c": null}, "offVariant": "a", "enabled": true, "default": {"variant": "a"}}"#)),
        // stages_out_of_order
        c("stages_out_of_order/equal", &default_serve(r#"{"stages": [{"from": "2026-12-01T00:00:00Z", "variant": "off"}, {"from": "2026-12-01T01:00:00+01:00", "variant": "on"}]}"#)),
        c("stages_out_of_order/decreasing", &default_serve(r#"{"stages": [{"variant": "off"}, {"from": 1800000000000, "variant": "on"}, {"from": 1700000000000, "variant": "off"}]}"#)),
        // invalid_value
        c("invalid_value/empty-flag-key", &format!(r#"{{"schemaVersion": 1, "flags": {{"": {ok_flag}}}}}"#)),
        c("invalid_value/empty-segment-name", r#"{"schemaVersion": 1, "segments": {"": {"keys": ["a"]}}, "flags": {}}"#),
        c("invalid_value/empty-variant-name", &one_flag(r#"{"type": "string", "variants": {"": "x", "a": "y"}, "offVariant": "a", "enabled": true, "default": {"variant": "a"}}"#)),
        c("invalid_value/no-variants", &one_flag(r#"{"type": "string", "variants": {}, "enabled": true, "default": {"variant": "a"}}"#)),
        c("invalid_value/unknown-type", &one_flag(r#"{"type": "integer", "variants": {"a": 1}, "offVariant": "a", "enabled": true, "default": {"variant": "a"}}"#)),
        c("invalid_value/empty-bucket-by", &one_flag(r#"{"enabled": true, "bucketBy": "", "default": {"variant": "on"}}"#)),
        c("invalid_value/serve-two-kinds", &default_serve(r#"{"variant": "on", "split": [{"variant": "on", "weight": 100}]}"#)),
        c("invalid_value/serve-nothing", &default_serve("{}")),
        c("invalid_value/empty-split", &default_serve(r#"{"split": []}"#)),
        c("invalid_value/empty-stages", &default_serve(r#"{"stages": []}"#)),
        c("invalid_value/stage-two-kinds", &default_serve(r#"{"stages": [{"variant": "on", "split": [{"variant": "on", "weight": 100}]}]}"#)),
        c("invalid_value/prerequisite-empty-variants", r#"{"schemaVersion": 1, "flags": {"f": {"enabled": true, "prerequisites": [{"flag": "g", "variants": []}], "default": {"variant": "on"}}, "g": {"enabled": true, "default": {"variant": "on"}}}}"#),
        c("invalid_value/prerequisite-variant-and-variants", r#"{"schemaVersion": 1, "flags": {"f": {"enabled": true, "prerequisites": [{"flag": "g", "variant": "on", "variants": ["on"]}], "default": {"variant": "on"}}, "g": {"enabled": true, "default": {"variant": "on"}}}}"#),
        // Rollout plans (flag.plan).
        c("plan/invalid-duration", &one_flag(r#"{"enabled": true, "default": {"variant": "off"}, "plan": {"stages": [{"percentage": 5, "minDuration": "one day"}, {"percentage": 100, "minDuration": -5}]}}"#)),
        c("plan/percentages-not-increasing", &one_flag(r#"{"enabled": true, "default": {"variant": "off"}, "plan": {"stages": [{"percentage": 20}, {"percentage": 20}, {"percentage": 5}]}}"#)),
        c("plan/guardrail-window", &one_flag(r#"{"enabled": true, "default": {"variant": "off"}, "plan": {"stages": [{"percentage": 100}], "guardrails": [{"metric": "errors", "kind": "proportion", "threshold": {"absolute": 0.05}, "window": "2 minutes", "severity": "critical", "action": "rollback"}]}}"#)),
        c("plan/control-is-variant", &one_flag(r#"{"enabled": true, "default": {"variant": "off"}, "plan": {"variant": "on", "controlVariant": "on", "stages": [{"percentage": 100}]}}"#)),
        // Everything at once: validation reports every problem, not the first.
        c(
            "many/every-problem-reported",
            r#"{"schemaVersion": 1, "segments": {"unused": {"keys": ["x", "x"]}},
                "flags": {
                  "a": {"enabled": "yes", "default": {"variant": "on"}},
                  "b": {"enabled": true, "rules": [{"conditions": [{"attribute": "v", "op": "semverLt", "value": "x"}, {"attribute": "c", "op": "equalz", "value": 1}], "serve": {"variant": "nope"}}],
                        "default": {"split": [{"variant": "on", "weight": 60}, {"variant": "off", "weight": 30}]}},
                  "c": {"enabled": true, "prerequisites": [{"flag": "zzz", "variant": "on"}], "default": {"stages": [{"from": 2, "variant": "on"}, {"from": 1, "variant": "off"}]}},
                  "d": {"enabled": true, "typo": 1, "default": {"variant": "on"}}
                }}"#,
        ),
        c("many/unicode-keys-in-paths", r#"{"schemaVersion": 1, "flags": {"flag with spaces": {"enabled": 1, "default": {"variant": "on"}}, "🚩": {"enabled": true, "default": {"variant": "no"}}, "quote\"key": {"enabled": true}}}"#),
        // A report lists 100 problems of a severity, then one that counts the rest.
        (
            "too_many_problems/warnings",
            format!(
                r#"{{"schemaVersion": 1, "segments": {{"s": {{"keys": ["k", {}]}}}}, "flags": {{"f": {{"enabled": true, "rules": [{{"conditions": [{{"op": "inSegment", "value": "s"}}], "serve": {{"variant": "on"}}}}], "default": {{"variant": "off"}}}}}}}}"#,
                vec![r#""k""#; 102].join(", ")
            ),
            None,
        ),
        c(
            "duplicate_key/in-metadata",
            r#"{"schemaVersion": 1, "metadata": {"owner": "a", "owner": "b"}, "flags": {}}"#,
        ),
        // too_large (only bindings that can set the store's byte limit replay this).
        ("too_large/over-limit", r#"{"schemaVersion": 1, "flags": {}, "description": "this config is over 64 bytes long"}"#.to_owned(), Some(64)),
    ]
}

fn problems(list: &[Problem]) -> Value {
    Value::Array(
        list.iter()
            .map(|p| json!({ "code": p.code.as_str(), "path": p.path }))
            .collect(),
    )
}

pub(super) fn files() -> Vec<VectorFile> {
    let mut items = Vec::new();
    for (name, text, max_bytes) in cases().into_iter().chain(layers::cases()) {
        let result = match max_bytes {
            Some(limit) => Config::from_json_with_limits(&text, Limits { max_bytes: limit }),
            None => Config::from_json(&text),
        };
        let (valid, errors, warnings) = match result {
            Ok(config) => (true, Vec::new(), config.warnings().to_vec()),
            Err(ConfigError::Invalid(report)) => (false, report.errors, report.warnings),
            Err(other) => (false, other.problems(), Vec::new()),
        };
        let mut case = Map::new();
        case.insert("id".into(), json!(name));
        case.insert("config".into(), json!(text));
        if let Some(limit) = max_bytes {
            case.insert("maxBytes".into(), json!(limit));
        }
        case.insert("valid".into(), json!(valid));
        case.insert("errors".into(), problems(&errors));
        case.insert("warnings".into(), problems(&warnings));
        items.push(compact(&Value::Object(case)));
    }
    let header = [
        ("format", json!("flagcore-vectors/validation/1")),
        ("description", json!("Configs and the exact problems the core reports: valid (warnings only) or refused (errors, then warnings), each problem as its code and JSON path, in order.")),
        ("count", json!(items.len())),
    ];
    vec![VectorFile {
        name: "validation.json".to_owned(),
        text: render(&header, "cases", &items),
    }]
}
