//! Rollout plans through a store: decide and apply.

use std::ffi::c_char;

use flagcore::At;

use crate::boundary::{boundary, handle, out, text, write};
use crate::flagcore_result;
#[allow(unused_imports)]
use crate::handles::*;
use crate::snapshot::flagcore_string;
#[allow(unused_imports)]
use crate::types::*;

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
    boundary(|| {
        let store = from_caller!(handle(store, "store"))?;
        let out_decision = out(out_decision, "out_decision")?;
        let flag = from_caller!(text(flag, flag_len, "flag"))?;
        let input = from_caller!(text(input_json, input_len, "input_json"))?;
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
    boundary(|| {
        let store = from_caller!(handle(store, "store"))?;
        let flag = from_caller!(text(flag, flag_len, "flag"))?;
        let decision = from_caller!(text(decision_json, decision_len, "decision_json"))?;
        let revision = store.store.apply_decision_json(flag, decision)?;
        if !out_revision.is_null() {
            // SAFETY: non-null; valid by the caller's contract.
            unsafe { write(out_revision, revision) };
        }
        Ok(())
    })
}
