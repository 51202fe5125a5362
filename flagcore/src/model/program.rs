//! A list of conditions (all must hold), compiled to a flat program: one instruction per
//! condition, run in order by one loop that stops at the first failure (the rule's only
//! jump: to the next rule). Each instruction carries an opcode chosen at load for the
//! common shape of its condition (a string `in`, a number or semver comparison, one suffix
//! or prefix, one key-list segment), with its attribute fingerprinted and its operands
//! parsed once; evaluation runs that shape in a few instructions and hands every other
//! attribute type to the general truth table (`crate::condition`), so answers are the same.

use super::{Cmp, Condition, Segment, Test};

/// What an instruction does when the attribute has the type its opcode expects. Any other
/// type (a list, a number where a string was expected, ...) takes the general path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Code {
    /// `equals`/`in`/`notIn` with string values only, without `ignoreCase`: a string
    /// attribute looked up in the set.
    TextIn,
    /// `lt` ... `gte`: a number attribute against the constant.
    Number(Cmp, f64),
    /// `semverEq` ... `semverLt`: a string attribute's cached parse against the version.
    Semver(Cmp),
    /// `endsWith` of one suffix, without `ignoreCase`.
    EndsWith,
    /// `startsWith` of one prefix, without `ignoreCase`.
    StartsWith,
    /// `inSegment` of one segment that is a key list only (no rules): two set lookups.
    SegmentKeys(u32),
    /// Everything else: the general path.
    General,
}

/// One instruction: its opcode and the condition it was compiled from (the operands, and
/// the general path's input).
#[derive(Debug, Clone)]
pub(crate) struct Op {
    /// Read by native builds only (WebAssembly runs the general path: size first).
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    pub(crate) code: Code,
    pub(crate) cond: Condition,
}

/// A compiled list of conditions, all of which must hold (an empty one always holds).
#[derive(Debug, Clone, Default)]
pub(crate) struct Program {
    pub(crate) ops: Box<[Op]>,
}

impl Op {
    /// Compiles one condition; `segments` are the config's (for `inSegment`).
    pub(crate) fn new(cond: Condition, segments: &[Segment]) -> Op {
        Op {
            code: code_of(&cond, segments),
            cond,
        }
    }
}

impl Program {
    /// The program of `ops`, compiled as each condition was read (no second vector).
    pub(crate) fn new(ops: Vec<Op>) -> Program {
        Program {
            ops: ops.into_boxed_slice(),
        }
    }
}

/// The opcode for a condition.
fn code_of(cond: &Condition, segments: &[Segment]) -> Code {
    match &cond.test {
        Test::OneOf(set)
            if !cond.fold
                && !set.strings.is_empty()
                && set.numbers.is_empty()
                && set.bools == [false, false] =>
        {
            Code::TextIn
        }
        Test::Number(cmp, want) => Code::Number(*cmp, *want),
        Test::Semver(cmp, _) => Code::Semver(*cmp),
        Test::EndsWith(list) if !cond.fold && list.len() == 1 => Code::EndsWith,
        Test::StartsWith(list) if !cond.fold && list.len() == 1 => Code::StartsWith,
        Test::InSegment(ids) if ids.len() == 1 => match segments.get(ids[0] as usize) {
            Some(s) if s.rules.is_empty() => Code::SegmentKeys(ids[0]),
            _ => Code::General,
        },
        _ => Code::General,
    }
}
