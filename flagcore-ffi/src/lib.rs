//! # flagcore-ffi: the C ABI of flagcore
//!
//! A thin skin over the `flagcore` crate for C, and for Python through the `flagcore`
//! package in `python/`. The header `include/flagcore.h` is generated from this crate by
//! a pinned cbindgen (`scripts/test-ffi` fails when it drifts).
//!
//! ## Conventions (every export follows them)
//!
//! - Every symbol starts with `flagcore_`. Objects are typed opaque handles
//!   (`flagcore_store`, `flagcore_context`, `flagcore_snapshot`, `flagcore_report`,
//!   `flagcore_string`), each with one `*_free` that accepts NULL.
//! - Every fallible function returns a [`flagcore_result`] (stable numbers). Outputs go
//!   through out-parameters that are written only when the result is
//!   `FLAGCORE_RESULT_OK`; the one exception is the needed length on
//!   `FLAGCORE_RESULT_BUFFER_TOO_SMALL`.
//! - Strings go in as pointer + length of UTF-8 (validated; NULL is allowed when the
//!   length is 0). Strings come out as [`flagcore_str`] borrowed from an object whose
//!   lifetime the function documents, or copied into a caller buffer.
//! - Every export runs inside one boundary function that turns a panic into
//!   `FLAGCORE_RESULT_PANIC` and a NULL handle into `FLAGCORE_RESULT_NULL_ARGUMENT`; nothing
//!   unwinds into C. The message of the last failed call is kept per thread
//!   (`flagcore_last_error`; `flagcore_store_last_error` and friends read the same).
//! - Result codes come from the core's one table (`flagcore::FailureCode`): a test fails
//!   when this enum and the table differ.
//! - Handles are thread-safe: a store, snapshot or context may be used from many threads
//!   at once. A `flagcore_report` is filled by one call at a time. Freeing must not race
//!   any other use of the same handle.
//! - The evaluation time (Unix milliseconds) matters only for time-staged rollouts. Every
//!   evaluation takes `time` (a `flagcore_time`) and `at_millis`: `FLAGCORE_TIME_NOW` (the
//!   clock, read only when a staged rollout needs it), `FLAGCORE_TIME_AT` (`at_millis`) or
//!   `FLAGCORE_TIME_UNSET` (no time: a staged rollout answers an error). A context holds
//!   no time and is never changed by an evaluation: no lock is taken on that path.
//!
//! ## Safety
//!
//! This crate is the only place in flagcore with `unsafe` code: dereferencing the
//! pointers C hands in. Each export documents what it requires of its pointers; each
//! `unsafe` block says why it holds. Handles are `Box`es turned into raw pointers by their
//! constructor and back by their `*_free`.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![allow(non_camel_case_types)]
#![warn(missing_docs)]

mod boundary;
mod source;

use std::ffi::c_char;
use std::sync::Arc;

use arc_swap::ArcSwap;

use flagcore::{
    At, Context, ErrorCode, Evaluation, FlagValue, Override, Problem, Reason, Severity, Snapshot,
    Store,
};

pub use boundary::flagcore_result;
use boundary::{boundary, boundary_value, handle, out, text, write, Failure, LastError};
pub use source::flagcore_source;

/// The crate version, as in `Cargo.toml` (also returned by `flagcore_version()`).
pub const FLAGCORE_VERSION: &str = "0.1.0";
/// The major version.
pub const FLAGCORE_VERSION_MAJOR: u32 = 0;
/// The minor version.
pub const FLAGCORE_VERSION_MINOR: u32 = 1;
/// The patch version.
pub const FLAGCORE_VERSION_PATCH: u32 = 0;

/// The value of an optional `uint32_t` field that is absent (rule index, bucket, variant
/// index).
pub const FLAGCORE_NONE: u32 = u32::MAX;

/// The number of buckets: `flagcore_bucket` returns `0..FLAGCORE_BUCKETS`.
pub const FLAGCORE_BUCKETS: u32 = 100_000;

const VERSION_NUL: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

// ---------------------------------------------------------------------------------------
// Plain data
// ---------------------------------------------------------------------------------------

/// A borrowed UTF-8 string: `len` bytes at `ptr`, not NUL-terminated. `ptr` is NULL when
/// the string is absent (an absent string and an empty one differ). Who owns the bytes,
/// and for how long they stay valid, is written at each function that returns one.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct flagcore_str {
    /// The first byte, or NULL when absent.
    pub ptr: *const c_char,
    /// The length in bytes.
    pub len: usize,
}

impl flagcore_str {
    const ABSENT: flagcore_str = flagcore_str {
        ptr: std::ptr::null(),
        len: 0,
    };

    fn of(s: &str) -> flagcore_str {
        flagcore_str {
            ptr: s.as_ptr().cast(),
            len: s.len(),
        }
    }

    fn of_opt(s: Option<&str>) -> flagcore_str {
        s.map_or(flagcore_str::ABSENT, flagcore_str::of)
    }
}

/// Why a flag served what it served. Same numbers as the core's `Reason::code`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum flagcore_reason {
    /// The flag is switched off in the config: its `offVariant`.
    Off = 0,
    /// A targeting rule matched (`rule_index`).
    TargetingMatch = 1,
    /// The default split assigned the variant by bucket.
    Split = 2,
    /// The default served a fixed variant.
    Default = 3,
    /// A prerequisite flag did not serve a required variant (`prerequisite`).
    PrerequisiteFailed = 4,
    /// A store override (kill or forced variant) decided.
    Override = 5,
    /// Evaluation failed (`error_code`): use your default.
    Error = 6,
}

impl From<Reason> for flagcore_reason {
    fn from(r: Reason) -> Self {
        match r.code() {
            0 => flagcore_reason::Off,
            1 => flagcore_reason::TargetingMatch,
            2 => flagcore_reason::Split,
            3 => flagcore_reason::Default,
            4 => flagcore_reason::PrerequisiteFailed,
            5 => flagcore_reason::Override,
            _ => flagcore_reason::Error,
        }
    }
}

/// What went wrong when `reason` is `FLAGCORE_REASON_ERROR`. Same numbers as the core's
/// `ErrorCode::code`; 0 means no error.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum flagcore_error_code {
    /// No error.
    None = 0,
    /// No flag has this key in the config serving now.
    FlagNotFound = 1,
    /// The flag's type is not the type asked for.
    TypeMismatch = 2,
    /// The flag splits by an attribute the context lacks (the key, by default).
    TargetingKeyMissing = 3,
    /// The context lacks something the flag needs (the time, for a staged rollout).
    InvalidContext = 4,
}

impl From<Option<ErrorCode>> for flagcore_error_code {
    fn from(e: Option<ErrorCode>) -> Self {
        match e.map(ErrorCode::code) {
            None => flagcore_error_code::None,
            Some(1) => flagcore_error_code::FlagNotFound,
            Some(2) => flagcore_error_code::TypeMismatch,
            Some(3) => flagcore_error_code::TargetingKeyMissing,
            Some(_) => flagcore_error_code::InvalidContext,
        }
    }
}

/// The type of a flag's value.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum flagcore_value_type {
    /// No value (the flag does not exist); as an expected type: any type.
    None = 0,
    /// `bool_value` holds it.
    Boolean = 1,
    /// `string_value` holds it.
    String = 2,
    /// `number_value` holds it.
    Number = 3,
    /// Any JSON: read `value_json`.
    Json = 4,
}

/// How serious a config problem is.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum flagcore_severity {
    /// The config is refused.
    Error = 0,
    /// The config loads, but probably does not do what was meant.
    Warning = 1,
}

/// One problem found in a config. The strings borrow from the `flagcore_report` and stay
/// valid until the report is freed or passed to another call that fills it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct flagcore_problem {
    /// Error or warning.
    pub severity: flagcore_severity,
    /// The stable problem code (`wrong_type`, `weights_sum`, ...).
    pub code: flagcore_str,
    /// Where: a JSONPath into the config (`$.flags["x"].default.split[1].weight`).
    pub path: flagcore_str,
    /// What is wrong and what to do, in one sentence.
    pub message: flagcore_str,
}

/// The answer for one flag and one context.
///
/// Lifetime: every string borrows from the `flagcore_snapshot` that produced it (valid
/// until `flagcore_snapshot_free`), except `flag_key` of a `FLAG_NOT_FOUND` evaluation,
/// which points at the flag key the caller passed in.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct flagcore_evaluation {
    /// The flag's key.
    pub flag_key: flagcore_str,
    /// The type of the value served; `FLAGCORE_VALUE_TYPE_NONE` when the flag does not
    /// exist.
    pub value_type: flagcore_value_type,
    /// The value, for a boolean flag (else false).
    pub bool_value: bool,
    /// The value, for a number flag (else 0).
    pub number_value: f64,
    /// The value, for a string flag (else absent).
    pub string_value: flagcore_str,
    /// The value as JSON text, for every type (absent when there is no value).
    pub value_json: flagcore_str,
    /// The variant served (absent only when the flag does not exist).
    pub variant: flagcore_str,
    /// The variant's position in the flag's `variants`, or `FLAGCORE_NONE`.
    pub variant_index: u32,
    /// Why.
    pub reason: flagcore_reason,
    /// What went wrong, when `reason` is `FLAGCORE_REASON_ERROR`.
    pub error_code: flagcore_error_code,
    /// The index of the rule that matched, or `FLAGCORE_NONE`.
    pub rule_index: u32,
    /// The `id` of the rule that matched, if it has one.
    pub rule_id: flagcore_str,
    /// The bucket (`0..100000`) when a split decided, or `FLAGCORE_NONE`.
    pub bucket: u32,
    /// The prerequisite flag that failed (reason `PREREQUISITE_FAILED`).
    pub prerequisite: flagcore_str,
}

impl From<&Evaluation<'_>> for flagcore_evaluation {
    fn from(e: &Evaluation<'_>) -> Self {
        let (value_type, bool_value, number_value, string_value) = match e.value {
            None => (flagcore_value_type::None, false, 0.0, flagcore_str::ABSENT),
            Some(FlagValue::Bool(b)) => {
                (flagcore_value_type::Boolean, *b, 0.0, flagcore_str::ABSENT)
            }
            Some(FlagValue::Number(n)) => {
                (flagcore_value_type::Number, false, *n, flagcore_str::ABSENT)
            }
            Some(FlagValue::String(s)) => {
                (flagcore_value_type::String, false, 0.0, flagcore_str::of(s))
            }
            Some(FlagValue::Json(_)) => {
                (flagcore_value_type::Json, false, 0.0, flagcore_str::ABSENT)
            }
        };
        flagcore_evaluation {
            flag_key: flagcore_str::of(e.flag_key),
            value_type,
            bool_value,
            number_value,
            string_value,
            value_json: flagcore_str::of_opt(e.value_json),
            variant: flagcore_str::of_opt(e.variant),
            variant_index: e.variant_index.unwrap_or(FLAGCORE_NONE),
            reason: e.reason.into(),
            error_code: e.error.into(),
            rule_index: e.rule_index.unwrap_or(FLAGCORE_NONE),
            rule_id: flagcore_str::of_opt(e.rule_id),
            bucket: e.bucket.unwrap_or(FLAGCORE_NONE),
            prerequisite: flagcore_str::of_opt(e.prerequisite),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Handles
// ---------------------------------------------------------------------------------------

/// A live flag store: the config serving now, its history for rollback, and overrides.
/// Thread-safe; evaluations never wait for an update.
#[derive(Debug)]
pub struct flagcore_store {
    /// Shared with the config sources that update it (`flagcore_source_*`).
    store: Arc<Store>,
    errors: LastError,
}

/// A consistent view of a store at one revision. Keeps its config alive (even after
/// updates) until freed, so the strings of its evaluations stay valid; free it promptly.
#[derive(Debug)]
pub struct flagcore_snapshot {
    snapshot: Snapshot,
    errors: LastError,
}

/// Who a flag is evaluated for: a targeting key and attributes. Build it once and reuse
/// it for any number of evaluations. Thread-safe, and evaluations take no lock: any number
/// of threads may evaluate one context at once (each call passes its own time), and a
/// setter swaps in a changed copy that evaluations already running do not see.
#[derive(Debug)]
pub struct flagcore_context {
    context: ArcSwap<Context>,
    errors: LastError,
}

impl flagcore_context {
    /// The context as it is now, without a lock (an arc-swap guard).
    #[inline]
    fn current(&self) -> arc_swap::Guard<Arc<Context>> {
        self.context.load()
    }
}

/// When an evaluation happens: the `time` argument of every evaluation call. The one rule
/// of every binding: no time given means now.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum flagcore_time {
    /// Now: the system clock, read only when a time-staged rollout needs it.
    Now = 0,
    /// At `at_millis` (Unix milliseconds).
    At = 1,
    /// No time: a time-staged rollout answers an error (`FLAGCORE_ERROR_CODE_INVALID_CONTEXT`).
    Unset = 2,
}

/// The evaluation time of a call from its `time` and `at_millis` arguments.
fn at_of(time: u32, at_millis: i64) -> Result<At, Failure> {
    match time {
        0 => Ok(At::Now),
        1 => Ok(At::Millis(at_millis)),
        2 => Ok(At::Unset),
        other => Err(Failure::Argument(format!(
            "time {other} is not a flagcore_time (0 now, 1 at at_millis, 2 unset)"
        ))),
    }
}

/// The problems found in a config: errors when it was refused, warnings when it loaded.
/// Create one with `flagcore_report_new`, pass it to the calls that load configs, and
/// reuse it.
#[derive(Debug, Default)]
pub struct flagcore_report {
    problems: Vec<Problem>,
}

impl flagcore_report {
    fn fill(&mut self, problems: impl IntoIterator<Item = Problem>) {
        self.problems.clear();
        self.problems.extend(problems);
    }
}

fn into_handle<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// # Safety
/// `ptr` is NULL or came from `into_handle::<T>` and was not freed.
unsafe fn free_handle<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: by the caller's contract this is a live Box we created.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

/// # Safety
/// `report` is NULL or a live report not used concurrently.
unsafe fn report_mut<'a>(report: *mut flagcore_report) -> Option<&'a mut flagcore_report> {
    // SAFETY: forwarded from the caller.
    unsafe { report.as_mut() }
}

// ---------------------------------------------------------------------------------------
// Library
// ---------------------------------------------------------------------------------------

/// The library version (`"0.1.0"`), NUL-terminated, static: never free it. Equals
/// `FLAGCORE_VERSION` when the header matches the library.
#[no_mangle]
pub extern "C" fn flagcore_version() -> *const c_char {
    VERSION_NUL.as_ptr().cast()
}

/// The stable name of a result code (`"FLAGCORE_RESULT_NULL_ARGUMENT"`), NUL-terminated,
/// static. Unknown numbers give `"FLAGCORE_RESULT_UNKNOWN"`.
#[no_mangle]
pub extern "C" fn flagcore_result_name(result: u32) -> *const c_char {
    let name = flagcore_result::ALL
        .iter()
        .find(|r| **r as u32 == result)
        .map_or("FLAGCORE_RESULT_UNKNOWN\0", |r| r.name());
    name.as_ptr().cast()
}

/// The stable name of a reason (`"SPLIT"`), NUL-terminated, static; `"UNKNOWN"` for
/// numbers this version does not define.
#[no_mangle]
pub extern "C" fn flagcore_reason_name(reason: u32) -> *const c_char {
    let name = match reason {
        0 => "OFF\0",
        1 => "TARGETING_MATCH\0",
        2 => "SPLIT\0",
        3 => "DEFAULT\0",
        4 => "PREREQUISITE_FAILED\0",
        5 => "OVERRIDE\0",
        6 => "ERROR\0",
        _ => "UNKNOWN\0",
    };
    name.as_ptr().cast()
}

/// The stable name of an evaluation error code (`"FLAG_NOT_FOUND"`), NUL-terminated,
/// static; `""` for 0 (no error) and `"UNKNOWN"` for numbers this version does not define.
#[no_mangle]
pub extern "C" fn flagcore_error_code_name(error_code: u32) -> *const c_char {
    let name = match error_code {
        0 => "\0",
        1 => "FLAG_NOT_FOUND\0",
        2 => "TYPE_MISMATCH\0",
        3 => "TARGETING_KEY_MISSING\0",
        4 => "INVALID_CONTEXT\0",
        _ => "UNKNOWN\0",
    };
    name.as_ptr().cast()
}

/// The bucket (`0..FLAGCORE_BUCKETS`) of `value` for a flag salted with `salt` (hash
/// version 1): the same number in every language flagcore runs in.
///
/// # Safety
/// `salt` and `value` are valid for their lengths (or NULL with length 0); `out_bucket` is
/// valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_bucket(
    salt: *const c_char,
    salt_len: usize,
    value: *const c_char,
    value_len: usize,
    out_bucket: *mut u32,
) -> flagcore_result {
    boundary(None, || {
        let out_bucket = out(out_bucket, "out_bucket")?;
        // SAFETY: pointer contracts forwarded from the caller.
        let salt = unsafe { text(salt, salt_len, "salt") }?;
        // SAFETY: as above.
        let value = unsafe { text(value, value_len, "value") }?;
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_bucket, flagcore::bucket(salt, value)) };
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------

/// A new, empty report. Never NULL (allocation failure aborts). Free it with
/// `flagcore_report_free`.
#[no_mangle]
pub extern "C" fn flagcore_report_new() -> *mut flagcore_report {
    into_handle(flagcore_report::default())
}

/// Frees a report. NULL is a no-op.
///
/// # Safety
/// `report` is NULL or from `flagcore_report_new`, not freed before.
#[no_mangle]
pub unsafe extern "C" fn flagcore_report_free(report: *mut flagcore_report) {
    // SAFETY: forwarded from the caller.
    unsafe { free_handle(report) }
}

/// The number of problems in the report (0 for NULL).
///
/// # Safety
/// `report` is NULL or a live report.
#[no_mangle]
pub unsafe extern "C" fn flagcore_report_len(report: *const flagcore_report) -> usize {
    boundary_value(None, 0, || {
        // SAFETY: forwarded from the caller.
        Ok(unsafe { handle(report, "report") }?.problems.len())
    })
}

/// Problem `index` (errors first, then warnings). Its strings borrow from the report: valid
/// until the report is freed or filled again.
///
/// # Safety
/// `report` is NULL or a live report; `out_problem` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_report_get(
    report: *const flagcore_report,
    index: usize,
    out_problem: *mut flagcore_problem,
) -> flagcore_result {
    boundary(None, || {
        let out_problem = out(out_problem, "out_problem")?;
        // SAFETY: forwarded from the caller.
        let report = unsafe { handle(report, "report") }?;
        let p = report.problems.get(index).ok_or_else(|| {
            Failure::Argument(format!(
                "problem index {index} is past the end ({})",
                report.problems.len()
            ))
        })?;
        let problem = flagcore_problem {
            severity: match p.severity {
                Severity::Error => flagcore_severity::Error,
                Severity::Warning => flagcore_severity::Warning,
            },
            code: flagcore_str::of(p.code.as_str()),
            path: flagcore_str::of(&p.path),
            message: flagcore_str::of(&p.message),
        };
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_problem, problem) };
        Ok(())
    })
}

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
    boundary(None, || {
        let out_store = out(out_store, "out_store")?;
        // SAFETY: forwarded from the caller.
        let json = unsafe { text(json, json_len, "json") }?;
        // SAFETY: forwarded from the caller.
        let report = unsafe { report_mut(report) };
        match Store::from_json(json) {
            Ok(store) => {
                if let Some(report) = report {
                    report.fill(store.config().warnings().iter().cloned());
                }
                let handle = into_handle(flagcore_store {
                    store: Arc::new(store),
                    errors: LastError,
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
    // SAFETY: forwarded from the caller.
    unsafe { free_handle(store) }
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
    boundary_value(None, 0, || {
        // SAFETY: forwarded from the caller.
        let store = unsafe { handle(store, "store") }?;
        // SAFETY: forwarded from the caller.
        Ok(unsafe { store.errors.copy_to(buf, buf_len) })
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
    // SAFETY: forwarded from the caller.
    let store = match unsafe { store.as_ref() } {
        Some(store) => store,
        None => return flagcore_result::NullArgument,
    };
    boundary(Some(&store.errors), || {
        // SAFETY: forwarded from the caller.
        let json = unsafe { text(json, json_len, "json") }?;
        // SAFETY: forwarded from the caller.
        let report = unsafe { report_mut(report) };
        match store.store.update(json) {
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
    // SAFETY: forwarded from the caller.
    let Some(store) = (unsafe { store.as_ref() }) else {
        return flagcore_result::NullArgument;
    };
    boundary(Some(&store.errors), || {
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
    boundary(None, || {
        let out_revision = out(out_revision, "out_revision")?;
        // SAFETY: forwarded from the caller.
        let store = unsafe { handle(store, "store") }?;
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
    // SAFETY: forwarded from the caller.
    let Some(store) = (unsafe { store.as_ref() }) else {
        return flagcore_result::NullArgument;
    };
    boundary(Some(&store.errors), || {
        // SAFETY: forwarded from the caller.
        let flag = unsafe { text(flag, flag_len, "flag") }?;
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
    // SAFETY: forwarded from the caller.
    let Some(store) = (unsafe { store.as_ref() }) else {
        return flagcore_result::NullArgument;
    };
    boundary(Some(&store.errors), || {
        // SAFETY: forwarded from the caller.
        let flag = unsafe { text(flag, flag_len, "flag") }?;
        // SAFETY: forwarded from the caller.
        let variant = unsafe { text(variant, variant_len, "variant") }?;
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
    // SAFETY: forwarded from the caller.
    let Some(store) = (unsafe { store.as_ref() }) else {
        return flagcore_result::NullArgument;
    };
    boundary(Some(&store.errors), || {
        // SAFETY: forwarded from the caller.
        let flag = unsafe { text(flag, flag_len, "flag") }?;
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
    // SAFETY: forwarded from the caller.
    let errors = unsafe { store.as_ref() }.map(|s| &s.errors);
    boundary_value(errors, false, || {
        // SAFETY: forwarded from the caller.
        let store = unsafe { handle(store, "store") }?;
        // SAFETY: forwarded from the caller.
        let context = unsafe { handle(context, "context") }?;
        // SAFETY: forwarded from the caller.
        let flag = unsafe { text(flag, flag_len, "flag") }?;
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
unsafe fn store_call(
    store: *const flagcore_store,
    flag: *const c_char,
    flag_len: usize,
    context: *const flagcore_context,
    time: u32,
    at_millis: i64,
    call: impl FnOnce(&flagcore::Evaluator<'_>, &str, &flagcore::Context) -> Result<(), Failure>,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    let errors = unsafe { store.as_ref() }.map(|s| &s.errors);
    boundary(errors, || {
        // SAFETY: forwarded from the caller.
        let store = unsafe { handle(store, "store") }?;
        // SAFETY: forwarded from the caller.
        let context = unsafe { handle(context, "context") }?;
        // SAFETY: forwarded from the caller.
        let flag = unsafe { text(flag, flag_len, "flag") }?;
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
    // SAFETY: forwarded from the caller.
    unsafe { store_call(store, flag, flag_len, context, time, at_millis, call) }
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
    // SAFETY: forwarded from the caller.
    unsafe { store_call(store, flag, flag_len, context, time, at_millis, call) }
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
        if buf_len < variant.len() {
            // SAFETY: checked non-null; valid by the caller's contract.
            unsafe { write(out_len, variant.len()) };
            return Err(Failure::BufferTooSmall {
                needed: variant.len(),
            });
        }
        if !variant.is_empty() && buf.is_null() {
            return Err(Failure::Null("buf"));
        }
        // SAFETY: `buf` has room for `buf_len >= variant.len()` bytes (caller's contract);
        // a NUL is written only when there is room for it.
        unsafe {
            std::ptr::copy_nonoverlapping(variant.as_ptr(), buf.cast::<u8>(), variant.len());
            if buf_len > variant.len() {
                *buf.add(variant.len()) = 0;
            }
            write(out_len, variant.len());
        }
        Ok(())
    };
    // SAFETY: forwarded from the caller.
    unsafe { store_call(store, flag, flag_len, context, time, at_millis, call) }
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
    boundary(None, || {
        let out_snapshot = out(out_snapshot, "out_snapshot")?;
        // SAFETY: forwarded from the caller.
        let store = unsafe { handle(store, "store") }?;
        let snapshot = into_handle(flagcore_snapshot {
            snapshot: store.store.snapshot_owned(),
            errors: LastError,
        });
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_snapshot, snapshot) };
        Ok(())
    })
}

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
    // SAFETY: forwarded from the caller.
    unsafe { free_handle(snapshot) }
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
    boundary_value(None, 0, || {
        // SAFETY: forwarded from the caller.
        let snapshot = unsafe { handle(snapshot, "snapshot") }?;
        // SAFETY: forwarded from the caller.
        Ok(unsafe { snapshot.errors.copy_to(buf, buf_len) })
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
    boundary(None, || {
        let out_revision = out(out_revision, "out_revision")?;
        // SAFETY: forwarded from the caller.
        let snapshot = unsafe { handle(snapshot, "snapshot") }?;
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
    boundary(None, || {
        let out_count = out(out_count, "out_count")?;
        // SAFETY: forwarded from the caller.
        let snapshot = unsafe { handle(snapshot, "snapshot") }?;
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
    // SAFETY: forwarded from the caller.
    let errors = unsafe { snapshot.as_ref() }.map(|s| &s.errors);
    boundary(errors, || {
        let out_evaluation = out(out_evaluation, "out_evaluation")?;
        // SAFETY: forwarded from the caller.
        let snapshot = unsafe { handle(snapshot, "snapshot") }?;
        // SAFETY: forwarded from the caller.
        let context = unsafe { handle(context, "context") }?;
        // SAFETY: forwarded from the caller.
        let flag = unsafe { text(flag, flag_len, "flag") }?;
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
    // SAFETY: forwarded from the caller.
    let errors = unsafe { snapshot.as_ref() }.map(|s| &s.errors);
    boundary(errors, || {
        let out_len = out(out_len, "out_len")?;
        // SAFETY: forwarded from the caller.
        let snapshot = unsafe { handle(snapshot, "snapshot") }?;
        // SAFETY: forwarded from the caller.
        let context = unsafe { handle(context, "context") }?;
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
    fn new(mut text: String) -> flagcore_string {
        text.push('\0');
        flagcore_string { text }
    }

    fn as_str(&self) -> &str {
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
    boundary_value(None, flagcore_str::ABSENT, || {
        // SAFETY: forwarded from the caller.
        let string = unsafe { handle(string, "string") }?;
        Ok(flagcore_str::of(string.as_str()))
    })
}

/// Frees a string. NULL is a no-op.
///
/// # Safety
/// `string` is NULL or came from this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn flagcore_string_free(string: *mut flagcore_string) {
    // SAFETY: forwarded from the caller.
    unsafe { free_handle(string) }
}

// ---------------------------------------------------------------------------------------
// Rollout plans
// ---------------------------------------------------------------------------------------

/// Decides the next step of `flag`'s rollout plan (see docs/rollouts.md) from metrics,
/// against the config serving now: ADVANCE, HOLD or ROLL_BACK, with the reason.
///
/// `input_json` is the plan input:
/// `{"stage": 0, "stageStartedAt": <Unix ms or RFC 3339>, "now": ..., "exposed": 1200,
///   "samples": [{"at": ..., "canary": {"error_rate": {"count": 200, "failures": 3}},
///   "control": {...}}]}` (`stage` may be left out when the flag serves exactly one
/// stage's percentage). The time of the decision is `at_millis` with `FLAGCORE_TIME_AT`
/// (it replaces the input's `now`); else the input's `now`, and with `FLAGCORE_TIME_NOW`
/// the clock when the input has none.
///
/// On success `*out_decision` receives the decision as JSON, to free with
/// `flagcore_string_free`: `{"decision": "ADVANCE" | "HOLD" | "ROLL_BACK", "stage": 1,
/// "percentage": 20, "fromStage": 0 (ADVANCE), "reason": {"code": "TOO_EARLY", ...} (HOLD),
/// "breach": {...} (ROLL_BACK), "message": "...", "checks": [...]}`. Pass it as it is to
/// `flagcore_store_apply_decision`.
///
/// Errors: `FLAGCORE_RESULT_UNKNOWN_FLAG`, `FLAGCORE_RESULT_NO_PLAN`,
/// `FLAGCORE_RESULT_INVALID_PLAN_INPUT` (the store's last error says what and where).
/// Deciding changes nothing in the store.
///
/// # Safety
/// `store` is live; `flag` and `input_json` are valid for their lengths; `out_decision` is
/// valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_store_plan_decide(
    store: *const flagcore_store,
    flag: *const c_char,
    flag_len: usize,
    input_json: *const c_char,
    input_len: usize,
    time: u32,
    at_millis: i64,
    out_decision: *mut *mut flagcore_string,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    let Some(store) = (unsafe { store.as_ref() }) else {
        return flagcore_result::NullArgument;
    };
    boundary(Some(&store.errors), || {
        let out_decision = out(out_decision, "out_decision")?;
        // SAFETY: forwarded from the caller.
        let flag = unsafe { text(flag, flag_len, "flag") }?;
        // SAFETY: forwarded from the caller.
        let input = unsafe { text(input_json, input_len, "input_json") }?;
        let config = store.store.config();
        let decision = match at_of(time, at_millis)? {
            At::Millis(t) => flagcore::plan::decide_json(&config, flag, input, Some(t)),
            At::Unset => flagcore::plan::decide_json(&config, flag, input, None),
            // Now: the input's own `now` when it has one, else the clock.
            At::Now => match flagcore::plan::decide_json(&config, flag, input, None) {
                Err(flagcore::PlanError::MissingTime) => {
                    flagcore::plan::decide_json(&config, flag, input, At::Now.millis())
                }
                other => other,
            },
        }?;
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_decision, into_handle(flagcore_string::new(decision))) };
        Ok(())
    })
}

/// Applies a plan decision to `flag` in one call (the JSON `flagcore_store_plan_decide`
/// returned, or just `{"decision": ..., "stage": ..., "percentage": ...}`):
///
/// - ADVANCE: a new config revision whose default serves the plan's variant to the
///   decision's percentage (the previous config stays in history:
///   `flagcore_store_rollback` undoes it). `FLAGCORE_RESULT_OVERRIDDEN` while an override
///   controls the flag.
/// - ROLL_BACK: kills the flag (an override, at once, surviving config updates); clearing
///   the override resumes the stage it was at.
/// - HOLD: changes nothing.
///
/// `*out_revision` (may be NULL) receives the revision serving afterwards.
/// Errors: `FLAGCORE_RESULT_UNKNOWN_FLAG`, `FLAGCORE_RESULT_NO_PLAN`,
/// `FLAGCORE_RESULT_OVERRIDDEN`, `FLAGCORE_RESULT_INVALID_PLAN_INPUT`.
///
/// # Safety
/// `store` is live; `flag` and `decision_json` are valid for their lengths;
/// `out_revision` is NULL or valid for one write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_store_apply_decision(
    store: *const flagcore_store,
    flag: *const c_char,
    flag_len: usize,
    decision_json: *const c_char,
    decision_len: usize,
    out_revision: *mut u64,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    let Some(store) = (unsafe { store.as_ref() }) else {
        return flagcore_result::NullArgument;
    };
    boundary(Some(&store.errors), || {
        // SAFETY: forwarded from the caller.
        let flag = unsafe { text(flag, flag_len, "flag") }?;
        // SAFETY: forwarded from the caller.
        let decision = unsafe { text(decision_json, decision_len, "decision_json") }?;
        let revision = store.store.apply_decision_json(flag, decision)?;
        if !out_revision.is_null() {
            // SAFETY: non-null; valid by the caller's contract.
            unsafe { write(out_revision, revision) };
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Contexts
// ---------------------------------------------------------------------------------------

/// A new context whose targeting key is `key` (an empty key means no key: splits then
/// report `TARGETING_KEY_MISSING`). Free it with `flagcore_context_free`.
///
/// # Safety
/// `key` is valid for `key_len` bytes (or NULL with 0); `out_context` is valid for one
/// write.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_new(
    key: *const c_char,
    key_len: usize,
    out_context: *mut *mut flagcore_context,
) -> flagcore_result {
    boundary(None, || {
        let out_context = out(out_context, "out_context")?;
        // SAFETY: forwarded from the caller.
        let key = unsafe { text(key, key_len, "key") }?;
        let context = into_handle(flagcore_context {
            context: ArcSwap::from_pointee(Context::new(key)),
            errors: LastError,
        });
        // SAFETY: checked non-null; valid by the caller's contract.
        unsafe { write(out_context, context) };
        Ok(())
    })
}

/// Frees a context. NULL is a no-op.
///
/// # Safety
/// `context` is NULL or from `flagcore_context_new`, not freed before, not in use by
/// another thread.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_free(context: *mut flagcore_context) {
    // SAFETY: forwarded from the caller.
    unsafe { free_handle(context) }
}

/// The message of the last failed call made on the calling thread (whatever handle it
/// was on), snprintf-style: writes at most `buf_len - 1` bytes and a NUL into `buf` and
/// returns the message's full length (0: no failure yet). Another thread's failure never
/// overwrites it.
///
/// # Safety
/// `buf` is NULL or valid for `buf_len` bytes of writes.
#[no_mangle]
pub unsafe extern "C" fn flagcore_last_error(buf: *mut c_char, buf_len: usize) -> usize {
    // SAFETY: forwarded from the caller.
    boundary_value(None, 0, || {
        Ok(unsafe { boundary::copy_last_error(buf, buf_len) })
    })
}

/// The message of the last failed call on this context (as `flagcore_store_last_error`).
///
/// # Safety
/// `context` is NULL or live; `buf` is NULL or valid for `buf_len` bytes of writes.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_last_error(
    context: *const flagcore_context,
    buf: *mut c_char,
    buf_len: usize,
) -> usize {
    boundary_value(None, 0, || {
        // SAFETY: forwarded from the caller.
        let context = unsafe { handle(context, "context") }?;
        // SAFETY: forwarded from the caller.
        Ok(unsafe { context.errors.copy_to(buf, buf_len) })
    })
}

/// Runs a mutation of a context inside the boundary.
///
/// # Safety
/// `context` is NULL or live.
unsafe fn mutate(
    context: *mut flagcore_context,
    body: impl Fn(&mut Context) -> Result<(), Failure>,
) -> flagcore_result {
    // SAFETY: forwarded from the caller (shared access is enough: changes are swapped in).
    let Some(context) = (unsafe { context.cast_const().as_ref() }) else {
        return flagcore_result::NullArgument;
    };
    boundary(Some(&context.errors), || {
        // Copy, change, swap; retried if another setter swapped in between (`rcu`), so
        // concurrent setters lose no change and evaluations never wait.
        let mut failure = None;
        context.context.rcu(|current| {
            let mut next = Context::clone(current);
            match body(&mut next) {
                Ok(()) => Arc::new(next),
                Err(e) => {
                    failure = Some(e);
                    Arc::clone(current)
                }
            }
        });
        failure.map_or(Ok(()), Err)
    })
}

/// Sets the targeting key (empty: no key).
///
/// # Safety
/// `context` is live; `key` is valid for `key_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_set_key(
    context: *mut flagcore_context,
    key: *const c_char,
    key_len: usize,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        mutate(context, |ctx| {
            let key = text(key, key_len, "key")?;
            ctx.set_key(key);
            Ok(())
        })
    }
}

/// Sets a string attribute (the name `key` sets the targeting key).
///
/// # Safety
/// `context` is live; `name` and `value` are valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_set_string(
    context: *mut flagcore_context,
    name: *const c_char,
    name_len: usize,
    value: *const c_char,
    value_len: usize,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        mutate(context, |ctx| {
            let name = text(name, name_len, "name")?;
            let value = text(value, value_len, "value")?;
            ctx.set(name, value);
            Ok(())
        })
    }
}

/// Sets a number attribute.
///
/// # Safety
/// `context` is live; `name` is valid for `name_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_set_number(
    context: *mut flagcore_context,
    name: *const c_char,
    name_len: usize,
    value: f64,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        mutate(context, |ctx| {
            let name = text(name, name_len, "name")?;
            ctx.set(name, value);
            Ok(())
        })
    }
}

/// Sets a boolean attribute.
///
/// # Safety
/// `context` is live; `name` is valid for `name_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_set_bool(
    context: *mut flagcore_context,
    name: *const c_char,
    name_len: usize,
    value: bool,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        mutate(context, |ctx| {
            let name = text(name, name_len, "name")?;
            ctx.set(name, value);
            Ok(())
        })
    }
}

/// Removes an attribute (a no-op when absent).
///
/// # Safety
/// `context` is live; `name` is valid for `name_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_remove(
    context: *mut flagcore_context,
    name: *const c_char,
    name_len: usize,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        mutate(context, |ctx| {
            let name = text(name, name_len, "name")?;
            ctx.remove(name);
            Ok(())
        })
    }
}

/// Replaces the whole context (key and attributes) with a flat JSON object:
/// `{"key": "user-1", "email": "a@b.c", "seats": 3}`. On `FLAGCORE_RESULT_INVALID_CONTEXT`
/// the context is unchanged. For configuration paths, not the hot path.
///
/// # Safety
/// `context` is live; `json` is valid for `json_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn flagcore_context_set_json(
    context: *mut flagcore_context,
    json: *const c_char,
    json_len: usize,
) -> flagcore_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        mutate(context, |ctx| {
            let json = text(json, json_len, "json")?;
            *ctx = Context::from_json(json)?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::copy_truncated;

    #[test]
    fn result_codes_are_the_cores_table() {
        use flagcore::FailureCode;
        assert_eq!(flagcore_result::ALL.len(), FailureCode::ALL.len() + 1);
        for (n, code) in flagcore_result::ALL.iter().enumerate() {
            assert_eq!(*code as u32 as usize, n, "{code:?} out of order");
        }
        for &code in FailureCode::ALL {
            let c = flagcore_result::of(code);
            assert_eq!(c as u32, code.number(), "{code}");
            assert_eq!(
                c.name().trim_end_matches('\0'),
                format!("FLAGCORE_RESULT_{}", code.as_str()),
                "{code}"
            );
        }
    }

    #[test]
    fn version_constants_match_cargo() {
        assert_eq!(FLAGCORE_VERSION, env!("CARGO_PKG_VERSION"));
        assert_eq!(
            FLAGCORE_VERSION_MAJOR.to_string(),
            env!("CARGO_PKG_VERSION_MAJOR")
        );
        assert_eq!(
            FLAGCORE_VERSION_MINOR.to_string(),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        assert_eq!(
            FLAGCORE_VERSION_PATCH.to_string(),
            env!("CARGO_PKG_VERSION_PATCH")
        );
        assert_eq!(FLAGCORE_BUCKETS, flagcore::BUCKETS);
    }

    #[test]
    fn enums_match_core_codes() {
        for r in Reason::ALL {
            assert_eq!(flagcore_reason::from(r) as u32, r.code());
        }
        for e in ErrorCode::ALL {
            assert_eq!(flagcore_error_code::from(Some(e)) as u32, e.code());
        }
    }

    #[test]
    fn plan_errors_have_their_own_codes() {
        use flagcore::{PlanError, StoreError};
        let code = |e: PlanError| Failure::from(e).code();
        assert_eq!(
            code(PlanError::UnknownFlag("f".into())),
            flagcore_result::UnknownFlag
        );
        assert_eq!(code(PlanError::NoPlan("f".into())), flagcore_result::NoPlan);
        assert_eq!(code(PlanError::MissingTime), flagcore_result::MissingTime);
        assert_eq!(
            code(PlanError::Store(StoreError::Overridden("f".into()))),
            flagcore_result::Overridden
        );
        assert_eq!(
            code(PlanError::Store(StoreError::NoPlan("f".into()))),
            flagcore_result::NoPlan
        );
        let name = flagcore_result_name(flagcore_result::Overridden as u32);
        // SAFETY: a static NUL-terminated string.
        let name = unsafe { std::ffi::CStr::from_ptr(name) };
        assert_eq!(name.to_str().unwrap(), "FLAGCORE_RESULT_OVERRIDDEN");
        let s = flagcore_string::new("{}".into());
        assert_eq!(s.as_str(), "{}");
    }

    #[test]
    fn handles_are_thread_safe() {
        fn is_send_sync<T: Send + Sync>() {}
        is_send_sync::<flagcore_store>();
        is_send_sync::<flagcore_snapshot>();
        is_send_sync::<flagcore_context>();
    }

    #[test]
    fn panics_become_codes() {
        let errors = LastError;
        let code = boundary(Some(&errors), || -> Result<(), Failure> { panic!("boom") });
        assert_eq!(code, flagcore_result::Panic);
        let mut buf = [0 as c_char; 64];
        // SAFETY: buf is 64 bytes.
        let n = unsafe { errors.copy_to(buf.as_mut_ptr(), buf.len()) };
        assert!(n > 0);
        assert_eq!(
            boundary_value(None, 7, || -> Result<i32, Failure> { panic!("x") }),
            7
        );
    }

    #[test]
    fn truncation_respects_utf8() {
        let mut buf = [0x7f as c_char; 4];
        // "aé" is 3 bytes; room for 2 + NUL cuts before the 2-byte é.
        // SAFETY: buf is 4 bytes.
        unsafe { copy_truncated("aéz".as_bytes(), buf.as_mut_ptr(), 3) };
        assert_eq!(buf[0] as u8, b'a');
        assert_eq!(buf[1], 0);
    }
}
