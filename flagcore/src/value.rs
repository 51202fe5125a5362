//! The values a flag serves, and the values a context carries.

use std::fmt;

/// The type of a flag: every variant of a flag has this type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// `true` / `false`.
    Boolean,
    /// A UTF-8 string.
    String,
    /// A JSON number (an IEEE 754 double, as in JavaScript).
    Number,
    /// Any JSON value (objects, arrays, or mixed).
    Json,
}

impl ValueType {
    /// The name used in configs: `boolean`, `string`, `number`, `json`.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::Boolean => "boolean",
            ValueType::String => "string",
            ValueType::Number => "number",
            ValueType::Json => "json",
        }
    }

    /// Parses a config type name.
    pub fn parse(name: &str) -> Option<ValueType> {
        Some(match name {
            "boolean" | "bool" => ValueType::Boolean,
            "string" => ValueType::String,
            "number" => ValueType::Number,
            "json" | "object" => ValueType::Json,
            _ => return None,
        })
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value served by a flag variant.
#[derive(Debug, Clone, PartialEq)]
pub enum FlagValue {
    /// A boolean flag's value.
    Bool(bool),
    /// A string flag's value.
    String(String),
    /// A number flag's value.
    Number(f64),
    /// A JSON flag's value.
    #[cfg(feature = "serde_json")]
    Json(serde_json::Value),
    /// A JSON flag's value, as compact JSON text (`{"a":[1,2]}`, as serde_json writes it).
    /// Only without the `serde_json` feature (on by default), which only the WASM
    /// evaluation build turns off to leave serde_json out of its `.wasm`.
    #[cfg(not(feature = "serde_json"))]
    Json(Box<str>),
}

impl FlagValue {
    /// The type of this value.
    pub fn value_type(&self) -> ValueType {
        match self {
            FlagValue::Bool(_) => ValueType::Boolean,
            FlagValue::String(_) => ValueType::String,
            FlagValue::Number(_) => ValueType::Number,
            FlagValue::Json(_) => ValueType::Json,
        }
    }

    /// The value as `serde_json::Value`.
    #[cfg(feature = "serde_json")]
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            FlagValue::Bool(b) => serde_json::Value::Bool(*b),
            FlagValue::String(s) => serde_json::Value::String(s.clone()),
            FlagValue::Number(n) => number_to_json(*n),
            FlagValue::Json(v) => v.clone(),
        }
    }

    /// This value as a JSON flag's (whose variants may be booleans, strings and numbers
    /// too); `json` is its JSON text.
    pub(crate) fn into_json(self, json: &str) -> FlagValue {
        match self {
            FlagValue::Json(_) => self,
            #[cfg(feature = "serde_json")]
            _ => {
                let _ = json;
                FlagValue::Json(self.to_json())
            }
            #[cfg(not(feature = "serde_json"))]
            _ => FlagValue::Json(json.into()),
        }
    }

    /// The boolean, if this is a boolean value.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            FlagValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The string, if this is a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            FlagValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is a number value.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            FlagValue::Number(n) => Some(*n),
            _ => None,
        }
    }
}

/// A number as JSON: integral values within 2^53 are written without a fraction (`250`,
/// not `250.0`), as JavaScript and Python print them (as [`crate::number::write_f64`]).
#[cfg(feature = "serde_json")]
pub(crate) fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        return serde_json::Value::Number((n as i64).into());
    }
    serde_json::Number::from_f64(n)
        .map(serde_json::Value::Number)
        .unwrap_or(serde_json::Value::Null)
}

/// A value of a context attribute.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeValue {
    /// Text: IDs, emails, versions, timestamps.
    String(String),
    /// A number (compared numerically, or as Unix milliseconds by `before`/`after`).
    Number(f64),
    /// A boolean.
    Bool(bool),
    /// A list of strings and numbers (`groups`, `roles`, `tags`): the list operators
    /// (`anyOf`, `allOf`, `noneOf`, `size*`) read it whole; every other operator matches
    /// when any element matches (docs/config.md, "Lists"). Booleans and nested lists
    /// inside a list are never matched by anything (JSON contexts and the bindings refuse
    /// them).
    List(Vec<AttributeValue>),
}

impl AttributeValue {
    pub(crate) fn as_ref(&self) -> AttributeRef<'_> {
        match self {
            AttributeValue::String(s) => AttributeRef::String(s),
            AttributeValue::Number(n) => AttributeRef::Number(*n),
            AttributeValue::Bool(b) => AttributeRef::Bool(*b),
            AttributeValue::List(items) => AttributeRef::List(items),
        }
    }
}

impl From<Vec<AttributeValue>> for AttributeValue {
    fn from(items: Vec<AttributeValue>) -> Self {
        AttributeValue::List(items)
    }
}
impl From<Vec<String>> for AttributeValue {
    fn from(items: Vec<String>) -> Self {
        AttributeValue::List(items.into_iter().map(AttributeValue::String).collect())
    }
}
impl From<&[&str]> for AttributeValue {
    fn from(items: &[&str]) -> Self {
        AttributeValue::List(items.iter().map(|&s| AttributeValue::from(s)).collect())
    }
}
impl<const N: usize> From<[&str; N]> for AttributeValue {
    fn from(items: [&str; N]) -> Self {
        AttributeValue::from(&items[..])
    }
}
impl From<&[f64]> for AttributeValue {
    fn from(items: &[f64]) -> Self {
        AttributeValue::List(items.iter().map(|&n| AttributeValue::Number(n)).collect())
    }
}
impl From<Vec<f64>> for AttributeValue {
    fn from(items: Vec<f64>) -> Self {
        AttributeValue::from(&items[..])
    }
}

impl From<&str> for AttributeValue {
    fn from(s: &str) -> Self {
        AttributeValue::String(s.to_owned())
    }
}
impl From<String> for AttributeValue {
    fn from(s: String) -> Self {
        AttributeValue::String(s)
    }
}
impl From<f64> for AttributeValue {
    fn from(n: f64) -> Self {
        AttributeValue::Number(n)
    }
}
impl From<i64> for AttributeValue {
    fn from(n: i64) -> Self {
        AttributeValue::Number(n as f64)
    }
}
impl From<i32> for AttributeValue {
    fn from(n: i32) -> Self {
        AttributeValue::Number(f64::from(n))
    }
}
impl From<bool> for AttributeValue {
    fn from(b: bool) -> Self {
        AttributeValue::Bool(b)
    }
}

/// A borrowed attribute value, as the evaluator sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum AttributeRef<'a> {
    String(&'a str),
    Number(f64),
    Bool(bool),
    List(&'a [AttributeValue]),
}
