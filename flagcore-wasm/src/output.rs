//! JSON text for results that cross into JavaScript (which `JSON.parse`s it). Written by
//! hand into a reused buffer: the evaluation borrows from the config, so nothing is cloned.

#[cfg(feature = "plans")]
use flagcore::PlanError;
use flagcore::{ConfigError, Evaluation, Problem, StoreError};

/// Appends `s` as a JSON string literal.
pub(crate) fn string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

fn opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

fn unsigned(out: &mut Vec<u8>, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut v = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

fn opt_unsigned(out: &mut Vec<u8>, n: Option<u32>) {
    match n {
        Some(n) => unsigned(out, u64::from(n)),
        None => out.extend_from_slice(b"null"),
    }
}

/// The fields of an evaluation row, in order: the npm package's `EvaluationResult` keys
/// (the same fields and spelling as the core's `EvaluationDetails`). `js/flagcore.js`
/// builds its result objects from rows in this order.
#[cfg(test)]
pub(crate) const ROW_FIELDS: [&str; 9] = [
    "flagKey",
    "value",
    "variant",
    "reason",
    "errorCode",
    "ruleIndex",
    "ruleId",
    "bucket",
    "prerequisite",
];

/// Appends one evaluation as the nine JSON values of a row (see [`ROW_FIELDS`]), comma
/// separated, without brackets. Rows instead of objects: `JSON.parse` of arrays plus
/// building the objects in JS takes about a third of the time of parsing the objects.
pub(crate) fn evaluation_row(out: &mut Vec<u8>, e: &Evaluation<'_>) {
    string(out, e.flag_key);
    out.push(b',');
    out.extend_from_slice(e.value_json.unwrap_or("null").as_bytes());
    out.push(b',');
    opt_string(out, e.variant);
    out.extend_from_slice(b",\"");
    out.extend_from_slice(e.reason.as_str().as_bytes());
    out.extend_from_slice(b"\",");
    opt_string(out, e.error.map(|c| c.as_str()));
    out.push(b',');
    opt_unsigned(out, e.rule_index);
    out.push(b',');
    opt_string(out, e.rule_id);
    out.push(b',');
    opt_unsigned(out, e.bucket);
    out.push(b',');
    opt_string(out, e.prerequisite);
}

/// The number of `u32` words of an evaluation as [`evaluation_words`] writes it
/// (`WORDS` in `js/flagcore.js`).
#[cfg(test)]
pub(crate) const ROW_WORDS: usize = 19;

/// Appends where a string lies in the WASM memory: its address and length in bytes (0, 0
/// for none). The strings are the config's (or `'static`), so they stay put while the
/// config serves; JS reads them from the memory.
fn text(rows: &mut Vec<u32>, s: Option<&str>) {
    let (at, len) = s.map_or((0, 0), |s| (s.as_ptr() as usize, s.len()));
    rows.extend_from_slice(&[at as u32, len as u32]);
}

/// Appends one evaluation as [`ROW_WORDS`] words, for `evaluateAllRows` (read by
/// `js/flagcore.js`, `allRows`): the flag key (address, length); variant index + 1 (0:
/// none) and the variant; the value's JSON text; the reason's code and name; the error's
/// code (0: none) and name; rule index + 1 (0: none) and the rule id; bucket + 1 (0: none);
/// the prerequisite. Numbers and addresses instead of JSON text: JS keeps the strings (and
/// parsed values) per revision, so a call builds no text and parses none.
pub(crate) fn evaluation_words(rows: &mut Vec<u32>, e: &Evaluation<'_>) {
    let plus_one = |n: Option<u32>| n.map_or(0, |n| n.saturating_add(1));
    text(rows, Some(e.flag_key));
    rows.push(plus_one(e.variant_index));
    text(rows, e.variant);
    text(rows, e.value_json);
    rows.push(e.reason.code());
    text(rows, Some(e.reason.as_str()));
    rows.push(e.error.map_or(0, |c| c.code()));
    text(rows, e.error.map(|c| c.as_str()));
    rows.push(plus_one(e.rule_index));
    text(rows, e.rule_id);
    rows.push(plus_one(e.bucket));
    text(rows, e.prerequisite);
}

/// Appends a JSON array: `item` writes each element.
pub(crate) fn array<T>(
    out: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    mut item: impl FnMut(&mut Vec<u8>, T),
) {
    out.push(b'[');
    for (i, x) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        item(out, x);
    }
    out.push(b']');
}

/// Appends every evaluation, in config order, as one flat JSON array of rows.
pub(crate) fn evaluation_rows<'a>(out: &mut Vec<u8>, all: impl Iterator<Item = Evaluation<'a>>) {
    array(out, all, |out, e| evaluation_row(out, &e));
}

/// Appends a list of problems: `[{"severity","code","path","message"}, ...]`.
pub(crate) fn problems(out: &mut Vec<u8>, problems: &[Problem]) {
    array(out, problems, |out, p| {
        out.extend_from_slice(b"{\"severity\":");
        string(
            out,
            match p.severity {
                flagcore::Severity::Error => "error",
                flagcore::Severity::Warning => "warning",
            },
        );
        out.extend_from_slice(b",\"code\":");
        string(out, p.code.as_str());
        out.extend_from_slice(b",\"path\":");
        string(out, &p.path);
        out.extend_from_slice(b",\"message\":");
        string(out, &p.message);
        out.push(b'}');
    });
}

/// The result of an accepted update: `{"revision": n, "warnings": [...]}`.
pub(crate) fn update(out: &mut Vec<u8>, revision: u64, warnings: &[Problem]) {
    out.extend_from_slice(b"{\"revision\":");
    unsigned(out, revision);
    out.extend_from_slice(b",\"warnings\":");
    problems(out, warnings);
    out.push(b'}');
}

/// A failure, as the JS wrapper turns it into an `Error` subclass:
/// `{"kind": "config" | "store", "code": ..., "message": ..., "problems": [...]}`.
pub(crate) fn config_error(e: &ConfigError) -> String {
    let mut out = Vec::new();
    out.extend_from_slice(b"{\"kind\":\"config\",\"code\":\"INVALID_CONFIG\",\"message\":");
    string(&mut out, &e.message());
    out.extend_from_slice(b",\"problems\":");
    problems(&mut out, &e.problems());
    out.push(b'}');
    into_string(out)
}

/// A store failure (rollback without history, override of an unknown flag or variant).
pub(crate) fn store_error(e: &StoreError) -> String {
    if let StoreError::Config(config) = e {
        return config_error(config);
    }
    let code = e.code().as_str();
    let mut out = Vec::new();
    out.extend_from_slice(b"{\"kind\":\"store\",\"code\":");
    string(&mut out, code);
    out.extend_from_slice(b",\"message\":");
    string(&mut out, &e.message());
    out.extend_from_slice(b",\"problems\":[]}");
    into_string(out)
}

#[cfg(feature = "plans")]
/// A rollout-plan failure as JSON text: `{"kind": "plan", "code", "message"}`.
pub(crate) fn plan_error(e: &PlanError) -> String {
    if let PlanError::Store(StoreError::Config(config)) = e {
        return config_error(config);
    }
    // Store failures of a plan call (OVERRIDDEN, STALE_DECISION, ...) are plan errors with
    // the store's code, as in Python and C: one code table, one class per call family.
    let code = e.code().as_str();
    let mut out = Vec::new();
    out.extend_from_slice(b"{\"kind\":\"plan\",\"code\":");
    string(&mut out, code);
    out.extend_from_slice(b",\"message\":");
    string(&mut out, &e.to_string());
    out.extend_from_slice(b",\"problems\":[]}");
    into_string(out)
}

/// The buffer as a `String`. Everything written above is UTF-8 (ASCII plus copied `&str`s),
/// so the check never fails; it costs less code than a lossy conversion.
pub(crate) fn into_string(out: Vec<u8>) -> String {
    String::from_utf8(out).unwrap_or_default()
}

/// A copy of the buffer as a `String`, keeping the buffer's allocation for reuse.
pub(crate) fn to_string(out: &[u8]) -> String {
    into_string(out.to_vec())
}
