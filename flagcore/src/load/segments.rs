//! Compiling segments: reusable audiences (keys, exclusions, rules).

use crate::error::ProblemCode;
use crate::json::{q, Json, Path};
use crate::message::msg;
use crate::model::program::Program;
use crate::model::{Segment, StrMap, StrSeen, StrSet};

use super::checker::{Checker, Obj, LINEAR_DUPLICATES_MAX};
use super::rules::compile_conditions;
use super::SEGMENT_FIELDS;
use super::SEGMENT_RULE_FIELDS;

pub(crate) fn compile_segment(
    c: &mut Checker,
    name: &str,
    value: &Json<'_>,
    path: &Path<'_>,
) -> Option<Segment> {
    let obj = Obj::read(c, value, path, SEGMENT_FIELDS)?;
    obj.string(c, "description");
    let attribute = obj.string(c, "attribute").unwrap_or("key");
    let included = string_list(c, obj.get("keys"), &obj.at("keys"), true);
    let excluded = string_list(c, obj.get("excluded"), &obj.at("excluded"), true);
    let mut rules = Vec::new();
    let no_segments = StrMap::default();
    let mut unused = Vec::new();
    if let Some(value) = obj.get("rules") {
        match value {
            Json::Array(items) => {
                let rules_path = obj.at("rules");
                for (i, rule) in items.iter().enumerate() {
                    let rpath = rules_path.index(i);
                    let Some(robj) = Obj::read(c, rule, &rpath, SEGMENT_RULE_FIELDS) else {
                        continue;
                    };
                    robj.string(c, "description");
                    let conditions = match robj.required(c, "conditions") {
                        Some(conds) => compile_conditions(
                            c,
                            conds,
                            &robj.at("conditions"),
                            // Segments cannot refer to segments.
                            (&no_segments, &[]),
                            &mut unused,
                            true,
                        ),
                        None => Vec::new(),
                    };
                    rules.push(Program::new(conditions));
                }
            }
            other => c.wrong_type(&obj.at("rules"), "an array of rules", other),
        }
    }
    Some(Segment {
        key: name.into(),
        attribute: attribute.into(),
        included: StrSet::new(included),
        excluded: StrSet::new(excluded),
        rules,
    })
}

/// A list of strings; duplicates are a warning when `warn_duplicates`.
pub(crate) fn string_list(
    c: &mut Checker,
    value: Option<&Json<'_>>,
    path: &Path<'_>,
    warn_duplicates: bool,
) -> Vec<Box<str>> {
    let Some(value) = value else {
        return Vec::new();
    };
    let Json::Array(items) = value else {
        c.wrong_type(path, "an array of strings", value);
        return Vec::new();
    };
    let mut out: Vec<Box<str>> = Vec::with_capacity(items.len());
    // Small lists are checked for duplicates against what was kept so far.
    let mut seen: Option<StrSeen<'_>> =
        (items.len() > LINEAR_DUPLICATES_MAX).then(|| StrSeen::with_capacity(items.len()));
    for (i, item) in items.iter().enumerate() {
        match item {
            Json::String(s) => {
                let new = match &mut seen {
                    Some(seen) => seen.insert(s, 0).is_none(),
                    None => !out.iter().any(|o| **o == **s),
                };
                if !new {
                    if warn_duplicates {
                        c.warn(
                            &path.index(i),
                            ProblemCode::DuplicateEntry,
                            msg!(q(s), " is listed more than once"),
                        );
                    }
                    continue;
                }
                out.push(s.as_str().into());
            }
            other => c.wrong_type(&path.index(i), "a string", other),
        }
    }
    out
}
