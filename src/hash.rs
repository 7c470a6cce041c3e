//! A small, stable content hash (64-bit FNV-1a) for asset fingerprints and for
//! `attache deploy` to tell changed files from unchanged ones.
//!
//! Neither use needs a cryptographic hash: a fingerprint only has to change
//! when the file does, and deploy compares a file with its own previous copy.
//! Unlike `std`'s `DefaultHasher`, FNV-1a is fixed by its definition, so a
//! fingerprint is the same across Rust versions and machines.

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// The 64-bit FNV-1a hash of `bytes`.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(OFFSET, |h, &b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

/// The first ten hex digits of the hash: short enough for a file name, long
/// enough that two versions of one stylesheet never collide in practice.
pub fn short_hex(bytes: &[u8]) -> String {
    format!("{:016x}", fnv1a(bytes))[..10].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_fnv1a_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(short_hex(b"body{}"), short_hex(b"body{ }"));
    }
}
