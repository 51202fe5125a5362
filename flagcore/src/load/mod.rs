//! Loading a config: the JSON tree, the checker that collects every problem with its JSON
//! path, and compiling each part (flags, serves, rules, segments, prerequisites, plans)
//! into the model the evaluator reads. The format is documented in `docs/config.md`.

mod checker;
mod flags;
mod layers;
mod plan;
mod prerequisites;
mod rules;
mod segments;
mod serve;

use bumpalo::Bump;

use crate::bucket::SUPPORTED_HASH_VERSIONS;
use crate::error::{ConfigError, Problem, ProblemCode, Report, Severity};
use crate::json::{self, q, Json, JsonStr, Path};
use crate::message::msg;
use crate::model::{
    Config, Flag, FlagIndex, Limits, Segment, StrMap, StrSeen, ARENA_PRESIZE_MAX,
    SUPPORTED_SCHEMA_VERSIONS,
};

use checker::{check_duplicates, check_nested_duplicates, report_duplicate};
use checker::{Checker, Obj};
use flags::{flag_head, VariantNames};
use layers::{check_layer_overlaps, compile_flag_layer, compile_layers};
use plan::compile_plan;
use prerequisites::{check_prerequisite_graph, compile_prerequisites};
use rules::compile_rules;
use segments::compile_segment;
use serve::compile_serve;

impl Config {
    /// Parses, validates and compiles a config with the default [`Limits`].
    ///
    /// Every problem is reported at once in [`ConfigError::Invalid`]; warnings of a
    /// config that loads are in [`Config::warnings`].
    pub fn from_json(text: &str) -> Result<Config, ConfigError> {
        Config::from_json_with_limits(text, Limits::default())
    }

    /// Like [`Config::from_json`], with explicit limits.
    pub fn from_json_with_limits(text: &str, limits: Limits) -> Result<Config, ConfigError> {
        if text.len() > limits.max_bytes {
            return Err(ConfigError::TooLarge {
                size: text.len(),
                limit: limits.max_bytes,
            });
        }
        // The tree takes about three times the text: one block up front, instead of
        // blocks doubling from small (each load of a large config then took fresh pages).
        let arena = Bump::with_capacity(text.len().saturating_mul(4).min(ARENA_PRESIZE_MAX));
        let tree = json::parse(text, &arena).map_err(|e| ConfigError::Syntax {
            line: e.line,
            column: e.column,
            message: e.message.to_owned(),
        })?;
        let mut checker = Checker::default();
        let config = compile(&mut checker, &tree);
        let (errors, warnings) = checker.finish();
        let report = Report { errors, warnings };
        match config {
            Some(mut config) if !report.has_errors() => {
                config.warnings = report.warnings;
                Ok(config)
            }
            _ => Err(ConfigError::Invalid(report)),
        }
    }

    /// Like [`Config::from_json`], from bytes that should be UTF-8 JSON text: bytes that
    /// are not UTF-8 are refused with an `invalid_utf8` problem giving the byte offset,
    /// line and column of the first bad byte. Bindings pass what they read as it is.
    ///
    /// # Example
    /// ```
    /// use flagcore::{Config, ConfigError};
    /// let err = Config::from_slice(b"{\"schemaVersion\": 1,\n \"flags\": {\"\xff\": {}}}").unwrap_err();
    /// let ConfigError::Invalid(report) = err else { panic!() };
    /// assert_eq!(report.errors[0].code.as_str(), "invalid_utf8");
    /// assert_eq!(report.errors[0].message, "byte 33 (line 2, column 13) is not UTF-8: a config must be UTF-8 text");
    /// ```
    pub fn from_slice(bytes: &[u8]) -> Result<Config, ConfigError> {
        Config::from_slice_with_limits(bytes, Limits::default())
    }

    /// Like [`Config::from_slice`], with explicit limits.
    pub fn from_slice_with_limits(bytes: &[u8], limits: Limits) -> Result<Config, ConfigError> {
        if bytes.len() > limits.max_bytes {
            return Err(ConfigError::TooLarge {
                size: bytes.len(),
                limit: limits.max_bytes,
            });
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Config::from_json_with_limits(text, limits),
            Err(e) => Err(ConfigError::Invalid(Report {
                errors: vec![invalid_utf8(bytes, e.valid_up_to())],
                warnings: Vec::new(),
            })),
        }
    }

    /// Like [`Config::validate`], from bytes (see [`Config::from_slice`]).
    pub fn validate_slice(bytes: &[u8]) -> Report {
        Config::report_of(Config::from_slice(bytes))
    }

    /// Validates without keeping the result: the full report, errors and warnings.
    pub fn validate(text: &str) -> Report {
        Config::report_of(Config::from_json(text))
    }

    fn report_of(result: Result<Config, ConfigError>) -> Report {
        match result {
            Ok(config) => Report {
                errors: Vec::new(),
                warnings: config.warnings,
            },
            Err(ConfigError::Invalid(report)) => report,
            Err(other) => Report {
                errors: other.problems(),
                warnings: Vec::new(),
            },
        }
    }
}

/// The `invalid_utf8` problem for the first bad byte, at `offset`.
fn invalid_utf8(bytes: &[u8], offset: usize) -> Problem {
    let before = &bytes[..offset];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = offset - line_start + 1;
    Problem {
        severity: Severity::Error,
        code: ProblemCode::InvalidUtf8,
        path: "$".to_owned(),
        message: msg!(
            "byte ",
            offset,
            " (line ",
            line,
            ", column ",
            column,
            ") is not UTF-8: a config must be UTF-8 text"
        ),
    }
}

pub(crate) const CONFIG_FIELDS: &[&str] = &[
    "$schema",
    "schemaVersion",
    "hashVersion",
    "description",
    "metadata",
    "segments",
    "layers",
    "flags",
];
pub(crate) const LAYER_FIELDS: &[&str] = &["description", "bucketBy", "metadata"];
pub(crate) const FLAG_LAYER_FIELDS: &[&str] = &["name", "range"];
pub(crate) const SEGMENT_FIELDS: &[&str] =
    &["description", "attribute", "keys", "excluded", "rules"];
pub(crate) const SEGMENT_RULE_FIELDS: &[&str] = &["description", "conditions"];
pub(crate) const FLAG_FIELDS: &[&str] = &[
    "description",
    "type",
    "variants",
    "enabled",
    "offVariant",
    "prerequisites",
    "salt",
    "bucketBy",
    "layer",
    "rules",
    "default",
    "tags",
    "metadata",
    "plan",
];
pub(crate) const RULE_FIELDS: &[&str] = &["id", "description", "conditions", "serve"];
pub(crate) const SERVE_FIELDS: &[&str] = &["variant", "split", "stages"];
pub(crate) const STAGE_FIELDS: &[&str] = &["from", "variant", "split", "description"];
pub(crate) const SPLIT_FIELDS: &[&str] = &["variant", "weight"];
pub(crate) const PREREQ_FIELDS: &[&str] = &["flag", "variant", "variants"];
pub(crate) const CONDITION_FIELDS: &[&str] =
    &["attribute", "op", "value", "values", "negate", "ignoreCase"];

/// The operators, with their config names.
pub(crate) const OPERATORS: &[&str] = &[
    "equals",
    "in",
    "notIn",
    "startsWith",
    "endsWith",
    "contains",
    "lt",
    "lte",
    "gt",
    "gte",
    "semverEq",
    "semverLt",
    "semverLte",
    "semverGt",
    "semverGte",
    "before",
    "after",
    "exists",
    "inSegment",
    "anyOf",
    "allOf",
    "noneOf",
    "sizeEq",
    "sizeLt",
    "sizeLte",
    "sizeGt",
    "sizeGte",
    "matches",
    "inCidr",
    "strLt",
    "strLte",
    "strGt",
    "strGte",
    "isType",
];

/// The operators that take `ignoreCase`.
pub(crate) const IGNORE_CASE_OPERATORS: &[&str] = &[
    "equals",
    "in",
    "notIn",
    "anyOf",
    "allOf",
    "noneOf",
    "startsWith",
    "endsWith",
    "contains",
];

/// What pass 1 learns about a flag, for references from other flags.
pub(crate) struct FlagHead<'a> {
    key: &'a str,
    /// Where its variant names are in the names of all flags (borrowed from the config
    /// text, like the key): other flags refer to them.
    variant_names: std::ops::Range<usize>,
    /// Those names hashed, when there are many (see [`VariantNames`]).
    variant_index: Option<StrSeen<'a>>,
}

// Over 80 lines: the two passes over the flags share a dozen locals (heads, names, the
// key index, partial flags) that would otherwise travel between functions as parameters.
pub(crate) fn compile(c: &mut Checker, tree: &Json<'_>) -> Option<Config> {
    let root = Path::root();
    let obj = Obj::read(c, tree, &root, CONFIG_FIELDS)?;

    let schema_version = version_field(c, &obj, "schemaVersion", SUPPORTED_SCHEMA_VERSIONS);
    let hash_version = match obj.get("hashVersion") {
        None => Some(1),
        Some(_) => version_field(c, &obj, "hashVersion", SUPPORTED_HASH_VERSIONS),
    };
    // `$schema` names the JSON Schema for editors (schema/flagcore.schema.json): ignored.
    for field in ["$schema", "description"] {
        if let Some(d) = obj.get(field).filter(|d| !matches!(d, Json::String(_))) {
            c.wrong_type(&obj.at(field), "a string", d);
        }
    }
    if let Some(m) = obj.get("metadata") {
        check_nested_duplicates(c, m, &obj.at("metadata"));
    }
    // Segments first: flags refer to them.
    let segments_path = obj.at("segments");
    let (segments, segment_index) = compile_segments(c, obj.get("segments"), &segments_path);
    let layers_path = obj.at("layers");
    let (layers, layer_index) = compile_layers(c, obj.get("layers"), &layers_path);
    let mut used_layers = vec![false; layers.len()];
    // (layer, start, end, flag position) of every flag in a layer, for the overlap check.
    let mut layer_members: Vec<(u32, u32, u32, usize)> = Vec::new();

    // Flags, pass 1: keys, types and variants.
    let flags_path = obj.at("flags");
    let flag_entries: &[(JsonStr<'_>, Json<'_>)] = match obj.required(c, "flags") {
        Some(Json::Object(entries)) => entries,
        Some(other) => {
            c.wrong_type(&flags_path, "an object of flags", other);
            &[]
        }
        None => &[],
    };
    let mut heads: Vec<FlagHead<'_>> = Vec::with_capacity(flag_entries.len());
    // The variant names of every flag, one after the other (most flags have two).
    let mut names: Vec<&str> = Vec::with_capacity(flag_entries.len() * 2);
    // Each flag stays in its slot from pass 1 on (pass 2 fills it in place): a `Flag` is
    // a few hundred bytes, and moving it between vectors was a tenth of loading a simple
    // flag. `values` are the flags' JSON objects.
    let mut flags: Vec<Option<Flag>> = Vec::with_capacity(flag_entries.len());
    let mut values: Vec<&Json<'_>> = Vec::with_capacity(flag_entries.len());
    // The keys first, each hashed once: the duplicates reported as `check_duplicates`
    // reports them (before any flag's own problems), and the map of first occurrences
    // becomes the config's flag index at the end.
    let mut index: StrSeen<'_> = StrSeen::with_capacity(flag_entries.len());
    let mut firsts: Vec<(&JsonStr<'_>, &Json<'_>)> = Vec::with_capacity(flag_entries.len());
    for (key, value) in flag_entries {
        if index.insert_new(key.as_str(), firsts.len() as u32) {
            firsts.push((key, value));
        } else {
            report_duplicate(c, key, &flags_path);
        }
    }
    for (key, value) in firsts {
        let path = flags_path.key(key);
        if key.is_empty() {
            c.error(
                &path,
                ProblemCode::InvalidValue,
                "a flag key must not be empty",
            );
        }
        let start = names.len();
        let head = flag_head(c, key, value, &path, &mut names);
        let variant_names = start..names.len();
        let variant_index = VariantNames::index_of(&names[variant_names.clone()]);
        heads.push(FlagHead {
            key: key.as_str(),
            variant_names,
            variant_index,
        });
        flags.push(head);
        values.push(value);
    }

    // Flags, pass 2: prerequisites, rules, default.
    let mut used_segments = vec![false; segments.len()];
    let refs = Refs {
        heads: &heads,
        names: &names,
        index: &index,
        segments: &segment_index,
        compiled_segments: &segments,
    };
    let mut prereq_items: Vec<Vec<usize>> = Vec::with_capacity(flags.len());
    for (i, (slot, value)) in flags.iter_mut().zip(values).enumerate() {
        let path = flags_path.key(heads[i].key);
        // A flag whose head failed is still checked, so every problem is reported.
        let Some(obj) = Obj::checked_before(value, &path) else {
            prereq_items.push(Vec::new());
            *slot = None;
            continue;
        };
        let layer = compile_flag_layer(
            c,
            &obj,
            slot.as_mut(),
            &layers,
            &layer_index,
            &mut used_layers,
        );
        if let Some(l) = &layer {
            layer_members.push((l.layer, l.range.start, l.range.end, i));
        }
        let (prereqs, items) = compile_prerequisites(c, &obj, &refs);
        prereq_items.push(items);
        let names = refs.variants(i as u32);
        let rules = match obj.get("rules") {
            Some(rules) => {
                compile_rules(c, rules, &obj.at("rules"), names, &refs, &mut used_segments)
            }
            None => Vec::new(),
        };
        let default = obj
            .required(c, "default")
            .and_then(|d| compile_serve(c, d, &obj.at("default"), names));
        let off_variant = slot.as_ref().map(|f| f.off_variant);
        let plan = obj
            .get("plan")
            .and_then(|p| compile_plan(c, p, &obj.at("plan"), names, off_variant));
        if let Some(flag) = slot {
            flag.prerequisites = prereqs;
            flag.rules = rules;
            flag.plan = plan.map(Box::new);
            flag.layer = layer.map(|l| Box::new(l.range));
            match default {
                Some(serve) => flag.default = serve,
                None => *slot = None,
            }
        }
    }

    check_prerequisite_graph(c, &flags, &flags_path, &prereq_items, &heads);
    let keys: Vec<&str> = heads.iter().map(|h| h.key).collect();
    check_layer_overlaps(c, &mut layer_members, &keys, &flags_path, &layers);
    for (i, used) in used_layers.iter().enumerate() {
        if !used {
            let name = layers[i].name;
            c.warn(
                &layers_path.key(name),
                ProblemCode::UnusedLayer,
                msg!("no flag is in layer ", q(name)),
            );
        }
    }

    for (i, used) in used_segments.iter().enumerate() {
        if !used {
            let name = &segments[i].key;
            c.warn(
                &segments_path.key(name),
                ProblemCode::UnusedSegment,
                msg!("segment ", q(name), " is not used by any flag"),
            );
        }
    }

    let flags: Vec<Flag> = flags.into_iter().collect::<Option<_>>()?;
    let index = match index.into_flag_index(flags.len()) {
        Some(index) => index,
        None => FlagIndex::of(&flags),
    };
    Some(Config {
        schema_version: schema_version?,
        hash_version: hash_version?,
        index,
        flags,
        segments,
        warnings: Vec::new(),
    })
}

/// `schemaVersion` (required) or `hashVersion`: a number this build supports.
fn version_field(c: &mut Checker, obj: &Obj<'_>, name: &str, supported: &[u32]) -> Option<u32> {
    match obj.required(c, name)? {
        Json::Number(n) => match n.as_u64().and_then(|v| u32::try_from(v).ok()) {
            Some(v) if supported.contains(&v) => Some(v),
            _ => {
                let (code, verb) = if name == "schemaVersion" {
                    (ProblemCode::UnsupportedSchemaVersion, "reads")
                } else {
                    (ProblemCode::UnsupportedHashVersion, "implements")
                };
                c.error(
                    &obj.at(name),
                    code,
                    msg!(
                        name,
                        " ",
                        n,
                        " is not supported; this build ",
                        verb,
                        " ",
                        numbers(supported)
                    ),
                );
                None
            }
        },
        other => {
            c.wrong_type(&obj.at(name), "a number", other);
            None
        }
    }
}

/// The `segments` object: each segment compiled, and their positions by name.
fn compile_segments<'a>(
    c: &mut Checker,
    value: Option<&'a Json<'a>>,
    segments_path: &Path<'_>,
) -> (Vec<Segment>, StrMap<'a>) {
    let mut segments = Vec::new();
    let mut segment_index: StrMap<'_> = StrMap::default();
    let Some(value) = value else {
        return (segments, segment_index);
    };
    let Json::Object(entries) = value else {
        c.wrong_type(segments_path, "an object of segments", value);
        return (segments, segment_index);
    };
    check_duplicates(c, entries, segments_path);
    for (name, seg) in entries.iter() {
        if segment_index.contains_key(name.as_str()) {
            continue;
        }
        let path = segments_path.key(name);
        if name.is_empty() {
            c.error(
                &path,
                ProblemCode::InvalidValue,
                "a segment name must not be empty",
            );
        }
        if let Some(segment) = compile_segment(c, name, seg, &path) {
            segment_index.insert(name.as_str(), segments.len() as u32);
            segments.push(segment);
        }
    }
    (segments, segment_index)
}

pub(crate) struct Refs<'a> {
    heads: &'a [FlagHead<'a>],
    names: &'a [&'a str],
    index: &'a StrSeen<'a>,
    segments: &'a StrMap<'a>,
    /// The segments, compiled (rules compile `inSegment` against them).
    compiled_segments: &'a [Segment],
}

impl<'a> Refs<'a> {
    /// The variant names of the flag at `flag` (pass 1's position).
    pub(crate) fn variants(&self, flag: u32) -> VariantNames<'a> {
        let head = &self.heads[flag as usize];
        VariantNames::new(
            head.key,
            &self.names[head.variant_names.clone()],
            head.variant_index.as_ref(),
        )
    }
}

/// `[1, 2]`: a list of numbers as `{:?}` prints it.
fn numbers(list: &[u32]) -> String {
    let mut out = String::from("[");
    for (i, n) in list.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        crate::number::write_u64(&mut out, u64::from(*n));
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salt_is_the_key_unless_set_and_variant_names_survive_compiling() {
        let config = Config::from_json(
            r#"{"schemaVersion": 1, "flags": {
              "a": {"enabled": true, "default": {"variant": "on"}},
              "b": {"enabled": true, "salt": "shared", "variants": {"x": 1, "y": 2},
                    "offVariant": "y", "prerequisites": [{"flag": "a", "variant": "on"}],
                    "default": {"split": [{"variant": "x", "weight": 40}, {"variant": "y", "weight": 60}]}},
              "c": {"enabled": true, "salt": "c", "default": {"variant": "off"}}}}"#,
        )
        .unwrap();
        let salts: Vec<_> = config.flags().map(|f| f.salt()).collect();
        assert_eq!(salts, ["a", "shared", "c"]);
        let b = config.flag("b").unwrap();
        let names: Vec<_> = b.variants().map(|(name, _)| name).collect();
        assert_eq!(names, ["x", "y"]);
        assert_eq!(b.off_variant(), "y");
        assert_eq!(
            b.default_shares(None),
            Some(vec![("x", 40_000), ("y", 60_000)])
        );
        let a = config.flag("a").unwrap();
        assert_eq!(
            a.variants().map(|(name, _)| name).collect::<Vec<_>>(),
            ["on", "off"]
        );
    }
}
