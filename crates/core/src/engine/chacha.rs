//! One ChaCha8 block at a time, at any (stream, block) position.
//!
//! The per-order draws jump to a new position for every phase of every
//! order and then read only a handful of words. A buffered generator that
//! computes four blocks whenever it is repositioned spends most of its time
//! on words nobody reads; this computes exactly the block asked for.
//!
//! The block function is the original ChaCha of D. J. Bernstein with eight
//! rounds, a 64-bit block counter and a 64-bit stream id (nonce), the layout
//! `rand_chacha` uses:
//!
//! ```text
//! constant  constant  constant  constant
//! key       key       key       key
//! key       key       key       key
//! counter   counter   stream    stream
//! ```
//!
//! so block `b` of stream `s` is, word for word, what `ChaCha8Rng` with the
//! same seed yields after `set_stream(s)` and `set_word_pos(16 * b)`; a test
//! below holds the two to that. Integer arithmetic only: the same bits on
//! every platform. On x86-64 the rows of the state live in SSE2 registers
//! (SSE2 is part of the x86-64 baseline, so no detection is needed); other
//! targets use the portable version, which the tests check everywhere.

/// Words in one ChaCha block.
pub const BLOCK_WORDS: usize = 16;

/// "expand 32-byte k", the ChaCha constant.
const CONSTANT: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// Double rounds of ChaCha8.
const DOUBLE_ROUNDS: usize = 4;

/// A ChaCha key as eight little-endian words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChaChaKey([u32; 8]);

impl ChaChaKey {
    pub fn from_bytes(bytes: &[u8; 32]) -> ChaChaKey {
        let mut words = [0u32; 8];
        for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(4)) {
            *word = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        }
        ChaChaKey(words)
    }
}

/// Rows of the 4x4 state; each row is four lanes so the compiler can keep a
/// row in one vector register.
type Row = [u32; 4];

#[inline(always)]
fn add(a: Row, b: Row) -> Row {
    [
        a[0].wrapping_add(b[0]),
        a[1].wrapping_add(b[1]),
        a[2].wrapping_add(b[2]),
        a[3].wrapping_add(b[3]),
    ]
}

#[inline(always)]
fn xor_rotate(a: Row, b: Row, bits: u32) -> Row {
    [
        (a[0] ^ b[0]).rotate_left(bits),
        (a[1] ^ b[1]).rotate_left(bits),
        (a[2] ^ b[2]).rotate_left(bits),
        (a[3] ^ b[3]).rotate_left(bits),
    ]
}

/// Four quarter rounds at once, one per column of the rows given.
#[inline(always)]
fn quarter_rounds(a: &mut Row, b: &mut Row, c: &mut Row, d: &mut Row) {
    *a = add(*a, *b);
    *d = xor_rotate(*d, *a, 16);
    *c = add(*c, *d);
    *b = xor_rotate(*b, *c, 12);
    *a = add(*a, *b);
    *d = xor_rotate(*d, *a, 8);
    *c = add(*c, *d);
    *b = xor_rotate(*b, *c, 7);
}

/// Rotates the lanes of a row left by `count`: diagonals become columns.
#[inline(always)]
fn rotate_lanes(row: Row, count: usize) -> Row {
    [
        row[count % 4],
        row[(count + 1) % 4],
        row[(count + 2) % 4],
        row[(count + 3) % 4],
    ]
}

/// Block `block` of stream `stream` under `key`.
#[inline]
pub fn block(key: &ChaChaKey, stream: u64, block: u64, output: &mut [u32; BLOCK_WORDS]) {
    #[cfg(target_arch = "x86_64")]
    sse2::block(key, stream, block, output);
    #[cfg(not(target_arch = "x86_64"))]
    block_portable(key, stream, block, output);
}

/// [`block`] in plain Rust, for any target.
pub fn block_portable(key: &ChaChaKey, stream: u64, block: u64, output: &mut [u32; BLOCK_WORDS]) {
    let key = &key.0;
    let initial = [
        CONSTANT,
        [key[0], key[1], key[2], key[3]],
        [key[4], key[5], key[6], key[7]],
        [
            block as u32,
            (block >> 32) as u32,
            stream as u32,
            (stream >> 32) as u32,
        ],
    ];
    let [mut a, mut b, mut c, mut d] = initial;
    for _ in 0..DOUBLE_ROUNDS {
        quarter_rounds(&mut a, &mut b, &mut c, &mut d);
        b = rotate_lanes(b, 1);
        c = rotate_lanes(c, 2);
        d = rotate_lanes(d, 3);
        quarter_rounds(&mut a, &mut b, &mut c, &mut d);
        b = rotate_lanes(b, 3);
        c = rotate_lanes(c, 2);
        d = rotate_lanes(d, 1);
    }
    for (row_index, row) in [a, b, c, d].into_iter().enumerate() {
        let words = add(row, initial[row_index]);
        output[row_index * 4..row_index * 4 + 4].copy_from_slice(&words);
    }
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    // The intrinsics below are safe to call on x86-64 from Rust 1.87 on (SSE2
    // is always enabled there); older compilers require `unsafe`, hence the
    // blocks and the allowance for them being unused.
    #![allow(unused_unsafe)]

    use super::{BLOCK_WORDS, CONSTANT, ChaChaKey, DOUBLE_ROUNDS};
    use std::arch::x86_64::{
        __m128i, _mm_add_epi32, _mm_loadu_si128, _mm_or_si128, _mm_set_epi32, _mm_shuffle_epi32,
        _mm_shufflehi_epi16, _mm_shufflelo_epi16, _mm_slli_epi32, _mm_srli_epi32, _mm_storeu_si128,
        _mm_xor_si128,
    };

    #[inline(always)]
    fn rotate_left<const LEFT: i32, const RIGHT: i32>(x: __m128i) -> __m128i {
        unsafe { _mm_or_si128(_mm_slli_epi32::<LEFT>(x), _mm_srli_epi32::<RIGHT>(x)) }
    }

    #[inline(always)]
    fn rotate_left_16(x: __m128i) -> __m128i {
        // Swapping the 16-bit halves of each word is one shuffle per half.
        unsafe { _mm_shufflehi_epi16::<0b10_11_00_01>(_mm_shufflelo_epi16::<0b10_11_00_01>(x)) }
    }

    #[inline(always)]
    fn quarter_rounds(a: &mut __m128i, b: &mut __m128i, c: &mut __m128i, d: &mut __m128i) {
        unsafe {
            *a = _mm_add_epi32(*a, *b);
            *d = rotate_left_16(_mm_xor_si128(*d, *a));
            *c = _mm_add_epi32(*c, *d);
            *b = rotate_left::<12, 20>(_mm_xor_si128(*b, *c));
            *a = _mm_add_epi32(*a, *b);
            *d = rotate_left::<8, 24>(_mm_xor_si128(*d, *a));
            *c = _mm_add_epi32(*c, *d);
            *b = rotate_left::<7, 25>(_mm_xor_si128(*b, *c));
        }
    }

    #[inline]
    pub fn block(key: &ChaChaKey, stream: u64, block: u64, output: &mut [u32; BLOCK_WORDS]) {
        let key = &key.0;
        let word = |value: u32| value as i32;
        unsafe {
            let a0 = _mm_set_epi32(
                word(CONSTANT[3]),
                word(CONSTANT[2]),
                word(CONSTANT[1]),
                word(CONSTANT[0]),
            );
            // SAFETY: each load reads four in-bounds words of the key.
            let b0 = _mm_loadu_si128(key[0..4].as_ptr().cast::<__m128i>());
            let c0 = _mm_loadu_si128(key[4..8].as_ptr().cast::<__m128i>());
            let d0 = _mm_set_epi32(
                word((stream >> 32) as u32),
                word(stream as u32),
                word((block >> 32) as u32),
                word(block as u32),
            );
            let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
            for _ in 0..DOUBLE_ROUNDS {
                quarter_rounds(&mut a, &mut b, &mut c, &mut d);
                // Lanes rotated left by 1, 2 and 3: diagonals become columns.
                b = _mm_shuffle_epi32::<0b00_11_10_01>(b);
                c = _mm_shuffle_epi32::<0b01_00_11_10>(c);
                d = _mm_shuffle_epi32::<0b10_01_00_11>(d);
                quarter_rounds(&mut a, &mut b, &mut c, &mut d);
                b = _mm_shuffle_epi32::<0b10_01_00_11>(b);
                c = _mm_shuffle_epi32::<0b01_00_11_10>(c);
                d = _mm_shuffle_epi32::<0b00_11_10_01>(d);
            }
            let rows = [
                _mm_add_epi32(a, a0),
                _mm_add_epi32(b, b0),
                _mm_add_epi32(c, c0),
                _mm_add_epi32(d, d0),
            ];
            for (row_index, row) in rows.into_iter().enumerate() {
                // SAFETY: each store writes four in-bounds words of the output.
                _mm_storeu_si128(
                    output[row_index * 4..row_index * 4 + 4]
                        .as_mut_ptr()
                        .cast::<__m128i>(),
                    row,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn blocks_equal_rand_chachas_stream_at_the_same_position() {
        let mut positions = ChaCha8Rng::from_seed([9; 32]);
        for case in 0..200u64 {
            let mut seed = [0u8; 32];
            positions.fill_bytes(&mut seed);
            let stream = if case % 3 == 0 {
                case
            } else {
                positions.next_u64()
            };
            // Low counters, counters whose low word carries, and huge ones.
            let block_index = match case % 4 {
                0 => case,
                1 => u64::from(u32::MAX) - 1 + case % 3,
                2 => positions.next_u64() >> 4,
                _ => (1 << 63) | (case << 32),
            };
            let mut reference = ChaCha8Rng::from_seed(seed);
            reference.set_stream(stream);
            reference.set_word_pos(u128::from(block_index) * BLOCK_WORDS as u128);
            let expected: Vec<u32> = (0..BLOCK_WORDS).map(|_| reference.next_u32()).collect();
            let key = ChaChaKey::from_bytes(&seed);
            let mut actual = [0u32; BLOCK_WORDS];
            block(&key, stream, block_index, &mut actual);
            assert_eq!(
                actual.as_slice(),
                expected,
                "stream {stream}, block {block_index}"
            );
            let mut portable = [0u32; BLOCK_WORDS];
            block_portable(&key, stream, block_index, &mut portable);
            assert_eq!(
                portable, actual,
                "portable: stream {stream}, block {block_index}"
            );
        }
    }
}
