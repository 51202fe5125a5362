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

use xxhash_rust::xxh3::{xxh3_64, Xxh3};

/// The number of buckets: percentages have a resolution of 0.001 points.
pub const BUCKETS: u32 = 100_000;

/// The hash versions this build understands.
pub const SUPPORTED_HASH_VERSIONS: &[u32] = &[1];

/// Values up to this many bytes (with the salt) are hashed from a stack buffer.
const STACK_BYTES: usize = 256;
/// The common case (a salt and a user ID) fits this smaller buffer, which starts as a
/// copy of the flag's precomputed salt block instead of 256 zeroed bytes.
const SMALL_BYTES: usize = 64;

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
pub(crate) fn bucket_with_prefix(prefix: &SaltPrefix, value: &[u8]) -> u32 {
    let p = prefix.len;
    let total = p + value.len();
    let hash = if total <= SMALL_BYTES {
        let mut buf = prefix.block;
        buf[p..total].copy_from_slice(value);
        xxh3_64(&buf[..total])
    } else if total <= STACK_BYTES {
        let mut buf = [0u8; STACK_BYTES];
        buf[..p].copy_from_slice(prefix.bytes());
        buf[p..total].copy_from_slice(value);
        xxh3_64(&buf[..total])
    } else {
        let mut hasher = Xxh3::new();
        hasher.update(prefix.bytes());
        hasher.update(value);
        hasher.digest()
    };
    to_bucket(hash)
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

    #[test]
    fn stack_and_streaming_paths_agree() {
        for len in [
            0usize, 1, 50, 51, 52, 53, 60, 100, 240, 251, 252, 253, 300, 5000,
        ] {
            let value = "x".repeat(len);
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
            for len in [0usize, 1, 3, 4, 5, 40, 200, 400] {
                let value = "v".repeat(len);
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
    fn encoding_is_unambiguous() {
        assert_ne!(bucket("ab", "c"), bucket("a", "bc"));
    }

    #[test]
    fn bucket_bounds() {
        assert_eq!(to_bucket(0), 0);
        assert_eq!(to_bucket(u64::MAX), BUCKETS - 1);
    }
}
