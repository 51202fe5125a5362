//! The config format: parsing, validation (every problem with its JSON path) and
//! compilation into the form the evaluator reads.
//!
//! The format is documented in `docs/config.md`.

use hashbrown::{HashMap, HashSet};

use std::borrow::Cow;
use std::hash::{BuildHasher, Hasher};

use bumpalo::Bump;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::bucket::{salt_prefix, SaltPrefix, SUPPORTED_HASH_VERSIONS};
use crate::context::{text_eq, AttributeName};
use crate::error::{ConfigError, Problem, ProblemCode, Report, Severity};
use crate::json::{self, q, Json, JsonStr, Path};
use crate::plan::{compile_plan, Plan};
use crate::semver::{self, OwnedVersion};
use crate::time::parse_rfc3339;
use crate::value::{FlagValue, ValueType};

/// The config schema versions this build reads.
pub const SUPPORTED_SCHEMA_VERSIONS: &[u32] = &[1];
/// The deepest chain of prerequisites allowed (flag → prerequisite → ...).
pub const MAX_PREREQUISITE_DEPTH: usize = 32;
/// The most prerequisite evaluations one flag may need (a prerequisite reached by several
/// paths counts once per path): evaluation does not memoise, so a "diamond" of shared
/// prerequisites 32 levels deep would otherwise take 2^32 evaluations.
const MAX_PREREQUISITE_EVALUATIONS: usize = 1_000;
/// The largest arena reserved up front for a config's JSON tree (it grows beyond).
const ARENA_PRESIZE_MAX: usize = 32 * 1024 * 1024;
/// Sets up to this size are searched linearly; larger ones are hashed.
const LINEAR_SET_MAX: usize = 8;

pub(crate) type FastMap<K, V> = HashMap<K, V, KeyHash>;
type FastSet<K> = HashSet<K, KeyHash>;
/// The texts seen so far (load-time duplicate checks): a map to `u32` like the segment
/// index, so the two share one hash table instantiation in the `.wasm`.
type StrSeen<'a> = FastMap<&'a str, u32>;

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
pub(crate) struct FlagIndex(hashbrown::HashTable<u32>);

impl FlagIndex {
    fn of(flags: &[Flag]) -> FlagIndex {
        let mut table = hashbrown::HashTable::with_capacity(flags.len());
        let hash = |i: &u32| KeyHash.hash_one(&*flags[*i as usize].key);
        for i in 0..flags.len() as u32 {
            table.insert_unique(hash(&i), i, hash);
        }
        FlagIndex(table)
    }
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

/// A set of strings, searched linearly when small and hashed when large.
#[derive(Debug, Clone)]
pub(crate) enum StrSet {
    Small(Vec<Box<str>>),
    Large(Box<FastSet<Box<str>>>),
}

impl StrSet {
    fn new(items: Vec<Box<str>>) -> StrSet {
        if items.len() <= LINEAR_SET_MAX {
            StrSet::Small(items)
        } else {
            let mut set = FastSet::with_capacity_and_hasher(items.len(), KeyHash);
            set.extend(items);
            StrSet::Large(Box::new(set))
        }
    }
    #[inline]
    pub(crate) fn contains(&self, s: &str) -> bool {
        match self {
            StrSet::Small(items) => items.iter().any(|i| text_eq(i, s)),
            StrSet::Large(set) => set.contains(s),
        }
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
    OneOf {
        strings: StrSet,
        numbers: Vec<f64>,
        bools: [bool; 2],
    },
    StartsWith(Vec<Box<str>>),
    EndsWith(Vec<Box<str>>),
    Contains(Vec<Box<str>>),
    Number(Cmp, f64),
    Semver(Cmp, Box<OwnedVersion>),
    Before(i64),
    After(i64),
    Exists,
    InSegment(Vec<u32>),
}

/// One condition of a rule: an attribute, a test, and whether to negate it.
#[derive(Debug, Clone)]
pub(crate) struct Condition {
    pub(crate) attribute: AttributeName,
    pub(crate) test: Test,
    pub(crate) negate: bool,
}

/// A reusable audience.
#[derive(Debug, Clone)]
pub(crate) struct Segment {
    pub(crate) key: Box<str>,
    pub(crate) attribute: AttributeName,
    pub(crate) included: StrSet,
    pub(crate) excluded: StrSet,
    pub(crate) rules: Vec<Vec<Condition>>,
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

/// One stage of a time-staged rollout.
#[derive(Debug, Clone)]
pub(crate) struct Stage {
    pub(crate) from: Option<i64>,
    pub(crate) serve: Serve,
}

/// An ordered targeting rule.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) id: Option<Box<str>>,
    pub(crate) conditions: Vec<Condition>,
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
    pub(crate) name: Box<str>,
    pub(crate) value: FlagValue,
    /// The value as JSON text (`true` and `false` are not allocated).
    pub(crate) json: Cow<'static, str>,
}

/// A compiled flag.
#[derive(Debug, Clone)]
pub(crate) struct Flag {
    pub(crate) key: Box<str>,
    pub(crate) description: Option<Box<str>>,
    pub(crate) value_type: ValueType,
    pub(crate) variants: Vec<Variant>,
    pub(crate) enabled: bool,
    pub(crate) off_variant: u32,
    pub(crate) prerequisites: Vec<Prerequisite>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) default: Serve,
    /// The salt, when it is not the key (most flags are salted with their key).
    pub(crate) salt: Option<Box<str>>,
    pub(crate) salt_prefix: SaltPrefix,
    pub(crate) bucket_by: AttributeName,
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
        let report = Report {
            errors: checker.errors,
            warnings: checker.warnings,
        };
        match config {
            Some(mut config) if !report.has_errors() => {
                config.warnings = report.warnings;
                Ok(config)
            }
            _ => Err(ConfigError::Invalid(report)),
        }
    }

    /// Validates without keeping the result: the full report, errors and warnings.
    pub fn validate(text: &str) -> Report {
        match Config::from_json(text) {
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

    #[inline]
    pub(crate) fn flag_index(&self, key: &str) -> Option<u32> {
        self.index
            .0
            .find(KeyHash.hash_one(key), |&i| {
                *self.flags[i as usize].key == *key
            })
            .copied()
    }
}

/// A read-only view of one flag of a [`Config`].
#[derive(Debug, Clone, Copy)]
pub struct FlagInfo<'a> {
    flag: &'a Flag,
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
            serve = &stages
                .iter()
                .rev()
                .find(|s| s.from.is_none_or(|from| from <= now))?
                .serve;
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

// ---------------------------------------------------------------------------------------
// Validation plumbing
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default)]
pub(crate) struct Checker {
    errors: Vec<Problem>,
    warnings: Vec<Problem>,
}

impl Checker {
    pub(crate) fn error(&mut self, path: &Path<'_>, code: ProblemCode, message: impl Into<String>) {
        self.report(Severity::Error, path, code, message.into());
    }
    pub(crate) fn warn(&mut self, path: &Path<'_>, code: ProblemCode, message: impl Into<String>) {
        self.report(Severity::Warning, path, code, message.into());
    }
    /// Not inlined: validation reports from a hundred places, and one copy of this is
    /// smaller in the `.wasm` than a hundred (problems are rare; speed does not matter).
    #[inline(never)]
    fn report(&mut self, severity: Severity, path: &Path<'_>, code: ProblemCode, message: String) {
        let list = match severity {
            Severity::Error => &mut self.errors,
            Severity::Warning => &mut self.warnings,
        };
        list.push(Problem {
            severity,
            code,
            path: path.to_string(),
            message,
        });
    }
    #[inline(never)]
    pub(crate) fn wrong_type(&mut self, path: &Path<'_>, expected: &str, got: &Json<'_>) {
        self.error(
            path,
            ProblemCode::WrongType,
            format!("expected {expected}, got {}", got.type_name()),
        );
    }
}

/// Levenshtein distance over characters, ignoring ASCII case (ASCII only: Unicode case
/// tables would add 11 KB to the `.wasm` for the sake of a suggestion).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().map(|c| c.to_ascii_lowercase()).enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

pub(crate) fn suggestion<'a>(word: &str, options: impl IntoIterator<Item = &'a str>) -> String {
    let best = options
        .into_iter()
        .map(|o| (edit_distance(word, o), o))
        .min();
    match best {
        Some((d, o)) if d <= 2 || (d <= 3 && word.len() > 6) => {
            format!(" (did you mean {o}?)", o = q(o))
        }
        _ => String::new(),
    }
}

/// An object being read: reports duplicate and unknown keys once, on creation.
pub(crate) struct Obj<'a> {
    entries: &'a [(JsonStr<'a>, Json<'a>)],
    path: Path<'a>,
}

impl<'a> Obj<'a> {
    pub(crate) fn read(
        c: &mut Checker,
        value: &'a Json<'a>,
        path: &Path<'a>,
        allowed: &[&str],
    ) -> Option<Obj<'a>> {
        let Json::Object(entries) = value else {
            c.wrong_type(path, "an object", value);
            return None;
        };
        check_duplicates(c, entries, path);
        for (k, _) in entries.iter() {
            if !allowed.contains(&k.as_str()) {
                c.error(
                    &path.key(k),
                    ProblemCode::UnknownField,
                    format!(
                        "unknown field {k}{}; allowed here: {}",
                        suggestion(k, allowed.iter().copied()),
                        allowed.join(", "),
                        k = q(k)
                    ),
                );
            }
        }
        Some(Obj {
            entries,
            path: *path,
        })
    }

    /// An object already read with [`Obj::read`] (its problems are reported), or `None`
    /// when `value` is not an object.
    fn checked_before(value: &'a Json<'a>, path: &Path<'a>) -> Option<Obj<'a>> {
        match value {
            Json::Object(entries) => Some(Obj {
                entries,
                path: *path,
            }),
            _ => None,
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&'a Json<'a>> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_str() == name)
            .map(|(_, v)| v)
    }

    pub(crate) fn at<'s>(&'s self, name: &'s str) -> Path<'s> {
        self.path.key(name)
    }

    pub(crate) fn required(&self, c: &mut Checker, name: &str) -> Option<&'a Json<'a>> {
        let v = self.get(name);
        if v.is_none() {
            c.error(
                &self.path,
                ProblemCode::MissingField,
                format!("missing required field {name}", name = q(name)),
            );
        }
        v
    }

    pub(crate) fn string(&self, c: &mut Checker, name: &str) -> Option<&'a str> {
        match self.get(name)? {
            Json::String(s) => Some(s.as_str()),
            other => {
                c.wrong_type(&self.at(name), "a string", other);
                None
            }
        }
    }

    pub(crate) fn bool(&self, c: &mut Checker, name: &str) -> Option<bool> {
        match self.get(name)? {
            Json::Bool(b) => Some(*b),
            other => {
                c.wrong_type(&self.at(name), "a boolean", other);
                None
            }
        }
    }
}

/// Objects up to this size are checked for duplicate keys by comparing every pair (a
/// hash set per object cost more than the comparisons).
const LINEAR_DUPLICATES_MAX: usize = 16;

fn check_duplicates(c: &mut Checker, entries: &[(JsonStr<'_>, Json<'_>)], path: &Path<'_>) {
    if entries.len() < 2 {
        return;
    }
    if entries.len() <= LINEAR_DUPLICATES_MAX {
        for (i, (k, _)) in entries.iter().enumerate() {
            if entries[..i].iter().any(|(earlier, _)| earlier == k) {
                report_duplicate(c, k, path);
            }
        }
        return;
    }
    let mut seen: StrSeen<'_> = StrSeen::with_capacity_and_hasher(entries.len(), KeyHash);
    for (k, _) in entries {
        if seen.insert(k, 0).is_some() {
            report_duplicate(c, k, path);
        }
    }
}

fn report_duplicate(c: &mut Checker, k: &str, path: &Path<'_>) {
    c.error(
        &path.key(k),
        ProblemCode::DuplicateKey,
        format!("key {k} appears more than once in this object", k = q(k)),
    );
}

/// Converts a JSON percentage (0..=100, at most three decimals) to thousandths of a
/// percent. This runs at load only; evaluation uses integers.
pub(crate) fn percentage(c: &mut Checker, value: &Json<'_>, path: &Path<'_>) -> Option<u32> {
    let Json::Number(n) = value else {
        c.wrong_type(path, "a number from 0 to 100", value);
        return None;
    };
    let f = n.as_f64().unwrap_or(f64::NAN);
    if !(0.0..=100.0).contains(&f) {
        c.error(
            path,
            ProblemCode::PercentageOutOfRange,
            format!("{n} is outside 0..=100"),
        );
        return None;
    }
    let scaled = f * 1000.0;
    let rounded = scaled.round();
    if (scaled - rounded).abs() > 1e-6 {
        c.error(
            path,
            ProblemCode::PercentagePrecision,
            format!("{n} has more than three decimals; the resolution is 0.001"),
        );
        return None;
    }
    Some(rounded as u32)
}

fn timestamp(c: &mut Checker, value: &Json<'_>, path: &Path<'_>) -> Option<i64> {
    match value {
        Json::String(s) => match parse_rfc3339(s) {
            Some(t) => Some(t),
            None => {
                c.error(
                    path,
                    ProblemCode::InvalidTimestamp,
                    format!(
                        "{s} is not an RFC 3339 timestamp such as \"2026-11-22T09:00:00Z\"",
                        s = q(s)
                    ),
                );
                None
            }
        },
        Json::Number(n) => match n.as_i64() {
            Some(t) => Some(t),
            None => {
                c.error(
                    path,
                    ProblemCode::InvalidTimestamp,
                    format!("{n} is not a whole number of Unix milliseconds"),
                );
                None
            }
        },
        other => {
            c.wrong_type(path, "an RFC 3339 string or Unix milliseconds", other);
            None
        }
    }
}

// ---------------------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------------------

const CONFIG_FIELDS: &[&str] = &[
    "$schema",
    "schemaVersion",
    "hashVersion",
    "description",
    "metadata",
    "segments",
    "flags",
];
const SEGMENT_FIELDS: &[&str] = &["description", "attribute", "keys", "excluded", "rules"];
const SEGMENT_RULE_FIELDS: &[&str] = &["description", "conditions"];
const FLAG_FIELDS: &[&str] = &[
    "description",
    "type",
    "variants",
    "enabled",
    "offVariant",
    "prerequisites",
    "salt",
    "bucketBy",
    "rules",
    "default",
    "tags",
    "metadata",
    "plan",
];
const RULE_FIELDS: &[&str] = &["id", "description", "conditions", "serve"];
const SERVE_FIELDS: &[&str] = &["variant", "split", "stages"];
const STAGE_FIELDS: &[&str] = &["from", "variant", "split", "description"];
const SPLIT_FIELDS: &[&str] = &["variant", "weight"];
const PREREQ_FIELDS: &[&str] = &["flag", "variant", "variants"];
const CONDITION_FIELDS: &[&str] = &["attribute", "op", "value", "values", "negate"];

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
];

/// What pass 1 learns about a flag, for references from other flags.
struct FlagHead<'a> {
    key: &'a str,
    /// Where its variant names are in the names of all flags (borrowed from the config
    /// text, like the key): other flags refer to them.
    variant_names: std::ops::Range<usize>,
}

fn compile(c: &mut Checker, tree: &Json<'_>) -> Option<Config> {
    let root = Path::root();
    let obj = Obj::read(c, tree, &root, CONFIG_FIELDS)?;

    let schema_version = match obj.required(c, "schemaVersion") {
        Some(Json::Number(n)) => match n.as_u64().and_then(|v| u32::try_from(v).ok()) {
            Some(v) if SUPPORTED_SCHEMA_VERSIONS.contains(&v) => Some(v),
            _ => {
                c.error(
                    &obj.at("schemaVersion"),
                    ProblemCode::UnsupportedSchemaVersion,
                    format!(
                        "schemaVersion {n} is not supported; this build reads {}",
                        numbers(SUPPORTED_SCHEMA_VERSIONS)
                    ),
                );
                None
            }
        },
        Some(other) => {
            c.wrong_type(&obj.at("schemaVersion"), "a number", other);
            None
        }
        None => None,
    };
    let hash_version = match obj.get("hashVersion") {
        None => Some(1),
        Some(Json::Number(n)) => match n.as_u64().and_then(|v| u32::try_from(v).ok()) {
            Some(v) if SUPPORTED_HASH_VERSIONS.contains(&v) => Some(v),
            _ => {
                c.error(
                    &obj.at("hashVersion"),
                    ProblemCode::UnsupportedHashVersion,
                    format!(
                        "hashVersion {n} is not supported; this build implements {}",
                        numbers(SUPPORTED_HASH_VERSIONS)
                    ),
                );
                None
            }
        },
        Some(other) => {
            c.wrong_type(&obj.at("hashVersion"), "a number", other);
            None
        }
    };
    for field in ["$schema", "description"] {
        if let Some(d) = obj.get(field).filter(|d| !matches!(d, Json::String(_))) {
            c.wrong_type(&obj.at(field), "a string", d);
        }
    }

    // Segments first: flags refer to them.
    let mut segments = Vec::new();
    let mut segment_index: FastMap<&str, u32> = FastMap::default();
    let segments_path = obj.at("segments");
    if let Some(value) = obj.get("segments") {
        if let Json::Object(entries) = value {
            check_duplicates(c, entries, &segments_path);
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
        } else {
            c.wrong_type(&segments_path, "an object of segments", value);
        }
    }

    // Flags, pass 1: keys, types and variants.
    let flags_path = obj.at("flags");
    let flag_entries: &[(JsonStr<'_>, Json<'_>)] = match obj.required(c, "flags") {
        Some(Json::Object(entries)) => {
            check_duplicates(c, entries, &flags_path);
            entries
        }
        Some(other) => {
            c.wrong_type(&flags_path, "an object of flags", other);
            &[]
        }
        None => &[],
    };
    let mut heads: Vec<FlagHead<'_>> = Vec::with_capacity(flag_entries.len());
    // The variant names of every flag, one after the other (most flags have two).
    let mut names: Vec<&str> = Vec::with_capacity(flag_entries.len() * 2);
    let mut partial: Vec<(Option<Flag>, &Json<'_>)> = Vec::with_capacity(flag_entries.len());
    let mut index: StrSeen<'_> = StrSeen::with_capacity_and_hasher(flag_entries.len(), KeyHash);
    for (key, value) in flag_entries {
        if index.contains_key(key.as_str()) {
            continue;
        }
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
        index.insert(key.as_str(), heads.len() as u32);
        heads.push(FlagHead {
            key: key.as_str(),
            variant_names,
        });
        partial.push((head, value));
    }

    // Flags, pass 2: prerequisites, rules, default.
    let mut used_segments = vec![false; segments.len()];
    let refs = Refs {
        heads: &heads,
        names: &names,
        index: &index,
        segments: &segment_index,
    };
    let mut flags = Vec::with_capacity(partial.len());
    let mut prereq_items: Vec<Vec<usize>> = Vec::with_capacity(partial.len());
    for (i, entry) in partial.into_iter().enumerate() {
        let path = flags_path.key(heads[i].key);
        // A flag whose head failed is still checked, so every problem is reported.
        let (mut flag, value) = entry;
        let Some(obj) = Obj::checked_before(value, &path) else {
            prereq_items.push(Vec::new());
            flags.push(None);
            continue;
        };
        let (prereqs, items) = compile_prerequisites(c, &obj, &refs);
        prereq_items.push(items);
        let names = &names[heads[i].variant_names.clone()];
        let rules = match obj.get("rules") {
            Some(rules) => {
                compile_rules(c, rules, &obj.at("rules"), names, &refs, &mut used_segments)
            }
            None => Vec::new(),
        };
        let default = obj
            .required(c, "default")
            .and_then(|d| compile_serve(c, d, &obj.at("default"), names));
        let off_variant = flag.as_ref().map(|f| f.off_variant);
        let plan = obj
            .get("plan")
            .and_then(|p| compile_plan(c, p, &obj.at("plan"), names, off_variant));
        if let Some(flag) = &mut flag {
            flag.prerequisites = prereqs;
            flag.rules = rules;
            flag.plan = plan.map(Box::new);
            match default {
                Some(serve) => flag.default = serve,
                None => {
                    flags.push(None);
                    continue;
                }
            }
        }
        flags.push(flag);
    }

    check_prerequisite_graph(c, &flags, &flags_path, &prereq_items, &heads);

    for (i, used) in used_segments.iter().enumerate() {
        if !used {
            let name = &segments[i].key;
            c.warn(
                &segments_path.key(name),
                ProblemCode::UnusedSegment,
                format!("segment {name} is not used by any flag", name = q(name)),
            );
        }
    }

    let flags: Vec<Flag> = flags.into_iter().collect::<Option<_>>()?;
    Some(Config {
        schema_version: schema_version?,
        hash_version: hash_version?,
        index: FlagIndex::of(&flags),
        flags,
        segments,
        warnings: Vec::new(),
    })
}

struct Refs<'a> {
    heads: &'a [FlagHead<'a>],
    names: &'a [&'a str],
    index: &'a StrSeen<'a>,
    segments: &'a FastMap<&'a str, u32>,
}

fn compile_segment(
    c: &mut Checker,
    name: &str,
    value: &Json<'_>,
    path: &Path<'_>,
) -> Option<Segment> {
    let obj = Obj::read(c, value, path, SEGMENT_FIELDS)?;
    let attribute = obj.string(c, "attribute").unwrap_or("key");
    let included = string_list(c, obj.get("keys"), &obj.at("keys"), true);
    let excluded = string_list(c, obj.get("excluded"), &obj.at("excluded"), true);
    let mut rules = Vec::new();
    let no_segments = FastMap::default();
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
                    let conditions = match robj.required(c, "conditions") {
                        Some(conds) => compile_conditions(
                            c,
                            conds,
                            &robj.at("conditions"),
                            &no_segments,
                            &mut unused,
                            true,
                        ),
                        None => Vec::new(),
                    };
                    rules.push(conditions);
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
fn string_list(
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
    let mut seen: Option<StrSeen<'_>> = (items.len() > LINEAR_DUPLICATES_MAX)
        .then(|| StrSeen::with_capacity_and_hasher(items.len(), KeyHash));
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
                            format!("{s} is listed more than once", s = q(s)),
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

fn flag_value(value: &Json<'_>) -> Option<FlagValue> {
    Some(match value {
        Json::Bool(b) => FlagValue::Bool(*b),
        Json::String(s) => FlagValue::String(s.as_str().to_owned()),
        Json::Number(n) => FlagValue::Number(n.as_f64()?),
        Json::Null | Json::Array(_) | Json::Object(_) => FlagValue::Json(value.to_value()),
    })
}

/// A variant's value as JSON text, as `serde_json` writes it.
fn variant_json(value: &FlagValue) -> Cow<'static, str> {
    let mut json = String::new();
    match value {
        FlagValue::Bool(b) => return Cow::Borrowed(if *b { "true" } else { "false" }),
        FlagValue::String(s) => {
            json.reserve_exact(s.len() + 2);
            json::write_string(&mut json, s);
        }
        FlagValue::Json(v) => write_json(&mut json, v),
        FlagValue::Number(_) => write_json(&mut json, &value.to_json()),
    }
    Cow::Owned(json)
}

/// Appends `value` as JSON text, byte for byte as `serde_json::to_string` writes it (keys
/// in insertion order, compact). Written here rather than with serde_json's serializer,
/// which is 2 KB of the `.wasm` for this one use.
fn write_json(out: &mut String, value: &serde_json::Value) {
    use std::fmt::Write as _;
    match value {
        serde_json::Value::Null => out.push_str("null"),
        serde_json::Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // The same digits as serde_json's serializer (itoa for integers, zmij for floats).
        serde_json::Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        serde_json::Value::String(s) => json::write_string(out, s),
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, item);
            }
            out.push(']');
        }
        serde_json::Value::Object(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json::write_string(out, k);
                out.push(':');
                write_json(out, v);
            }
            out.push('}');
        }
    }
}

/// Pass 1 of a flag: type, variants, off variant, switch, salt, bucketing attribute.
fn flag_head<'a>(
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
                    format!(
                        "unknown type {t}; use boolean, string, number or json",
                        t = q(t)
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
    if let Some(tags) = obj.get("tags") {
        string_list(c, Some(tags), &obj.at("tags"), false);
    }

    let mut variants: Vec<Variant> = Vec::new();
    let mut ok = true;
    match obj.get("variants") {
        None if matches!(declared, None | Some(ValueType::Boolean)) => {
            for (name, b) in [("on", true), ("off", false)] {
                names.push(name);
                variants.push(Variant {
                    name: name.into(),
                    value: FlagValue::Bool(b),
                    json: if b { "true" } else { "false" }.into(),
                });
            }
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
                    name: name.as_str().into(),
                    json: variant_json(&value),
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

    // Type: declared, or inferred from the variants; JSON flags accept any value.
    let value_type = match declared {
        Some(t) => t,
        None => {
            let first = variants.first().map(|v| v.value.value_type());
            first.unwrap_or(ValueType::Boolean)
        }
    };
    if value_type == ValueType::Json {
        for v in &mut variants {
            if !matches!(v.value, FlagValue::Json(_)) {
                v.value = FlagValue::Json(v.value.to_json());
            }
        }
    } else {
        for v in &variants {
            if v.value.value_type() != value_type {
                c.error(
                    &obj.at("variants").key(&v.name),
                    ProblemCode::VariantTypeMismatch,
                    format!(
                        "variant {} is {}, but flag {key} is {value_type}{}",
                        q(&v.name),
                        v.value.value_type(),
                        if declared.is_some() {
                            ""
                        } else {
                            " (inferred from its first variant)"
                        },
                        key = q(key)
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
        Some(Json::String(name)) => match variants.iter().position(|v| *v.name == **name) {
            Some(i) => Some(i as u32),
            None => {
                c.error(
                    &obj.at("offVariant"),
                    ProblemCode::UnknownVariant,
                    format!(
                        "flag {key} has no variant {name}{}",
                        suggestion(name, variants.iter().map(|v| &*v.name)),
                        key = q(key),
                        name = q(name)
                    ),
                );
                None
            }
        },
        Some(other) => {
            c.wrong_type(&obj.at("offVariant"), "a variant name", other);
            None
        }
        None => match variants.iter().position(|v| &*v.name == "off") {
            Some(i) => Some(i as u32),
            None => {
                if !variants.is_empty() {
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
    let bucket_by = match obj.get("bucketBy") {
        Some(Json::String(s)) if !s.is_empty() => s.as_str(),
        Some(Json::String(_)) => {
            c.error(
                &obj.at("bucketBy"),
                ProblemCode::InvalidValue,
                "bucketBy must name an attribute",
            );
            "key"
        }
        Some(other) => {
            c.wrong_type(&obj.at("bucketBy"), "an attribute name", other);
            "key"
        }
        None => "key",
    };
    if !ok {
        return None;
    }
    Some(Flag {
        key: key.into(),
        description,
        value_type,
        variants,
        enabled,
        off_variant: off_variant?,
        prerequisites: Vec::new(),
        rules: Vec::new(),
        default: Serve::Variant(off_variant?),
        salt_prefix: salt_prefix(salt),
        salt: (salt != key).then(|| salt.into()),
        bucket_by: bucket_by.into(),
        plan: None,
    })
}

pub(crate) fn variant_ref(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
    names: &[&str],
    flag: &str,
) -> Option<u32> {
    let Json::String(name) = value else {
        c.wrong_type(path, "a variant name", value);
        return None;
    };
    match names.iter().position(|n| **n == **name) {
        Some(i) => Some(i as u32),
        None => {
            c.error(
                path,
                ProblemCode::UnknownVariant,
                format!(
                    "flag {flag} has no variant {name}{}",
                    suggestion(name, names.iter().map(|n| &**n)),
                    flag = q(flag),
                    name = q(name)
                ),
            );
            None
        }
    }
}

fn compile_prerequisites(
    c: &mut Checker,
    obj: &Obj<'_>,
    refs: &Refs<'_>,
) -> (Vec<Prerequisite>, Vec<usize>) {
    let mut out = Vec::new();
    let mut positions = Vec::new();
    let Some(value) = obj.get("prerequisites") else {
        return (out, positions);
    };
    let base = obj.at("prerequisites");
    let Json::Array(items) = value else {
        c.wrong_type(&base, "an array of prerequisites", value);
        return (out, positions);
    };
    for (i, item) in items.iter().enumerate() {
        let path = base.index(i);
        let Some(p) = Obj::read(c, item, &path, PREREQ_FIELDS) else {
            continue;
        };
        let Some(flag_key) = p.required(c, "flag").and_then(|v| match v {
            Json::String(s) => Some(s.as_str()),
            other => {
                c.wrong_type(&p.at("flag"), "a flag key", other);
                None
            }
        }) else {
            continue;
        };
        let Some(&flag) = refs.index.get(flag_key) else {
            c.error(
                &p.at("flag"),
                ProblemCode::UnknownPrerequisite,
                format!(
                    "no flag {flag_key} in this config{}",
                    suggestion(flag_key, refs.heads.iter().map(|h| h.key)),
                    flag_key = q(flag_key)
                ),
            );
            continue;
        };
        let names = &refs.names[refs.heads[flag as usize].variant_names.clone()];
        let mut variants = Vec::new();
        if names.is_empty() {
            // The required flag is itself invalid and already reported.
            continue;
        }
        match (p.get("variant"), p.get("variants")) {
            (Some(v), None) => {
                variants.extend(variant_ref(c, v, &p.at("variant"), names, flag_key))
            }
            (None, Some(Json::Array(vs))) if !vs.is_empty() => {
                for (j, v) in vs.iter().enumerate() {
                    variants.extend(variant_ref(
                        c,
                        v,
                        &p.at("variants").index(j),
                        names,
                        flag_key,
                    ));
                }
            }
            (None, Some(Json::Array(_))) => {
                c.error(
                    &p.at("variants"),
                    ProblemCode::InvalidValue,
                    "list at least one variant",
                );
            }
            (None, Some(other)) => {
                c.wrong_type(&p.at("variants"), "an array of variant names", other)
            }
            (Some(_), Some(_)) => c.error(
                &path,
                ProblemCode::InvalidValue,
                "give either \"variant\" or \"variants\", not both",
            ),
            (None, None) => c.error(
                &path,
                ProblemCode::MissingField,
                "missing required field \"variant\" (or \"variants\")",
            ),
        }
        out.push(Prerequisite { flag, variants });
        positions.push(i);
    }
    (out, positions)
}

/// The path of the `flag` field of the prerequisite at `position` in flag `flag`'s
/// `prerequisites`, for a problem found in the prerequisite graph.
fn prerequisite_path(
    c: &mut Checker,
    flags_path: &Path<'_>,
    key: &str,
    position: usize,
    code: ProblemCode,
    message: String,
) {
    let flag = flags_path.key(key);
    let list = flag.key("prerequisites");
    let item = list.index(position);
    c.error(&item.key("flag"), code, message);
}

fn check_prerequisite_graph(
    c: &mut Checker,
    flags: &[Option<Flag>],
    flags_path: &Path<'_>,
    positions: &[Vec<usize>],
    heads: &[FlagHead<'_>],
) {
    // Colors: 0 new, 1 on the stack, 2 done. Iterative DFS, so a long chain cannot
    // overflow the stack.
    let n = flags.len();
    let edges = |i: usize| -> Vec<u32> {
        flags[i]
            .as_ref()
            .map(|f| f.prerequisites.iter().map(|p| p.flag).collect())
            .unwrap_or_default()
    };
    let mut color = vec![0u8; n];
    let mut depth = vec![0usize; n];
    let mut evaluations = vec![0usize; n];
    let mut reported_cycle = vec![false; n];
    for start in 0..n {
        if color[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        color[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let out = edges(node);
            if *next < out.len() {
                let edge = *next;
                *next += 1;
                let target = out[edge] as usize;
                match color[target] {
                    0 => {
                        color[target] = 1;
                        stack.push((target, 0));
                    }
                    1 if !reported_cycle[node] => {
                        reported_cycle[node] = true;
                        let pos = stack.iter().position(|&(s, _)| s == target).unwrap_or(0);
                        let mut cycle: Vec<&str> =
                            stack[pos..].iter().map(|&(s, _)| heads[s].key).collect();
                        cycle.push(heads[target].key);
                        let message = format!("prerequisites form a cycle: {}", cycle.join(" -> "));
                        match positions[node].get(edge) {
                            Some(&position) => prerequisite_path(
                                c,
                                flags_path,
                                heads[node].key,
                                position,
                                ProblemCode::PrerequisiteCycle,
                                message,
                            ),
                            None => c.error(&Path::root(), ProblemCode::PrerequisiteCycle, message),
                        }
                    }
                    _ => {}
                }
            } else {
                depth[node] = out
                    .iter()
                    .filter(|&&t| color[t as usize] == 2)
                    .map(|&t| depth[t as usize] + 1)
                    .max()
                    .unwrap_or(0);
                evaluations[node] = out
                    .iter()
                    .filter(|&&t| color[t as usize] == 2)
                    .fold(0usize, |sum, &t| {
                        sum.saturating_add(evaluations[t as usize].saturating_add(1))
                    });
                color[node] = 2;
                stack.pop();
            }
        }
    }
    for (i, d) in depth.iter().enumerate() {
        let message = if *d > MAX_PREREQUISITE_DEPTH {
            format!(
                "flag {} has a chain of {d} prerequisites; the limit is {MAX_PREREQUISITE_DEPTH}",
                q(heads[i].key)
            )
        } else if evaluations[i] > MAX_PREREQUISITE_EVALUATIONS {
            format!(
                "flag {} needs {} prerequisite evaluations (a prerequisite shared by several paths counts once per path); the limit is {MAX_PREREQUISITE_EVALUATIONS}",
                q(heads[i].key), evaluations[i]
            )
        } else {
            continue;
        };
        match positions[i].first() {
            Some(&position) => prerequisite_path(
                c,
                flags_path,
                heads[i].key,
                position,
                ProblemCode::PrerequisiteDepth,
                message,
            ),
            None => c.error(&Path::root(), ProblemCode::PrerequisiteDepth, message),
        }
    }
}

fn compile_rules(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
    names: &[&str],
    refs: &Refs<'_>,
    used_segments: &mut [bool],
) -> Vec<Rule> {
    let Json::Array(items) = value else {
        c.wrong_type(path, "an array of rules", value);
        return Vec::new();
    };
    let mut rules = Vec::with_capacity(items.len());
    let mut ids: StrSeen<'_> = StrSeen::default();
    let mut catch_all: Option<usize> = None;
    for (i, item) in items.iter().enumerate() {
        let rpath = path.index(i);
        let Some(obj) = Obj::read(c, item, &rpath, RULE_FIELDS) else {
            continue;
        };
        let id = obj.string(c, "id");
        if let Some(id) = id {
            if ids.insert(id, 0).is_some() {
                c.error(
                    &obj.at("id"),
                    ProblemCode::DuplicateKey,
                    format!("rule id {id} is used by an earlier rule", id = q(id)),
                );
            }
        }
        if let Some(first) = catch_all {
            c.warn(
                &rpath,
                ProblemCode::UnreachableRule,
                format!(
                    "rule {i} can never match: rule {first} has no conditions and always serves"
                ),
            );
        }
        let conditions = match obj.get("conditions") {
            Some(conds) => compile_conditions(
                c,
                conds,
                &obj.at("conditions"),
                refs.segments,
                used_segments,
                false,
            ),
            None => Vec::new(),
        };
        let Some(serve) = obj
            .required(c, "serve")
            .and_then(|s| compile_serve(c, s, &obj.at("serve"), names))
        else {
            continue;
        };
        if conditions.is_empty() && !matches!(serve, Serve::Staged(_)) && catch_all.is_none() {
            catch_all = Some(i);
        }
        rules.push(Rule {
            id: id.map(Box::from),
            conditions,
            serve,
        });
    }
    rules
}

fn compile_conditions(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
    segments: &FastMap<&str, u32>,
    used_segments: &mut [bool],
    in_segment: bool,
) -> Vec<Condition> {
    let Json::Array(items) = value else {
        c.wrong_type(path, "an array of conditions", value);
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let cpath = path.index(i);
        if let Some(cond) = compile_condition(c, item, &cpath, segments, used_segments, in_segment)
        {
            out.push(cond);
        }
    }
    out
}

fn compile_condition(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
    segments: &FastMap<&str, u32>,
    used_segments: &mut [bool],
    in_segment: bool,
) -> Option<Condition> {
    let obj = Obj::read(c, value, path, CONDITION_FIELDS)?;
    let mut negate = obj.bool(c, "negate").unwrap_or(false);
    let op = match obj.required(c, "op")? {
        Json::String(op) => op.as_str(),
        other => {
            c.wrong_type(&obj.at("op"), "an operator name", other);
            return None;
        }
    };
    if !OPERATORS.contains(&op) {
        c.error(
            &obj.at("op"),
            ProblemCode::UnknownOperator,
            format!(
                "unknown operator {op}{}; operators: {}",
                suggestion(op, OPERATORS.iter().copied()),
                OPERATORS.join(", "),
                op = q(op)
            ),
        );
        return None;
    }
    let values = match (obj.get("value"), obj.get("values")) {
        (Some(v), None) => Values {
            items: std::slice::from_ref(v),
            path: obj.at("value"),
            single: true,
        },
        (None, Some(Json::Array(vs))) => Values {
            items: vs,
            path: obj.at("values"),
            single: false,
        },
        (None, Some(other)) => {
            c.wrong_type(&obj.at("values"), "an array", other);
            return None;
        }
        (Some(_), Some(_)) => {
            c.error(
                path,
                ProblemCode::InvalidCondition,
                "give either \"value\" or \"values\", not both",
            );
            return None;
        }
        (None, None) => Values {
            items: &[],
            path: *path,
            single: false,
        },
    };
    let attribute: Box<str> = match (op, obj.get("attribute")) {
        ("inSegment", None) => "key".into(),
        ("inSegment", Some(_)) => {
            c.error(
                &obj.at("attribute"),
                ProblemCode::InvalidCondition,
                "inSegment takes no attribute: the segment says which attribute it matches",
            );
            return None;
        }
        (_, Some(Json::String(a))) if !a.is_empty() => a.as_str().into(),
        (_, Some(other)) => {
            c.wrong_type(&obj.at("attribute"), "a non-empty attribute name", other);
            return None;
        }
        (_, None) => {
            c.error(
                path,
                ProblemCode::MissingField,
                "missing required field \"attribute\"",
            );
            return None;
        }
    };
    let need_values = |c: &mut Checker, min: usize, max: usize| -> bool {
        if values.len() < min || values.len() > max {
            let want = match (min, max) {
                (0, 0) => "no values".to_owned(),
                (1, 1) => "exactly one value".to_owned(),
                _ => "at least one value".to_owned(),
            };
            c.error(
                path,
                ProblemCode::InvalidCondition,
                format!(
                    "operator {op} takes {want}, got {}",
                    values.len(),
                    op = q(op)
                ),
            );
            return false;
        }
        true
    };
    let strings = |c: &mut Checker| -> Option<Vec<Box<str>>> {
        let mut out = Vec::with_capacity(values.len());
        for (v, p) in values.iter() {
            match v {
                Json::String(s) => out.push(Box::from(s.as_str())),
                other => {
                    c.wrong_type(&p, "a string", other);
                    return None;
                }
            }
        }
        Some(out)
    };
    let test = match op {
        "equals" | "in" | "notIn" => {
            if op == "notIn" {
                negate = !negate;
            }
            if !need_values(c, 1, if op == "equals" { 1 } else { usize::MAX }) {
                return None;
            }
            let mut strs = Vec::new();
            let mut numbers = Vec::new();
            let mut bools = [false; 2];
            for (v, p) in values.iter() {
                match v {
                    Json::String(s) => strs.push(Box::from(s.as_str())),
                    Json::Number(n) => numbers.push(n.as_f64().unwrap_or(f64::NAN)),
                    Json::Bool(b) => bools[usize::from(*b)] = true,
                    other => {
                        c.wrong_type(&p, "a string, number or boolean", other);
                        return None;
                    }
                }
            }
            strs.sort();
            strs.dedup();
            Test::OneOf {
                strings: StrSet::new(strs),
                numbers,
                bools,
            }
        }
        "startsWith" | "endsWith" | "contains" => {
            if !need_values(c, 1, usize::MAX) {
                return None;
            }
            let list = strings(c)?;
            match op {
                "startsWith" => Test::StartsWith(list),
                "endsWith" => Test::EndsWith(list),
                _ => Test::Contains(list),
            }
        }
        "lt" | "lte" | "gt" | "gte" => {
            if !need_values(c, 1, 1) {
                return None;
            }
            let (v, p) = values.first()?;
            let Json::Number(n) = v else {
                c.wrong_type(&p, "a number", v);
                return None;
            };
            Test::Number(cmp_of(op), n.as_f64().unwrap_or(f64::NAN))
        }
        "semverEq" | "semverLt" | "semverLte" | "semverGt" | "semverGte" => {
            if !need_values(c, 1, 1) {
                return None;
            }
            let (v, p) = values.first()?;
            let Json::String(s) = v else {
                c.wrong_type(&p, "a version string such as \"2.3.0\"", v);
                return None;
            };
            let Some(version) = semver::parse_owned(s) else {
                c.error(
                    &p,
                    ProblemCode::InvalidSemver,
                    format!("{s} is not a semantic version such as \"2.3.0\"", s = q(s)),
                );
                return None;
            };
            Test::Semver(cmp_of(&op[6..]), Box::new(version))
        }
        "before" | "after" => {
            if !need_values(c, 1, 1) {
                return None;
            }
            let (v, p) = values.first()?;
            let t = timestamp(c, v, &p)?;
            if op == "before" {
                Test::Before(t)
            } else {
                Test::After(t)
            }
        }
        "exists" => {
            if !need_values(c, 0, 0) {
                return None;
            }
            Test::Exists
        }
        "inSegment" => {
            if in_segment {
                c.error(
                    &obj.at("op"),
                    ProblemCode::InvalidCondition,
                    "segments cannot refer to other segments",
                );
                return None;
            }
            if !need_values(c, 1, usize::MAX) {
                return None;
            }
            let mut ids = Vec::new();
            for (v, p) in values.iter() {
                let Json::String(name) = v else {
                    c.wrong_type(&p, "a segment name", v);
                    return None;
                };
                match segments.get(name.as_str()) {
                    Some(&i) => {
                        used_segments[i as usize] = true;
                        ids.push(i);
                    }
                    None => {
                        c.error(
                            &p,
                            ProblemCode::UnknownSegment,
                            format!(
                                "no segment {name} in this config{}",
                                suggestion(name, segments.keys().copied()),
                                name = q(name)
                            ),
                        );
                        return None;
                    }
                }
            }
            Test::InSegment(ids)
        }
        _ => return None,
    };
    Some(Condition {
        attribute: attribute.into(),
        test,
        negate,
    })
}

/// The `value` (one) or `values` (an array) of a condition.
struct Values<'v> {
    items: &'v [Json<'v>],
    /// The path of the `value`, or of the `values` array.
    path: Path<'v>,
    single: bool,
}

impl<'v> Values<'v> {
    fn len(&self) -> usize {
        self.items.len()
    }
    /// Each value with its path.
    fn iter(&self) -> impl Iterator<Item = (&'v Json<'v>, Path<'_>)> + '_ {
        self.items.iter().enumerate().map(move |(i, v)| {
            let path = if self.single {
                self.path
            } else {
                self.path.index(i)
            };
            (v, path)
        })
    }
    fn first(&self) -> Option<(&'v Json<'v>, Path<'_>)> {
        self.iter().next()
    }
}

fn cmp_of(op: &str) -> Cmp {
    match op {
        "Lt" | "lt" => Cmp::Lt,
        "Lte" | "lte" => Cmp::Lte,
        "Gt" | "gt" => Cmp::Gt,
        "Gte" | "gte" => Cmp::Gte,
        _ => Cmp::Eq,
    }
}

fn compile_serve(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
    names: &[&str],
) -> Option<Serve> {
    let obj = Obj::read(c, value, path, SERVE_FIELDS)?;
    let present = SERVE_FIELDS.iter().filter(|f| obj.get(f).is_some()).count();
    if present != 1 {
        c.error(
            path,
            ProblemCode::InvalidValue,
            format!("serve exactly one of \"variant\", \"split\" or \"stages\" (found {present})"),
        );
        return None;
    }
    if let Some(stages) = obj.get("stages") {
        return compile_stages(c, stages, &obj.at("stages"), names);
    }
    compile_simple_serve(c, &obj, names)
}

/// A `variant` or a `split`, from an object that has one of them.
fn compile_simple_serve(c: &mut Checker, obj: &Obj<'_>, names: &[&str]) -> Option<Serve> {
    if let Some(v) = obj.get("variant") {
        return variant_ref(c, v, &obj.at("variant"), names, "this").map(Serve::Variant);
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
    let mut end = 0u32;
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
            .and_then(|v| variant_ref(c, v, &o.at("variant"), names, "this"));
        let weight = o
            .required(c, "weight")
            .and_then(|w| percentage(c, w, &o.at("weight")));
        match (variant, weight) {
            (Some(v), Some(w)) => {
                if !seen.insert(v) {
                    c.error(
                        &o.at("variant"),
                        ProblemCode::DuplicateKey,
                        format!(
                            "variant {} appears twice in this split",
                            q(names[v as usize])
                        ),
                    );
                    ok = false;
                }
                end = end.saturating_add(w);
                if w > 0 {
                    ranges.push((end, v));
                }
            }
            _ => ok = false,
        }
    }
    if ok && end != crate::bucket::BUCKETS {
        c.error(
            &path,
            ProblemCode::WeightsSum,
            format!("weights add up to {}, not 100", format_thousandths(end)),
        );
        return None;
    }
    ok.then_some(Serve::Split(Split { ranges }))
}

/// A set of variant indices: a bit each for the first 64 (no allocation), a list beyond.
#[derive(Default)]
struct VariantSet {
    bits: u64,
    more: Vec<u32>,
}

impl VariantSet {
    /// Adds `v`; false when it was already there.
    fn insert(&mut self, v: u32) -> bool {
        if v < 64 {
            let bit = 1u64 << v;
            let new = self.bits & bit == 0;
            self.bits |= bit;
            new
        } else if self.more.contains(&v) {
            false
        } else {
            self.more.push(v);
            true
        }
    }
}

/// `[1, 2]`: a list of numbers as `{:?}` prints it.
fn numbers(list: &[u32]) -> String {
    let mut out = String::from("[");
    for (i, n) in list.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&n.to_string());
    }
    out.push(']');
    out
}

pub(crate) fn format_thousandths(t: u32) -> String {
    if t % 1000 == 0 {
        format!("{}", t / 1000)
    } else {
        let s = format!("{}.{:03}", t / 1000, t % 1000);
        s.trim_end_matches('0').to_owned()
    }
}

/// The items of a JSON array that must not be empty; reports a wrong type as `expected`
/// and an empty array with `empty_message`.
pub(crate) fn non_empty_array<'a>(
    c: &mut Checker,
    value: &'a Json<'a>,
    path: &Path<'_>,
    expected: &str,
    empty_message: &str,
) -> Option<&'a [Json<'a>]> {
    let Json::Array(items) = value else {
        c.wrong_type(path, expected, value);
        return None;
    };
    if items.is_empty() {
        c.error(path, ProblemCode::InvalidValue, empty_message);
        return None;
    }
    Some(items)
}

fn compile_stages(
    c: &mut Checker,
    value: &Json<'_>,
    path: &Path<'_>,
    names: &[&str],
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
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            suggestion("condtions", ["conditions", "serve"]),
            " (did you mean \"conditions\"?)"
        );
        assert_eq!(suggestion("zzz", ["conditions"]), "");
    }

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
            assert_eq!(&*variant_json(&value), expected, "{value:?}");
        }
    }

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

    #[test]
    fn thousandths() {
        assert_eq!(format_thousandths(100_000), "100");
        assert_eq!(format_thousandths(99_990), "99.99");
        assert_eq!(format_thousandths(5), "0.005");
    }
}
