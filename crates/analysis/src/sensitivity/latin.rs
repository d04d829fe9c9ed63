//! Latin hypercube sampling (McKay, Beckman and Conover 1979).
//!
//! Each dimension's `[0, 1)` is cut into n equal strata and each stratum
//! holds exactly one point: dimension d of point i is `(π_d(i) + U)/n`,
//! π_d a uniform random permutation of the strata and U uniform on
//! `[0, 1)`, all drawn from the seed's `sensitivity/latin-hypercube`
//! stream, dimension by dimension (the permutation, then the n offsets).
//! A space-filling design for calibration, or for any run set where each
//! factor's range should be covered evenly at any n.

use super::draws::Draws;
use super::{POINTS_MAX, SensitivityError, check_design_size, check_factors, check_size};

/// `points` points of a Latin hypercube in `[0, 1)^factors`, drawn from
/// `seed`. Point `i` is run `i`.
pub fn latin_hypercube(
    factors: usize,
    points: usize,
    seed: u64,
) -> Result<Vec<Vec<f64>>, SensitivityError> {
    check_factors(factors)?;
    check_size("Latin hypercube points", points, 1, POINTS_MAX)?;
    check_design_size(points, factors)?;
    let mut draws = Draws::new(seed, "sensitivity/latin-hypercube");
    let mut design = vec![vec![0.0; factors]; points];
    let mut strata: Vec<usize> = Vec::with_capacity(points);
    for factor in 0..factors {
        strata.clear();
        strata.extend(0..points);
        draws.shuffle(&mut strata);
        for (point, &stratum) in design.iter_mut().zip(&strata) {
            point[factor] = in_stratum(stratum, points, draws.unit());
        }
    }
    Ok(design)
}

/// `(stratum + offset)/strata`, nudged by the last bit where rounding
/// would carry it out of `[stratum/strata, (stratum+1)/strata)` as the
/// check `floor(u · strata) == stratum` sees it: near a stratum's upper
/// end the sum can round up to the next stratum's first value.
fn in_stratum(stratum: usize, strata: usize, offset: f64) -> f64 {
    let count = strata as f64;
    let mut unit = (stratum as f64 + offset) / count;
    // Each loop moves one unit in the last place; a stratum is far wider
    // than the rounding error, so each runs at most a few times.
    while unit > 0.0 && (unit * count).floor() as usize > stratum {
        unit = f64::from_bits(unit.to_bits() - 1);
    }
    while ((unit * count).floor() as usize) < stratum {
        unit = f64::from_bits(unit.to_bits() + 1);
    }
    unit
}

#[cfg(test)]
mod tests {
    use super::super::FACTORS_MAX;
    use super::*;

    #[test]
    fn each_stratum_of_each_dimension_holds_exactly_one_point() {
        for (factors, points, seed) in [(1, 1, 0), (3, 7, 1), (5, 1000, 2), (2, 4099, 3)] {
            let design = latin_hypercube(factors, points, seed).unwrap();
            assert_eq!(design.len(), points);
            for factor in 0..factors {
                let mut seen = vec![false; points];
                for point in &design {
                    let u = point[factor];
                    assert!((0.0..1.0).contains(&u), "{u}");
                    let stratum = (u * points as f64).floor() as usize;
                    assert!(!seen[stratum], "stratum {stratum} of factor {factor} twice");
                    seen[stratum] = true;
                }
            }
        }
    }

    #[test]
    fn a_point_at_a_strata_upper_end_is_kept_inside() {
        // (2 + (1 - 2^-53)) / 3 rounds to exactly 1.0 in f64: the nudge
        // brings it back under 1, into the last stratum.
        let largest_offset = 1.0 - f64::EPSILON / 2.0;
        let unit = in_stratum(2, 3, largest_offset);
        assert!(unit < 1.0);
        assert_eq!((unit * 3.0).floor(), 2.0);
        for strata in [3usize, 7, 10, 49, 1000, 999_983] {
            for stratum in [0, 1, strata / 2, strata - 1] {
                for offset in [0.0, 0.5, largest_offset] {
                    let unit = in_stratum(stratum, strata, offset);
                    assert_eq!((unit * strata as f64).floor() as usize, stratum);
                }
            }
        }
    }

    #[test]
    fn the_seed_decides_the_design() {
        assert_eq!(
            latin_hypercube(3, 50, 9).unwrap(),
            latin_hypercube(3, 50, 9).unwrap()
        );
        assert_ne!(
            latin_hypercube(3, 50, 9).unwrap(),
            latin_hypercube(3, 50, 10).unwrap()
        );
    }

    #[test]
    fn sizes_beyond_the_bounds_are_errors() {
        assert!(latin_hypercube(0, 10, 1).is_err());
        assert!(latin_hypercube(FACTORS_MAX + 1, 10, 1).is_err());
        assert!(latin_hypercube(2, 0, 1).is_err());
        assert!(latin_hypercube(2, POINTS_MAX + 1, 1).is_err());
    }
}
