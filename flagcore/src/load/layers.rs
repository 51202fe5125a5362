//! Compiling layers (mutually exclusive experiments): the top-level `layers`, each flag's
//! `layer` (a name and a range of the layer's buckets), and the check that the flags of
//! one layer have disjoint ranges. The semantics are in docs/config.md, "Layers".

use crate::bucket::salt_prefix;
use crate::error::ProblemCode;
use crate::json::{q, Json, Path};
use crate::message::msg;
use crate::model::{Flag, LayerRange, StrMap};
use crate::units::format_thousandths;

use super::checker::{check_duplicates, check_nested_duplicates, percentage, Checker, Obj};
use super::{FLAG_LAYER_FIELDS, LAYER_FIELDS};

/// A layer as declared in `layers`.
pub(crate) struct LayerDecl<'a> {
    pub(crate) name: &'a str,
    /// The attribute its flags bucket by (`key` unless set).
    pub(crate) bucket_by: Box<str>,
}

/// The top-level `layers` object: each layer's declaration, and their positions by name.
pub(crate) fn compile_layers<'a>(
    c: &mut Checker,
    value: Option<&'a Json<'a>>,
    path: &Path<'_>,
) -> (Vec<LayerDecl<'a>>, StrMap<'a>) {
    let mut layers = Vec::new();
    let mut index: StrMap<'_> = StrMap::default();
    let Some(value) = value else {
        return (layers, index);
    };
    let Json::Object(entries) = value else {
        c.wrong_type(path, "an object of layers", value);
        return (layers, index);
    };
    check_duplicates(c, entries, path);
    for (name, layer) in entries.iter() {
        if index.contains_key(name.as_str()) {
            continue;
        }
        let lpath = path.key(name);
        if name.is_empty() {
            c.error(
                &lpath,
                ProblemCode::InvalidValue,
                "a layer name must not be empty",
            );
        }
        let Some(obj) = Obj::read(c, layer, &lpath, LAYER_FIELDS) else {
            continue;
        };
        obj.string(c, "description");
        if let Some(m) = obj.get("metadata") {
            check_nested_duplicates(c, m, &obj.at("metadata"));
        }
        let bucket_by = obj.bucket_by(c);
        let bucket_by = bucket_by.into();
        index.insert(name.as_str(), layers.len() as u32);
        layers.push(LayerDecl {
            name: name.as_str(),
            bucket_by,
        });
    }
    (layers, index)
}

/// What a flag's `layer` compiles to, before the overlap check.
pub(crate) struct FlagLayer {
    pub(crate) layer: u32,
    pub(crate) range: LayerRange,
}

/// A flag's `layer`: `{"name": ..., "range": [start, end]}`, percentages of the layer.
/// Also checks the flag's bucketing attribute and salt against the layer (and gives the
/// flag its layer's `bucketBy` when it has none).
pub(crate) fn compile_flag_layer(
    c: &mut Checker,
    flag_obj: &Obj<'_>,
    flag: Option<&mut Flag>,
    layers: &[LayerDecl<'_>],
    index: &StrMap<'_>,
    used: &mut [bool],
) -> Option<FlagLayer> {
    let value = flag_obj.get("layer")?;
    let path = flag_obj.at("layer");
    let obj = Obj::read(c, value, &path, FLAG_LAYER_FIELDS)?;
    let layer = match obj.required(c, "name")? {
        Json::String(name) => match index.get(name.as_str()) {
            Some(&i) => i,
            None => {
                let suggestion = c.suggest(name, layers.iter().map(|l| l.name));
                c.error(
                    &obj.at("name"),
                    ProblemCode::UnknownLayer,
                    msg!("no layer ", q(name), " in \"layers\"", suggestion),
                );
                return None;
            }
        },
        other => {
            c.wrong_type(&obj.at("name"), "a layer name", other);
            return None;
        }
    };
    used[layer as usize] = true;
    let decl = &layers[layer as usize];
    let range_value = obj.required(c, "range")?;
    let (start, end) = range(c, range_value, &obj.at("range"))?;
    let flag = flag?;
    match flag_obj.get("bucketBy") {
        None => flag.bucket_by = (*decl.bucket_by).into(),
        Some(_) if flag.bucket_by.as_str() != &*decl.bucket_by => {
            c.error(
                &flag_obj.at("bucketBy"),
                ProblemCode::InvalidValue,
                msg!(
                    "flag ",
                    q(&flag.key),
                    " is in layer ",
                    q(decl.name),
                    ", which buckets by ",
                    q(&decl.bucket_by),
                    ": a flag of a layer buckets by its layer's attribute (remove bucketBy)"
                ),
            );
            return None;
        }
        Some(_) => {}
    }
    let salt = flag.salt.as_deref().unwrap_or(&flag.key);
    if salt == decl.name {
        let at = match flag.salt {
            Some(_) => flag_obj.at("salt"),
            None => obj.at("name"),
        };
        c.error(
            &at,
            ProblemCode::InvalidValue,
            msg!("flag ", q(&flag.key), " is salted with ", q(salt), ", its layer's name: its split would follow the layer's buckets instead of being random within its range (set another salt)"),
        );
        return None;
    }
    Some(FlagLayer {
        layer,
        range: LayerRange {
            name: decl.name.into(),
            salt_prefix: salt_prefix(decl.name),
            start,
            end,
        },
    })
}

/// `[start, end]`: two percentages with `start <= end`, in thousandths.
fn range(c: &mut Checker, value: &Json<'_>, path: &Path<'_>) -> Option<(u32, u32)> {
    let items = match value {
        Json::Array(items) if items.len() == 2 => items,
        other => {
            c.wrong_type(path, "[start, end], two percentages of the layer", other);
            return None;
        }
    };
    let start = percentage(c, &items[0], &path.index(0));
    let end = percentage(c, &items[1], &path.index(1));
    let (start, end) = (start?, end?);
    if start > end {
        c.error(
            path,
            ProblemCode::InvalidValue,
            msg!(
                "the range starts at ",
                format_thousandths(start),
                " but ends at ",
                format_thousandths(end),
                ": write [start, end] with start <= end"
            ),
        );
        return None;
    }
    Some((start, end))
}

/// The ranges of one layer must not overlap: sorted by start, each range must begin at or
/// after the largest end before it. `O(n log n)` in the number of flags in layers; each
/// overlapping flag is reported once, naming the flag it overlaps.
pub(crate) fn check_layer_overlaps(
    c: &mut Checker,
    members: &mut [(u32, u32, u32, usize)],
    keys: &[&str],
    flags_path: &Path<'_>,
    layers: &[LayerDecl<'_>],
) {
    // (layer, start, end, flag position): document order breaks ties.
    members.sort_unstable();
    let mut previous: Option<(u32, u32, u32, usize)> = None;
    for &(layer, start, end, flag) in members.iter() {
        let widest = previous.filter(|p| p.0 == layer);
        if let Some((_, other_start, other_end, other)) = widest {
            if start < other_end && start < end {
                c.error(
                    &flags_path.key(keys[flag]).key("layer").key("range"),
                    ProblemCode::LayerOverlap,
                    msg!("flag ", q(keys[flag]), "'s range [", format_thousandths(start), ", ", format_thousandths(end), "] of layer ", q(layers[layer as usize].name), " overlaps flag ", q(keys[other]), "'s [", format_thousandths(other_start), ", ", format_thousandths(other_end), "]: flags of one layer take disjoint ranges, so that a user is in at most one"),
                );
            }
            if end <= other_end {
                continue;
            }
        }
        if start < end {
            previous = Some((layer, start, end, flag));
        }
    }
}
