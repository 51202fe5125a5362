//! Bucketing vectors: (salt, value) -> bucket under hash version 1.

use serde_json::{json, Value};

use super::{render, VectorFile};
use flagcore_conformance::SplitMix64;

const SALTS: &[&str] = &[
    "speech-backend-ab",
    "speechmatics-direct",
    "modal-fallback",
    "new-checkout",
    "flag",
    "a",
    "",
    "experiment-2026-q4",
    "josé-flag",
    "フラグ",
    "🚩-rollout",
    "team:a|b/c",
    "salt\u{0}with\u{0}nul",
    "UPPER_CASE_SALT",
    "x",
    "ab",
    "checkout.v2",
    "שלום",
];

/// A character from the given inclusive code point ranges (no surrogates in them).
fn char_from(rng: &mut SplitMix64, ranges: &[(u32, u32)]) -> char {
    let (lo, hi) = *rng.pick(ranges);
    let cp = rng.range(u64::from(lo), u64::from(hi)) as u32;
    char::from_u32(cp).unwrap_or('\u{FFFD}')
}

const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const HEX: &[u8] = b"0123456789abcdef";

fn alnum(rng: &mut SplitMix64, len: usize) -> String {
    (0..len).map(|_| char::from(*rng.pick(ALNUM))).collect()
}

fn hex(rng: &mut SplitMix64, len: usize) -> String {
    (0..len).map(|_| char::from(*rng.pick(HEX))).collect()
}

fn ascii_value(rng: &mut SplitMix64, n: u64) -> String {
    match rng.below(8) {
        0 => format!("user-{n}"),
        1 => format!(
            "{}-{}-4{}-{}-{}",
            hex(rng, 8),
            hex(rng, 4),
            hex(rng, 3),
            hex(rng, 4),
            hex(rng, 12)
        ),
        2 => format!("{}.{}@example.com", alnum(rng, 5).to_lowercase(), n),
        3 => {
            let len = rng.range(1, 40) as usize;
            alnum(rng, len)
        }
        4 => format!("device_{}", hex(rng, 16)),
        5 => format!("org-{}/user-{}", rng.below(1000), rng.below(1_000_000)),
        6 => {
            // Printable ASCII, any of it.
            let len = rng.range(1, 24) as usize;
            (0..len)
                .map(|_| char::from(rng.range(0x20, 0x7e) as u8))
                .collect()
        }
        _ => format!("User{n:08}"),
    }
}

fn numeric_value(rng: &mut SplitMix64) -> String {
    match rng.below(12) {
        0 => rng.below(1000).to_string(),
        1 => rng.below(10_000_000_000).to_string(),
        2 => rng.next_u64().to_string(),
        3 => format!("-{}", rng.range(1, 1_000_000)),
        4 => format!(
            "{:0width$}",
            rng.below(10_000),
            width = rng.range(5, 12) as usize
        ),
        5 => format!("{}.{}", rng.below(100_000), rng.below(1000)),
        6 => format!("{}e{}", rng.range(1, 9), rng.below(30)),
        7 => {
            let len = rng.range(1, 16) as usize;
            format!("0x{}", hex(rng, len))
        }
        8 => {
            let base: i64 = 9_007_199_254_740_992;
            (base + rng.below(5) as i64 - 2).to_string()
        }
        9 => {
            let len = rng.range(20, 60) as usize;
            (0..len)
                .map(|_| char::from(b'0' + rng.below(10) as u8))
                .collect()
        }
        10 => format!("+{}", rng.below(100_000)),
        _ => format!("{}", (rng.next_u64() as i64)),
    }
}

const ACCENTS: &[(u32, u32)] = &[(0xC0, 0xFF), (0x100, 0x17F)];
const CJK: &[(u32, u32)] = &[
    (0x4E00, 0x9FFF),
    (0x3040, 0x309F),
    (0x30A0, 0x30FF),
    (0xAC00, 0xD7A3),
];
const EMOJI: &[(u32, u32)] = &[(0x1F300, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F900, 0x1F9FF)];
const COMBINING: &[(u32, u32)] = &[(0x300, 0x36F), (0x1AB0, 0x1ABE), (0x20D0, 0x20F0)];
const RTL: &[(u32, u32)] = &[(0x5D0, 0x5EA), (0x620, 0x64A), (0x660, 0x669)];
const OTHER: &[(u32, u32)] = &[
    (0x391, 0x3C9),
    (0x410, 0x44F),
    (0x905, 0x939),
    (0xE01, 0xE30),
];

fn unicode_value(rng: &mut SplitMix64) -> String {
    let len = rng.range(1, 24) as usize;
    let mut s = String::new();
    let style = rng.below(9);
    for _ in 0..len {
        let class = if style < 7 { style } else { rng.below(7) };
        match class {
            0 => s.push(char_from(rng, ACCENTS)),
            1 => s.push(char_from(rng, CJK)),
            2 => {
                s.push(char_from(rng, EMOJI));
                match rng.below(5) {
                    0 => s.push('\u{FE0F}'),
                    1 => s.push(char_from(rng, &[(0x1F3FB, 0x1F3FF)])),
                    2 => {
                        s.push('\u{200D}');
                        s.push(char_from(rng, EMOJI));
                    }
                    _ => {}
                }
            }
            3 => {
                s.push(char::from(*rng.pick(ALNUM)));
                for _ in 0..rng.range(1, 3) {
                    s.push(char_from(rng, COMBINING));
                }
            }
            4 => {
                if rng.chance(1, 6) {
                    s.push(*rng.pick(&['\u{200F}', '\u{202E}', '\u{200E}', '\u{202B}']));
                }
                s.push(char_from(rng, RTL));
            }
            5 => s.push(char_from(rng, OTHER)),
            _ => {
                // Regional-indicator flags.
                s.push(char_from(rng, &[(0x1F1E6, 0x1F1FF)]));
                s.push(char_from(rng, &[(0x1F1E6, 0x1F1FF)]));
            }
        }
        if rng.chance(1, 8) {
            s.push(char::from(*rng.pick(ALNUM)));
        }
    }
    s
}

const SEPARATORS: &[char] = &[
    ':', '|', '/', '\\', ',', ';', '=', '&', '?', '#', '@', '.', ' ', '-', '_', '+', '%', '~',
    '\t', '\n', '\r', '"', '\'', '\u{0}', '\u{1}', '\u{1f}', '\u{7f}', '\u{85}', '\u{a0}',
    '\u{2028}', '\u{2029}', '\u{feff}', '\u{200b}', '\u{fffd}', '{', '}', '[', ']', '<', '>',
];

fn separated_value(rng: &mut SplitMix64) -> String {
    let parts = rng.range(1, 5);
    let mut s = String::new();
    if rng.chance(1, 10) {
        s.push(*rng.pick(SEPARATORS));
    }
    for i in 0..parts {
        if i > 0 {
            for _ in 0..rng.range(1, 2) {
                s.push(*rng.pick(SEPARATORS));
            }
        }
        let len = rng.range(0, 10) as usize;
        s.push_str(&alnum(rng, len));
    }
    if rng.chance(1, 10) {
        s.push(*rng.pick(SEPARATORS));
    }
    s
}

fn long_value(rng: &mut SplitMix64) -> String {
    // Mostly 200..1200 bytes, sometimes longer, across the hasher's buffered sizes.
    let len = if rng.chance(1, 20) {
        rng.range(1200, 9000)
    } else {
        rng.range(200, 1200)
    } as usize;
    let mut s = String::with_capacity(len + 4);
    while s.len() < len {
        match rng.below(6) {
            0 => s.push(char_from(rng, CJK)),
            1 => s.push(char_from(rng, EMOJI)),
            2 => s.push(*rng.pick(SEPARATORS)),
            _ => s.push_str(&alnum(rng, 8)),
        }
    }
    s
}

fn case(salt: &str, value: &str) -> String {
    format!(
        "[{},{},{}]",
        Value::from(salt),
        Value::from(value),
        flagcore::bucket(salt, value)
    )
}

fn file(name: &str, description: &str, cases: Vec<String>) -> VectorFile {
    let header = [
        ("format", json!("flagcore-vectors/bucket/1")),
        ("hashVersion", json!(1)),
        ("description", json!(description)),
        ("columns", json!(["salt", "value", "bucket"])),
        ("count", json!(cases.len())),
    ];
    VectorFile {
        name: name.to_owned(),
        text: render(&header, "cases", &cases),
    }
}

fn generated(
    seed: u64,
    count: usize,
    mut value: impl FnMut(&mut SplitMix64, u64) -> String,
) -> Vec<String> {
    let mut rng = SplitMix64::new(seed);
    (0..count as u64)
        .map(|n| {
            let v = value(&mut rng, n);
            let salt = if rng.chance(1, 8) {
                ascii_value(&mut rng, n)
            } else {
                (*rng.pick(SALTS)).to_owned()
            };
            case(&salt, &v)
        })
        .collect()
}

fn edge_cases() -> Vec<String> {
    let values: Vec<String> = [
        "",
        "a",
        "0",
        "1",
        "-1",
        "00",
        "key",
        "user-1",
        "user-42",
        "josé",
        "jose\u{301}",
        "JOSÉ",
        "Ünïcödé",
        "ß",
        "ﬁ",
        "用户",
        "ユーザー",
        "사용자",
        "👩\u{200D}💻",
        "🇩🇪",
        "👍🏽",
        "❤\u{FE0F}",
        "مستخدم",
        "שלום",
        "a\u{200F}b",
        "\u{202E}abc",
        "e\u{301}\u{302}\u{303}",
        "\u{0}",
        "a\u{0}b",
        "\u{0}\u{0}",
        "a:b",
        "a|b",
        "a/b",
        "a\\b",
        "a,b",
        "a;b",
        " ",
        "  leading",
        "trailing  ",
        "\t",
        "\n",
        "\r\n",
        "\u{feff}bom",
        "\u{fffd}",
        "\u{7f}",
        "\u{10FFFF}",
        "\u{E000}",
        "9007199254740993",
        "1e3",
        "1.0",
        "-0",
        "+0",
        "0x10",
        "NaN",
        "Infinity",
        "null",
        "true",
        "undefined",
        "\"quoted\"",
        "{\"json\":1}",
        "[1,2]",
        "%00",
        "%E9",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let mut out = Vec::new();
    for salt in SALTS {
        for v in &values {
            out.push(case(salt, v));
        }
    }
    // The length prefix keeps (salt, value) pairs that concatenate the same apart.
    for whole in ["abc", "user-42", "josé", "a\u{0}b", "🚩flag"] {
        for (i, _) in whole.char_indices().chain([(whole.len(), ' ')]) {
            out.push(case(&whole[..i], &whole[i..]));
        }
    }
    // Every length around the point where the core switches from its stack buffer (256
    // bytes of length prefix + salt + value) to streaming, and xxh3's size classes.
    for salt in ["", "speech-backend-ab", "🚩-rollout"] {
        for len in (0..=300).chain([512, 1024, 1025, 2048, 4096, 4097, 10_000, 65_536]) {
            out.push(case(salt, &"x".repeat(len)));
        }
    }
    let long_salt = "s".repeat(300);
    for v in ["", "user-1", "josé"] {
        out.push(case(&long_salt, v));
    }
    for n in 0..1000u32 {
        out.push(case("speech-backend-ab", &format!("user-{n}")));
    }
    out
}

pub(super) fn files() -> Vec<VectorFile> {
    vec![
        file(
            "bucket-v1-edge.json",
            "Hand-picked edge cases: empty salt and value, NUL bytes, separators, NFC vs NFD, emoji sequences, RTL, every length around the hasher's buffer boundaries, very long values and salts, and (salt, value) splits of the same bytes.",
            edge_cases(),
        ),
        file(
            "bucket-v1-ascii.json",
            "Generated ASCII IDs: user-N, UUIDs, emails, device IDs, printable ASCII.",
            generated(0xF1A6_0001, 30_000, ascii_value),
        ),
        file(
            "bucket-v1-numeric.json",
            "Generated numeric-looking IDs: integers of every size, negative, leading zeros, decimals, exponents, hex, around 2^53, 20-60 digit strings.",
            generated(0xF1A6_0002, 20_000, |rng, _| numeric_value(rng)),
        ),
        file(
            "bucket-v1-unicode.json",
            "Generated non-ASCII IDs: accents, CJK, Hangul, emoji (with ZWJ, skin tones, flags), combining marks, Arabic and Hebrew with direction marks, Greek, Cyrillic, Devanagari, Thai.",
            generated(0xF1A6_0003, 25_000, |rng, _| unicode_value(rng)),
        ),
        file(
            "bucket-v1-separators.json",
            "Generated IDs with separators, whitespace, control characters and NUL bytes.",
            generated(0xF1A6_0004, 20_000, |rng, _| separated_value(rng)),
        ),
        file(
            "bucket-v1-long.json",
            "Generated long IDs (200 to 9000 bytes) mixing ASCII, CJK, emoji and separators.",
            generated(0xF1A6_0005, 2_000, |rng, _| long_value(rng)),
        ),
    ]
}
