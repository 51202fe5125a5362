//! The evaluation context: who is asking (a key) and what is known about them.

use std::borrow::Cow;
use std::sync::OnceLock;

use crate::json::q;
#[cfg(not(target_arch = "wasm32"))]
use crate::model::str_hash;
#[cfg(not(target_arch = "wasm32"))]
use crate::semver::OwnedVersion;
use crate::semver::{Version, VersionIn};
use crate::value::{AttributeRef, AttributeValue};
#[cfg(not(target_arch = "wasm32"))]
use std::cmp::Ordering;

/// The most attributes a context built from JSON may carry.
pub const MAX_CONTEXT_ATTRIBUTES: usize = 1024;
/// The most items a list attribute may hold in a context built from JSON or by a binding
/// (C, Python, JS): `allOf` compares every value with every item, so the list's length
/// bounds what one condition costs.
pub const MAX_LIST_ITEMS: usize = 1024;

/// Who a flag is evaluated for: a targeting key (the user ID by default) and attributes.
/// The evaluation time is not part of it: it is passed per call (see [`crate::At`]), so a
/// context is never changed by evaluating it and can be shared by any number of threads.
///
/// Build it once and reuse it: evaluating against an existing context does not allocate.
/// The attribute name `key` always means the targeting key.
///
/// # Example
/// ```
/// use flagcore::Context;
/// let ctx = Context::new("user-42")
///     .with("email", "ana@example.com")
///     .with("appVersion", "2.4.1")
///     .with("seats", 12);
/// assert_eq!(ctx.key(), Some("user-42"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    key: Option<String>,
    /// The key's [`crate::model::str_hash`] (0 without a key; always 0 in WebAssembly
    /// builds): a segment's key list is probed with it, so evaluation does not hash the key
    /// once per segment condition.
    key_hash: u64,
    /// Native builds: the key's [`text_fingerprint`] (0 without a key), for `in` and
    /// segment key lists of a few strings.
    #[cfg(not(target_arch = "wasm32"))]
    key_fingerprint: u64,
    attributes: Vec<Attribute>,
}

/// One attribute of a context, with the fingerprint of its name.
#[derive(Debug, Clone)]
struct Attribute {
    fingerprint: u64,
    name: String,
    value: AttributeValue,
    /// Native builds: the value's [`text_fingerprint`] when it is a string (0 otherwise),
    /// so a set of a few strings is searched without fingerprinting the value per condition.
    #[cfg(not(target_arch = "wasm32"))]
    text_fingerprint: u64,
    /// The value parsed as a semantic version, the first time a semver condition reads it
    /// (`None` inside: not a version). Reset whenever the value changes.
    version: OnceLock<Option<VersionIn>>,
}

impl PartialEq for Attribute {
    fn eq(&self, other: &Self) -> bool {
        // The version cache is derived from the value.
        self.name == other.name && self.value == other.value
    }
}

impl Attribute {
    fn new(name: String, value: AttributeValue) -> Self {
        Attribute {
            fingerprint: fingerprint(name.as_bytes()),
            name,
            #[cfg(not(target_arch = "wasm32"))]
            text_fingerprint: value_fingerprint(&value),
            value,
            version: OnceLock::new(),
        }
    }

    fn set_value(&mut self, value: AttributeValue) {
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.text_fingerprint = value_fingerprint(&value);
        }
        self.value = value;
        self.version = OnceLock::new();
    }

    /// Whether this attribute is called `name`: the fingerprints decide for names of
    /// up to [`FINGERPRINT_BYTES`] bytes, the full text for longer ones.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn is_named(&self, fingerprint: u64, name: &str) -> bool {
        self.fingerprint == fingerprint
            && (name.len() <= FINGERPRINT_BYTES || text_eq(&self.name, name))
    }
}

/// A value's [`text_fingerprint`] if it is a string, else 0.
#[cfg(not(target_arch = "wasm32"))]
fn value_fingerprint(value: &AttributeValue) -> u64 {
    match value {
        AttributeValue::String(s) => text_fingerprint(s),
        _ => 0,
    }
}

/// A string attribute (or the key) as set lookups read it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Text<'c> {
    pub(crate) text: &'c str,
    /// Native builds: its [`text_fingerprint`], computed when it was set.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fingerprint: u64,
    /// Its [`crate::model::str_hash`] when known without hashing (the key's, computed when
    /// the key was set).
    pub(crate) hash: Option<u64>,
}

/// `a == b` for the loader (field names, flag keys, the keys of its maps): [`text_eq`]
/// on native targets (a call to `memcmp` per candidate field was about 4% of loading a
/// config of 1,000 flags); the plain comparison in WebAssembly, where the inlined copies
/// would cost size.
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
pub(crate) fn key_eq(a: &str, b: &str) -> bool {
    text_eq(a, b)
}

/// See the native version.
#[cfg(target_arch = "wasm32")]
pub(crate) fn key_eq(a: &str, b: &str) -> bool {
    a == b
}

/// `a == b`, without a call to `memcmp` for texts of up to 32 bytes (attribute names,
/// flag keys, country codes, plans: most texts compared during evaluation): four or two
/// overlapping 8-byte words, or two 4-byte ones, or the bytes, compared in registers.
#[inline]
pub(crate) fn text_eq(a: &str, b: &str) -> bool {
    bytes_eq(a.as_bytes(), b.as_bytes())
}

/// [`text_eq`] of bytes.
#[inline]
pub(crate) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n > 32 {
        return a == b;
    }
    if n > 16 {
        return word8(a, 0) == word8(b, 0)
            && word8(a, 8) == word8(b, 8)
            && word8(a, n - 16) == word8(b, n - 16)
            && word8(a, n - 8) == word8(b, n - 8);
    }
    if n >= 8 {
        return word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8);
    }
    if n >= 4 {
        return word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4);
    }
    // Up to three bytes: positions 0, n/2 and n-1 are all of them.
    n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1])
}

#[inline]
fn word8(s: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    if let Some(bytes) = s.get(at..at + 8) {
        w.copy_from_slice(bytes);
    }
    u64::from_le_bytes(w)
}

#[inline]
fn word4(s: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    if let Some(bytes) = s.get(at..at + 4) {
        w.copy_from_slice(bytes);
    }
    u32::from_le_bytes(w)
}

/// An attribute as semver conditions read it (see [`Context::versioned`]).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Versioned<'c> {
    /// The context has no such attribute.
    Missing,
    /// A list attribute.
    List(&'c [AttributeValue]),
    /// A scalar, parsed: `None` when it is not a string or not a version.
    Scalar(Option<Version<'c>>),
}

/// How many leading bytes of a name its fingerprint holds.
pub(crate) const FINGERPRINT_BYTES: usize = 7;

/// A name's length (saturated at 255) in the top byte and its first
/// [`FINGERPRINT_BYTES`] bytes below, so two names of up to that many bytes are equal
/// exactly when their fingerprints are.
const fn fingerprint(name: &[u8]) -> u64 {
    let len = if name.len() < 255 { name.len() } else { 255 };
    let mut fp = (len as u64) << 56;
    let mut i = 0;
    while i < FINGERPRINT_BYTES && i < name.len() {
        fp |= (name[i] as u64) << (8 * i);
        i += 1;
    }
    fp
}

/// [`fingerprint`] at run time, without the byte loop: overlapping loads, as
/// [`bytes_eq`] reads texts. Two texts of up to [`FINGERPRINT_BYTES`] bytes are equal
/// exactly when their fingerprints are.
#[cfg(any(test, not(target_arch = "wasm32")))]
#[inline]
pub(crate) fn text_fingerprint(text: &str) -> u64 {
    let b = text.as_bytes();
    let n = b.len();
    let len = (n.min(255) as u64) << 56;
    let low = if n >= 8 {
        word8(b, 0) & 0x00ff_ffff_ffff_ffff
    } else if n >= 4 {
        u64::from(word4(b, 0)) | u64::from(word4(b, n - 4)) << (8 * (n - 4))
    } else if n > 0 {
        u64::from(b[0])
            | u64::from(b[n / 2]) << (8 * (n / 2))
            | u64::from(b[n - 1]) << (8 * (n - 1))
    } else {
        0
    };
    len | low
}

/// The fingerprint of `key`, the targeting key's name.
const KEY_FINGERPRINT: u64 = fingerprint(b"key");

/// An attribute name as the config names it (a condition's attribute, a flag's
/// `bucketBy`), fingerprinted once at load so looking it up in a context compares
/// integers rather than strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AttributeName {
    fingerprint: u64,
    /// Borrowed for `key`, the name most flags bucket by (no allocation per flag).
    name: Cow<'static, str>,
}

impl AttributeName {
    /// The name.
    pub(crate) fn as_str(&self) -> &str {
        &self.name
    }
}

impl From<&str> for AttributeName {
    fn from(name: &str) -> Self {
        if name == "key" {
            return AttributeName {
                fingerprint: KEY_FINGERPRINT,
                name: Cow::Borrowed("key"),
            };
        }
        AttributeName {
            fingerprint: fingerprint(name.as_bytes()),
            name: Cow::Owned(name.to_owned()),
        }
    }
}

impl From<String> for AttributeName {
    fn from(name: String) -> Self {
        AttributeName {
            fingerprint: fingerprint(name.as_bytes()),
            name: Cow::Owned(name),
        }
    }
}

impl From<Box<str>> for AttributeName {
    fn from(name: Box<str>) -> Self {
        AttributeName {
            fingerprint: fingerprint(name.as_bytes()),
            name: Cow::Owned(name.into()),
        }
    }
}

/// Why a JSON context was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContextError {
    /// The text is not JSON. Send a JSON object such as `{"key": "user-1", "country": "DE"}`.
    #[error("context is not valid JSON: {0}")]
    Syntax(String),
    /// The JSON is not an object. Send an object with a `key` and attributes.
    #[error("context must be a JSON object, got {0}")]
    NotAnObject(&'static str),
    /// An attribute is an object, or a list holding something other than strings and
    /// numbers. Flatten it into strings, numbers, booleans or lists of strings and numbers.
    #[error("context attribute {name} is {kind}; attributes are strings, numbers, booleans or lists of strings and numbers", name = q(.name))]
    UnsupportedValue {
        /// The attribute's name.
        name: String,
        /// Its JSON type.
        kind: &'static str,
    },
    /// `key` is not a string. Send the targeting key as a string.
    #[error("context key must be a string, got {0}")]
    KeyNotString(&'static str),
    /// A list attribute with more than [`MAX_LIST_ITEMS`] items.
    #[error("context attribute {name} is a list of {len} items, more than the limit of {MAX_LIST_ITEMS}", name = q(.name))]
    ListTooLong {
        /// The attribute's name.
        name: String,
        /// Its length.
        len: usize,
    },
    /// More than [`MAX_CONTEXT_ATTRIBUTES`] attributes.
    #[error("context has {0} attributes, more than the limit of {MAX_CONTEXT_ATTRIBUTES}")]
    TooManyAttributes(usize),
}

impl ContextError {
    /// The failure code: always [`crate::FailureCode::InvalidContext`].
    pub fn code(&self) -> crate::FailureCode {
        crate::FailureCode::InvalidContext
    }
}

impl Context {
    /// A context whose targeting key is `key` (an empty key counts as no key).
    pub fn new(key: impl Into<String>) -> Self {
        let mut ctx = Context::default();
        ctx.set_key(key);
        ctx
    }

    /// A context with no targeting key: rules and fixed variants work, splits report
    /// `TARGETING_KEY_MISSING` unless the flag buckets by another attribute that is set.
    pub fn anonymous() -> Self {
        Context::default()
    }

    /// Adds or replaces an attribute (builder style).
    pub fn with(mut self, name: impl Into<String>, value: impl Into<AttributeValue>) -> Self {
        self.set(name, value);
        self
    }

    /// Adds or replaces an attribute. Setting `key` to a string sets the targeting key.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<AttributeValue>) {
        let name = name.into();
        let value = value.into();
        if name == "key" {
            if let AttributeValue::String(s) = value {
                self.set_key(s);
                return;
            }
        }
        let fp = fingerprint(name.as_bytes());
        match self.attributes.iter_mut().find(|a| a.is_named(fp, &name)) {
            Some(slot) => slot.set_value(value),
            None => self.attributes.push(Attribute::new(name, value)),
        }
    }

    /// Removes an attribute; returns whether it was there.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.attributes.len();
        let fp = fingerprint(name.as_bytes());
        self.attributes.retain(|a| !a.is_named(fp, name));
        before != self.attributes.len()
    }

    /// Sets the targeting key (an empty key counts as no key).
    pub fn set_key(&mut self, key: impl Into<String>) {
        let key = key.into();
        // WebAssembly builds (size first) hash the key per segment lookup, as before.
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.key_hash = if key.is_empty() { 0 } else { str_hash(&key) };
            self.key_fingerprint = if key.is_empty() {
                0
            } else {
                text_fingerprint(&key)
            };
        }
        self.key = if key.is_empty() { None } else { Some(key) };
    }

    /// Removes the key and every attribute, keeping the allocations for reuse.
    pub fn clear(&mut self) {
        self.key = None;
        self.key_hash = 0;
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.key_fingerprint = 0;
        }
        self.attributes.clear();
    }

    /// The targeting key.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// An attribute's value (not the key).
    pub fn get(&self, name: &str) -> Option<&AttributeValue> {
        let fp = fingerprint(name.as_bytes());
        self.attributes
            .iter()
            .find(|a| a.is_named(fp, name))
            .map(|a| &a.value)
    }

    /// The attributes in insertion order.
    pub fn attributes(&self) -> impl Iterator<Item = (&str, &AttributeValue)> {
        self.attributes.iter().map(|a| (a.name.as_str(), &a.value))
    }

    /// What the evaluator sees for an attribute name; `key` is the targeting key.
    #[cfg(test)]
    pub(crate) fn lookup(&self, name: &str) -> Option<AttributeRef<'_>> {
        self.find(fingerprint(name.as_bytes()), name)
    }

    /// [`Context::lookup`] of a name fingerprinted at load.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(crate) fn lookup_name(&self, name: &AttributeName) -> Option<AttributeRef<'_>> {
        self.find(name.fingerprint, &name.name)
    }

    /// The attribute `name` if it is a string, with what was computed from it when it
    /// was set (see [`Text`]).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(crate) fn lookup_text(&self, name: &AttributeName) -> Option<Text<'_>> {
        if name.fingerprint == KEY_FINGERPRINT {
            #[cfg(target_arch = "wasm32")]
            return self.key.as_deref().map(|text| Text { text, hash: None });
            #[cfg(not(target_arch = "wasm32"))]
            return self.key.as_deref().map(|text| Text {
                text,
                fingerprint: self.key_fingerprint,
                hash: Some(self.key_hash),
            });
        }
        let attr = self.attribute(name.fingerprint, &name.name)?;
        match attr.value {
            AttributeValue::String(ref text) => Some(Text {
                text,
                #[cfg(not(target_arch = "wasm32"))]
                fingerprint: attr.text_fingerprint,
                hash: None,
            }),
            _ => None,
        }
    }

    /// A string attribute's cached version against `want` (native semver fast path);
    /// `None` for the key, a missing attribute, another type or a text that is not a
    /// version, which the general path decides.
    #[cfg(not(target_arch = "wasm32"))]
    #[inline(always)]
    pub(crate) fn cmp_version(
        &self,
        name: &AttributeName,
        want: &OwnedVersion,
    ) -> Option<Ordering> {
        if name.fingerprint == KEY_FINGERPRINT {
            return None;
        }
        let attr = self.attribute(name.fingerprint, &name.name)?;
        let AttributeValue::String(text) = &attr.value else {
            return None;
        };
        let version = attr
            .version
            .get_or_init(|| VersionIn::parse(text))
            .as_ref()?;
        Some(version.cmp_owned(text, want))
    }

    /// The attribute `name` as semver conditions read it, in one scan: missing, a list
    /// (each item is parsed by the caller), or a scalar with its parse as a semantic
    /// version (`None`: not a string, or not a version). A context attribute is parsed
    /// once, on first use, and the parse kept for every later evaluation with this context.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(crate) fn versioned(&self, name: &AttributeName) -> Versioned<'_> {
        if name.fingerprint == KEY_FINGERPRINT {
            return match self.key.as_deref() {
                Some(key) => Versioned::Scalar(crate::semver::parse(key)),
                None => Versioned::Missing,
            };
        }
        let Some(attr) = self.attribute(name.fingerprint, &name.name) else {
            return Versioned::Missing;
        };
        match &attr.value {
            AttributeValue::String(text) => Versioned::Scalar(
                attr.version
                    .get_or_init(|| VersionIn::parse(text))
                    .map(|v| v.in_text(text)),
            ),
            AttributeValue::List(items) => Versioned::List(items),
            _ => Versioned::Scalar(None),
        }
    }

    /// The attribute called `name` (never the key): a scan comparing fingerprints, inlined
    /// into each condition's instruction (contexts hold a handful of attributes).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn attribute(&self, fingerprint: u64, name: &str) -> Option<&Attribute> {
        // A loop rather than `Iterator::find`, which the compiler kept out of line.
        #[allow(clippy::manual_find)]
        for a in &self.attributes {
            if a.is_named(fingerprint, name) {
                return Some(a);
            }
        }
        None
    }

    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn find(&self, fingerprint: u64, name: &str) -> Option<AttributeRef<'_>> {
        if fingerprint == KEY_FINGERPRINT {
            return self.key.as_deref().map(AttributeRef::String);
        }
        self.attribute(fingerprint, name).map(|a| a.value.as_ref())
    }

    /// Sets one attribute from its JSON text (`"DE"`, `12`, `true`, `["a", 1]`; `null`
    /// removes it), checked as [`Context::from_json`] checks attributes. For bindings
    /// whose lists mix strings and numbers. On error the context is unchanged.
    #[cfg(feature = "serde_json")]
    pub fn set_json_value(&mut self, name: &str, json: &str) -> Result<(), ContextError> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| ContextError::Syntax(e.to_string()))?;
        self.set_from_value(name, &value)
    }

    /// Sets one attribute from an already-parsed JSON value, checked as
    /// [`Context::set_json_value`] checks it (`null` removes it). For adapters whose
    /// contexts carry lists as JSON values (the OpenFeature provider).
    #[cfg(feature = "serde_json")]
    pub fn set_from_value(
        &mut self,
        name: &str,
        value: &serde_json::Value,
    ) -> Result<(), ContextError> {
        match attribute_from_json(name, value)? {
            Some(v) => self.set(name, v),
            None => {
                self.remove(name);
            }
        }
        Ok(())
    }

    /// Parses a flat JSON object: `{"key": "user-1", "email": "a@b.c", "seats": 3}`.
    /// Null attributes are skipped; an array is a list attribute (strings and numbers, at most
    /// [`MAX_LIST_ITEMS`]); nested objects are refused.
    #[cfg(feature = "serde_json")]
    pub fn from_json(text: &str) -> Result<Context, ContextError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ContextError::Syntax(e.to_string()))?;
        Context::from_value(&value)
    }

    /// Builds a context from an already-parsed JSON object (see [`Context::from_json`]).
    #[cfg(feature = "serde_json")]
    pub fn from_value(value: &serde_json::Value) -> Result<Context, ContextError> {
        let serde_json::Value::Object(map) = value else {
            return Err(ContextError::NotAnObject(json_kind(value)));
        };
        if map.len() > MAX_CONTEXT_ATTRIBUTES {
            return Err(ContextError::TooManyAttributes(map.len()));
        }
        let mut ctx = Context::default();
        for (name, v) in map {
            if name == "key" {
                match v {
                    serde_json::Value::String(s) => ctx.set_key(s.as_str()),
                    serde_json::Value::Null => {}
                    other => return Err(ContextError::KeyNotString(json_kind(other))),
                }
                continue;
            }
            let Some(attr) = attribute_from_json(name, v)? else {
                continue;
            };
            ctx.attributes.push(Attribute::new(name.clone(), attr));
        }
        Ok(ctx)
    }
}

/// One attribute's JSON value (`None`: null, which means absent).
#[cfg(feature = "serde_json")]
fn attribute_from_json(
    name: &str,
    v: &serde_json::Value,
) -> Result<Option<AttributeValue>, ContextError> {
    Ok(Some(match v {
        serde_json::Value::Null => return Ok(None),
        serde_json::Value::Bool(b) => AttributeValue::Bool(*b),
        serde_json::Value::Number(n) => AttributeValue::Number(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => AttributeValue::String(s.clone()),
        serde_json::Value::Array(items) => list_from_json(name, items)?,
        other => {
            return Err(ContextError::UnsupportedValue {
                name: name.to_owned(),
                kind: json_kind(other),
            })
        }
    }))
}

/// A JSON array as a list attribute: strings and numbers only, at most [`MAX_LIST_ITEMS`].
#[cfg(feature = "serde_json")]
fn list_from_json(name: &str, items: &[serde_json::Value]) -> Result<AttributeValue, ContextError> {
    if items.len() > MAX_LIST_ITEMS {
        return Err(ContextError::ListTooLong {
            name: name.to_owned(),
            len: items.len(),
        });
    }
    let mut list = Vec::with_capacity(items.len());
    for item in items {
        list.push(match item {
            serde_json::Value::String(s) => AttributeValue::String(s.clone()),
            serde_json::Value::Number(n) => AttributeValue::Number(n.as_f64().unwrap_or(f64::NAN)),
            other => {
                return Err(ContextError::UnsupportedValue {
                    name: name.to_owned(),
                    kind: match other {
                        serde_json::Value::Null => "a list holding null",
                        serde_json::Value::Bool(_) => "a list holding a boolean",
                        serde_json::Value::Array(_) => "a list holding a list",
                        _ => "a list holding an object",
                    },
                })
            }
        });
    }
    Ok(AttributeValue::List(list))
}

#[cfg(feature = "serde_json")]
pub(crate) fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod text_eq_tests {
    use super::text_eq;

    #[test]
    fn agrees_with_eq_at_every_length_and_difference() {
        let base = "abcdefghijklmnopqrstuvwxyz0123456789";
        for n in 0..=base.len() {
            let a = &base[..n];
            assert!(text_eq(a, a));
            for m in 0..=base.len() {
                assert_eq!(text_eq(a, &base[..m]), n == m, "{n} {m}");
            }
            // One byte changed anywhere.
            for i in 0..n {
                let mut b = a.as_bytes().to_vec();
                b[i] ^= 1;
                let b = String::from_utf8(b).unwrap();
                assert!(!text_eq(a, &b), "{a:?} {b:?}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_contexts() {
        let c = Context::from_json(r#"{"key":"u1","email":"a@b.c","n":3,"beta":true,"gone":null}"#)
            .unwrap();
        assert_eq!(c.key(), Some("u1"));
        assert_eq!(c.lookup("n"), Some(AttributeRef::Number(3.0)));
        assert_eq!(c.lookup("key"), Some(AttributeRef::String("u1")));
        assert_eq!(c.get("gone"), None);
        assert!(matches!(
            Context::from_json(r#"{"key":"u1","x":{}}"#),
            Err(ContextError::UnsupportedValue { .. })
        ));
        assert!(matches!(
            Context::from_json("[1]"),
            Err(ContextError::NotAnObject(_))
        ));
        assert!(matches!(
            Context::from_json(r#"{"key":5}"#),
            Err(ContextError::KeyNotString(_))
        ));
    }

    #[test]
    fn text_fingerprints_are_the_const_fingerprints() {
        let base = "abcdefghijklmnopqrstuvwxyz0123456789é";
        for n in 0..=base.len() {
            let Some(text) = base.get(..n) else { continue };
            assert_eq!(
                text_fingerprint(text),
                fingerprint(text.as_bytes()),
                "{text:?}"
            );
        }
        let long = "x".repeat(300);
        assert_eq!(text_fingerprint(&long), fingerprint(long.as_bytes()));
    }

    #[test]
    fn names_sharing_a_prefix_stay_apart() {
        let names = [
            "",
            "a",
            "ab",
            "abcdefg",
            "abcdefgh",
            "abcdefgi",
            "abcdefgh1",
            "abcdefgh2",
            "key",
            "keys",
            "ke",
            "appVersion",
            "appVersioN",
        ];
        let mut c = Context::new("k");
        for (i, n) in names.iter().enumerate() {
            c.set(*n, i as i64);
        }
        let long = "x".repeat(300);
        let long2 = format!("{}y", "x".repeat(299));
        c.set(long.as_str(), 1000);
        c.set(long2.as_str(), 1001);
        // A non-string `key` is an ordinary attribute (lookups of `key` still see the key).
        assert_eq!(c.attributes().count(), names.len() + 2);
        for (i, n) in names.iter().enumerate() {
            let want = if *n == "key" {
                AttributeRef::String("k")
            } else {
                AttributeRef::Number(i as f64)
            };
            assert_eq!(c.lookup(n), Some(want), "{n}");
            let name = AttributeName::from(*n);
            assert_eq!(c.lookup_name(&name), Some(want), "{n}");
        }
        assert_eq!(c.lookup(&long), Some(AttributeRef::Number(1000.0)));
        assert_eq!(c.lookup(&long2), Some(AttributeRef::Number(1001.0)));
        assert_eq!(c.lookup("abcdefghi"), None);
        assert_eq!(c.lookup("abcdefh"), None);
        assert!(c.remove("abcdefgh1"));
        assert_eq!(c.lookup("abcdefgh1"), None);
        assert_eq!(c.lookup("abcdefgh2"), Some(AttributeRef::Number(7.0)));
        c.set("abcdefgh2", "replaced");
        assert_eq!(c.get("abcdefgh2"), Some(&AttributeValue::from("replaced")));
    }

    #[test]
    fn empty_key_is_no_key() {
        assert_eq!(Context::new("").key(), None);
        let mut c = Context::new("a");
        c.set("key", "");
        assert_eq!(c.key(), None);
    }
}
