//! The `ffi` fuzz target's body: arbitrary bytes through the C ABI, as a C program would
//! call it — `flagcore_store_new` and `flagcore_store_update` with any bytes (not only
//! UTF-8, sometimes a null pointer), the context setters with any names and values, and
//! every evaluation entry point with any flag name, time and output buffer size.
//!
//! The invariants: no call panics or unwinds (the boundary turns both into result codes),
//! a null pointer is `FLAGCORE_NULL_ARGUMENT` (never a crash), and every object is freed.
#![allow(clippy::panic)]

use std::ffi::c_char;
use std::mem::MaybeUninit;
use std::ptr;

use flagcore_ffi::*;

/// A config the store falls back to when the input's own does not load, so the context
/// setters and evaluation are always reached.
const FALLBACK: &str = include_str!("fuzz-config.json");

/// The input, read from the front.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }
    /// A chunk: one length byte, then that many bytes (fewer at the end).
    fn chunk(&mut self) -> &'a [u8] {
        let n = usize::from(self.byte().unwrap_or(0)).min(self.0.len());
        let (chunk, rest) = self.0.split_at(n);
        self.0 = rest;
        chunk
    }
    fn u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        for x in &mut b {
            *x = self.byte().unwrap_or(0);
        }
        u64::from_le_bytes(b)
    }
}

/// A pointer and length for `bytes`; a null pointer when `null` (with the length kept, as
/// a careless caller would pass it).
fn raw(bytes: &[u8], null: bool) -> (*const c_char, usize) {
    if null {
        (ptr::null(), bytes.len())
    } else {
        (bytes.as_ptr().cast(), bytes.len())
    }
}

/// Checks a result code: null pointers must be reported as such.
fn check(result: flagcore_result, null: bool, len: usize, what: &str) {
    if null && len > 0 {
        assert_eq!(
            result,
            flagcore_result::NullArgument,
            "{what} with a null pointer"
        );
    }
    assert_ne!(
        result,
        flagcore_result::Panic,
        "{what} panicked inside the library"
    );
}

// Over 80 lines: one match arm per entry point the fuzzer drives.
pub fn ffi(data: &[u8]) {
    let mut input = Input(data);
    let flags = input.byte().unwrap_or(0);
    let config = input.chunk();
    // SAFETY (all calls below): every pointer passed is null or points to live memory of
    // the length passed with it; out-params point to locals; objects are freed once.
    unsafe {
        let report = flagcore_report_new();
        let mut store: *mut flagcore_store = ptr::null_mut();
        let (p, n) = raw(config, flags & 1 != 0);
        let result = flagcore_store_new(p, n, report, &mut store);
        check(result, flags & 1 != 0, n, "flagcore_store_new");
        if store.is_null() {
            let (p, n) = raw(FALLBACK.as_bytes(), false);
            let result = flagcore_store_new(p, n, ptr::null_mut(), &mut store);
            assert_eq!(result, flagcore_result::Ok, "the fallback config loads");
        }
        // A refused config is explained. (Bytes that are not UTF-8 are refused before
        // validation, with FLAGCORE_RESULT_INVALID_UTF8 and no problem yet: issue 13.)
        if result == flagcore_result::InvalidConfig {
            assert!(
                flagcore_report_len(report) > 0,
                "a refused config without a problem"
            );
        }

        let key = input.chunk();
        let mut context: *mut flagcore_context = ptr::null_mut();
        let (p, n) = raw(key, flags & 2 != 0);
        let result = flagcore_context_new(p, n, &mut context);
        check(result, flags & 2 != 0, n, "flagcore_context_new");
        if context.is_null() {
            let result = flagcore_context_new(c"u".as_ptr(), 1, &mut context);
            assert_eq!(result, flagcore_result::Ok);
        }

        let mut steps = 0;
        while let Some(op) = input.byte() {
            steps += 1;
            if steps > 64 {
                break;
            }
            let null = op & 0x80 != 0 && op & 0x40 != 0;
            match op % 12 {
                0 => {
                    let (name, value) = (input.chunk(), input.chunk());
                    let (np, nn) = raw(name, null);
                    let r = flagcore_context_set_string(
                        context,
                        np,
                        nn,
                        value.as_ptr().cast(),
                        value.len(),
                    );
                    check(r, null, nn, "flagcore_context_set_string");
                }
                1 => {
                    let name = input.chunk();
                    let value = f64::from_bits(input.u64());
                    let (np, nn) = raw(name, null);
                    check(
                        flagcore_context_set_number(context, np, nn, value),
                        null,
                        nn,
                        "set_number",
                    );
                }
                2 => {
                    let name = input.chunk();
                    let value = input.byte().unwrap_or(0) & 1 != 0;
                    let (np, nn) = raw(name, null);
                    check(
                        flagcore_context_set_bool(context, np, nn, value),
                        null,
                        nn,
                        "set_bool",
                    );
                }
                3 => {
                    let name = input.chunk();
                    let (np, nn) = raw(name, null);
                    check(flagcore_context_remove(context, np, nn), null, nn, "remove");
                }
                4 => {
                    let key = input.chunk();
                    let (kp, kn) = raw(key, null);
                    check(
                        flagcore_context_set_key(context, kp, kn),
                        null,
                        kn,
                        "set_key",
                    );
                }
                5 => {
                    let json = input.chunk();
                    let (jp, jn) = raw(json, null);
                    check(
                        flagcore_context_set_json(context, jp, jn),
                        null,
                        jn,
                        "set_json",
                    );
                }
                6 => {
                    let flag = input.chunk();
                    let at = input.u64() as i64;
                    let expected = u32::from(input.byte().unwrap_or(0) % 6);
                    let mut snapshot: *mut flagcore_snapshot = ptr::null_mut();
                    let r = flagcore_store_snapshot(store, &mut snapshot);
                    assert_eq!(r, flagcore_result::Ok);
                    let mut out = MaybeUninit::<flagcore_evaluation>::zeroed();
                    let (fp, fl) = raw(flag, null);
                    let r = flagcore_snapshot_evaluate(
                        snapshot,
                        fp,
                        fl,
                        context,
                        if op & 1 != 0 { 1 } else { 2 }, // FLAGCORE_TIME_AT or _UNSET
                        at,
                        expected,
                        out.as_mut_ptr(),
                    );
                    check(r, null, fl, "flagcore_snapshot_evaluate");
                    flagcore_snapshot_free(snapshot);
                }
                7 => {
                    let flag = input.chunk();
                    let at = input.u64() as i64;
                    let (fp, fl) = raw(flag, null);
                    let mut value = false;
                    let r = flagcore_store_get_bool(
                        store,
                        fp,
                        fl,
                        context,
                        if op & 1 != 0 { 1 } else { 2 }, // FLAGCORE_TIME_AT or _UNSET
                        at,
                        true,
                        &mut value,
                    );
                    check(r, null, fl, "flagcore_store_get_bool");
                    let _ = flagcore_store_is_enabled(
                        store,
                        fp,
                        fl,
                        context,
                        if op & 1 != 0 { 1 } else { 2 },
                        at,
                    );
                }
                8 => {
                    let flag = input.chunk();
                    let at = input.u64() as i64;
                    let (fp, fl) = raw(flag, null);
                    let mut value = 0.0;
                    let r = flagcore_store_get_number(
                        store,
                        fp,
                        fl,
                        context,
                        if op & 1 != 0 { 1 } else { 2 }, // FLAGCORE_TIME_AT or _UNSET
                        at,
                        1.5,
                        &mut value,
                    );
                    check(r, null, fl, "flagcore_store_get_number");
                }
                9 => {
                    let flag = input.chunk();
                    let size = usize::from(input.byte().unwrap_or(0) % 40);
                    let mut buf = vec![0u8; size];
                    let mut len = 0usize;
                    let (fp, fl) = raw(flag, null);
                    let r = flagcore_store_variant(
                        store,
                        fp,
                        fl,
                        context,
                        2, // FLAGCORE_TIME_UNSET
                        0,
                        buf.as_mut_ptr().cast(),
                        size,
                        &mut len,
                    );
                    check(r, null, fl, "flagcore_store_variant");
                }
                10 => {
                    let config = input.chunk();
                    let (cp, cn) = raw(config, null);
                    let mut revision = 0u64;
                    let r = flagcore_store_update(store, cp, cn, report, &mut revision);
                    check(r, null, cn, "flagcore_store_update");
                }
                _ => {
                    let mut snapshot: *mut flagcore_snapshot = ptr::null_mut();
                    let r = flagcore_store_snapshot(store, &mut snapshot);
                    assert_eq!(r, flagcore_result::Ok);
                    let mut count = 0usize;
                    let r = flagcore_snapshot_flag_count(snapshot, &mut count);
                    assert_eq!(r, flagcore_result::Ok);
                    flagcore_snapshot_free(snapshot);
                }
            }
        }
        flagcore_context_free(context);
        flagcore_store_free(store);
        flagcore_report_free(report);
    }
}
