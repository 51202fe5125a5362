//! The boundary: result codes, the one function every export goes through, argument
//! checks, and per-handle error messages.

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use std::cell::RefCell;

/// Runs an `unsafe` helper on pointers an export received from C (`handle`, `text`,
/// `write`, ...). The one justification for all of them: every export's `# Safety` section
/// states what its pointers must be (NULL, or valid for the stated use and lifetime), the
/// caller promises it, and the helpers check for NULL before any use.
macro_rules! from_caller {
    ($($call:tt)*) => {{
        // SAFETY: forwarded from the caller (see the macro's documentation).
        unsafe { $($call)* }
    }};
}

use flagcore::{ConfigError, ContextError, FailureCode, PlanError, StoreError};

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
    /// A plan decision was made for another stage than the one serving now (stale or
    /// replayed), or does not match the plan's stages. Decide again.
    StaleDecision = 14,
    /// A plan decision needs a time and neither the input nor the call gave one.
    MissingTime = 15,
    /// The plan input names a stage past the plan's last one.
    StageOutOfRange = 16,
    /// No stage was given and the flag serves less than the plan's first stage.
    UnknownStage = 17,
    /// A sample lacks a value a guardrail reads, or has an impossible one.
    InvalidObservation = 18,
    /// The handle was freed or closed (reported by bindings that can tell, such as Python).
    Freed = 19,
    /// This build leaves rollout plans out (never returned by this library).
    PlansNotIncluded = 20,
    /// The engine is not loaded yet (JS `flagcore-wasm/web` before `init()`; never returned
    /// by this library).
    NotInitialized = 21,
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
            flagcore_result::StaleDecision => "FLAGCORE_RESULT_STALE_DECISION\0",
            flagcore_result::MissingTime => "FLAGCORE_RESULT_MISSING_TIME\0",
            flagcore_result::StageOutOfRange => "FLAGCORE_RESULT_STAGE_OUT_OF_RANGE\0",
            flagcore_result::UnknownStage => "FLAGCORE_RESULT_UNKNOWN_STAGE\0",
            flagcore_result::InvalidObservation => "FLAGCORE_RESULT_INVALID_OBSERVATION\0",
            flagcore_result::Freed => "FLAGCORE_RESULT_FREED\0",
            flagcore_result::PlansNotIncluded => "FLAGCORE_RESULT_PLANS_NOT_INCLUDED\0",
            flagcore_result::NotInitialized => "FLAGCORE_RESULT_NOT_INITIALIZED\0",
        }
    }

    /// Every code, in number order.
    pub(crate) const ALL: [flagcore_result; 22] = [
        flagcore_result::Ok,
        flagcore_result::NullArgument,
        flagcore_result::InvalidUtf8,
        flagcore_result::InvalidConfig,
        flagcore_result::InvalidContext,
        flagcore_result::NoHistory,
        flagcore_result::UnknownFlag,
        flagcore_result::UnknownVariant,
        flagcore_result::BufferTooSmall,
        flagcore_result::Panic,
        flagcore_result::InvalidArgument,
        flagcore_result::NoPlan,
        flagcore_result::InvalidPlanInput,
        flagcore_result::Overridden,
        flagcore_result::StaleDecision,
        flagcore_result::MissingTime,
        flagcore_result::StageOutOfRange,
        flagcore_result::UnknownStage,
        flagcore_result::InvalidObservation,
        flagcore_result::Freed,
        flagcore_result::PlansNotIncluded,
        flagcore_result::NotInitialized,
    ];

    /// The C code of a core failure code: the same number (checked by a test).
    pub(crate) fn of(code: FailureCode) -> flagcore_result {
        flagcore_result::ALL
            .get(code.number() as usize)
            .copied()
            .unwrap_or(flagcore_result::InvalidArgument)
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
        flagcore_result::of(match self {
            Failure::Null(_) => FailureCode::NullArgument,
            Failure::Utf8(_) => FailureCode::InvalidUtf8,
            Failure::Config(e) => e.code(),
            Failure::Context(e) => e.code(),
            Failure::Store(e) => e.code(),
            Failure::Plan(e) => e.code(),
            Failure::BufferTooSmall { .. } => FailureCode::BufferTooSmall,
            Failure::Panic(_) => FailureCode::Panic,
            Failure::Argument(_) => FailureCode::InvalidArgument,
        })
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

thread_local! {
    /// The message of the last failed call on this thread.
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Records the message of a failed call for this thread's `flagcore_last_error` (and the
/// per-handle `*_last_error` exports, which read the same message): another thread's failure
/// can never overwrite it before it is read. Successful calls leave it alone, so the hot path
/// never touches it.
pub(crate) fn set_last_error(message: String) {
    LAST_ERROR.with(|m| *m.borrow_mut() = message);
}

/// Copies this thread's last error message into `buf`; returns its full length.
///
/// # Safety
/// `buf` is NULL or valid for `cap` bytes of writes.
pub(crate) unsafe fn copy_last_error(buf: *mut c_char, cap: usize) -> usize {
    LAST_ERROR.with(|m| {
        let message = m.borrow();
        // SAFETY: forwarded from the caller.
        unsafe { copy_truncated(message.as_bytes(), buf, cap) };
        message.len()
    })
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
/// becomes its code, and the message is recorded as this thread's last error. Nothing
/// unwinds into C.
pub(crate) fn boundary(body: impl FnOnce() -> Result<(), Failure>) -> flagcore_result {
    let outcome = catch_unwind(AssertUnwindSafe(body));
    let failure = match outcome {
        Ok(Ok(())) => return flagcore_result::Ok,
        Ok(Err(failure)) => failure,
        Err(payload) => Failure::Panic(panic_text(payload.as_ref())),
    };
    set_last_error(failure.message());
    failure.code()
}

/// Like [`boundary`] for the few exports that return a plain value: `fallback` on any
/// failure or panic.
pub(crate) fn boundary_value<T>(fallback: T, body: impl FnOnce() -> Result<T, Failure>) -> T {
    let outcome = catch_unwind(AssertUnwindSafe(body));
    let failure = match outcome {
        Ok(Ok(value)) => return value,
        Ok(Err(failure)) => failure,
        Err(payload) => Failure::Panic(panic_text(payload.as_ref())),
    };
    set_last_error(failure.message());
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

/// Borrows a pointer + length byte string (UTF-8 not checked: a config's bytes go to the
/// core, which reports invalid UTF-8 as a problem with its offset). NULL is allowed when
/// `len` is 0.
///
/// # Safety
/// `ptr` is NULL or valid for `len` bytes of reads for `'a`.
pub(crate) unsafe fn bytes<'a>(
    ptr: *const c_char,
    len: usize,
    name: &'static str,
) -> Result<&'a [u8], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Failure::Null(name));
    }
    // SAFETY: non-null and valid for `len` bytes by the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) })
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
