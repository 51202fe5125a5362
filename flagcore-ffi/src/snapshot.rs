//! `flagcore_snapshot`: one consistent view for many evaluations.

use std::ffi::c_char;

use flagcore::StoreError;

use crate::boundary::{boundary, boundary_value, handle, out, text, write, Failure};
use crate::flagcore_result;
#[allow(unused_imports)]
use crate::handles::*;
#[allow(unused_imports)]
use crate::types::*;

// ---------------------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------------------

/// Frees a snapshot (and with it every string its evaluations returned). NULL is a no-op.
///
/// # Safety
/// `snapshot` is NULL or from `flagcore_store_snapshot`, not freed before, not in use by
/// another thread.
#[no_mangle]
pub unsafe extern "C" fn flagcore_snapshot_free(snapshot: *mut flagcore_snapshot) {
    from_caller!(free_handle(snapshot))
}

/// The message of the last failed call on this snapshot (as `flagcore_store_last_error`).
///
/// # Safety
/// `snapshot` is NULL or live; `buf` is NULL or valid for `buf_len` bytes of writes.
#[no_mangle]
pub unsafe extern "C" fn flagcore_snapshot_last_error(
    snapshot: *const flagcore_snapshot,
    buf: *mut c_char,
    buf_len: usize,
) -> usize {
    boundary_value(0, || {
        from_caller!(handle(snapshot, "snapshot"))?; // checked: NULL is an error
        Ok(from_caller!(crate::boundary::copy_last_error(buf, buf_len)))
    })
}

/// The revision this snapshot sees.
///
/// # Safety
/// `snapshot` is live; `out_revision` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_snapshot_revision(
    snapshot: *const flagcore_snapshot,
    out_revision: *mut u64,
) -> flagcore_result {
    boundary(|| {
        let out_revision = out(out_revision, "out_revision")?;
        let snapshot = from_caller!(handle(snapshot, "snapshot"))?;
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_revision, snapshot.snapshot.revision()) };
        Ok(())
    })
}

/// The number of flags in this snapshot's config (the length `flagcore_snapshot_evaluate_all`
/// needs).
///
/// # Safety
/// `snapshot` is live; `out_count` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_snapshot_flag_count(
    snapshot: *const flagcore_snapshot,
    out_count: *mut usize,
) -> flagcore_result {
    boundary(|| {
        let out_count = out(out_count, "out_count")?;
        let snapshot = from_caller!(handle(snapshot, "snapshot"))?;
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_count, snapshot.snapshot.config().len()) };
        Ok(())
    })
}

/// Evaluates one flag for `context`: value, variant, reason and details in
/// `*out_evaluation`. An unknown flag is not a call failure: it is an evaluation with
/// reason `ERROR` and error code `FLAG_NOT_FOUND`.
///
/// `expected_type` is a `flagcore_value_type`: `FLAGCORE_VALUE_TYPE_NONE` accepts any
/// type; another type turns a flag of a different type into reason `ERROR`, error
/// `TYPE_MISMATCH` (the typed getters' rule: use your default).
///
/// Lifetime: the evaluation's strings borrow from `snapshot` (valid until
/// `flagcore_snapshot_free`), except the `flag_key` of a `FLAG_NOT_FOUND` evaluation,
/// which is the caller's `flag`.
///
/// # Safety
/// `snapshot` and `context` are live; `flag` is valid for `flag_len` bytes;
/// `out_evaluation` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_snapshot_evaluate(
    snapshot: *const flagcore_snapshot,
    flag: *const c_char,
    flag_len: usize,
    context: *const flagcore_context,
    time: u32,
    at_millis: i64,
    expected_type: u32,
    out_evaluation: *mut flagcore_evaluation,
) -> flagcore_result {
    boundary(|| {
        let out_evaluation = out(out_evaluation, "out_evaluation")?;
        let snapshot = from_caller!(handle(snapshot, "snapshot"))?;
        let context = from_caller!(handle(context, "context"))?;
        let flag = from_caller!(text(flag, flag_len, "flag"))?;
        let snap = snapshot.snapshot.at(at_of(time, at_millis)?);
        let ctx = &*context.current();
        let evaluation = match expected_type {
            0 => snap.evaluate(flag, ctx),
            1 => snap.bool_value(flag, ctx, false).evaluation,
            2 => snap.string_value(flag, ctx, "").evaluation,
            3 => snap.number_value(flag, ctx, 0.0).evaluation,
            4 => {
                snap.json_value(flag, ctx, &serde_json::Value::Null)
                    .evaluation
            }
            other => {
                return Err(Failure::Argument(format!(
                    "expected_type {other} is not a flagcore_value_type"
                )))
            }
        };
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_evaluation, flagcore_evaluation::from(&evaluation)) };
        Ok(())
    })
}

/// Evaluates every flag for `context`, in config order, into `out_evaluations[0..n]`, and
/// writes `n` (the flag count) to `*out_len`. `FLAGCORE_RESULT_BUFFER_TOO_SMALL` (with the
/// needed count in `*out_len`, the array untouched) when `capacity` is less than the flag
/// count. The strings borrow from `snapshot`, as for `flagcore_snapshot_evaluate`.
///
/// # Safety
/// `snapshot` and `context` are live; `out_evaluations` is valid for `capacity` writes (NULL
/// when 0); `out_len` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_snapshot_evaluate_all(
    snapshot: *const flagcore_snapshot,
    context: *const flagcore_context,
    time: u32,
    at_millis: i64,
    out_evaluations: *mut flagcore_evaluation,
    capacity: usize,
    out_len: *mut usize,
) -> flagcore_result {
    boundary(|| {
        let out_len = out(out_len, "out_len")?;
        let snapshot = from_caller!(handle(snapshot, "snapshot"))?;
        let context = from_caller!(handle(context, "context"))?;
        let count = snapshot.snapshot.config().len();
        if capacity < count {
            // SAFETY: checked non-null; valid by the caller's contract.
            unsafe { write(out_len, count) };
            return Err(Failure::BufferTooSmall { needed: count });
        }
        if count > 0 && out_evaluations.is_null() {
            return Err(Failure::Null("out_evaluations"));
        }
        let ctx = context.current();
        let at = at_of(time, at_millis)?;
        for (i, evaluation) in snapshot.snapshot.at(at).evaluate_all(&ctx).enumerate() {
            // SAFETY: i < count <= capacity, and the array is valid for `capacity` writes.
            unsafe {
                write(
                    out_evaluations.add(i),
                    flagcore_evaluation::from(&evaluation),
                )
            };
        }
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_len, count) };
        Ok(())
    })
}

/// The name of variant `index` of `flag` in this snapshot's config (the order of the
/// config's `variants`, the positions `flagcore_store_variant_index` and
/// `flagcore_flag_variant_index` answer with) into `*out_name`, borrowed from `snapshot`
/// (valid until `flagcore_snapshot_free`). `FLAGCORE_RESULT_UNKNOWN_FLAG` when the config
/// lacks the flag, `FLAGCORE_RESULT_UNKNOWN_VARIANT` when the flag has no variant `index`.
///
/// # Safety
/// `snapshot` is live; `flag` is valid for `flag_len` bytes; `out_name` is valid for one
/// write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_snapshot_variant_name(
    snapshot: *const flagcore_snapshot,
    flag: *const c_char,
    flag_len: usize,
    index: usize,
    out_name: *mut flagcore_str,
) -> flagcore_result {
    boundary(|| {
        let out_name = out(out_name, "out_name")?;
        let snapshot = from_caller!(handle(snapshot, "snapshot"))?;
        let flag = from_caller!(text(flag, flag_len, "flag"))?;
        let info = snapshot
            .snapshot
            .config()
            .flag(flag)
            .ok_or_else(|| Failure::Store(StoreError::UnknownFlag(flag.to_owned())))?;
        let (name, _) = info.variants().nth(index).ok_or_else(|| {
            Failure::Store(StoreError::UnknownVariant {
                flag: flag.to_owned(),
                variant: format!("#{index}"),
            })
        })?;
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_name, flagcore_str::of(name)) };
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Strings the library returns
// ---------------------------------------------------------------------------------------

/// Text the library allocated for the caller (a plan decision's JSON): UTF-8 followed by
/// a NUL. Read it with `flagcore_string_get`; free it with `flagcore_string_free`.
#[derive(Debug)]
pub struct flagcore_string {
    /// The text and a trailing NUL.
    text: String,
}

impl flagcore_string {
    pub(crate) fn new(mut text: String) -> flagcore_string {
        text.push('\0');
        flagcore_string { text }
    }

    pub(crate) fn as_str(&self) -> &str {
        self.text.strip_suffix('\0').unwrap_or(&self.text)
    }
}

/// The text of a string: `len` bytes of UTF-8 at `ptr`, and a NUL after them (so `ptr`
/// is also a C string). Borrowed from `string`: valid until `flagcore_string_free`.
/// Absent (`ptr` NULL) for a NULL string.
///
/// # Safety
/// `string` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn flagcore_string_get(string: *const flagcore_string) -> flagcore_str {
    boundary_value(flagcore_str::ABSENT, || {
        let string = from_caller!(handle(string, "string"))?;
        Ok(flagcore_str::of(string.as_str()))
    })
}

/// Frees a string. NULL is a no-op.
///
/// # Safety
/// `string` is NULL or came from this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn flagcore_string_free(string: *mut flagcore_string) {
    from_caller!(free_handle(string))
}
