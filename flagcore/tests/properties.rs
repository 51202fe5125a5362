//! Property tests: determinism, monotonic rollouts, split ranges, no panics.

mod common;

use common::{one_flag, EXAMPLE};
use flagcore::{Config, Context, Reason, BUCKETS};
use proptest::prelude::*;

fn split_config(weights: &[(String, u32)]) -> Config {
    let parts: Vec<String> = weights
        .iter()
        .map(|(v, w)| {
            format!(
                r#"{{"variant": "{v}", "weight": {}.{:03}}}"#,
                w / 1000,
                w % 1000
            )
        })
        .collect();
    let variants: Vec<String> = weights
        .iter()
        .map(|(v, _)| format!(r#""{v}": "{v}""#))
        .collect();
    let text = one_flag(
        &format!(
            r#"{{"type": "string", "variants": {{{}}}, "offVariant": "{}", "enabled": true, "default": {{"split": [{}]}}}}"#,
            variants.join(","),
            weights[0].0,
            parts.join(",")
        ),
        "",
    );
    Config::from_json(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn two_way(first: u32) -> Config {
    split_config(&[("on".into(), first), ("off".into(), BUCKETS - first)])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn bucketing_is_deterministic_and_in_range(salt in ".{0,40}", id in ".{0,80}") {
        let b = flagcore::bucket(&salt, &id);
        prop_assert!(b < BUCKETS);
        prop_assert_eq!(b, flagcore::bucket(&salt, &id));
    }

    #[test]
    fn evaluation_is_deterministic(id in "[a-zA-Z0-9-]{1,40}", t in 1_790_000_000_000i64..1_800_000_000_000) {
        let a = Config::from_json(EXAMPLE).unwrap();
        let b = Config::from_json(EXAMPLE).unwrap();
        let ctx = Context::new(id).with("appVersion", "2.4.0");
        for (x, y) in a.at(t).evaluate_all(&ctx).zip(b.at(t).evaluate_all(&ctx)) {
            prop_assert_eq!(x, y);
        }
    }

    #[test]
    fn raising_a_percentage_never_removes_a_user(
        p1 in 0u32..=BUCKETS, p2 in 0u32..=BUCKETS, ids in prop::collection::vec("[ -~]{1,24}", 50)
    ) {
        let (lo, hi) = (p1.min(p2), p1.max(p2));
        let low = two_way(lo);
        let high = two_way(hi);
        for id in ids {
            let ctx = Context::new(id);
            if low.evaluate("f", &ctx).variant == Some("on") {
                prop_assert_eq!(high.evaluate("f", &ctx).variant, Some("on"));
            }
        }
    }

    #[test]
    fn changing_a_split_moves_only_the_users_it_must(
        a1 in 0u32..=BUCKETS, a2 in 0u32..=BUCKETS, ids in prop::collection::vec("[a-z0-9]{1,16}", 200)
    ) {
        // control/treatment a1 -> a2: only buckets between the two boundaries move.
        let before = two_way(a1);
        let after = two_way(a2);
        let (lo, hi) = (a1.min(a2), a1.max(a2));
        for id in ids {
            let ctx = Context::new(id);
            let x = before.evaluate("f", &ctx);
            let y = after.evaluate("f", &ctx);
            prop_assert_eq!(x.bucket, y.bucket);
            let b = x.bucket.unwrap();
            if x.variant != y.variant {
                prop_assert!(lo <= b && b < hi, "bucket {} moved outside [{}, {})", b, lo, hi);
            } else {
                prop_assert!(!(lo <= b && b < hi));
            }
        }
    }

    #[test]
    fn a_split_serves_each_variant_exactly_its_range(
        w in prop::collection::vec(0u32..40_000, 1..5), ids in prop::collection::vec("[a-z0-9]{1,16}", 100)
    ) {
        let used: u32 = w.iter().sum();
        prop_assume!(used <= BUCKETS);
        let mut weights: Vec<(String, u32)> = w.iter().enumerate().map(|(i, w)| (format!("v{i}"), *w)).collect();
        weights.push(("rest".into(), BUCKETS - used));
        let config = split_config(&weights);
        for id in ids {
            let e = config.evaluate("f", &Context::new(id));
            prop_assert_eq!(e.reason, Reason::Split);
            let b = e.bucket.unwrap();
            let mut start = 0;
            let mut want = None;
            for (v, w) in &weights {
                if b < start + w { want = Some(v.as_str()); break; }
                start += w;
            }
            prop_assert_eq!(e.variant, want);
        }
    }

    #[test]
    fn arbitrary_contexts_never_panic(
        key in ".{0,30}",
        attrs in prop::collection::vec((prop::sample::select(vec!["email", "appVersion", "platform", "key", "x"]), ".{0,30}"), 0..6),
        t in proptest::option::of(any::<i64>()),
    ) {
        let config = Config::from_json(EXAMPLE).unwrap();
        let mut ctx = Context::new(key);
        for (name, value) in attrs {
            ctx.set(name, value);
        }
        // None: no time (At::Unset), so staged rollouts answer an error.
        for e in config.at(t).evaluate_all(&ctx) {
            prop_assert!(e.variant.is_some());
        }
    }

    #[test]
    fn arbitrary_json_configs_never_panic(text in ".{0,200}") {
        let _ = Config::from_json(&text);
    }
}
