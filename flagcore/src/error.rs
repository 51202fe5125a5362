//! Errors: config problems (with JSON paths), config errors, store errors.

use std::fmt;

use crate::codes::FailureCode;
use crate::json::q;
use crate::message::msg;
use crate::number::write_u64;

use serde::Serialize;

/// How serious a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The config is refused.
    Error,
    /// The config loads, but probably does not do what was meant.
    Warning,
}

/// What kind of problem a config has. The `as_str` names are stable: tests and tools
/// match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProblemCode {
    /// The text is not JSON, nests more than 127 levels deep, or has a number no f64 can
    /// represent (`1e400`, `1e-400`).
    JsonSyntax,
    /// The config is larger than the store's byte limit.
    TooLarge,
    /// A value has the wrong JSON type.
    WrongType,
    /// A required field is missing.
    MissingField,
    /// A field the format does not define (often a typo).
    UnknownField,
    /// The same key twice in one JSON object, or the same id twice in a list.
    DuplicateKey,
    /// `schemaVersion` is not one this build reads.
    UnsupportedSchemaVersion,
    /// `hashVersion` is not one this build implements.
    UnsupportedHashVersion,
    /// A condition's `op` is not a known operator.
    UnknownOperator,
    /// A condition's values do not fit its operator.
    InvalidCondition,
    /// Split weights do not add up to 100.
    WeightsSum,
    /// A percentage or weight is below 0 or above 100.
    PercentageOutOfRange,
    /// A percentage has more than three decimals (the resolution is 0.001).
    PercentagePrecision,
    /// A variant name that the flag does not define.
    UnknownVariant,
    /// A segment name that the config does not define.
    UnknownSegment,
    /// A prerequisite names a flag that the config does not define.
    UnknownPrerequisite,
    /// Prerequisites form a cycle.
    PrerequisiteCycle,
    /// A prerequisite chain is deeper than the limit, or a flag's prerequisites (counted
    /// once per path) need more evaluations than the limit.
    PrerequisiteDepth,
    /// A semantic version does not parse.
    InvalidSemver,
    /// A timestamp is not RFC 3339 (or Unix milliseconds).
    InvalidTimestamp,
    /// A variant's value does not have the flag's type.
    VariantTypeMismatch,
    /// Rollout stages are not in strictly increasing time order.
    StagesOutOfOrder,
    /// A value is not allowed here (empty name, empty list, ...).
    InvalidValue,
    /// Warning: a segment no flag uses.
    UnusedSegment,
    /// Warning: a rule that can never match because an earlier rule always does.
    UnreachableRule,
    /// Warning: the same key listed twice.
    DuplicateEntry,
    /// A duration (`"2m"`, `"1d"`, `"500ms"`) does not parse.
    InvalidDuration,
    /// A rollout plan's stage percentages do not strictly increase.
    PercentagesNotIncreasing,
    /// The config is not valid UTF-8 (JSON text must be): the message gives the byte
    /// offset and the line and column of the first invalid byte. Save the file as UTF-8.
    InvalidUtf8,
    /// More problems of one severity than a report lists (100): this one counts the rest
    /// by code. Fix the listed ones first.
    TooManyProblems,
    /// A flag's `layer` names a layer the config does not define in `layers`. Define it,
    /// or fix the name (the message suggests one).
    UnknownLayer,
    /// Two flags of one layer have overlapping ranges: a user could be in both. Give each
    /// flag its own part of the layer (the message names the other flag and its range).
    LayerOverlap,
    /// Warning: a layer no flag is in.
    UnusedLayer,
    /// A `matches` pattern does not parse (the message says where and why).
    InvalidRegex,
    /// A `matches` pattern is longer than 1,024 bytes, or compiles to more than 64 KiB:
    /// split it into several conditions or simplify it.
    RegexTooLarge,
    /// An `inCidr` value is not an IP range (`10.0.0.0/8`, `2001:db8::/32`, an address),
    /// or has host bits set below its prefix.
    InvalidCidr,
}

impl ProblemCode {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::JsonSyntax => "json_syntax",
            ProblemCode::TooLarge => "too_large",
            ProblemCode::WrongType => "wrong_type",
            ProblemCode::MissingField => "missing_field",
            ProblemCode::UnknownField => "unknown_field",
            ProblemCode::DuplicateKey => "duplicate_key",
            ProblemCode::UnsupportedSchemaVersion => "unsupported_schema_version",
            ProblemCode::UnsupportedHashVersion => "unsupported_hash_version",
            ProblemCode::UnknownOperator => "unknown_operator",
            ProblemCode::InvalidCondition => "invalid_condition",
            ProblemCode::WeightsSum => "weights_sum",
            ProblemCode::PercentageOutOfRange => "percentage_out_of_range",
            ProblemCode::PercentagePrecision => "percentage_precision",
            ProblemCode::UnknownVariant => "unknown_variant",
            ProblemCode::UnknownSegment => "unknown_segment",
            ProblemCode::UnknownPrerequisite => "unknown_prerequisite",
            ProblemCode::PrerequisiteCycle => "prerequisite_cycle",
            ProblemCode::PrerequisiteDepth => "prerequisite_depth",
            ProblemCode::InvalidSemver => "invalid_semver",
            ProblemCode::InvalidTimestamp => "invalid_timestamp",
            ProblemCode::VariantTypeMismatch => "variant_type_mismatch",
            ProblemCode::StagesOutOfOrder => "stages_out_of_order",
            ProblemCode::InvalidValue => "invalid_value",
            ProblemCode::UnusedSegment => "unused_segment",
            ProblemCode::UnreachableRule => "unreachable_rule",
            ProblemCode::DuplicateEntry => "duplicate_entry",
            ProblemCode::InvalidDuration => "invalid_duration",
            ProblemCode::PercentagesNotIncreasing => "percentages_not_increasing",
            ProblemCode::InvalidUtf8 => "invalid_utf8",
            ProblemCode::TooManyProblems => "too_many_problems",
            ProblemCode::UnknownLayer => "unknown_layer",
            ProblemCode::LayerOverlap => "layer_overlap",
            ProblemCode::UnusedLayer => "unused_layer",
            ProblemCode::InvalidRegex => "invalid_regex",
            ProblemCode::RegexTooLarge => "regex_too_large",
            ProblemCode::InvalidCidr => "invalid_cidr",
        }
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a config, located by its JSON path
/// (`$.flags["speech-backend-ab"].default.split[1].weight`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// The kind of problem.
    pub code: ProblemCode,
    /// Where: a JSONPath into the config (`$` is the whole document).
    pub path: String,
    /// What is wrong and what to do, in one sentence.
    pub message: String,
}

impl Problem {
    /// Appends `error[code] path: message` (what `Display` writes).
    pub(crate) fn write(&self, out: &mut String) {
        out.push_str(match self.severity {
            Severity::Error => "error[",
            Severity::Warning => "warning[",
        });
        out.push_str(self.code.as_str());
        out.push_str("] ");
        out.push_str(&self.path);
        out.push_str(": ");
        out.push_str(&self.message);
    }
}

/// `error[code] path: message`. Messages are built without `core::fmt` (see
/// `message.rs`); `Display` writes the text built.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&msg!(self))
    }
}

/// Every problem found in a config: errors refuse it, warnings do not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Problems that refuse the config.
    pub errors: Vec<Problem>,
    /// Problems that let it load.
    pub warnings: Vec<Problem>,
}

impl Report {
    /// Whether the config is refused.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
    /// Errors then warnings.
    pub fn problems(&self) -> impl Iterator<Item = &Problem> {
        self.errors.iter().chain(self.warnings.iter())
    }
}

impl Report {
    /// Appends the summary line and every problem (what `Display` writes).
    pub(crate) fn write(&self, out: &mut String) {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        out.push_str("config has ");
        write_u64(out, self.errors.len() as u64);
        out.push_str(" error");
        out.push_str(plural(self.errors.len()));
        out.push_str(" and ");
        write_u64(out, self.warnings.len() as u64);
        out.push_str(" warning");
        out.push_str(plural(self.warnings.len()));
        for p in self.problems() {
            out.push_str("\n  ");
            p.write(out);
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&msg!(self))
    }
}

/// Why a config was refused. The store keeps serving its last good config.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The text is not JSON, or nests too deeply. Fix the syntax at the line and column given.
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// The config is over the byte limit. Split it, or raise the limit with
    /// [`crate::Limits`].
    TooLarge {
        /// The config's size.
        size: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The config is JSON but breaks the format: every problem is listed with its path.
    Invalid(Report),
}

impl ConfigError {
    /// The error's text, as `Display` writes it (`invalid JSON at line 1, column 2: ...`).
    /// Built without `core::fmt`, which the WASM build leaves out.
    pub fn message(&self) -> String {
        match self {
            ConfigError::Syntax {
                line,
                column,
                message,
            } => msg!(
                "invalid JSON at line ",
                line,
                ", column ",
                column,
                ": ",
                message
            ),
            ConfigError::TooLarge { size, limit } => msg!(
                "config is ",
                size,
                " bytes, over the limit of ",
                limit,
                " bytes"
            ),
            ConfigError::Invalid(report) => {
                let mut text = String::new();
                report.write(&mut text);
                text
            }
        }
    }

    /// The failure code: always [`FailureCode::InvalidConfig`].
    pub fn code(&self) -> FailureCode {
        FailureCode::InvalidConfig
    }

    /// The problems as a list, whatever the kind of error (a syntax error is one problem at `$`).
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            ConfigError::Syntax { .. } => vec![Problem {
                severity: Severity::Error,
                code: ProblemCode::JsonSyntax,
                path: "$".into(),
                message: self.message(),
            }],
            ConfigError::TooLarge { .. } => vec![Problem {
                severity: Severity::Error,
                code: ProblemCode::TooLarge,
                path: "$".into(),
                message: self.message(),
            }],
            ConfigError::Invalid(report) => report.problems().cloned().collect(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ConfigError {}

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    /// The new config was refused; the previous one keeps serving.
    Config(ConfigError),
    /// There is no earlier config to roll back to.
    NoHistory,
    /// The override names a flag the current config does not define. Check the key.
    UnknownFlag(String),
    /// The override names a variant the flag does not define.
    UnknownVariant {
        /// The flag.
        flag: String,
        /// The variant asked for.
        variant: String,
    },
    /// A plan decision names a flag that has no `plan` in the current config. Add a plan,
    /// or apply the decision to the flag it was made for.
    NoPlan(String),
    /// A plan decision would advance a flag that an override (a kill, a forced variant)
    /// controls. Clear the override first if the rollout should go on.
    Overridden(String),
    /// A plan decision's percentage is above 100 (it is counted in thousandths of a
    /// percent). Apply decisions that `plan::decide` made.
    InvalidPercentage(u32),
    /// A plan decision was made for another stage than the one serving now (a stale or
    /// replayed ADVANCE), or its stage and percentage are not the plan's. Decide again
    /// from the current state.
    StaleDecision {
        /// The flag.
        flag: String,
        /// What does not match.
        message: String,
    },
}

impl StoreError {
    /// The error's text, as `Display` writes it. Built without `core::fmt`, which the WASM
    /// build leaves out.
    pub fn message(&self) -> String {
        match self {
            StoreError::Config(e) => e.message(),
            StoreError::NoHistory => "no earlier config to roll back to".to_owned(),
            StoreError::UnknownFlag(flag) => {
                msg!("flag ", q(flag), " is not in the current config")
            }
            StoreError::UnknownVariant { flag, variant } => {
                msg!("flag ", q(flag), " has no variant ", q(variant))
            }
            StoreError::NoPlan(flag) => {
                msg!(
                    "flag ",
                    q(flag),
                    " has no rollout plan in the current config"
                )
            }
            StoreError::Overridden(flag) => msg!(
                "flag ",
                q(flag),
                " has an override in force; clear it before advancing its rollout"
            ),
            StoreError::InvalidPercentage(p) => msg!(
                "invalid rollout percentage: ",
                p,
                " thousandths of a percent is above 100%"
            ),
            StoreError::StaleDecision { message, .. } => message.clone(),
        }
    }

    /// The failure code, from the one table every binding uses.
    pub fn code(&self) -> FailureCode {
        match self {
            StoreError::Config(e) => e.code(),
            StoreError::NoHistory => FailureCode::NoHistory,
            StoreError::UnknownFlag(_) => FailureCode::UnknownFlag,
            StoreError::UnknownVariant { .. } => FailureCode::UnknownVariant,
            StoreError::NoPlan(_) => FailureCode::NoPlan,
            StoreError::Overridden(_) => FailureCode::Overridden,
            StoreError::InvalidPercentage(_) => FailureCode::InvalidPlanInput,
            StoreError::StaleDecision { .. } => FailureCode::StaleDecision,
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// `Config`'s source is the config error's own (none), as `#[error(transparent)]` had it.
impl std::error::Error for StoreError {}

impl From<ConfigError> for StoreError {
    fn from(e: ConfigError) -> StoreError {
        StoreError::Config(e)
    }
}
