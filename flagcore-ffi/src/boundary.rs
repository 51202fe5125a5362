//! The boundary: result codes, the one function every export goes through, argument
//! checks, and per-handle error messages.

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, MutexGuard};

use flagcore::{ConfigError, ContextError, PlanError, StoreError};

/// What a call did. The numbers are stable: a retired code is never reused.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum flagcore_result {
    /// The call succeeded and wrote its outputs.
    Ok = 0,
    /// A required pointer argument was NULL.
    NullArgument = 1,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 2,
    /// The config was refused (syntax, size or content); the store keeps its last good
    /// config. The report lists every problem with its JSON path.
    InvalidConfig = 3,
    /// The context JSON was refused (not an object, nested values, too many attributes).
    InvalidContext = 4,
    /// There is no earlier config to roll back to.
    NoHistory = 5,
    /// The flag is not in the config serving now.
    UnknownFlag = 6,
    /// The flag has no variant of that name.
    UnknownVariant = 7,
    /// The caller's buffer is too small; the length needed was written to the length
    /// out-parameter (the only output written on failure).
    BufferTooSmall = 8,
    /// Rust code panicked; nothing was changed. Please report it as a bug.
    Panic = 9,
    /// An argument is out of its range (an index past the end, an unknown enum value).
    InvalidArgument = 10,
    /// The flag has no rollout plan in the config serving now. Add a `plan` to the flag
    /// (see docs/rollouts.md), or ask about the flag the plan belongs to.
    NoPlan = 11,
    /// A plan input or decision was refused: JSON syntax or shape, no time given, a stage
    /// past the plan's last one, an impossible observation. The last error says where.
    InvalidPlanInput = 12,
    /// An override (a kill, a forced variant) controls the flag, so its rollout cannot
    /// advance. Clear the override first if the rollout should go on.
    Overridden = 13,
}

impl flagcore_result {
    /// The stable name of the code, as in the header.
    pub(crate) fn name(self) -> &'static str {
        match self {
            flagcore_result::Ok => "FLAGCORE_RESULT_OK\0",
            flagcore_result::NullArgument => "FLAGCORE_RESULT_NULL_ARGUMENT\0",
            flagcore_result::InvalidUtf8 => "FLAGCORE_RESULT_INVALID_UTF8\0",
            flagcore_result::InvalidConfig => "FLAGCORE_RESULT_INVALID_CONFIG\0",
            flagcore_result::InvalidContext => "FLAGCORE_RESULT_INVALID_CONTEXT\0",
            flagcore_result::NoHistory => "FLAGCORE_RESULT_NO_HISTORY\0",
            flagcore_result::UnknownFlag => "FLAGCORE_RESULT_UNKNOWN_FLAG\0",
            flagcore_result::UnknownVariant => "FLAGCORE_RESULT_UNKNOWN_VARIANT\0",
            flagcore_result::BufferTooSmall => "FLAGCORE_RESULT_BUFFER_TOO_SMALL\0",
            flagcore_result::Panic => "FLAGCORE_RESULT_PANIC\0",
            flagcore_result::InvalidArgument => "FLAGCORE_RESULT_INVALID_ARGUMENT\0",
            flagcore_result::NoPlan => "FLAGCORE_RESULT_NO_PLAN\0",
            flagcore_result::InvalidPlanInput => "FLAGCORE_RESULT_INVALID_PLAN_INPUT\0",
            flagcore_result::Overridden => "FLAGCORE_RESULT_OVERRIDDEN\0",
        }
    }
}

/// Why a call failed, with the message kept for `*_last_error`.
#[derive(Debug)]
pub(crate) enum Failure {
    Null(&'static str),
    Utf8(&'static str),
    Config(ConfigError),
    Context(ContextError),
    Store(StoreError),
    Plan(PlanError),
    BufferTooSmall { needed: usize },
    Panic(String),
    Argument(String),
}

impl Failure {
    pub(crate) fn code(&self) -> flagcore_result {
        match self {
            Failure::Null(_) => flagcore_result::NullArgument,
            Failure::Utf8(_) => flagcore_result::InvalidUtf8,
            Failure::Config(_) => flagcore_result::InvalidConfig,
            Failure::Context(_) => flagcore_result::InvalidContext,
            Failure::Store(e) => store_code(e),
            Failure::Plan(PlanError::UnknownFlag(_)) => flagcore_result::UnknownFlag,
            Failure::Plan(PlanError::NoPlan(_)) => flagcore_result::NoPlan,
            Failure::Plan(PlanError::Store(e)) => store_code(e),
            Failure::Plan(_) => flagcore_result::InvalidPlanInput,
            Failure::BufferTooSmall { .. } => flagcore_result::BufferTooSmall,
            Failure::Panic(_) => flagcore_result::Panic,
            Failure::Argument(_) => flagcore_result::InvalidArgument,
        }
    }

    pub(crate) fn message(&self) -> String {
        match self {
            Failure::Null(name) => format!("argument `{name}` is NULL"),
            Failure::Utf8(name) => format!("argument `{name}` is not valid UTF-8"),
            Failure::Config(e) => e.to_string(),
            Failure::Context(e) => e.to_string(),
            Failure::Store(e) => e.to_string(),
            Failure::Plan(e) => e.to_string(),
            Failure::BufferTooSmall { needed } => {
                format!("buffer too small: {needed} bytes needed")
            }
            Failure::Panic(what) => format!("internal error (panic): {what}"),
            Failure::Argument(what) => what.clone(),
        }
    }
}

/// The code of a store error (plan decisions can fail with any of them).
fn store_code(e: &StoreError) -> flagcore_result {
    match e {
        StoreError::Config(_) => flagcore_result::InvalidConfig,
        StoreError::NoHistory => flagcore_result::NoHistory,
        StoreError::UnknownFlag(_) => flagcore_result::UnknownFlag,
        StoreError::UnknownVariant { .. } => flagcore_result::UnknownVariant,
        StoreError::NoPlan(_) => flagcore_result::NoPlan,
        StoreError::Overridden(_) => flagcore_result::Overridden,
        StoreError::InvalidPercentage(_) => flagcore_result::InvalidPlanInput,
        _ => flagcore_result::InvalidArgument,
    }
}

impl From<PlanError> for Failure {
    fn from(e: PlanError) -> Self {
        Failure::Plan(e)
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::Config(e)
    }
}
impl From<ContextError> for Failure {
    fn from(e: ContextError) -> Self {
        Failure::Context(e)
    }
}
impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

/// The message of the last failed call on a handle. Successful calls leave it alone, so
/// the hot path never touches the lock.
#[derive(Debug, Default)]
pub(crate) struct LastError(Mutex<String>);

impl LastError {
    fn lock(&self) -> MutexGuard<'_, String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn set(&self, message: String) {
        *self.lock() = message;
    }

    /// snprintf-style copy: writes at most `cap - 1` bytes and a NUL, returns the full length.
    ///
    /// # Safety
    /// `buf` is NULL or valid for `cap` bytes of writes.
    pub(crate) unsafe fn copy_to(&self, buf: *mut c_char, cap: usize) -> usize {
        let message = self.lock();
        // SAFETY: forwarded from the caller.
        unsafe { copy_truncated(message.as_bytes(), buf, cap) };
        message.len()
    }
}

/// Copies `bytes` into `buf` (capacity `cap`), truncated on a UTF-8 boundary, NUL-terminated.
///
/// # Safety
/// `buf` is NULL or valid for `cap` bytes of writes.
pub(crate) unsafe fn copy_truncated(bytes: &[u8], buf: *mut c_char, cap: usize) {
    if buf.is_null() || cap == 0 {
        return;
    }
    let mut n = bytes.len().min(cap - 1);
    while n > 0 && n < bytes.len() && (bytes[n] & 0xC0) == 0x80 {
        n -= 1;
    }
    // SAFETY: `buf` has room for `cap > n` bytes; the regions cannot overlap (one is ours).
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf.cast::<u8>(), n);
        *buf.add(n) = 0;
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

/// Runs `body` for an export: a panic becomes [`flagcore_result::Panic`], a failure
/// becomes its code, and the message is recorded on `errors` (the handle's last error)
/// when there is one. Nothing unwinds into C.
pub(crate) fn boundary(
    errors: Option<&LastError>,
    body: impl FnOnce() -> Result<(), Failure>,
) -> flagcore_result {
    let outcome = catch_unwind(AssertUnwindSafe(body));
    let failure = match outcome {
        Ok(Ok(())) => return flagcore_result::Ok,
        Ok(Err(failure)) => failure,
        Err(payload) => Failure::Panic(panic_text(payload.as_ref())),
    };
    if let Some(errors) = errors {
        errors.set(failure.message());
    }
    failure.code()
}

/// Like [`boundary`] for the few exports that return a plain value: `fallback` on any
/// failure or panic.
pub(crate) fn boundary_value<T>(
    errors: Option<&LastError>,
    fallback: T,
    body: impl FnOnce() -> Result<T, Failure>,
) -> T {
    let outcome = catch_unwind(AssertUnwindSafe(body));
    let failure = match outcome {
        Ok(Ok(value)) => return value,
        Ok(Err(failure)) => failure,
        Err(payload) => Failure::Panic(panic_text(payload.as_ref())),
    };
    if let Some(errors) = errors {
        errors.set(failure.message());
    }
    fallback
}

/// Borrows the object behind a handle.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` for `'a`.
pub(crate) unsafe fn handle<'a, T>(ptr: *const T, name: &'static str) -> Result<&'a T, Failure> {
    // SAFETY: forwarded from the caller.
    unsafe { ptr.as_ref() }.ok_or(Failure::Null(name))
}

/// Borrows a pointer + length string as `&str`. NULL is allowed when `len` is 0.
///
/// # Safety
/// `ptr` is NULL or valid for `len` bytes of reads for `'a`.
pub(crate) unsafe fn text<'a>(
    ptr: *const c_char,
    len: usize,
    name: &'static str,
) -> Result<&'a str, Failure> {
    if len == 0 {
        return Ok("");
    }
    if ptr.is_null() {
        return Err(Failure::Null(name));
    }
    // SAFETY: non-null and valid for `len` bytes by the caller's contract.
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    std::str::from_utf8(bytes).map_err(|_| Failure::Utf8(name))
}

/// Checks an out-parameter before any work is done, so a NULL one fails early and
/// nothing is half-written.
pub(crate) fn out<T>(ptr: *mut T, name: &'static str) -> Result<*mut T, Failure> {
    if ptr.is_null() {
        Err(Failure::Null(name))
    } else {
        Ok(ptr)
    }
}

/// Writes a checked out-parameter.
///
/// # Safety
/// `ptr` was checked by [`out`] and is valid for one write of `T`.
pub(crate) unsafe fn write<T>(ptr: *mut T, value: T) {
    // SAFETY: forwarded from the caller; `ptr.write` does not drop the old (uninit) value.
    unsafe { ptr.write(value) }
}
