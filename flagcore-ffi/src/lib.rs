//! # flagcore-ffi: the C ABI of flagcore
//!
//! A thin skin over the `flagcore` crate for C, and for Python through the `flagcore`
//! package in `python/`. The header `include/flagcore.h` is generated from this crate by
//! a pinned cbindgen (`scripts/test-ffi` fails when it drifts).
//!
//! ## Conventions (every export follows them)
//!
//! - Every symbol starts with `flagcore_`. Objects are typed opaque handles
//!   (`flagcore_store`, `flagcore_flag`, `flagcore_context`, `flagcore_snapshot`, `flagcore_report`,
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
//! pointers C hands in. Each export documents what it requires of its pointers; the
//! pointers it forwards go through `from_caller!` (boundary.rs), whose one SAFETY comment
//! says why that holds; other `unsafe` blocks say why they hold. One module per handle:
//! store.rs, flag.rs, snapshot.rs, context.rs, report.rs, plan.rs (types.rs: the plain data). Handles are `Box`es turned into raw pointers by their
//! constructor and back by their `*_free`.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![allow(non_camel_case_types)]
#![warn(missing_docs)]

#[macro_use]
mod boundary;
mod context;
mod flag;
mod handles;
mod plan;
mod report;
mod snapshot;
mod source;
mod store;
mod types;

use std::ffi::c_char;

pub use boundary::flagcore_result;
use boundary::{boundary, out, text, write};
pub use context::*;
pub use flag::*;
pub use handles::*;
pub use plan::*;
pub use report::*;
pub use snapshot::*;
pub use source::flagcore_source;
pub use store::*;
pub use types::*;

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
/// The most items a list attribute may hold (`flagcore_context_set_string_list` and
/// `_number_list`); equal to `flagcore::MAX_LIST_ITEMS` (tested).
pub const FLAGCORE_MAX_LIST_ITEMS: usize = 1024;

const VERSION_NUL: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

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
    boundary(|| {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::{boundary_value, copy_truncated, Failure};
    use flagcore::{ErrorCode, Reason};

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
        assert_eq!(FLAGCORE_MAX_LIST_ITEMS, flagcore::MAX_LIST_ITEMS);
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
        let code = boundary(|| -> Result<(), Failure> { panic!("boom") });
        assert_eq!(code, flagcore_result::Panic);
        let mut buf = [0 as c_char; 64];
        // SAFETY: buf is 64 bytes.
        let n = unsafe { crate::boundary::copy_last_error(buf.as_mut_ptr(), buf.len()) };
        assert!(n > 0);
        assert_eq!(
            boundary_value(7, || -> Result<i32, Failure> { panic!("x") }),
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
