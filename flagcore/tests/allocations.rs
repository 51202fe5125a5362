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
    // Warm up (arc-swap's per-thread debt list is set up on first use).
    let _ = store.snapshot().evaluate("speech-backend-ab", &users[0]);
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
            }
        }
        checksum
    });
    assert!(checksum > 0);
    assert_eq!(allocations, 0, "evaluation allocated {allocations} times");
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
