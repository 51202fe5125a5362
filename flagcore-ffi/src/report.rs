//! `flagcore_report`: the problems of a config.

use flagcore::Severity;

use crate::boundary::{boundary, boundary_value, handle, out, write, Failure};
use crate::flagcore_result;
#[allow(unused_imports)]
use crate::handles::*;
#[allow(unused_imports)]
use crate::types::*;

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
    from_caller!(free_handle(report))
}

/// The number of problems in the report (0 for NULL).
///
/// # Safety
/// `report` is NULL or a live report.
#[no_mangle]
pub unsafe extern "C" fn flagcore_report_len(report: *const flagcore_report) -> usize {
    boundary_value(0, || {
        Ok(from_caller!(handle(report, "report"))?.problems.len())
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
    boundary(|| {
        let out_problem = out(out_problem, "out_problem")?;
        let report = from_caller!(handle(report, "report"))?;
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
