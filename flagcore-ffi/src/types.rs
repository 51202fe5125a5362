//! The plain data that crosses the ABI: strings, enums, problems, evaluations.

use std::ffi::c_char;

use flagcore::{ErrorCode, Evaluation, FlagValue, Reason};

#[allow(unused_imports)]
use crate::handles::*;
use crate::FLAGCORE_NONE;

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
    pub(crate) const ABSENT: flagcore_str = flagcore_str {
        ptr: std::ptr::null(),
        len: 0,
    };

    pub(crate) fn of(s: &str) -> flagcore_str {
        flagcore_str {
            ptr: s.as_ptr().cast(),
            len: s.len(),
        }
    }

    pub(crate) fn of_opt(s: Option<&str>) -> flagcore_str {
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
