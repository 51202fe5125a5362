//! An order-preserving JSON tree that keeps duplicate object keys, so that
//! validation can report them (serde_json's `Value` silently keeps the last).
//!
//! The tree lives in an arena ([`Bump`]) and borrows its keys and strings from the text
//! it was parsed from (only strings with escapes are copied, into the arena): loading a
//! config builds and frees this tree once, and an owned `String` per key and value, then
//! an allocation per array and object, were most of the time of loading.
//!
//! Parsing refuses input over [`Limits::max_bytes`] and nesting deeper than
//! serde_json's recursion limit (128), with an error instead of a stack overflow.
//!
//! [`Limits::max_bytes`]: crate::Limits::max_bytes

use std::fmt;
use std::ops::Deref;

use bumpalo::Bump;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// A parsed JSON value that remembers key order and duplicate keys.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(JsonStr<'a>),
    Array(&'a [Json<'a>]),
    Object(&'a [(JsonStr<'a>, Json<'a>)]),
}

/// A key or string of a [`Json`] tree: borrowed from the parsed text, or from the arena
/// when it had escapes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct JsonStr<'a>(&'a str);

impl<'a> JsonStr<'a> {
    pub(crate) fn as_str(&self) -> &'a str {
        self.0
    }
}

impl Deref for JsonStr<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl PartialEq<str> for JsonStr<'_> {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for JsonStr<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// Like `str`'s (quoted and escaped, see [`Quoted`]).
impl fmt::Debug for JsonStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&Quoted(self.0), f)
    }
}

/// Text quoted for a message: `"name"`, with `"`, `\\`, and control characters escaped
/// the way Rust's `{:?}` escapes them (`\n`, `\t`, `\r`, `\0`, `\u{1b}`). Other characters
/// are written as they are; `{:?}` also escapes non-printable Unicode, which needs tables
/// that would add several KB to the `.wasm`. Messages quote every key and value with it.
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

/// Quotes `s` for a message (see [`Quoted`]).
pub(crate) fn q(s: &str) -> Quoted<'_> {
    Quoted(s)
}

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        let mut rest = self.0;
        while let Some(i) = rest
            .bytes()
            .position(|b| b < 0x20 || b == 0x7f || b == b'"' || b == b'\\')
        {
            f.write_str(&rest[..i])?;
            let b = rest.as_bytes()[i];
            match b {
                b'"' => f.write_str("\\\"")?,
                b'\\' => f.write_str("\\\\")?,
                b'\n' => f.write_str("\\n")?,
                b'\t' => f.write_str("\\t")?,
                b'\r' => f.write_str("\\r")?,
                0 => f.write_str("\\0")?,
                _ => write!(f, "\\u{{{b:x}}}")?,
            }
            rest = &rest[i + 1..];
        }
        f.write_str(rest)?;
        f.write_str("\"")
    }
}

impl fmt::Display for JsonStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Json<'_> {
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
            Json::String(s) => serde_json::Value::String(s.as_str().to_owned()),
            Json::Array(items) => {
                serde_json::Value::Array(items.iter().map(Json::to_value).collect())
            }
            Json::Object(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.as_str().to_owned(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

/// The values and entries of the arrays and objects being parsed, shared by all levels:
/// a container's children are gathered here and moved into the arena when it closes.
struct Scratch<'a> {
    arena: &'a Bump,
    items: Vec<Json<'a>>,
    entries: Vec<(JsonStr<'a>, Json<'a>)>,
}

/// Parses one value, borrowing strings from the input.
struct ValueSeed<'s, 'a> {
    scratch: &'s mut Scratch<'a>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, 'de> {
    type Value = Json<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, 'de> {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json<'de>, E> {
        serde_json::Number::from_f64(v)
            .map(Json::Number)
            .ok_or_else(|| E::custom("number is not finite"))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(JsonStr(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(JsonStr(self.scratch.arena.alloc_str(v))))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let start = self.scratch.items.len();
        while let Some(item) = seq.next_element_seed(ValueSeed {
            scratch: &mut *self.scratch,
        })? {
            self.scratch.items.push(item);
        }
        let items = self
            .scratch
            .arena
            .alloc_slice_fill_iter(self.scratch.items.drain(start..));
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let start = self.scratch.entries.len();
        while let Some(key) = map.next_key_seed(KeySeed {
            arena: self.scratch.arena,
        })? {
            let value = map.next_value_seed(ValueSeed {
                scratch: &mut *self.scratch,
            })?;
            self.scratch.entries.push((key, value));
        }
        let entries = self
            .scratch
            .arena
            .alloc_slice_fill_iter(self.scratch.entries.drain(start..));
        Ok(Json::Object(entries))
    }
}

/// Parses an object key, borrowing it from the input when it has no escapes.
struct KeySeed<'de> {
    arena: &'de Bump,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'de> {
    type Value = JsonStr<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<JsonStr<'de>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'de> {
    type Value = JsonStr<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<JsonStr<'de>, E> {
        Ok(JsonStr(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<JsonStr<'de>, E> {
        Ok(JsonStr(self.arena.alloc_str(v)))
    }
}

/// Parses JSON text into a [`Json`] tree in `arena` that borrows from `text`. The error
/// carries line and column.
pub(crate) fn parse<'a>(text: &'a str, arena: &'a Bump) -> Result<Json<'a>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut scratch = Scratch {
        arena,
        items: Vec::new(),
        entries: Vec::new(),
    };
    let value = ValueSeed {
        scratch: &mut scratch,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// A JSON path, rendered like `$.flags["speech-ab"].rules[0]`.
///
/// A linked list from the leaf to the root that lives on the stack: the compiler makes a
/// path for every field it reads, error or not, so extending one must cost nothing (it
/// used to allocate); the text is built only when a problem is reported.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Path<'p> {
    parent: Option<&'p Path<'p>>,
    part: PathPart<'p>,
}

#[derive(Debug, Clone, Copy)]
enum PathPart<'p> {
    Root,
    Key(&'p str),
    Index(usize),
}

impl Default for Path<'_> {
    fn default() -> Self {
        Path::root()
    }
}

impl<'p> Path<'p> {
    pub(crate) fn root() -> Self {
        Path {
            parent: None,
            part: PathPart::Root,
        }
    }
    pub(crate) fn key<'q>(&'q self, key: &'q str) -> Path<'q> {
        Path {
            parent: Some(self),
            part: PathPart::Key(key),
        }
    }
    pub(crate) fn index(&self, index: usize) -> Path<'_> {
        Path {
            parent: Some(self),
            part: PathPart::Index(index),
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

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        let mut parts = Vec::new();
        let mut node = Some(self);
        while let Some(n) = node {
            parts.push(n.part);
            node = n.parent;
        }
        for part in parts.into_iter().rev() {
            match part {
                PathPart::Root => {}
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
    fn quoted_escapes_like_debug_for_ascii_and_keeps_other_text() {
        let all_ascii: String = (0u8..=0x7f).map(char::from).collect();
        for s in [
            "",
            "plain",
            "say \"hi\"",
            "back\\slash",
            "tab\tnew\nline\r",
            "nul\0",
            "esc\u{1b}del\u{7f}",
            &all_ascii,
            "caf\u{e9} \u{1f680}",
        ] {
            assert_eq!(q(s).to_string(), format!("{s:?}"), "{s:?}");
        }
        // Unlike `{:?}`, characters outside ASCII are never escaped.
        assert_eq!(q("zero\u{200b}width").to_string(), "\"zero\u{200b}width\"");
    }

    fn within(text: &str, s: &str) -> bool {
        let range = text.as_bytes().as_ptr_range();
        range.contains(&s.as_ptr())
    }

    #[test]
    fn keeps_duplicates_and_order() {
        let arena = Bump::new();
        let j = parse(r#"{"b":1,"a":2,"b":3}"#, &arena).unwrap();
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
        assert!(parse(&text, &Bump::new()).is_err());
    }

    #[test]
    fn borrows_strings_without_escapes_and_copies_the_others() {
        let text =
            r#"{"plain":"text","esc\u0061ped":"a\"b","list":[["x"],{"k":null}],"n":[1,-2,0.5]}"#;
        let arena = Bump::new();
        let j = parse(text, &arena).unwrap();
        let Json::Object(e) = &j else {
            panic!("not an object")
        };
        assert!(within(text, e[0].0.as_str()));
        assert!(matches!(&e[0].1, Json::String(s) if s.as_str() == "text" && within(text, s)));
        assert_eq!(e[1].0.as_str(), "escaped");
        assert!(!within(text, e[1].0.as_str()));
        assert!(matches!(&e[1].1, Json::String(s) if s.as_str() == "a\"b"));
        // Nested containers keep their own children.
        assert_eq!(
            j.to_value(),
            serde_json::json!({"plain": "text", "escaped": "a\"b", "list": [["x"], {"k": null}], "n": [1, -2, 0.5]})
        );
    }

    #[test]
    fn errors_carry_line_and_column() {
        let err = parse("{\n  \"a\": [1,\n  }", &Bump::new()).unwrap_err();
        assert_eq!((err.line(), err.column()), (3, 3));
    }

    #[test]
    fn paths_render() {
        let root = Path::root();
        let flags = root.key("flags");
        let flag = flags.key("speech-ab");
        let rules = flag.key("rules");
        assert_eq!(
            rules.index(2).to_string(),
            r#"$.flags["speech-ab"].rules[2]"#
        );
        assert_eq!(root.to_string(), "$");
        assert_eq!(Path::default().to_string(), "$");
    }
}
