//! Evaluating one condition against a context: the truth table of docs/config.md
//! ("Missing, null, wrong type, unparsable"). Borrows, never allocates.
//!
//! Every test answers `Some(true)`, `Some(false)` or `None` ("cannot compare": a missing
//! attribute, a type the operator does not read, text that does not parse). `negate`
//! flips `Some`; `None` never matches, negated or not. The exceptions are `exists` (it
//! asks about presence) and `inSegment` (it names no attribute).

#[cfg(not(target_arch = "wasm32"))]
use crate::context::bytes_eq;
use crate::context::{Context, Versioned};
use crate::model::program::Program;
#[cfg(not(target_arch = "wasm32"))]
use crate::model::program::{Code, Op};
use crate::model::{AttributeType, Cmp, Condition, Config, Segment, Test};
use crate::semver::OwnedVersion;
use crate::text::{ends_folded, json_number, parse_ip, starts_folded};
use crate::units::parse_rfc3339;
use crate::value::{AttributeRef, AttributeValue};

/// Whether every condition of `program` holds: its instructions in order, stopping at the
/// first that fails.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub(crate) fn program_matches(config: &Config, program: &Program, ctx: &Context) -> bool {
    // WebAssembly builds (size first) run every instruction by the general path.
    #[cfg(target_arch = "wasm32")]
    return program
        .ops
        .iter()
        .all(|op| condition_matches(config, &op.cond, ctx));
    // A loop rather than `all` with a closure: the instructions inline into one body.
    #[cfg(not(target_arch = "wasm32"))]
    {
        for op in program.ops.iter() {
            if !op_matches(config, op, ctx) {
                return false;
            }
        }
        true
    }
}

#[cfg(not(target_arch = "wasm32"))]
/// One instruction: its opcode's shape in a few instructions, any other attribute type by
/// the general truth table (the same answers, see `crate::model::program`). Each arm looks
/// its attribute up itself, so the common case is one scan, one type check and the test.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn op_matches(config: &Config, op: &Op, ctx: &Context) -> bool {
    let cond = &op.cond;
    let general = || condition_matches(config, cond, ctx);
    let result = match (op.code, &cond.test) {
        (Code::TextIn, Test::OneOf(set)) => match ctx.lookup_text(&cond.attribute) {
            Some(text) => set.strings.contains_text(text),
            None => return general(),
        },
        (Code::Number(cmp, want), _) => match ctx.lookup_name(&cond.attribute) {
            Some(AttributeRef::Number(n)) => match n.partial_cmp(&want) {
                Some(o) => cmp.holds(o),
                None => return false,
            },
            _ => return general(),
        },
        (Code::EndsWith, Test::EndsWith(list)) => match ctx.lookup_name(&cond.attribute) {
            Some(AttributeRef::String(s)) => list.iter().any(|p| ends_with(s, p)),
            _ => return general(),
        },
        (Code::StartsWith, Test::StartsWith(list)) => match ctx.lookup_name(&cond.attribute) {
            Some(AttributeRef::String(s)) => list.iter().any(|p| starts_with(s, p)),
            _ => return general(),
        },
        (Code::Semver(cmp), Test::Semver(_, want)) => {
            match ctx.cmp_version(&cond.attribute, want) {
                Some(order) => cmp.holds(order),
                None => return general(),
            }
        }
        (Code::SegmentKeys(i), _) => {
            // `segment_contains` of a segment without rules.
            let segment = &config.segments[i as usize];
            listed(segment, ctx) == Some(true)
        }
        _ => return general(),
    };
    result != cond.negate
}

#[cfg(not(target_arch = "wasm32"))]
/// `s.ends_with(suffix)`, comparing in registers for suffixes of up to 16 bytes.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn ends_with(s: &str, suffix: &str) -> bool {
    let (s, p) = (s.as_bytes(), suffix.as_bytes());
    s.len() >= p.len() && bytes_eq(&s[s.len() - p.len()..], p)
}

#[cfg(not(target_arch = "wasm32"))]
/// `s.starts_with(prefix)`, comparing in registers for prefixes of up to 16 bytes.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn starts_with(s: &str, prefix: &str) -> bool {
    let (s, p) = (s.as_bytes(), prefix.as_bytes());
    s.len() >= p.len() && bytes_eq(&s[..p.len()], p)
}

#[inline(never)]
pub(crate) fn condition_matches(config: &Config, cond: &Condition, ctx: &Context) -> bool {
    let answer = match &cond.test {
        Test::InSegment(ids) => Some(
            ids.iter()
                .any(|&i| segment_contains(config, &config.segments[i as usize], ctx)),
        ),
        Test::Exists => Some(ctx.lookup_name(&cond.attribute).is_some()),
        Test::Semver(cmp, want) => match ctx.versioned(&cond.attribute) {
            // A list: any element that is a version decides, as for every scalar operator.
            Versioned::List(items) => semver_any(items, *cmp, want),
            // A scalar: the context's cached parse.
            Versioned::Scalar(have) => have.map(|have| cmp.holds(have.cmp(&want.as_version()))),
            Versioned::Missing => None,
        },
        test => ctx
            .lookup_name(&cond.attribute)
            .and_then(|attr| attribute_passes(test, attr, cond.fold)),
    };
    match answer {
        Some(result) => result != cond.negate,
        None => false,
    }
}

/// A semver comparison of a list attribute: any item that is a version decides.
fn semver_any(items: &[AttributeValue], cmp: Cmp, want: &OwnedVersion) -> Option<bool> {
    any_item(items, |item| match item {
        AttributeRef::String(s) => {
            crate::semver::parse(s).map(|have| cmp.holds(have.cmp(&want.as_version())))
        }
        _ => None,
    })
}

/// A present attribute against a test: list operators read a list whole; every other
/// operator reads a list as "any element passes" (`None` when no element can be compared).
fn attribute_passes(test: &Test, attr: AttributeRef<'_>, fold: bool) -> Option<bool> {
    match (test, attr) {
        (Test::IsType(t), a) => Some(
            *t == match a {
                AttributeRef::String(_) => AttributeType::String,
                AttributeRef::Number(_) => AttributeType::Number,
                AttributeRef::Bool(_) => AttributeType::Boolean,
                AttributeRef::List(_) => AttributeType::List,
            },
        ),
        (Test::Size(cmp, want), AttributeRef::List(items)) => {
            Some(cmp.holds((items.len() as f64).partial_cmp(want)?))
        }
        (Test::Size(..), _) => None,
        (Test::AnyOf(set), a) => Some(elements(a, |item| set.contains(item, fold))),
        (Test::NoneOf(set), a) => Some(!elements(a, |item| set.contains(item, fold))),
        (Test::AllOf(set), AttributeRef::List(items)) => {
            Some(set.len() <= items.len() && set.all_in(items, fold))
        }
        (Test::AllOf(set), a) => Some(set.len() == 1 && set.contains(a, fold)),
        (test, AttributeRef::List(items)) => {
            any_item(items, |item| scalar_passes(test, item, fold))
        }
        (test, a) => scalar_passes(test, a, fold),
    }
}

/// Whether `f` holds for an element of `attr` (a scalar is a list of one).
#[inline]
fn elements(attr: AttributeRef<'_>, mut f: impl FnMut(AttributeRef<'_>) -> bool) -> bool {
    match attr {
        AttributeRef::List(items) => items.iter().any(|i| f(i.as_ref())),
        scalar => f(scalar),
    }
}

/// "Any element passes": `Some(true)` when one does, `Some(false)` when some could be
/// compared and none passes, `None` when none could be compared (an empty list included).
#[inline]
fn any_item(
    items: &[AttributeValue],
    mut f: impl FnMut(AttributeRef<'_>) -> Option<bool>,
) -> Option<bool> {
    let mut compared = false;
    for item in items {
        match f(item.as_ref()) {
            Some(true) => return Some(true),
            Some(false) => compared = true,
            None => {}
        }
    }
    compared.then_some(false)
}

/// A scalar attribute against a scalar operator.
fn scalar_passes(test: &Test, attr: AttributeRef<'_>, fold: bool) -> Option<bool> {
    Some(match (test, attr) {
        (Test::OneOf(set), a) if set.compares(a) => set.contains(a, fold),
        (Test::StartsWith(list), AttributeRef::String(s)) => list.iter().any(|p| {
            if fold {
                starts_folded(s, p)
            } else {
                s.starts_with(&**p)
            }
        }),
        (Test::EndsWith(list), AttributeRef::String(s)) => list.iter().any(|p| {
            if fold {
                ends_folded(s, p)
            } else {
                s.ends_with(&**p)
            }
        }),
        (Test::Contains(needles), AttributeRef::String(s)) => needles.found_in(s),
        (Test::Number(cmp, want), AttributeRef::Number(n)) => cmp.holds(n.partial_cmp(want)?),
        (Test::Number(cmp, want), AttributeRef::String(s)) => {
            cmp.holds(json_number(s)?.partial_cmp(want)?)
        }
        (Test::Text(cmp, want), AttributeRef::String(s)) => {
            cmp.holds(s.as_bytes().cmp(want.as_bytes()))
        }
        (Test::Matches(re), AttributeRef::String(s)) => re.is_match(s),
        (Test::InCidr(ranges), AttributeRef::String(s)) => {
            let addr = parse_ip(s)?;
            ranges.iter().any(|r| r.contains(addr))
        }
        (Test::Before(t), a) => time_of(a)? < *t,
        (Test::After(t), a) => time_of(a)? > *t,
        _ => return None,
    })
}

fn time_of(attr: AttributeRef<'_>) -> Option<i64> {
    match attr {
        AttributeRef::String(s) => parse_rfc3339(s),
        AttributeRef::Number(n) if n.is_finite() => Some(n as i64),
        _ => None,
    }
}

/// What a segment's key lists say about `ctx`: `Some(false)` excluded, `Some(true)`
/// included, `None` neither (or no string to look up). The key is probed with the hash the
/// context computed when it was set.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn listed(segment: &Segment, ctx: &Context) -> Option<bool> {
    let id = ctx.lookup_text(&segment.attribute)?;
    if segment.excluded.contains_text(id) {
        return Some(false);
    }
    segment.included.contains_text(id).then_some(true)
}

pub(crate) fn segment_contains(config: &Config, segment: &Segment, ctx: &Context) -> bool {
    if let Some(answer) = listed(segment, ctx) {
        return answer;
    }
    segment
        .rules
        .iter()
        .any(|rule| program_matches(config, rule, ctx))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::model::program::Code;

    /// Every opcode's fast path answers what the general truth table answers, for every
    /// attribute type (missing, strings, numbers, booleans, lists, the key), negated or not.
    #[test]
    fn fast_paths_answer_as_the_general_path() {
        let conditions = [
            r#""attribute": "a", "op": "in", "values": ["DE", "FR", "2.2.9"]"#,
            r#""attribute": "a", "op": "equals", "value": "DE""#,
            r#""attribute": "a", "op": "notIn", "values": ["DE"]"#,
            r#""attribute": "key", "op": "in", "values": ["k3", "1.0.0", "k40"]"#,
            r#""attribute": "key", "op": "in", "values": ["k0", "k1", "k2", "k3", "k5", "k6", "k7", "k8", "k9"]"#,
            r#""attribute": "a", "op": "gte", "value": 10"#,
            r#""attribute": "a", "op": "lt", "value": 10"#,
            r#""attribute": "a", "op": "semverLt", "value": "2.3.0""#,
            r#""attribute": "a", "op": "semverGte", "value": "2.3.0-beta.1""#,
            r#""attribute": "key", "op": "semverEq", "value": "1.0.0""#,
            r#""attribute": "a", "op": "endsWith", "value": "@x.example""#,
            r#""attribute": "a", "op": "startsWith", "value": "D""#,
            r#""op": "inSegment", "value": "s""#,
            r#""op": "inSegment", "value": "t""#,
        ];
        let mut flags = Vec::new();
        for (i, cond) in conditions.iter().enumerate() {
            for negate in [false, true] {
                flags.push(format!(
                    r#""f{i}-{negate}": {{"enabled": true, "rules": [{{"conditions": [{{{cond}, "negate": {negate}}}],
                        "serve": {{"variant": "on"}}}}], "default": {{"variant": "off"}}}}"#
                ));
            }
        }
        let keys: Vec<String> = (0..20).map(|i| format!("\"k{i}\"")).collect();
        let config = Config::from_json(&format!(
            r#"{{"schemaVersion": 1, "segments": {{
                "s": {{"keys": [{keys}], "excluded": ["k3"]}},
                "t": {{"attribute": "a", "keys": ["DE", "u@x.example"]}}}},
              "flags": {{{flags}}}}}"#,
            keys = keys.join(", "),
            flags = flags.join(", ")
        ))
        .unwrap();
        let values: Vec<Option<crate::AttributeValue>> = vec![
            None,
            Some("DE".into()),
            Some("de".into()),
            Some("".into()),
            Some("2.2.9".into()),
            Some("2.3.0-beta.2".into()),
            Some("not a version".into()),
            Some("u@x.example".into()),
            Some(12.into()),
            Some(9.5.into()),
            Some(f64::NAN.into()),
            Some(true.into()),
            Some(vec!["FR".to_owned(), "US".to_owned()].into()),
            Some(vec!["x".to_owned(), "1.0.0".to_owned()].into()),
            Some(crate::AttributeValue::List(vec![12.into(), "DE".into()])),
            Some(crate::AttributeValue::List(Vec::new())),
        ];
        let mut fast = 0;
        let mut checked = 0;
        for key in [None, Some("k3"), Some("k4"), Some("1.0.0")] {
            for value in &values {
                let mut ctx = key.map_or_else(Context::anonymous, Context::new);
                if let Some(v) = value {
                    // Replaced: what was computed from "FR" (in the sets above) is gone.
                    ctx.set("a", "FR");
                    ctx.set("a", v.clone());
                }
                for flag in &config.flags {
                    let program = &flag.rules[0].conditions;
                    let general = program
                        .ops
                        .iter()
                        .all(|op| condition_matches(&config, &op.cond, &ctx));
                    assert_eq!(
                        program_matches(&config, program, &ctx),
                        general,
                        "{} with key {key:?} and a = {value:?}",
                        flag.key
                    );
                    fast += program
                        .ops
                        .iter()
                        .filter(|op| op.code != Code::General)
                        .count();
                    checked += 1;
                }
            }
        }
        // Every condition above compiles to a fast opcode.
        assert_eq!(fast, checked);
    }
}
