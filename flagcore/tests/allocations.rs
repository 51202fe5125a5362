//! Evaluating against a borrowed context allocates nothing: proven with a counting
//! global allocator (this test binary only).

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::EXAMPLE;
use flagcore::{Context, Store};

struct Counting;

// Both per thread: the test harness runs other tests on other threads at the same time.
thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn note_allocation() {
    if COUNTING.with(Cell::get) {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn count<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let before = ALLOCATIONS.with(Cell::get);
    COUNTING.with(|c| c.set(true));
    let r = f();
    COUNTING.with(|c| c.set(false));
    (r, ALLOCATIONS.with(Cell::get) - before)
}

#[test]
fn evaluation_does_not_allocate() {
    let store = Store::from_json(EXAMPLE).unwrap();
    let users = [
        Context::new("user-qa-001").with("appVersion", "2.4.0"),
        Context::new("user-1002").with("appVersion", "2.2.0"),
        Context::new("user-1003")
            .with("appVersion", "2.3.1")
            .with("platform", "ios-web"),
        Context::new("user-1004")
            .with("appVersion", "2.5.0")
            .with("email", "x@company.example"),
        Context::anonymous().with("appVersion", "2.5.0"),
        Context::new(&*"a-very-long-user-id-".repeat(40)).with("appVersion", "2.5.0"),
    ];
    let flags = [
        "speechmatics-direct",
        "modal-fallback",
        "speech-backend-ab",
        "transcription-chunk-ms",
        "live-captions-ui",
        "missing",
    ];
    // Warm up (arc-swap's per-thread debt list and the store's per-thread read cache are
    // set up on first use).
    let _ = store.snapshot().evaluate("speech-backend-ab", &users[0]);
    let _ = store.is_enabled("modal-fallback", &users[0]);
    let at = 1_796_083_200_000;

    let (checksum, allocations) = count(|| {
        let mut checksum = 0u64;
        for _ in 0..100 {
            let snapshot = store.snapshot();
            let snap = snapshot.at(at);
            for user in &users {
                for flag in flags {
                    let e = snap.evaluate(flag, user);
                    checksum += u64::from(e.bucket.unwrap_or(1)) + e.reason.code() as u64;
                }
                checksum += snap
                    .evaluate_all(user)
                    .filter(|e| e.as_bool() == Some(true))
                    .count() as u64;
                checksum += u64::from(snap.bool_value("speechmatics-direct", user, false).value);
                checksum += snap
                    .string_value("speech-backend-ab", user, "modal")
                    .value
                    .len() as u64;
                checksum += snap.number_value("transcription-chunk-ms", user, 0.0).value as u64;
                checksum += u64::from(store.snapshot().at(at).is_enabled("modal-fallback", user));
                // Now: reading the system clock does not allocate either.
                checksum += u64::from(store.is_enabled("modal-fallback", user));
                checksum += store.read(|now| {
                    now.evaluate("speech-backend-ab", user)
                        .variant
                        .map_or(0, str::len) as u64
                });
            }
        }
        checksum
    });
    assert!(checksum > 0);
    assert_eq!(allocations, 0, "evaluation allocated {allocations} times");
}

#[test]
fn flag_handles_do_not_allocate() {
    let store = Store::from_json(EXAMPLE).unwrap();
    let users = [
        Context::new("user-qa-001").with("appVersion", "2.4.0"),
        Context::new("user-1003")
            .with("appVersion", "2.3.1")
            .with("platform", "ios-web"),
        Context::anonymous().with("appVersion", "2.5.0"),
    ];
    let handles = [
        "speechmatics-direct",
        "speech-backend-ab",
        "modal-fallback",
        "missing",
    ]
    .map(|key| store.flag(key));
    let at = 1_796_083_200_000;
    // Warm up (the arc-swap debt list); the first calls resolve the keys.
    let _ = handles[0].is_enabled(&users[0]);
    let (checksum, allocations) = count(|| {
        let mut checksum = 0u64;
        for _ in 0..100 {
            for user in &users {
                for handle in &handles {
                    checksum += u64::from(handle.is_enabled(user));
                    checksum += u64::from(handle.is_enabled_at(user, at));
                    checksum += handle
                        .variant_index_at(user, at)
                        .map_or(7, |(i, _)| i as u64);
                    checksum += handle.evaluate_at(user, at, |e| u64::from(e.bucket.unwrap_or(1)));
                }
            }
        }
        checksum
    });
    assert!(checksum > 0);
    assert_eq!(allocations, 0, "flag handles allocated {allocations} times");
}

#[test]
fn the_counter_counts() {
    let (v, allocations) = count(|| vec![1u8; 64]);
    assert_eq!(v.len(), 64);
    assert!(allocations >= 1, "a test that cannot fail proves nothing");
}

#[test]
fn large_sets_do_not_allocate() {
    // Over the linear-search sizes: `in` over numbers bisects, `contains` runs an
    // automaton built at load; neither may allocate per evaluation.
    let numbers: Vec<String> = (0..1_000).map(|i| i.to_string()).collect();
    let needles: Vec<String> = (0..1_000).map(|i| format!("\"n{i}-\"")).collect();
    let text = format!(
        r#"{{"schemaVersion": 1, "flags": {{
          "n": {{"enabled": true, "rules": [{{"conditions": [{{"attribute": "a", "op": "in", "values": [{}]}}], "serve": {{"variant": "on"}}}}], "default": {{"variant": "off"}}}},
          "c": {{"enabled": true, "rules": [{{"conditions": [{{"attribute": "s", "op": "contains", "values": [{}]}}], "serve": {{"variant": "on"}}}}], "default": {{"variant": "off"}}}}}}}}"#,
        numbers.join(","),
        needles.join(",")
    );
    let store = Store::from_json(&text).unwrap();
    let users = [
        Context::new("u").with("a", 999.0).with("s", "x n999- y"),
        Context::new("v")
            .with("a", 1000.5)
            .with("s", "nothing here"),
    ];
    let _ = store.snapshot().evaluate("c", &users[0]);
    let (on, allocations) = count(|| {
        let snap = store.snapshot();
        let mut on = 0;
        for user in &users {
            for flag in ["n", "c"] {
                on += usize::from(snap.evaluate(flag, user).as_bool() == Some(true));
            }
        }
        on
    });
    assert_eq!(on, 2);
    assert_eq!(allocations, 0, "evaluation allocated {allocations} times");
}

#[test]
fn issue_14_operators_do_not_allocate() {
    // Every operator added by issue 14, on scalars and lists, with and without ignoreCase.
    let large: Vec<String> = (0..100).map(|i| format!("\"group-{i}\"")).collect();
    let conditions = [
        r#"{"attribute": "groups", "op": "anyOf", "values": ["x", "admins"]}"#.to_owned(),
        r#"{"attribute": "groups", "op": "allOf", "values": ["admins", "BETA"], "ignoreCase": true}"#.to_owned(),
        r#"{"attribute": "groups", "op": "noneOf", "values": ["ops"]}"#.to_owned(),
        r#"{"attribute": "groups", "op": "sizeGte", "value": 2}"#.to_owned(),
        r#"{"attribute": "groups", "op": "in", "values": ["beta"]}"#.to_owned(),
        format!(r#"{{"attribute": "groups", "op": "in", "values": [{}], "ignoreCase": true}}"#, large.join(",")),
        r#"{"attribute": "name", "op": "equals", "value": "josé", "ignoreCase": true}"#.to_owned(),
        r#"{"attribute": "name", "op": "startsWith", "value": "jo", "ignoreCase": true}"#.to_owned(),
        r#"{"attribute": "name", "op": "endsWith", "value": "SÉ", "ignoreCase": true}"#.to_owned(),
        r#"{"attribute": "name", "op": "contains", "values": ["os", "xx"], "ignoreCase": true}"#.to_owned(),
        r#"{"attribute": "ua", "op": "matches", "value": "iPhone OS 1[7-9]_"}"#.to_owned(),
        r#"{"attribute": "ip", "op": "inCidr", "values": ["10.0.0.0/8", "2001:db8::/32"]}"#.to_owned(),
        r#"{"attribute": "name", "op": "strLt", "value": "K"}"#.to_owned(),
        r#"{"attribute": "groups", "op": "isType", "value": "list"}"#.to_owned(),
        r#"{"attribute": "seats", "op": "gte", "value": 10}"#.to_owned(),
        r#"{"attribute": "version", "op": "semverGte", "value": "2.0.0"}"#.to_owned(),
        r#"{"attribute": "versions", "op": "semverGte", "value": "2.0.0"}"#.to_owned(),
    ];
    let flags: Vec<String> = conditions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                r#""f{i}": {{"enabled": true, "rules": [{{"conditions": [{c}], "serve": {{"variant": "on"}}}}], "default": {{"variant": "off"}}}}"#
            )
        })
        .collect();
    let text = format!(
        r#"{{"schemaVersion": 1, "flags": {{{}}}}}"#,
        flags.join(",")
    );
    let store = Store::from_json(&text).unwrap();
    let users = [
        Context::new("u")
            .with("groups", ["admins", "beta", "group-7"])
            .with("name", "JOSÉ")
            .with("ua", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)")
            .with("ip", "10.1.2.3")
            .with("seats", "12")
            .with("version", "V2.4.0")
            .with("versions", ["1.0.0", "2.4.0"]),
        Context::new("v")
            .with("groups", "GROUP-9")
            .with("name", "x".repeat(300))
            .with("ua", "curl/8")
            .with("ip", "2001:db8::1")
            .with("seats", 3),
    ];
    let keys: Vec<String> = (0..conditions.len()).map(|i| format!("f{i}")).collect();
    // Warm up: regex-lite keeps a matching cache per regex, made on first use.
    for user in &users {
        for key in &keys {
            let _ = store.snapshot().evaluate(key, user);
        }
    }
    let (on, allocations) = count(|| {
        let snap = store.snapshot();
        let mut on = 0;
        for _ in 0..10 {
            for user in &users {
                for key in &keys {
                    on += usize::from(snap.evaluate(key, user).as_bool() == Some(true));
                }
            }
        }
        on
    });
    assert!(on >= 10 * conditions.len(), "only {on} matched");
    assert_eq!(allocations, 0, "evaluation allocated {allocations} times");
}
