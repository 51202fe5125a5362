//! The compiled config: what the loader builds and the evaluator reads. Data, and the small
//! behaviour that belongs to it (set lookups, comparisons, a flag's default shares).

pub(crate) mod plan;
pub(crate) mod program;

use std::borrow::Cow;
use std::hash::{BuildHasher, Hasher};

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::bucket::SaltPrefix;
use crate::context::{key_eq, text_eq, AttributeName, Text};
#[cfg(not(target_arch = "wasm32"))]
use crate::context::{text_fingerprint, FINGERPRINT_BYTES};
use crate::error::Problem;
pub(crate) use crate::needles::Needles;
use crate::semver::OwnedVersion;
use crate::text::{eq_folded, fold_into, Cidr, FOLD_BUFFER};
use crate::value::{AttributeRef, AttributeValue, FlagValue, ValueType};
use plan::Plan;
use program::Program;

/// The config schema versions this build reads.
pub const SUPPORTED_SCHEMA_VERSIONS: &[u32] = &[1];
/// The deepest chain of prerequisites allowed (flag → prerequisite → ...).
pub const MAX_PREREQUISITE_DEPTH: usize = 32;
/// The most prerequisite evaluations one flag may need (a prerequisite reached by several
/// paths counts once per path): evaluation does not memoise, so a "diamond" of shared
/// prerequisites 32 levels deep would otherwise take 2^32 evaluations.
pub(crate) const MAX_PREREQUISITE_EVALUATIONS: usize = 1_000;
/// The largest arena reserved up front for a config's JSON tree (it grows beyond).
pub(crate) const ARENA_PRESIZE_MAX: usize = 32 * 1024 * 1024;
/// Sets up to this size are searched linearly; larger ones are hashed.
pub(crate) const LINEAR_SET_MAX: usize = 8;

/// The texts seen so far (load-time duplicate checks): a map to `u32` like the segment
/// index, so the two share one hash table in the `.wasm`.
pub(crate) type StrSeen<'a> = StrMap<'a>;

/// The loader's map from texts to `u32` (flag, segment, layer and variant indices,
/// duplicate checks): the entries in insertion order and a [`KeyIndex`] over them, so the
/// `.wasm` has one hash table's code (the flag index's) instead of a `hashbrown` map's too.
/// The subset of `hashbrown::HashMap`'s interface the loader uses, with the same meaning.
#[derive(Debug, Clone, Default)]
pub(crate) struct StrMap<'a> {
    entries: Vec<(&'a str, u32)>,
    index: KeyIndex,
}

impl<'a> StrMap<'a> {
    /// An empty map with room for `items` entries.
    pub(crate) fn with_capacity(items: usize) -> StrMap<'a> {
        StrMap {
            entries: Vec::with_capacity(items),
            index: if items > LINEAR_SET_MAX {
                KeyIndex::with_capacity(items)
            } else {
                KeyIndex::default()
            },
        }
    }

    /// Where `key` is in `entries`: a scan while the map is small (no index, no hashing:
    /// the loader keeps such a map per flag), else a lookup in the index.
    fn position(&self, key: &str) -> Option<usize> {
        self.position_hashed(key, self.hash_of(key))
    }

    /// `key`'s hash when the map is indexed (computed once per insert, not twice).
    fn hash_of(&self, key: &str) -> Option<u64> {
        (!self.index.slots.is_empty()).then(|| str_hash(key))
    }

    fn position_hashed(&self, key: &str, hash: Option<u64>) -> Option<usize> {
        let Some(hash) = hash else {
            return self.entries.iter().position(|(k, _)| key_eq(k, key));
        };
        let entries = &self.entries;
        let found = self.index.find(hash, |i| {
            entries.get(i as usize).is_some_and(|(k, _)| key_eq(k, key))
        });
        found.map(|i| i as usize)
    }

    /// The value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&u32> {
        let at = self.position(key)?;
        self.entries.get(at).map(|(_, v)| v)
    }

    /// Whether `key` has a value.
    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets the value of `key`; returns its previous value (the key first inserted stays).
    pub(crate) fn insert(&mut self, key: &'a str, value: u32) -> Option<u32> {
        let hash = self.hash_of(key);
        if let Some(at) = self.position_hashed(key, hash) {
            return self
                .entries
                .get_mut(at)
                .map(|e| std::mem::replace(&mut e.1, value));
        }
        self.push_new(key, value, hash);
        None
    }

    /// Adds `key` with `value` unless it is there already (its value then stays): whether
    /// it was added. One hash and one probe, where `contains_key` then `insert` took two.
    pub(crate) fn insert_new(&mut self, key: &'a str, value: u32) -> bool {
        let hash = self.hash_of(key);
        if self.position_hashed(key, hash).is_some() {
            return false;
        }
        self.push_new(key, value, hash);
        true
    }

    fn push_new(&mut self, key: &'a str, value: u32, hash: Option<u64>) {
        let at = self.entries.len();
        self.entries.push((key, value));
        let full = self.entries.len() * 2 > self.index.slots.len();
        if self.index.slots.is_empty() && self.entries.len() <= LINEAR_SET_MAX {
            // Still small: scanned.
        } else if full {
            // Twice the entries' room: inserting n keys rehashes O(n) keys in all.
            let mut index = KeyIndex::with_capacity(self.entries.len() * 2);
            for (i, (k, _)) in self.entries.iter().enumerate() {
                index.insert(str_hash(k), i as u32);
            }
            self.index = index;
        } else {
            let hash = hash.unwrap_or_else(|| str_hash(key));
            self.index.insert(hash, at as u32);
        }
    }

    /// The map's index, when it has one and holds exactly the positions `0..len` under
    /// their keys' [`str_hash`] (what [`FlagIndex::of`] builds for the same keys in the
    /// same order): the loader's flag-key map becomes the config's flag index without
    /// hashing every key again.
    pub(crate) fn into_flag_index(self, len: usize) -> Option<FlagIndex> {
        (!self.index.slots.is_empty() && self.entries.len() == len).then_some(FlagIndex(self.index))
    }

    /// The keys, in the order they were first inserted.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &&'a str> {
        self.entries.iter().map(|(k, _)| k)
    }
}

/// Hashes map and set keys (flag keys, segment keys) with one-shot xxh3. The streaming
/// `Xxh3Builder` set up a hasher per lookup (copying its 192-byte secret) and took about a
/// third of the time of evaluating a simple flag.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct KeyHash;

impl BuildHasher for KeyHash {
    type Hasher = KeyHasher;
    #[inline]
    fn build_hasher(&self) -> KeyHasher {
        KeyHasher(0)
    }
}

/// The flags' positions, hashed by key with [`KeyHash`]; the keys are compared against
/// `Config::flags` (one allocation per flag fewer than a map owning copies of the keys).
#[derive(Debug, Clone, Default)]
pub(crate) struct FlagIndex(KeyIndex);

impl FlagIndex {
    pub(crate) fn of(flags: &[Flag]) -> FlagIndex {
        let mut index = KeyIndex::with_capacity(flags.len());
        for (i, flag) in flags.iter().enumerate() {
            index.insert(str_hash(&flag.key), i as u32);
        }
        FlagIndex(index)
    }

    /// The position of the flag called `key`.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn find(&self, flags: &[Flag], key: &str) -> Option<u32> {
        self.0.find(str_hash(key), |i| {
            flags.get(i as usize).is_some_and(|f| text_eq(&f.key, key))
        })
    }
}

/// Positions in a slice of keyed items (flags, a large set's texts), by the keys' hashes;
/// the caller compares the keys. The flag index and large string sets share it, so the
/// `.wasm` has one table's code for both.
///
/// An open-addressing table of its own rather than a `hashbrown` table: a lookup is every
/// evaluation by key, and `hashbrown` calls the key comparison through a function pointer.
/// Here the probe and the comparison inline: slots hold the item's position and the top 32
/// bits of its hash (compared before the key), at most half of them are used, and probing
/// is linear.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyIndex {
    /// `(hash >> 32, position + 1)`; position 0 marks an empty slot.
    slots: Box<[(u32, u32)]>,
}

impl KeyIndex {
    /// An index for up to `items` positions.
    fn with_capacity(items: usize) -> KeyIndex {
        let size = (items * 2).next_power_of_two().max(8);
        KeyIndex {
            slots: vec![(0u32, 0u32); size].into_boxed_slice(),
        }
    }

    /// Adds `position` under `hash` (at most the capacity's number of times).
    fn insert(&mut self, hash: u64, position: u32) {
        let mask = self.slots.len().wrapping_sub(1);
        let mut at = hash as usize & mask;
        while let Some(slot) = self.slots.get_mut(at) {
            if slot.1 == 0 {
                *slot = ((hash >> 32) as u32, position + 1);
                return;
            }
            at = (at + 1) & mask;
        }
    }

    /// The first position added under `hash` for which `is` holds.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn find(&self, hash: u64, mut is: impl FnMut(u32) -> bool) -> Option<u32> {
        let tag = (hash >> 32) as u32;
        let mask = self.slots.len().wrapping_sub(1);
        let mut at = hash as usize & mask;
        loop {
            let &(slot_tag, position) = self.slots.get(at)?;
            let position = position.checked_sub(1)?;
            if slot_tag == tag && is(position) {
                return Some(position);
            }
            at = (at + 1) & mask;
        }
    }
}

/// The [`KeyHash`] of a text: what the key indexes and [`StrSet`] hash, and what a
/// [`crate::Context`] computes once for its targeting key (segments by key look it up
/// without hashing it per evaluation).
#[inline]
pub(crate) fn str_hash(s: &str) -> u64 {
    KeyHash.hash_one(s)
}

/// The hasher of [`KeyHash`]: each `write` is one xxh3 call seeded with the state so far.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.0 = xxh3_64_with_seed(bytes, self.0);
    }
    #[inline]
    fn write_u8(&mut self, byte: u8) {
        // `str` hashes as its bytes then 0xff: mix the terminator in cheaply.
        self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Limits applied when loading a config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest config accepted, in bytes (default 64 MiB).
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 64 * 1024 * 1024,
        }
    }
}

/// A set of strings, searched linearly when small and hashed when large (the texts
/// compared in registers, see [`text_eq`]).
#[derive(Debug, Clone)]
pub(crate) enum StrSet {
    /// The items, with each one's [`text_fingerprint`] (compared before the text; empty in
    /// WebAssembly builds, which compare the texts alone).
    Small(Vec<Box<str>>, Box<[u64]>),
    Large(Box<LargeStrSet>),
}

/// A large [`StrSet`]: its distinct texts, and their positions by hash.
#[derive(Debug, Clone)]
pub(crate) struct LargeStrSet {
    items: Box<[Box<str>]>,
    index: KeyIndex,
}

impl LargeStrSet {
    /// Whether `s`, whose [`str_hash`] is `hash`, is in the set.
    #[cfg_attr(target_arch = "wasm32", inline(never))]
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn contains(&self, s: &str, hash: u64) -> bool {
        let items = &self.items;
        self.index
            .find(hash, |i| {
                items.get(i as usize).is_some_and(|k| text_eq(k, s))
            })
            .is_some()
    }
}

impl StrSet {
    pub(crate) fn new(items: Vec<Box<str>>) -> StrSet {
        if items.len() <= LINEAR_SET_MAX {
            // WebAssembly builds (size first) compare the texts alone.
            #[cfg(not(target_arch = "wasm32"))]
            let fingerprints = items.iter().map(|i| text_fingerprint(i)).collect();
            #[cfg(target_arch = "wasm32")]
            let fingerprints = Box::default();
            return StrSet::Small(items, fingerprints);
        }
        let mut set = LargeStrSet {
            items: Box::default(),
            index: KeyIndex::with_capacity(items.len()),
        };
        let mut kept: Vec<Box<str>> = Vec::with_capacity(items.len());
        for item in items {
            let hash = str_hash(&item);
            let seen = set.index.find(hash, |i| {
                kept.get(i as usize).is_some_and(|k| text_eq(k, &item))
            });
            if seen.is_none() {
                set.index.insert(hash, kept.len() as u32);
                kept.push(item);
            }
        }
        set.items = kept.into_boxed_slice();
        StrSet::Large(Box::new(set))
    }
    /// Whether `s` is in the set: a small set's scan inlines into the caller (an empty
    /// one costs a compare), a large set is one hash and a probe.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(crate) fn contains(&self, s: &str) -> bool {
        match self {
            StrSet::Small(items, fingerprints) => Self::small_contains(items, fingerprints, s),
            StrSet::Large(set) => set.contains(s, str_hash(s)),
        }
    }

    /// [`StrSet::contains`] of a context's string, whose fingerprint (and for the key, its
    /// [`str_hash`]) the context computed when it was set.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(crate) fn contains_text(&self, t: Text<'_>) -> bool {
        match self {
            #[cfg(not(target_arch = "wasm32"))]
            StrSet::Small(items, fingerprints) => {
                Self::small_contains_fingerprinted(items, fingerprints, t.text, t.fingerprint)
            }
            #[cfg(target_arch = "wasm32")]
            StrSet::Small(items, fingerprints) => Self::small_contains(items, fingerprints, t.text),
            StrSet::Large(set) => set.contains(t.text, t.hash.unwrap_or_else(|| str_hash(t.text))),
        }
    }

    /// A small set's scan: fingerprints first, which decide for texts of up to
    /// [`crate::context::FINGERPRINT_BYTES`] bytes (most `in` values: countries, plans).
    #[cfg(not(target_arch = "wasm32"))]
    #[inline(always)]
    fn small_contains(items: &[Box<str>], fingerprints: &[u64], s: &str) -> bool {
        if fingerprints.is_empty() {
            return false; // most segments' `excluded`
        }
        Self::small_contains_fingerprinted(items, fingerprints, s, text_fingerprint(s))
    }

    /// [`StrSet::small_contains`] of a text whose [`text_fingerprint`] is `fp`.
    #[cfg(not(target_arch = "wasm32"))]
    #[inline(always)]
    fn small_contains_fingerprinted(
        items: &[Box<str>],
        fingerprints: &[u64],
        s: &str,
        fp: u64,
    ) -> bool {
        let short = s.len() <= FINGERPRINT_BYTES;
        for (i, &f) in fingerprints.iter().enumerate() {
            if f == fp && (short || items.get(i).is_some_and(|item| text_eq(item, s))) {
                return true;
            }
        }
        false
    }

    #[cfg(target_arch = "wasm32")]
    fn small_contains(items: &[Box<str>], _: &[u64], s: &str) -> bool {
        items.iter().any(|i| text_eq(i, s))
    }

    /// Whether `s` case-folded is in the set (whose items are folded): folded into a
    /// stack buffer and looked up; texts that fold to more than [`FOLD_BUFFER`] bytes
    /// are compared with each item.
    #[inline]
    pub(crate) fn contains_folded(&self, s: &str) -> bool {
        let mut buf = [0u8; FOLD_BUFFER];
        match fold_into(s, &mut buf) {
            Some(f) => self.contains(f),
            None => self.any(|v| eq_folded(s, v)),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            StrSet::Small(items, _) => items.len(),
            StrSet::Large(set) => set.items.len(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `f` holds for some item (in no particular order): a loop per kind of set,
    /// rather than an iterator chaining both (whose `Chain<Flatten<..>>` code the `.wasm`
    /// held once per caller).
    pub(crate) fn any(&self, mut f: impl FnMut(&str) -> bool) -> bool {
        match self {
            StrSet::Small(items, _) => items.iter().any(|i| f(i)),
            StrSet::Large(set) => set.items.iter().any(|i| f(i)),
        }
    }
}

/// The numbers of an `in`: sorted, searched by bisection (a million numbers cost 20
/// comparisons, not a million). NaN is dropped (it equals nothing) and -0 is stored as 0
/// (they are equal), so bisection over the total order agrees with `==`.
#[derive(Debug, Clone, Default)]
pub(crate) struct NumberSet(Box<[f64]>);

impl NumberSet {
    pub(crate) fn new(mut numbers: Vec<f64>) -> NumberSet {
        numbers.retain(|n| !n.is_nan());
        for n in &mut numbers {
            *n += 0.0; // -0 + 0 = +0
        }
        // Unstable (a heapsort in the `.wasm`, smaller than the stable merge sort): numbers
        // equal under total_cmp are the same bits.
        numbers.sort_unstable_by(f64::total_cmp);
        numbers.dedup();
        NumberSet(numbers.into_boxed_slice())
    }

    #[inline]
    pub(crate) fn contains(&self, n: f64) -> bool {
        if n.is_nan() {
            return false;
        }
        let n = n + 0.0;
        self.0.binary_search_by(|x| x.total_cmp(&n)).is_ok()
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A comparison, for numbers and semantic versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Lt,
    Lte,
    Gt,
    Gte,
}

impl Cmp {
    #[inline]
    pub(crate) fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Cmp::Eq => ord == Equal,
            Cmp::Lt => ord == Less,
            Cmp::Lte => ord != Greater,
            Cmp::Gt => ord == Greater,
            Cmp::Gte => ord != Less,
        }
    }
}

/// What a condition tests, compiled.
#[derive(Debug, Clone)]
pub(crate) enum Test {
    /// `equals`, `in`, `notIn` (negated).
    OneOf(ValueSet),
    StartsWith(Vec<Box<str>>),
    EndsWith(Vec<Box<str>>),
    Contains(Needles),
    /// `lt` ... `gte` (a string that is a JSON number is read as that number).
    Number(Cmp, f64),
    /// `strLt` ... `strGte`: code point order.
    Text(Cmp, Box<str>),
    Semver(Cmp, Box<OwnedVersion>),
    Before(i64),
    After(i64),
    Exists,
    InSegment(Vec<u32>),
    /// `anyOf`, `allOf`, `noneOf`: the attribute as a list (a scalar is a list of one).
    AnyOf(ValueSet),
    AllOf(ValueSet),
    NoneOf(ValueSet),
    /// `sizeEq` ... `sizeGte`: the number of items of a list attribute.
    Size(Cmp, f64),
    /// `matches`: a regular expression, compiled at load.
    Matches(Box<crate::regex::Regex>),
    /// `inCidr`: IP ranges, parsed at load.
    InCidr(Vec<Cidr>),
    /// `isType`.
    IsType(AttributeType),
}

/// The types `isType` tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttributeType {
    String,
    Number,
    Boolean,
    List,
}

impl AttributeType {
    pub(crate) fn parse(name: &str) -> Option<AttributeType> {
        Some(match name {
            "string" => AttributeType::String,
            "number" => AttributeType::Number,
            "boolean" => AttributeType::Boolean,
            "list" => AttributeType::List,
            _ => return None,
        })
    }
}

/// The values of `equals`/`in`/`anyOf`/...: strings (case-folded at load under
/// `ignoreCase`), numbers and booleans, each kind in its own set.
#[derive(Debug, Clone)]
pub(crate) struct ValueSet {
    pub(crate) strings: StrSet,
    pub(crate) numbers: NumberSet,
    pub(crate) bools: [bool; 2],
}

impl ValueSet {
    /// How many distinct values.
    pub(crate) fn len(&self) -> usize {
        self.strings.len()
            + self.numbers.len()
            + usize::from(self.bools[0])
            + usize::from(self.bools[1])
    }

    /// Whether the set has values of `attr`'s type (else the attribute is of a type the
    /// operator cannot compare).
    #[inline]
    pub(crate) fn compares(&self, attr: AttributeRef<'_>) -> bool {
        match attr {
            AttributeRef::String(_) => !self.strings.is_empty(),
            AttributeRef::Number(_) => !self.numbers.is_empty(),
            AttributeRef::Bool(_) => self.bools != [false, false],
            AttributeRef::List(_) => false,
        }
    }

    /// Whether `attr` (a scalar) is one of the values; `fold`: strings compared folded.
    #[inline]
    pub(crate) fn contains(&self, attr: AttributeRef<'_>, fold: bool) -> bool {
        match attr {
            AttributeRef::String(s) if fold => self.strings.contains_folded(s),
            AttributeRef::String(s) => self.strings.contains(s),
            AttributeRef::Number(n) => self.numbers.contains(n),
            AttributeRef::Bool(b) => self.bools[usize::from(b)],
            AttributeRef::List(_) => false,
        }
    }

    /// Whether every value equals some item of `items`.
    pub(crate) fn all_in(&self, items: &[AttributeValue], fold: bool) -> bool {
        let has_text = |v: &str| {
            items.iter().any(|i| match i {
                AttributeValue::String(s) if fold => eq_folded(s, v),
                AttributeValue::String(s) => text_eq(s, v),
                _ => false,
            })
        };
        let has_number = |n: f64| {
            items
                .iter()
                .any(|i| matches!(i, AttributeValue::Number(m) if *m == n))
        };
        let has_bool = |b: bool| {
            items
                .iter()
                .any(|i| matches!(i, AttributeValue::Bool(c) if *c == b))
        };
        !self.strings.any(|v| !has_text(v))
            && self.numbers.0.iter().all(|&n| has_number(n))
            && (!self.bools[0] || has_bool(false))
            && (!self.bools[1] || has_bool(true))
    }
}

/// One condition of a rule: an attribute, a test, and whether to negate it.
#[derive(Debug, Clone)]
pub(crate) struct Condition {
    pub(crate) attribute: AttributeName,
    pub(crate) test: Test,
    pub(crate) negate: bool,
    /// `ignoreCase`: strings compared case-folded (the values are folded at load).
    pub(crate) fold: bool,
}

/// A reusable audience.
#[derive(Debug, Clone)]
pub(crate) struct Segment {
    pub(crate) key: Box<str>,
    pub(crate) attribute: AttributeName,
    pub(crate) included: StrSet,
    pub(crate) excluded: StrSet,
    /// Each rule's conditions, compiled (see [`Program`]).
    pub(crate) rules: Vec<Program>,
}

/// A weighted split over buckets: `ranges[i] = (end, variant)`, ends strictly rising to
/// 100_000; a bucket `b` gets the first range with `b < end`.
#[derive(Debug, Clone)]
pub(crate) struct Split {
    pub(crate) ranges: Vec<(u32, u32)>,
}

/// What a rule or the default serves.
#[derive(Debug, Clone)]
pub(crate) enum Serve {
    Variant(u32),
    Split(Split),
    Staged(Vec<Stage>),
}

impl Serve {
    /// The share of buckets (thousandths of a percent) this serve gives `variant` at `at`
    /// (read only for a time-staged serve); `None` for a time-staged serve without a time,
    /// or before its first stage.
    pub(crate) fn share_at(&self, variant: u32, at: crate::At) -> Option<u32> {
        match self {
            Serve::Variant(v) => Some(if *v == variant {
                crate::bucket::BUCKETS
            } else {
                0
            }),
            Serve::Split(split) => {
                let mut start = 0;
                let mut share = 0;
                for &(end, v) in &split.ranges {
                    if v == variant {
                        share += end - start;
                    }
                    start = end;
                }
                Some(share)
            }
            Serve::Staged(stages) => {
                let now = at.millis()?;
                Stage::serving(stages, now)?
                    .serve
                    .share_at(variant, crate::At::Millis(now))
            }
        }
    }
}

/// One stage of a time-staged rollout.
#[derive(Debug, Clone)]
pub(crate) struct Stage {
    pub(crate) from: Option<i64>,
    pub(crate) serve: Serve,
}

impl Stage {
    /// The stage serving at `now` (the last one started), or `None` before the first.
    #[inline]
    pub(crate) fn serving(stages: &[Stage], now: i64) -> Option<&Stage> {
        stages
            .iter()
            .rev()
            .find(|s| s.from.is_none_or(|from| from <= now))
    }
}

/// An ordered targeting rule.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) id: Option<Box<str>>,
    /// The conditions, compiled (see [`Program`]).
    pub(crate) conditions: Program,
    pub(crate) serve: Serve,
}

/// A prerequisite: another flag must serve one of these variants.
#[derive(Debug, Clone)]
pub(crate) struct Prerequisite {
    pub(crate) flag: u32,
    pub(crate) variants: Vec<u32>,
}

/// One variant of a flag.
#[derive(Debug, Clone)]
pub(crate) struct Variant {
    /// Borrowed for the implied `on` and `off` of a boolean flag without `variants` (no
    /// allocation for most flags).
    pub(crate) name: Cow<'static, str>,
    pub(crate) value: FlagValue,
    /// The value as JSON text (`true` and `false` are not allocated).
    pub(crate) json: Cow<'static, str>,
}

/// A flag's place in a layer (see docs/config.md, "Layers"): its range `start..end` of the
/// layer's buckets, hashed with the layer's name as the salt and the flag's `bucket_by`
/// (which validation makes the layer's). Flags of one layer have disjoint ranges.
#[derive(Debug, Clone)]
pub(crate) struct LayerRange {
    /// The layer's name (its salt).
    pub(crate) name: Box<str>,
    pub(crate) salt_prefix: SaltPrefix,
    /// The first bucket of the range, in thousandths of a percent (`0..=100_000`).
    pub(crate) start: u32,
    /// One past the last bucket (`start..=100_000`; `start == end` is empty).
    pub(crate) end: u32,
}

/// A compiled flag.
#[derive(Debug, Clone)]
pub(crate) struct Flag {
    pub(crate) key: Box<str>,
    pub(crate) description: Option<Box<str>>,
    pub(crate) value_type: ValueType,
    /// Borrowed for a boolean flag without `variants` (shared `on` and `off`).
    pub(crate) variants: Cow<'static, [Variant]>,
    pub(crate) enabled: bool,
    pub(crate) off_variant: u32,
    pub(crate) prerequisites: Vec<Prerequisite>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) default: Serve,
    /// The salt, when it is not the key (most flags are salted with their key).
    pub(crate) salt: Option<Box<str>>,
    pub(crate) salt_prefix: SaltPrefix,
    pub(crate) bucket_by: AttributeName,
    /// The flag's range of a layer, if it is in one.
    pub(crate) layer: Option<Box<LayerRange>>,
    /// The rollout plan and its guardrails, if the flag has one.
    pub(crate) plan: Option<Box<Plan>>,
}

/// A validated, compiled config: parse once, evaluate many times.
///
/// # Example
/// ```
/// let config = flagcore::Config::from_json(r#"{
///   "schemaVersion": 1,
///   "flags": { "new-ui": { "enabled": true, "default": { "variant": "on" } } }
/// }"#).unwrap();
/// let ctx = flagcore::Context::new("user-1");
/// assert!(config.evaluate("new-ui", &ctx).as_bool().unwrap_or(false));
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) schema_version: u32,
    pub(crate) hash_version: u32,
    pub(crate) flags: Vec<Flag>,
    /// Flag positions by key: the keys are the flags' own (`flags[i].key`), not copies.
    pub(crate) index: FlagIndex,
    pub(crate) segments: Vec<Segment>,
    pub(crate) warnings: Vec<Problem>,
}

impl Config {
    /// Warnings found when loading (the config loaded despite them).
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }

    /// The config's `schemaVersion`.
    pub fn schema_version(&self) -> u32 {
        self.schema_version
    }

    /// The config's `hashVersion` (the bucketing algorithm).
    pub fn hash_version(&self) -> u32 {
        self.hash_version
    }

    /// The number of flags.
    pub fn len(&self) -> usize {
        self.flags.len()
    }

    /// Whether the config has no flags.
    pub fn is_empty(&self) -> bool {
        self.flags.is_empty()
    }

    /// The flags, in document order.
    pub fn flags(&self) -> impl ExactSizeIterator<Item = FlagInfo<'_>> {
        self.flags.iter().map(|flag| FlagInfo { flag })
    }

    /// One flag by key.
    pub fn flag(&self, key: &str) -> Option<FlagInfo<'_>> {
        self.flag_index(key).map(|i| FlagInfo {
            flag: &self.flags[i as usize],
        })
    }

    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(crate) fn flag_index(&self, key: &str) -> Option<u32> {
        self.index.find(&self.flags, key)
    }
}

/// A read-only view of one flag of a [`Config`].
#[derive(Debug, Clone, Copy)]
pub struct FlagInfo<'a> {
    pub(crate) flag: &'a Flag,
}

impl<'a> FlagInfo<'a> {
    /// The flag's key.
    pub fn key(&self) -> &'a str {
        &self.flag.key
    }
    /// The flag's description, if any.
    pub fn description(&self) -> Option<&'a str> {
        self.flag.description.as_deref()
    }
    /// The type of the flag's variants.
    pub fn value_type(&self) -> ValueType {
        self.flag.value_type
    }
    /// Whether the flag is switched on in the config.
    pub fn enabled(&self) -> bool {
        self.flag.enabled
    }
    /// The variant served when the flag is off.
    pub fn off_variant(&self) -> &'a str {
        &self.flag.variants[self.flag.off_variant as usize].name
    }
    /// The variants, as (name, value).
    pub fn variants(&self) -> impl ExactSizeIterator<Item = (&'a str, &'a FlagValue)> {
        self.flag.variants.iter().map(|v| (&*v.name, &v.value))
    }
    /// The salt used for bucketing (the flag key unless set).
    pub fn salt(&self) -> &'a str {
        self.flag.salt.as_deref().unwrap_or(&self.flag.key)
    }
    /// The attribute users are bucketed by (`key` unless set).
    pub fn bucket_by(&self) -> &'a str {
        self.flag.bucket_by.as_str()
    }
    /// The flag's layer and its range of the layer, if it is in one: the layer's name and
    /// the range `start..end` of its buckets, in thousandths of a percent (`[0, 30]` in the
    /// config is `0..30_000`). Flags of one layer have disjoint ranges, so a user is in at
    /// most one of them (docs/config.md, "Layers").
    pub fn layer(&self) -> Option<(&'a str, std::ops::Range<u32>)> {
        self.flag
            .layer
            .as_deref()
            .map(|l| (&*l.name, l.start..l.end))
    }
    /// The flag's rollout plan and guardrails, if it has one (see [`crate::plan`]).
    pub fn plan(&self) -> Option<&'a Plan> {
        self.flag.plan.as_deref()
    }
    /// The number of targeting rules.
    pub fn rule_count(&self) -> usize {
        self.flag.rules.len()
    }
    /// The keys of the flags this flag requires.
    pub fn prerequisite_indices(&self) -> impl Iterator<Item = usize> + 'a {
        self.flag.prerequisites.iter().map(|p| p.flag as usize)
    }
    /// What the default serves at `now_millis`, as (variant, share in thousandths of a
    /// percent, summing to 100_000), or `None` before the first stage of a staged rollout
    /// (or when `now_millis` is needed and absent). Used to compare observed and expected
    /// shares.
    pub fn default_shares(&self, now_millis: Option<i64>) -> Option<Vec<(&'a str, u32)>> {
        let mut serve = &self.flag.default;
        if let Serve::Staged(stages) = serve {
            let now = now_millis?;
            serve = &Stage::serving(stages, now)?.serve;
        }
        let name = |i: u32| -> &'a str { &self.flag.variants[i as usize].name };
        match serve {
            Serve::Variant(v) => Some(vec![(name(*v), 100_000)]),
            Serve::Split(split) => {
                let mut start = 0;
                let mut out = Vec::new();
                for &(end, v) in &split.ranges {
                    out.push((name(v), end - start));
                    start = end;
                }
                Some(out)
            }
            Serve::Staged(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StrMap;

    /// `StrMap` answers as the `hashbrown::HashMap<&str, u32>` it replaced, through its
    /// growth from empty and from a capacity.
    #[test]
    fn str_map_behaves_as_a_hash_map() {
        let keys: Vec<String> = (0..3_000).map(|i| format!("key-{}", i % 1_000)).collect();
        // A map that stays small (scanned, no index) too.
        let mut small = StrMap::default();
        for (i, k) in ["a", "b", "a", "c"].into_iter().enumerate() {
            small.insert(k, i as u32);
        }
        assert_eq!(
            (small.get("a"), small.get("c"), small.get("d")),
            (Some(&2), Some(&3), None)
        );
        assert_eq!(small.keys().copied().collect::<Vec<_>>(), ["a", "b", "c"]);
        for mut map in [
            StrMap::default(),
            StrMap::with_capacity(10),
            StrMap::with_capacity(3),
        ] {
            let mut reference = std::collections::HashMap::new();
            for (i, k) in keys.iter().enumerate() {
                assert_eq!(
                    map.insert(k, i as u32),
                    reference.insert(k.as_str(), i as u32)
                );
            }
            for k in &keys {
                assert_eq!(map.get(k), reference.get(k.as_str()));
                assert!(map.contains_key(k));
            }
            assert_eq!(map.get("key-1000"), None);
            assert!(!map.contains_key(""));
            // The keys once each, in the order first inserted.
            let first: Vec<&str> = keys[..1_000].iter().map(String::as_str).collect();
            assert_eq!(map.keys().copied().collect::<Vec<_>>(), first);
        }
    }
}
