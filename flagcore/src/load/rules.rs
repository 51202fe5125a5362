//! Compiling targeting rules and their conditions, one function per operator family.

use crate::context::key_eq;
use crate::error::ProblemCode;
use crate::json::{q, Json, Path};
use crate::message::{msg, Listed};
use crate::model::program::{Op, Program};
use crate::model::{
    AttributeType, Cmp, Condition, Needles, NumberSet, Rule, Segment, Serve, StrMap, StrSeen,
    StrSet, Test, ValueSet,
};
use crate::regex::{Regex, RegexError, MAX_STATES};
use crate::semver;
use crate::text::{fold_owned, Cidr};

use super::checker::{timestamp, Checker, Obj};
use super::flags::VariantNames;
use super::serve::compile_serve;
use super::{Refs, CONDITION_FIELDS, IGNORE_CASE_OPERATORS, OPERATORS, RULE_FIELDS};

pub(crate) fn compile_rules(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
    names: VariantNames<'_>,
    refs: &Refs<'_>,
    used_segments: &mut [bool],
) -> Vec<Rule> {
    let Json::Array(items) = value else {
        c.wrong_type(path, "an array of rules", value);
        return Vec::new();
    };
    let mut rules = Vec::with_capacity(items.len());
    let mut ids: StrSeen<'_> = StrSeen::default();
    let mut catch_all: Option<usize> = None;
    for (i, item) in items.iter().enumerate() {
        let rpath = path.index(i);
        let Some(obj) = Obj::read(c, item, &rpath, RULE_FIELDS) else {
            continue;
        };
        obj.string(c, "description");
        let id = obj.string(c, "id");
        if let Some(id) = id {
            if ids.insert(id, 0).is_some() {
                c.error(
                    &obj.at("id"),
                    ProblemCode::DuplicateKey,
                    msg!("rule id ", q(id), " is used by an earlier rule"),
                );
            }
        }
        if let Some(first) = catch_all {
            c.warn(
                &rpath,
                ProblemCode::UnreachableRule,
                msg!(
                    "rule ",
                    i,
                    " can never match: rule ",
                    first,
                    " has no conditions and always serves"
                ),
            );
        }
        let conditions = match obj.get("conditions") {
            Some(conds) => compile_conditions(
                c,
                conds,
                &obj.at("conditions"),
                (refs.segments, refs.compiled_segments),
                used_segments,
                false,
            ),
            None => Vec::new(),
        };
        let Some(serve) = obj
            .required(c, "serve")
            .and_then(|s| compile_serve(c, s, &obj.at("serve"), names))
        else {
            continue;
        };
        if conditions.is_empty() && !matches!(serve, Serve::Staged(_)) && catch_all.is_none() {
            catch_all = Some(i);
        }
        rules.push(Rule {
            id: id.map(Box::from),
            conditions: Program::new(conditions),
            serve,
        });
    }
    rules
}

/// A rule's conditions, each compiled to its [`Op`] as it is read; `segments` are the
/// config's segments by name and compiled (for `inSegment`).
pub(crate) fn compile_conditions(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
    (segments, compiled): (&StrMap<'_>, &[Segment]),
    used_segments: &mut [bool],
    in_segment: bool,
) -> Vec<Op> {
    let Json::Array(items) = value else {
        c.wrong_type(path, "an array of conditions", value);
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let cpath = path.index(i);
        if let Some(cond) = compile_condition(c, item, &cpath, segments, used_segments, in_segment)
        {
            out.push(Op::new(cond, compiled));
        }
    }
    out
}

// Over 80 lines: the dispatch to one function per operator family (below), with the checks
// every condition shares (op, value or values, attribute, negate, ignoreCase) before it.
pub(crate) fn compile_condition(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
    segments: &StrMap<'_>,
    used_segments: &mut [bool],
    in_segment: bool,
) -> Option<Condition> {
    let obj = Obj::read(c, value, path, CONDITION_FIELDS)?;
    let mut negate = obj.bool(c, "negate").unwrap_or(false);
    let op = match obj.required(c, "op")? {
        Json::String(op) => op.as_str(),
        other => {
            c.wrong_type(&obj.at("op"), "an operator name", other);
            return None;
        }
    };
    if !OPERATORS.iter().any(|o| key_eq(o, op)) {
        let suggestion = c.suggest(op, OPERATORS.iter().copied());
        c.error(
            &obj.at("op"),
            ProblemCode::UnknownOperator,
            msg!(
                "unknown operator ",
                q(op),
                suggestion,
                "; operators: ",
                Listed(OPERATORS)
            ),
        );
        return None;
    }
    let fold = obj.bool(c, "ignoreCase").unwrap_or(false);
    if fold && !IGNORE_CASE_OPERATORS.contains(&op) {
        c.error(
            &obj.at("ignoreCase"),
            ProblemCode::InvalidCondition,
            msg!(
                "operator ",
                q(op),
                " does not take ignoreCase; it applies to ",
                Listed(IGNORE_CASE_OPERATORS),
                if op == "matches" {
                    " (a pattern can start with (?i): ASCII letters only)"
                } else {
                    ""
                }
            ),
        );
        return None;
    }
    let values = condition_values(c, &obj, path)?;
    let attribute = condition_attribute(c, &obj, op, path)?;
    let operands = Operands {
        op,
        values,
        path: *path,
        fold,
    };
    let test = match op {
        "equals" | "in" | "notIn" => {
            if op == "notIn" {
                negate = !negate;
            }
            Test::OneOf(value_set(c, &operands, true)?)
        }
        "anyOf" => Test::AnyOf(value_set(c, &operands, false)?),
        "allOf" => Test::AllOf(value_set(c, &operands, false)?),
        "noneOf" => Test::NoneOf(value_set(c, &operands, false)?),
        "sizeEq" | "sizeLt" | "sizeLte" | "sizeGt" | "sizeGte" => size_test(c, &operands)?,
        "strLt" | "strLte" | "strGt" | "strGte" => order_test(c, &operands)?,
        "matches" => regex_test(c, &operands)?,
        "inCidr" => cidr_test(c, &operands)?,
        "isType" => type_test(c, &operands)?,
        "startsWith" | "endsWith" | "contains" => text_test(c, &operands)?,
        "lt" | "lte" | "gt" | "gte" => number_test(c, &operands)?,
        "semverEq" | "semverLt" | "semverLte" | "semverGt" | "semverGte" => {
            semver_test(c, &operands)?
        }
        "before" | "after" => time_test(c, &operands)?,
        "exists" => {
            operands.count(c, 0, 0)?;
            Test::Exists
        }
        "inSegment" => {
            if in_segment {
                c.error(
                    &obj.at("op"),
                    ProblemCode::InvalidCondition,
                    "segments cannot refer to other segments",
                );
                return None;
            }
            segment_test(c, &operands, segments, used_segments)?
        }
        _ => return None,
    };
    Some(Condition {
        attribute: attribute.into(),
        test,
        negate,
        fold,
    })
}

/// A condition's `value` or `values`.
fn condition_values<'s>(c: &mut Checker, obj: &'s Obj<'_>, path: &Path<'s>) -> Option<Values<'s>> {
    Some(match (obj.get("value"), obj.get("values")) {
        (Some(v), None) => Values {
            items: std::slice::from_ref(v),
            path: obj.at("value"),
            single: true,
        },
        (None, Some(Json::Array(vs))) => Values {
            items: vs,
            path: obj.at("values"),
            single: false,
        },
        (None, Some(other)) => {
            c.wrong_type(&obj.at("values"), "an array", other);
            return None;
        }
        (Some(_), Some(_)) => {
            c.error(
                path,
                ProblemCode::InvalidCondition,
                "give either \"value\" or \"values\", not both",
            );
            return None;
        }
        (None, None) => Values {
            items: &[],
            path: *path,
            single: false,
        },
    })
}

/// A condition's `attribute` (`inSegment` takes none: the segment names it).
fn condition_attribute(
    c: &mut Checker,
    obj: &Obj<'_>,
    op: &str,
    path: &Path<'_>,
) -> Option<Box<str>> {
    match (op, obj.get("attribute")) {
        ("inSegment", None) => Some("key".into()),
        ("inSegment", Some(_)) => {
            c.error(
                &obj.at("attribute"),
                ProblemCode::InvalidCondition,
                "inSegment takes no attribute: the segment says which attribute it matches",
            );
            None
        }
        (_, Some(Json::String(a))) if !a.is_empty() => Some(a.as_str().into()),
        (_, Some(other)) => {
            c.wrong_type(&obj.at("attribute"), "a non-empty attribute name", other);
            None
        }
        (_, None) => {
            c.error(
                path,
                ProblemCode::MissingField,
                "missing required field \"attribute\"",
            );
            None
        }
    }
}

/// An operator with its values, being compiled.
struct Operands<'v> {
    op: &'v str,
    values: Values<'v>,
    /// The condition's path.
    path: Path<'v>,
    /// `ignoreCase`: string values are folded at load.
    fold: bool,
}

impl<'v> Operands<'v> {
    /// `Some(())` when the operator has between `min` and `max` values; else reports it.
    fn count(&self, c: &mut Checker, min: usize, max: usize) -> Option<()> {
        let n = self.values.len();
        if n >= min && n <= max {
            return Some(());
        }
        let want = match (min, max) {
            (0, 0) => "no values",
            (1, 1) => "exactly one value",
            _ => "at least one value",
        };
        c.error(
            &self.path,
            ProblemCode::InvalidCondition,
            msg!("operator ", q(self.op), " takes ", want, ", got ", n),
        );
        None
    }

    /// The one value of a single-value operator.
    fn single(&self, c: &mut Checker) -> Option<(&'v Json<'v>, Path<'_>)> {
        self.count(c, 1, 1)?;
        self.values.first()
    }

    /// Every value, which must be strings.
    fn strings(&self, c: &mut Checker) -> Option<Vec<Box<str>>> {
        let mut out = Vec::with_capacity(self.values.len());
        for (v, p) in self.values.iter() {
            match v {
                Json::String(s) if self.fold => out.push(fold_owned(s)),
                Json::String(s) => out.push(Box::from(s.as_str())),
                other => {
                    c.wrong_type(&p, "a string", other);
                    return None;
                }
            }
        }
        Some(out)
    }
}

/// `equals`, `in`, `notIn` (`bools`: booleans allowed), `anyOf`, `allOf`, `noneOf`: a
/// set of strings, numbers and booleans.
fn value_set(c: &mut Checker, o: &Operands<'_>, bools_allowed: bool) -> Option<ValueSet> {
    o.count(c, 1, if o.op == "equals" { 1 } else { usize::MAX })?;
    let mut strs = Vec::with_capacity(o.values.len());
    let mut numbers = Vec::new();
    let mut bools = [false; 2];
    for (v, p) in o.values.iter() {
        match v {
            Json::String(s) if o.fold => strs.push(fold_owned(s)),
            Json::String(s) => strs.push(Box::from(s.as_str())),
            Json::Number(n) => numbers.push(n.as_f64().unwrap_or(f64::NAN)),
            Json::Bool(b) if bools_allowed => bools[usize::from(*b)] = true,
            other => {
                let want = if bools_allowed {
                    "a string, number or boolean"
                } else {
                    "a string or number (lists hold strings and numbers)"
                };
                c.wrong_type(&p, want, other);
                return None;
            }
        }
    }
    // Unstable: equal strings are interchangeable, and the `.wasm` then holds one sort of
    // strings (text_test's) instead of two.
    strs.sort_unstable();
    strs.dedup();
    Some(ValueSet {
        strings: StrSet::new(strs),
        numbers: NumberSet::new(numbers),
        bools,
    })
}

/// `sizeEq` ... `sizeGte`: a list's number of items against a number.
fn size_test(c: &mut Checker, o: &Operands<'_>) -> Option<Test> {
    let (v, p) = o.single(c)?;
    let Json::Number(n) = v else {
        c.wrong_type(&p, "a number", v);
        return None;
    };
    Some(Test::Size(
        cmp_of(&o.op[4..]),
        n.as_f64().unwrap_or(f64::NAN),
    ))
}

/// `strLt` ... `strGte`: code point order against one string.
fn order_test(c: &mut Checker, o: &Operands<'_>) -> Option<Test> {
    let (v, p) = o.single(c)?;
    let Json::String(s) = v else {
        c.wrong_type(&p, "a string", v);
        return None;
    };
    Some(Test::Text(cmp_of(&o.op[3..]), Box::from(s.as_str())))
}

/// The longest pattern `matches` accepts, in bytes.
pub(crate) const MAX_REGEX_BYTES: usize = 1024;

/// `matches`: one regular expression, compiled here (linear-time matching: see
/// `crate::regex`).
fn regex_test(c: &mut Checker, o: &Operands<'_>) -> Option<Test> {
    let (v, p) = o.single(c)?;
    let Json::String(pattern) = v else {
        c.wrong_type(&p, "a regular expression", v);
        return None;
    };
    if pattern.len() > MAX_REGEX_BYTES {
        c.error(
            &p,
            ProblemCode::RegexTooLarge,
            msg!(
                "the pattern is ",
                pattern.len(),
                " bytes, more than the limit of ",
                MAX_REGEX_BYTES
            ),
        );
        return None;
    }
    match Regex::new(pattern) {
        Ok(re) => Some(Test::Matches(Box::new(re))),
        Err(RegexError::TooLarge) => {
            c.error(
                &p,
                ProblemCode::RegexTooLarge,
                msg!(q(pattern), " compiles to more than ", MAX_STATES, " states (or counts a repetition over 1,000): simplify it or split it into several conditions"),
            );
            None
        }
        Err(RegexError::Invalid(why)) => {
            c.error(&p, ProblemCode::InvalidRegex, msg!(q(pattern), ": ", why));
            None
        }
    }
}

/// `inCidr`: IP ranges, parsed here.
fn cidr_test(c: &mut Checker, o: &Operands<'_>) -> Option<Test> {
    o.count(c, 1, usize::MAX)?;
    let mut ranges = Vec::with_capacity(o.values.len());
    for (v, p) in o.values.iter() {
        let Json::String(s) = v else {
            c.wrong_type(&p, "an IP range such as \"10.0.0.0/8\"", v);
            return None;
        };
        let Some(range) = Cidr::parse(s) else {
            c.error(
                &p,
                ProblemCode::InvalidCidr,
                msg!(q(s), " is not an IP range such as \"10.0.0.0/8\" or \"2001:db8::/32\" (host bits must be 0)"),
            );
            return None;
        };
        ranges.push(range);
    }
    ranges.dedup();
    Some(Test::InCidr(ranges))
}

/// `isType`: one of `string`, `number`, `boolean`, `list`.
fn type_test(c: &mut Checker, o: &Operands<'_>) -> Option<Test> {
    let (v, p) = o.single(c)?;
    match v {
        Json::String(s) => match AttributeType::parse(s) {
            Some(t) => Some(Test::IsType(t)),
            None => {
                c.error(
                    &p,
                    ProblemCode::InvalidCondition,
                    msg!(
                        "isType takes \"string\", \"number\", \"boolean\" or \"list\", not ",
                        q(s)
                    ),
                );
                None
            }
        },
        other => {
            c.wrong_type(&p, "a type name", other);
            None
        }
    }
}

/// `startsWith`, `endsWith`, `contains`: text tests against any of the values.
fn text_test(c: &mut Checker, o: &Operands<'_>) -> Option<Test> {
    o.count(c, 1, usize::MAX)?;
    let list = o.strings(c)?;
    // Each needle once (order does not change which match: any of them).
    let mut list = list;
    list.sort_unstable();
    list.dedup();
    Some(match o.op {
        "startsWith" => Test::StartsWith(list),
        "endsWith" => Test::EndsWith(list),
        _ => Test::Contains(Needles::new(list, o.fold)),
    })
}

/// `lt`, `lte`, `gt`, `gte`: numeric comparisons.
fn number_test(c: &mut Checker, o: &Operands<'_>) -> Option<Test> {
    let (v, p) = o.single(c)?;
    let Json::Number(n) = v else {
        c.wrong_type(&p, "a number", v);
        return None;
    };
    Some(Test::Number(cmp_of(o.op), n.as_f64().unwrap_or(f64::NAN)))
}

/// `semverEq` ... `semverGte`: semantic version comparisons, parsed once here.
fn semver_test(c: &mut Checker, o: &Operands<'_>) -> Option<Test> {
    let (v, p) = o.single(c)?;
    let Json::String(s) = v else {
        c.wrong_type(&p, "a version string such as \"2.3.0\"", v);
        return None;
    };
    let Some(version) = semver::parse_owned(s) else {
        c.error(
            &p,
            ProblemCode::InvalidSemver,
            msg!(q(s), " is not a semantic version such as \"2.3.0\""),
        );
        return None;
    };
    Some(Test::Semver(cmp_of(&o.op[6..]), Box::new(version)))
}

/// `before`, `after`: the attribute as a time against a timestamp, parsed once here.
fn time_test(c: &mut Checker, o: &Operands<'_>) -> Option<Test> {
    let (v, p) = o.single(c)?;
    let t = timestamp(c, v, &p)?;
    Some(if o.op == "before" {
        Test::Before(t)
    } else {
        Test::After(t)
    })
}

/// `inSegment`: membership in any of the named segments.
fn segment_test(
    c: &mut Checker,
    o: &Operands<'_>,
    segments: &StrMap<'_>,
    used_segments: &mut [bool],
) -> Option<Test> {
    o.count(c, 1, usize::MAX)?;
    let mut ids = Vec::new();
    for (v, p) in o.values.iter() {
        let Json::String(name) = v else {
            c.wrong_type(&p, "a segment name", v);
            return None;
        };
        let Some(&i) = segments.get(name.as_str()) else {
            let suggestion = c.suggest(name, segments.keys().copied());
            c.error(
                &p,
                ProblemCode::UnknownSegment,
                msg!("no segment ", q(name), " in this config", suggestion),
            );
            return None;
        };
        used_segments[i as usize] = true;
        ids.push(i);
    }
    // Each segment once: a name listed a million times must not cost a million segment
    // checks per evaluation.
    ids.sort_unstable();
    ids.dedup();
    Some(Test::InSegment(ids))
}

/// The `value` (one) or `values` (an array) of a condition.
pub(crate) struct Values<'v> {
    items: &'v [Json<'v>],
    /// The path of the `value`, or of the `values` array.
    path: Path<'v>,
    single: bool,
}

impl<'v> Values<'v> {
    fn len(&self) -> usize {
        self.items.len()
    }
    /// Each value with its path.
    fn iter(&self) -> impl Iterator<Item = (&'v Json<'v>, Path<'_>)> + '_ {
        self.items.iter().enumerate().map(move |(i, v)| {
            let path = if self.single {
                self.path
            } else {
                self.path.index(i)
            };
            (v, path)
        })
    }
    fn first(&self) -> Option<(&'v Json<'v>, Path<'_>)> {
        self.iter().next()
    }
}

pub(crate) fn cmp_of(op: &str) -> Cmp {
    match op {
        "Lt" | "lt" => Cmp::Lt,
        "Lte" | "lte" => Cmp::Lte,
        "Gt" | "gt" => Cmp::Gt,
        "Gte" | "gte" => Cmp::Gte,
        _ => Cmp::Eq,
    }
}
