//! JSON numbers without serde_json: the number of a parsed [`crate::json::Json`] tree, read
//! and written exactly as serde_json reads and writes it, so that the WASM evaluation build
//! can leave serde_json out (its number parser and `Value` were about 4 KB gzipped of it).
//!
//! Reading follows serde_json's default (not `float_roundtrip`) algorithm step for step:
//! the decimal significand in a `u64` (digits past its range only move the exponent), then
//! one multiplication or division by a power of ten. That is not always correctly rounded in
//! the last bit, and that is the point: a number in a config must be the same `f64` as the
//! same number in a context that serde_json parsed (the native bindings' JSON contexts).
//! A differential test against serde_json holds it to that (src/json.rs's tests).
//!
//! Writing is serde_json's too: integers in decimal, other numbers as the shortest text that
//! reads back as the same `f64` (see [`write_finite`]; a test holds it to serde_json's text
//! for random `f64`s).

use std::fmt;

use crate::message::msg;

/// A JSON number as serde_json keeps it: a non-negative integer, a negative integer, or
/// anything else as an `f64`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Number {
    PosInt(u64),
    NegInt(i64),
    Float(f64),
}

impl Number {
    pub(crate) fn as_f64(self) -> Option<f64> {
        Some(match self {
            Number::PosInt(n) => n as f64,
            Number::NegInt(n) => n as f64,
            Number::Float(f) => f,
        })
    }

    pub(crate) fn as_u64(self) -> Option<u64> {
        match self {
            Number::PosInt(n) => Some(n),
            _ => None,
        }
    }

    pub(crate) fn as_i64(self) -> Option<i64> {
        match self {
            Number::PosInt(n) => i64::try_from(n).ok(),
            Number::NegInt(n) => Some(n),
            Number::Float(_) => None,
        }
    }

    /// Appends the number as serde_json writes it.
    pub(crate) fn write(self, out: &mut String) {
        match self {
            Number::PosInt(n) => write_u64(out, n),
            Number::NegInt(n) => {
                out.push('-');
                write_u64(out, n.unsigned_abs());
            }
            Number::Float(f) => write_finite(out, f),
        }
    }
}

/// As serde_json's `Number` displays (the messages quote numbers with it).
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&msg!(self))
    }
}

#[cfg(feature = "serde_json")]
impl From<Number> for serde_json::Number {
    fn from(n: Number) -> serde_json::Number {
        match n {
            Number::PosInt(n) => n.into(),
            Number::NegInt(n) => n.into(),
            // Finite by construction (parsing refuses what overflows).
            Number::Float(f) => serde_json::Number::from_f64(f).unwrap_or_else(|| 0.into()),
        }
    }
}

/// Appends `n` in decimal.
pub(crate) fn write_u64(out: &mut String, n: u64) {
    let mut buf = [0u8; 20];
    let at = decimal(n, &mut buf);
    for &d in &buf[at..] {
        out.push(char::from(d));
    }
}

/// Writes `n` in decimal at the end of `buf` (at least 20 bytes: `u64::MAX` has 20 digits)
/// and returns where the digits start. No allocation: evaluation uses it too.
pub(crate) fn decimal(mut n: u64, buf: &mut [u8]) -> usize {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return at;
        }
    }
}

/// Appends a flag's number value as JSON: integral values within 2^53 without a fraction
/// (`250`, not `250.0`, as JavaScript and Python print them), others as serde_json writes
/// an `f64`, and `null` for what JSON cannot hold (NaN, infinities).
pub(crate) fn write_f64(out: &mut String, n: f64) {
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        let i = n as i64;
        if i < 0 {
            out.push('-');
        }
        write_u64(out, i.unsigned_abs());
    } else if n.is_finite() {
        write_finite(out, n);
    } else {
        out.push_str("null");
    }
}

/// Appends finite `f` as serde_json writes it: the shortest text that reads back as `f`
/// (`0.1`, `1.0`, `1e-7`, `1e+20`), by zmij, the formatter serde_json uses. (ryu with its
/// `small` tables writes the same digits without the `+`, and was measured: 616 bytes
/// gzipped more in the `.wasm`.)
fn write_finite(out: &mut String, f: f64) {
    out.push_str(zmij::Buffer::new().format_finite(f));
}

/// 10^`n` as the literal `1eN` reads (correctly rounded, ties to even): the value of
/// serde_json's table of powers of ten for its `f64` reading (1e0 to 1e308), computed
/// instead of stored: the table was 2,472 bytes of the `.wasm` that compress poorly (issue
/// 18, the embedded entry's size). `None` past 308. Up to 10^22 the powers are exact, by
/// multiplication; above, 5^n is rounded to 53 bits from its exact value (at most 716 bits)
/// and scaled by 2^n. Only exponents past 22 (numbers such as `1e30` or with over 22
/// fraction digits) take the long path, at load; `tests::powers_of_ten` checks all 309.
fn pow10(n: u32) -> Option<f64> {
    if n <= 22 {
        let mut f = 1.0;
        for _ in 0..n {
            f *= 10.0;
        }
        return Some(f);
    }
    if n > 308 {
        return None;
    }
    // 5^n in 32-bit limbs, least significant first: 5^308 < 2^716 fits 23.
    let mut limbs = [0u32; 23];
    limbs[0] = 1;
    let mut len = 1;
    for _ in 0..n {
        let mut carry = 0u64;
        for limb in &mut limbs[..len] {
            let x = u64::from(*limb) * 5 + carry;
            *limb = x as u32;
            carry = x >> 32;
        }
        if carry != 0 {
            limbs[len] = carry as u32;
            len += 1;
        }
    }
    let bit = |i: u32| (limbs[(i / 32) as usize] >> (i % 32)) & 1 == 1;
    let top = limbs[len - 1];
    let bits = 32 * len as u32 - top.leading_zeros(); // 5^n has this many bits (over 53 here)
    let shift = bits - 53;
    let mut mantissa = 0u64;
    for i in (shift..bits).rev() {
        mantissa = mantissa << 1 | u64::from(bit(i));
    }
    let half = bit(shift - 1);
    let below = (0..shift - 1).any(bit);
    if half && (below || mantissa & 1 == 1) {
        mantissa += 1; // 2^53 at most: still exact as an f64
    }
    // mantissa * 2^(shift + n): a power of two under 2^1024, so exact.
    let scale = f64::from_bits(u64::from(1023 + shift + n) << 52);
    Some(mantissa as f64 * scale)
}

/// Reads a number token that the JSON parser already checked against JSON's grammar
/// (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`), as serde_json reads it;
/// `None` when it is out of an `f64`'s range (`1e400`).
pub(crate) fn parse(token: &str) -> Option<Number> {
    let bytes = token.as_bytes();
    let positive = bytes.first() != Some(&b'-');
    let mut pos = usize::from(!positive);
    let mut significand: u64 = 0;
    let mut exponent: i32 = 0;
    // Integer digits: into the significand while it holds them, then each moves the
    // exponent (serde_json's `parse_long_integer`).
    let mut long = false;
    while let Some(&c @ b'0'..=b'9') = bytes.get(pos) {
        pos += 1;
        match grow(significand, c).filter(|_| !long) {
            Some(s) => significand = s,
            None => {
                long = true;
                exponent += 1;
            }
        }
    }
    let mut plain = !long;
    if bytes.get(pos) == Some(&b'.') {
        pos += 1;
        plain = false;
        // Fraction digits: into the significand until the first that does not fit; it and
        // the rest are dropped (`parse_decimal_overflow`).
        let mut full = false;
        while let Some(&c @ b'0'..=b'9') = bytes.get(pos) {
            pos += 1;
            if full {
                continue;
            }
            match grow(significand, c) {
                Some(s) => {
                    significand = s;
                    exponent -= 1;
                }
                None => full = true,
            }
        }
    }
    if matches!(bytes.get(pos), Some(b'e' | b'E')) {
        pos += 1;
        let positive_exp = match bytes.get(pos) {
            Some(b'-') => {
                pos += 1;
                false
            }
            Some(b'+') => {
                pos += 1;
                true
            }
            _ => true,
        };
        let mut exp: i32 = 0;
        while let Some(&c @ b'0'..=b'9') = bytes.get(pos) {
            pos += 1;
            let digit = i32::from(c - b'0');
            match exp.checked_mul(10).and_then(|e| e.checked_add(digit)) {
                Some(e) => exp = e,
                // `parse_exponent_overflow`: an error for a huge positive exponent
                // of a non-zero significand, otherwise zero.
                None if significand != 0 && positive_exp => return None,
                None => return Some(Number::Float(if positive { 0.0 } else { -0.0 })),
            }
        }
        exponent = if positive_exp {
            exponent.saturating_add(exp)
        } else {
            exponent.saturating_sub(exp)
        };
        plain = false;
    }
    if plain {
        if positive {
            return Some(Number::PosInt(significand));
        }
        // `-0`, and negative integers beyond i64, are floats.
        let neg = (significand as i64).wrapping_neg();
        return Some(if neg >= 0 {
            Number::Float(-(significand as f64))
        } else {
            Number::NegInt(neg)
        });
    }
    from_parts(positive, significand, exponent).map(Number::Float)
}

/// `significand * 10 + digit`, or `None` past `u64::MAX`.
fn grow(significand: u64, digit: u8) -> Option<u64> {
    significand
        .checked_mul(10)?
        .checked_add(u64::from(digit - b'0'))
}

/// serde_json's `f64_from_parts`: `significand * 10^exponent` by one multiplication or
/// division (several divisions by 1e308 first for exponents below -308).
fn from_parts(positive: bool, significand: u64, mut exponent: i32) -> Option<f64> {
    let mut f = significand as f64;
    loop {
        match pow10(exponent.unsigned_abs()) {
            Some(pow) => {
                if exponent >= 0 {
                    f *= pow;
                    if f.is_infinite() {
                        return None;
                    }
                } else {
                    f /= pow;
                }
                break;
            }
            None => {
                if f == 0.0 {
                    break;
                }
                if exponent >= 0 {
                    return None;
                }
                f /= 1e308;
                exponent += 308;
            }
        }
    }
    Some(if positive { f } else { -f })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_of_ten() {
        /// serde_json's table of powers of ten, as it was stored before `pow10`.
        static POW10: [f64; 309] = [
            1e000, 1e001, 1e002, 1e003, 1e004, 1e005, 1e006, 1e007, 1e008, 1e009, //
            1e010, 1e011, 1e012, 1e013, 1e014, 1e015, 1e016, 1e017, 1e018, 1e019, //
            1e020, 1e021, 1e022, 1e023, 1e024, 1e025, 1e026, 1e027, 1e028, 1e029, //
            1e030, 1e031, 1e032, 1e033, 1e034, 1e035, 1e036, 1e037, 1e038, 1e039, //
            1e040, 1e041, 1e042, 1e043, 1e044, 1e045, 1e046, 1e047, 1e048, 1e049, //
            1e050, 1e051, 1e052, 1e053, 1e054, 1e055, 1e056, 1e057, 1e058, 1e059, //
            1e060, 1e061, 1e062, 1e063, 1e064, 1e065, 1e066, 1e067, 1e068, 1e069, //
            1e070, 1e071, 1e072, 1e073, 1e074, 1e075, 1e076, 1e077, 1e078, 1e079, //
            1e080, 1e081, 1e082, 1e083, 1e084, 1e085, 1e086, 1e087, 1e088, 1e089, //
            1e090, 1e091, 1e092, 1e093, 1e094, 1e095, 1e096, 1e097, 1e098, 1e099, //
            1e100, 1e101, 1e102, 1e103, 1e104, 1e105, 1e106, 1e107, 1e108, 1e109, //
            1e110, 1e111, 1e112, 1e113, 1e114, 1e115, 1e116, 1e117, 1e118, 1e119, //
            1e120, 1e121, 1e122, 1e123, 1e124, 1e125, 1e126, 1e127, 1e128, 1e129, //
            1e130, 1e131, 1e132, 1e133, 1e134, 1e135, 1e136, 1e137, 1e138, 1e139, //
            1e140, 1e141, 1e142, 1e143, 1e144, 1e145, 1e146, 1e147, 1e148, 1e149, //
            1e150, 1e151, 1e152, 1e153, 1e154, 1e155, 1e156, 1e157, 1e158, 1e159, //
            1e160, 1e161, 1e162, 1e163, 1e164, 1e165, 1e166, 1e167, 1e168, 1e169, //
            1e170, 1e171, 1e172, 1e173, 1e174, 1e175, 1e176, 1e177, 1e178, 1e179, //
            1e180, 1e181, 1e182, 1e183, 1e184, 1e185, 1e186, 1e187, 1e188, 1e189, //
            1e190, 1e191, 1e192, 1e193, 1e194, 1e195, 1e196, 1e197, 1e198, 1e199, //
            1e200, 1e201, 1e202, 1e203, 1e204, 1e205, 1e206, 1e207, 1e208, 1e209, //
            1e210, 1e211, 1e212, 1e213, 1e214, 1e215, 1e216, 1e217, 1e218, 1e219, //
            1e220, 1e221, 1e222, 1e223, 1e224, 1e225, 1e226, 1e227, 1e228, 1e229, //
            1e230, 1e231, 1e232, 1e233, 1e234, 1e235, 1e236, 1e237, 1e238, 1e239, //
            1e240, 1e241, 1e242, 1e243, 1e244, 1e245, 1e246, 1e247, 1e248, 1e249, //
            1e250, 1e251, 1e252, 1e253, 1e254, 1e255, 1e256, 1e257, 1e258, 1e259, //
            1e260, 1e261, 1e262, 1e263, 1e264, 1e265, 1e266, 1e267, 1e268, 1e269, //
            1e270, 1e271, 1e272, 1e273, 1e274, 1e275, 1e276, 1e277, 1e278, 1e279, //
            1e280, 1e281, 1e282, 1e283, 1e284, 1e285, 1e286, 1e287, 1e288, 1e289, //
            1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298, 1e299, //
            1e300, 1e301, 1e302, 1e303, 1e304, 1e305, 1e306, 1e307, 1e308, //
        ];
        for (n, &want) in POW10.iter().enumerate() {
            assert_eq!(
                pow10(n as u32).map(f64::to_bits),
                Some(want.to_bits()),
                "10^{n}"
            );
        }
        assert_eq!(pow10(309), None);
        assert_eq!(pow10(u32::MAX), None);
    }

    #[test]
    fn reads_as_serde_json_reads() {
        for token in [
            "0",
            "-0",
            "1",
            "-1",
            "0.5",
            "-0.0",
            "1e5",
            "1E-5",
            "1.5e+3",
            "123456789012345678901234",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "1e308",
            "1.7976931348623157e308",
            "1e-320",
            "2.2250738585072014e-308",
            "0.1",
            "0.30000000000000004",
            "1234567890.0987654321e-10",
            "1e-400",
            "0e99999999999",
            "1e-99999999999",
            "18446744073709551615.5",
            "1844674407370955161.59",
            "4.9e-324",
        ] {
            let theirs: serde_json::Number = token.parse().unwrap();
            let ours = parse(token).unwrap();
            assert_eq!(serde_json::Number::from(ours), theirs, "{token}");
            let mut text = String::new();
            ours.write(&mut text);
            assert_eq!(text, theirs.to_string(), "{token}");
        }
        for token in ["1e400", "-1e309", "1e99999999999", "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791"] {
            assert!(token.parse::<serde_json::Number>().is_err(), "{token}");
            assert_eq!(parse(token), None, "{token}");
        }
    }

    #[test]
    fn writes_flag_numbers_as_before() {
        for n in [
            0.0,
            -0.0,
            250.0,
            -3.0,
            0.5,
            1e21,
            9_007_199_254_740_992.0,
            -1e-7,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
        ] {
            let mut ours = String::new();
            write_f64(&mut ours, n);
            let theirs = if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
                serde_json::Value::from(n as i64)
            } else {
                serde_json::Value::from(n)
            };
            assert_eq!(ours, theirs.to_string(), "{n}");
        }
        for n in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut ours = String::new();
            write_f64(&mut ours, n);
            assert_eq!(ours, "null");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]

        #[test]
        fn any_f64_is_written_as_serde_json_writes_it(bits in proptest::prelude::any::<u64>()) {
            let f = f64::from_bits(bits);
            proptest::prop_assume!(f.is_finite());
            let mut ours = String::new();
            Number::Float(f).write(&mut ours);
            proptest::prop_assert_eq!(ours, serde_json::Number::from_f64(f).unwrap().to_string());
        }

        #[test]
        fn any_decimal_is_read_as_serde_json_reads_it(
            int in "-?(0|[1-9][0-9]{0,25})", frac in "(\\.[0-9]{1,25})?", exp in "([eE][+-]?[0-9]{1,4})?",
        ) {
            let token = format!("{int}{frac}{exp}");
            let theirs = token.parse::<serde_json::Number>().ok();
            let ours = parse(&token).map(serde_json::Number::from);
            proptest::prop_assert_eq!(ours, theirs, "{}", token);
        }
    }
}
