//! Bucketing: a user's place in `0..100_000`, from a flag's salt and the user's
//! bucketing value.
//!
//! Hash version 1 (the only one so far), frozen by `tests/vectors/`:
//!
//! ```text
//! bytes  = u32_le(len(salt)) ++ utf8(salt) ++ utf8(value)
//! hash   = xxh3_64(bytes)                 (seed 0)
//! bucket = (hash as u128 * 100_000) >> 64 (integer arithmetic only)
//! ```
//!
//! The length prefix makes the encoding unambiguous: (`"ab"`, `"c"`) and (`"a"`, `"bc"`)
//! hash different bytes. One bucket is 0.001 percentage points.

use xxhash_rust::xxh3::Xxh3;

/// The number of buckets: percentages have a resolution of 0.001 points.
pub const BUCKETS: u32 = 100_000;

/// The hash versions this build understands.
pub const SUPPORTED_HASH_VERSIONS: &[u32] = &[1];

/// Values up to this many bytes (with the salt) are hashed from a stack buffer.
const STACK_BYTES: usize = 256;
/// The common case (a salt and a user ID) fits this smaller buffer, which starts as a
/// copy of the flag's precomputed salt block instead of 256 zeroed bytes.
const SMALL_BYTES: usize = 64;

/// xxh3 with seed 0. WebAssembly builds call the seeded xxh3 that the key hasher
/// (`crate::model::KeyHasher`) already links: for seed 0 it is the same hash by xxh3's
/// definition (`seed_0_is_the_unseeded_hash` checks every length class), and the `.wasm`
/// keeps one copy of xxh3's short paths instead of two (about 0.5 KB gzipped). Native
/// builds keep the unseeded function, whose seed folds away.
#[inline(always)]
fn xxh3_64(bytes: &[u8]) -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        xxhash_rust::xxh3::xxh3_64_with_seed(bytes, 0)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        xxhash_rust::xxh3::xxh3_64(bytes)
    }
}

/// The salt prefix of the encoding, `u32_le(len(salt)) ++ salt`, computed once per flag
/// at load so evaluation only appends the value.
#[derive(Debug, Clone)]
pub(crate) struct SaltPrefix {
    /// The length of the prefix.
    len: usize,
    /// The prefix followed by zeros, when it fits: copied whole, it is the start of the
    /// buffer hashed (no zeroing, one copy of the value).
    block: [u8; SMALL_BYTES],
    /// The prefix, when it does not fit `block` (salts over 60 bytes).
    long: Option<Box<[u8]>>,
}

impl SaltPrefix {
    /// The encoded prefix, `u32_le(len(salt)) ++ salt`.
    #[inline]
    fn bytes(&self) -> &[u8] {
        match &self.long {
            Some(long) => long,
            None => &self.block[..self.len],
        }
    }
}

/// The salt prefix of `salt` (see [`SaltPrefix`]).
pub(crate) fn salt_prefix(salt: &str) -> SaltPrefix {
    let salt_len = u32::try_from(salt.len()).unwrap_or(u32::MAX).to_le_bytes();
    let len = 4 + salt.len();
    let mut block = [0u8; SMALL_BYTES];
    let long = match block.get_mut(..len) {
        Some(head) => {
            head[..4].copy_from_slice(&salt_len);
            head[4..].copy_from_slice(salt.as_bytes());
            None
        }
        None => {
            let mut bytes = Vec::with_capacity(len);
            bytes.extend_from_slice(&salt_len);
            bytes.extend_from_slice(salt.as_bytes());
            Some(bytes.into_boxed_slice())
        }
    };
    SaltPrefix { len, block, long }
}

/// Hashes a precomputed salt prefix and a value without allocating.
#[inline]
pub(crate) fn bucket_with_prefix(prefix: &SaltPrefix, value: &[u8]) -> u32 {
    let p = prefix.len;
    let total = p + value.len();
    // The common case (a salt and a user ID): the salt block, the value written over its
    // zeros, one xxh3 call. Everything else is out of line, so this frame stays small.
    if total > SMALL_BYTES || prefix.long.is_some() {
        return to_bucket(hash_long(prefix, value));
    }
    let mut buf = prefix.block;
    if let Some(dst) = buf.get_mut(p..total) {
        copy_short(dst, value);
    }
    to_bucket(xxh3_64(&buf[..total]))
}

/// `dst.copy_from_slice(src)` (same lengths) without a call to `memcpy` for up to 32
/// bytes: overlapping 8-byte (or 4-byte) words, as [`crate::context::text_eq`] reads them.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn copy_short(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    if n != dst.len() {
        return;
    }
    let mut word = |at: usize, len: usize| {
        if let (Some(d), Some(s)) = (dst.get_mut(at..at + len), src.get(at..at + len)) {
            d.copy_from_slice(s);
        }
    };
    match n {
        0 => {}
        1..=3 => {
            word(0, 1);
            word(n / 2, 1);
            word(n - 1, 1);
        }
        4..=7 => {
            word(0, 4);
            word(n - 4, 4);
        }
        8..=16 => {
            word(0, 8);
            word(n - 8, 8);
        }
        17..=32 => {
            word(0, 16);
            word(n - 16, 16);
        }
        _ => dst.copy_from_slice(src),
    }
}

/// The hash of the encoding when it does not fit the salt block: a 256-byte stack buffer,
/// else streaming.
#[cold]
#[inline(never)]
fn hash_long(prefix: &SaltPrefix, value: &[u8]) -> u64 {
    let p = prefix.bytes().len();
    let total = p + value.len();
    if total <= STACK_BYTES {
        let mut buf = [0u8; STACK_BYTES];
        buf[..p].copy_from_slice(prefix.bytes());
        buf[p..total].copy_from_slice(value);
        xxh3_64(&buf[..total])
    } else {
        let mut hasher = Xxh3::new();
        hasher.update(prefix.bytes());
        hasher.update(value);
        hasher.digest()
    }
}

/// Maps a 64-bit hash onto `0..BUCKETS` with a multiply-shift (no modulo bias, no floats).
#[inline]
fn to_bucket(hash: u64) -> u32 {
    // The product is below 2^64 * 100_000, so the shifted value is below 100_000.
    ((u128::from(hash) * u128::from(BUCKETS)) >> 64) as u32
}

/// The bucket (`0..100_000`) of `value` for a flag salted with `salt`, under hash version 1.
///
/// # Example
/// ```
/// let b = flagcore::bucket("speech-backend-ab", "user-42");
/// assert!(b < flagcore::BUCKETS);
/// assert_eq!(b, flagcore::bucket("speech-backend-ab", "user-42"));
/// ```
pub fn bucket(salt: &str, value: &str) -> u32 {
    let prefix = salt_prefix(salt);
    bucket_with_prefix(&prefix, value.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text of `len` bytes that differ from their neighbours (a copy that misplaces a
    /// byte changes the hash).
    fn varied(len: usize) -> String {
        (0..len)
            .map(|i| char::from(b'a' + (i * 7 % 26) as u8))
            .collect()
    }

    #[test]
    fn stack_and_streaming_paths_agree() {
        for len in (0usize..=70).chain([100, 240, 251, 252, 253, 300, 5000]) {
            let value = varied(len);
            let prefix = salt_prefix("salt");
            let mut bytes = prefix.bytes().to_vec();
            bytes.extend_from_slice(value.as_bytes());
            assert_eq!(
                bucket_with_prefix(&prefix, value.as_bytes()),
                to_bucket(xxh3_64(&bytes)),
                "len {len}"
            );
        }
    }

    #[test]
    fn long_salts_and_values_hash_the_full_encoding() {
        for salt_len in [0usize, 1, 55, 56, 59, 60, 61, 64, 100, 300] {
            let salt = "s".repeat(salt_len);
            let prefix = salt_prefix(&salt);
            for len in [
                0usize, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40, 200, 400,
            ] {
                let value = varied(len);
                let mut bytes = (salt_len as u32).to_le_bytes().to_vec();
                bytes.extend_from_slice(salt.as_bytes());
                bytes.extend_from_slice(value.as_bytes());
                assert_eq!(
                    bucket_with_prefix(&prefix, value.as_bytes()),
                    to_bucket(xxh3_64(&bytes)),
                    "salt {salt_len} value {len}"
                );
            }
        }
    }

    #[test]
    fn seed_0_is_the_unseeded_hash() {
        // Every path of xxh3: 0-16, 17-128, 129-240 bytes and the long (striped) hash.
        for len in (0usize..=300).chain([1023, 1024, 1025, 5000]) {
            let bytes = varied(len);
            assert_eq!(
                xxhash_rust::xxh3::xxh3_64_with_seed(bytes.as_bytes(), 0),
                xxhash_rust::xxh3::xxh3_64(bytes.as_bytes()),
                "len {len}"
            );
        }
    }

    #[test]
    fn encoding_is_unambiguous() {
        assert_ne!(bucket("ab", "c"), bucket("a", "bc"));
    }

    #[test]
    fn bucket_bounds() {
        assert_eq!(to_bucket(0), 0);
        assert_eq!(to_bucket(u64::MAX), BUCKETS - 1);
    }
}
