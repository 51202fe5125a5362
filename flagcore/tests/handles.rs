//! Flag handles (`Store::flag` -> `FlagHandle`) answer exactly as the by-key calls of the
//! store, before and after updates, rollbacks, plan advances and overrides, and on many
//! threads while the config is swapped.

mod common;

use std::sync::Arc;

use common::EXAMPLE;
use flagcore::{At, Context, FlagHandle, Override, Reason, Store};

/// Every answer of `handle` for `ctx` at `at` against the by-key answers of a snapshot of
/// the same store (no update runs concurrently in the callers).
fn assert_same<S: std::ops::Deref<Target = Store>>(handle: &FlagHandle<S>, ctx: &Context, at: At) {
    let snapshot = handle.store().snapshot();
    let by_key = snapshot.at(at);
    let key = handle.key();
    let what = format!(
        "{key} for {:?} at revision {}",
        ctx.key(),
        snapshot.revision()
    );
    assert_eq!(
        handle.is_enabled_at(ctx, at),
        by_key.is_enabled(key, ctx),
        "{what}"
    );
    assert_eq!(
        handle.variant_index_at(ctx, at),
        by_key
            .variant_index(key, ctx)
            .map(|i| (i, snapshot.revision())),
        "{what}"
    );
    let expected = by_key.evaluate(key, ctx).to_details();
    assert_eq!(
        handle.evaluate_at(ctx, at, |e| e.to_details()),
        expected,
        "{what}"
    );
}

fn users() -> Vec<Context> {
    (0..300)
        .map(|i| {
            Context::new(format!("user-{i}"))
                .with("appVersion", if i % 2 == 0 { "2.4.0" } else { "2.2.0" })
                .with("platform", if i % 3 == 0 { "ios-web" } else { "android" })
        })
        .collect()
}

/// The positions of `on` and `off` among the implicit boolean variants.
const ON_OFF: [usize; 2] = [0, 1];

fn flag(enabled: bool) -> String {
    format!(r#"{{"enabled": {enabled}, "default": {{"variant": "on"}}}}"#)
}

fn config(flags: &[(&str, bool)]) -> String {
    let flags: Vec<String> = flags
        .iter()
        .map(|(k, on)| format!("{k:?}: {}", flag(*on)))
        .collect();
    format!(
        r#"{{"schemaVersion": 1, "flags": {{{}}}}}"#,
        flags.join(", ")
    )
}

#[test]
fn a_handle_answers_as_the_key_does_for_every_flag_of_the_example() {
    let store = Store::from_json(EXAMPLE).unwrap();
    let keys: Vec<String> = store
        .config()
        .flags()
        .map(|f| f.key().to_owned())
        .chain(["no-such-flag".to_owned()])
        .collect();
    let handles: Vec<_> = keys.iter().map(|k| store.flag(k)).collect();
    let users = users();
    for (i, user) in users.iter().enumerate() {
        let at = At::Millis(1_795_305_600_000 + i as i64 * 3_600_000);
        for handle in &handles {
            assert_same(handle, user, at);
            assert_same(handle, user, At::Unset);
        }
    }
    let missing = handles.last().unwrap();
    assert!(!missing.is_enabled(&users[0]));
    assert_eq!(missing.variant_index(&users[0]), None);
    let (reason, error) = missing.evaluate_at(&users[0], At::Now, |e| (e.reason, e.error));
    assert_eq!(reason, Reason::Error);
    assert_eq!(error.map(|c| c.as_str()), Some("FLAG_NOT_FOUND"));
}

#[test]
fn a_handle_follows_updates_rollbacks_and_moves() {
    let store = Store::from_json(&config(&[("a", true), ("b", false)])).unwrap();
    let (a, b, c) = (store.flag("a"), store.flag("b"), store.flag("c"));
    let user = Context::new("u");
    let answers = |h: &[&FlagHandle<&Store>]| -> Vec<bool> {
        h.iter().map(|h| h.is_enabled(&user)).collect()
    };
    assert_eq!(answers(&[&a, &b, &c]), [true, false, false]); // c: missing, as by key
    assert_eq!(c.variant_index(&user), None);

    // c added, a removed, b moved to the front and switched on.
    store.update(&config(&[("b", true), ("c", true)])).unwrap();
    assert_eq!(answers(&[&a, &b, &c]), [false, true, true]);
    assert_eq!(a.variant_index(&user), None);
    assert_eq!(b.variant_index(&user).map(|(_, r)| r), Some(2));

    // Reordered again: each handle finds its flag at the new position.
    store
        .update(&config(&[
            ("c", false),
            ("x", true),
            ("a", true),
            ("b", false),
        ]))
        .unwrap();
    assert_eq!(answers(&[&a, &b, &c]), [true, false, false]);

    // Rollback to revision 2: the handles answer for that config again.
    assert_eq!(store.rollback().unwrap(), 2);
    assert_eq!(answers(&[&a, &b, &c]), [false, true, true]);
    assert_eq!(store.rollback().unwrap(), 1);
    assert_eq!(answers(&[&a, &b, &c]), [true, false, false]);

    // Overrides keep the revision (and the index) but change the answer.
    store.set_override("a", Override::Kill).unwrap();
    assert_eq!(answers(&[&a, &b, &c]), [false, false, false]);
    store.clear_override("a");
    assert!(a.is_enabled(&user));

    for h in [&a, &b, &c] {
        assert_same(h, &user, At::Now);
    }
}

#[test]
fn a_handle_follows_a_plan_advance() {
    let store = Store::from_json(
        r#"{"schemaVersion": 1, "flags": {"f": {"enabled": true,
          "default": {"split": [{"variant": "on", "weight": 5}, {"variant": "off", "weight": 95}]},
          "plan": {"stages": [{"percentage": 5}, {"percentage": 100}]}}}}"#,
    )
    .unwrap();
    let f = store.flag("f");
    let users = users();
    let on = |f: &FlagHandle<&Store>| users.iter().filter(|u| f.is_enabled(u)).count();
    assert!(on(&f) < users.len() / 2);
    let advance = flagcore::Decision::from_json(
        r#"{"decision": "ADVANCE", "fromStage": 0, "stage": 1, "percentage": 100}"#,
    )
    .unwrap();
    store.apply_decision("f", &advance).unwrap();
    assert_eq!(on(&f), users.len());
}

#[test]
fn an_owned_handle_keeps_its_store() {
    let store = Arc::new(Store::from_json(&config(&[("a", true)])).unwrap());
    let a = FlagHandle::new(Arc::clone(&store), "a");
    drop(store);
    assert!(a.is_enabled(&Context::new("u")));
    assert_eq!(a.key(), "a");
}

#[test]
fn handles_on_many_threads_see_whole_configs() {
    // Two configs that hold the same flags at different positions: a handle that used one
    // config's index in the other would evaluate another flag (its evaluation would carry
    // another key) or answer for it (`a` is on where it is first, off where it is last).
    let forward = Arc::new(
        flagcore::Config::from_json(&config(&[("a", true), ("b", false), ("pad", true)])).unwrap(),
    );
    let backward = Arc::new(
        flagcore::Config::from_json(&config(&[("pad", true), ("b", true), ("a", false)])).unwrap(),
    );
    let store = Arc::new(Store::from_json(&config(&[("a", true), ("b", false)])).unwrap());
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                let (a, b) = (FlagHandle::new(&*store, "a"), FlagHandle::new(&*store, "b"));
                let user = Context::new("u");
                let mut revisions = std::collections::BTreeSet::new();
                let start = std::time::Instant::now();
                while revisions.len() < 100 && start.elapsed().as_secs() < 20 {
                    for h in [&a, &b] {
                        let key = h.evaluate_at(&user, At::Now, |e| e.flag_key.to_owned());
                        assert_eq!(key, h.key());
                        // Odd revisions (1 the first) serve `forward`, even ones `backward`.
                        let (variant, revision) = h.variant_index(&user).unwrap();
                        let on = (h.key() == "a") == (revision % 2 == 1);
                        assert_eq!(
                            variant,
                            ON_OFF[usize::from(!on)],
                            "{} at {revision}",
                            h.key()
                        );
                        revisions.insert(revision);
                    }
                }
                revisions.len()
            })
        })
        .collect();
    let mut swaps = 0;
    while !readers.iter().all(|r| r.is_finished()) {
        store.replace(Arc::clone(if swaps % 2 == 0 {
            &backward
        } else {
            &forward
        }));
        swaps += 1;
    }
    for r in readers {
        // The readers saw the configs change under them (many revisions each).
        assert!(r.join().unwrap() >= 100, "swaps: {swaps}");
    }
    let a = store.flag("a");
    assert_same(&a, &Context::new("u"), At::Now);
}

#[test]
fn handles_of_more_stores_than_a_thread_caches_stay_right() {
    // Six stores used in turn by one thread (more than the states it keeps per thread),
    // each updated between rounds: every answer is its own store's current one.
    let stores: Vec<Store> = (0..6)
        .map(|i| Store::from_json(&config(&[("f", i % 2 == 0)])).unwrap())
        .collect();
    let handles: Vec<_> = stores.iter().map(|s| s.flag("f")).collect();
    let user = Context::new("u");
    for round in 0..20 {
        for (i, (store, handle)) in stores.iter().zip(&handles).enumerate() {
            let on = (i + round) % 2 == 0;
            if round > 0 && i % 3 != 0 {
                store.update(&config(&[("x", true), ("f", on)])).unwrap();
            } else if round > 0 {
                store.set_override("f", Override::Kill).unwrap();
                assert!(!handle.is_enabled(&user));
                store.clear_override("f");
                store.update(&config(&[("f", on)])).unwrap();
            }
            assert_eq!(handle.is_enabled(&user), on, "store {i}, round {round}");
            assert_same(handle, &user, At::Now);
        }
    }
}

#[test]
fn a_handle_evaluated_inside_another_handles_reader() {
    let store = Store::from_json(&config(&[("a", true), ("b", false)])).unwrap();
    let (a, b) = (store.flag("a"), store.flag("b"));
    let user = Context::new("u");
    let _ = a.is_enabled(&user); // cached for this thread
    let (outer, inner) = a.evaluate_at(&user, At::Now, |e| {
        // The outer call holds this thread's cached state: the inner one loads its own.
        (
            e.as_bool(),
            b.evaluate_at(&user, At::Now, |e| (e.flag_key.to_owned(), e.as_bool())),
        )
    });
    assert_eq!(outer, Some(true));
    assert_eq!(inner, ("b".to_owned(), Some(false)));
    store.update(&config(&[("b", true)])).unwrap();
    assert!(!a.is_enabled(&user) && b.is_enabled(&user));
}

#[test]
fn a_thread_lets_go_of_the_configs_it_kept_when_it_exits() {
    let store = Store::from_json_with_options(
        &config(&[("a", true)]),
        flagcore::StoreOptions {
            history: 1,
            ..Default::default()
        },
    )
    .unwrap();
    let first = store.config();
    let (used, updated) = (std::sync::Barrier::new(2), std::sync::Barrier::new(2));
    std::thread::scope(|s| {
        let reader = s.spawn(|| {
            assert!(store.flag("a").is_enabled(&Context::new("u")));
            used.wait();
            updated.wait();
        });
        used.wait();
        store.update(&config(&[("a", false)])).unwrap();
        // The store let go of the first config; the reader's thread still holds its state.
        assert_eq!(Arc::strong_count(&first), 2);
        updated.wait();
        reader.join().unwrap();
    });
    assert_eq!(
        Arc::strong_count(&first),
        1,
        "the reader's exit dropped its state"
    );
}
