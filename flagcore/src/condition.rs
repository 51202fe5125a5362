//! Evaluating one condition against a context: the truth table of docs/config.md
//! ("Missing, null, wrong type, unparsable"). Borrows, never allocates.
//!
//! Every test answers `Some(true)`, `Some(false)` or `None` ("cannot compare": a missing
//! attribute, a type the operator does not read, text that does not parse). `negate`
//! flips `Some`; `None` never matches, negated or not. The exceptions are `exists` (it
//! asks about presence) and `inSegment` (it names no attribute).

use crate::context::Context;
use crate::model::{AttributeType, Condition, Config, Segment, Test};
use crate::text::{ends_folded, json_number, parse_ip, starts_folded};
use crate::units::parse_rfc3339;
use crate::value::{AttributeRef, AttributeValue};

pub(crate) fn condition_matches(config: &Config, cond: &Condition, ctx: &Context) -> bool {
    let answer = match &cond.test {
        Test::InSegment(ids) => Some(
            ids.iter()
                .any(|&i| segment_contains(config, &config.segments[i as usize], ctx)),
        ),
        Test::Exists => Some(ctx.lookup_name(&cond.attribute).is_some()),
        Test::Semver(cmp, want) => match ctx.lookup_name(&cond.attribute) {
            // A list: any element that is a version decides, as for every scalar operator.
            Some(AttributeRef::List(items)) => any_item(items, |item| match item {
                AttributeRef::String(s) => {
                    crate::semver::parse(s).map(|have| cmp.holds(have.cmp(&want.as_version())))
                }
                _ => None,
            }),
            // A scalar: the context's cached parse.
            Some(_) => ctx
                .version_of(&cond.attribute)
                .map(|have| cmp.holds(have.cmp(&want.as_version()))),
            None => None,
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

pub(crate) fn segment_contains(config: &Config, segment: &Segment, ctx: &Context) -> bool {
    if let Some(AttributeRef::String(id)) = ctx.lookup_name(&segment.attribute) {
        if segment.excluded.contains(id) {
            return false;
        }
        if segment.included.contains(id) {
            return true;
        }
    }
    segment
        .rules
        .iter()
        .any(|rule| rule.iter().all(|c| condition_matches(config, c, ctx)))
}
