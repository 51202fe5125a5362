//! Hostile configs (issue 13): validation stays near-linear in the size of the config,
//! what a config retains is bounded, and every problem is explained.
//!
//! The timing tests run in the debug build with wide margins: each input took tens of
//! seconds or more (quadratic paths) before the fix, and well under a second after.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use flagcore::{Config, ProblemCode, Report};

/// Validates `text`, failing the test when it takes longer than `limit`.
#[track_caller]
fn validate_within(text: &str, limit: Duration) -> Report {
    let started = Instant::now();
    let report = Config::validate(text);
    let took = started.elapsed();
    assert!(
        took < limit,
        "validating {} bytes took {took:?} (limit {limit:?})",
        text.len()
    );
    report
}

const LIMIT: Duration = Duration::from_secs(3);

fn codes(report: &Report) -> Vec<&'static str> {
    report.problems().map(|p| p.code.as_str()).collect()
}

#[test]
fn a_long_misspelt_variant_name_is_not_compared_at_length() {
    let long = "a".repeat(40_000);
    let text = format!(
        r#"{{"schemaVersion": 1, "flags": {{"f": {{"enabled": true, "variants": {{"{long}": 1, "off": 2}}, "default": {{"variant": "{long}b"}}}}}}}}"#
    );
    let report = validate_within(&text, LIMIT);
    assert_eq!(codes(&report), ["unknown_variant"]);
    assert!(!report.errors[0].message.contains("did you mean"));
}

#[test]
fn a_flag_with_many_prerequisites_is_checked_in_linear_time() {
    let n = 30_000;
    let mut text = String::from(r#"{"schemaVersion": 1, "flags": {"#);
    for i in 0..n {
        let _ = write!(
            text,
            r#""p{i}": {{"enabled": true, "default": {{"variant": "on"}}}}, "#
        );
    }
    text.push_str(r#""top": {"enabled": true, "default": {"variant": "on"}, "prerequisites": ["#);
    for i in 0..n {
        if i > 0 {
            text.push(',');
        }
        let _ = write!(text, r#"{{"flag": "p{i}", "variant": "on"}}"#);
    }
    text.push_str("]}}}");
    let report = validate_within(&text, LIMIT);
    // Valid but for the fan-out limit (1,000 evaluations).
    assert_eq!(codes(&report), ["prerequisite_depth"]);
}

#[test]
fn unknown_prerequisites_are_not_each_compared_with_every_flag() {
    let n = 6_000;
    let mut text = String::from(r#"{"schemaVersion": 1, "flags": {"#);
    for i in 0..n {
        if i > 0 {
            text.push(',');
        }
        let _ = write!(
            text,
            r#""flag-{i:06}": {{"enabled": true, "default": {{"variant": "on"}}, "prerequisites": [{{"flag": "flag-{i:06}x", "variant": "on"}}]}}"#
        );
    }
    text.push_str("}}");
    let report = validate_within(&text, LIMIT);
    // The first ones still get a suggestion.
    assert!(
        report.errors[0]
            .message
            .contains(r#"did you mean "flag-000000"?"#),
        "{}",
        report.errors[0]
    );
}

/// `"v0": 0, ..., "v{n-1}": n-1`.
fn variants(n: usize) -> String {
    let mut s = String::from(r#""variants": {"#);
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, r#""v{i}": {i}"#);
    }
    s.push('}');
    s
}

#[test]
fn a_split_over_many_variants_is_checked_in_linear_time() {
    let n = 40_000;
    let mut split = String::new();
    for i in 0..n {
        if i > 0 {
            split.push(',');
        }
        let weight = if i == 0 { 100 } else { 0 };
        let _ = write!(split, r#"{{"variant": "v{i}", "weight": {weight}}}"#);
    }
    // And one duplicate at the end, found through the hash set.
    let _ = write!(split, r#", {{"variant": "v{}", "weight": 0}}"#, n - 1);
    let text = format!(
        r#"{{"schemaVersion": 1, "flags": {{"f": {{"enabled": true, "offVariant": "v0", {}, "default": {{"split": [{split}]}}}}}}}}"#,
        variants(n)
    );
    let report = validate_within(&text, LIMIT);
    assert_eq!(codes(&report), ["duplicate_key"]);
    assert_eq!(
        report.errors[0].path,
        format!("$.flags.f.default.split[{n}].variant")
    );
}

#[test]
fn many_rules_over_many_variants_are_checked_in_linear_time() {
    let n = 30_000;
    let mut rules = String::new();
    for i in 0..n {
        if i > 0 {
            rules.push(',');
        }
        let _ = write!(
            rules,
            r#"{{"conditions": [{{"attribute": "a", "op": "equals", "value": {i}}}], "serve": {{"variant": "v{i}"}}}}"#
        );
    }
    let text = format!(
        r#"{{"schemaVersion": 1, "flags": {{"f": {{"enabled": true, "offVariant": "v0", {}, "rules": [{rules}], "default": {{"variant": "v{}"}}}}}}}}"#,
        variants(n),
        n - 1
    );
    let started = Instant::now();
    let config = Config::from_json(&text).expect("valid");
    assert!(started.elapsed() < LIMIT, "took {:?}", started.elapsed());
    assert_eq!(config.flag("f").expect("flag").variants().count(), n);
}

#[test]
fn a_cycle_through_every_flag_is_reported_briefly() {
    let n = 3_000;
    let mut text = String::from(r#"{"schemaVersion": 1, "flags": {"#);
    for i in 0..n {
        if i > 0 {
            text.push(',');
        }
        let next = (i + 1) % n;
        let _ = write!(
            text,
            r#""f{i}": {{"enabled": true, "default": {{"variant": "on"}}, "prerequisites": [{{"flag": "f{next}", "variant": "on"}}, {{"flag": "f0", "variant": "on"}}]}}"#
        );
    }
    text.push_str("}}");
    let report = validate_within(&text, LIMIT);
    let cycle = report
        .errors
        .iter()
        .find(|p| p.code == ProblemCode::PrerequisiteCycle)
        .expect("a cycle");
    assert!(cycle.message.len() < 200, "{}", cycle.message);
    assert!(cycle.message.contains("more flags)"), "{}", cycle.message);
}

#[test]
fn warnings_are_bounded_with_a_count_per_code() {
    let n = 100_000;
    let keys = vec![r#""k""#; n].join(",");
    let text = format!(
        r#"{{"schemaVersion": 1, "segments": {{"s": {{"keys": [{keys}]}}, "unused": {{"keys": []}}}},
          "flags": {{"f": {{"enabled": true, "rules": [{{"conditions": [{{"op": "inSegment", "value": "s"}}], "serve": {{"variant": "on"}}}}], "default": {{"variant": "off"}}}}}}}}"#
    );
    let config = Config::from_json(&text).expect("warnings only");
    let warnings = config.warnings();
    assert_eq!(warnings.len(), 101, "the first 100, then a summary");
    let summary = warnings.last().expect("summary");
    assert_eq!(summary.code.as_str(), "too_many_problems");
    assert_eq!(
        summary.message,
        "99900 more warnings not listed (only the first 100 are): duplicate_entry: 99899, unused_segment: 1"
    );
    // What the config retains for its warnings is small, whatever the input.
    let retained: usize = warnings
        .iter()
        .map(|w| w.path.len() + w.message.len())
        .sum();
    assert!(retained < 10_000, "{retained} bytes of warnings");
}

#[test]
fn errors_are_bounded_too() {
    let mut rules = String::new();
    for i in 0..1_000 {
        if i > 0 {
            rules.push(',');
        }
        let _ = write!(rules, r#"{{"serve": {{"variant": "nope{i}"}}}}"#);
    }
    let text = format!(
        r#"{{"schemaVersion": 1, "flags": {{"f": {{"enabled": true, "rules": [{rules}], "default": {{"variant": "off"}}}}}}}}"#
    );
    let report = Config::validate(&text);
    assert_eq!(report.errors.len(), 101);
    assert_eq!(
        report.errors[100].message,
        "900 more errors not listed (only the first 100 are): unknown_variant: 900"
    );
}

#[test]
fn unknown_variant_names_the_flag_it_belongs_to() {
    let text = r#"{"schemaVersion": 1, "flags": {"ab": {"enabled": true,
        "variants": {"control": 1, "treatment": 2}, "offVariant": "control",
        "rules": [{"serve": {"split": [{"variant": "contrl", "weight": 50}, {"variant": "treatment", "weight": 50}]}}],
        "default": {"variant": "treatmnt"}}}}"#;
    let report = Config::validate(text);
    let messages: Vec<&str> = report.errors.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            r#"flag "ab" has no variant "contrl" (did you mean "control"?)"#,
            r#"flag "ab" has no variant "treatmnt" (did you mean "treatment"?)"#,
        ]
    );
}

#[test]
fn weights_sum_reports_the_true_sum() {
    let n = 50_000;
    let mut split = String::new();
    for i in 0..n {
        if i > 0 {
            split.push(',');
        }
        let _ = write!(split, r#"{{"variant": "v{i}", "weight": 100}}"#);
    }
    let text = format!(
        r#"{{"schemaVersion": 1, "flags": {{"f": {{"enabled": true, "offVariant": "v0", {}, "default": {{"split": [{split}]}}}}}}}}"#,
        variants(n)
    );
    let report = Config::validate(&text);
    assert_eq!(codes(&report), ["weights_sum"]);
    assert_eq!(
        report.errors[0].message,
        "weights add up to 5000000, not 100"
    );
}

#[test]
fn invalid_utf8_is_reported_with_offset_line_and_column() {
    let mut bytes = br#"{"schemaVersion": 1,
  "flags": {"caf"#
        .to_vec();
    bytes.extend_from_slice(&[0xc3, 0x28]); // a lead byte without its continuation
    bytes.extend_from_slice(br#"": {"enabled": true, "default": {"variant": "on"}}}}"#);
    let report = Config::validate_slice(&bytes);
    assert_eq!(codes(&report), ["invalid_utf8"]);
    assert_eq!(report.errors[0].path, "$");
    assert_eq!(
        report.errors[0].message,
        "byte 37 (line 2, column 17) is not UTF-8: a config must be UTF-8 text"
    );
    // Valid UTF-8 bytes load as the text does.
    let ok = r#"{"schemaVersion": 1, "flags": {"café": {"enabled": true, "default": {"variant": "on"}}}}"#;
    assert!(Config::from_slice(ok.as_bytes()).is_ok());
}

/// A config whose `metadata` nests arrays so that the document is `levels` deep.
fn nested(levels: usize) -> String {
    format!(
        r#"{{"schemaVersion": 1, "flags": {{}}, "metadata": {}{}}}"#,
        "[".repeat(levels - 1),
        "]".repeat(levels - 1)
    )
}

#[test]
fn the_nesting_limit_is_what_the_docs_say() {
    let docs = include_str!("../../docs/config.md");
    assert!(
        docs.contains("more than 127 levels"),
        "docs/config.md states the nesting limit"
    );
    assert_eq!(codes(&Config::validate(&nested(127))), Vec::<&str>::new());
    assert_eq!(codes(&Config::validate(&nested(128))), ["json_syntax"]);
}

#[test]
fn duplicate_keys_are_errors_in_metadata_and_json_values_too() {
    let text = r#"{"schemaVersion": 1, "metadata": {"owner": "a", "owner": "b"},
      "flags": {"f": {"enabled": true, "metadata": {"x": [{"k": 1, "k": 2}]},
                      "type": "json", "variants": {"on": {"a": 1, "a": 2}, "off": null},
                      "default": {"variant": "on"}}}}"#;
    let report = Config::validate(text);
    let found: Vec<(&str, &str)> = report
        .errors
        .iter()
        .map(|p| (p.code.as_str(), p.path.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("duplicate_key", "$.metadata.owner"),
            ("duplicate_key", "$.flags.f.metadata.x[0].k"),
            ("duplicate_key", "$.flags.f.variants.on.a"),
        ]
    );
}

#[test]
fn a_weight_too_small_to_represent_is_refused_and_minus_zero_is_zero() {
    let split = |w: &str| {
        format!(
            r#"{{"schemaVersion": 1, "flags": {{"f": {{"enabled": true, "default": {{"split": [{{"variant": "on", "weight": 100}}, {{"variant": "off", "weight": {w}}}]}}}}}}}}"#
        )
    };
    assert_eq!(codes(&Config::validate(&split("1e-400"))), ["json_syntax"]);
    assert_eq!(
        codes(&Config::validate(&split("0.0000e-999"))),
        Vec::<&str>::new()
    );
    assert_eq!(codes(&Config::validate(&split("-0"))), Vec::<&str>::new());
    assert_eq!(
        codes(&Config::validate(&split("1e-4"))),
        ["percentage_precision"]
    );
}

/// A flag `f` serving `on` to contexts whose `a` passes one condition.
fn one_condition(op: &str, values: &str) -> flagcore::Store {
    let text = format!(
        r#"{{"schemaVersion": 1, "flags": {{"f": {{"enabled": true, "rules": [{{"conditions": [{{"attribute": "a", "op": "{op}", "values": [{values}]}}], "serve": {{"variant": "on"}}}}], "default": {{"variant": "off"}}}}}}}}"#
    );
    flagcore::Store::from_json(&text).expect("valid")
}

/// Whether `f` is on for a context with `a` set, and how long 1,000 evaluations took.
fn on_for(store: &flagcore::Store, a: impl Into<flagcore::AttributeValue>) -> (bool, Duration) {
    let ctx = flagcore::Context::new("u").with("a", a);
    let snapshot = store.snapshot();
    let started = Instant::now();
    let mut on = false;
    for _ in 0..1_000 {
        on = snapshot.evaluate("f", &ctx).as_bool() == Some(true);
    }
    (on, started.elapsed())
}

#[test]
fn in_over_many_numbers_is_a_bisection() {
    let values: Vec<String> = (0..1_000_000).map(|i| (i * 2).to_string()).collect();
    let store = one_condition("in", &values.join(","));
    let (hit, took) = on_for(&store, 1_999_998.0);
    assert!(hit);
    let (miss, _) = on_for(&store, 1_999_997.0);
    assert!(!miss);
    assert!(on_for(&store, -0.0).0, "-0 equals 0");
    assert!(!on_for(&store, f64::NAN).0);
    // A linear scan took about 2 ms per evaluation here (debug build).
    assert!(
        took < Duration::from_millis(300),
        "1,000 evaluations took {took:?}"
    );
}

#[test]
fn contains_over_many_needles_is_one_pass() {
    let values: Vec<String> = (0..100_000).map(|i| format!("\"needle-{i:06}\"")).collect();
    let store = one_condition("contains", &values.join(","));
    let (hit, took) = on_for(&store, "xx needle-099999 yy");
    assert!(hit);
    assert!(!on_for(&store, "xx needle-1 yy").0);
    // One substring search per needle took over 10 ms per evaluation here (debug build).
    assert!(
        took < Duration::from_millis(500),
        "1,000 evaluations took {took:?}"
    );
}

#[test]
fn a_store_revision_keeps_a_bounded_report_whatever_the_config() {
    // A segment with a 100 KB name and 1,000 duplicate keys: before, each of the 1,000
    // warnings kept the name in its path (100 MB per revision).
    let name = "s".repeat(100_000);
    let keys = vec![r#""k""#; 1_000].join(",");
    let text = format!(
        r#"{{"schemaVersion": 1, "segments": {{"{name}": {{"keys": [{keys}]}}}},
          "flags": {{"f": {{"enabled": true, "rules": [{{"conditions": [{{"op": "inSegment", "value": "{name}"}}], "serve": {{"variant": "on"}}}}], "default": {{"variant": "off"}}}}}}}}"#
    );
    let store = flagcore::Store::from_json(&text).expect("warnings only");
    for _ in 0..16 {
        let update = store.update(&text).expect("warnings only");
        assert_eq!(update.warnings.len(), 101);
        let retained: usize = update
            .warnings
            .iter()
            .map(|w| w.path.len() + w.message.len())
            .sum();
        assert!(
            retained < 300_000,
            "{retained} bytes of warnings per revision"
        );
        assert!(
            update.warnings[0].path.ends_with("more bytes)"),
            "{}",
            update.warnings[0].path.len()
        );
    }
}

#[test]
fn a_segment_or_needle_listed_many_times_is_checked_once() {
    let text = format!(
        r#"{{"schemaVersion": 1, "segments": {{"s": {{"keys": ["k"]}}}}, "flags": {{"f": {{"enabled": true, "rules": [{{"conditions": [{{"op": "inSegment", "values": [{}]}}, {{"attribute": "a", "op": "startsWith", "values": [{}]}}], "serve": {{"variant": "on"}}}}], "default": {{"variant": "off"}}}}}}}}"#,
        vec![r#""s""#; 100_000].join(","),
        vec![r#""prefix-""#; 100_000].join(",")
    );
    let store = flagcore::Store::from_json(&text).expect("valid");
    let ctx = flagcore::Context::new("u").with("a", "other");
    let snapshot = store.snapshot();
    let started = Instant::now();
    for _ in 0..1_000 {
        assert_eq!(snapshot.evaluate("f", &ctx).as_bool(), Some(false));
    }
    let took = started.elapsed();
    let ctx = flagcore::Context::new("k").with("a", "prefix-1");
    assert_eq!(snapshot.evaluate("f", &ctx).as_bool(), Some(true));
    // 100,000 segment checks per evaluation took over 1 ms each here (debug build).
    assert!(
        took < Duration::from_millis(300),
        "1,000 evaluations took {took:?}"
    );
}
