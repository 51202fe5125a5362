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

use crate::lowercase::lower;

/// The case-folded characters of `s` (see the module docs).
#[inline]
pub(crate) fn folded(s: &str) -> Folded<std::str::Chars<'_>> {
    Folded {
        chars: s.chars(),
        pending: None,
        backwards: false,
    }
}

/// The case-folded characters of `chars`, read forwards or (`backwards`, for `chars`
/// reversed) backwards: one small iterator instead of `flat_map(lower)`'s.
pub(crate) struct Folded<I> {
    chars: I,
    /// The second character of a two-character lowercase, still to give.
    pending: Option<char>,
    backwards: bool,
}

impl<I: Iterator<Item = char>> Iterator for Folded<I> {
    type Item = char;

    #[inline]
    fn next(&mut self) -> Option<char> {
        if let Some(c) = self.pending.take() {
            return Some(c);
        }
        let (one, two) = lower(self.chars.next()?);
        let Some(two) = two else {
            return Some(one);
        };
        let (first, second) = if self.backwards {
            (two, one)
        } else {
            (one, two)
        };
        self.pending = Some(second);
        Some(first)
    }
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
    let mut t = Folded {
        chars: text.chars().rev(),
        pending: None,
        backwards: true,
    };
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

/// `s`, digits in `radix` only (at least one), as a number; `None` otherwise or over
/// `u64::MAX`. What `str::parse` reads from such text, without std's integer parser and its
/// sign handling in the `.wasm`.
pub(crate) fn digits_value(s: &str, radix: u32) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.bytes().try_fold(0u64, |n, b| {
        let digit = char::from(b).to_digit(radix)?;
        n.checked_mul(u64::from(radix))?
            .checked_add(u64::from(digit))
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
    // serde_json's reading (crate::number; smaller than core's `f64::from_str` and its
    // tables): the same f64 as a number in a JSON context; out of range is an error.
    crate::number::parse(s)?.as_f64().filter(|n| n.is_finite())
}

/// An IP address (`inCidr`): `v6`, and the address's bits (IPv4 in the low 32).
pub(crate) type Ip = (bool, u128);

/// `text` as an IP address, exactly as Rust's `str::parse::<std::net::IpAddr>` reads it
/// (the same steps; a differential test below holds it to std): four decimal octets without
/// leading zeros, or eight hexadecimal groups of at most four digits with at most one `::`
/// and an optional IPv4 address as the last two. Its own code because std's parser costs
/// the `.wasm` about 1 KB gzipped more.
pub(crate) fn parse_ip(text: &str) -> Option<Ip> {
    let mut p = IpParser {
        text: text.as_bytes(),
        pos: 0,
    };
    let ip = match p.ipv4() {
        Some(v4) => (false, u128::from(v4)),
        None => (true, p.ipv6()?),
    };
    (p.pos == text.len()).then_some(ip)
}

/// std's `core::net::parser`, steps for steps: each read either succeeds and moves on, or
/// fails and leaves the position where it was.
struct IpParser<'a> {
    text: &'a [u8],
    pos: usize,
}

impl IpParser<'_> {
    fn eat(&mut self, b: u8) -> bool {
        let hit = self.text.get(self.pos) == Some(&b);
        self.pos += usize::from(hit);
        hit
    }

    /// The longest run of digits in `radix`, its value if it has 1 to `max` digits (and, in
    /// decimal, no leading zero).
    fn number(&mut self, radix: u32, max: usize) -> Option<u32> {
        let start = self.pos;
        let mut value = 0u32;
        while let Some(d) = self
            .text
            .get(self.pos)
            .and_then(|&b| char::from(b).to_digit(radix))
        {
            value = value * radix + d;
            self.pos += 1;
            if self.pos - start > max {
                break;
            }
        }
        let n = self.pos - start;
        let leading_zero = radix == 10 && n > 1 && self.text.get(start) == Some(&b'0');
        if n == 0 || n > max || leading_zero {
            self.pos = start;
            return None;
        }
        Some(value)
    }

    fn ipv4(&mut self) -> Option<u32> {
        let start = self.pos;
        let mut bits = 0u32;
        for i in 0..4 {
            match (i == 0 || self.eat(b'.'))
                .then(|| self.number(10, 3))
                .flatten()
            {
                Some(octet) if octet <= 255 => bits = bits << 8 | octet,
                _ => {
                    self.pos = start;
                    return None;
                }
            }
        }
        Some(bits)
    }

    /// `groups[..n]` filled, and whether the last two came from an IPv4 address.
    fn groups(&mut self, groups: &mut [u16]) -> (usize, bool) {
        let limit = groups.len();
        for i in 0..limit {
            let before = self.pos;
            if i + 1 < limit && (i == 0 || self.eat(b':')) {
                if let Some(v4) = self.ipv4() {
                    groups[i] = (v4 >> 16) as u16;
                    groups[i + 1] = v4 as u16;
                    return (i + 2, true);
                }
                self.pos = before;
            }
            match (i == 0 || self.eat(b':'))
                .then(|| self.number(16, 4))
                .flatten()
            {
                Some(g) => groups[i] = g as u16,
                None => {
                    self.pos = before;
                    return (i, false);
                }
            }
        }
        (limit, false)
    }

    fn ipv6(&mut self) -> Option<u128> {
        let start = self.pos;
        let mut head = [0u16; 8];
        let (n, v4) = self.groups(&mut head);
        if n < 8 {
            if v4 || !(self.eat(b':') && self.eat(b':')) {
                self.pos = start;
                return None;
            }
            let mut tail = [0u16; 7];
            let (t, _) = self.groups(&mut tail[..7 - n]);
            head[8 - t..].copy_from_slice(&tail[..t]);
        }
        Some(head.iter().fold(0, |bits, &g| bits << 16 | u128::from(g)))
    }
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
        let (v6, bits) = parse_ip(addr)?;
        let width = if v6 { 128 } else { 32 };
        let prefix = match prefix {
            None => width,
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|c| c.is_ascii_digit()) => {
                let p = p.bytes().fold(0, |n, c| n * 10 + u32::from(c - b'0'));
                (p <= width).then_some(p)?
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

    /// Whether `addr` is an address in this range.
    #[inline]
    pub(crate) fn contains(&self, (v6, bits): Ip) -> bool {
        v6 == self.v6 && bits & self.mask == self.network
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_forwards_and_backwards_match_std() {
        for s in ["", "JOSÉ", "İstanbul", "xİİy", "ΣΑΣ", "Straße İ", "İ"] {
            let std: String = s.chars().flat_map(char::to_lowercase).collect();
            assert_eq!(folded(s).collect::<String>(), std, "{s}");
            let back = Folded {
                chars: s.chars().rev(),
                pending: None,
                backwards: true,
            };
            assert_eq!(
                back.collect::<String>(),
                std.chars().rev().collect::<String>()
            );
        }
    }

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
    fn digits_as_std_parses_them() {
        for s in [
            "",
            "0",
            "7",
            "42",
            "007",
            "18446744073709551615",
            "18446744073709551616",
            "1a",
            "+1",
            "-1",
            " 1",
            "١",
        ] {
            assert_eq!(
                digits_value(s, 10),
                if s.starts_with('+') {
                    None
                } else {
                    s.parse::<u64>().ok()
                },
                "{s:?}"
            );
        }
        for s in [
            "ff",
            "FF",
            "0",
            "10ffff",
            "g",
            "",
            "ffffffffffffffff",
            "10000000000000000",
        ] {
            assert_eq!(
                digits_value(s, 16),
                u64::from_str_radix(s, 16).ok(),
                "{s:?}"
            );
        }
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

    fn ip(s: &str) -> Ip {
        parse_ip(s).unwrap()
    }

    /// What std reads `s` as, in `parse_ip`'s terms.
    fn std_ip(s: &str) -> Option<Ip> {
        Some(match s.parse::<std::net::IpAddr>().ok()? {
            std::net::IpAddr::V4(a) => (false, u128::from(u32::from(a))),
            std::net::IpAddr::V6(a) => (true, u128::from(a)),
        })
    }

    #[test]
    fn ip_addresses_as_std_reads_them() {
        for s in [
            "0.0.0.0",
            "255.255.255.255",
            "256.0.0.0",
            "01.2.3.4",
            "1.2.3",
            "1.2.3.4.5",
            "1.2.3.4 ",
            "::",
            "::1",
            "1::",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:1.2.3.4",
            "::ffff:10.0.0.1",
            "1.2.3.4::",
            "12345::",
            "1:::2",
            ":1::2",
            "1::2::3",
            "::1.2.3.4:5",
            "fe80::1%eth0",
            "[::1]",
            "ABCD:ef01::",
            "",
            "::0.0.0.0",
            "1:2:3:4:5:6:7:1.2.3.4",
            "0000:0:00:000::",
            "1.2.3.04",
            "0x1.2.3.4",
            "١.2.3.4",
        ] {
            assert_eq!(parse_ip(s), std_ip(s), "{s:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        /// The same address, or the same refusal, as std for text made of the characters
        /// addresses are made of.
        #[test]
        fn ip_parser_agrees_with_std(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "[0-9]{1,4}", "[0-9a-fA-F]{1,5}", proptest::strategy::Just(":".to_owned()),
                    proptest::strategy::Just("::".to_owned()), proptest::strategy::Just(".".to_owned()),
                    "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}", "[ g%/é]",
                ],
                0..12,
            ),
        ) {
            let s: String = parts.concat();
            proptest::prop_assert_eq!(parse_ip(&s), std_ip(&s), "{:?}", s);
        }
    }

    #[test]
    fn cidrs() {
        let c = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(c.contains(ip("10.255.0.1")));
        assert!(!c.contains(ip("11.0.0.1")));
        assert!(!c.contains(ip("::ffff:10.0.0.1")));
        let c = Cidr::parse("2001:db8::/32").unwrap();
        assert!(c.contains(ip("2001:db8:ffff::1")));
        assert!(!c.contains(ip("2001:db9::1")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("1.2.3.4")));
        assert!(Cidr::parse("::/0").unwrap().contains(ip("::1")));
        assert!(Cidr::parse("1.2.3.4").unwrap().contains(ip("1.2.3.4")));
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
