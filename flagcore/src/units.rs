//! RFC 3339 timestamps to Unix milliseconds, without a clock and without allocating.
//!
//! Accepted: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, `t`/space for `T`, `z` for `Z`.
//! A date alone (`YYYY-MM-DD`) means midnight UTC. Fractions beyond milliseconds are
//! truncated.

fn digits(s: &[u8], at: usize, n: usize) -> Option<i64> {
    let part = s.get(at..at + n)?;
    let mut v = 0i64;
    for &b in part {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(b - b'0');
    }
    Some(v)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses an RFC 3339 timestamp into milliseconds since the Unix epoch.
pub(crate) fn parse_rfc3339(text: &str) -> Option<i64> {
    let s = text.as_bytes();
    let year = digits(s, 0, 4)?;
    if s.get(4) != Some(&b'-') || s.get(7) != Some(&b'-') {
        return None;
    }
    let month = digits(s, 5, 2)?;
    let day = digits(s, 8, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if s.len() == 10 {
        return Some(days * 86_400_000);
    }
    if !matches!(s.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let hour = digits(s, 11, 2)?;
    let minute = digits(s, 14, 2)?;
    let second = digits(s, 17, 2)?;
    if s.get(13) != Some(&b':') || s.get(16) != Some(&b':') {
        return None;
    }
    // 60 is allowed for a leap second and folds into the next minute.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut at = 19;
    let mut millis = 0i64;
    if s.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while s.get(at).is_some_and(u8::is_ascii_digit) {
            if at - start < 3 {
                millis = millis * 10 + i64::from(s[at] - b'0');
            }
            at += 1;
        }
        let n = at - start;
        if n == 0 {
            return None;
        }
        for _ in n..3 {
            millis *= 10;
        }
    }
    let offset_minutes = match s.get(at) {
        Some(b'Z' | b'z') if s.len() == at + 1 => 0,
        Some(&sign @ (b'+' | b'-')) if s.len() == at + 6 && s[at + 3] == b':' => {
            let oh = digits(s, at + 1, 2)?;
            let om = digits(s, at + 4, 2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let off = oh * 60 + om;
            if sign == b'-' {
                -off
            } else {
                off
            }
        }
        _ => return None,
    };
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1000 + millis)
}

/// Parses a duration such as `"500ms"`, `"90s"`, `"2m"`, `"1h30m"`, `"1d"`, `"2w"` into
/// milliseconds. Units: `ms`, `s`, `m`, `h`, `d`, `w`; parts add up.
pub fn parse_duration(text: &str) -> Option<i64> {
    let s = text.as_bytes();
    if s.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    let mut i = 0;
    while i < s.len() {
        let start = i;
        let mut n: i64 = 0;
        while let Some(d) = s.get(i).filter(|b| b.is_ascii_digit()) {
            n = n.checked_mul(10)?.checked_add(i64::from(d - b'0'))?;
            i += 1;
        }
        if i == start {
            return None;
        }
        let unit_start = i;
        while s.get(i).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
        }
        let unit: i64 = match &text[unit_start..i] {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 604_800_000,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    Some(total)
}

/// Formats milliseconds as a duration (`"1d"`, `"1h30m"`, `"2m"`, `"0s"`).
pub fn format_duration(ms: i64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut rest = ms.unsigned_abs();
    if ms < 0 {
        out.push('-');
    }
    for (unit, name) in [
        (86_400_000u64, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1_000, "s"),
        (1, "ms"),
    ] {
        if rest >= unit {
            crate::number::write_u64(&mut out, rest / unit);
            out.push_str(name);
            rest %= unit;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Applying a decision: the flag's default after an advance
// ---------------------------------------------------------------------------------------

/// Thousandths of a percent as a percentage: `5` is `0.005`, `99_990` is `99.99`.
pub(crate) fn format_thousandths(t: impl Into<u64>) -> String {
    let t: u64 = t.into();
    let mut s = String::new();
    crate::number::write_u64(&mut s, t / 1000);
    if t % 1000 != 0 {
        // `.005`, `.99`: three digits, then no trailing zeros.
        let fraction = t % 1000 + 1000;
        s.push('.');
        let mut digits = String::new();
        crate::number::write_u64(&mut digits, fraction);
        s.push_str(digits[1..].trim_end_matches('0'));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2026-11-22T00:00:00Z"),
            Some(1_795_305_600_000)
        );
        assert_eq!(parse_rfc3339("2026-11-22"), Some(1_795_305_600_000));
        assert_eq!(
            parse_rfc3339("2026-11-22T01:00:00+01:00"),
            Some(1_795_305_600_000)
        );
        assert_eq!(
            parse_rfc3339("2000-02-29T12:34:56.789Z"),
            Some(951_827_696_789)
        );
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59.5Z"), Some(-500));
    }

    #[test]
    fn rejects_bad() {
        for bad in [
            "",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-11-22T24:00:00Z",
            "2026-11-22T00:00:00",
            "2026-11-22T00:00:00.Z",
            "yesterday",
            "2026-11-22T00:00:00+0100",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn thousandths() {
        assert_eq!(format_thousandths(100_000u32), "100");
        assert_eq!(format_thousandths(99_990u32), "99.99");
        assert_eq!(format_thousandths(5u32), "0.005");
        assert_eq!(format_thousandths(4_294_967_296_000u64), "4294967296");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2m"), Some(120_000));
        assert_eq!(parse_duration("1d"), Some(86_400_000));
        assert_eq!(parse_duration("1h30m"), Some(5_400_000));
        assert_eq!(parse_duration("500ms"), Some(500));
        assert_eq!(parse_duration("1w"), Some(604_800_000));
        for bad in [
            "",
            "m",
            "2",
            "2 m",
            "2min",
            "-1m",
            "1.5h",
            "99999999999999999999d",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
        assert_eq!(format_duration(5_400_000), "1h30m");
        assert_eq!(format_duration(86_400_000), "1d");
        assert_eq!(format_duration(0), "0s");
        for ms in [1, 999, 61_001, 90_061_001] {
            assert_eq!(parse_duration(&format_duration(ms)), Some(ms));
        }
    }
}
