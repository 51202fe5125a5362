//! flagcore's reasons and error codes in OpenFeature's vocabulary (see the crate docs).

use flagcore::{Config, ErrorCode, Reason};
use open_feature::{EvaluationErrorCode, EvaluationReason};

/// The custom OpenFeature reason of an evaluation decided by a store override (a kill or a
/// forced variant).
pub const OVERRIDE_REASON: &str = "OVERRIDE";

/// Whether `flag` can only ever serve one variant while switched on: no targeting rules, no
/// prerequisites, and a default that is a fixed variant (not a split, not staged). Its
/// `DEFAULT` answers are OpenFeature's `STATIC`.
pub fn is_static(config: &Config, flag: &str) -> bool {
    config.flag(flag).is_some_and(|info| {
        info.rule_count() == 0
            && info.prerequisite_indices().next().is_none()
            && info
                .default_shares(None)
                .is_some_and(|shares| shares.len() == 1)
    })
}

/// The OpenFeature reason of a flagcore reason; `is_static` says whether the flag is
/// static (see [`is_static`]), which turns `DEFAULT` into `STATIC`.
pub fn reason(reason: Reason, is_static: bool) -> EvaluationReason {
    match reason {
        Reason::Off | Reason::PrerequisiteFailed => EvaluationReason::Disabled,
        Reason::TargetingMatch => EvaluationReason::TargetingMatch,
        Reason::Split => EvaluationReason::Split,
        Reason::Default if is_static => EvaluationReason::Static,
        Reason::Default => EvaluationReason::Default,
        Reason::Override => EvaluationReason::Other(OVERRIDE_REASON.to_owned()),
        Reason::Error => EvaluationReason::Error,
        // A reason added to the core later: its own name, until mapped here.
        other => EvaluationReason::Other(other.as_str().to_owned()),
    }
}

/// The OpenFeature error code of a flagcore error code.
pub fn error_code(code: ErrorCode) -> EvaluationErrorCode {
    match code {
        ErrorCode::FlagNotFound => EvaluationErrorCode::FlagNotFound,
        ErrorCode::TypeMismatch => EvaluationErrorCode::TypeMismatch,
        ErrorCode::TargetingKeyMissing => EvaluationErrorCode::TargetingKeyMissing,
        ErrorCode::InvalidContext => EvaluationErrorCode::InvalidContext,
        other => EvaluationErrorCode::General(other.as_str().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_and_code_has_a_standard_name_but_override() {
        for r in Reason::ALL {
            let mapped = reason(r, false).to_string();
            match r {
                Reason::Override => assert_eq!(mapped, "OVERRIDE"),
                _ => assert!(
                    ["DISABLED", "TARGETING_MATCH", "SPLIT", "DEFAULT", "ERROR"]
                        .contains(&mapped.as_str()),
                    "{r} -> {mapped}"
                ),
            }
        }
        assert_eq!(reason(Reason::Default, true), EvaluationReason::Static);
        for c in ErrorCode::ALL {
            assert_eq!(error_code(c).to_string(), c.as_str());
        }
    }
}
