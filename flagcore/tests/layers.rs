//! Layers (mutually exclusive experiments): no user is in two flags of one layer, growing a
//! range only adds users, the semantics of docs/config.md ("Layers"), and validation.

use flagcore::{bucket, Config, Context, ErrorCode, Reason};
use proptest::prelude::*;

/// `thousandths` as a config percentage (`30000` → `30`, `12345` → `12.345`).
fn pct(thousandths: u32) -> String {
    format!("{}.{:03}", thousandths / 1000, thousandths % 1000)
}

/// A config with one layer `exp` and one boolean flag per range, `f0`, `f1`, ..., each
/// serving `on` to everyone in its range. Flag `other` is outside the layer: 50% `on`.
fn layered(ranges: &[(u32, u32)]) -> Config {
    let mut flags: Vec<String> = ranges
        .iter()
        .enumerate()
        .map(|(i, (s, e))| {
            format!(
                r#""f{i}": {{"enabled": true, "layer": {{"name": "exp", "range": [{}, {}]}}, "default": {{"variant": "on"}}}}"#,
                pct(*s),
                pct(*e)
            )
        })
        .collect();
    flags.push(
        r#""other": {"enabled": true, "default": {"split": [{"variant": "on", "weight": 50}, {"variant": "off", "weight": 50}]}}"#
            .to_owned(),
    );
    let text = format!(
        r#"{{"schemaVersion": 1, "layers": {{"exp": {{"description": "test layer"}}}}, "flags": {{{}}}}}"#,
        flags.join(", ")
    );
    Config::from_json(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Disjoint ranges from sorted cut points: `[c0, c1), [c2, c3), ...`.
fn disjoint(mut cuts: Vec<u32>) -> Vec<(u32, u32)> {
    cuts.sort_unstable();
    cuts.chunks_exact(2).map(|p| (p[0], p[1])).collect()
}

fn errors(text: &str) -> Vec<(String, String)> {
    Config::validate(text)
        .errors
        .iter()
        .map(|p| (p.code.as_str().to_owned(), p.path.clone()))
        .collect()
}

fn warnings(text: &str) -> Vec<(String, String)> {
    Config::validate(text)
        .warnings
        .iter()
        .map(|p| (p.code.as_str().to_owned(), p.path.clone()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the disjoint ranges, no user is served `on` by two flags of the layer, and
    /// a user is in a flag exactly when the layer's bucket is in its range.
    #[test]
    fn no_user_is_in_two_flags_of_one_layer(
        cuts in proptest::collection::vec(0u32..=100_000, 2..10),
        users in proptest::collection::vec("[a-z0-9-]{1,16}", 50),
    ) {
        let ranges = disjoint(cuts);
        let config = layered(&ranges);
        for user in &users {
            let ctx = Context::new(user.as_str());
            let layer_bucket = bucket("exp", user);
            let mut inside = 0;
            for (i, (s, e)) in ranges.iter().enumerate() {
                let key = format!("f{i}");
                let ev = config.evaluate(&key, &ctx);
                let on = ev.as_bool() == Some(true);
                prop_assert_eq!(on, (*s..*e).contains(&layer_bucket));
                if on {
                    prop_assert_eq!(ev.reason, Reason::Default);
                    prop_assert_eq!(ev.bucket, None);
                } else {
                    prop_assert_eq!(ev.reason, Reason::Default);
                    prop_assert_eq!(ev.bucket, Some(layer_bucket));
                }
                inside += usize::from(on);
            }
            prop_assert!(inside <= 1, "{} is in {} flags of the layer", user, inside);
        }
    }

    /// Growing one flag's range (into the free part of the layer) only adds users, and
    /// every user it adds was in no flag of the layer before.
    #[test]
    fn growing_a_range_only_adds_users_from_the_free_part(
        cuts in proptest::collection::vec(0u32..=100_000, 4..10),
        which in 0usize..4,
        grow in 0u32..=100_000,
    ) {
        let ranges = disjoint(cuts);
        let i = which % ranges.len();
        // The free space after range i: up to the next range's start, or 100%.
        let limit = ranges.get(i + 1).map_or(100_000, |r| r.0);
        let mut grown = ranges.clone();
        grown[i].1 += grow % (limit - ranges[i].1 + 1);
        let before = layered(&ranges);
        let after = layered(&grown);
        for n in 0..400 {
            let ctx = Context::new(format!("user-{n}"));
            let key = format!("f{i}");
            let was = before.evaluate(&key, &ctx).as_bool() == Some(true);
            let is = after.evaluate(&key, &ctx).as_bool() == Some(true);
            prop_assert!(is || !was, "user-{} left f{} when its range grew", n, i);
            if is && !was {
                for j in 0..ranges.len() {
                    let other = format!("f{j}");
                    prop_assert!(before.evaluate(&other, &ctx).as_bool() != Some(true));
                }
            }
            for j in (0..ranges.len()).filter(|&j| j != i) {
                let other = format!("f{j}");
                prop_assert_eq!(
                    before.evaluate(&other, &ctx).as_bool(),
                    after.evaluate(&other, &ctx).as_bool()
                );
            }
        }
    }
}

#[test]
fn a_layer_splits_within_its_range_by_the_flags_own_bucket() {
    let text = r#"{"schemaVersion": 1,
      "layers": {"stt": {"bucketBy": "deviceId"}},
      "flags": {
        "ab": {"enabled": true, "type": "string", "variants": {"control": "a", "treatment": "b", "none": "-"},
               "offVariant": "none", "layer": {"name": "stt", "range": [0, 60]},
               "default": {"split": [{"variant": "control", "weight": 50}, {"variant": "treatment", "weight": 50}]}}}}"#;
    let config = Config::from_json(text).unwrap();
    assert_eq!(config.flag("ab").unwrap().bucket_by(), "deviceId");
    assert_eq!(config.flag("ab").unwrap().layer(), Some(("stt", 0..60_000)));
    let (mut control, mut treatment, mut none) = (0i32, 0i32, 0);
    for n in 0..4000 {
        let device = format!("device-{n}");
        let ctx = Context::new("same-user").with("deviceId", device.as_str());
        let ev = config.evaluate("ab", &ctx);
        let layer_bucket = bucket("stt", &device);
        if layer_bucket < 60_000 {
            assert_eq!(ev.reason, Reason::Split);
            assert_eq!(
                ev.bucket,
                Some(bucket("ab", &device)),
                "the flag's own bucket"
            );
            match ev.variant {
                Some("control") => control += 1,
                Some("treatment") => treatment += 1,
                other => panic!("{other:?}"),
            }
        } else {
            assert_eq!(
                (ev.variant, ev.reason, ev.bucket),
                (Some("none"), Reason::Default, Some(layer_bucket))
            );
            none += 1;
        }
    }
    // Independent hashes: the split is about 50/50 within the range.
    assert!(
        (2200..2600).contains(&(control + treatment)),
        "{control} {treatment}"
    );
    assert!((control - treatment).abs() < 250, "{control} {treatment}");
    assert!(none > 1400);
    // Without the layer's attribute: TARGETING_KEY_MISSING, even for a fixed default.
    let ev = config.evaluate("ab", &Context::new("u"));
    assert_eq!(ev.error, Some(ErrorCode::TargetingKeyMissing));
}

#[test]
fn outside_the_range_rules_and_prerequisites_do_not_apply() {
    let text = r#"{"schemaVersion": 1, "layers": {"exp": {}},
      "flags": {
        "gate": {"enabled": true, "default": {"variant": "off"}},
        "a": {"enabled": true, "layer": {"name": "exp", "range": [0, 50]},
              "rules": [{"id": "staff", "conditions": [{"attribute": "staff", "op": "equals", "value": true}], "serve": {"variant": "on"}}],
              "default": {"variant": "off"}},
        "b": {"enabled": true, "layer": {"name": "exp", "range": [50, 100]},
              "prerequisites": [{"flag": "gate", "variant": "on"}],
              "default": {"variant": "on"}}}}"#;
    let config = Config::from_json(text).unwrap();
    let mut seen = [false; 2];
    for n in 0..200 {
        let key = format!("user-{n}");
        let ctx = Context::new(key.as_str()).with("staff", true);
        let in_a = bucket("exp", &key) < 50_000;
        let a = config.evaluate("a", &ctx);
        let b = config.evaluate("b", &ctx);
        if in_a {
            assert_eq!(
                (a.variant, a.reason, a.rule_id),
                (Some("on"), Reason::TargetingMatch, Some("staff"))
            );
            assert_eq!((b.variant, b.reason), (Some("off"), Reason::Default));
            assert!(
                b.prerequisite.is_none(),
                "the layer decides before prerequisites"
            );
        } else {
            assert_eq!(
                (a.variant, a.reason, a.rule_id),
                (Some("off"), Reason::Default, None)
            );
            assert_eq!(
                (b.variant, b.reason, b.prerequisite),
                (Some("off"), Reason::PrerequisiteFailed, Some("gate"))
            );
        }
        seen[usize::from(in_a)] = true;
    }
    assert_eq!(seen, [true, true]);
}

#[test]
fn validation_refuses_overlaps_and_unknown_layers_with_paths() {
    let overlap = r#"{"schemaVersion": 1, "layers": {"exp": {}},
      "flags": {
        "a": {"enabled": true, "layer": {"name": "exp", "range": [0, 30]}, "default": {"variant": "on"}},
        "b": {"enabled": true, "layer": {"name": "exp", "range": [30, 60]}, "default": {"variant": "on"}},
        "c": {"enabled": true, "layer": {"name": "exp", "range": [59.999, 70]}, "default": {"variant": "on"}},
        "d": {"enabled": true, "layer": {"name": "exp", "range": [10, 20]}, "default": {"variant": "on"}},
        "e": {"enabled": true, "layer": {"name": "exp", "range": [20, 20]}, "default": {"variant": "on"}}}}"#;
    assert_eq!(
        errors(overlap),
        [
            ("layer_overlap".into(), "$.flags.d.layer.range".into()),
            ("layer_overlap".into(), "$.flags.c.layer.range".into()),
        ]
    );
    let report = Config::validate(overlap);
    assert!(
        report.errors[1].message.contains("flag \"b\"'s [30, 60]"),
        "{}",
        report.errors[1].message
    );

    let unknown = r#"{"schemaVersion": 1, "layers": {"stt-experiments": {}},
      "flags": {
        "a": {"enabled": true, "layer": {"name": "stt-experiment", "range": [0, 30]}, "default": {"variant": "on"}},
        "b": {"enabled": true, "layer": {"name": "stt-experiments", "range": [40, 30]}, "default": {"variant": "on"}},
        "c": {"enabled": true, "layer": {"name": "stt-experiments", "range": [0, 100.5]}, "default": {"variant": "on"}},
        "d": {"enabled": true, "layer": {"name": "stt-experiments", "range": [0.0001, 1], "size": 3}, "default": {"variant": "on"}},
        "e": {"enabled": true, "bucketBy": "deviceId", "layer": {"name": "stt-experiments", "range": [90, 95]}, "default": {"variant": "on"}},
        "stt-experiments": {"enabled": true, "layer": {"name": "stt-experiments", "range": [95, 100]}, "default": {"variant": "on"}}}}"#;
    assert_eq!(
        errors(unknown),
        [
            ("unknown_layer".into(), "$.flags.a.layer.name".into()),
            ("invalid_value".into(), "$.flags.b.layer.range".into()),
            (
                "percentage_out_of_range".into(),
                "$.flags.c.layer.range[1]".into()
            ),
            ("unknown_field".into(), "$.flags.d.layer.size".into()),
            (
                "percentage_precision".into(),
                "$.flags.d.layer.range[0]".into()
            ),
            ("invalid_value".into(), "$.flags.e.bucketBy".into()),
            (
                "invalid_value".into(),
                "$.flags[\"stt-experiments\"].layer.name".into()
            ),
        ]
    );
    assert!(Config::validate(unknown).errors[0]
        .message
        .contains("did you mean \"stt-experiments\""));

    let unused = r#"{"schemaVersion": 1, "layers": {"exp": {"description": "d", "metadata": {"owner": "x"}}},
      "flags": {"a": {"enabled": true, "default": {"variant": "on"}}}}"#;
    assert!(errors(unused).is_empty());
    assert_eq!(
        warnings(unused),
        [("unused_layer".into(), "$.layers.exp".into())]
    );
    let bad =
        r#"{"schemaVersion": 1, "layers": {"exp": {"bucketBy": 3, "salt": "x"}}, "flags": {}}"#;
    assert_eq!(
        errors(bad),
        [
            ("unknown_field".into(), "$.layers.exp.salt".into()),
            ("wrong_type".into(), "$.layers.exp.bucketBy".into()),
        ]
    );
}

#[test]
fn flags_of_different_layers_and_outside_layers_stay_independent() {
    let text = r#"{"schemaVersion": 1, "layers": {"x": {}, "y": {}},
      "flags": {
        "a": {"enabled": true, "layer": {"name": "x", "range": [0, 50]}, "default": {"variant": "on"}},
        "b": {"enabled": true, "layer": {"name": "y", "range": [0, 50]}, "default": {"variant": "on"}},
        "c": {"enabled": true, "default": {"split": [{"variant": "on", "weight": 50}, {"variant": "off", "weight": 50}]}}}}"#;
    let config = Config::from_json(text).unwrap();
    let n = 20_000;
    let (mut ab, mut ac) = (0, 0);
    for i in 0..n {
        let ctx = Context::new(format!("user-{i}"));
        let on = |k: &str| config.evaluate(k, &ctx).as_bool() == Some(true);
        ab += usize::from(on("a") && on("b"));
        ac += usize::from(on("a") && on("c"));
    }
    // Independent: about a quarter of users in both (4.5 standard deviations: 5000 ± 275).
    for both in [ab, ac] {
        assert!((4_725..5_275).contains(&both), "{both}");
    }
}
