//! `flagcore_store`: create, update, roll back, override, evaluate.

use std::ffi::c_char;
use std::sync::Arc;

use flagcore::{Override, Store, StoreOptions};

use crate::boundary::{boundary, boundary_value, bytes, handle, out, text, write, Failure};
use crate::flagcore_result;
#[allow(unused_imports)]
use crate::handles::*;
#[allow(unused_imports)]
use crate::types::*;

// ---------------------------------------------------------------------------------------
// Stores
// ---------------------------------------------------------------------------------------

/// Parses, validates and compiles a JSON config and creates a store serving it as
/// revision 1.
///
/// `report` may be NULL; otherwise it is cleared and receives every problem: the errors
/// when the config is refused (`FLAGCORE_RESULT_INVALID_CONFIG`), the warnings when it
/// loads. On success `*out_store` receives a store to free with `flagcore_store_free`.
///
/// # Safety
/// `json` is valid for `json_len` bytes; `report` is NULL or a live report not used
/// concurrently; `out_store` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_store_new(
    json: *const c_char,
    json_len: usize,
    report: *mut flagcore_report,
    out_store: *mut *mut flagcore_store,
) -> flagcore_result {
    boundary(|| {
        let out_store = out(out_store, "out_store")?;
        let json = from_caller!(bytes(json, json_len, "json"))?;
        let report = from_caller!(report_mut(report));
        match Store::from_slice_with_options(json, StoreOptions::default()) {
            Ok(store) => {
                if let Some(report) = report {
                    report.fill(store.config().warnings().iter().cloned());
                }
                let handle = into_handle(flagcore_store {
                    store: Arc::new(store),
                });
                // SAFETY: checked non-null; valid by the caller's contract.
                unsafe { write(out_store, handle) };
                Ok(())
            }
            Err(e) => {
                if let Some(report) = report {
                    report.fill(e.problems());
                }
                Err(e.into())
            }
        }
    })
}

/// Frees a store. NULL is a no-op. Snapshots taken from it stay valid until freed.
///
/// # Safety
/// `store` is NULL or from `flagcore_store_new`, not freed before, and not in use by
/// another thread.
#[no_mangle]
pub unsafe extern "C" fn flagcore_store_free(store: *mut flagcore_store) {
    from_caller!(free_handle(store))
}

/// Copies the message of the last failed call on this store into `buf` (at most
/// `buf_len - 1` bytes, cut at a character boundary, then a NUL) and returns the message's
/// full length in bytes, as `snprintf` does (0 when no call failed, or for a NULL store).
/// `buf` may be NULL when `buf_len` is 0.
///
/// # Safety
/// `store` is NULL or live; `buf` is NULL or valid for `buf_len` bytes of writes.
#[no_mangle]
pub unsafe extern "C" fn flagcore_store_last_error(
    store: *const flagcore_store,
    buf: *mut c_char,
    buf_len: usize,
) -> usize {
    boundary_value(0, || {
        from_caller!(handle(store, "store"))?; // checked: NULL is an error
        Ok(from_caller!(crate::boundary::copy_last_error(buf, buf_len)))
    })
}

/// Replaces the config: parses, validates and compiles `json`, then swaps it in
/// atomically. On `FLAGCORE_RESULT_INVALID_CONFIG` nothing changes and the last good
/// config keeps serving. `report` (may be NULL) is cleared and receives the errors, or the
/// warnings of an accepted config. On success `*out_revision` (may be NULL) receives the
/// new revision.
///
/// # Safety
/// `store` is live; `json` is valid for `json_len` bytes; `report` is NULL or a live report
/// not used concurrently; `out_revision` is NULL or valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_store_update(
    store: *const flagcore_store,
    json: *const c_char,
    json_len: usize,
    report: *mut flagcore_report,
    out_revision: *mut u64,
) -> flagcore_result {
    boundary(|| {
        let store = from_caller!(handle(store, "store"))?;
        let json = from_caller!(bytes(json, json_len, "json"))?;
        let report = from_caller!(report_mut(report));
        match store.store.update_slice(json) {
            Ok(update) => {
                if let Some(report) = report {
                    report.fill(update.warnings);
                }
                if !out_revision.is_null() {
                    // SAFETY: non-null; valid by the caller's contract.
                    unsafe { write(out_revision, update.revision) };
                }
                Ok(())
            }
            Err(e) => {
                if let Some(report) = report {
                    report.fill(e.problems());
                }
                Err(e.into())
            }
        }
    })
}

/// Goes back to the previous config; `*out_revision` (may be NULL) receives the revision
/// now serving. `FLAGCORE_RESULT_NO_HISTORY` when there is none.
///
/// # Safety
/// `store` is live; `out_revision` is NULL or valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_store_rollback(
    store: *const flagcore_store,
    out_revision: *mut u64,
) -> flagcore_result {
    boundary(|| {
        let store = from_caller!(handle(store, "store"))?;
        let revision = store.store.rollback()?;
        if !out_revision.is_null() {
            // SAFETY: non-null; valid by the caller's contract.
            unsafe { write(out_revision, revision) };
        }
        Ok(())
    })
}

/// The revision serving now (1 for the first config).
///
/// # Safety
/// `store` is live; `out_revision` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_store_revision(
    store: *const flagcore_store,
    out_revision: *mut u64,
) -> flagcore_result {
    boundary(|| {
        let out_revision = out(out_revision, "out_revision")?;
        let store = from_caller!(handle(store, "store"))?;
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_revision, store.store.revision()) };
        Ok(())
    })
}

/// Kills `flag`: it serves its `offVariant` to everyone (reason `OVERRIDE`) until
/// `flagcore_store_clear_override`, across config updates.
/// `FLAGCORE_RESULT_UNKNOWN_FLAG` when the serving config lacks the flag.
///
/// # Safety
/// `store` is live; `flag` is valid for `flag_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn flagcore_store_set_override_kill(
    store: *const flagcore_store,
    flag: *const c_char,
    flag_len: usize,
) -> flagcore_result {
    boundary(|| {
        let store = from_caller!(handle(store, "store"))?;
        let flag = from_caller!(text(flag, flag_len, "flag"))?;
        store.store.set_override(flag, Override::Kill)?;
        Ok(())
    })
}

/// Forces `flag` to serve `variant` to everyone (reason `OVERRIDE`) until cleared.
/// `FLAGCORE_RESULT_UNKNOWN_FLAG` / `FLAGCORE_RESULT_UNKNOWN_VARIANT` when the serving
/// config lacks them.
///
/// # Safety
/// `store` is live; `flag` and `variant` are valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn flagcore_store_set_override_variant(
    store: *const flagcore_store,
    flag: *const c_char,
    flag_len: usize,
    variant: *const c_char,
    variant_len: usize,
) -> flagcore_result {
    boundary(|| {
        let store = from_caller!(handle(store, "store"))?;
        let flag = from_caller!(text(flag, flag_len, "flag"))?;
        let variant = from_caller!(text(variant, variant_len, "variant"))?;
        store
            .store
            .set_override(flag, Override::Variant(variant.to_owned()))?;
        Ok(())
    })
}

/// Clears the override of `flag`; `*out_had` (may be NULL) receives whether there was one.
///
/// # Safety
/// `store` is live; `flag` is valid for `flag_len` bytes; `out_had` is NULL or valid for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_store_clear_override(
    store: *const flagcore_store,
    flag: *const c_char,
    flag_len: usize,
    out_had: *mut bool,
) -> flagcore_result {
    boundary(|| {
        let store = from_caller!(handle(store, "store"))?;
        let flag = from_caller!(text(flag, flag_len, "flag"))?;
        let had = store.store.clear_override(flag);
        if !out_had.is_null() {
            // SAFETY: non-null; valid by the caller's contract.
            unsafe { write(out_had, had) };
        }
        Ok(())
    })
}

/// The hot path: whether `flag` serves `true` for `context`. Like the core, it answers
/// `false` for anything but a boolean flag serving true, including every error (unknown
/// flag, bad arguments: those are recorded as the store's last error when the store is
/// not NULL). No JSON, no allocation.
///
/// `time`/`at_millis`: the evaluation time (a `flagcore_time`: now, at `at_millis` in Unix
/// milliseconds, or unset).
///
/// # Safety
/// `store` and `context` are NULL or live; `flag` is valid for `flag_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn flagcore_store_is_enabled(
    store: *const flagcore_store,
    flag: *const c_char,
    flag_len: usize,
    context: *const flagcore_context,
    time: u32,
    at_millis: i64,
) -> bool {
    boundary_value(false, || {
        let store = from_caller!(handle(store, "store"))?;
        let context = from_caller!(handle(context, "context"))?;
        let flag = from_caller!(text(flag, flag_len, "flag"))?;
        let at = at_of(time, at_millis)?;
        Ok(store
            .store
            .snapshot()
            .at(at)
            .is_enabled(flag, &context.current()))
    })
}

/// The shape every per-flag store call shares: inside the boundary, resolve the store,
/// the context and the flag key, then run `call` against a snapshot with the context at
/// the call's time.
///
/// # Safety
/// `store` and `context` are NULL or live; `flag` is valid for `flag_len` bytes.
pub(crate) unsafe fn store_call(
    store: *const flagcore_store,
    flag: *const c_char,
    flag_len: usize,
    context: *const flagcore_context,
    time: u32,
    at_millis: i64,
    call: impl FnOnce(&flagcore::Evaluator<'_>, &str, &flagcore::Context) -> Result<(), Failure>,
) -> flagcore_result {
    boundary(|| {
        let store = from_caller!(handle(store, "store"))?;
        let context = from_caller!(handle(context, "context"))?;
        let flag = from_caller!(text(flag, flag_len, "flag"))?;
        let at = at_of(time, at_millis)?;
        call(&store.store.snapshot().at(at), flag, &context.current())
    })
}

/// A boolean flag's value for `context`, or `default_value` when evaluation fails or the
/// flag is not boolean (as the core's `bool_value`). `*out_value` receives it.
///
/// # Safety
/// `store` and `context` are live; `flag` is valid for `flag_len` bytes; `out_value` is
/// valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_store_get_bool(
    store: *const flagcore_store,
    flag: *const c_char,
    flag_len: usize,
    context: *const flagcore_context,
    time: u32,
    at_millis: i64,
    default_value: bool,
    out_value: *mut bool,
) -> flagcore_result {
    let call = |snapshot: &flagcore::Evaluator<'_>, flag: &str, ctx: &flagcore::Context| {
        let out_value = out(out_value, "out_value")?;
        let value = snapshot.bool_value(flag, ctx, default_value).value;
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_value, value) };
        Ok(())
    };
    from_caller!(store_call(
        store, flag, flag_len, context, time, at_millis, call
    ))
}

/// A number flag's value for `context`, or `default_value` when evaluation fails or the
/// flag is not a number. `*out_value` receives it.
///
/// # Safety
/// As `flagcore_store_get_bool`.
#[no_mangle]
pub unsafe extern "C" fn flagcore_store_get_number(
    store: *const flagcore_store,
    flag: *const c_char,
    flag_len: usize,
    context: *const flagcore_context,
    time: u32,
    at_millis: i64,
    default_value: f64,
    out_value: *mut f64,
) -> flagcore_result {
    let call = |snapshot: &flagcore::Evaluator<'_>, flag: &str, ctx: &flagcore::Context| {
        let out_value = out(out_value, "out_value")?;
        let value = snapshot.number_value(flag, ctx, default_value).value;
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_value, value) };
        Ok(())
    };
    from_caller!(store_call(
        store, flag, flag_len, context, time, at_millis, call
    ))
}

/// Copies the name of the variant `flag` serves for `context` into `buf` (not
/// NUL-terminated unless `buf_len` exceeds the name's length, in which case a NUL
/// follows) and writes its length to `*out_len`. `FLAGCORE_RESULT_UNKNOWN_FLAG` when the
/// flag does not exist; `FLAGCORE_RESULT_BUFFER_TOO_SMALL` (with the needed length in
/// `*out_len`, `buf` untouched) when `buf_len` is less than the name's length.
///
/// # Safety
/// `store` and `context` are live; `flag` is valid for `flag_len` bytes; `buf` is valid
/// for `buf_len` bytes of writes (NULL when 0); `out_len` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_store_variant(
    store: *const flagcore_store,
    flag: *const c_char,
    flag_len: usize,
    context: *const flagcore_context,
    time: u32,
    at_millis: i64,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> flagcore_result {
    let call = |snapshot: &flagcore::Evaluator<'_>, flag: &str, ctx: &flagcore::Context| {
        let out_len = out(out_len, "out_len")?;
        let evaluation = snapshot.evaluate(flag, ctx);
        let Some(variant) = evaluation.variant else {
            return Err(Failure::Store(flagcore::StoreError::UnknownFlag(
                flag.to_owned(),
            )));
        };
        // SAFETY: forwarded from the caller.
        unsafe { copy_name(variant, buf, buf_len, out_len) }
    };
    from_caller!(store_call(
        store, flag, flag_len, context, time, at_millis, call
    ))
}

/// Copies `name` into `buf` for the `*_variant` calls: its length to `*out_len`, a NUL
/// after it when there is room; `FLAGCORE_RESULT_BUFFER_TOO_SMALL` (with the needed length
/// in `*out_len`, `buf` untouched) when `buf_len` is less than the name's length.
///
/// # Safety
/// `buf` is valid for `buf_len` bytes of writes (NULL when 0); `out_len` is valid for one
/// write.
pub(crate) unsafe fn copy_name(
    name: &str,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> Result<(), Failure> {
    if buf_len < name.len() {
        // SAFETY: valid by the caller's contract.
        unsafe { write(out_len, name.len()) };
        return Err(Failure::BufferTooSmall { needed: name.len() });
    }
    if !name.is_empty() && buf.is_null() {
        return Err(Failure::Null("buf"));
    }
    // SAFETY: `buf` has room for `buf_len >= name.len()` bytes (caller's contract); a NUL
    // is written only when there is room for it.
    unsafe {
        std::ptr::copy_nonoverlapping(name.as_ptr(), buf.cast::<u8>(), name.len());
        if buf_len > name.len() {
            *buf.add(name.len()) = 0;
        }
        write(out_len, name.len());
    }
    Ok(())
}

/// The position of the variant `flag` serves for `context` (the off variant's on an
/// evaluation error) in the flag's variant order, into `*out_index`, and the revision that
/// served it into `*out_revision` (may be NULL): `flagcore_store_variant` without copying
/// the name, for callers that keep the names per revision
/// (`flagcore_snapshot_variant_name`). `FLAGCORE_RESULT_UNKNOWN_FLAG` when the flag does
/// not exist.
///
/// # Safety
/// `store` and `context` are live; `flag` is valid for `flag_len` bytes; `out_index` is
/// valid for one write; `out_revision` is NULL or valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_store_variant_index(
    store: *const flagcore_store,
    flag: *const c_char,
    flag_len: usize,
    context: *const flagcore_context,
    time: u32,
    at_millis: i64,
    out_index: *mut usize,
    out_revision: *mut u64,
) -> flagcore_result {
    boundary(|| {
        let out_index = out(out_index, "out_index")?;
        let store = from_caller!(handle(store, "store"))?;
        let context = from_caller!(handle(context, "context"))?;
        let flag = from_caller!(text(flag, flag_len, "flag"))?;
        let at = at_of(time, at_millis)?;
        let snapshot = store.store.snapshot();
        let Some(index) = snapshot.at(at).variant_index(flag, &context.current()) else {
            return Err(Failure::Store(flagcore::StoreError::UnknownFlag(
                flag.to_owned(),
            )));
        };
        // SAFETY: `out_index` checked non-null; valid by the caller's contract.
        unsafe { write_variant_index(out_index, out_revision, index, snapshot.revision()) };
        Ok(())
    })
}

/// Writes the answer of a `*_variant_index` call: the position, and the revision when
/// `out_revision` is not NULL.
///
/// # Safety
/// `out_index` is valid for one write; `out_revision` is NULL or valid for one write.
pub(crate) unsafe fn write_variant_index(
    out_index: *mut usize,
    out_revision: *mut u64,
    index: usize,
    revision: u64,
) {
    // SAFETY: valid by the caller's contract.
    unsafe {
        write(out_index, index);
        if !out_revision.is_null() {
            write(out_revision, revision);
        }
    }
}

/// Takes a snapshot: a consistent view of the config and overrides serving now, for
/// evaluations whose strings must outlive later updates. Free it with
/// `flagcore_snapshot_free`.
///
/// # Safety
/// `store` is live; `out_snapshot` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_store_snapshot(
    store: *const flagcore_store,
    out_snapshot: *mut *mut flagcore_snapshot,
) -> flagcore_result {
    boundary(|| {
        let out_snapshot = out(out_snapshot, "out_snapshot")?;
        let store = from_caller!(handle(store, "store"))?;
        let snapshot = into_handle(flagcore_snapshot {
            snapshot: store.store.snapshot_owned(),
        });
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_snapshot, snapshot) };
        Ok(())
    })
}
