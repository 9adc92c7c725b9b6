//! The byte scans under the reader: the end of a string's plain run and of whitespace,
//! sixteen bytes at a time with wasm `simd128` (the npm package and the Worker), eight at
//! a time in a `u64` elsewhere, then byte by byte.

/// `0x01` in every byte of a word: times a byte, that byte in every lane.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte of a word.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The index of the first `"`, `\` or control byte (below 0x20) at or after `from`, or
/// the length: sixteen bytes at a time where the build has wasm's 128-bit SIMD
/// (`simd128`: the npm package and the Worker), eight at a time in a `u64` first or
/// elsewhere, then byte by byte.
pub(super) fn plain_until(bytes: &[u8], mut at: usize) -> usize {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    while let Some(Ok(chunk)) = bytes.get(at..at + 16).map(<&[u8; 16]>::try_from) {
        let special = simd::special16(chunk);
        if special != 0 {
            return at + special.trailing_zeros() as usize;
        }
        at += 16;
    }
    while let Some(Ok(chunk)) = bytes.get(at..at + 8).map(<[u8; 8]>::try_from) {
        let special = special8(u64::from_le_bytes(chunk));
        if special != 0 {
            return at + (special.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while let Some(&b) = bytes.get(at) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            return at;
        }
        at += 1;
    }
    at
}

/// The high bit of each byte of `x` that is `"`, `\` or a control byte, in a word whose
/// lowest flagged byte is the first such byte (a borrow can only flag bytes above a real
/// hit).
#[inline]
fn special8(x: u64) -> u64 {
    let quote = x ^ (ONES * u64::from(b'"'));
    let backslash = x ^ (ONES * u64::from(b'\\'));
    let special = (quote.wrapping_sub(ONES) & !quote)
        | (backslash.wrapping_sub(ONES) & !backslash)
        | (x.wrapping_sub(ONES * 0x20) & !x);
    special & HIGH
}

/// The index of the first byte at or after `from` that is not JSON whitespace, or the
/// length. Most values follow one space or none; a longer run (indented JSON) goes
/// sixteen bytes at a time where [`plain_until`] does.
#[inline]
pub(super) fn whitespace_until(bytes: &[u8], mut at: usize) -> usize {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        for _ in 0..2 {
            match bytes.get(at) {
                Some(b' ' | b'\t' | b'\n' | b'\r') => at += 1,
                _ => return at,
            }
        }
        while let Some(Ok(chunk)) = bytes.get(at..at + 16).map(<&[u8; 16]>::try_from) {
            let other = !simd::whitespace16(chunk) & 0xffff;
            if other != 0 {
                return at + other.trailing_zeros() as usize;
            }
            at += 16;
        }
    }
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(at) {
        at += 1;
    }
    at
}

/// Sixteen bytes at a time with wasm's `simd128` (the shipped builds enable it): a bit per
/// byte, bit `i` for byte `i`, where a test holds. No `unsafe`: these intrinsics are safe
/// in a build with the feature on. The tests compare both with a byte-by-byte reference
/// under `wasm-bindgen-test` (`scripts/test-npm.sh`).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::{
        u8x16, u8x16_bitmask, u8x16_eq, u8x16_lt, u8x16_splat, v128, v128_or,
    };

    /// The chunk as one vector (compiled to a single unaligned `v128.load`).
    #[inline]
    fn load(c: &[u8; 16]) -> v128 {
        u8x16(
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13],
            c[14], c[15],
        )
    }

    /// `"`, `\` or a control byte (below 0x20).
    #[inline]
    pub(super) fn special16(chunk: &[u8; 16]) -> u32 {
        let v = load(chunk);
        let hits = v128_or(
            v128_or(
                u8x16_eq(v, u8x16_splat(b'"')),
                u8x16_eq(v, u8x16_splat(b'\\')),
            ),
            u8x16_lt(v, u8x16_splat(0x20)),
        );
        u32::from(u8x16_bitmask(hits))
    }

    /// JSON's four whitespace bytes.
    #[inline]
    pub(super) fn whitespace16(chunk: &[u8; 16]) -> u32 {
        let v = load(chunk);
        let is = |b: u8| u8x16_eq(v, u8x16_splat(b));
        let hits = v128_or(v128_or(is(b' '), is(b'\n')), v128_or(is(b'\r'), is(b'\t')));
        u32::from(u8x16_bitmask(hits))
    }
}
