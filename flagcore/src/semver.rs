//! Semantic versions (semver 2.0.0 precedence), parsed without allocating.
//!
//! Accepted: `MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD]`, with an optional leading `v`.
//! Missing minor or patch count as 0 (`2.3` is `2.3.0`), because app versions are often
//! written that way. Build metadata is ignored, as semver says.

use std::cmp::Ordering;

/// A parsed version that borrows its prerelease text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Version<'a> {
    core: [u64; 3],
    pre: &'a str,
}

/// A version parsed from a text kept elsewhere (a context attribute): the prerelease as a
/// byte range of that text, so the parse can be cached beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VersionIn {
    core: [u64; 3],
    pre_start: usize,
    pre_end: usize,
}

impl VersionIn {
    /// Parses `text`; `None` when it is not a version.
    pub(crate) fn parse(text: &str) -> Option<VersionIn> {
        let v = parse(text)?;
        // `pre` is a subslice of `text`: its offset is the difference of the pointers.
        let pre_start = (v.pre.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
        let pre_start = if v.pre.is_empty() { 0 } else { pre_start };
        Some(VersionIn {
            core: v.core,
            pre_start,
            pre_end: pre_start + v.pre.len(),
        })
    }

    /// The version, borrowing its prerelease from `text` (the text it was parsed from).
    pub(crate) fn in_text(self, text: &str) -> Version<'_> {
        Version {
            core: self.core,
            pre: text.get(self.pre_start..self.pre_end).unwrap_or(""),
        }
    }
}

/// A version parsed at load time, owning its prerelease text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OwnedVersion {
    core: [u64; 3],
    pre: Box<str>,
}

impl OwnedVersion {
    pub(crate) fn as_version(&self) -> Version<'_> {
        Version {
            core: self.core,
            pre: &self.pre,
        }
    }
}

impl VersionIn {
    /// `self.in_text(text).cmp(&want.as_version())`, decided by the numbers alone when
    /// they differ (the prereleases are read only when they are equal).
    #[cfg(not(target_arch = "wasm32"))]
    #[inline]
    pub(crate) fn cmp_owned(&self, text: &str, want: &OwnedVersion) -> Ordering {
        let (a, b) = (self.core, want.core);
        match (a[0], a[1], a[2]).cmp(&(b[0], b[1], b[2])) {
            Ordering::Equal => self.in_text(text).cmp(&want.as_version()),
            decided => decided,
        }
    }
}

fn parse_number(s: &str) -> Option<u64> {
    if s.is_empty() || (s.len() > 1 && s.starts_with('0')) || !s.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    crate::text::digits_value(s, 10)
}

fn valid_identifiers(s: &str, numeric_no_leading_zero: bool) -> bool {
    s.split('.').all(|id| {
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !(numeric_no_leading_zero
                && id.len() > 1
                && id.starts_with('0')
                && id.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Parses a version; `None` when it is not one.
pub(crate) fn parse(text: &str) -> Option<Version<'_>> {
    parse_plain(text).or_else(|| parse_general(text))
}

/// Any semver text (see the module docs).
fn parse_general(text: &str) -> Option<Version<'_>> {
    let s = text.strip_prefix(['v', 'V']).unwrap_or(text);
    let (s, build) = match s.split_once('+') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    if let Some(b) = build {
        if !valid_identifiers(b, false) {
            return None;
        }
    }
    let (core_text, pre) = match s.split_once('-') {
        Some((a, p)) => (a, p),
        None => (s, ""),
    };
    if (!pre.is_empty() || s.contains('-')) && !valid_identifiers(pre, true) {
        return None;
    }
    let mut core = [0u64; 3];
    for (count, part) in core_text.split('.').enumerate() {
        if count == 3 {
            return None;
        }
        core[count] = parse_number(part)?;
    }
    Some(Version { core, pre })
}

/// The common case, one to three dot-separated numbers (`2.4.1`), in one pass over the
/// bytes, without the string searches of the general parser (this runs for every
/// evaluation of a semver condition). `None` means "not this simple form": the general
/// parser then decides, so both accept and reject exactly the same texts.
#[inline]
fn parse_plain(text: &str) -> Option<Version<'_>> {
    let mut core = [0u64; 3];
    let mut part = 0;
    let mut digits = 0u32;
    let mut leading_zero = false;
    for &b in text.as_bytes() {
        match b {
            b'0'..=b'9' => {
                // A leading zero, or more digits than surely fit a u64: the general parser.
                if leading_zero || digits == 19 {
                    return None;
                }
                leading_zero = digits == 0 && b == b'0';
                core[part] = core[part] * 10 + u64::from(b - b'0');
                digits += 1;
            }
            b'.' if digits > 0 && part < 2 => {
                part += 1;
                digits = 0;
                leading_zero = false;
            }
            _ => return None,
        }
    }
    (digits > 0).then_some(Version { core, pre: "" })
}

/// Parses a version for keeping (at load).
pub(crate) fn parse_owned(text: &str) -> Option<OwnedVersion> {
    parse(text).map(|v| OwnedVersion {
        core: v.core,
        pre: v.pre.into(),
    })
}

fn compare_identifier(a: &str, b: &str) -> Ordering {
    let an = a.bytes().all(|c| c.is_ascii_digit());
    let bn = b.bytes().all(|c| c.is_ascii_digit());
    match (an, bn) {
        // Numeric identifiers have no leading zeros, so length then text orders them.
        (true, true) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

impl Ord for Version<'_> {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        self.core
            .cmp(&other.core)
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    let mut a = self.pre.split('.');
                    let mut b = other.pre.split('.');
                    loop {
                        match (a.next(), b.next()) {
                            (None, None) => return Ordering::Equal,
                            (None, Some(_)) => return Ordering::Less,
                            (Some(_), None) => return Ordering::Greater,
                            (Some(x), Some(y)) => match compare_identifier(x, y) {
                                Ordering::Equal => continue,
                                other => return other,
                            },
                        }
                    }
                }
            })
    }
}

impl PartialOrd for Version<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version<'_> {
        parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn precedence_follows_the_spec() {
        let ordered = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for w in ordered.windows(2) {
            assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
        }
    }

    #[test]
    fn the_fast_path_agrees_with_the_general_parser() {
        let texts = [
            "0",
            "1",
            "2.3",
            "2.3.0",
            "2.2.9",
            "10.20.30",
            "0.0.0",
            "01",
            "1.01",
            "1.0.01",
            "00",
            "1.",
            ".1",
            "1..2",
            "1.2.3.4",
            "",
            "v1.2.3",
            "1.2.3-rc.1",
            "1.2.3+build",
            "18446744073709551615",
            "18446744073709551616",
            "9999999999999999999",
            "1.9999999999999999999",
            "99999999999999999999.0",
            "1.2.x",
            " 1.2.3",
            "1.2.3 ",
        ];
        for t in texts {
            if let Some(fast) = parse_plain(t) {
                assert_eq!(Some(fast), parse_general(t), "{t:?}");
            }
            assert_eq!(parse(t), parse_general(t), "{t:?}");
        }
        assert!(
            parse_plain("2.2.9").is_some(),
            "the common case takes the fast path"
        );
    }

    #[test]
    fn lenient_forms() {
        assert_eq!(v("2.3"), v("2.3.0"));
        assert_eq!(v("v2"), v("2.0.0"));
        assert_eq!(v("1.2.3+build.5").cmp(&v("1.2.3")), Ordering::Equal);
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "a.b.c",
            "1.2.3.4",
            "01.2.3",
            "1.2.3-",
            "1..2",
            "1.2.3-a..b",
            "1.2.3-01",
            " 1.2",
        ] {
            assert!(parse(bad).is_none(), "{bad:?} should not parse");
        }
    }
}
