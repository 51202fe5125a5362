//! Unicode lowercase mapping for `ignoreCase`, from a table of its own: 185 runs (1.5 KB)
//! instead of the standard library's 1,434 pairs (about 6 KB gzipped of the `.wasm`), and
//! fixed, so that a core built by another Rust (another Unicode version) folds the same.
//!
//! The table is `char::to_lowercase` of the Rust named in its first line, character by
//! character; `every_character_lowers_as_std_does` checks all 1,114,112 code points
//! against the standard library running the test, and
//! `cargo test -p flagcore --lib lowercase::tests::print_table -- --ignored --nocapture`
//! prints a new table when a Rust with a newer Unicode makes that test fail.

/// Each run: `start` (21 bits) | `count - 1` (8 bits) | `stride - 1` (1 bit) | `delta`
/// (signed, the top 32 bits): `start + i × stride` lowers to itself plus `delta`, for `i`
/// below `count`.
// Generated from Rust 1.95.0 `char::to_lowercase` (see the module docs).
pub(crate) const RUNS: [u64; 185] = [
    0x0000002003200041,
    0x0000002002c000c0,
    0x0000002000c000d8,
    0x0000000122e00100,
    0x0000000120400132,
    0x0000000120e00139,
    0x0000000122c0014a,
    0xffffff8700000178,
    0x0000000120400179,
    0x000000d200000181,
    0x0000000120200182,
    0x000000ce00000186,
    0x0000000100000187,
    0x000000cd00200189,
    0x000000010000018b,
    0x0000004f0000018e,
    0x000000ca0000018f,
    0x000000cb00000190,
    0x0000000100000191,
    0x000000cd00000193,
    0x000000cf00000194,
    0x000000d300000196,
    0x000000d100000197,
    0x0000000100000198,
    0x000000d30000019c,
    0x000000d50000019d,
    0x000000d60000019f,
    0x00000001204001a0,
    0x000000da000001a6,
    0x00000001000001a7,
    0x000000da000001a9,
    0x00000001000001ac,
    0x000000da000001ae,
    0x00000001000001af,
    0x000000d9002001b1,
    0x00000001202001b3,
    0x000000db000001b7,
    0x00000001000001b8,
    0x00000001000001bc,
    0x00000002000001c4,
    0x00000001000001c5,
    0x00000002000001c7,
    0x00000001000001c8,
    0x00000002000001ca,
    0x00000001210001cb,
    0x00000001210001de,
    0x00000002000001f1,
    0x00000001202001f2,
    0xffffff9f000001f6,
    0xffffffc8000001f7,
    0x00000001226001f8,
    0xffffff7e00000220,
    0x0000000121000222,
    0x00002a2b0000023a,
    0x000000010000023b,
    0xffffff5d0000023d,
    0x00002a280000023e,
    0x0000000100000241,
    0xffffff3d00000243,
    0x0000004500000244,
    0x0000004700000245,
    0x0000000120800246,
    0x0000000120200370,
    0x0000000100000376,
    0x000000740000037f,
    0x0000002600000386,
    0x0000002500400388,
    0x000000400000038c,
    0x0000003f0020038e,
    0x0000002002000391,
    0x00000020010003a3,
    0x00000008000003cf,
    0x00000001216003d8,
    0xffffffc4000003f4,
    0x00000001000003f7,
    0xfffffff9000003f9,
    0x00000001000003fa,
    0xffffff7e004003fd,
    0x0000005001e00400,
    0x0000002003e00410,
    0x0000000122000460,
    0x000000012340048a,
    0x0000000f000004c0,
    0x0000000120c004c1,
    0x0000000125e004d0,
    0x0000003004a00531,
    0x00001c6004a010a0,
    0x00001c60000010c7,
    0x00001c60000010cd,
    0x000097d009e013a0,
    0x0000000800a013f0,
    0x0000000100001c89,
    0xfffff44005401c90,
    0xfffff44000401cbd,
    0x0000000129401e00,
    0xffffe24100001e9e,
    0x0000000125e01ea0,
    0xfffffff800e01f08,
    0xfffffff800a01f18,
    0xfffffff800e01f28,
    0xfffffff800e01f38,
    0xfffffff800a01f48,
    0xfffffff820601f59,
    0xfffffff800e01f68,
    0xfffffff800e01f88,
    0xfffffff800e01f98,
    0xfffffff800e01fa8,
    0xfffffff800201fb8,
    0xffffffb600201fba,
    0xfffffff700001fbc,
    0xffffffaa00601fc8,
    0xfffffff700001fcc,
    0xfffffff800201fd8,
    0xffffff9c00201fda,
    0xfffffff800201fe8,
    0xffffff9000201fea,
    0xfffffff900001fec,
    0xffffff8000201ff8,
    0xffffff8200201ffa,
    0xfffffff700001ffc,
    0xffffe2a300002126,
    0xffffdf410000212a,
    0xffffdfba0000212b,
    0x0000001c00002132,
    0x0000001001e02160,
    0x0000000100002183,
    0x0000001a032024b6,
    0x0000003005e02c00,
    0x0000000100002c60,
    0xffffd60900002c62,
    0xfffff11a00002c63,
    0xffffd61900002c64,
    0x0000000120402c67,
    0xffffd5e400002c6d,
    0xffffd60300002c6e,
    0xffffd5e100002c6f,
    0xffffd5e200002c70,
    0x0000000100002c72,
    0x0000000100002c75,
    0xffffd5c100202c7e,
    0x0000000126202c80,
    0x0000000120202ceb,
    0x0000000100002cf2,
    0x0000000122c0a640,
    0x0000000121a0a680,
    0x0000000120c0a722,
    0x0000000123c0a732,
    0x000000012020a779,
    0xffff75fc0000a77d,
    0x000000012080a77e,
    0x000000010000a78b,
    0xffff5ad80000a78d,
    0x000000012020a790,
    0x000000012120a796,
    0xffff5abc0000a7aa,
    0xffff5ab10000a7ab,
    0xffff5ab50000a7ac,
    0xffff5abf0000a7ad,
    0xffff5abc0000a7ae,
    0xffff5aee0000a7b0,
    0xffff5ad60000a7b1,
    0xffff5aeb0000a7b2,
    0x000003a00000a7b3,
    0x0000000120e0a7b4,
    0xffffffd00000a7c4,
    0xffff5abd0000a7c5,
    0xffff75c80000a7c6,
    0x000000012020a7c7,
    0xffff5a990000a7cb,
    0x0000000120e0a7cc,
    0xffff59bf0000a7dc,
    0x000000010000a7f5,
    0x000000200320ff21,
    0x0000002804e10400,
    0x00000028046104b0,
    0x0000002701410570,
    0x0000002701c1057c,
    0x0000002700c1058c,
    0x0000002700210594,
    0x0000004006410c80,
    0x0000002002a10d50,
    0x0000002003e118a0,
    0x0000002003e16e40,
    0x0000001b03016ea0,
    0x000000220421e900,
];

/// The one character whose lowercase is two characters: `İ` → `i̇`.
const DOTTED_CAPITAL_I: char = '\u{130}';

/// The lowercase of `c`: one or two characters (Unicode's full lowercase mapping), as a
/// pair rather than an iterator (whose `Chain<Once, option::IntoIter>` the `.wasm` held once
/// per use).
#[inline]
pub(crate) fn lower(c: char) -> (char, Option<char>) {
    if c == DOTTED_CAPITAL_I {
        ('i', Some('\u{307}'))
    } else {
        (lower_one(c), None)
    }
}

#[inline]
fn lower_one(c: char) -> char {
    let code = c as u32;
    if code < 0x41 {
        return c;
    }
    if code <= 0x7f {
        return c.to_ascii_lowercase();
    }
    // The last run starting at or before `code`.
    let i = RUNS.partition_point(|&r| (r as u32 & 0x1f_ffff) <= code);
    let Some(&run) = i.checked_sub(1).and_then(|i| RUNS.get(i)) else {
        return c;
    };
    let start = run as u32 & 0x1f_ffff;
    let count = ((run >> 21) & 0xff) as u32 + 1;
    let stride = ((run >> 29) & 1) as u32 + 1;
    let delta = (run >> 32) as u32 as i32;
    let offset = code - start;
    if offset % stride != 0 || offset / stride >= count {
        return c;
    }
    char::from_u32(code.wrapping_add_signed(delta)).unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_lowers_as_std_does() {
        let mut differ = Vec::new();
        for code in 0..=0x10_ffff {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let (one, two) = lower(c);
            if !std::iter::once(one).chain(two).eq(c.to_lowercase()) {
                differ.push(c);
            }
        }
        assert!(
            differ.is_empty(),
            "{} characters lower differently from this Rust's std (a newer Unicode?): \
             first {:?}; regenerate the table with the ignored test print_table",
            differ.len(),
            differ.first()
        );
    }

    #[test]
    #[ignore = "prints the table (see the module docs)"]
    fn print_table() {
        let mut runs: Vec<(u32, u32, u32, i64)> = Vec::new();
        for code in 0..=0x10_ffffu32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let l: Vec<char> = c.to_lowercase().collect();
            if l.len() != 1 || l[0] == c {
                continue;
            }
            let d = i64::from(l[0] as u32) - i64::from(code);
            if let Some(r) = runs.last_mut() {
                let last = r.0 + (r.1 - 1) * r.2;
                let gap = code - last;
                if r.3 == d && r.1 < 256 && ((r.1 == 1 && gap <= 2) || (r.1 > 1 && gap == r.2)) {
                    r.2 = gap;
                    r.1 += 1;
                    continue;
                }
            }
            runs.push((code, 1, 1, d));
        }
        println!("pub(crate) const RUNS: [u64; {}] = [", runs.len());
        for r in &runs {
            let v = u64::from(r.0)
                | (u64::from(r.1 - 1) << 21)
                | (u64::from(r.2 - 1) << 29)
                | (u64::from(r.3 as i32 as u32) << 32);
            println!("    0x{v:016x},");
        }
        println!("];");
    }
}
