//! Compiling what a rule or the default serves: a variant, a split, or time stages.

use crate::error::ProblemCode;
use crate::json::{q, Json, Path};
use crate::message::msg;
use crate::model::{Serve, Split, Stage};

use super::checker::{non_empty_array, percentage, timestamp, Checker, Obj};
use super::flags::{variant_ref, VariantNames};
use super::{SERVE_FIELDS, SPLIT_FIELDS, STAGE_FIELDS};
use crate::units::format_thousandths;

pub(crate) fn compile_serve(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
    names: VariantNames<'_>,
) -> Option<Serve> {
    let obj = Obj::read(c, value, path, SERVE_FIELDS)?;
    let present = SERVE_FIELDS.iter().filter(|f| obj.get(f).is_some()).count();
    if present != 1 {
        c.error(
            path,
            ProblemCode::InvalidValue,
            msg!(
                "serve exactly one of \"variant\", \"split\" or \"stages\" (found ",
                present,
                ")"
            ),
        );
        return None;
    }
    if let Some(stages) = obj.get("stages") {
        return compile_stages(c, stages, &obj.at("stages"), names);
    }
    compile_simple_serve(c, &obj, names)
}

/// A `variant` or a `split`, from an object that has one of them.
pub(crate) fn compile_simple_serve(
    c: &mut Checker,
    obj: &Obj<'_>,
    names: VariantNames<'_>,
) -> Option<Serve> {
    if let Some(v) = obj.get("variant") {
        return variant_ref(c, v, &obj.at("variant"), names).map(Serve::Variant);
    }
    let value = obj.get("split")?;
    let path = obj.at("split");
    let Json::Array(items) = value else {
        c.wrong_type(&path, "an array of {variant, weight}", value);
        return None;
    };
    if items.is_empty() {
        c.error(
            &path,
            ProblemCode::InvalidValue,
            "a split needs at least one variant",
        );
        return None;
    }
    let mut ranges = Vec::with_capacity(items.len());
    // The true sum (u64: a million weights of 100 add up to 10^11 thousandths).
    let mut end = 0u64;
    let mut ok = true;
    let mut seen = VariantSet::default();
    for (i, item) in items.iter().enumerate() {
        let ipath = path.index(i);
        let Some(o) = Obj::read(c, item, &ipath, SPLIT_FIELDS) else {
            ok = false;
            continue;
        };
        let variant = o
            .required(c, "variant")
            .and_then(|v| variant_ref(c, v, &o.at("variant"), names));
        let weight = o
            .required(c, "weight")
            .and_then(|w| percentage(c, w, &o.at("weight")));
        match (variant, weight) {
            (Some(v), Some(w)) => {
                if !seen.insert(v) {
                    c.error(
                        &o.at("variant"),
                        ProblemCode::DuplicateKey,
                        msg!(
                            "variant ",
                            q(names.names[v as usize]),
                            " appears twice in this split"
                        ),
                    );
                    ok = false;
                }
                end += u64::from(w);
                if w > 0 && end <= u64::from(crate::bucket::BUCKETS) {
                    ranges.push((end as u32, v));
                }
            }
            _ => ok = false,
        }
    }
    if ok && end != u64::from(crate::bucket::BUCKETS) {
        c.error(
            &path,
            ProblemCode::WeightsSum,
            msg!("weights add up to ", format_thousandths(end), ", not 100"),
        );
        return None;
    }
    ok.then_some(Serve::Split(Split { ranges }))
}

/// A set of variant indices, a bit each: the first 64 in place (no allocation), the rest
/// in words allocated up to the highest index inserted (a split over 100k variants must
/// not compare every pair; its indices are below the flag's number of variants, so the
/// words are bounded by the config's size). Not a hash set: one hash table type fewer in
/// the `.wasm`.
#[derive(Default)]
pub(crate) struct VariantSet {
    bits: u64,
    more: Vec<u64>,
}

impl VariantSet {
    /// Adds `v`; false when it was already there.
    fn insert(&mut self, v: u32) -> bool {
        let (word, bit) = (v as usize / 64, 1u64 << (v % 64));
        let bits = match word.checked_sub(1) {
            None => &mut self.bits,
            Some(at) => {
                if self.more.len() <= at {
                    self.more.resize(at + 1, 0);
                }
                &mut self.more[at]
            }
        };
        let new = *bits & bit == 0;
        *bits |= bit;
        new
    }
}

pub(crate) fn compile_stages(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
    names: VariantNames<'_>,
) -> Option<Serve> {
    let items = non_empty_array(
        c,
        value,
        path,
        "an array of stages",
        "a staged rollout needs at least one stage",
    )?;
    let mut stages = Vec::with_capacity(items.len());
    let mut ok = true;
    let mut last: Option<i64> = None;
    for (i, item) in items.iter().enumerate() {
        let spath = path.index(i);
        let Some(o) = Obj::read(c, item, &spath, STAGE_FIELDS) else {
            ok = false;
            continue;
        };
        o.string(c, "description");
        let from = match o.get("from") {
            Some(v) => match timestamp(c, v, &o.at("from")) {
                Some(t) => Some(t),
                None => {
                    ok = false;
                    None
                }
            },
            None if i == 0 => None,
            None => {
                c.error(
                    &spath,
                    ProblemCode::MissingField,
                    "missing required field \"from\" (only the first stage may omit it)",
                );
                ok = false;
                None
            }
        };
        if let (Some(prev), Some(t)) = (last, from) {
            if t <= prev {
                c.error(
                    &o.at("from"),
                    ProblemCode::StagesOutOfOrder,
                    "stages must start at strictly increasing times",
                );
                ok = false;
            }
        }
        if from.is_some() {
            last = from;
        }
        let count = usize::from(o.get("variant").is_some()) + usize::from(o.get("split").is_some());
        if count != 1 {
            c.error(
                &spath,
                ProblemCode::InvalidValue,
                "a stage serves exactly one of \"variant\" or \"split\"",
            );
            ok = false;
            continue;
        }
        match compile_simple_serve(c, &o, names) {
            Some(serve) => stages.push(Stage { from, serve }),
            None => ok = false,
        }
    }
    ok.then_some(Serve::Staged(stages))
}

#[cfg(test)]
mod tests {
    use super::VariantSet;

    #[test]
    fn variant_set_inserts_each_index_once() {
        let mut set = VariantSet::default();
        let indices = [0, 1, 63, 64, 65, 127, 128, 100_000, 3];
        for &v in &indices {
            assert!(set.insert(v), "{v} is new");
        }
        for &v in &indices {
            assert!(!set.insert(v), "{v} is there");
        }
        assert!(set.insert(99_999) && set.insert(2) && set.insert(66));
    }
}
