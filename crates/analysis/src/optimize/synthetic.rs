//! Synthetic systems for the tests: normal outputs with a shared term per
//! replication, as common random numbers make simulation outputs
//! positively correlated.

use crate::sensitivity::Draws;

/// Systems whose outputs at replication j are
/// `means[i] + sd · (√ρ Z_j + √(1 - ρ) E_ij)`, Z and E independent standard
/// normals: each output has standard deviation `sd`, two systems'
/// outputs at one replication have correlation ρ, and their difference
/// has variance 2 sd² (1 - ρ).
pub(crate) struct Systems {
    pub means: Vec<f64>,
    pub sd: f64,
    pub correlation: f64,
}

/// A standard normal by Box and Muller's transform, with `libm`.
pub(crate) fn normal(draws: &mut Draws) -> f64 {
    let radius = libm::sqrt(-2.0 * libm::log(1.0 - draws.unit()));
    radius * libm::cos(2.0 * std::f64::consts::PI * draws.unit())
}

/// `replications` rows of one metric for every system, replication by
/// replication (the shared term first, then each system's own).
pub(crate) fn normal_systems(
    systems: &Systems,
    replications: usize,
    draws: &mut Draws,
) -> Vec<Vec<Vec<f64>>> {
    let shared_weight = systems.correlation.sqrt();
    let own_weight = (1.0 - systems.correlation).sqrt();
    let mut outputs = vec![Vec::with_capacity(replications); systems.means.len()];
    for _ in 0..replications {
        let shared = normal(draws);
        for (rows, mean) in outputs.iter_mut().zip(&systems.means) {
            let own = normal(draws);
            rows.push(vec![
                mean + systems.sd * (shared_weight * shared + own_weight * own),
            ]);
        }
    }
    outputs
}

/// The metrics of `right` appended to those of `left`, row by row.
pub(crate) fn side_by_side(
    left: Vec<Vec<Vec<f64>>>,
    right: Vec<Vec<Vec<f64>>>,
) -> Vec<Vec<Vec<f64>>> {
    left.into_iter()
        .zip(right)
        .map(|(rows, more)| {
            rows.into_iter()
                .zip(more)
                .map(|(mut row, extra)| {
                    row.extend(extra);
                    row
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_outputs_have_the_stated_spread_and_correlation() {
        // 20,000 replications of two systems, sd 2, correlation 0.8: the
        // difference has variance 2 · 4 · 0.2 = 1.6 and each output 4.
        // Standard errors of sample variances are about σ² √(2/n): 0.016
        // and 0.04; five of them bound the checks.
        let mut draws = Draws::new(3, "optimize/test/synthetic");
        let systems = Systems {
            means: vec![1.0, -1.0],
            sd: 2.0,
            correlation: 0.8,
        };
        let outputs = normal_systems(&systems, 20_000, &mut draws);
        let first: Vec<f64> = outputs[0].iter().map(|row| row[0]).collect();
        let difference: Vec<f64> = outputs[0]
            .iter()
            .zip(&outputs[1])
            .map(|(a, b)| a[0] - b[0])
            .collect();
        let variance = |values: &[f64]| {
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            let squares: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
            (mean, squares / (values.len() - 1) as f64)
        };
        let (mean, first_variance) = variance(&first);
        assert!(
            (mean - 1.0).abs() < 5.0 * 2.0 / (20_000f64).sqrt(),
            "{mean}"
        );
        assert!(
            (first_variance - 4.0).abs() < 5.0 * 0.04,
            "{first_variance}"
        );
        let (mean, difference_variance) = variance(&difference);
        assert!((mean - 2.0).abs() < 0.05, "{mean}");
        assert!(
            (difference_variance - 1.6).abs() < 5.0 * 0.016,
            "{difference_variance}"
        );
    }
}
