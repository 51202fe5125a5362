//! Text as the operators read it: case folding for `ignoreCase`, numbers written as text,
//! IP addresses. Evaluation-side helpers borrow and never allocate; the `*_owned` ones run
//! at load.
//!
//! **Case folding** is Unicode's full lowercase mapping, character by character
//! (`char::to_lowercase` of Rust 1.95, from the core's own table in
//! `lowercase.rs`, so every build folds the same whatever Rust compiled it): `JOSÉ` and `josé` are equal, `İ` folds to `i̇` (two characters), `ß` stays
//! `ß` (so `STRASSE` and `straße` differ), final sigma is not special-cased (`Σ` is `σ`
//! everywhere), and no normalisation is applied (`é` and `e` + U+0301 differ). Every
//! binding runs this same code, so every binding agrees.

use std::net::IpAddr;

use crate::lowercase::lower;

/// The case-folded characters of `s` (see the module docs).
#[inline]
pub(crate) fn folded(s: &str) -> impl DoubleEndedIterator<Item = char> + '_ {
    s.chars().flat_map(lower)
}

/// `s` case-folded, for values compiled at load.
pub(crate) fn fold_owned(s: &str) -> Box<str> {
    folded(s).collect::<String>().into_boxed_str()
}

/// Whether `text` folded equals `value` (already folded).
#[inline]
pub(crate) fn eq_folded(text: &str, value: &str) -> bool {
    folded(text).eq(value.chars())
}

/// Whether `text` folded starts with `prefix` (already folded).
#[inline]
pub(crate) fn starts_folded(text: &str, prefix: &str) -> bool {
    let mut t = folded(text);
    prefix.chars().all(|c| t.next() == Some(c))
}

/// Whether `text` folded ends with `suffix` (already folded).
#[inline]
pub(crate) fn ends_folded(text: &str, suffix: &str) -> bool {
    let mut t = text.chars().rev().flat_map(|c| lower(c).rev());
    suffix.chars().rev().all(|c| t.next() == Some(c))
}

/// Whether `text` folded contains `needle` (already folded), starting at a character of
/// `text`: `O(len(text) × len(needle))`.
#[inline]
pub(crate) fn contains_folded(text: &str, needle: &str) -> bool {
    needle.is_empty()
        || text.char_indices().any(|(i, _)| {
            text.get(i..)
                .is_some_and(|rest| starts_folded(rest, needle))
        })
}

/// The largest folded text looked up in a hashed set through a stack buffer.
pub(crate) const FOLD_BUFFER: usize = 256;

/// `text` folded into `buf`, or `None` when it does not fit.
#[inline]
pub(crate) fn fold_into<'b>(text: &str, buf: &'b mut [u8; FOLD_BUFFER]) -> Option<&'b str> {
    let mut len = 0;
    for c in folded(text) {
        let n = c.len_utf8();
        let slot = buf.get_mut(len..len + n)?;
        c.encode_utf8(slot);
        len += n;
    }
    std::str::from_utf8(buf.get(..len)?).ok()
}

/// A string that is a JSON number (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, no
/// spaces) as that number, if finite: how `lt` ... `gte` read numbers sent as text.
#[inline]
pub(crate) fn json_number(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let int_start = i;
    let n = digits(&mut i);
    if n == 0 || (n > 1 && b.get(int_start) == Some(&b'0')) {
        return None;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return None;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    // serde_json's parser (already in the build, unlike core's `f64::from_str` and its
    // tables): the same f64 as a number in a JSON context; out of range is an error.
    s.parse::<serde_json::Number>()
        .ok()?
        .as_f64()
        .filter(|n| n.is_finite())
}

/// An IP range (`inCidr`), parsed at load: IPv4 ranges hold IPv4 addresses only, IPv6
/// ranges IPv6 addresses only (an IPv4-mapped IPv6 address is IPv6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    v6: bool,
    network: u128,
    mask: u128,
}

impl Cidr {
    /// `10.0.0.0/8`, `2001:db8::/32`, or a bare address (one address). Host bits set
    /// below the prefix (`10.1.2.3/8`) are refused: a typo more often than intent.
    pub(crate) fn parse(text: &str) -> Option<Cidr> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let (v6, bits, width) = match addr.parse::<IpAddr>().ok()? {
            IpAddr::V4(a) => (false, u128::from(u32::from(a)), 32),
            IpAddr::V6(a) => (true, u128::from(a), 128),
        };
        let prefix = match prefix {
            None => width,
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|c| c.is_ascii_digit()) => {
                p.parse::<u32>().ok().filter(|&p| p <= width)?
            }
            Some(_) => return None,
        };
        let host_bits = width - prefix;
        let mask = if host_bits >= 128 {
            0
        } else {
            (u128::MAX << host_bits) & (u128::MAX >> (128 - width))
        };
        (bits & !mask == 0).then_some(Cidr {
            v6,
            network: bits,
            mask,
        })
    }

    /// Whether `addr` (text) is an address in this range (`None`: not an address).
    #[inline]
    pub(crate) fn contains(&self, addr: IpAddr) -> bool {
        let (v6, bits) = match addr {
            IpAddr::V4(a) => (false, u128::from(u32::from(a))),
            IpAddr::V6(a) => (true, u128::from(a)),
        };
        v6 == self.v6 && bits & self.mask == self.network
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert!(eq_folded("JOSÉ", "josé"));
        assert!(!eq_folded("JOSE\u{301}", "josé"));
        assert!(eq_folded("İ", "i\u{307}"));
        assert!(!eq_folded("STRASSE", "straße"));
        assert!(starts_folded("ÀBC", "àb"));
        assert!(ends_folded("xxİ", "i\u{307}"));
        assert!(!ends_folded("xxI", "i\u{307}"));
        assert!(contains_folded("Mozilla CHROME/1", "chrome/"));
        assert!(!contains_folded("Mozilla", "zillaa"));
        let mut buf = [0u8; FOLD_BUFFER];
        assert_eq!(fold_into("ÀB", &mut buf), Some("àb"));
        assert_eq!(fold_into(&"A".repeat(300), &mut buf), None);
    }

    #[test]
    fn numbers_as_text() {
        for (s, n) in [
            ("12", 12.0),
            ("-0.5", -0.5),
            ("1e3", 1000.0),
            ("0", 0.0),
            ("2E-1", 0.2),
        ] {
            assert_eq!(json_number(s), Some(n), "{s}");
        }
        for s in [
            "", "-", "012", "1.", ".5", "+1", " 1", "1 ", "0x10", "inf", "NaN", "1e400", "1e", "١٢",
        ] {
            assert_eq!(json_number(s), None, "{s}");
        }
    }

    #[test]
    fn cidrs() {
        let c = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(c.contains("10.255.0.1".parse().unwrap()));
        assert!(!c.contains("11.0.0.1".parse().unwrap()));
        assert!(!c.contains("::ffff:10.0.0.1".parse().unwrap()));
        let c = Cidr::parse("2001:db8::/32").unwrap();
        assert!(c.contains("2001:db8:ffff::1".parse().unwrap()));
        assert!(!c.contains("2001:db9::1".parse().unwrap()));
        assert!(Cidr::parse("0.0.0.0/0")
            .unwrap()
            .contains("1.2.3.4".parse().unwrap()));
        assert!(Cidr::parse("::/0")
            .unwrap()
            .contains("::1".parse().unwrap()));
        assert!(Cidr::parse("1.2.3.4")
            .unwrap()
            .contains("1.2.3.4".parse().unwrap()));
        for bad in [
            "10.1.0.0/8",
            "10.0.0.0/33",
            "10.0.0.0/",
            "10.0.0/8",
            "x",
            "::/129",
            "1.2.3.4/+8",
        ] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }
}
