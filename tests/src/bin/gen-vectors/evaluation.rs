//! Evaluation vectors: configs, contexts, evaluation times and overrides, with what the
//! Rust core answers.

use flagcore::{At, Context, Override, Store};
use serde_json::{json, Map, Value};

use super::{compact, VectorFile};

mod layers;
mod targeting;

/// 2026-11-22T00:00:00Z in Unix milliseconds.
const NOV22: i64 = 1_795_305_600_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// Times at which a case without `at` is also evaluated: if any answer differs from the
/// answer without a time, the case is marked `noTime` (only bindings that can leave the
/// time out replay it).
const PROBE_TIMES: &[i64] = &[
    -62_135_596_800_000,
    0,
    NOV22,
    NOV22 + 8 * DAY + 9 * HOUR,
    NOV22 + 15 * DAY + 9 * HOUR,
    NOV22 + 22 * DAY + 9 * HOUR,
    4_102_444_800_000,
];

struct Group {
    name: String,
    description: String,
    config: String,
    overrides: Vec<Value>,
    cases: Vec<CaseSpec>,
}

struct CaseSpec {
    call: &'static str,
    flag: Option<String>,
    context: Value,
    at: Option<i64>,
    default: Option<Value>,
}

impl Group {
    fn new(name: &str, description: &str, config: impl Into<String>) -> Group {
        Group {
            name: name.to_owned(),
            description: description.to_owned(),
            config: config.into(),
            overrides: Vec::new(),
            cases: Vec::new(),
        }
    }

    fn with_config_value(name: &str, description: &str, config: &Value) -> Group {
        Group::new(name, description, compact(config))
    }

    fn kill(mut self, flag: &str) -> Group {
        self.overrides.push(json!({ "flag": flag, "kill": true }));
        self
    }

    fn force(mut self, flag: &str, variant: &str) -> Group {
        self.overrides
            .push(json!({ "flag": flag, "variant": variant }));
        self
    }

    fn eval(&mut self, flag: &str, context: Value, at: Option<i64>) {
        self.cases.push(CaseSpec {
            call: "evaluate",
            flag: Some(flag.to_owned()),
            context,
            at,
            default: None,
        });
    }

    fn typed(
        &mut self,
        call: &'static str,
        flag: &str,
        context: Value,
        at: Option<i64>,
        default: Value,
    ) {
        self.cases.push(CaseSpec {
            call,
            flag: Some(flag.to_owned()),
            context,
            at,
            default: Some(default),
        });
    }

    fn all(&mut self, context: Value, at: Option<i64>) {
        self.cases.push(CaseSpec {
            call: "evaluateAll",
            flag: None,
            context,
            at,
            default: None,
        });
    }
}

fn store_for(group: &Group) -> Store {
    let store = match Store::from_json(&group.config) {
        Ok(store) => store,
        Err(e) => fail(&format!("group {}: config refused: {e}", group.name)),
    };
    for o in &group.overrides {
        let flag = o["flag"].as_str().unwrap_or_default();
        let value = match o.get("variant").and_then(Value::as_str) {
            Some(v) => Override::Variant(v.to_owned()),
            None => Override::Kill,
        };
        if let Err(e) = store.set_override(flag, value) {
            fail(&format!("group {}: override refused: {e}", group.name));
        }
    }
    store
}

/// The generator's inputs are written in this file: a bad one is a bug to fix here.
fn fail(message: &str) -> ! {
    panic!("{message}")
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

fn answer(store: &Store, spec: &CaseSpec, at: Option<i64>) -> Value {
    let ctx = match Context::from_value(&spec.context) {
        Ok(ctx) => ctx,
        Err(e) => fail(&format!("bad context {}: {e}", spec.context)),
    };
    let snapshot = store.snapshot();
    // No time given is no time (At::Unset), never now: the vectors must not depend on the clock.
    let snap = snapshot.at(At::from(at));
    let flag = spec.flag.as_deref().unwrap_or_default();
    let details =
        |e: flagcore::Evaluation<'_>| serde_json::to_value(e.to_details()).unwrap_or(Value::Null);
    let default = spec.default.clone().unwrap_or(Value::Null);
    let with_value = |mut d: Value, v: Value| {
        d["value"] = v;
        d
    };
    match spec.call {
        "evaluate" => details(snap.evaluate(flag, &ctx)),
        "getBoolean" => {
            let r = snap.bool_value(flag, &ctx, default.as_bool().unwrap_or(false));
            with_value(details(r.evaluation), json!(r.value))
        }
        "getString" => {
            let r = snap.string_value(flag, &ctx, default.as_str().unwrap_or_default());
            with_value(details(r.evaluation), json!(r.value))
        }
        "getNumber" => {
            let r = snap.number_value(flag, &ctx, default.as_f64().unwrap_or(0.0));
            with_value(details(r.evaluation), number(r.value))
        }
        "getJson" => {
            let r = snap.json_value(flag, &ctx, &default);
            with_value(details(r.evaluation), r.value.clone())
        }
        "evaluateAll" => Value::Array(snap.evaluate_all(&ctx).map(details).collect()),
        other => fail(&format!("unknown call {other}")),
    }
}

fn render_group(group: &Group, out: &mut String, last: bool) -> usize {
    let store = store_for(group);
    out.push_str("    {\n");
    out.push_str(&format!(
        "      \"name\": {},\n",
        Value::from(group.name.as_str())
    ));
    out.push_str(&format!(
        "      \"description\": {},\n",
        Value::from(group.description.as_str())
    ));
    out.push_str(&format!(
        "      \"config\": {},\n",
        Value::from(group.config.as_str())
    ));
    out.push_str(&format!(
        "      \"overrides\": {},\n",
        Value::Array(group.overrides.clone())
    ));
    out.push_str("      \"cases\": [\n");
    for (i, spec) in group.cases.iter().enumerate() {
        let expect = answer(&store, spec, spec.at);
        let mut case = Map::new();
        case.insert("id".into(), json!(format!("{}/{}", group.name, i)));
        case.insert("call".into(), json!(spec.call));
        if let Some(flag) = &spec.flag {
            case.insert("flag".into(), json!(flag));
        }
        case.insert("context".into(), spec.context.clone());
        match spec.at {
            Some(at) => {
                case.insert("at".into(), json!(at));
            }
            None => {
                let time_matters = PROBE_TIMES
                    .iter()
                    .any(|&t| answer(&store, spec, Some(t)) != expect);
                if time_matters {
                    case.insert("noTime".into(), json!(true));
                }
            }
        }
        if let Some(default) = &spec.default {
            case.insert("default".into(), default.clone());
        }
        case.insert("expect".into(), expect);
        out.push_str("        ");
        out.push_str(&compact(&Value::Object(case)));
        out.push_str(if i + 1 < group.cases.len() {
            ",\n"
        } else {
            "\n"
        });
    }
    out.push_str("      ]\n");
    out.push_str(if last { "    }\n" } else { "    },\n" });
    group.cases.len()
}

fn file(name: &str, description: &str, groups: Vec<Group>) -> VectorFile {
    let mut body = String::new();
    let mut count = 0;
    for (i, g) in groups.iter().enumerate() {
        count += render_group(g, &mut body, i + 1 == groups.len());
    }
    let mut text = String::from("{\n");
    text.push_str("  \"format\": \"flagcore-vectors/evaluation/1\",\n");
    text.push_str("  \"hashVersion\": 1,\n");
    text.push_str(&format!(
        "  \"description\": {},\n",
        Value::from(description)
    ));
    text.push_str(&format!("  \"count\": {count},\n"));
    text.push_str("  \"groups\": [\n");
    text.push_str(&body);
    text.push_str("  ]\n}\n");
    VectorFile {
        name: name.to_owned(),
        text,
    }
}

/// A context: the key (or no key when `None`) plus attributes.
fn ctx(key: Option<&str>, attrs: &[(&str, Value)]) -> Value {
    let mut m = Map::new();
    if let Some(k) = key {
        m.insert("key".into(), json!(k));
    }
    for (name, value) in attrs {
        m.insert((*name).to_owned(), value.clone());
    }
    Value::Object(m)
}

fn user(n: usize) -> Value {
    ctx(Some(&format!("user-{n}")), &[])
}

// ---------------------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------------------

/// (flag name, condition, the attribute's values to try; `Null` means "absent").
fn operator_table() -> Vec<(&'static str, Value, Vec<Value>)> {
    let missing = Value::Null;
    let versions = vec![
        json!("2.2.9"),
        json!("2.3.0"),
        json!("2.3"),
        json!("v2.3.0"),
        json!("2.3.0+build.7"),
        json!("2.3.0-beta.1"),
        json!("2.3.0-rc.1"),
        json!("2.3.1"),
        json!("2.10.0"),
        json!("10.0.0"),
        json!("1.99.99"),
        json!("2.3.0.1"),
        json!("02.3.0"),
        json!("garbage"),
        json!(""),
        json!(230),
        missing.clone(),
    ];
    let numbers = vec![
        json!(9),
        json!(9.999),
        json!(10),
        json!(10.0),
        json!(10.001),
        json!(11),
        json!(-1e300),
        json!(1e300),
        json!(0),
        json!("9"),
        json!(false),
        missing.clone(),
    ];
    let times = vec![
        json!("2026-11-22T08:59:59.999Z"),
        json!("2026-11-22T09:00:00Z"),
        json!("2026-11-22T10:00:00+01:00"),
        json!("2026-11-22T09:00:00.001Z"),
        json!("2026-11-22"),
        json!("2026-11-23"),
        json!(NOV22 + 9 * HOUR - 1),
        json!(NOV22 + 9 * HOUR),
        json!(NOV22 + 9 * HOUR + 1),
        json!((NOV22 + 9 * HOUR) as f64 + 0.5),
        json!("not a date"),
        json!("2026-11-22T09:00:00"),
        json!(true),
        missing.clone(),
    ];
    let large: Vec<String> = (0..100).map(|i| format!("country-{i}")).collect();
    let mut t = vec![
        (
            "equals-string",
            json!({"attribute": "country", "op": "equals", "value": "DE"}),
            vec![
                json!("DE"),
                json!("de"),
                json!("DEU"),
                json!(" DE"),
                json!(""),
                json!(42),
                json!(true),
                missing.clone(),
            ],
        ),
        (
            "equals-number",
            json!({"attribute": "seats", "op": "equals", "value": 42}),
            vec![
                json!(42),
                json!(42.0),
                json!(42.5),
                json!("42"),
                json!(43),
                json!(-42),
                json!(true),
                missing.clone(),
            ],
        ),
        (
            "equals-decimal",
            json!({"attribute": "ratio", "op": "equals", "value": 0.1}),
            vec![
                json!(0.1),
                json!(0.1 + 0.2 - 0.2),
                json!(0.3),
                json!(0.30000000000000004),
                missing.clone(),
            ],
        ),
        (
            "equals-bool",
            json!({"attribute": "beta", "op": "equals", "value": true}),
            vec![
                json!(true),
                json!(false),
                json!("true"),
                json!(1),
                missing.clone(),
            ],
        ),
        (
            "equals-unicode",
            json!({"attribute": "name", "op": "equals", "value": "josé"}),
            vec![
                json!("josé"),
                json!("jose\u{301}"),
                json!("José"),
                json!("jose"),
                json!("josé\u{0}"),
                missing.clone(),
            ],
        ),
        (
            "in-mixed",
            json!({"attribute": "plan", "op": "in", "values": ["pro", "team", 3, false]}),
            vec![
                json!("pro"),
                json!("team"),
                json!("free"),
                json!("Pro"),
                json!(3),
                json!(3.0),
                json!(4),
                json!(false),
                json!(true),
                json!("3"),
                missing.clone(),
            ],
        ),
        (
            "in-large",
            json!({"attribute": "country", "op": "in", "values": large}),
            vec![
                json!("country-0"),
                json!("country-99"),
                json!("country-100"),
                json!("country-5 "),
                missing.clone(),
            ],
        ),
        (
            "notIn",
            json!({"attribute": "country", "op": "notIn", "values": ["DE", "AT"]}),
            vec![
                json!("DE"),
                json!("AT"),
                json!("FR"),
                json!(""),
                json!(5),
                missing.clone(),
            ],
        ),
        (
            "startsWith",
            json!({"attribute": "email", "op": "startsWith", "values": ["admin@", "ops-"]}),
            vec![
                json!("admin@x.com"),
                json!("ops-team@x.com"),
                json!("Admin@x.com"),
                json!("x-ops-"),
                json!("admin@"),
                json!(""),
                json!(5),
                missing.clone(),
            ],
        ),
        (
            "endsWith",
            json!({"attribute": "email", "op": "endsWith", "value": "@company.example"}),
            vec![
                json!("ana@company.example"),
                json!("ana@company.example.org"),
                json!("@company.example"),
                json!("ANA@COMPANY.EXAMPLE"),
                json!("ana@sub.company.example"),
                missing.clone(),
            ],
        ),
        (
            "contains",
            json!({"attribute": "userAgent", "op": "contains", "values": ["Chrome/", "Firefox/"]}),
            vec![
                json!("Mozilla/5.0 Chrome/120.0"),
                json!("Mozilla/5.0 Firefox/121.0"),
                json!("Mozilla/5.0 Safari/17"),
                json!("chrome/"),
                json!(""),
                missing.clone(),
            ],
        ),
        (
            "contains-unicode",
            json!({"attribute": "city", "op": "contains", "value": "東京"}),
            vec![
                json!("東京都"),
                json!("京都"),
                json!("Tōkyō"),
                json!("新東京"),
                missing.clone(),
            ],
        ),
        (
            "lt",
            json!({"attribute": "score", "op": "lt", "value": 10}),
            numbers.clone(),
        ),
        (
            "lte",
            json!({"attribute": "score", "op": "lte", "value": 10}),
            numbers.clone(),
        ),
        (
            "gt",
            json!({"attribute": "score", "op": "gt", "value": 10}),
            numbers.clone(),
        ),
        (
            "gte",
            json!({"attribute": "score", "op": "gte", "value": 10}),
            numbers.clone(),
        ),
        (
            "gt-negative-decimal",
            json!({"attribute": "balance", "op": "gt", "value": -2.5}),
            vec![
                json!(-2.5),
                json!(-2.4999),
                json!(-3),
                json!(0),
                missing.clone(),
            ],
        ),
        (
            "semverEq",
            json!({"attribute": "appVersion", "op": "semverEq", "value": "2.3.0"}),
            versions.clone(),
        ),
        (
            "semverLt",
            json!({"attribute": "appVersion", "op": "semverLt", "value": "2.3.0"}),
            versions.clone(),
        ),
        (
            "semverLte",
            json!({"attribute": "appVersion", "op": "semverLte", "value": "2.3.0"}),
            versions.clone(),
        ),
        (
            "semverGt",
            json!({"attribute": "appVersion", "op": "semverGt", "value": "2.3.0"}),
            versions.clone(),
        ),
        (
            "semverGte",
            json!({"attribute": "appVersion", "op": "semverGte", "value": "2.3.0"}),
            versions,
        ),
        (
            "semverLt-prerelease",
            json!({"attribute": "appVersion", "op": "semverLt", "value": "2.3.0-rc.2"}),
            vec![
                json!("2.3.0-beta.11"),
                json!("2.3.0-rc.1"),
                json!("2.3.0-rc.2"),
                json!("2.3.0-rc.10"),
                json!("2.3.0-rc"),
                json!("2.3.0-rc.2.1"),
                json!("2.3.0"),
                json!("2.2.99"),
            ],
        ),
        (
            "before",
            json!({"attribute": "signupAt", "op": "before", "value": "2026-11-22T09:00:00Z"}),
            times.clone(),
        ),
        (
            "after",
            json!({"attribute": "signupAt", "op": "after", "value": "2026-11-22T09:00:00Z"}),
            times.clone(),
        ),
        (
            "after-millis",
            json!({"attribute": "signupAt", "op": "after", "value": NOV22 + 9 * HOUR}),
            times,
        ),
        (
            "exists",
            json!({"attribute": "company", "op": "exists"}),
            vec![
                json!("acme"),
                json!(""),
                json!(0),
                json!(false),
                missing.clone(),
            ],
        ),
        (
            "key-startsWith",
            json!({"attribute": "key", "op": "startsWith", "value": "user-"}),
            Vec::new(),
        ),
        (
            "key-exists",
            json!({"attribute": "key", "op": "exists"}),
            Vec::new(),
        ),
    ];
    // Attribute names with characters that need care in every language.
    t.push((
        "unicode-attribute",
        json!({"attribute": "pays d’origine", "op": "equals", "value": "Côte d’Ivoire"}),
        vec![json!("Côte d’Ivoire"), json!("Cote d'Ivoire"), missing],
    ));
    t
}

fn operators() -> Group {
    let table = operator_table();
    let mut flags = Map::new();
    for (name, cond, _) in &table {
        for negate in [false, true] {
            let mut c = cond.clone();
            if negate {
                c["negate"] = json!(true);
            }
            let key = if negate {
                format!("{name}-negated")
            } else {
                (*name).to_owned()
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
    let config = json!({ "schemaVersion": 1, "flags": flags });
    let mut g = Group::with_config_value(
        "operators",
        "Every operator, plain and negated (\"negate\": true), against matching, non-matching, wrongly typed and absent attributes. A boolean flag serves on when its one rule matches.",
        &config,
    );
    for (name, cond, values) in &table {
        let attr = cond["attribute"].as_str().unwrap_or("key");
        let contexts: Vec<Value> = if attr == "key" {
            vec![
                ctx(Some("user-1"), &[]),
                ctx(Some("admin-1"), &[]),
                ctx(Some("user-"), &[]),
                ctx(Some(""), &[]),
                ctx(None, &[]),
                ctx(None, &[("key", Value::Null)]),
            ]
        } else {
            values
                .iter()
                .map(|v| {
                    if v.is_null() {
                        ctx(Some("user-1"), &[("other", json!("x"))])
                    } else {
                        ctx(Some("user-1"), &[(attr, v.clone())])
                    }
                })
                .collect()
        };
        for negate in [false, true] {
            let flag = if negate {
                format!("{name}-negated")
            } else {
                (*name).to_owned()
            };
            for c in &contexts {
                g.eval(&flag, c.clone(), None);
            }
        }
    }
    // Conditions of one rule must all hold.
    g
}

fn rules() -> Group {
    let config = r#"{
  "schemaVersion": 1,
  "flags": {
    "tier": {
      "type": "string",
      "variants": { "gold": "gold", "silver": "silver", "bronze": "bronze", "none": "none" },
      "enabled": true,
      "offVariant": "none",
      "rules": [
        { "id": "vip", "conditions": [{ "attribute": "vip", "op": "equals", "value": true }], "serve": { "variant": "gold" } },
        { "id": "big-eu", "conditions": [
            { "attribute": "seats", "op": "gte", "value": 100 },
            { "attribute": "country", "op": "in", "values": ["DE", "FR"] }
          ], "serve": { "variant": "silver" } },
        { "conditions": [{ "attribute": "seats", "op": "gte", "value": 100 }], "serve": { "variant": "bronze" } },
        { "id": "from-2027", "conditions": [{ "attribute": "early", "op": "exists" }],
          "serve": { "stages": [{ "from": "2027-01-01T00:00:00Z", "variant": "gold" }] } },
        { "id": "us-split", "conditions": [{ "attribute": "country", "op": "equals", "value": "US" }],
          "serve": { "split": [{ "variant": "silver", "weight": 50 }, { "variant": "bronze", "weight": 50 }] } },
        { "id": "no-conditions-staged", "conditions": [],
          "serve": { "stages": [{ "from": "2030-01-01T00:00:00Z", "variant": "bronze" }] } }
      ],
      "default": { "variant": "none" }
    }
  }
}"#;
    let mut g = Group::new(
        "rules",
        "Rule order: the first matching rule serves; all conditions of a rule must hold; a rule without id has ruleId null; a staged rule before its first stage falls through to the next rule; a rule serving a split reports its bucket; a split rule without a key is an error that names the rule.",
        config,
    );
    let at = Some(NOV22);
    let later = Some(1_798_761_600_000); // 2027-01-01T00:00:00Z
    let far = Some(1_893_456_000_000); // 2030-01-01T00:00:00Z
    let seats = |n: i64| json!(n);
    let cases: Vec<(Value, Option<i64>)> = vec![
        (
            ctx(
                Some("u1"),
                &[
                    ("vip", json!(true)),
                    ("seats", seats(500)),
                    ("country", json!("DE")),
                ],
            ),
            at,
        ),
        (
            ctx(
                Some("u1"),
                &[
                    ("vip", json!(false)),
                    ("seats", seats(500)),
                    ("country", json!("DE")),
                ],
            ),
            at,
        ),
        (
            ctx(
                Some("u1"),
                &[("seats", seats(100)), ("country", json!("FR"))],
            ),
            at,
        ),
        (
            ctx(
                Some("u1"),
                &[("seats", seats(99)), ("country", json!("FR"))],
            ),
            at,
        ),
        (
            ctx(
                Some("u1"),
                &[("seats", seats(150)), ("country", json!("US"))],
            ),
            at,
        ),
        (
            ctx(
                Some("u1"),
                &[("seats", json!("150")), ("country", json!("DE"))],
            ),
            at,
        ),
        (ctx(Some("u1"), &[("early", json!(true))]), at),
        (
            ctx(Some("u1"), &[("early", json!(true))]),
            Some(1_798_761_599_999),
        ),
        (ctx(Some("u1"), &[("early", json!(true))]), later),
        (
            ctx(
                Some("u1"),
                &[("early", json!(true)), ("country", json!("US"))],
            ),
            at,
        ),
        (ctx(Some("u1"), &[]), at),
        (ctx(Some("u1"), &[]), far),
        (ctx(None, &[("country", json!("US"))]), at),
        (ctx(None, &[("country", json!("DE"))]), at),
        (
            ctx(None, &[("vip", json!(true)), ("country", json!("US"))]),
            at,
        ),
    ];
    for (c, t) in cases {
        g.eval("tier", c, t);
    }
    for n in 0..24 {
        g.eval(
            "tier",
            ctx(Some(&format!("user-{n}")), &[("country", json!("US"))]),
            at,
        );
    }
    g
}

fn segments() -> Group {
    let members: Vec<String> = (0..10_000).map(|i| format!("member-{i}")).collect();
    let config = json!({
        "schemaVersion": 1,
        "segments": {
            "staff": {
                "description": "Named testers, minus one, plus everyone at the company.",
                "keys": ["user-qa-1", "user-qa-2", "user-pm"],
                "excluded": ["user-pm"],
                "rules": [{ "conditions": [{ "attribute": "email", "op": "endsWith", "value": "@company.example" }] }]
            },
            "big-list": { "keys": members, "excluded": ["member-13"] },
            "by-email": { "attribute": "email", "keys": ["a@x.com", "b@x.com"], "excluded": ["blocked@x.com"],
                          "rules": [{ "conditions": [{ "attribute": "email", "op": "endsWith", "value": "@x.com" }] }] },
            "by-org": { "attribute": "orgId", "keys": ["org-1"],
                        "rules": [{ "conditions": [
                            { "attribute": "appVersion", "op": "semverGte", "value": "3.0.0" },
                            { "attribute": "platform", "op": "equals", "value": "ios" }
                        ] }] },
            "nobody": { "rules": [] }
        },
        "flags": {
            "staff-only": { "enabled": true, "rules": [{ "id": "staff", "conditions": [{ "op": "inSegment", "value": "staff" }], "serve": { "variant": "on" } }], "default": { "variant": "off" } },
            "not-staff": { "enabled": true, "rules": [{ "id": "outsiders", "conditions": [{ "op": "inSegment", "value": "staff", "negate": true }], "serve": { "variant": "on" } }], "default": { "variant": "off" } },
            "members": { "enabled": true, "rules": [{ "id": "member", "conditions": [{ "op": "inSegment", "value": "big-list" }], "serve": { "variant": "on" } }], "default": { "variant": "off" } },
            "any-of": { "enabled": true, "rules": [{ "id": "email-or-org", "conditions": [{ "op": "inSegment", "values": ["by-email", "by-org"] }], "serve": { "variant": "on" } }], "default": { "variant": "off" } },
            "never": { "enabled": true, "rules": [{ "id": "nobody", "conditions": [{ "op": "inSegment", "value": "nobody" }], "serve": { "variant": "on" } }], "default": { "variant": "off" } }
        }
    });
    let mut g = Group::with_config_value(
        "segments",
        "Segments: explicit keys (a small list and a 10,000-key list), exclusions (which beat keys and rules), segment rules, a segment matching another attribute than the key, several segments in one condition (any of them), negated inSegment, an empty segment.",
        &config,
    );
    let contexts = vec![
        ctx(Some("user-qa-1"), &[]),
        ctx(
            Some("user-qa-2"),
            &[("email", json!("qa2@elsewhere.example"))],
        ),
        ctx(Some("user-pm"), &[]),
        ctx(Some("user-pm"), &[("email", json!("pm@company.example"))]),
        ctx(Some("user-9"), &[("email", json!("ana@company.example"))]),
        ctx(
            Some("user-9"),
            &[("email", json!("ana@company.example.org"))],
        ),
        ctx(Some("member-0"), &[]),
        ctx(Some("member-13"), &[]),
        ctx(Some("member-9999"), &[]),
        ctx(Some("member-10000"), &[]),
        ctx(Some("user-1"), &[("email", json!("a@x.com"))]),
        ctx(Some("user-1"), &[("email", json!("zed@x.com"))]),
        ctx(Some("user-1"), &[("email", json!("blocked@x.com"))]),
        ctx(Some("user-1"), &[("orgId", json!("org-1"))]),
        ctx(Some("user-1"), &[("orgId", json!(1))]),
        ctx(
            Some("user-1"),
            &[
                ("orgId", json!("org-2")),
                ("appVersion", json!("3.1.0")),
                ("platform", json!("ios")),
            ],
        ),
        ctx(
            Some("user-1"),
            &[
                ("appVersion", json!("3.1.0")),
                ("platform", json!("android")),
            ],
        ),
        ctx(None, &[]),
        ctx(None, &[("email", json!("b@x.com"))]),
    ];
    for flag in ["staff-only", "not-staff", "members", "any-of", "never"] {
        for c in &contexts {
            g.eval(flag, c.clone(), None);
        }
    }
    g
}

const PREREQ_CONFIG: &str = r#"{
  "schemaVersion": 1,
  "flags": {
    "base": { "enabled": true,
      "rules": [{ "id": "blocked-country", "conditions": [{ "attribute": "country", "op": "equals", "value": "XX" }], "serve": { "variant": "off" } }],
      "default": { "variant": "on" } },
    "mid": { "type": "string", "variants": { "a": "A", "b": "B", "c": "C" }, "enabled": true, "offVariant": "c",
      "prerequisites": [{ "flag": "base", "variant": "on" }],
      "default": { "split": [{ "variant": "a", "weight": 50 }, { "variant": "b", "weight": 50 }] } },
    "top": { "enabled": true, "prerequisites": [{ "flag": "mid", "variants": ["a", "b"] }], "default": { "variant": "on" } },
    "needs-a": { "enabled": true, "prerequisites": [{ "flag": "mid", "variant": "a" }], "default": { "variant": "on" } },
    "disabled": { "enabled": false, "default": { "variant": "on" } },
    "needs-disabled-off": { "enabled": true, "prerequisites": [{ "flag": "disabled", "variant": "off" }], "default": { "variant": "on" } },
    "needs-disabled-on": { "enabled": true, "prerequisites": [{ "flag": "disabled", "variant": "on" }], "default": { "variant": "on" } },
    "two": { "enabled": true, "prerequisites": [{ "flag": "needs-disabled-off", "variant": "on" }, { "flag": "needs-a", "variant": "on" }], "default": { "variant": "on" } },
    "staged": { "enabled": true, "default": { "stages": [
      { "variant": "off" }, { "from": "2026-12-01T00:00:00Z", "variant": "on" } ] } },
    "needs-staged": { "enabled": true, "prerequisites": [{ "flag": "staged", "variant": "on" }], "default": { "variant": "on" } },
    "off-but-needs": { "enabled": false, "prerequisites": [{ "flag": "needs-disabled-on", "variant": "on" }], "default": { "variant": "on" } }
  }
}"#;

const PREREQ_FLAGS: &[&str] = &[
    "base",
    "mid",
    "top",
    "needs-a",
    "needs-disabled-off",
    "needs-disabled-on",
    "two",
    "needs-staged",
    "off-but-needs",
];

fn prerequisites() -> Vec<Group> {
    let description = "Prerequisites: a flag serves its offVariant (reason PREREQUISITE_FAILED, naming the prerequisite) unless each prerequisite serves one of the listed variants; chains; a switched-off prerequisite serves its offVariant, which can satisfy a prerequisite; a prerequisite that errors (no key for its split, no time for its stages) fails; a switched-off flag does not evaluate its prerequisites.";
    let mut plain = Group::new("prerequisites", description, PREREQ_CONFIG);
    let at = Some(NOV22);
    for n in 0..12 {
        for flag in PREREQ_FLAGS {
            plain.eval(flag, user(n), at);
        }
    }
    for flag in PREREQ_FLAGS {
        plain.eval(flag, ctx(Some("user-1"), &[("country", json!("XX"))]), at);
        plain.eval(flag, ctx(None, &[]), at);
        plain.eval(flag, user(3), Some(NOV22 + 9 * DAY));
        plain.eval(flag, user(3), None);
    }
    plain.all(user(5), at);
    plain.all(ctx(None, &[]), Some(NOV22 + 9 * DAY));

    let mut killed = Group::new(
        "prerequisites-overrides",
        "Overrides apply to prerequisites too: base is killed (serves off), mid is forced to c.",
        PREREQ_CONFIG,
    )
    .kill("base")
    .force("disabled", "on");
    for n in 0..6 {
        for flag in PREREQ_FLAGS {
            killed.eval(flag, user(n), at);
        }
    }
    let mut forced = Group::new(
        "prerequisites-forced",
        "mid is forced to variant b for everyone.",
        PREREQ_CONFIG,
    )
    .force("mid", "b");
    for n in 0..6 {
        for flag in ["mid", "top", "needs-a", "two"] {
            forced.eval(flag, user(n), at);
            forced.eval(
                flag,
                ctx(Some(&format!("user-{n}")), &[("country", json!("XX"))]),
                at,
            );
        }
    }
    vec![plain, killed, forced]
}

fn example_config() -> String {
    include_str!("speech-migration.json").to_owned()
}

fn staged() -> Vec<Group> {
    let week2 = 1_796_029_200_000; // 2026-11-30T09:00:00Z
    let week3 = week2 + 7 * DAY;
    let week4 = week3 + 7 * DAY;
    let times = [
        NOV22,
        week2 - 1,
        week2,
        week3 - 1,
        week3,
        week4 - 1,
        week4,
        week4 + 365 * DAY,
    ];
    let mut example = Group::new(
        "speech-migration",
        "The README's example (examples/speech-migration.json): a staged rollout 5% -> 25% -> 75% -> 100% with the evaluation time at, and just before, each stage; segments that override it; a prerequisite on it; a 70/30 A/B split; a number flag; a switched-off flag.",
        example_config(),
    );
    let users: Vec<Value> = (0..30)
        .map(|n| {
            let mut attrs = vec![("appVersion", json!("2.4.0"))];
            if n % 10 == 7 {
                attrs = vec![("appVersion", json!("2.2.0"))];
            }
            if n % 10 == 8 {
                attrs.push(("email", json!(format!("dev{n}@company.example"))));
            }
            if n % 10 == 9 {
                attrs.push(("platform", json!("ios-web")));
            }
            ctx(Some(&format!("user-{n}")), &attrs)
        })
        .collect();
    for t in times {
        for u in &users {
            example.eval("speechmatics-direct", u.clone(), Some(t));
        }
    }
    for u in users.iter().take(15) {
        example.eval("modal-fallback", u.clone(), Some(week3));
        example.eval("speech-backend-ab", u.clone(), Some(week3));
        example.eval("transcription-chunk-ms", u.clone(), None);
        example.eval("live-captions-ui", u.clone(), None);
    }
    example.eval("speechmatics-direct", users[0].clone(), None);
    example.eval("speechmatics-direct", ctx(Some("user-qa-001"), &[]), None);
    example.eval("modal-fallback", users[0].clone(), None);
    for u in users.iter().take(4) {
        example.all(u.clone(), Some(week2));
    }

    let config = r#"{
  "schemaVersion": 1,
  "flags": {
    "later": { "enabled": true, "default": { "stages": [
      { "from": "2026-12-01T00:00:00Z", "split": [{ "variant": "on", "weight": 10 }, { "variant": "off", "weight": 90 }] },
      { "from": 1801526400000, "split": [{ "variant": "on", "weight": 50 }, { "variant": "off", "weight": 50 }] } ] } },
    "ramp": { "type": "string", "variants": { "old": "v1", "new": "v2" }, "enabled": true, "offVariant": "old",
      "default": { "stages": [
        { "variant": "old" },
        { "from": "2026-11-23T00:00:00+02:00", "split": [{ "variant": "new", "weight": 1.5 }, { "variant": "old", "weight": 98.5 }] },
        { "from": "2026-11-24T00:00:00.250Z", "split": [{ "variant": "new", "weight": 33.333 }, { "variant": "old", "weight": 66.667 }] },
        { "from": "2026-11-25", "variant": "new" } ] } }
  }
}"#;
    let mut g = Group::new(
        "stages",
        "Time-staged rollouts: before the first stage the default serves the offVariant (reason DEFAULT); stage times as RFC 3339 with offsets, fractional seconds, dates, and Unix milliseconds; raising a percentage only adds users.",
        config,
    );
    let ramp_times = [
        NOV22,
        NOV22 + 22 * HOUR - 1,
        NOV22 + 22 * HOUR,
        NOV22 + 2 * DAY + 249,
        NOV22 + 2 * DAY + 250,
        NOV22 + 3 * DAY - 1,
        NOV22 + 3 * DAY,
    ];
    let later_times = [
        NOV22,
        1_796_083_199_999,
        1_796_083_200_000,
        1_801_526_399_999,
        1_801_526_400_000,
    ];
    for n in 0..10 {
        for t in ramp_times {
            g.eval("ramp", user(n), Some(t));
        }
        for t in later_times {
            g.eval("later", user(n), Some(t));
        }
    }
    g.eval("ramp", user(1), None);
    g.eval("later", user(1), None);
    g.eval("later", ctx(None, &[]), Some(1_801_526_400_000));
    g.eval("later", ctx(None, &[]), Some(NOV22));
    vec![example, g]
}

fn splits() -> Group {
    let config = r#"{
  "schemaVersion": 1,
  "flags": {
    "canary-5": { "enabled": true, "default": { "split": [{ "variant": "on", "weight": 5 }, { "variant": "off", "weight": 95 }] } },
    "three-way": { "type": "string", "variants": { "a": "A", "b": "B", "c": "C" }, "enabled": true, "offVariant": "a",
      "default": { "split": [{ "variant": "a", "weight": 33.333 }, { "variant": "b", "weight": 33.333 }, { "variant": "c", "weight": 33.334 }] } },
    "tiny": { "enabled": true, "default": { "split": [{ "variant": "on", "weight": 0.001 }, { "variant": "off", "weight": 99.999 }] } },
    "zero-weight": { "enabled": true, "default": { "split": [{ "variant": "on", "weight": 0 }, { "variant": "off", "weight": 100 }] } },
    "full": { "enabled": true, "default": { "split": [{ "variant": "on", "weight": 100 }] } },
    "by-account": { "enabled": true, "bucketBy": "accountId",
      "default": { "split": [{ "variant": "on", "weight": 50 }, { "variant": "off", "weight": 50 }] } },
    "shared-salt-1": { "enabled": true, "salt": "shared", "default": { "split": [{ "variant": "on", "weight": 50 }, { "variant": "off", "weight": 50 }] } },
    "shared-salt-2": { "enabled": true, "salt": "shared", "default": { "split": [{ "variant": "on", "weight": 50 }, { "variant": "off", "weight": 50 }] } },
    "empty-salt": { "enabled": true, "salt": "", "default": { "split": [{ "variant": "on", "weight": 50 }, { "variant": "off", "weight": 50 }] } },
    "unicode-key-🚩": { "enabled": true, "default": { "split": [{ "variant": "on", "weight": 50 }, { "variant": "off", "weight": 50 }] } }
  }
}"#;
    let mut g = Group::new(
        "splits",
        "Splits and bucketing: bucket = bucket(salt, value) with the flag key as default salt; ranges in variant order; 0.001% resolution; zero weights; bucketBy another attribute, whose numbers bucket as their decimal digits (12345 and \"12345\" share a bucket) while fractions, booleans, empty strings and numbers beyond 2^53 give TARGETING_KEY_MISSING; flags sharing a salt share buckets.",
        config,
    );
    let flags = [
        "canary-5",
        "three-way",
        "tiny",
        "zero-weight",
        "full",
        "shared-salt-1",
        "shared-salt-2",
        "empty-salt",
        "unicode-key-🚩",
    ];
    for n in 0..20 {
        for f in flags {
            g.eval(f, user(n), None);
        }
    }
    for key in [
        "josé",
        "jose\u{301}",
        "用户-1",
        "👩\u{200D}💻",
        "a\u{0}b",
        "12345",
        " ",
    ] {
        for f in ["canary-5", "three-way", "empty-salt"] {
            g.eval(f, ctx(Some(key), &[]), None);
        }
    }
    for f in ["canary-5", "three-way", "full"] {
        g.eval(f, ctx(None, &[]), None);
        g.eval(f, ctx(Some(""), &[]), None);
    }
    let accounts = [
        json!("12345"),
        json!(12345),
        json!(12345.0),
        json!(12345.5),
        json!(-7),
        json!("-7"),
        json!(0),
        json!(-0.0),
        json!(9_007_199_254_740_991_i64),
        json!(9_007_199_254_740_992_i64),
        json!(1e21),
        json!(true),
        json!(""),
        json!("acct-α"),
    ];
    for a in &accounts {
        g.eval(
            "by-account",
            ctx(Some("user-1"), &[("accountId", a.clone())]),
            None,
        );
        g.eval("by-account", ctx(None, &[("accountId", a.clone())]), None);
    }
    g.eval("by-account", ctx(Some("user-1"), &[]), None);
    g
}

const OVERRIDE_CONFIG: &str = r#"{
  "schemaVersion": 1,
  "flags": {
    "feature": { "enabled": true, "default": { "split": [{ "variant": "on", "weight": 50 }, { "variant": "off", "weight": 50 }] } },
    "payment": { "type": "string", "variants": { "old": "stripe-v1", "new": "stripe-v2", "beta": "adyen" }, "enabled": true, "offVariant": "old",
      "rules": [{ "id": "beta-users", "conditions": [{ "attribute": "beta", "op": "equals", "value": true }], "serve": { "variant": "beta" } }],
      "default": { "variant": "new" } },
    "disabled": { "enabled": false, "default": { "variant": "on" } },
    "limit": { "type": "number", "variants": { "low": 10, "high": 1000 }, "enabled": true, "offVariant": "low", "default": { "variant": "high" } },
    "untouched": { "enabled": true, "default": { "variant": "on" } }
  }
}"#;

fn kill_and_overrides() -> Vec<Group> {
    let contexts = [
        user(1),
        user(2),
        user(3),
        user(4),
        ctx(Some("user-5"), &[("beta", json!(true))]),
        ctx(None, &[]),
    ];
    let flags = ["feature", "payment", "disabled", "limit", "untouched"];
    let mut out = Vec::new();
    let mut base = Group::new(
        "kill-switch",
        "enabled: false serves the offVariant with reason OFF, without evaluating rules; no overrides.",
        OVERRIDE_CONFIG,
    );
    let mut over = Group::new(
        "overrides",
        "Store overrides (set_override): a kill serves the offVariant, a forced variant serves that variant, both with reason OVERRIDE, before the enabled switch, rules and splits, even without a key.",
        OVERRIDE_CONFIG,
    )
    .kill("feature")
    .force("payment", "beta")
    .force("disabled", "on")
    .kill("limit");
    for c in &contexts {
        for f in flags {
            base.eval(f, c.clone(), None);
            over.eval(f, c.clone(), None);
        }
    }
    base.all(user(1), None);
    over.all(user(1), None);
    over.all(ctx(None, &[]), None);
    out.push(base);
    out.push(over);
    out
}

const TYPED_CONFIG: &str = r#"{
  "schemaVersion": 1,
  "flags": {
    "bool-flag": { "enabled": true, "rules": [{ "id": "r", "conditions": [{ "attribute": "x", "op": "exists" }], "serve": { "variant": "off" } }], "default": { "variant": "on" } },
    "string-flag": { "type": "string", "variants": { "a": "alpha", "e": "", "u": "ünïcødé ✓" }, "enabled": true, "offVariant": "a",
      "rules": [{ "id": "r", "conditions": [{ "attribute": "x", "op": "exists" }], "serve": { "variant": "u" } }], "default": { "variant": "e" } },
    "number-flag": { "type": "number", "variants": { "int": 250, "frac": 0.1, "neg": -1.5e-7, "big": 1e21, "zero": 0 }, "enabled": true, "offVariant": "zero",
      "rules": [
        { "id": "frac", "conditions": [{ "attribute": "x", "op": "equals", "value": 1 }], "serve": { "variant": "frac" } },
        { "id": "neg", "conditions": [{ "attribute": "x", "op": "equals", "value": 2 }], "serve": { "variant": "neg" } },
        { "id": "big", "conditions": [{ "attribute": "x", "op": "equals", "value": 3 }], "serve": { "variant": "big" } }
      ],
      "default": { "variant": "int" } },
    "json-flag": { "type": "json", "variants": { "obj": { "limit": 10, "tags": ["a", "b"], "nested": { "ok": true } }, "arr": [1, "two", null], "nul": null, "num": 2.5, "str": "s", "bool": false },
      "enabled": true, "offVariant": "nul",
      "rules": [
        { "id": "arr", "conditions": [{ "attribute": "x", "op": "equals", "value": 1 }], "serve": { "variant": "arr" } },
        { "id": "num", "conditions": [{ "attribute": "x", "op": "equals", "value": 2 }], "serve": { "variant": "num" } },
        { "id": "str", "conditions": [{ "attribute": "x", "op": "equals", "value": 3 }], "serve": { "variant": "str" } },
        { "id": "bool", "conditions": [{ "attribute": "x", "op": "equals", "value": 4 }], "serve": { "variant": "bool" } },
        { "id": "nul", "conditions": [{ "attribute": "x", "op": "equals", "value": 5 }], "serve": { "variant": "nul" } }
      ],
      "default": { "variant": "obj" } },
    "inferred-number": { "variants": { "one": 1, "two": 2 }, "enabled": true, "offVariant": "one", "default": { "variant": "two" } },
    "split-bool": { "enabled": true, "default": { "split": [{ "variant": "on", "weight": 50 }, { "variant": "off", "weight": 50 }] } },
    "off-string": { "type": "string", "variants": { "off": "disabled", "on": "enabled" }, "enabled": false, "default": { "variant": "on" } }
  }
}"#;

fn typed_getters() -> Group {
    let mut g = Group::new(
        "typed-getters",
        "Typed getters (getBoolean, getString, getNumber, getJson): on a flag of the right type they return the value served; on any other type they return the caller's default with reason ERROR and errorCode TYPE_MISMATCH (variant and value still describe what the flag served); on an unknown flag or an evaluation error they return the default with that error.",
        TYPED_CONFIG,
    );
    let flags = [
        "bool-flag",
        "string-flag",
        "number-flag",
        "json-flag",
        "inferred-number",
        "split-bool",
        "off-string",
        "no-such-flag",
    ];
    let calls: [(&'static str, Value); 4] = [
        ("getBoolean", json!(true)),
        ("getString", json!("fallback")),
        ("getNumber", json!(-1.25)),
        ("getJson", json!({ "fallback": true })),
    ];
    let contexts = [
        user(1),
        ctx(Some("user-2"), &[("x", json!(1))]),
        ctx(Some("user-3"), &[("x", json!(2))]),
        ctx(Some("user-4"), &[("x", json!(3))]),
        ctx(Some("user-5"), &[("x", json!(4))]),
        ctx(Some("user-6"), &[("x", json!(5))]),
        ctx(None, &[]),
    ];
    for f in flags {
        for (call, default) in &calls {
            for c in &contexts {
                g.typed(call, f, c.clone(), None, default.clone());
            }
        }
        for c in &contexts {
            g.eval(f, c.clone(), None);
        }
    }
    g.typed("getBoolean", "bool-flag", user(1), None, json!(false));
    g.typed("getString", "string-flag", user(1), None, json!(""));
    g.typed("getNumber", "number-flag", user(1), None, json!(0));
    g.typed("getJson", "json-flag", user(1), None, json!(null));
    g.all(user(2), None);
    g.all(ctx(None, &[("x", json!(3))]), None);
    g
}

fn contexts_and_unknown_flags() -> Vec<Group> {
    let config = r#"{
  "schemaVersion": 1,
  "flags": {
    "by-email": { "enabled": true, "rules": [{ "id": "staff", "conditions": [{ "attribute": "email", "op": "endsWith", "value": "@company.example" }], "serve": { "variant": "on" } }], "default": { "variant": "off" } },
    "rollout": { "enabled": true, "rules": [{ "id": "staff", "conditions": [{ "attribute": "email", "op": "endsWith", "value": "@company.example" }], "serve": { "variant": "on" } }],
      "default": { "split": [{ "variant": "on", "weight": 30 }, { "variant": "off", "weight": 70 }] } },
    "by-device": { "enabled": true, "bucketBy": "deviceId", "default": { "split": [{ "variant": "on", "weight": 30 }, { "variant": "off", "weight": 70 }] } },
    "odd-attrs": { "enabled": true, "rules": [
      { "id": "empty-name", "conditions": [{ "attribute": "", "op": "exists" }], "serve": { "variant": "on" } },
      { "id": "attribute-named-at", "conditions": [{ "attribute": "at", "op": "equals", "value": "noon" }], "serve": { "variant": "on" } }
    ], "default": { "variant": "off" } }
  }
}"#;
    // An empty attribute name is refused by validation, so odd-attrs is rebuilt without it.
    let config = config.replace(
        r#"{ "attribute": "", "op": "exists" }"#,
        r#"{ "attribute": "nul\u0000name", "op": "equals", "value": "tab\tvalue" }"#,
    );
    let mut g = Group::new(
        "contexts",
        "Contexts: without a key rules still match and fixed variants serve, but a split reports TARGETING_KEY_MISSING (an empty key is no key, a null key is no key); bucketBy another attribute works without a key; attribute names and values with NUL and control characters; an attribute named \"at\" is an attribute like any other; a null attribute is absent.",
        config,
    );
    let contexts = vec![
        ctx(None, &[]),
        ctx(Some(""), &[]),
        ctx(None, &[("key", Value::Null)]),
        ctx(None, &[("email", json!("ana@company.example"))]),
        ctx(Some("user-7"), &[("email", json!("ana@company.example"))]),
        ctx(Some("user-7"), &[("email", Value::Null)]),
        ctx(None, &[("deviceId", json!("dev-123"))]),
        ctx(Some("user-8"), &[("deviceId", json!("dev-123"))]),
        ctx(Some("user-8"), &[("deviceId", json!(""))]),
        ctx(Some("user-9"), &[("nul\u{0}name", json!("tab\tvalue"))]),
        ctx(Some("user-9"), &[("nul\u{0}name", json!("tab value"))]),
        ctx(Some("user-\u{0}"), &[]),
        ctx(Some("ユーザー"), &[]),
        // An attribute named like an option of some bindings is still an attribute.
        ctx(Some("user-10"), &[("at", json!("noon"))]),
        ctx(Some("user-10"), &[("at", json!(1_795_305_600_000_i64))]),
    ];
    for f in ["by-email", "rollout", "by-device", "odd-attrs"] {
        for c in &contexts {
            g.eval(f, c.clone(), None);
        }
    }
    g.all(ctx(None, &[]), None);

    let mut unknown = Group::new(
        "unknown-flags",
        "Unknown flag keys: reason ERROR, errorCode FLAG_NOT_FOUND, value and variant null (flag keys are case-sensitive and not trimmed).",
        r#"{"schemaVersion": 1, "flags": {"known": {"enabled": true, "default": {"variant": "on"}}}}"#,
    );
    for f in ["nope", "", "Known", "known ", "known\u{0}", "🚩"] {
        unknown.eval(f, user(1), None);
        unknown.eval(f, ctx(None, &[]), None);
    }
    unknown.eval("known", user(1), None);
    let mut empty = Group::new(
        "empty-config",
        "A config with no flags.",
        r#"{"schemaVersion": 1, "flags": {}}"#,
    );
    empty.all(user(1), None);
    empty.eval("anything", user(1), None);
    vec![g, unknown, empty]
}

pub(super) fn files() -> Vec<VectorFile> {
    let mut targeting = vec![operators(), rules(), segments()];
    targeting.extend(contexts_and_unknown_flags());
    let mut rollouts = vec![splits()];
    rollouts.extend(staged());
    rollouts.extend(prerequisites());
    let mut store = kill_and_overrides();
    store.push(typed_getters());
    vec![
        file(
            "eval-operators.json",
            "Issue 14's targeting (lists, ignoreCase, matches, inCidr, string order, isType, numbers as text) and the truth table of every operator, each plain and negated.",
            targeting::groups(),
        ),
        file(
            "eval-targeting.json",
            "Operators (each also negated), rule order, segments, contexts and unknown flags.",
            targeting,
        ),
        file(
            "eval-rollouts.json",
            "Splits and bucketing, staged rollouts at several times, prerequisites.",
            rollouts,
        ),
        file(
            "eval-store.json",
            "Kill switch, store overrides and typed getters.",
            store,
        ),
    ]
    .into_iter()
    .chain(layers::files())
    .collect()
}
