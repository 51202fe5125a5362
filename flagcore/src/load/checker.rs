//! The validation kit: the checker that collects problems, objects read field by field,
//! suggestions for misspellings, and the value readers every part of the config shares.

use crate::context::key_eq;
use crate::error::{Problem, ProblemCode, Severity};
use crate::json::{q, Json, JsonStr, Path};
use crate::message::{msg, Listed};
use crate::model::StrSeen;
use crate::units::parse_rfc3339;

/// The problems listed in a report, per severity; beyond them, a count per code (one
/// more problem, `too_many_problems`, says how many and of which kinds). A config with
/// a million duplicate keys then costs a hundred messages, not a million: what a store
/// retains per revision stays about the size of its config.
pub(crate) const MAX_LISTED_PROBLEMS: usize = 100;
/// The "did you mean" suggestions one validation computes; beyond them, none.
const MAX_SUGGESTIONS: u32 = 100;
/// Words longer than this (in bytes) get no suggestion, and candidates longer than this
/// are skipped: the edit distance costs the product of the two lengths.
const SUGGESTION_MAX_LEN: usize = 64;
/// The candidates one suggestion compares (after the cheap length filter), and the
/// candidates it looks at in all.
const SUGGESTION_MAX_COMPARED: usize = 256;
const SUGGESTION_MAX_SCANNED: usize = 4_096;

#[derive(Debug)]
pub(crate) struct Checker {
    pub(crate) errors: Vec<Problem>,
    pub(crate) warnings: Vec<Problem>,
    /// Problems beyond [`MAX_LISTED_PROBLEMS`]: errors then warnings, a count per code.
    omitted: [Vec<(ProblemCode, usize)>; 2],
    suggestions_left: u32,
}

impl Default for Checker {
    fn default() -> Self {
        Checker {
            errors: Vec::new(),
            warnings: Vec::new(),
            omitted: [Vec::new(), Vec::new()],
            suggestions_left: MAX_SUGGESTIONS,
        }
    }
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
        let (list, omitted) = match severity {
            Severity::Error => (&mut self.errors, &mut self.omitted[0]),
            Severity::Warning => (&mut self.warnings, &mut self.omitted[1]),
        };
        if list.len() >= MAX_LISTED_PROBLEMS {
            match omitted.iter_mut().find(|(c, _)| *c == code) {
                Some((_, n)) => *n += 1,
                None => omitted.push((code, 1)),
            }
            return;
        }
        list.push(Problem {
            severity,
            code,
            path: clipped(msg!(path)),
            message: clipped(message),
        });
    }
    #[inline(never)]
    pub(crate) fn wrong_type(&mut self, path: &Path<'_>, expected: &str, got: &Json<'_>) {
        self.error(
            path,
            ProblemCode::WrongType,
            msg!("expected ", expected, ", got ", got.type_name()),
        );
    }

    /// ` (did you mean "x"?)`, or nothing; see [`suggestion`]. Only the first
    /// [`MAX_SUGGESTIONS`] problems of a validation get one.
    pub(crate) fn suggest<'a>(
        &mut self,
        word: &str,
        options: impl IntoIterator<Item = &'a str>,
    ) -> String {
        if self.suggestions_left == 0 {
            return String::new();
        }
        self.suggestions_left -= 1;
        suggestion(word, &mut options.into_iter())
    }

    /// The problems found: at most [`MAX_LISTED_PROBLEMS`] of each severity, then one
    /// `too_many_problems` of that severity counting the rest by code.
    pub(crate) fn finish(self) -> (Vec<Problem>, Vec<Problem>) {
        let [omitted_errors, omitted_warnings] = self.omitted;
        let mut errors = self.errors;
        let mut warnings = self.warnings;
        for (severity, list, omitted) in [
            (Severity::Error, &mut errors, omitted_errors),
            (Severity::Warning, &mut warnings, omitted_warnings),
        ] {
            if omitted.is_empty() {
                continue;
            }
            let total: usize = omitted.iter().map(|(_, n)| n).sum();
            let mut kinds = String::new();
            for (i, (c, n)) in omitted.iter().enumerate() {
                if i > 0 {
                    kinds.push_str(", ");
                }
                kinds.push_str(c.as_str());
                kinds.push_str(": ");
                crate::number::write_u64(&mut kinds, *n as u64);
            }
            let noun = match severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            list.push(Problem {
                severity,
                code: ProblemCode::TooManyProblems,
                path: "$".to_owned(),
                message: msg!(
                    total,
                    " more ",
                    noun,
                    if total == 1 { "" } else { "s" },
                    " not listed (only the first ",
                    MAX_LISTED_PROBLEMS,
                    " are): ",
                    kinds
                ),
            });
        }
        (errors, warnings)
    }
}

/// The longest path or message a problem keeps, in bytes: a key of a megabyte named in
/// a hundred problems would otherwise cost a hundred megabytes.
pub(crate) const MAX_PROBLEM_TEXT: usize = 1024;

/// `text`, cut at [`MAX_PROBLEM_TEXT`] bytes (on a character boundary) with a note of how
/// much was left out.
fn clipped(mut text: String) -> String {
    if text.len() <= MAX_PROBLEM_TEXT {
        return text;
    }
    let total = text.len();
    let mut end = MAX_PROBLEM_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push_str(&msg!("... (", total - end, " more bytes)"));
    text
}

/// Levenshtein distance over characters, ignoring ASCII case (ASCII only: Unicode case
/// tables would add 11 KB to the `.wasm` for the sake of a suggestion). Stops early with
/// `limit + 1` once every path costs more than `limit`. The rows are on the stack:
/// [`suggestion`] compares texts of at most [`SUGGESTION_MAX_LEN`] bytes, and a longer `b`
/// counts as too far (`limit + 1`).
pub(crate) fn edit_distance(a: &str, b: &str, limit: usize) -> usize {
    const N: usize = SUGGESTION_MAX_LEN;
    let mut chars = ['\0'; N];
    let mut len = 0;
    for c in b.chars() {
        let Some(slot) = chars.get_mut(len) else {
            return limit + 1;
        };
        *slot = c.to_ascii_lowercase();
        len += 1;
    }
    let b = &chars[..len];
    let mut prev = [0usize; N + 1];
    for (j, p) in prev.iter_mut().enumerate() {
        *p = j;
    }
    let mut cur = [0usize; N + 1];
    for (i, ca) in a.chars().map(|c| c.to_ascii_lowercase()).enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// ` (did you mean "x"?)` for the option closest to `word`, when close enough. Bounded
/// whatever the input: words and options over [`SUGGESTION_MAX_LEN`] bytes are skipped,
/// so are options whose length differs by more than the largest distance suggested, and
/// at most [`SUGGESTION_MAX_COMPARED`] of the first [`SUGGESTION_MAX_SCANNED`] options are
/// compared. The options come as `dyn Iterator`: one copy of this scan in the `.wasm`
/// instead of one per kind of candidate list (the callers' adapters stay small).
pub(crate) fn suggestion(word: &str, options: &mut dyn Iterator<Item = &str>) -> String {
    const MAX_DISTANCE: usize = 3;
    if word.len() > SUGGESTION_MAX_LEN {
        return String::new();
    }
    let limit = if word.len() > 6 { MAX_DISTANCE } else { 2 };
    let word_chars = word.chars().count();
    let best = options
        .take(SUGGESTION_MAX_SCANNED)
        .filter(|o| {
            o.len() <= SUGGESTION_MAX_LEN && o.chars().count().abs_diff(word_chars) <= limit
        })
        .take(SUGGESTION_MAX_COMPARED)
        .map(|o| (edit_distance(word, o, limit), o))
        .min();
    match best {
        Some((d, o)) if d <= limit => msg!(" (did you mean ", q(o), "?)"),
        _ => String::new(),
    }
}

/// An object being read: reports duplicate and unknown keys once, on creation.
pub(crate) struct Obj<'a> {
    pub(crate) entries: &'a [(JsonStr<'a>, Json<'a>)],
    pub(crate) path: Path<'a>,
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
        if known_fields_once(entries, allowed) {
            return Some(Obj {
                entries,
                path: *path,
            });
        }
        check_duplicates(c, entries, path);
        for (k, _) in entries.iter() {
            if !allowed.iter().any(|f| key_eq(f, k)) {
                let suggestion = c.suggest(k, allowed.iter().copied());
                c.error(
                    &path.key(k),
                    ProblemCode::UnknownField,
                    msg!(
                        "unknown field ",
                        q(k),
                        suggestion,
                        "; allowed here: ",
                        Listed(allowed)
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
    pub(crate) fn checked_before(value: &'a Json<'a>, path: &Path<'a>) -> Option<Obj<'a>> {
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
            .find(|(k, _)| key_eq(k, name))
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
                msg!("missing required field ", q(name)),
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

    /// The `bucketBy` field (of a flag or a layer): the attribute to bucket by, `key` when
    /// absent or wrong (reported: an empty name is `invalid_value`, another type `wrong_type`).
    pub(crate) fn bucket_by(&self, c: &mut Checker) -> &'a str {
        match self.get("bucketBy") {
            Some(Json::String(s)) if !s.is_empty() => s.as_str(),
            Some(Json::String(_)) => {
                c.error(
                    &self.at("bucketBy"),
                    ProblemCode::InvalidValue,
                    "bucketBy must name an attribute",
                );
                "key"
            }
            Some(other) => {
                c.wrong_type(&self.at("bucketBy"), "an attribute name", other);
                "key"
            }
            None => "key",
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

/// Whether every key of `entries` is one of `allowed`, each at most once: true for most
/// objects of a config, which then need neither the duplicate check nor the unknown-field
/// reports (a bit per field seen instead of comparing every pair of keys). False (or a
/// list of over 64 allowed fields) sends the object through [`check_duplicates`] and the
/// unknown-field check, which report.
fn known_fields_once(entries: &[(JsonStr<'_>, Json<'_>)], allowed: &[&str]) -> bool {
    if allowed.len() > 64 {
        return false;
    }
    let mut seen = 0u64;
    for (k, _) in entries {
        let Some(f) = allowed.iter().position(|f| key_eq(f, k)) else {
            return false;
        };
        let bit = 1u64 << f;
        if seen & bit != 0 {
            return false;
        }
        seen |= bit;
    }
    true
}

/// Objects up to this size are checked for duplicate keys by comparing every pair (a
/// hash set per object cost more than the comparisons).
pub(crate) const LINEAR_DUPLICATES_MAX: usize = 16;

pub(crate) fn check_duplicates(
    c: &mut Checker,
    entries: &[(JsonStr<'_>, Json<'_>)],
    path: &Path<'_>,
) {
    if entries.len() < 2 {
        return;
    }
    if entries.len() <= LINEAR_DUPLICATES_MAX {
        for (i, (k, _)) in entries.iter().enumerate() {
            if entries[..i].iter().any(|(earlier, _)| key_eq(earlier, k)) {
                report_duplicate(c, k, path);
            }
        }
        return;
    }
    let mut seen: StrSeen<'_> = StrSeen::with_capacity(entries.len());
    for (k, _) in entries {
        if seen.insert(k, 0).is_some() {
            report_duplicate(c, k, path);
        }
    }
}

/// Duplicate keys in every object inside `value` (free-form JSON: `metadata`, variant
/// values), which nothing else reads field by field. Recursion is bounded by the parser's
/// nesting limit.
pub(crate) fn check_nested_duplicates(c: &mut Checker, value: &Json<'_>, path: &Path<'_>) {
    match value {
        Json::Object(entries) => {
            check_duplicates(c, entries, path);
            for (k, v) in entries.iter() {
                if matches!(v, Json::Object(_) | Json::Array(_)) {
                    check_nested_duplicates(c, v, &path.key(k));
                }
            }
        }
        Json::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                if matches!(v, Json::Object(_) | Json::Array(_)) {
                    check_nested_duplicates(c, v, &path.index(i));
                }
            }
        }
        _ => {}
    }
}

pub(crate) fn report_duplicate(c: &mut Checker, k: &str, path: &Path<'_>) {
    c.error(
        &path.key(k),
        ProblemCode::DuplicateKey,
        msg!("key ", q(k), " appears more than once in this object"),
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
            msg!(n, " is outside 0..=100"),
        );
        return None;
    }
    let scaled = f * 1000.0;
    let rounded = scaled.round();
    if (scaled - rounded).abs() > 1e-6 {
        c.error(
            path,
            ProblemCode::PercentagePrecision,
            msg!(n, " has more than three decimals; the resolution is 0.001"),
        );
        return None;
    }
    Some(rounded as u32)
}

pub(crate) fn timestamp(c: &mut Checker, value: &Json<'_>, path: &Path<'_>) -> Option<i64> {
    match value {
        Json::String(s) => match parse_rfc3339(s) {
            Some(t) => Some(t),
            None => {
                c.error(
                    path,
                    ProblemCode::InvalidTimestamp,
                    msg!(
                        q(s),
                        " is not an RFC 3339 timestamp such as \"2026-11-22T09:00:00Z\""
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
                    msg!(n, " is not a whole number of Unix milliseconds"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            suggestion("condtions", &mut ["conditions", "serve"].into_iter()),
            " (did you mean \"conditions\"?)"
        );
        assert_eq!(suggestion("zzz", &mut ["conditions"].into_iter()), "");
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("kitten", "sitting", 3), 3);
        assert_eq!(edit_distance("Flag", "fLAG", 2), 0);
        assert_eq!(edit_distance("abcdef", "zzzzzz", 2), 3); // stops early at limit + 1
        let longest = "x".repeat(SUGGESTION_MAX_LEN);
        assert_eq!(edit_distance(&longest, &longest, 3), 0);
        assert_eq!(
            edit_distance("é", &"é".repeat(SUGGESTION_MAX_LEN / 2), 40),
            31
        );
        // Longer than the rows on the stack: too far.
        assert_eq!(
            edit_distance("x", &"x".repeat(SUGGESTION_MAX_LEN + 1), 3),
            4
        );
    }
}
