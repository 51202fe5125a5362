//! Issue 14's targeting: list attributes and the list operators, `ignoreCase`, `matches`,
//! `inCidr`, string order, `isType`, numbers sent as text, `V` versions; and the truth
//! table (missing, null, wrong type, unparsable) for every operator, plain and negated.

use serde_json::{json, Map, Value};

use super::{ctx, Group};

/// A config of one-rule boolean flags, one per (name, condition), each also negated.
fn flags_config(table: &[(String, Value)]) -> Value {
    let mut flags = Map::new();
    for (name, cond) in table {
        for negate in [false, true] {
            let mut c = cond.clone();
            let key = if negate {
                c["negate"] = json!(true);
                format!("{name}-negated")
            } else {
                name.clone()
            };
            flags.insert(
                key,
                json!({
                    "enabled": true,
                    "rules": [{ "id": "match", "conditions": [c], "serve": { "variant": "on" } }],
                    "default": { "variant": "off" }
                }),
            );
        }
    }
    json!({
        "schemaVersion": 1,
        "segments": { "testers": { "keys": ["user-qa"], "rules": [{ "conditions": [{ "attribute": "groups", "op": "anyOf", "values": ["qa"] }] }] } },
        "flags": flags
    })
}

/// (flag name, condition, the attribute's values to try; `Null` means absent).
fn operator_table() -> Vec<(&'static str, Value, Vec<Value>)> {
    let missing = Value::Null;
    let groups = vec![
        json!(["admins", "beta"]),
        json!(["Admins", "BETA"]),
        json!(["beta"]),
        json!(["admins"]),
        json!(["ops", "admins", "beta", "admins"]),
        json!([]),
        json!(["x", 7]),
        json!([7]),
        json!("admins"),
        json!("beta"),
        json!(7),
        json!(true),
        missing.clone(),
    ];
    let addresses = vec![
        json!("10.0.0.1"),
        json!("10.255.255.255"),
        json!("11.0.0.1"),
        json!("192.168.1.20"),
        json!("192.168.2.1"),
        json!("2001:db8::1"),
        json!("2001:DB8:0:0:0:0:0:ff"),
        json!("2001:db9::1"),
        json!("::ffff:10.0.0.1"),
        json!("10.0.0.1/8"),
        json!(" 10.0.0.1"),
        json!("010.0.0.1"),
        json!("not an address"),
        json!(["11.0.0.1", "10.9.9.9"]),
        json!(167_772_161),
        missing.clone(),
    ];
    let names = vec![
        json!("JOSÉ"),
        json!("josé"),
        json!("José"),
        json!("jose\u{301}"),
        json!("JOSE"),
        json!("İSTANBUL"),
        json!("istanbul"),
        json!("STRASSE"),
        json!("straße"),
        json!("ΟΔΥΣΣΕΥΣ"),
        json!(["ana", "JOSÉ"]),
        json!(5),
        missing.clone(),
    ];
    let text_numbers = vec![
        json!("12"),
        json!("10"),
        json!("9.5"),
        json!("1e1"),
        json!("-3"),
        json!("012"),
        json!("12 "),
        json!("+12"),
        json!("0x10"),
        json!("Infinity"),
        json!("1e400"),
        json!(""),
        json!(12),
        json!(["3", "12"]),
        missing.clone(),
    ];
    let words = vec![
        json!("apple"),
        json!("banana"),
        json!("Banana"),
        json!("banana split"),
        json!("cherry"),
        json!(""),
        json!("é"),
        json!(["apple", "cherry"]),
        json!(5),
        missing.clone(),
    ];
    let typed = vec![
        json!("text"),
        json!(""),
        json!(1),
        json!(0.5),
        json!(false),
        json!([]),
        json!(["a", 1]),
        missing.clone(),
    ];
    vec![
        (
            "in-list",
            json!({"attribute": "groups", "op": "in", "values": ["admins", "ops"]}),
            groups.clone(),
        ),
        (
            "equals-list",
            json!({"attribute": "groups", "op": "equals", "value": "beta"}),
            groups.clone(),
        ),
        (
            "startsWith-list",
            json!({"attribute": "groups", "op": "startsWith", "value": "adm"}),
            groups.clone(),
        ),
        (
            "anyOf",
            json!({"attribute": "groups", "op": "anyOf", "values": ["admins", "ops", 7]}),
            groups.clone(),
        ),
        (
            "anyOf-ignoreCase",
            json!({"attribute": "groups", "op": "anyOf", "values": ["ADMINS"], "ignoreCase": true}),
            groups.clone(),
        ),
        (
            "allOf",
            json!({"attribute": "groups", "op": "allOf", "values": ["admins", "beta"]}),
            groups.clone(),
        ),
        (
            "allOf-ignoreCase",
            json!({"attribute": "groups", "op": "allOf", "values": ["admins", "beta"], "ignoreCase": true}),
            groups.clone(),
        ),
        (
            "allOf-one",
            json!({"attribute": "groups", "op": "allOf", "values": ["admins", "admins"]}),
            groups.clone(),
        ),
        (
            "noneOf",
            json!({"attribute": "groups", "op": "noneOf", "values": ["admins", 7]}),
            groups.clone(),
        ),
        (
            "sizeEq",
            json!({"attribute": "groups", "op": "sizeEq", "value": 2}),
            groups.clone(),
        ),
        (
            "sizeLt",
            json!({"attribute": "groups", "op": "sizeLt", "value": 2}),
            groups.clone(),
        ),
        (
            "sizeLte",
            json!({"attribute": "groups", "op": "sizeLte", "value": 1}),
            groups.clone(),
        ),
        (
            "sizeGt",
            json!({"attribute": "groups", "op": "sizeGt", "value": 1}),
            groups.clone(),
        ),
        (
            "sizeGte",
            json!({"attribute": "groups", "op": "sizeGte", "value": 4}),
            groups,
        ),
        (
            "equals-ignoreCase",
            json!({"attribute": "name", "op": "equals", "value": "josé", "ignoreCase": true}),
            names.clone(),
        ),
        (
            "in-ignoreCase",
            json!({"attribute": "name", "op": "in", "values": ["JOSÉ", "i\u{307}stanbul", "straße", "οδυσσευσ"], "ignoreCase": true}),
            names.clone(),
        ),
        (
            "notIn-ignoreCase",
            json!({"attribute": "name", "op": "notIn", "values": ["JOSÉ"], "ignoreCase": true}),
            names.clone(),
        ),
        (
            "startsWith-ignoreCase",
            json!({"attribute": "name", "op": "startsWith", "value": "jos", "ignoreCase": true}),
            names.clone(),
        ),
        (
            "endsWith-ignoreCase",
            json!({"attribute": "name", "op": "endsWith", "value": "SÉ", "ignoreCase": true}),
            names.clone(),
        ),
        (
            "contains-ignoreCase",
            json!({"attribute": "name", "op": "contains", "values": ["OS", "ss"], "ignoreCase": true}),
            names.clone(),
        ),
        (
            "matches",
            json!({"attribute": "name", "op": "matches", "value": "^J.S[ÉE]$"}),
            names.clone(),
        ),
        (
            "matches-ascii-case",
            json!({"attribute": "name", "op": "matches", "value": "(?i)^jos"}),
            names,
        ),
        (
            "matches-unanchored",
            json!({"attribute": "word", "op": "matches", "value": "an+a"}),
            words.clone(),
        ),
        (
            "inCidr-v4",
            json!({"attribute": "ip", "op": "inCidr", "values": ["10.0.0.0/8", "192.168.1.0/24"]}),
            addresses.clone(),
        ),
        (
            "inCidr-v6",
            json!({"attribute": "ip", "op": "inCidr", "values": ["2001:db8::/32", "::ffff:0:0/96"]}),
            addresses.clone(),
        ),
        (
            "inCidr-address",
            json!({"attribute": "ip", "op": "inCidr", "value": "10.0.0.1"}),
            addresses,
        ),
        (
            "strLt",
            json!({"attribute": "word", "op": "strLt", "value": "banana"}),
            words.clone(),
        ),
        (
            "strLte",
            json!({"attribute": "word", "op": "strLte", "value": "banana"}),
            words.clone(),
        ),
        (
            "strGt",
            json!({"attribute": "word", "op": "strGt", "value": "banana"}),
            words.clone(),
        ),
        (
            "strGte",
            json!({"attribute": "word", "op": "strGte", "value": "banana"}),
            words,
        ),
        (
            "isType-string",
            json!({"attribute": "v", "op": "isType", "value": "string"}),
            typed.clone(),
        ),
        (
            "isType-number",
            json!({"attribute": "v", "op": "isType", "value": "number"}),
            typed.clone(),
        ),
        (
            "isType-boolean",
            json!({"attribute": "v", "op": "isType", "value": "boolean"}),
            typed.clone(),
        ),
        (
            "isType-list",
            json!({"attribute": "v", "op": "isType", "value": "list"}),
            typed,
        ),
        (
            "gte-text",
            json!({"attribute": "seats", "op": "gte", "value": 10}),
            text_numbers.clone(),
        ),
        (
            "lt-text",
            json!({"attribute": "seats", "op": "lt", "value": 10}),
            text_numbers.clone(),
        ),
        (
            "equals-number-text",
            json!({"attribute": "seats", "op": "equals", "value": 12}),
            text_numbers,
        ),
        (
            "semverGte-capital-V",
            json!({"attribute": "appVersion", "op": "semverGte", "value": "V2.3.0"}),
            vec![
                json!("V2.3.0"),
                json!("v2.3.0"),
                json!("2.3.0"),
                json!("V2.2.9"),
                json!("VV2.3.0"),
                json!("V 2.3.0"),
                json!(["1.0.0", "V2.4.0"]),
                json!(["1.0.0", "garbage"]),
                missing,
            ],
        ),
    ]
}

/// Every operator once, for the truth table (a condition each; all read `a`).
fn truth_table_operators() -> Vec<(String, Value)> {
    let mut ops = vec![
        ("equals", json!({"op": "equals", "value": "x"})),
        ("in", json!({"op": "in", "values": ["x", "y"]})),
        ("notIn", json!({"op": "notIn", "values": ["x", "y"]})),
        ("startsWith", json!({"op": "startsWith", "value": "x"})),
        ("endsWith", json!({"op": "endsWith", "value": "x"})),
        ("contains", json!({"op": "contains", "value": "x"})),
        ("lt", json!({"op": "lt", "value": 10})),
        ("lte", json!({"op": "lte", "value": 10})),
        ("gt", json!({"op": "gt", "value": 10})),
        ("gte", json!({"op": "gte", "value": 10})),
        ("semverEq", json!({"op": "semverEq", "value": "1.0.0"})),
        ("semverLt", json!({"op": "semverLt", "value": "1.0.0"})),
        ("semverLte", json!({"op": "semverLte", "value": "1.0.0"})),
        ("semverGt", json!({"op": "semverGt", "value": "1.0.0"})),
        ("semverGte", json!({"op": "semverGte", "value": "1.0.0"})),
        (
            "before",
            json!({"op": "before", "value": "2026-01-01T00:00:00Z"}),
        ),
        (
            "after",
            json!({"op": "after", "value": "2026-01-01T00:00:00Z"}),
        ),
        ("exists", json!({"op": "exists"})),
        ("anyOf", json!({"op": "anyOf", "values": ["x", 10]})),
        ("allOf", json!({"op": "allOf", "values": ["x"]})),
        ("noneOf", json!({"op": "noneOf", "values": ["x", 10]})),
        ("sizeEq", json!({"op": "sizeEq", "value": 1})),
        ("sizeLt", json!({"op": "sizeLt", "value": 1})),
        ("sizeLte", json!({"op": "sizeLte", "value": 1})),
        ("sizeGt", json!({"op": "sizeGt", "value": 1})),
        ("sizeGte", json!({"op": "sizeGte", "value": 1})),
        ("matches", json!({"op": "matches", "value": "^x"})),
        ("inCidr", json!({"op": "inCidr", "value": "10.0.0.0/8"})),
        ("strLt", json!({"op": "strLt", "value": "x"})),
        ("strLte", json!({"op": "strLte", "value": "x"})),
        ("strGt", json!({"op": "strGt", "value": "x"})),
        ("strGte", json!({"op": "strGte", "value": "x"})),
        ("isType", json!({"op": "isType", "value": "string"})),
        ("equals-number", json!({"op": "equals", "value": 10})),
        ("equals-bool", json!({"op": "equals", "value": true})),
        (
            "equals-ignoreCase",
            json!({"op": "equals", "value": "X", "ignoreCase": true}),
        ),
    ];
    let mut out: Vec<(String, Value)> = ops
        .drain(..)
        .map(|(name, mut cond)| {
            cond["attribute"] = json!("a");
            (format!("tt-{name}"), cond)
        })
        .collect();
    // inSegment names no attribute: the segment's rule reads `groups`.
    out.push((
        "tt-inSegment".to_owned(),
        json!({"op": "inSegment", "value": "testers"}),
    ));
    out
}

/// The truth table's attribute values: missing, null, each type, and unparsable text.
fn truth_table_values() -> Vec<Value> {
    vec![
        json!({}),
        json!({"a": null}),
        json!({"a": "x"}),
        json!({"a": "y"}),
        json!({"a": 10}),
        json!({"a": 5}),
        json!({"a": true}),
        json!({"a": []}),
        json!({"a": ["x"]}),
        json!({"a": ["x", 10]}),
        json!({"a": ["y", "z"]}),
        json!({"a": "not-parsable: 1.0.x 2026-13-45 10.0.0.999"}),
        json!({"a": "1.0.0"}),
        json!({"a": "2025-06-01T00:00:00Z"}),
        json!({"a": "10.1.2.3"}),
        json!({"a": "10"}),
        json!({"groups": ["qa"]}),
        json!({"groups": "qa"}),
    ]
}

pub(super) fn groups() -> Vec<Group> {
    let table = operator_table();
    let conds: Vec<(String, Value)> = table
        .iter()
        .map(|(n, c, _)| ((*n).to_owned(), c.clone()))
        .collect();
    let mut g = Group::with_config_value(
        "targeting",
        "Lists (scalar operators match when any element matches; anyOf/allOf/noneOf read the list whole, a scalar being a list of one; size* need a list), ignoreCase (Unicode lowercase per character), matches (regex-lite), inCidr (IPv4 and IPv6), strLt..strGte (code point order), isType, numbers sent as text (lt..gte read a JSON-style number), V-prefixed versions. Each plain and negated.",
        &flags_config(&conds),
    );
    for (name, cond, values) in &table {
        let attr = cond["attribute"].as_str().unwrap_or("key");
        for negate in [false, true] {
            let flag = if negate {
                format!("{name}-negated")
            } else {
                (*name).to_owned()
            };
            for v in values {
                let c = if v.is_null() {
                    ctx(Some("user-1"), &[("other", json!("x"))])
                } else {
                    ctx(Some("user-1"), &[(attr, v.clone())])
                };
                g.eval(&flag, c, None);
            }
        }
    }
    let ops = truth_table_operators();
    let mut t = Group::with_config_value(
        "truth-table",
        "Every operator, plain and negated, against a missing attribute, null (absent), each type, lists (empty, matching, mixed, non-matching) and unparsable text: a test that cannot compare never matches, negated or not; exists and inSegment are the exceptions (docs/config.md, \"Missing, null, wrong type, unparsable\").",
        &flags_config(&ops),
    );
    for (name, _) in &ops {
        for negate in [false, true] {
            let flag = if negate {
                format!("{name}-negated")
            } else {
                name.clone()
            };
            for v in truth_table_values() {
                let mut c = Map::new();
                c.insert("key".into(), json!("user-1"));
                if let Value::Object(m) = v {
                    c.extend(m);
                }
                t.eval(&flag, Value::Object(c), None);
            }
        }
    }
    vec![g, t]
}
