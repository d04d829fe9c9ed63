//! Owen-scrambled Sobol points, from the `sobol_burley` crate.
//!
//! The crate computes Sobol points from Joe and Kuo's direction numbers
//! (`new-joe-kuo-6`, 256 dimensions) and scrambles them with Burley's
//! hash-based Owen scrambling: each coordinate's bits are flipped by a
//! nested scramble (a bit's flip depends only on the bits above it), and
//! the point index is shuffled by the same kind of scramble, so the first
//! 2^m points of each seed remain a scrambled (t, m, s)-net whatever the
//! seed. Its limits set ours: at most 2^16 points and 256 dimensions, and
//! coordinates are multiples of 2^-23 (the crate returns `f32`, converted
//! here exactly). Only integer operations decide a coordinate, so the
//! points are the same on every platform.
//!
//! The crate's seed is 32 bits; ours is the first word of the seed's
//! `sensitivity/sobol` stream.

use super::draws::Draws;
use super::{SensitivityError, check_design_size, check_size};

/// Most points of a scrambled Sobol sequence (the crate's 2^16).
pub const SOBOL_POINTS_MAX: usize = 1 << 16;
/// Most dimensions of a scrambled Sobol sequence.
pub const SOBOL_DIMENSIONS_MAX: usize = sobol_burley::NUM_DIMENSIONS as usize;

/// The first `points` points of the Owen-scrambled Sobol sequence of
/// `dimensions` dimensions scrambled by `seed`, point `i` at index `i`.
/// Powers of two for `points` keep the net's balance: each dimension's
/// first 2^m points then fall one in each interval `[j/2^m, (j+1)/2^m)`.
pub fn scrambled_sobol(
    points: usize,
    dimensions: usize,
    seed: u64,
) -> Result<Vec<Vec<f64>>, SensitivityError> {
    check_size("Sobol points", points, 1, SOBOL_POINTS_MAX)?;
    check_size("Sobol dimensions", dimensions, 1, SOBOL_DIMENSIONS_MAX)?;
    check_design_size(points, dimensions)?;
    let scramble = Draws::new(seed, "sensitivity/sobol").word();
    Ok((0..points as u32)
        .map(|index| {
            (0..dimensions as u32)
                .map(|dimension| f64::from(sobol_burley::sample(index, dimension, scramble)))
                .collect()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sobol_burley::parts::sobol_rev;

    /// Point `index` of the plain (unscrambled) sequence in dimension
    /// `dimension`, as the crate computes it before scrambling.
    fn plain(index: u32, dimension: u32) -> f64 {
        let bits = sobol_rev(index.reverse_bits(), dimension).reverse_bits();
        f64::from(bits) / 4_294_967_296.0
    }

    #[test]
    fn the_plain_sequence_is_joe_and_kuos() {
        // Published sequences list points in Gray-code order (Antonov and
        // Saleev): point n is x_(n XOR n/2) of the natural order the crate
        // uses. From the direction numbers v_k = m_k / 2^k of
        // new-joe-kuo-6 (Gray order: x_n = x_(n-1) XOR v_c, c the lowest
        // zero bit of n - 1, counted from 1):
        // - dimension 1 (van der Corput), v = 1/2, 1/4, 1/8:
        //   0, .5, .75, .25, .375, .875, .625, .125;
        // - dimension 2 (s = 1, a = 0, m1 = 1, so m = 1, 3, 5), v = .5, .75, .625:
        //   0, .5, .25, .75, .375, .875, .125, .625;
        // - dimension 3 (s = 2, a = 1, m = 1, 3, then m3 = 2·3 ^ 4·1 ^ 1 = 3),
        //   v = .5, .75, .375: 0, .5, .25, .75, .625, .125, .875, .375;
        // - dimension 4 (s = 3, a = 1, m = 1, 3, 1), v = .5, .75, .125:
        //   0, .5, .25, .75, .875, .375, .625, .125.
        // The first two columns are also SciPy's documented
        // `Sobol(d=2, scramble=False).random_base2(3)`.
        let published = [
            [0.0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125],
            [0.0, 0.5, 0.25, 0.75, 0.375, 0.875, 0.125, 0.625],
            [0.0, 0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375],
            [0.0, 0.5, 0.25, 0.75, 0.875, 0.375, 0.625, 0.125],
        ];
        for (dimension, column) in published.iter().enumerate() {
            for (n, &expected) in column.iter().enumerate() {
                let gray = (n ^ (n >> 1)) as u32;
                assert_eq!(
                    plain(gray, dimension as u32),
                    expected,
                    "dimension {} point {n}",
                    dimension + 1
                );
            }
        }
    }

    #[test]
    fn scrambled_points_lie_in_the_unit_cube_and_each_prefix_is_stratified() {
        // The (0, m, 1)-net property of every one-dimensional projection:
        // for each m, the first 2^m points put exactly one coordinate in
        // each interval [j/2^m, (j+1)/2^m), for every dimension and seed.
        for seed in [0, 1, 42, u64::MAX] {
            let points = scrambled_sobol(1024, 40, seed).unwrap();
            for dimension in 0..40 {
                for m in 0..=10 {
                    let count = 1usize << m;
                    let mut seen = vec![false; count];
                    for point in &points[..count] {
                        let u = point[dimension];
                        assert!((0.0..1.0).contains(&u));
                        let stratum = (u * count as f64) as usize;
                        assert!(!seen[stratum], "seed {seed} dim {dimension} m {m}");
                        seen[stratum] = true;
                    }
                }
            }
        }
    }

    #[test]
    fn the_seed_scrambles_and_the_same_seed_gives_the_same_bits() {
        let first = scrambled_sobol(64, 4, 7).unwrap();
        let again = scrambled_sobol(64, 4, 7).unwrap();
        let other = scrambled_sobol(64, 4, 8).unwrap();
        assert_eq!(first, again);
        assert_ne!(first, other);
        // Scrambled, the first point is not the plain sequence's origin.
        assert!(first[0].iter().any(|&u| u != 0.0));
    }

    #[test]
    fn sizes_beyond_the_crates_limits_are_errors() {
        assert!(scrambled_sobol(0, 2, 1).is_err());
        assert!(scrambled_sobol(SOBOL_POINTS_MAX + 1, 2, 1).is_err());
        assert!(scrambled_sobol(4, SOBOL_DIMENSIONS_MAX + 1, 1).is_err());
        assert!(scrambled_sobol(4, 0, 1).is_err());
        assert_eq!(
            scrambled_sobol(4, SOBOL_DIMENSIONS_MAX, 1).unwrap().len(),
            4
        );
    }
}
