//! Statistical tests over 1,000,000 generated IDs: uniformity, independence between
//! flags, split accuracy, and the fix for the migration's shared-hash problem.

mod common;

use common::{one_flag, user_id, EXAMPLE};
use flagcore::{Config, Context};

const N: u64 = 1_000_000;

/// Chi-square critical values at p = 0.001.
const CHI2_99_DOF: f64 = 148.23;
const CHI2_1_DOF: f64 = 10.83;

fn chi_square(observed: &[u64], expected: &[f64]) -> f64 {
    observed
        .iter()
        .zip(expected)
        .map(|(&o, &e)| (o as f64 - e).powi(2) / e)
        .sum()
}

#[test]
fn buckets_are_uniform() {
    for (salt, ids) in [
        ("speech-backend-ab", (0..N).map(user_id).collect::<Vec<_>>()),
        ("x", (0..N).map(|i| format!("{i}")).collect()),
        (
            "uuid-like",
            (0..N)
                .map(|i| {
                    format!(
                        "{:08x}-4f1c-{:04x}-9a2b-{:012x}",
                        i * 2_654_435_761 % (1 << 32),
                        i % 65_536,
                        i
                    )
                })
                .collect(),
        ),
    ] {
        let mut bins = vec![0u64; 100];
        for id in &ids {
            bins[(flagcore::bucket(salt, id) / 1000) as usize] += 1;
        }
        let expected = vec![N as f64 / 100.0; 100];
        let chi2 = chi_square(&bins, &expected);
        assert!(
            chi2 < CHI2_99_DOF,
            "salt {salt}: chi-square {chi2:.1} over 99 dof"
        );
    }
}

#[test]
fn two_flags_assign_independently() {
    // A 10% canary and a 70% control group: independence predicts 7% in both.
    let mut both = 0u64;
    let mut canary = 0u64;
    let mut control = 0u64;
    for i in 0..N {
        let id = user_id(i);
        let a = flagcore::bucket("canary-flag", &id) < 10_000;
        let b = flagcore::bucket("ab-flag", &id) < 70_000;
        canary += u64::from(a);
        control += u64::from(b);
        both += u64::from(a && b);
    }
    let n = N as f64;
    let observed = [
        both,
        canary - both,
        control - both,
        N - canary - control + both,
    ];
    let (pa, pb) = (canary as f64 / n, control as f64 / n);
    let expected = [
        n * pa * pb,
        n * pa * (1.0 - pb),
        n * (1.0 - pa) * pb,
        n * (1.0 - pa) * (1.0 - pb),
    ];
    let chi2 = chi_square(&observed, &expected);
    assert!(
        chi2 < CHI2_1_DOF,
        "chi-square {chi2:.2}: assignments are correlated"
    );
}

#[test]
fn a_70_30_split_lands_within_0_3_points() {
    let text = one_flag(
        r#"{"type": "string", "variants": {"control": "modal", "treatment": "speechmatics"}, "offVariant": "control", "enabled": true,
            "default": {"split": [{"variant": "control", "weight": 70}, {"variant": "treatment", "weight": 30}]}}"#,
        "",
    );
    let config = Config::from_json(&text).unwrap();
    let mut ctx = Context::new("x");
    let mut control = 0u64;
    for i in 0..N {
        ctx.set_key(user_id(i));
        if config.evaluate("f", &ctx).variant == Some("control") {
            control += 1;
        }
    }
    let share = control as f64 * 100.0 / N as f64;
    assert!((share - 70.0).abs() < 0.3, "control share {share:.3}%");
}

/// The migration's bug: one shared hash for every decision put every canary user in the
/// control group. With per-flag salts, the overlap is what chance predicts.
#[test]
fn the_migration_example_fixes_the_shared_hash_problem() {
    let config = Config::from_json(EXAMPLE).unwrap();
    let week1 = config.at(1_795_478_400_000); // 5% canary
    let mut ctx = Context::new("x").with("appVersion", "2.4.0");
    let (mut canary, mut canary_in_control, mut control) = (0u64, 0u64, 0u64);
    let (mut old_canary, mut old_canary_in_control) = (0u64, 0u64);
    for i in 0..N {
        let id = user_id(i);
        // The old way: abs(hash(userId)) % 100, shared by both decisions.
        let shared = xxhash_like_old(&id) % 100;
        if shared < 5 {
            old_canary += 1;
            old_canary_in_control += u64::from(shared < 70);
        }
        ctx.set_key(id);
        let in_canary = week1.evaluate("speechmatics-direct", &ctx).as_bool() == Some(true);
        let in_control = week1.evaluate("speech-backend-ab", &ctx).variant == Some("control");
        canary += u64::from(in_canary);
        control += u64::from(in_control);
        canary_in_control += u64::from(in_canary && in_control);
    }
    assert_eq!(
        old_canary_in_control, old_canary,
        "the old scheme: every canary user is in control"
    );
    let overlap = canary_in_control as f64 / canary as f64;
    let control_share = control as f64 / N as f64;
    assert!(
        (canary as f64 / N as f64 - 0.05).abs() < 0.002,
        "canary share"
    );
    assert!(
        (overlap - control_share).abs() < 0.01,
        "share of canary users in control {overlap:.4} should be the control share {control_share:.4}"
    );
}

/// A stand-in for the hand-written TypeScript hash (any shared hash shows the problem).
fn xxhash_like_old(id: &str) -> u64 {
    id.bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
}
