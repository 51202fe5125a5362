//! One table of every way a call into flagcore can fail, in every binding.
//!
//! Each [`FailureCode`] has a stable name (`OVERRIDDEN`), a stable number (13: the C ABI's
//! `FLAGCORE_RESULT_OVERRIDDEN`) and a [`FailureKind`] (which exception class a binding
//! raises: config, context, store, plan, or a call error). The C enum, Python's exception
//! mapping and the TypeScript unions are checked against [`FailureCode::ALL`] by
//! `tests/tests/codes.rs`: a code missing from a binding, or spelled differently, fails it.
//! Numbers are never reused; 0 is success at the C ABI.

use std::fmt;

/// Which family a failure belongs to: a binding raises one exception class per kind
/// (Python `ConfigError`, JS `FlagcoreConfigError`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// A config was refused: every problem is listed with its JSON path.
    Config,
    /// A context was refused.
    Context,
    /// A store operation failed (rollback, override, applying a decision).
    Store,
    /// A rollout-plan decision could not be made.
    Plan,
    /// The call itself was malformed (a null pointer, bad UTF-8, a freed handle, ...).
    Call,
}

impl FailureKind {
    /// `config`, `context`, `store`, `plan` or `call`.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Config => "config",
            FailureKind::Context => "context",
            FailureKind::Store => "store",
            FailureKind::Plan => "plan",
            FailureKind::Call => "call",
        }
    }
}

macro_rules! failure_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $number:literal, $name:literal, $kind:ident;)*) => {
        /// Why a call failed: the one code table every binding uses (see the module docs).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum FailureCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl FailureCode {
            /// Every code, in number order.
            pub const ALL: &'static [FailureCode] = &[$(FailureCode::$variant,)*];

            /// The stable SCREAMING_SNAKE_CASE name (`OVERRIDDEN`).
            pub fn as_str(self) -> &'static str {
                match self { $(FailureCode::$variant => $name,)* }
            }

            /// The stable number (the C ABI's `flagcore_result`); never reused.
            pub fn number(self) -> u32 {
                match self { $(FailureCode::$variant => $number,)* }
            }

            /// The family: which exception class a binding raises.
            pub fn kind(self) -> FailureKind {
                match self { $(FailureCode::$variant => FailureKind::$kind,)* }
            }

            /// The code with this number, if any.
            pub fn from_number(number: u32) -> Option<FailureCode> {
                match number { $($number => Some(FailureCode::$variant),)* _ => None }
            }

            /// The code with this name, if any.
            pub fn from_name(name: &str) -> Option<FailureCode> {
                match name { $($name => Some(FailureCode::$variant),)* _ => None }
            }
        }
    };
}

failure_codes! {
    /// A required argument was missing (a NULL pointer at the C ABI).
    NullArgument = 1, "NULL_ARGUMENT", Call;
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 2, "INVALID_UTF8", Call;
    /// The config was refused (syntax, size or content); the store keeps its last good
    /// config. The problems list every problem with its JSON path.
    InvalidConfig = 3, "INVALID_CONFIG", Config;
    /// The context was refused (not an object, nested values, too many attributes, a value
    /// that is not representable).
    InvalidContext = 4, "INVALID_CONTEXT", Context;
    /// There is no earlier config to roll back to.
    NoHistory = 5, "NO_HISTORY", Store;
    /// The flag is not in the config serving now.
    UnknownFlag = 6, "UNKNOWN_FLAG", Store;
    /// The flag has no variant of that name.
    UnknownVariant = 7, "UNKNOWN_VARIANT", Store;
    /// The caller's buffer is too small (C ABI).
    BufferTooSmall = 8, "BUFFER_TOO_SMALL", Call;
    /// flagcore panicked; nothing was changed. Please report it as a bug.
    Panic = 9, "PANIC", Call;
    /// An argument is out of its range (an index past the end, an unknown enum value, an
    /// override that is neither a kill nor a variant, a time that is not a whole number of
    /// milliseconds).
    InvalidArgument = 10, "INVALID_ARGUMENT", Call;
    /// The flag has no rollout plan in the config serving now.
    NoPlan = 11, "NO_PLAN", Plan;
    /// A plan input or decision does not parse or has the wrong shape; the message says
    /// where.
    InvalidPlanInput = 12, "INVALID_PLAN_INPUT", Plan;
    /// An override (a kill, a forced variant) controls the flag, so its rollout cannot
    /// advance. Clear the override first if the rollout should go on.
    Overridden = 13, "OVERRIDDEN", Store;
    /// A plan decision was made for another stage than the one serving now (stale or
    /// replayed), or does not match the plan's stages. Decide again.
    StaleDecision = 14, "STALE_DECISION", Store;
    /// A plan decision needs a time and neither the input nor the call gave one.
    MissingTime = 15, "MISSING_TIME", Plan;
    /// The plan input names a stage past the plan's last one.
    StageOutOfRange = 16, "STAGE_OUT_OF_RANGE", Plan;
    /// No stage was given and the flag serves less than the plan's first stage.
    UnknownStage = 17, "UNKNOWN_STAGE", Plan;
    /// A sample lacks a value a guardrail reads, or has an impossible one.
    InvalidObservation = 18, "INVALID_OBSERVATION", Plan;
    /// The store (or context) was freed or closed; it cannot be used any more.
    Freed = 19, "FREED", Call;
    /// This build of a binding leaves rollout plans out (the JS evaluation entry: use
    /// `flagcore-wasm/plans`).
    PlansNotIncluded = 20, "PLANS_NOT_INCLUDED", Plan;
    /// The binding's engine is not loaded yet (the JS `flagcore-wasm/web` entry before
    /// `await init()` has finished): call `init()` first.
    NotInitialized = 21, "NOT_INITIALIZED", Call;
}

impl fmt::Display for FailureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_are_unique_and_round_trip() {
        let mut numbers = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for (i, &code) in FailureCode::ALL.iter().enumerate() {
            assert!(numbers.insert(code.number()), "{code} number reused");
            assert!(names.insert(code.as_str()), "{code} name reused");
            assert_eq!(
                code.number(),
                i as u32 + 1,
                "numbers run 1, 2, ... in order"
            );
            assert_eq!(FailureCode::from_number(code.number()), Some(code));
            assert_eq!(FailureCode::from_name(code.as_str()), Some(code));
        }
        assert_eq!(FailureCode::from_number(0), None);
    }
}
