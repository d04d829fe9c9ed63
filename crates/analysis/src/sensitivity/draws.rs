//! The random draws of designs and bootstraps: a named ChaCha8 stream of
//! the seed, turned into uniforms and indices by integer arithmetic only.
//!
//! The conversions are written here rather than taken from `rand`'s
//! distributions so that a design's bits are pinned by this file alone:
//! a uniform is the top 53 bits of a word times 2^-53 (exact), and an index
//! below `n` is Lemire's multiply-and-reject (unbiased, no division on the
//! usual path).

use escrowsim_core::engine::random::stream;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::Rng;

/// Draws of one purpose (a design or a bootstrap) of one seed.
pub(crate) struct Draws {
    generator: ChaCha8Rng,
}

impl Draws {
    /// The stream `name` of `seed`: streams of different names are
    /// unrelated, so a design and its bootstrap never share draws.
    pub(crate) fn new(seed: u64, name: &str) -> Draws {
        Draws {
            generator: stream(seed, name),
        }
    }

    pub(crate) fn word(&mut self) -> u32 {
        self.generator.next_u32()
    }

    /// A uniform on `[0, 1)`, a multiple of 2^-53.
    pub(crate) fn unit(&mut self) -> f64 {
        const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
        (self.generator.next_u64() >> 11) as f64 * SCALE
    }

    /// A uniform index in `0..bound` (`bound` at least 1).
    pub(crate) fn below(&mut self, bound: usize) -> usize {
        assert!(bound >= 1, "an index is drawn from a non-empty range");
        let bound = bound as u64;
        // 2^64 mod bound: products whose low word falls below it belong to
        // an incomplete last stripe and are drawn again.
        let threshold = bound.wrapping_neg() % bound;
        loop {
            let product = u128::from(self.generator.next_u64()) * u128::from(bound);
            if (product as u64) >= threshold {
                return (product >> 64) as usize;
            }
        }
    }

    /// Shuffles `items` uniformly (Fisher-Yates, from the back).
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for last in (1..items.len()).rev() {
            let other = self.below(last + 1);
            items.swap(last, other);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_are_uniform_within_a_binomial_band() {
        // 60,000 draws below 6: each count is Binomial(60000, 1/6), mean
        // 10,000, sd sqrt(60000 * 1/6 * 5/6) = 91.3; six sds is 548.
        let mut draws = Draws::new(11, "test/below");
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            counts[draws.below(6)] += 1;
        }
        for count in counts {
            assert!(count.abs_diff(10_000) < 548, "counts {counts:?}");
        }
    }

    #[test]
    fn uniforms_stay_below_one_and_streams_are_named() {
        let mut draws = Draws::new(3, "test/unit");
        let mut other = Draws::new(3, "test/other");
        let mut same = Draws::new(3, "test/unit");
        for _ in 0..1000 {
            let u = draws.unit();
            assert!((0.0..1.0).contains(&u));
            assert_eq!(u.to_bits(), same.unit().to_bits());
            assert_ne!(u.to_bits(), other.unit().to_bits());
        }
    }

    #[test]
    fn a_shuffle_is_a_permutation() {
        let mut draws = Draws::new(5, "test/shuffle");
        let mut items: Vec<usize> = (0..100).collect();
        draws.shuffle(&mut items);
        assert_ne!(items, (0..100).collect::<Vec<_>>());
        items.sort_unstable();
        assert_eq!(items, (0..100).collect::<Vec<_>>());
    }
}
