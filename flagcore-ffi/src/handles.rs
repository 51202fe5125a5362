//! The opaque handles (store, snapshot, context, report) and the evaluation time argument.

use std::sync::Arc;

use arc_swap::ArcSwap;

use flagcore::{At, Context, Problem, Snapshot, Store};

use crate::boundary::Failure;
#[allow(unused_imports)]
use crate::types::*;

// ---------------------------------------------------------------------------------------
// Handles
// ---------------------------------------------------------------------------------------

/// A live flag store: the config serving now, its history for rollback, and overrides.
/// Thread-safe; evaluations never wait for an update.
#[derive(Debug)]
pub struct flagcore_store {
    /// Shared with the config sources that update it (`flagcore_source_*`).
    pub(crate) store: Arc<Store>,
}

/// A consistent view of a store at one revision. Keeps its config alive (even after
/// updates) until freed, so the strings of its evaluations stay valid; free it promptly.
#[derive(Debug)]
pub struct flagcore_snapshot {
    pub(crate) snapshot: Snapshot,
}

/// Who a flag is evaluated for: a targeting key and attributes. Build it once and reuse
/// it for any number of evaluations. Thread-safe, and evaluations take no lock: any number
/// of threads may evaluate one context at once (each call passes its own time), and a
/// setter swaps in a changed copy that evaluations already running do not see.
#[derive(Debug)]
pub struct flagcore_context {
    pub(crate) context: ArcSwap<Context>,
}

impl flagcore_context {
    /// The context as it is now, without a lock (an arc-swap guard).
    #[inline]
    pub(crate) fn current(&self) -> arc_swap::Guard<Arc<Context>> {
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
pub(crate) fn at_of(time: u32, at_millis: i64) -> Result<At, Failure> {
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
    pub(crate) problems: Vec<Problem>,
}

impl flagcore_report {
    pub(crate) fn fill(&mut self, problems: impl IntoIterator<Item = Problem>) {
        self.problems.clear();
        self.problems.extend(problems);
    }
}

pub(crate) fn into_handle<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// # Safety
/// `ptr` is NULL or came from `into_handle::<T>` and was not freed.
pub(crate) unsafe fn free_handle<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: by the caller's contract this is a live Box we created.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

/// # Safety
/// `report` is NULL or a live report not used concurrently.
pub(crate) unsafe fn report_mut<'a>(
    report: *mut flagcore_report,
) -> Option<&'a mut flagcore_report> {
    from_caller!(report.as_mut())
}
