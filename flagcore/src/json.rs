//! An order-preserving JSON tree that keeps duplicate object keys, so that
//! validation can report them (serde_json's `Value` silently keeps the last).
//!
//! Parsing refuses input over [`Limits::max_bytes`] and nesting deeper than
//! serde_json's recursion limit (128), with an error instead of a stack overflow.

use std::fmt;
use std::rc::Rc;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A parsed JSON value that remembers key order and duplicate keys.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The JSON type name used in error messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "boolean",
            Json::Number(_) => "number",
            Json::String(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }

    /// Converts to serde_json's value (the last of duplicate keys wins; validation
    /// reports duplicates separately).
    pub(crate) fn to_value(&self) -> serde_json::Value {
        match self {
            Json::Null => serde_json::Value::Null,
            Json::Bool(b) => serde_json::Value::Bool(*b),
            Json::Number(n) => serde_json::Value::Number(n.clone()),
            Json::String(s) => serde_json::Value::String(s.clone()),
            Json::Array(items) => {
                serde_json::Value::Array(items.iter().map(Json::to_value).collect())
            }
            Json::Object(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        serde_json::Number::from_f64(v)
            .map(Json::Number)
            .ok_or_else(|| E::custom("number is not finite"))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Json>()? {
            entries.push((k, v));
        }
        Ok(Json::Object(entries))
    }
}

/// Parses JSON text into a [`Json`] tree. The error carries line and column.
pub(crate) fn parse(text: &str) -> Result<Json, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Json::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// A JSON path under construction, rendered like `$.flags["speech-ab"].rules[0]`.
///
/// A shared linked list from the leaf to the root: extending or cloning a path is O(1)
/// (the compiler builds a path for every field it reads, error or not; copying the whole
/// path each time was a third of the time of loading a config).
#[derive(Debug, Clone, Default)]
pub(crate) struct Path {
    leaf: Option<Rc<PathNode>>,
}

#[derive(Debug)]
struct PathNode {
    parent: Option<Rc<PathNode>>,
    part: PathPart,
}

#[derive(Debug, Clone)]
enum PathPart {
    Key(Box<str>),
    Index(usize),
}

impl Path {
    pub(crate) fn root() -> Self {
        Path::default()
    }
    pub(crate) fn key(&self, key: &str) -> Self {
        self.push(PathPart::Key(key.into()))
    }
    pub(crate) fn index(&self, index: usize) -> Self {
        self.push(PathPart::Index(index))
    }
    fn push(&self, part: PathPart) -> Self {
        Path {
            leaf: Some(Rc::new(PathNode {
                parent: self.leaf.clone(),
                part,
            })),
        }
    }
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        let mut parts = Vec::new();
        let mut node = self.leaf.as_deref();
        while let Some(n) = node {
            parts.push(&n.part);
            node = n.parent.as_deref();
        }
        for part in parts.into_iter().rev() {
            match part {
                PathPart::Key(k) if is_identifier(k) => write!(f, ".{k}")?,
                PathPart::Key(k) => {
                    let quoted = serde_json::to_string(k).map_err(|_| fmt::Error)?;
                    write!(f, "[{quoted}]")?
                }
                PathPart::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_duplicates_and_order() {
        let j = parse(r#"{"b":1,"a":2,"b":3}"#).unwrap();
        match j {
            Json::Object(e) => {
                let keys: Vec<_> = e.iter().map(|(k, _)| k.as_str()).collect();
                assert_eq!(keys, ["b", "a", "b"]);
            }
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        assert!(parse(&text).is_err());
    }

    #[test]
    fn paths_render() {
        let p = Path::root()
            .key("flags")
            .key("speech-ab")
            .key("rules")
            .index(2);
        assert_eq!(p.to_string(), r#"$.flags["speech-ab"].rules[2]"#);
    }
}
