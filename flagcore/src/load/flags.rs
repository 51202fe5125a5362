//! Compiling a flag's head: type, variants, off variant, switch, salt, bucketing attribute;
//! and references to variants by name.

use std::borrow::Cow;

use crate::bucket::salt_prefix;
use crate::error::ProblemCode;
use crate::json::{self, q, Json, Path};
use crate::message::msg;
use crate::model::{Flag, Serve, StrSeen, Variant};
use crate::number;
use crate::value::{FlagValue, ValueType};

use super::checker::{
    check_duplicates, check_nested_duplicates, Checker, Obj, LINEAR_DUPLICATES_MAX,
};
use super::segments::string_list;
use super::FLAG_FIELDS;

pub(crate) fn flag_value(value: &Json<'_>) -> Option<FlagValue> {
    Some(match value {
        Json::Bool(b) => FlagValue::Bool(*b),
        Json::String(s) => FlagValue::String(s.as_str().to_owned()),
        Json::Number(n) => FlagValue::Number(n.as_f64()?),
        #[cfg(feature = "serde_json")]
        Json::Null | Json::Array(_) | Json::Object(_) => FlagValue::Json(value.to_value()),
        #[cfg(not(feature = "serde_json"))]
        Json::Null | Json::Array(_) | Json::Object(_) => {
            let mut json = String::new();
            value.write(&mut json);
            FlagValue::Json(json.into())
        }
    })
}

/// A variant's value as JSON text, as `serde_json` writes it (`tree` is the value as
/// parsed: JSON values are written from it, numbers from their `f64`).
pub(crate) fn variant_json(value: &FlagValue, tree: &Json<'_>) -> Cow<'static, str> {
    let mut json = String::new();
    match value {
        FlagValue::Bool(b) => return Cow::Borrowed(if *b { "true" } else { "false" }),
        FlagValue::String(s) => {
            json.reserve_exact(s.len() + 2);
            json::write_string(&mut json, s);
        }
        FlagValue::Number(n) => number::write_f64(&mut json, *n),
        FlagValue::Json(_) => tree.write(&mut json),
    }
    Cow::Owned(json)
}

// Over 80 lines: one object's fields read in order (type, variants, enabled, offVariant,
// salt, bucketBy), each with its own problems; every field depends on the ones before.
/// Pass 1 of a flag: type, variants, off variant, switch, salt, bucketing attribute.
pub(crate) fn flag_head<'a>(
    c: &mut Checker,
    key: &str,
    value: &'a Json<'a>,
    path: &Path<'a>,
    names: &mut Vec<&'a str>,
) -> Option<Flag> {
    let obj = Obj::read(c, value, path, FLAG_FIELDS)?;
    let declared = match obj.get("type") {
        None => None,
        Some(Json::String(t)) => match ValueType::parse(t) {
            Some(t) => Some(t),
            None => {
                c.error(
                    &obj.at("type"),
                    ProblemCode::InvalidValue,
                    msg!(
                        "unknown type ",
                        q(t),
                        "; use boolean, string, number or json"
                    ),
                );
                return None;
            }
        },
        Some(other) => {
            c.wrong_type(&obj.at("type"), "a string", other);
            return None;
        }
    };
    let description = obj.string(c, "description").map(Box::from);
    if let Some(m) = obj.get("metadata") {
        check_nested_duplicates(c, m, &obj.at("metadata"));
    }
    if let Some(tags) = obj.get("tags") {
        string_list(c, Some(tags), &obj.at("tags"), false);
    }

    let (declared_variants, mut ok) = compile_variants(c, &obj, declared, path, names);
    let implied = declared_variants.is_none();
    let mut variants = declared_variants.unwrap_or_default();

    // Type: declared, or inferred from the variants; JSON flags accept any value.
    let value_type = match declared {
        Some(t) => t,
        None => {
            let first = if implied {
                Some(ValueType::Boolean)
            } else {
                variants.first().map(|v| v.value.value_type())
            };
            first.unwrap_or(ValueType::Boolean)
        }
    };
    if value_type == ValueType::Json {
        for v in &mut variants {
            let value = std::mem::replace(&mut v.value, FlagValue::Bool(false));
            v.value = value.into_json(&v.json);
        }
    }
    // The implied `on` and `off` are shared, not allocated per flag.
    let list: &[Variant] = if implied {
        &BOOLEAN_VARIANTS
    } else {
        &variants
    };
    if value_type != ValueType::Json {
        for v in list {
            if v.value.value_type() != value_type {
                c.error(
                    &obj.at("variants").key(&v.name),
                    ProblemCode::VariantTypeMismatch,
                    msg!(
                        "variant ",
                        q(&v.name),
                        " is ",
                        v.value.value_type(),
                        ", but flag ",
                        q(key),
                        " is ",
                        value_type,
                        if declared.is_some() {
                            ""
                        } else {
                            " (inferred from its first variant)"
                        }
                    ),
                );
                ok = false;
            }
        }
    }

    let enabled = obj.bool(c, "enabled").unwrap_or(true);
    if obj.get("enabled").is_none() {
        c.error(
            path,
            ProblemCode::MissingField,
            "missing required field \"enabled\" (the kill switch: true serves rules and default, false serves offVariant)",
        );
        ok = false;
    }
    let off_variant = match obj.get("offVariant") {
        Some(Json::String(name)) => match list.iter().position(|v| *v.name == **name) {
            Some(i) => Some(i as u32),
            None => {
                let suggestion = c.suggest(name, list.iter().map(|v| &*v.name));
                c.error(
                    &obj.at("offVariant"),
                    ProblemCode::UnknownVariant,
                    msg!("flag ", q(key), " has no variant ", q(name), suggestion),
                );
                None
            }
        },
        Some(other) => {
            c.wrong_type(&obj.at("offVariant"), "a variant name", other);
            None
        }
        None => match list.iter().position(|v| &*v.name == "off") {
            Some(i) => Some(i as u32),
            None => {
                if !list.is_empty() {
                    c.error(
                        path,
                        ProblemCode::MissingField,
                        "missing required field \"offVariant\" (no variant is named \"off\")",
                    );
                }
                None
            }
        },
    };
    let salt = match obj.get("salt") {
        Some(Json::String(s)) => s.as_str(),
        Some(other) => {
            c.wrong_type(&obj.at("salt"), "a string", other);
            key
        }
        None => key,
    };
    let bucket_by = obj.bucket_by(c);
    if !ok {
        return None;
    }
    Some(Flag {
        key: key.into(),
        description,
        value_type,
        variants: if implied {
            Cow::Borrowed(&BOOLEAN_VARIANTS)
        } else {
            Cow::Owned(variants)
        },
        enabled,
        off_variant: off_variant?,
        prerequisites: Vec::new(),
        rules: Vec::new(),
        default: Serve::Variant(off_variant?),
        salt_prefix: salt_prefix(salt),
        salt: (salt != key).then(|| salt.into()),
        bucket_by: bucket_by.into(),
        layer: None,
        plan: None,
    })
}

// Over 80 lines: most of it is the problems reported per variant, with their messages.
/// A flag's `variants` (boolean flags may omit them: `on` and `off`), their names appended
/// to `names`; false with them when a problem was reported.
fn compile_variants<'a>(
    c: &mut Checker,
    obj: &Obj<'a>,
    declared: Option<ValueType>,
    path: &Path<'_>,
    names: &mut Vec<&'a str>,
) -> (Option<Vec<Variant>>, bool) {
    let mut variants: Vec<Variant> = Vec::new();
    let mut ok = true;
    match obj.get("variants") {
        None if matches!(declared, None | Some(ValueType::Boolean)) => {
            names.extend(["on", "off"]);
            return (None, true);
        }
        None => {
            c.error(
                path,
                ProblemCode::MissingField,
                "missing required field \"variants\" (only boolean flags may omit it)",
            );
            ok = false;
        }
        Some(Json::Object(entries)) => {
            let variants_path = obj.at("variants");
            check_duplicates(c, entries, &variants_path);
            if entries.is_empty() {
                c.error(
                    &variants_path,
                    ProblemCode::InvalidValue,
                    "a flag needs at least one variant",
                );
                ok = false;
            }
            variants.reserve_exact(entries.len());
            let mut seen: StrSeen<'_> = StrSeen::default();
            for (i, (name, v)) in entries.iter().enumerate() {
                let repeat = if entries.len() > LINEAR_DUPLICATES_MAX {
                    seen.insert(name, 0).is_some()
                } else {
                    entries[..i].iter().any(|(earlier, _)| earlier == name)
                };
                if repeat {
                    continue;
                }
                let vpath = variants_path.key(name);
                check_nested_duplicates(c, v, &vpath);
                if name.is_empty() {
                    c.error(
                        &vpath,
                        ProblemCode::InvalidValue,
                        "a variant name must not be empty",
                    );
                    ok = false;
                }
                let Some(value) = flag_value(v) else {
                    c.error(
                        &vpath,
                        ProblemCode::InvalidValue,
                        "the number is not representable",
                    );
                    ok = false;
                    continue;
                };
                names.push(name.as_str());
                variants.push(Variant {
                    name: Cow::Owned(name.as_str().to_owned()),
                    json: variant_json(&value, v),
                    value,
                });
            }
        }
        Some(other) => {
            c.wrong_type(
                &obj.at("variants"),
                "an object of variant name to value",
                other,
            );
            ok = false;
        }
    }
    (Some(variants), ok)
}

/// The variants of a boolean flag without `variants`: shared by every such flag (most
/// flags), not allocated per flag.
static BOOLEAN_VARIANTS: [Variant; 2] = [
    Variant {
        name: Cow::Borrowed("on"),
        value: FlagValue::Bool(true),
        json: Cow::Borrowed("true"),
    },
    Variant {
        name: Cow::Borrowed("off"),
        value: FlagValue::Bool(false),
        json: Cow::Borrowed("false"),
    },
];

/// A flag's variant names, for references by name: searched linearly when few, through a
/// hash table built once per flag when many (a split over 100k variants, or 50k rules
/// naming variants of a large flag, would otherwise compare every pair).
#[derive(Clone, Copy)]
pub(crate) struct VariantNames<'a> {
    /// The flag's key, for messages.
    pub(crate) flag: &'a str,
    pub(crate) names: &'a [&'a str],
    index: Option<&'a StrSeen<'a>>,
}

impl<'a> VariantNames<'a> {
    pub(crate) fn new(flag: &'a str, names: &'a [&'a str], index: Option<&'a StrSeen<'a>>) -> Self {
        VariantNames { flag, names, index }
    }

    /// The hash table for `names` when it is long enough to need one.
    pub(crate) fn index_of(names: &[&'a str]) -> Option<StrSeen<'a>> {
        (names.len() > LINEAR_DUPLICATES_MAX).then(|| {
            let mut index = StrSeen::with_capacity(names.len());
            for (i, name) in names.iter().enumerate() {
                if !index.contains_key(name) {
                    index.insert(name, i as u32);
                }
            }
            index
        })
    }

    pub(crate) fn position(&self, name: &str) -> Option<u32> {
        match self.index {
            Some(index) => index.get(name).copied(),
            None => self.names.iter().position(|n| *n == name).map(|i| i as u32),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A reference to one of `variants` by name: its position, or an `unknown_variant` error
/// naming the flag.
pub(crate) fn variant_ref(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
    variants: VariantNames<'_>,
) -> Option<u32> {
    let Json::String(name) = value else {
        c.wrong_type(path, "a variant name", value);
        return None;
    };
    match variants.position(name) {
        Some(i) => Some(i),
        None => {
            let suggestion = c.suggest(name, variants.names.iter().copied());
            c.error(
                path,
                ProblemCode::UnknownVariant,
                msg!(
                    "flag ",
                    q(variants.flag),
                    " has no variant ",
                    q(name),
                    suggestion
                ),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_json_is_what_serde_json_writes() {
        let values = [
            FlagValue::Bool(true),
            FlagValue::Bool(false),
            FlagValue::String(String::new()),
            FlagValue::String("plain text".into()),
            FlagValue::String("quote \" backslash \\ tab \t nul \u{0} del \u{7f}".into()),
            FlagValue::String("caf\u{e9} \u{2028} \u{1f600} </script>".into()),
            FlagValue::Number(0.1),
            FlagValue::Number(-3.0),
            FlagValue::Json(serde_json::json!({"a": [1, "b", null]})),
            FlagValue::String((0u8..0x20).map(char::from).collect()),
            FlagValue::Number(1e300),
            FlagValue::Number(-1.5e-7),
            FlagValue::Number(123456.789),
            FlagValue::Number(9_007_199_254_740_993.0),
            FlagValue::Number(-0.0),
            FlagValue::Json(serde_json::json!(null)),
            FlagValue::Json(serde_json::json!([])),
            FlagValue::Json(serde_json::json!({})),
            FlagValue::Json(
                serde_json::json!({"z": 1, "a": {"\u{8}\u{c}\"\\": [true, false, 2.5, -7,
                18_446_744_073_709_551_615u64, -9_223_372_036_854_775_808i64, 1e-300]}, "m": "x"}),
            ),
        ];
        for value in values {
            let expected = serde_json::to_string(&value.to_json()).unwrap();
            let arena = bumpalo::Bump::new();
            let tree = json::parse(&expected, &arena).unwrap();
            let parsed = flag_value(&tree).unwrap();
            assert_eq!(&*variant_json(&parsed, &tree), expected, "{value:?}");
        }
    }
}
