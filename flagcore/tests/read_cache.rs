//! `Store::is_enabled` and `Store::read` go through a per-thread cache of each store's read
//! state (issue 18): every change of the store is seen by the next read, on every thread,
//! and stores never answer with each other's configs.

use std::sync::mpsc;
use std::sync::Arc;

use flagcore::{Context, Override, Store};

/// A config whose flag `f` serves `on` or `off`.
fn config(on: bool) -> String {
    let variant = if on { "on" } else { "off" };
    format!(
        r#"{{"schemaVersion": 1, "flags": {{"f": {{"enabled": true, "default": {{"variant": "{variant}"}}}},
            "g": {{"enabled": true, "default": {{"variant": "on"}}}}}}}}"#
    )
}

#[test]
fn every_change_is_seen_by_the_next_read_on_this_thread() {
    let store = Store::from_json(&config(false)).unwrap();
    let user = Context::new("u");
    assert!(!store.is_enabled("f", &user));
    store.update(&config(true)).unwrap();
    assert!(store.is_enabled("f", &user));
    assert!(store.read(|now| now.evaluate("f", &user).variant == Some("on")));
    store.rollback().unwrap();
    assert!(!store.is_enabled("f", &user));
    store
        .set_override("f", Override::Variant("on".into()))
        .unwrap();
    assert!(store.is_enabled("f", &user));
    store.set_override("g", Override::Kill).unwrap();
    assert!(!store.is_enabled("g", &user));
    store.clear_overrides();
    assert!(!store.is_enabled("f", &user));
    assert!(store.is_enabled("g", &user));
}

#[test]
fn more_stores_than_cache_slots_answer_with_their_own_configs() {
    let user = Context::new("u");
    // More stores than a thread caches, read in turns, so every read replaces a slot.
    let stores: Vec<Store> = (0..11)
        .map(|i| Store::from_json(&config(i % 3 == 0)).unwrap())
        .collect();
    for round in 0..5 {
        for (i, store) in stores.iter().enumerate() {
            assert_eq!(
                store.is_enabled("f", &user),
                i % 3 == 0,
                "store {i} round {round}"
            );
        }
        // Change some of them between rounds: each read still sees its own store now.
        for (i, store) in stores
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == round % 2)
        {
            let on = store.is_enabled("f", &user);
            store.update(&config(!on)).unwrap();
            store.update(&config(on)).unwrap();
            assert_eq!(store.is_enabled("f", &user), i % 3 == 0);
        }
    }
    // A store dropped and another made in its place does not inherit its cached state.
    for on in [true, false, true] {
        let store = Store::from_json(&config(on)).unwrap();
        assert_eq!(store.is_enabled("f", &user), on);
    }
}

#[test]
fn another_thread_sees_an_update_made_after_its_last_read() {
    let store = Arc::new(Store::from_json(&config(false)).unwrap());
    let (to_reader, reads) = mpsc::channel::<bool>();
    let (to_main, answers) = mpsc::channel::<bool>();
    let reader = {
        let store = Arc::clone(&store);
        std::thread::spawn(move || {
            let user = Context::new("u");
            // Each message: read `f` and send the answer back.
            while reads.recv().unwrap_or(false) {
                to_main.send(store.is_enabled("f", &user)).unwrap();
            }
        })
    };
    for on in [false, true, true, false, true] {
        store.update(&config(on)).unwrap();
        to_reader.send(true).unwrap();
        assert_eq!(answers.recv().unwrap(), on);
    }
    to_reader.send(false).unwrap();
    reader.join().unwrap();
}
